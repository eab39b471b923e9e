package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// base is a valid config; each bad case changes one thing in it.
const base = `name: Test study
inputs:
  osm: data.osm.pbf
  population:
    path: tracts.geojson
    id_field: GEOID
    pop_field: pop
grid:
  cell_size: 250
output:
  dir: out
`

func writeStudy(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"data.osm.pbf", "tracts.geojson"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "study.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadValid(t *testing.T) {
	s, err := Load(writeStudy(t, base))
	if err != nil {
		t.Fatal(err)
	}
	if s.Grid.CellSize != 250 || s.Travel.WalkKmh != 4.8 || s.Thresholds.Urban.Minutes != 15 || s.Thresholds.Rural.Mode != "drive" {
		t.Errorf("defaults not applied: %+v", s)
	}
	if len(s.Categories) == 0 {
		t.Error("default categories missing")
	}
	faith := 0
	for _, c := range s.Categories {
		if c.Faith {
			faith++
		}
	}
	if faith != 1 {
		t.Errorf("want exactly one faith category by default, got %d", faith)
	}
	p, _ := s.Resolve("tracts.geojson")
	if filepath.Dir(p) != filepath.Dir(s.Path) {
		t.Errorf("relative input resolved to %s, want beside the config", p)
	}
	if s.Estimated() {
		t.Error("a census layer is configured, so the population is not an estimate")
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(string) string
		errHas []string
	}{
		{"unknown top-level key", func(s string) string { return s + "colour: blue\n" },
			[]string{"study.yaml", "line 12", `unknown key "colour"`}},
		{"typo in nested key suggests the right one", func(s string) string { return strings.Replace(s, "pop_field", "popfield", 1) },
			[]string{"line 7", `unknown key "inputs.population.popfield"`, `did you mean "inputs.population.pop_field"`}},
		{"missing OSM file", func(s string) string { return strings.Replace(s, "data.osm.pbf", "nowhere.osm.pbf", 1) },
			[]string{"key inputs.osm", "nowhere.osm.pbf does not exist"}},
		{"cell size out of range", func(s string) string { return strings.Replace(s, "cell_size: 250", "cell_size: 5", 1) },
			[]string{"key grid.cell_size", "between 50 and 5000", "got 5"}},
		{"cell size not a number", func(s string) string { return strings.Replace(s, "cell_size: 250", "cell_size: big", 1) },
			[]string{"line 9", "big"}},
		{"no population and no estimate", func(s string) string {
			return strings.Replace(s, "  population:\n    path: tracts.geojson\n    id_field: GEOID\n    pop_field: pop\n", "", 1)
		}, []string{"key inputs.population", "inputs.estimate.total"}},
		{"bad threshold mode", func(s string) string { return s + "thresholds:\n  rural: {mode: bus, minutes: 20}\n" },
			[]string{"key thresholds.rural.mode", `"bus"`}},
		{"ranking by an unknown category", func(s string) string { return s + "ranking:\n  category: pubs\n" },
			[]string{"key ranking.category", `"pubs"`, "secular"}},
		{"missing name", func(s string) string { return strings.Replace(s, "name: Test study", "name: ''", 1) },
			[]string{"key name", "missing"}},
		{"bad category rule", func(s string) string {
			return s + "categories:\n  - name: library\n    label: Libraries\n    match: [\"amenity\"]\n"
		}, []string{"categories[0]", "amenity"}},
		{"reserved category name", func(s string) string {
			return s + "categories:\n  - name: any\n    label: Any\n    match: [\"amenity=library\"]\n"
		}, []string{"categories[0].name", "reserved"}},
		{"not YAML", func(s string) string { return "name: [unclosed\n" }, []string{"study.yaml", "line"}},
		{"empty file", func(s string) string { return "" }, []string{"study.yaml", "empty"}},
		{"removed snap_slack key", func(s string) string { return s + "travel: {snap_max: 2000, snap_slack: 100}\n" },
			[]string{"study.yaml", "key travel.snap_slack", "no longer used", "delete the key"}},
		{"version-less module reference", func(s string) string {
			return strings.Replace(s, "data.osm.pbf", "gomod:github.com/paulmach/osm/testdata/delaware-latest.osm.pbf", 1)
		}, []string{"key inputs.osm", "exact version"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeStudy(t, tc.edit(base)))
			if err == nil {
				t.Fatal("want an error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines: %q", msg)
			}
			for _, want := range tc.errHas {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
		})
	}
}

func TestExampleConfigsLoad(t *testing.T) {
	for _, f := range []string{"study.yaml", "tracts.yaml"} {
		t.Run(f, func(t *testing.T) {
			s, err := Load(filepath.Join("..", "..", "datasets", "delaware", f))
			if err != nil {
				t.Fatal(err)
			}
			if f == "study.yaml" && (!s.Estimated() || s.Inputs.Estimate.Total != 897934) {
				t.Errorf("bundled example should estimate 897,934 people, got %+v", s.Inputs)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{{"", "abc", 3}, {"kitten", "sitting", 3}, {"pop_field", "popfield", 1}, {"same", "same", 0}}
	for _, tc := range tests {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestCombinations(t *testing.T) {
	ok := base + "combinations:\n  - {name: indoor, label: Indoor places, categories: [library, community]}\nranking:\n  category: indoor\n"
	s, err := Load(writeStudy(t, ok))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Combinations) != 1 || s.Ranking.Category != "indoor" {
		t.Errorf("combinations %+v, ranking %q", s.Combinations, s.Ranking.Category)
	}
	for name, text := range map[string]string{
		"unknown member":      "combinations:\n  - {name: x, categories: [library, pubs]}\n",
		"clashes with a kind": "combinations:\n  - {name: library, categories: [library]}\n",
		"empty":               "combinations:\n  - {name: x, categories: []}\n",
	} {
		if _, err := Load(writeStudy(t, base+text)); err == nil || !strings.Contains(err.Error(), "combinations[0]") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// TestTransitDefaults: keys left out of the transit section take their
// documented defaults; zero, when written, is kept (max_transfers: 0 means
// direct trips only, not "unset").
func TestTransitDefaults(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.zip")
	if err := os.WriteFile(feed, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	section := "transit:\n  feeds: [" + feed + "]\n  date: \"2019-05-15\"\n  windows: [{name: midday, start: \"13:00\", end: \"15:00\"}]\n"
	cases := []struct {
		name                    string
		extra                   string
		transfers, slack, draws int
		strict                  bool
	}{
		{"omitted", "", 2, 60, 5, false},
		{"zero written", "  max_transfers: 0\n  board_slack_seconds: 0\n", 0, 0, 5, false},
		{"set", "  max_transfers: 3\n  board_slack_seconds: 90\n  monte_carlo_draws: 10\n  strict_dates: true\n", 3, 90, 10, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Load(writeStudy(t, base+section+c.extra))
			if err != nil {
				t.Fatal(err)
			}
			tr := s.Transit
			if tr.MaxTransfers != c.transfers || tr.BoardSlackSeconds != c.slack || tr.MonteCarloDraws != c.draws || tr.StrictDates != c.strict || tr.Seed != 1 {
				t.Errorf("got max_transfers %d, board_slack_seconds %d, monte_carlo_draws %d, strict_dates %v, seed %d; want %d, %d, %d, %v, 1",
					tr.MaxTransfers, tr.BoardSlackSeconds, tr.MonteCarloDraws, tr.StrictDates, tr.Seed, c.transfers, c.slack, c.draws, c.strict)
			}
		})
	}
	if _, err := Load(writeStudy(t, base+section+"  board_slack_seconds: -5\n")); err == nil || !strings.Contains(err.Error(), "transit.board_slack_seconds") {
		t.Errorf("negative slack: err %v, want one naming transit.board_slack_seconds", err)
	}
}

// TestDriveAccess: drive_access takes 15 and 5 minutes by default, and a
// misspelt key inside it names the key.
func TestDriveAccess(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.zip")
	if err := os.WriteFile(feed, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	section := "transit:\n  feeds: [" + feed + "]\n  date: \"2019-05-15\"\n  windows: [{name: midday, start: \"13:00\", end: \"15:00\"}]\n"
	s, err := Load(writeStudy(t, base+section+"  drive_access: {route_types: [2]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d := s.Transit.DriveAccess; d == nil || d.MaxMinutes != 15 || d.ParkMinutes != 5 || len(d.RouteTypes) != 1 || d.RouteTypes[0] != 2 {
		t.Errorf("drive_access %+v", s.Transit.DriveAccess)
	}
	if _, err := Load(writeStudy(t, base+section+"  drive_access: {max_minute: 10}\n")); err == nil || !strings.Contains(err.Error(), "max_minute") {
		t.Errorf("misspelt key: err %v", err)
	}
}
