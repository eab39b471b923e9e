package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"commonground/internal/testdata"
)

// swapGeoJSON exchanges longitude and latitude in every coordinate pair of
// a GeoJSON FeatureCollection.
func swapGeoJSON(t *testing.T, raw []byte) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		arr, ok := v.([]any)
		if !ok {
			return
		}
		if len(arr) == 2 {
			if x, ok := arr[0].(float64); ok {
				arr[0], arr[1] = arr[1], x
				return
			}
		}
		for _, e := range arr {
			walk(e)
		}
	}
	for _, f := range doc["features"].([]any) {
		walk(f.(map[string]any)["geometry"].(map[string]any)["coordinates"])
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWrongButParseableInput: input that parses but is wrong (the wrong
// region, swapped coordinates, impossible counts, a boundary or class table
// that matches nothing) stops the run before the analysis with one line
// naming the file or key and what probably happened, and leaves the output
// folder as it was.
func TestWrongButParseableInput(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the Delaware extract")
	}
	pbf := testdata.DelawarePBF(t)
	poa := testdata.Shared(t, "porto-alegre/poa_osm.pbf")
	tracts, err := os.ReadFile(testdata.Shared(t, "delaware/de_tract_2010.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	hexes, err := os.ReadFile(testdata.Shared(t, "porto-alegre/poa_hexgrid.csv"))
	if err != nil {
		t.Fatal(err)
	}
	tractsYAML := "  population: {path: tracts.geojson, id_field: GEOID, pop_field: pop}\n"
	withTracts := func(dir string, geo []byte) {
		os.WriteFile(filepath.Join(dir, "tracts.geojson"), geo, 0o644)
	}
	tests := []struct {
		name   string
		setup  func(dir string) string
		errHas []string
	}{
		{"tracts with lat and lon swapped", func(dir string) string {
			withTracts(dir, swapGeoJSON(t, tracts))
			return writeStudy(t, dir, pbf, tractsYAML)
		}, []string{"tracts.geojson", "swapped"}},
		{"tracts with lat and lon swapped, within a study area", func(dir string) string {
			withTracts(dir, swapGeoJSON(t, tracts))
			p := writeStudy(t, dir, pbf, tractsYAML)
			appendYAML(t, p, "study_area: {osm_name: Delaware, admin_level: \"4\"}\n")
			return p
		}, []string{"tracts.geojson", "study area Delaware", "swapped"}},
		{"points with the lon,lat header swapped", func(dir string) string {
			swapped := bytes.Replace(hexes, []byte("id,lon,lat,"), []byte("id,lat,lon,"), 1)
			os.WriteFile(filepath.Join(dir, "hex.csv"), swapped, 0o644)
			return writeStudy(t, dir, poa, "  population: {path: hex.csv, id_field: id, pop_field: population}\n  admin_levels: []\n")
		}, []string{"hex.csv", "swapped"}},
		{"Delaware tracts on the Porto Alegre extract", func(dir string) string {
			withTracts(dir, tracts)
			return writeStudy(t, dir, poa, tractsYAML+"  admin_levels: []\n")
		}, []string{"tracts.geojson", "same region", "poa_osm.pbf"}},
		{"a tract of a billion people", func(dir string) string {
			withTracts(dir, bytes.Replace(tracts, []byte(`"pop": 7085.0`), []byte(`"pop": 1000000000`), 1))
			return writeStudy(t, dir, pbf, tractsYAML)
		}, []string{"tracts.geojson", "10001042800", "max_density_per_km2"}},
		{"1e300 people", func(dir string) string {
			withTracts(dir, bytes.Replace(tracts, []byte(`"pop": 7085.0`), []byte(`"pop": 1e300`), 1))
			return writeStudy(t, dir, pbf, tractsYAML)
		}, []string{"tracts.geojson", "more than live on Earth"}},
		{"facility at 0,0", func(dir string) string {
			os.WriteFile(filepath.Join(dir, "libs.csv"), []byte("name,lat,lon\nMain branch,39.74,-75.55\nNull Island,0,0\n"), 0o644)
			return writeStudy(t, dir, pbf, "  estimate: {total: 1000}\n  facilities: [{path: libs.csv, category: library, mode: add}]\n")
		}, []string{"libs.csv:3", "Null Island", "outside"}},
		{"scenario site in New Zealand", func(dir string) string {
			os.WriteFile(filepath.Join(dir, "scenario.yaml"), []byte("name: s\nadd:\n  - {name: Hall, category: community, lat: -41.29, lon: 174.78}\n"), 0o644)
			p := writeStudy(t, dir, pbf, "  estimate: {total: 1000}\n")
			appendYAML(t, p, "study_area: {osm_name: Delaware, admin_level: \"4\"}\nscenario: scenario.yaml\n")
			return p
		}, []string{"scenario.yaml", "add[0] (Hall)", "outside the study area Delaware"}},
		{"boundary name matches nothing", func(dir string) string {
			p := writeStudy(t, dir, pbf, "  estimate: {total: 1000}\n")
			appendYAML(t, p, "study_area: {osm_name: Atlantis, admin_level: \"4\"}\n")
			return p
		}, []string{"Atlantis", "admin_level=4", "Delaware"}},
		{"boundary file without a polygon", func(dir string) string {
			os.WriteFile(filepath.Join(dir, "edge.geojson"), []byte(`{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-75.5,39.1]}}`), 0o644)
			p := writeStudy(t, dir, pbf, "  estimate: {total: 1000}\n")
			appendYAML(t, p, "study_area: {path: edge.geojson}\n")
			return p
		}, []string{"edge.geojson", "no Polygon"}},
		{"centres list with a bad row", func(dir string) string {
			os.WriteFile(filepath.Join(dir, "centres.csv"), []byte("name,lat,lon,population\nSalisbury,38.36,-75.60,98081\nDover,39.16,-75.52,many\n"), 0o644)
			p := writeStudy(t, dir, pbf, "  estimate: {total: 1000}\n")
			appendYAML(t, p, "classes: {centres: centres.csv}\n")
			return p
		}, []string{"centres.csv:3", "many"}},
		{"unknown classification scheme", func(dir string) string {
			p := writeStudy(t, dir, pbf, "  estimate: {total: 1000}\n")
			appendYAML(t, p, "classes: {remote: aria}\n")
			return p
		}, []string{"classes.remote", `"aria"`, "usda-far"}},
		{"official table matching no tract", func(dir string) string {
			withTracts(dir, tracts)
			os.WriteFile(filepath.Join(dir, "ruca.csv"), []byte("tract,ruca\n53033000100,1\n53033000200,10\n"), 0o644)
			p := writeStudy(t, dir, pbf, tractsYAML)
			appendYAML(t, p, "classes: {official: {path: ruca.csv, id_field: tract, code_field: ruca, mapping: ruca}}\n")
			return p
		}, []string{"ruca.csv", "no id of the table matches"}},
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
			t.Log(line)
			if strings.Count(line, "\n") > 0 || !strings.HasPrefix(line, "error: ") {
				t.Errorf("want one line starting with 'error: ', got %q", errOut)
			}
			for _, w := range tc.errHas {
				if !strings.Contains(errOut, w) {
					t.Errorf("error %q lacks %q", line, w)
				}
			}
			if b, _ := os.ReadFile(earlier); string(b) != "<html>earlier report</html>" {
				t.Error("the earlier report was changed")
			}
		})
	}
}

func appendYAML(t *testing.T, path, text string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, text...), 0o644); err != nil {
		t.Fatal(err)
	}
}
