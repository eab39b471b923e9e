package place

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/problem"
)

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadFacilities(t *testing.T) {
	csvPath := writeFile(t, "libs.csv", "\ufeffid,name,lat,lon,extra\nL1,Dover Public Library,39.1582,-75.5244,x\nL2,\"Smith, Memorial\",38.7,-75.4,\n")
	got, err := ReadFacilities(FacilityList{Path: csvPath, Category: "library"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Name != "Smith, Memorial" || got[0].Point != (orb.Point{-75.5244, 39.1582}) || got[0].Tags["list_id"] != "L1" || got[0].OSMID != 2 {
		t.Errorf("CSV read %+v", got)
	}
	gj := writeFile(t, "libs.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-75.5,39.1]},"properties":{"name":"A","id":7}}]}`)
	got, err = ReadFacilities(FacilityList{Path: gj, Category: "library"})
	if err != nil || len(got) != 1 || got[0].Name != "A" || got[0].Tags["list_id"] != "7" {
		t.Errorf("GeoJSON read %+v %v", got, err)
	}

	bad := []struct {
		name, file, text string
		errHas           []string
	}{
		{"latitude out of range", "a.csv", "name,lat,lon\nX,139.1,-75.5\n", []string{"a.csv:2", "139.1"}},
		{"not a number", "b.csv", "name,lat,lon\nX,39.1,-75.5\nY,north,-75\n", []string{"b.csv:3", "north"}},
		{"missing column", "c.csv", "name,latitude,lon\nX,39.1,-75.5\n", []string{"c.csv", `no column "lat"`, "latitude"}},
		{"polygon in a list", "d.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{}}]}`, []string{"d.geojson", "feature 1", "Polygon"}},
		{"unknown type", "e.xlsx", "", []string{"e.xlsx", "unknown file type"}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadFacilities(FacilityList{Path: writeFile(t, tc.file, tc.text), Category: "library"})
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tc.errHas {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestMerge(t *testing.T) {
	cats := DefaultCategories()
	osm := []Place{
		{Source: "osm", OSMType: "node", OSMID: 1, Name: "Dover Public Library", Category: "library", Point: orb.Point{-75.5244, 39.1582}},
		{Source: "osm", OSMType: "way", OSMID: 2, Name: "", Category: "library", Point: orb.Point{-75.60, 39.70}},
		{Source: "osm", OSMType: "node", OSMID: 3, Name: "Brandywine Park", Category: "public_space", Point: orb.Point{-75.56, 39.75}},
	}
	// 0.0009° of latitude is about 100 m; 0.0003° about 33 m.
	list := []Place{
		{Source: "list:l.csv", OSMType: "facility", OSMID: 2, Name: "Dover Library", Category: "library", Point: orb.Point{-75.5244, 39.1591}},       // ~100 m, same name: duplicate
		{Source: "list:l.csv", OSMType: "facility", OSMID: 3, Name: "Hockessin Library", Category: "library", Point: orb.Point{-75.60, 39.7003}},     // ~33 m: duplicate, names the unnamed way
		{Source: "list:l.csv", OSMType: "facility", OSMID: 4, Name: "Kent County Library", Category: "library", Point: orb.Point{-75.5244, 39.1600}}, // ~200 m, other name: new
		{Source: "list:l.csv", OSMType: "facility", OSMID: 5, Name: "Far Library", Category: "library", Point: orb.Point{-75.40, 38.60}},             // new
	}
	var probs problem.List
	got, rep := Merge(osm, list, FacilityList{Path: "l.csv", Category: "library"}, cats, &probs)
	if rep.Added != 2 || rep.Duplicates != 2 || len(got) != 5 || probs.Len() != 2 {
		t.Fatalf("report %+v, %d places, %d problems", rep, len(got), probs.Len())
	}
	names := map[string]bool{}
	for i, p := range got {
		names[p.Name] = true
		if int(p.ID) != i {
			t.Errorf("place %d has ID %d", i, p.ID)
		}
	}
	for _, want := range []string{"Dover Public Library", "Hockessin Library", "Kent County Library", "Far Library", "Brandywine Park"} {
		if !names[want] {
			t.Errorf("merged places lack %q: %v", want, names)
		}
	}
	// Replace: the list's libraries only, the park untouched.
	got, rep = Merge(osm, list, FacilityList{Path: "l.csv", Category: "library", Replace: true}, cats, nil)
	if rep.Replaced != 2 || rep.Added != 4 || len(got) != 5 {
		t.Errorf("replace: report %+v, %d places", rep, len(got))
	}
}

func TestSameName(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Dover Public Library", "Dover Library", true},
		{"St. Paul's Church", "Saint Paul's", true},
		{"Kent County Library", "Dover Library", false},
		{"Library", "Public Library", false}, // nothing significant left to compare
	}
	for _, tc := range tests {
		if got := sameName(tc.a, tc.b); got != tc.want {
			t.Errorf("sameName(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
