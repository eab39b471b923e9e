package gap

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// OfficialTable is an area-level table of official codes the user already
// has: RUCA codes by census tract, Statistics Canada's Index of Remoteness
// by census subdivision, or any code per area.
type OfficialTable struct {
	Path    string
	IDs     []string          // ids with a code, in file order
	Codes   map[string]string // id -> code as written
	NoValue []string          // ids whose code is empty or a missing marker, in file order
}

// missingMarkers are codes that mean "no value": empty, "." (Statistics
// Canada's 2016 Index of Remoteness), ".." and "NA".
var missingMarkers = map[string]bool{"": true, ".": true, "..": true, "NA": true, "na": true}

// ReadOfficial reads a CSV table of codes by area: idCol names the id
// column and codeCol the code column (header names, matched exactly after
// trimming spaces and a byte-order mark). A bad row (wrong number of
// fields, empty or repeated id) is an error naming the file and row.
func ReadOfficial(path, idCol, codeCol string) (*OfficialTable, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read official classes: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: read header: %w", path, err)
	}
	idAt, codeAt := -1, -1
	for i, h := range header {
		switch strings.TrimSpace(h) {
		case idCol:
			idAt = i
		case codeCol:
			codeAt = i
		}
	}
	if idAt < 0 || codeAt < 0 {
		missing := idCol
		if idAt >= 0 {
			missing = codeCol
		}
		return nil, fmt.Errorf("%s: no column %q (columns: %s)", path, missing, strings.Join(header, ", "))
	}
	t := &OfficialTable{Path: path, Codes: map[string]string{}}
	seen := map[string]int{}
	for row := 2; ; row++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("%s row %d: %w", path, row, err)
		}
		if len(rec) != len(header) {
			return nil, fmt.Errorf("%s row %d: %d fields, the header has %d", path, row, len(rec), len(header))
		}
		id := strings.TrimSpace(rec[idAt])
		if id == "" {
			return nil, fmt.Errorf("%s row %d: empty %s", path, row, idCol)
		}
		if first, dup := seen[id]; dup {
			return nil, fmt.Errorf("%s row %d: %s %q repeats row %d", path, row, idCol, id, first)
		}
		seen[id] = row
		code := strings.TrimSpace(rec[codeAt])
		if missingMarkers[code] {
			t.NoValue = append(t.NoValue, id)
			continue
		}
		t.IDs = append(t.IDs, id)
		t.Codes[id] = code
	}
	return t, nil
}

// Mapping turns an official code into a class and the standard's own label.
type Mapping interface {
	// Map returns the class and label of a code, or an error naming what
	// is wrong with the code.
	Map(code string) (Class, string, error)
}

// RUCA maps USDA ERS Rural-Urban Commuting Area codes (2010: primary codes
// 1-10, secondary codes such as 4.1 or 10.3) to classes, following the
// WWAMI Rural Health Research Center's categorisation C (urban, large
// rural, small rural, isolated small rural), with isolated small rural as
// remote:
//
//	urban:  1, 1.1, 2, 2.1, 3, 4.1, 5.1, 7.1, 8.1, 10.1 (metropolitan, or
//	        commuting mainly to an urbanized area)
//	remote: 10, 10.2, 10.3, 10.4, 10.5, 10.6 (isolated rural: primary
//	        commuting flow outside any urban area)
//	rural:  every other code from 1 to 10
//
// A whole primary code given alone maps the same way: 1-3 urban, 4-9
// rural, 10 remote. Code 99 (no population) is an error.
type RUCA struct{}

var rucaLabels = [...]string{"",
	"metropolitan core", "metropolitan high commuting", "metropolitan low commuting",
	"micropolitan core", "micropolitan high commuting", "micropolitan low commuting",
	"small town core", "small town high commuting", "small town low commuting",
	"rural"}

// Map implements Mapping.
func (RUCA) Map(code string) (Class, string, error) {
	v, err := strconv.ParseFloat(code, 64)
	if err != nil || v < 1 || v >= 11 {
		return 0, "", fmt.Errorf("RUCA code %q is not between 1 and 10.6", code)
	}
	primary := int(math.Floor(v))
	label := fmt.Sprintf("RUCA %s (%s)", code, rucaLabels[primary])
	tenths := int(math.Round((v - float64(primary)) * 10))
	switch {
	case primary <= 3:
		return Urban, label, nil
	case tenths == 1 && (primary == 4 || primary == 5 || primary == 7 || primary == 8 || primary == 10):
		return Urban, label, nil
	case primary == 10:
		return Remote, label, nil
	}
	return Rural, label, nil
}

// Subedi maps Statistics Canada Index of Remoteness values (0 to 1) to
// classes by the five classes of Subedi et al. 2020 (see SubediClass),
// which that paper offers to tell urban, rural and remote communities
// apart: easily accessible is urban, accessible and less accessible rural,
// remote and very remote remote.
type Subedi struct{}

// Map implements Mapping.
func (Subedi) Map(code string) (Class, string, error) {
	v, err := strconv.ParseFloat(code, 64)
	if err != nil || v < 0 || v > 1 {
		return 0, "", fmt.Errorf("index of remoteness %q is not a number from 0 to 1", code)
	}
	label := SubediClass(v)
	switch label {
	case "easily accessible":
		return Urban, label, nil
	case "remote", "very remote":
		return Remote, label, nil
	}
	return Rural, label, nil
}

// CodeMap is a mapping given in config: each code to a class name
// ("urban", "rural", "remote").
type CodeMap map[string]string

// Map implements Mapping.
func (m CodeMap) Map(code string) (Class, string, error) {
	name, ok := m[code]
	if !ok {
		return 0, "", fmt.Errorf("code %q is not in the mapping (codes: %s)", code, strings.Join(sortedKeys(m), ", "))
	}
	for c := Class(0); c < NumClasses; c++ {
		if c.String() == name {
			return c, code, nil
		}
	}
	return 0, "", fmt.Errorf("code %q maps to %q, not urban, rural or remote", code, name)
}

// OfficialClasses is the official class of each study area.
type OfficialClasses struct {
	Class []Class  // per area; meaningful where Known
	Label []string // the standard's label per area
	Known []bool   // the table gives the area a class
	// NoRow lists study areas the table has no row for; NoValue those
	// whose row has no value.
	NoRow, NoValue []string
	// Unmatched lists table ids that match no study area: those with a
	// code in file order, then those without.
	Unmatched []string
}

// Join classes the study's areas (by id) from the table through a
// mapping. A code the mapping rejects is an error naming the file and id.
func (t *OfficialTable) Join(areaIDs []string, m Mapping) (*OfficialClasses, error) {
	out := &OfficialClasses{
		Class: make([]Class, len(areaIDs)),
		Label: make([]string, len(areaIDs)),
		Known: make([]bool, len(areaIDs)),
	}
	noValue := map[string]bool{}
	for _, id := range t.NoValue {
		noValue[id] = true
	}
	inStudy := map[string]bool{}
	for a, id := range areaIDs {
		inStudy[id] = true
		code, ok := t.Codes[id]
		if !ok {
			if noValue[id] {
				out.NoValue = append(out.NoValue, id)
			} else {
				out.NoRow = append(out.NoRow, id)
			}
			continue
		}
		c, label, err := m.Map(code)
		if err != nil {
			return nil, fmt.Errorf("%s id %s: %w", t.Path, id, err)
		}
		out.Class[a], out.Label[a], out.Known[a] = c, label, true
	}
	for _, id := range t.IDs {
		if !inStudy[id] {
			out.Unmatched = append(out.Unmatched, id)
		}
	}
	for _, id := range t.NoValue {
		if !inStudy[id] {
			out.Unmatched = append(out.Unmatched, id)
		}
	}
	return out, nil
}
