package measure

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"commonground/internal/bounded"
	"commonground/internal/problem"
)

// Table is an attribute table of origins or destinations (population,
// groups, opportunities, supply, categories), one row per id, read from CSV
// or from the properties of a GeoJSON file. Values are kept as text so a
// column can be read as numbers or as categories, and every value can be
// traced back to its line or feature.
type Table struct {
	File string   // the path it was read from, for messages
	IDs  []string // row ids in file order

	cols  []string
	vals  [][]string // vals[column][row]
	where []string   // "line 7" or "feature 7" per row
	index map[string]int
}

// ReadTable reads an attribute table; idCol names the id column (CSV) or
// property (GeoJSON, chosen by a .geojson or .json extension).
func ReadTable(path, idCol string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read attribute table: %w", err)
	}
	defer f.Close()
	switch strings.ToLower(filepath.Ext(path)) {
	case ".geojson", ".json":
		return ParseGeoJSONTable(f, path, idCol)
	}
	return ParseCSVTable(f, path, idCol)
}

// ParseCSVTable reads a CSV attribute table with a header line; name is the
// file name used in errors.
func ParseCSVTable(r io.Reader, name, idCol string) (*Table, error) {
	cr := csv.NewReader(skipBOM(bufio.NewReader(bounded.Records(r))))
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("read %s: the file is empty; want a header line with a %q column", name, idCol)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	pos, err := findColumns(name, header, idCol)
	if err != nil {
		return nil, err
	}
	t := &Table{File: name, index: map[string]int{}}
	for _, h := range header {
		t.cols = append(t.cols, strings.TrimSpace(h))
	}
	t.vals = make([][]string, len(header))
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if err := t.add(strings.TrimSpace(rec[pos[0]]), fmt.Sprintf("line %d", line)); err != nil {
			return nil, err
		}
		for c, v := range rec {
			t.vals[c] = append(t.vals[c], strings.TrimSpace(v))
		}
	}
	return t, nil
}

// ParseGeoJSONTable reads the properties of a GeoJSON FeatureCollection as
// an attribute table; geometries are ignored.
func ParseGeoJSONTable(r io.Reader, name, idProp string) (*Table, error) {
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"features"`
	}
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return nil, fmt.Errorf("read %s: not valid GeoJSON: %w", name, err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("read %s: want a GeoJSON FeatureCollection, found type %q", name, fc.Type)
	}
	keys := map[string]bool{}
	for _, f := range fc.Features {
		for k := range f.Properties {
			keys[k] = true
		}
	}
	if !keys[idProp] {
		return nil, fmt.Errorf("read %s: no feature has the id property %q", name, idProp)
	}
	t := &Table{File: name, index: map[string]int{}}
	for k := range keys {
		t.cols = append(t.cols, k)
	}
	sort.Strings(t.cols)
	t.vals = make([][]string, len(t.cols))
	for n, f := range fc.Features {
		where := fmt.Sprintf("feature %d", n+1)
		row := make([]string, len(t.cols))
		for c, k := range t.cols {
			v, err := jsonText(f.Properties[k])
			if err != nil {
				return nil, fmt.Errorf("read %s %s: property %q: %w", name, where, k, err)
			}
			row[c] = v
		}
		id := row[sort.SearchStrings(t.cols, idProp)]
		if err := t.add(id, where); err != nil {
			return nil, err
		}
		for c, v := range row {
			t.vals[c] = append(t.vals[c], v)
		}
	}
	return t, nil
}

// jsonText renders a property value as text: strings as they are, numbers
// as written, null or absent as empty (missing).
func jsonText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return strings.TrimSpace(s), err
	case raw[0] == '{' || raw[0] == '[':
		return "", fmt.Errorf("want a number or text, found %.20s", raw)
	}
	return string(raw), nil
}

func (t *Table) add(id, where string) error {
	if id == "" {
		return fmt.Errorf("read %s %s: the id is empty", t.File, where)
	}
	if k, ok := t.index[id]; ok {
		return fmt.Errorf("read %s %s: id %q appears again (first at %s)", t.File, where, id, t.where[k])
	}
	t.index[id] = len(t.IDs)
	t.IDs = append(t.IDs, id)
	t.where = append(t.where, where)
	return nil
}

// Place says where an id's row is in the file, "line 7" or "feature 7",
// for messages; "" for an unknown id.
func (t *Table) Place(id string) string {
	if k, ok := t.index[id]; ok {
		return t.where[k]
	}
	return ""
}

// Columns returns the column names in file order (CSV) or sorted (GeoJSON).
func (t *Table) Columns() []string { return append([]string(nil), t.cols...) }

// column returns the values of a column, or an error listing the columns.
func (t *Table) column(col string) ([]string, error) {
	for c, name := range t.cols {
		if name == col {
			return t.vals[c], nil
		}
	}
	return nil, fmt.Errorf("read %s: no column %q (it has: %s)", t.File, col, strings.Join(t.cols, ", "))
}

// rows maps ids to table rows; nil ids means every row in table order.
func (t *Table) rows(ids []string) ([]int, error) {
	if ids == nil {
		r := make([]int, len(t.IDs))
		for i := range r {
			r[i] = i
		}
		return r, nil
	}
	r := make([]int, len(ids))
	for i, id := range ids {
		k, ok := t.index[id]
		if !ok {
			return nil, fmt.Errorf("read %s: id %q is not in the table", t.File, id)
		}
		r[i] = k
	}
	return r, nil
}

// Missing reports whether a cell is missing: empty, NA or NaN, as R and
// spreadsheets write it.
func Missing(v string) bool {
	switch v {
	case "", "NA", "NaN", "nan", "null", "NULL":
		return true
	}
	return false
}

// Numbers returns a numeric column for the given ids (nil: every row in
// table order). Missing cells become NaN and are recorded in probs as one
// warning per column with their count and first place, so the caller decides
// what missing means; text that is not a number is an error naming the
// line and id.
func (t *Table) Numbers(col string, ids []string, probs *problem.List) ([]float64, error) {
	vals, err := t.column(col)
	if err != nil {
		return nil, err
	}
	rows, err := t.rows(ids)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(rows))
	missing, first := 0, -1
	for i, r := range rows {
		v := vals[r]
		if Missing(v) {
			out[i] = math.NaN()
			if missing++; first < 0 || r < first {
				first = r
			}
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(x, 0) {
			return nil, fmt.Errorf("read %s %s: id %q: %s %q is not a number", t.File, t.where[r], t.IDs[r], col, v)
		}
		out[i] = x
	}
	if missing > 0 && probs != nil {
		probs.Add(problem.Problem{Severity: problem.Warning, File: t.File, Feature: t.IDs[first], Field: col,
			Message: fmt.Sprintf("%d of %d values are missing (NA or empty), the first at %s", missing, len(rows), t.where[first])})
	}
	return out, nil
}

// Strings returns a text column (categories, groups) for the given ids (nil:
// every row in table order); missing cells are returned as "".
func (t *Table) Strings(col string, ids []string) ([]string, error) {
	vals, err := t.column(col)
	if err != nil {
		return nil, err
	}
	rows, err := t.rows(ids)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		if !Missing(vals[r]) {
			out[i] = vals[r]
		}
	}
	return out, nil
}
