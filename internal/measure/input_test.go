package measure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"commonground/internal/problem"
)

// TestBadMatrix: each broken matrix file fails with an error naming the
// file, the line and what is wrong.
func TestBadMatrix(t *testing.T) {
	const land = "id,population,jobs\na,10,1\nb,20,NA\nc,0,3\n"
	tests := []struct {
		name   string
		matrix string
		tables bool
		want   string
	}{
		{"unknown origin id", "from_id,to_id,travel_time\na,b,5\nz,a,7\n", true, `line 3: from_id "z" is not an id in`},
		{"unknown destination id", "from_id,to_id,travel_time\na,b,5\nb,q,7\n", true, `line 3: to_id "q" is not an id in`},
		{"duplicate pair", "from_id,to_id,travel_time\na,b,5\nb,a,5\na,b,6\n", false, `line 4: pair from "a" to "b" repeats line 2`},
		{"negative time", "from_id,to_id,travel_time\na,b,5\nb,a,-1\n", false, `line 3: travel_time from "b" to "a": travel cost -1 is negative`},
		{"non-numeric time", "from_id,to_id,travel_time\na,b,five\n", false, `line 2: travel_time "five" from "a" to "b" is not a number`},
		{"NaN time", "from_id,to_id,travel_time\na,b,NaN\n", false, `line 2: travel_time from "a" to "b": travel cost NaN is not a finite number`},
		{"NA time", "from_id,to_id,travel_time\na,b,NA\n", false, `line 2: travel_time "NA" from "a" to "b" is not a number`},
		{"infinite time", "from_id,to_id,travel_time\na,b,Inf\n", false, "leave an unreachable pair out instead"},
		{"missing column", "from_id,to_id,minutes\na,b,5\n", false, `line 1: no column "travel_time" in the header (it has: from_id, to_id, minutes)`},
		{"short line", "from_id,to_id,travel_time\na,b,5\na,c\n", false, "line 3: wrong number of fields"},
		{"empty id", "from_id,to_id,travel_time\n,b,5\n", false, "line 2: empty from_id or to_id"},
		{"empty file", "", false, "the file is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "matrix.csv")
			if err := os.WriteFile(path, []byte(tc.matrix), 0o644); err != nil {
				t.Fatal(err)
			}
			var opt MatrixOptions
			if tc.tables {
				lp := filepath.Join(dir, "land.csv")
				os.WriteFile(lp, []byte(land), 0o644)
				tab, err := ReadTable(lp, "id")
				if err != nil {
					t.Fatal(err)
				}
				opt.Origins, opt.Dests = tab, tab
			}
			_, err := ReadMatrix(path, opt, nil)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to name %s and say %q", err, path, tc.want)
			}
			if tc.tables && !strings.Contains(err.Error(), "land.csv") {
				t.Errorf("error %q does not name the attribute table", err)
			}
		})
	}
}

// TestMatrixReading: header names are configurable, other columns ignored,
// quotes, BOM and CRLF accepted, and the absent pairs reported once.
func TestMatrixReading(t *testing.T) {
	text := "\xef\xbb\xbf\"mode\",\"orig\",\"dest\",\"minutes\"\r\n\"walk\",\"a\",\"b\",12.5\r\n\"walk\",\"b\",\"a\",3\r\n\"walk\",\"a\",\"a\",0\r\n"
	var probs problem.List
	m, err := ParseMatrix(strings.NewReader(text), "m.csv", MatrixOptions{From: "orig", To: "dest", Cost: "minutes"}, &probs)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.Origins, ",") != "a,b" || strings.Join(m.Dests, ",") != "b,a" || m.Len() != 3 {
		t.Fatalf("origins %v, dests %v, %d pairs", m.Origins, m.Dests, m.Len())
	}
	// Row a sorted by cost: a (0) then b (12.5).
	if ds, cs := m.Row(0); len(ds) != 2 || m.Dests[ds[0]] != "a" || cs[0] != 0 || cs[1] != 12.5 {
		t.Errorf("row a = %v %v", ds, cs)
	}
	if c, ok := m.Cost(1, 1); !ok || c != 3 {
		t.Errorf("cost b->a = %v %v, want 3", c, ok)
	}
	if _, ok := m.Cost(1, 0); ok {
		t.Errorf("b->b is absent, want unreachable")
	}
	items := probs.Items()
	if len(items) != 1 || items[0].File != "m.csv" || !strings.Contains(items[0].Message, "1 of 4 origin-destination pairs are absent") {
		t.Errorf("problems = %v", items)
	}
}

func TestBadTable(t *testing.T) {
	tests := []struct {
		name, file, text, col, want string
	}{
		{"missing id column", "t.csv", "code,pop\na,1\n", "", `line 1: no column "id"`},
		{"duplicate id", "t.csv", "id,pop\na,1\nb,2\na,3\n", "", `line 4: id "a" appears again (first at line 2)`},
		{"not a number", "t.csv", "id,pop\na,1\nb,many\n", "pop", `line 3: id "b": pop "many" is not a number`},
		{"unknown column", "t.csv", "id,pop\na,1\n", "jobs", `no column "jobs" (it has: id, pop)`},
		{"geojson duplicate", "t.geojson", `{"type":"FeatureCollection","features":[{"properties":{"id":"a"}},{"properties":{"id":"a"}}]}`, "", `feature 2: id "a" appears again (first at feature 1)`},
		{"geojson no id", "t.geojson", `{"type":"FeatureCollection","features":[{"properties":{"name":"a"}}]}`, "", `no feature has the id property "id"`},
		{"geojson text", "t.geojson", `{"type":"FeatureCollection","features":[{"properties":{"id":7,"pop":"lots"}}]}`, "pop", `feature 1: id "7": pop "lots" is not a number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.file)
			os.WriteFile(path, []byte(tc.text), 0o644)
			tab, err := ReadTable(path, "id")
			if err == nil && tc.col != "" {
				_, err = tab.Numbers(tc.col, nil, nil)
			}
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to name %s and say %q", err, path, tc.want)
			}
		})
	}
}

// TestTableMissing: NA and empty cells read as NaN and are reported once per
// column with their count and first place; GeoJSON properties read too.
func TestTableMissing(t *testing.T) {
	tests := []struct {
		name, file, text string
	}{
		{"csv", "t.csv", "id,pop,kind\nb,NA,park\na,2,\nc,,library\n"},
		{"geojson", "t.geojson", `{"type":"FeatureCollection","features":[
			{"type":"Feature","geometry":null,"properties":{"id":"b","pop":null,"kind":"park"}},
			{"type":"Feature","geometry":null,"properties":{"id":"a","pop":2}},
			{"type":"Feature","geometry":null,"properties":{"id":"c","pop":"NA","kind":"library"}}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.file)
			os.WriteFile(path, []byte(tc.text), 0o644)
			tab, err := ReadTable(path, "id")
			if err != nil {
				t.Fatal(err)
			}
			var probs problem.List
			v, err := tab.Numbers("pop", []string{"a", "b", "c"}, &probs)
			if err != nil {
				t.Fatal(err)
			}
			if v[0] != 2 || v[1] == v[1] || v[2] == v[2] {
				t.Errorf("pop = %v, want 2 NaN NaN", v)
			}
			items := probs.Items()
			if len(items) != 1 || items[0].Field != "pop" || items[0].Feature != "b" || !strings.Contains(items[0].Message, "2 of 3 values are missing") {
				t.Errorf("problems = %v", items)
			}
			kinds, _ := tab.Strings("kind", nil)
			if strings.Join(kinds, "|") != "park||library" {
				t.Errorf("kinds = %q", kinds)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		origins []string
		pairs   []Pair
		want    string
	}{
		{"duplicate pair", []string{"a"}, []Pair{{0, 0, 1}, {0, 0, 2}}, `matrix pair 2: from "a" to "x" repeats pair 1`},
		{"negative", []string{"a"}, []Pair{{0, 0, -2}}, `matrix pair 1 (from "a" to "x"): travel cost -2 is negative`},
		{"index", []string{"a"}, []Pair{{1, 0, 2}}, "origin index 1 is outside the 1 origins"},
		{"duplicate id", []string{"a", "a"}, nil, `origin id "a" appears twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.origins, []string{"x"}, tc.pairs, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// FuzzParseMatrix: the reader never panics, and whatever it accepts is a
// valid matrix: rows sorted by cost, costs finite and >= 0, one pair per line.
func FuzzParseMatrix(f *testing.F) {
	f.Add("\"from_id\",\"to_id\",\"travel_time\"\n\"89a88cdb57bffff\",\"89a88cdb57bffff\",5.8\n\"89a88cdb57bffff\",\"89a88cdb597ffff\",47\n\"89a88cdb57bffff\",\"89a88cdb5b3ffff\",48\n")
	f.Add("from_id,to_id,travel_time\na,b,1\nb,a,2\na,a,0\n")
	f.Add("from_id,to_id,travel_time\na,b,1\na,b,2\n")
	f.Add("from_id,to_id,travel_time,x\n\"a\"\"q\",b,1e3,y\n")
	f.Fuzz(func(t *testing.T, text string) {
		if testing.Short() {
			t.Skip("fuzzing is skipped under -short")
		}
		m, err := ParseMatrix(strings.NewReader(text), "fuzz.csv", MatrixOptions{}, nil)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.csv") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		for i := range m.Origins {
			ds, cs := m.Row(i)
			for k := range ds {
				if !(cs[k] >= 0) || cs[k] > 1e308 || (k > 0 && cs[k] < cs[k-1]) {
					t.Fatalf("row %d costs %v not sorted, finite, >= 0", i, cs)
				}
				if int(ds[k]) >= len(m.Dests) {
					t.Fatalf("destination index %d out of range", ds[k])
				}
			}
		}
		if lines := strings.Count(strings.TrimRight(text, "\r\n"), "\n"); m.Len() > lines {
			t.Fatalf("%d pairs from %d data lines", m.Len(), lines)
		}
	})
}
