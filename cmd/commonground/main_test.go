package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"commonground/internal/testdata"
)

// writeStudy writes a config into dir that reads the given OSM and population
// files and writes into dir/out.
func writeStudy(t *testing.T, dir, osmPath, popYAML string) string {
	t.Helper()
	text := "name: test\ninputs:\n  osm: " + osmPath + "\n" + popYAML + "output:\n  dir: out\n"
	p := filepath.Join(dir, "study.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = Main(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"no args", nil, 2, "", "Usage:"},
		{"help", []string{"help"}, 0, "commonground run", ""},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"run without config", []string{"run"}, 2, "", "exactly one config file"},
		{"run help", []string{"run", "--help"}, 0, "", "manifest.json"},
		{"version", []string{"version"}, 0, "commonground 0.", ""},
		{"missing config", []string{"run", "no/such/study.yaml"}, 1, "", "error: read config"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			if !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.err) {
				t.Errorf("stdout %q / stderr %q lack %q / %q", out, errOut, tc.out, tc.err)
			}
		})
	}
}

// TestBadInputKeepsEarlierReport: each bad input fails with one line naming
// the file and what is wrong, and the report already in the output folder
// stays as it was.
func TestBadInputKeepsEarlierReport(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the Delaware extract")
	}
	pbf := testdata.DelawarePBF(t)
	tracts := testdata.Shared(t, "delaware/de_tract_2010.geojson")
	full, err := os.ReadFile(pbf)
	if err != nil {
		t.Fatal(err)
	}
	geo, err := os.ReadFile(tracts)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		setup  func(dir string) string // returns the config path
		errHas []string
	}{
		{"truncated pbf", func(dir string) string {
			os.WriteFile(filepath.Join(dir, "cut.osm.pbf"), full[:len(full)/2], 0o644)
			return writeStudy(t, dir, "cut.osm.pbf", "  estimate: {total: 1000}\n")
		}, []string{"cut.osm.pbf"}},
		{"not a pbf", func(dir string) string {
			os.WriteFile(filepath.Join(dir, "text.osm.pbf"), []byte("this is not OpenStreetMap data\n"), 0o644)
			return writeStudy(t, dir, "text.osm.pbf", "  estimate: {total: 1000}\n")
		}, []string{"text.osm.pbf"}},
		{"population field missing", func(dir string) string {
			os.WriteFile(filepath.Join(dir, "tracts.geojson"), geo, 0o644)
			return writeStudy(t, dir, pbf, "  population: {path: tracts.geojson, pop_field: persons}\n")
		}, []string{"tracts.geojson", "persons"}},
		{"negative population", func(dir string) string {
			bad := bytes.Replace(geo, []byte(`"pop": 7085.0`), []byte(`"pop": -7085.0`), 1)
			os.WriteFile(filepath.Join(dir, "tracts.geojson"), bad, 0o644)
			return writeStudy(t, dir, pbf, "  population: {path: tracts.geojson, id_field: GEOID, pop_field: pop}\n")
		}, []string{"tracts.geojson", "10001042800", "negative"}},
		{"non-numeric population", func(dir string) string {
			bad := bytes.Replace(geo, []byte(`"pop": 7085.0`), []byte(`"pop": "many"`), 1)
			os.WriteFile(filepath.Join(dir, "tracts.geojson"), bad, 0o644)
			return writeStudy(t, dir, pbf, "  population: {path: tracts.geojson, id_field: GEOID, pop_field: pop}\n")
		}, []string{"tracts.geojson", "10001042800", "many"}},
		{"config typo", func(dir string) string {
			p := writeStudy(t, dir, pbf, "  estimate: {total: 1000}\n")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.Replace(b, []byte("output:"), []byte("outptu:"), 1), 0o644)
			return p
		}, []string{"study.yaml", `unknown key "outptu"`, `did you mean "output"`}},
		{"study area empty", func(dir string) string {
			// A population layer with no polygons leaves no one to study.
			os.WriteFile(filepath.Join(dir, "empty.geojson"), []byte(`{"type":"FeatureCollection","features":[]}`), 0o644)
			return writeStudy(t, dir, pbf, "  population: {path: empty.geojson, pop_field: pop}\n")
		}, []string{"empty.geojson"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := tc.setup(dir)
			out := filepath.Join(dir, "out")
			os.MkdirAll(out, 0o755)
			earlier := filepath.Join(out, "report.html")
			os.WriteFile(earlier, []byte("<html>earlier report</html>"), 0o644)
			code, _, errOut := run("run", "--quiet", cfg)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			line := strings.TrimSpace(errOut)
			if strings.Count(line, "\n") > 0 || !strings.HasPrefix(line, "error: ") {
				t.Errorf("want one line starting with 'error: ', got %q", errOut)
			}
			for _, w := range tc.errHas {
				if !strings.Contains(errOut, w) {
					t.Errorf("error %q lacks %q", line, w)
				}
			}
			b, _ := os.ReadFile(earlier)
			if string(b) != "<html>earlier report</html>" {
				t.Error("the earlier report was changed")
			}
			entries, _ := os.ReadDir(out)
			if len(entries) != 1 {
				t.Errorf("output folder holds %d files, want only the earlier report", len(entries))
			}
		})
	}
}

// TestTwoRunsIdentical runs the bundled example twice and compares every
// output byte for byte (timings.json aside, which records clock time).
func TestTwoRunsIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Delaware example twice")
	}
	cfg := filepath.Join(testdata.RepoRoot(), "datasets", "delaware", "study.yaml")
	dirs := []string{t.TempDir(), t.TempDir()}
	for _, d := range dirs {
		code, out, errOut := run("run", "--quiet", "--out", d, cfg)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if out != "" || errOut != "" {
			t.Errorf("--quiet printed %q %q", out, errOut)
		}
	}
	names := []string{"report.html", "cells.csv", "areas.csv", "places.geojson", "manifest.json"}
	for _, n := range names {
		a, err := os.ReadFile(filepath.Join(dirs[0], n))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dirs[1], n))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", n)
		}
		if len(a) == 0 {
			t.Errorf("%s is empty", n)
		}
	}
	m, _ := os.ReadFile(filepath.Join(dirs[0], "manifest.json"))
	for _, want := range []string{`"sha256"`, `"population_estimated": true`, "delaware-latest.osm.pbf", `"osm_date": "2016-08-10`} {
		if !bytes.Contains(m, []byte(want)) {
			t.Errorf("manifest lacks %s", want)
		}
	}
	if _, err := os.Stat(filepath.Join(dirs[0], "timings.json")); err != nil {
		t.Error("timings.json missing")
	}
}

func TestThousands(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {897934, "897,934"}, {1234567.6, "1,234,568"}, {-4500, "-4,500"}}
	for _, tc := range tests {
		if got := thousands(tc.v); got != tc.want {
			t.Errorf("thousands(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
