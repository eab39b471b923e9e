package gap

import (
	"path/filepath"
	"strings"
	"testing"

	"commonground/internal/testdata"
)

// The nine towns of ../shared/datasets/gtfs-canada and their 2021 index
// (../shared/datasets/README.md).
var gtfsTowns = []struct {
	name, csd string
	ir        float64
	class     string
}{
	{"Whitehorse", "6001009", 0.3907, "remote"},
	{"Rouyn-Noranda", "2486042", 0.3632, "less accessible"},
	{"Medicine Hat", "4801006", 0.3034, "less accessible"},
	{"Saguenay", "2494068", 0.2739, "accessible"},
	{"Brockville", "3507015", 0.2146, "accessible"},
	{"Mont-Tremblant", "2478102", 0.1494, "easily accessible"},
	{"Trois-Rivieres", "2437067", 0.1366, "easily accessible"},
	{"Norfolk County", "3528052", 0.1153, "easily accessible"},
	{"Bradford West Gwillimbury", "3543014", 0.0736, "easily accessible"},
}

func TestOfficialIndexOfRemoteness(t *testing.T) {
	// Counts per Subedi class computed independently (Python csv module
	// over the same files).
	cases := []struct {
		file          string
		rows, noValue int
		perClass      map[string]int
	}{
		{"canada/2021IR_DATABASE.csv", 5161, 49, map[string]int{
			"easily accessible": 643, "accessible": 1082, "less accessible": 1352, "remote": 1473, "very remote": 562}},
		{"canada/Index_of_remoteness_2016.csv", 5162, 37, map[string]int{
			"easily accessible": 775, "accessible": 1100, "less accessible": 1408, "remote": 1231, "very remote": 611}},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			tab, err := ReadOfficial(testdata.Shared(t, c.file), "CSDuid", "Index_of_remoteness")
			if err != nil {
				t.Fatal(err)
			}
			if len(tab.IDs)+len(tab.NoValue) != c.rows || len(tab.NoValue) != c.noValue {
				t.Fatalf("%d with a value, %d without; want %d rows, %d without", len(tab.IDs), len(tab.NoValue), c.rows, c.noValue)
			}
			// Every area of the table, plus one the table lacks.
			ids := append(append([]string{}, tab.IDs...), tab.NoValue...)
			ids = append(ids, "9999999")
			got, err := tab.Join(ids, Subedi{})
			if err != nil {
				t.Fatal(err)
			}
			per := map[string]int{}
			var perClass [NumClasses]int
			for a := range ids {
				if got.Known[a] {
					per[got.Label[a]]++
					perClass[got.Class[a]]++
				}
			}
			for k, n := range c.perClass {
				if per[k] != n {
					t.Errorf("%s: %d, want %d", k, per[k], n)
				}
			}
			p := c.perClass
			want := [NumClasses]int{p["easily accessible"], p["accessible"] + p["less accessible"], p["remote"] + p["very remote"]}
			if perClass != want {
				t.Errorf("urban/rural/remote %v, want %v", perClass, want)
			}
			if len(got.NoRow) != 1 || got.NoRow[0] != "9999999" || len(got.NoValue) != c.noValue || len(got.Unmatched) != 0 {
				t.Errorf("no row %v, no value %d, unmatched %d", got.NoRow, len(got.NoValue), len(got.Unmatched))
			}
			if c.rows != 5161 {
				return
			}
			// The nine GTFS towns land in their Subedi class.
			town := map[string]int{}
			for a, id := range ids {
				town[id] = a
			}
			for _, tw := range gtfsTowns {
				a, ok := town[tw.csd]
				if !ok || !got.Known[a] {
					t.Errorf("%s (%s) missing", tw.name, tw.csd)
					continue
				}
				if got.Label[a] != tw.class || SubediClass(tw.ir) != tw.class {
					t.Errorf("%s: %q, want %q", tw.name, got.Label[a], tw.class)
				}
			}
		})
	}
}

func TestOfficialJoinUnmatched(t *testing.T) {
	tab, err := ReadOfficial(testdata.Shared(t, "canada/2021IR_DATABASE.csv"), "CSDuid", "Index_of_remoteness")
	if err != nil {
		t.Fatal(err)
	}
	// A study of two towns and one id the table lacks.
	got, err := tab.Join([]string{"6001009", "3543014", "10000001"}, Subedi{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Class[0] != Remote || got.Class[1] != Urban || got.Known[2] {
		t.Errorf("classes %v known %v", got.Class, got.Known)
	}
	if len(got.Unmatched) != 5161-2 || len(got.NoRow) != 1 || got.NoRow[0] != "10000001" {
		t.Errorf("%d unmatched, no row %v", len(got.Unmatched), got.NoRow)
	}
}

func TestReadOfficialBadInput(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"short_row.csv", "short_row.csv row 4: 1 fields, the header has 2"},
		{"empty_id.csv", "empty_id.csv row 3: empty id"},
		{"repeated_id.csv", `repeated_id.csv row 4: id "1" repeats row 2`},
		{"no_id_column.csv", `no_id_column.csv: no column "id" (columns: geoid, code)`},
		{"bad_quote.csv", "bad_quote.csv row 3: "},
	} {
		t.Run(c.file, func(t *testing.T) {
			_, err := ReadOfficial(filepath.Join("testdata", "official", c.file), "id", "code")
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want one line containing %q", err, c.want)
			}
		})
	}
	// A code the mapping rejects names the file and id.
	tab, err := ReadOfficial(filepath.Join("testdata", "official", "ruca_99.csv"), "id", "code")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tab.Join([]string{"10001", "10002", "10003"}, RUCA{})
	if err == nil || !strings.Contains(err.Error(), `ruca_99.csv id 10003: RUCA code "99" is not between 1 and 10.6`) {
		t.Errorf("error %v", err)
	}
}

func TestRUCAMapping(t *testing.T) {
	for _, c := range []struct {
		code  string
		class Class
		label string
	}{
		{"1", Urban, "RUCA 1 (metropolitan core)"}, {"3", Urban, "RUCA 3 (metropolitan low commuting)"},
		{"4", Rural, "RUCA 4 (micropolitan core)"}, {"4.1", Urban, "RUCA 4.1 (micropolitan core)"},
		{"6", Rural, "RUCA 6 (micropolitan low commuting)"}, {"9", Rural, "RUCA 9 (small town low commuting)"},
		{"10", Remote, "RUCA 10 (rural)"}, {"10.1", Urban, "RUCA 10.1 (rural)"}, {"10.3", Remote, "RUCA 10.3 (rural)"},
		{"7.2", Rural, "RUCA 7.2 (small town core)"},
	} {
		cl, label, err := RUCA{}.Map(c.code)
		if err != nil || cl != c.class || label != c.label {
			t.Errorf("%s: %v %q %v, want %v %q", c.code, cl, label, err, c.class, c.label)
		}
	}
	for _, bad := range []string{"0", "11", "99", "x"} {
		if _, _, err := (RUCA{}).Map(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	m := CodeMap{"A": "urban", "B": "remote", "C": "suburban"}
	if cl, _, err := m.Map("B"); err != nil || cl != Remote {
		t.Errorf("B: %v %v", cl, err)
	}
	if _, _, err := m.Map("D"); err == nil || err.Error() != `code "D" is not in the mapping (codes: A, B, C)` {
		t.Errorf("D: %v", err)
	}
	if _, _, err := m.Map("C"); err == nil {
		t.Error("suburban accepted")
	}
}
