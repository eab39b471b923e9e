package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"commonground/internal/output"
	"commonground/internal/testdata"
)

// brokenBase is the small Porto Alegre study the broken cases change: the
// real OSM extract, IPEA's hexagon populations and the 15 landmarks, copied
// into the case's folder so the case can change them.
type brokenBase struct {
	dir, osm string
	hex, poi string // file contents
	extra    string // more config lines
	top      string
	out      string
}

func (b *brokenBase) write(t *testing.T) string {
	t.Helper()
	os.WriteFile(filepath.Join(b.dir, "hex.csv"), []byte(b.hex), 0o644)
	os.WriteFile(filepath.Join(b.dir, "poi.csv"), []byte(b.poi), 0o644)
	cfg := "name: broken case\ninputs:\n  osm: " + b.osm + "\n" +
		"  population: {path: hex.csv, id_field: id, pop_field: population}\n" +
		"  facilities:\n    - {path: poi.csv, category: landmark, mode: replace, name_field: id}\n" +
		"  admin_levels: []\n" +
		"categories:\n  - {name: landmark, label: City landmarks, match: [\"tourism=attraction & commonground=landmark\"]}\n" +
		"ranking: {category: landmark, top: " + b.top + "}\n" + b.extra +
		"output: {dir: " + b.out + "}\n"
	p := filepath.Join(b.dir, "study.yaml")
	os.WriteFile(p, []byte(cfg), 0o644)
	return p
}

// TestBrokenInputs runs one broken case per folder, each a small change to
// the real inputs, and checks the one-line error each must give. Cases of
// small files use a broken OSM extract: their error coming first shows they
// are checked before the OSM read. The earlier report must survive.
func TestBrokenInputs(t *testing.T) {
	read := func(rel string) string {
		b, err := os.ReadFile(testdata.Shared(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	hex, poi := read("porto-alegre/poa_hexgrid.csv"), read("porto-alegre/poa_points_of_interest.csv")
	pbf := testdata.Shared(t, "porto-alegre/poa_osm.pbf")
	hexLines := strings.SplitAfter(hex, "\n")
	tests := []struct {
		name      string
		brokenOSM bool // the case must fail before the OSM read
		change    func(b *brokenBase)
		want      []string
	}{
		{"scenario: text where a number belongs", true, func(b *brokenBase) {
			os.WriteFile(filepath.Join(b.dir, "scenario.yaml"), []byte("name: s\nadd:\n  - {name: hall, category: landmark, lat: north, lon: -51.2}\n"), 0o644)
			b.extra = "scenario: scenario.yaml\n"
		}, []string{"scenario ", "scenario.yaml: line 3: expected a number or list, got the text `north`"}},
		{"scenario: unknown key", true, func(b *brokenBase) {
			os.WriteFile(filepath.Join(b.dir, "scenario.yaml"), []byte("name: s\nadd:\n  - {name: hall, category: landmark, lat: -30.03, lon: -51.2, size: 3}\n"), 0o644)
			b.extra = "scenario: scenario.yaml\n"
		}, []string{"scenario.yaml: line 3: unknown key \"add[0].size\""}},
		{"scenario: unknown category", true, func(b *brokenBase) {
			os.WriteFile(filepath.Join(b.dir, "scenario.yaml"), []byte("name: s\nadd:\n  - {name: hall, category: hall, lat: -30.03, lon: -51.2}\n"), 0o644)
			b.extra = "scenario: scenario.yaml\n"
		}, []string{"scenario.yaml: add[0] (hall): \"hall\" is not a category of the study"}},
		{"config: fraction for a whole number", true, func(b *brokenBase) {
			b.top = "20.5"
		}, []string{"study.yaml: line 10: key ranking.top must be a whole number, got 20.5"}},
		{"facility list: header with a quoted line break", true, func(b *brokenBase) {
			b.poi = "\"id\nname\",lat,lon\n" + strings.SplitN(poi, "\n", 2)[1]
		}, []string{"poi.csv: header: column 1 (\"id\\nname\") holds a line break inside quotes"}},
		{"facility list: not a point", true, func(b *brokenBase) {
			b.poi = strings.Replace(poi, "-30.027565", "north", 1)
		}, []string{"poi.csv:2: coordinates lat \"north\", lon \"-51.227811\" are not a point on Earth"}},
		{"facility list: a 2 MiB line", true, func(b *brokenBase) {
			b.poi = poi + "x," + strings.Repeat("1", 2<<20) + ",1\n"
		}, []string{"poi.csv: after line 16: a line longer than 1 MiB, the most one CSV line may hold"}},
		{"candidate list: no lon column", true, func(b *brokenBase) {
			os.WriteFile(filepath.Join(b.dir, "sites.csv"), []byte("id,lat,long_name\na,-30.03,x\n"), 0o644)
			b.extra = "siting: {category: landmark, k: 1, sources: [cells], files: [sites.csv]}\n"
		}, []string{"sites.csv line 1: no \"lon\" column in the header \"id,lat,long_name\""}},
		{"config: 5 MiB", true, func(b *brokenBase) {
			b.extra = "description: " + strings.Repeat("x", 5<<20) + "\n"
		}, []string{"study.yaml: larger than the 4 MiB a YAML file may hold"}},
		{"points: an id repeated with other values", false, func(b *brokenBase) {
			b.hex = hex + strings.Replace(hexLines[2], ",159,", ",160,", 1)
		}, []string{"hex.csv:1229 (id 89a9012a3cfffff): id repeats line 3 with other values"}},
		{"points: a 300 KiB field", false, func(b *brokenBase) {
			b.hex = hex + "big," + strings.Repeat("1", 300<<10) + ",-30,1,0,0,0\n"
		}, []string{"hex.csv:1229: field 2 is 307200 bytes long, more than the 256 KiB one field may hold (it starts \"1111111111111111111111111111111111111111\"...)"}},
		{"points: a 2 MiB line", false, func(b *brokenBase) {
			b.hex = hex + "big," + strings.Repeat("1", 1<<20) + "," + strings.Repeat("2", 1<<20) + ",1,0,0,0\n"
		}, []string{"hex.csv: after line 1228: a line longer than 1 MiB"}},
		{"points: header with a quoted line break", false, func(b *brokenBase) {
			b.hex = "\"id\n\"" + hex[2:]
		}, []string{"hex.csv: header: column 1 (\"id\\n\") holds a line break inside quotes"}},
		{"output folder: the input folder", true, func(b *brokenBase) {
			b.out = "."
		}, []string{"001 holds the input", "001/study.yaml (the study config): a run replaces the whole folder, so choose another output.dir"}},
		{"output folder: an input's copy named cells.csv", true, func(b *brokenBase) {
			os.WriteFile(filepath.Join(b.dir, "out", "cells.csv"), []byte(b.hex), 0o644)
		}, []string{"001/out: cells.csv is the input", "hex.csv (inputs.population.path; same SHA-256): a run would overwrite it"}},
		{"output folder: a hard link to an input", true, func(b *brokenBase) {
			b.write(t)
			os.Link(filepath.Join(b.dir, "poi.csv"), filepath.Join(b.dir, "out", "summary.csv"))
		}, []string{"001/out: summary.csv is the input", "poi.csv (inputs.facilities[0].path; the same file)"}},
		{"output folder: holds other files", true, func(b *brokenBase) {
			os.WriteFile(filepath.Join(b.dir, "out", "notes.txt"), []byte("mine"), 0o644)
		}, []string{"001/out holds files no earlier run wrote (notes.txt)"}},
		{"output folder: under a file", true, func(b *brokenBase) {
			b.out = "hex.csv/out"
		}, []string{"001/hex.csv/out: cannot create its parent folder"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			b := &brokenBase{dir: dir, osm: pbf, hex: hex, poi: poi, top: "20", out: "out"}
			if tc.brokenOSM {
				b.osm = "not.osm.pbf"
				os.WriteFile(filepath.Join(dir, "not.osm.pbf"), []byte("this is not OpenStreetMap data\n"), 0o644)
			}
			os.MkdirAll(filepath.Join(dir, "out"), 0o755)
			earlier := filepath.Join(dir, "out", "report.html")
			os.WriteFile(earlier, []byte("<html>earlier report</html>"), 0o644)
			tc.change(b)
			cfg := b.write(t)
			code, _, errOut := run("run", "--quiet", cfg)
			line := strings.TrimSpace(errOut)
			t.Logf("%s", line)
			if code != 1 || strings.Count(line, "\n") > 0 || !strings.HasPrefix(line, "error: ") || len(line) > 600 {
				t.Fatalf("exit %d, want 1 and one short line starting with 'error: ', got %.600q", code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(line, w) {
					t.Errorf("error lacks %q", w)
				}
			}
			if got, _ := os.ReadFile(earlier); string(got) != "<html>earlier report</html>" {
				t.Error("the earlier report was changed")
			}
		})
	}
}

// TestRepeatedRowsMerged: a points CSV row and a facility list row each
// given twice are counted once, with a warning in the manifest.
func TestRepeatedRowsMerged(t *testing.T) {
	read := func(rel string) string {
		b, err := os.ReadFile(testdata.Shared(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	hex, poi := read("porto-alegre/poa_hexgrid.csv"), read("porto-alegre/poa_points_of_interest.csv")
	total := func(b *brokenBase) (float64, int) {
		cfg := b.write(t)
		if code, _, e := run("run", "--quiet", cfg); code != 0 {
			t.Fatalf("exit %d: %s", code, e)
		}
		m, err := output.ReadManifest(filepath.Join(b.dir, "out", "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var warn []string
		for _, w := range m.Warnings {
			if strings.Contains(w, "repeats") {
				warn = append(warn, w)
			}
		}
		t.Logf("warnings: %q", warn)
		pop, _ := m.Counts["population"].(float64)
		places, _ := m.Counts["places"].(float64)
		if len(warn) != 0 && len(warn) != 2 {
			t.Errorf("want no or two repeat warnings, got %q", warn)
		}
		return pop + 1e9*float64(len(warn)), int(places)
	}
	dir := t.TempDir()
	base := &brokenBase{dir: dir, osm: testdata.Shared(t, "porto-alegre/poa_osm.pbf"), hex: hex, poi: poi, top: "20", out: "out"}
	pop0, places0 := total(base)
	lines := strings.SplitAfter(hex, "\n")
	dup := &brokenBase{dir: t.TempDir(), osm: base.osm, hex: hex + lines[2], poi: poi + strings.SplitAfter(poi, "\n")[3], top: "20", out: "out"}
	pop1, places1 := total(dup)
	if pop1 != pop0+2e9 || places1 != places0 {
		t.Errorf("with repeated rows: population %v and %d places, want %v (and two warnings) and %d", pop1, places1, pop0+2e9, places0)
	}
}

// TestOutputInsideFeedFolder: a GTFS feed given as a folder cannot hold the
// output folder.
func TestOutputInsideFeedFolder(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed")
	os.MkdirAll(feed, 0o755)
	b := &brokenBase{dir: dir, osm: "not.osm.pbf", hex: "id,lon,lat,population\n", poi: "id,lat,lon\n", top: "20", out: "feed/out",
		extra: "transit: {feeds: [feed], date: \"2019-05-15\", windows: [{name: midday, start: \"13:00\", end: \"15:00\"}]}\n"}
	os.WriteFile(filepath.Join(dir, "not.osm.pbf"), []byte("x"), 0o644)
	code, _, errOut := run("run", "--quiet", b.write(t))
	if want := "001/feed/out lies inside the input folder " + feed + " (transit.feeds[0])"; code != 1 || !strings.Contains(errOut, want) {
		t.Fatalf("exit %d, %q; want %q", code, errOut, want)
	}
}
