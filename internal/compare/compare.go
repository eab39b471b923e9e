// Package compare tells what changed between two runs, from the files they
// wrote: which inputs (by checksum), which settings (every key of the fully
// resolved config), which versions, and how the results moved (people
// underserved per kind of place, and the areas that changed most), so a
// researcher rerunning an analysis can account for every difference.
package compare

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Run is what compare reads of one run folder.
type Run struct {
	Dir      string
	Manifest map[string]any
	// Underserved people per group (from cells.csv) and population.
	Underserved map[string]float64
	Population  float64
	// Areas: "level|name" -> people underserved (ranking category) per group.
	Areas map[string]map[string]float64
}

// Load reads a run folder's manifest.json, cells.csv and areas.csv.
func Load(dir string) (*Run, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s is not a run folder: it has no manifest.json (give the output.dir of a finished run)", dir)
		}
		return nil, err
	}
	r := &Run{Dir: dir, Underserved: map[string]float64{}, Areas: map[string]map[string]float64{}}
	if err := json.Unmarshal(raw, &r.Manifest); err != nil {
		return nil, fmt.Errorf("%s: manifest.json is not valid JSON: %w", dir, err)
	}
	if err := readCSV(filepath.Join(dir, "cells.csv"), func(head []string, rec []string, line int) error {
		pop, err := strconv.ParseFloat(rec[index(head, "population")], 64)
		if err != nil {
			return fmt.Errorf("population %q: %w", rec[index(head, "population")], err)
		}
		r.Population += pop
		for k, h := range head {
			if g, ok := strings.CutPrefix(h, "underserved_"); ok && rec[k] == "1" {
				r.Underserved[g] += pop
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := readCSV(filepath.Join(dir, "areas.csv"), func(head []string, rec []string, line int) error {
		key := rec[index(head, "level")] + "|" + rec[index(head, "area")]
		m := map[string]float64{}
		for k, h := range head {
			if g, ok := strings.CutPrefix(h, "underserved_"); ok && !strings.HasPrefix(h, "underserved_share_") {
				v, _ := strconv.ParseFloat(rec[k], 64)
				m[g] = v
			}
		}
		r.Areas[key] = m
		return nil
	}); err != nil {
		return nil, err
	}
	return r, nil
}

func index(head []string, name string) int {
	for i, h := range head {
		if h == name {
			return i
		}
	}
	return 0
}

func readCSV(path string, row func(head, rec []string, line int) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("run folder: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := row(head, rec, line); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
}

// Change is one difference of a setting or input.
type Change struct{ Key, A, B string }

// Diff is everything that differs between two runs.
type Diff struct {
	A, B     *Run
	Inputs   []Change // by role and path: checksums
	Settings []Change // resolved config keys
	// Methods are differences in how people were placed and classed:
	// results made by different methods are not like for like.
	Methods  []Change
	Versions []Change
	// Groups lists, per group of places, underserved people in A and B.
	Groups []GroupChange
	// Areas that moved most, in people underserved for the ranking group.
	Areas []AreaChange
}

// GroupChange is underserved people for one group in both runs.
type GroupChange struct {
	Group string
	A, B  float64
}

// AreaChange is one area's underserved people in both runs.
type AreaChange struct {
	Area string
	A, B float64
}

// Runs compares run a with run b.
func Runs(a, b *Run) *Diff {
	d := &Diff{A: a, B: b}
	d.Inputs = diffInputs(a.Manifest["inputs"], b.Manifest["inputs"])
	fa, fb := map[string]string{}, map[string]string{}
	flatten("", a.Manifest["study"], fa)
	flatten("", b.Manifest["study"], fb)
	d.Settings = diffMaps(fa, fb)
	ma, mb := map[string]string{}, map[string]string{}
	flatten("", a.Manifest["methods"], ma)
	flatten("", b.Manifest["methods"], mb)
	d.Methods = diffMaps(ma, mb)
	va, vb := map[string]string{}, map[string]string{}
	for _, k := range []string{"version", "go"} {
		va[k], vb[k] = fmt.Sprint(a.Manifest[k]), fmt.Sprint(b.Manifest[k])
	}
	flatten("modules", a.Manifest["modules"], va)
	flatten("modules", b.Manifest["modules"], vb)
	d.Versions = diffMaps(va, vb)
	groups := map[string]bool{}
	for g := range a.Underserved {
		groups[g] = true
	}
	for g := range b.Underserved {
		groups[g] = true
	}
	for _, g := range sortedKeys(groups) {
		d.Groups = append(d.Groups, GroupChange{Group: g, A: a.Underserved[g], B: b.Underserved[g]})
	}
	rank := "secular"
	if st, ok := a.Manifest["study"].(map[string]any); ok {
		if rk, ok := st["ranking"].(map[string]any); ok {
			if c, ok := rk["category"].(string); ok {
				rank = c
			}
		}
	}
	areas := map[string]bool{}
	for k := range a.Areas {
		areas[k] = true
	}
	for k := range b.Areas {
		areas[k] = true
	}
	for _, k := range sortedKeys(areas) {
		av, bv := a.Areas[k][rank], b.Areas[k][rank]
		if math.Abs(av-bv) >= 0.5 {
			d.Areas = append(d.Areas, AreaChange{Area: strings.Replace(k, "|", ": ", 1), A: av, B: bv})
		}
	}
	sort.SliceStable(d.Areas, func(i, j int) bool {
		return math.Abs(d.Areas[i].B-d.Areas[i].A) > math.Abs(d.Areas[j].B-d.Areas[j].A)
	})
	return d
}

func diffInputs(a, b any) []Change {
	ma, mb := map[string]string{}, map[string]string{}
	for _, side := range []struct {
		in any
		m  map[string]string
	}{{a, ma}, {b, mb}} {
		list, _ := side.in.([]any)
		for _, it := range list {
			m, _ := it.(map[string]any)
			side.m[fmt.Sprintf("%v (%v)", m["role"], m["path"])] = fmt.Sprint(m["sha256"])
		}
	}
	return diffMaps(ma, mb)
}

// flatten turns nested JSON into "a.b[2].c" keys with printed values.
func flatten(prefix string, v any, out map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, x, out)
		}
	case []any:
		for i, x := range t {
			flatten(fmt.Sprintf("%s[%d]", prefix, i), x, out)
		}
	case nil:
		out[prefix] = "(none)"
	default:
		out[prefix] = fmt.Sprint(t)
	}
}

func diffMaps(a, b map[string]string) []Change {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var out []Change
	for _, k := range sortedKeys(keys) {
		va, oka := a[k]
		vb, okb := b[k]
		if !oka {
			va = "(absent)"
		}
		if !okb {
			vb = "(absent)"
		}
		if !reflect.DeepEqual(va, vb) {
			out = append(out, Change{Key: k, A: va, B: vb})
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Write prints the differences for a person.
func (d *Diff) Write(w io.Writer, maxAreas int) {
	fmt.Fprintf(w, "Comparing run A (%s) with run B (%s)\n", d.A.Dir, d.B.Dir)
	section := func(title string, cs []Change, none string) {
		fmt.Fprintf(w, "\n%s\n", title)
		if len(cs) == 0 {
			fmt.Fprintf(w, "  %s\n", none)
		}
		for _, c := range cs {
			fmt.Fprintf(w, "  %s: %s -> %s\n", c.Key, c.A, c.B)
		}
	}
	if len(d.Methods) > 0 {
		fmt.Fprintf(w, "\nThe runs used different methods, so their numbers are not like for like:\n")
		for _, c := range d.Methods {
			fmt.Fprintf(w, "  %s: %s -> %s\n", c.Key, c.A, c.B)
		}
	}
	section("Inputs (SHA-256):", d.Inputs, "the same files, byte for byte")
	section("Settings:", d.Settings, "the same settings")
	section("Versions:", d.Versions, "the same versions")
	fmt.Fprintf(w, "\nPeople underserved (A -> B, of %s -> %s residents):\n", num(d.A.Population), num(d.B.Population))
	for _, g := range d.Groups {
		fmt.Fprintf(w, "  %-16s %12s -> %-12s (%+s)\n", g.Group, num(g.A), num(g.B), num(g.B-g.A))
	}
	if len(d.Areas) > 0 {
		fmt.Fprintf(w, "\nAreas that changed most (people underserved for the ranking category):\n")
		for i, a := range d.Areas {
			if i >= maxAreas {
				fmt.Fprintf(w, "  ... and %d more\n", len(d.Areas)-maxAreas)
				break
			}
			fmt.Fprintf(w, "  %-56s %10s -> %-10s (%+s)\n", a.Area, num(a.A), num(a.B), num(a.B-a.A))
		}
	}
	if len(d.Inputs)+len(d.Settings)+len(d.Versions)+len(d.Methods) == 0 && resultsEqual(d) {
		fmt.Fprintln(w, "\nThe runs are the same.")
	}
}

func resultsEqual(d *Diff) bool {
	for _, g := range d.Groups {
		if g.A != g.B {
			return false
		}
	}
	return len(d.Areas) == 0
}

func num(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
