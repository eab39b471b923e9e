package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"commonground/internal/testdata"
)

// TestCSVOutputsSafe renames three populated hexagons of the Porto Alegre
// grid to formulas and checks that areas.csv shows them as text (a leading
// single quote) while its numbers, negative or not, stay numbers, and that
// no cell of any CSV output starts a formula.
func TestCSVOutputsSafe(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile(testdata.Shared(t, "porto-alegre/poa_hexgrid.csv"))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{"89a9012124fffff": "=1+1", "89a9012126bffff": "@SUM(A1:A9)", "89a9012a3cfffff": "-2+3"}
	text := string(raw)
	for id, n := range names {
		if !strings.Contains(text, id) {
			t.Fatalf("hexagon %s not in the grid", id)
		}
		text = strings.Replace(text, id, n, 1)
	}
	os.WriteFile(filepath.Join(dir, "hex.csv"), []byte(text), 0o644)
	cfg := "name: safe csv\ninputs:\n  osm: " + testdata.Shared(t, "porto-alegre/poa_osm.pbf") + "\n" +
		"  population: {path: hex.csv, id_field: id, pop_field: population}\n  admin_levels: []\noutput: {dir: out}\n"
	os.WriteFile(filepath.Join(dir, "study.yaml"), []byte(cfg), 0o644)
	if code, _, e := run("run", "--quiet", filepath.Join(dir, "study.yaml")); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	found := map[string]bool{}
	csvs, _ := filepath.Glob(filepath.Join(dir, "out", "*.csv"))
	if len(csvs) < 4 {
		t.Fatalf("only %d CSV outputs", len(csvs))
	}
	for _, p := range csvs {
		f, _ := os.Open(p)
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, row := range rows {
			for _, c := range row {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					if _, err := strconv.ParseFloat(c, 64); err != nil {
						t.Errorf("%s: cell %q would run as a formula", filepath.Base(p), c)
					}
				}
				for _, n := range names {
					if c == "'"+n {
						found[n] = true
					}
				}
			}
		}
	}
	for _, n := range names {
		if !found[n] {
			t.Errorf("%q is not shown as '%s in any CSV output", n, n)
		}
	}
}
