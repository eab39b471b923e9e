package siting

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
	"commonground/internal/network"
	"commonground/internal/population"
	"commonground/internal/street"
	"commonground/internal/testdata"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadCSV(t *testing.T) {
	// A byte-order mark, CRLF line ends and a spaced header, as spreadsheets
	// write them.
	body := "\ufeffid, Lat ,LONGITUDE,cost,name\r\n" +
		"a,39.1,-75.5,100,Hall A\r\n" + // line 2: kept
		"b,abc,-75.5,,\r\n" + // 3: latitude not a number
		"c,-95.5,39.1,,\r\n" + // 4: swapped
		"d,39.1,-75.5,cheap,\r\n" + // 5: cost not a number
		"a,39.2,-75.4,,\r\n" + // 6: repeats line 2
		",39.2,-75.4,,\r\n" + // 7: no id
		"e,39.3,-75.3\r\n" + // 8: too few fields
		"f,39.4,-75.2,\"1,500\",Big hall\r\n" + // 9: kept, cost 1500
		"g,39.4,-75.2,-5,\r\n" + // 10: negative cost
		"h,39.4,-181,,\r\n" + // 11: longitude out of range
		"\r\n"
	path := writeFile(t, "sites.csv", body)
	got, probs, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Candidate{
		{ID: "a", Name: "Hall A", Kind: "listed", Point: orb.Point{-75.5, 39.1}, Cost: 100, File: path, Row: 2},
		{ID: "f", Name: "Big hall", Kind: "listed", Point: orb.Point{-75.2, 39.4}, Cost: 1500, File: path, Row: 9},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("candidates\n%+v\nwant\n%+v", got, want)
	}
	wantProbs := []string{
		`skipped: ` + path + `:3: feature b: field "lat" = "abc": latitude "abc" is not a number`,
		`skipped: ` + path + `:4: feature c: field "lat" = "-95.5": latitude -95.5 is outside -90..90 (are latitude and longitude swapped?)`,
		`skipped: ` + path + `:5: feature d: field "cost" = "cheap": cost "cheap" is not a number`,
		`skipped: ` + path + `:6: feature a: field "id" = "a": the id repeats line 2; the first is kept`,
		`skipped: ` + path + `:7: field "id": the id is empty`,
		`skipped: ` + path + `:8: feature e: the row has 3 fields, the header 5`,
		`skipped: ` + path + `:10: feature g: field "cost" = "-5": cost -5 is negative`,
		`skipped: ` + path + `:11: feature h: field "lon" = "-181": longitude -181 is outside -180..180`,
	}
	var gotProbs []string
	for _, p := range probs.Items() {
		gotProbs = append(gotProbs, p.String())
	}
	if strings.Join(gotProbs, "\n") != strings.Join(wantProbs, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(gotProbs, "\n"), strings.Join(wantProbs, "\n"))
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, file, body, want string
	}{
		{"no lon column", "s.csv", "id,lat,cost\na,39,1\n", `line 1: no "lon" column in the header "id,lat,cost"`},
		{"empty file", "s.csv", "", "the file is empty"},
		{"no usable row", "s.csv", "id,lat,lon\na,x,y\n", "no usable candidate row (1 skipped)"},
		{"not GeoJSON", "s.geojson", "{", "not a GeoJSON FeatureCollection"},
		{"unknown extension", "s.txt", "", "must be a .csv or .geojson file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Read(writeFile(t, tc.file, tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	if _, _, err := Read(filepath.Join(t.TempDir(), "missing.csv")); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
}

func TestReadGeoJSON(t *testing.T) {
	body := `{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"id":"hall-1","cost":250000,"name":"Grange hall"},"geometry":{"type":"Point","coordinates":[-75.6,39.2]}},
 {"type":"Feature","id":7,"properties":{"cost":"1200"},"geometry":{"type":"Point","coordinates":[-75.5,39.3]}},
 {"type":"Feature","properties":{"id":"lot"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
 {"type":"Feature","properties":{"name":"no id"},"geometry":{"type":"Point","coordinates":[-75.4,39.3]}},
 {"type":"Feature","properties":{"id":"x","cost":"lots"},"geometry":{"type":"Point","coordinates":[-75.4,39.3]}},
 {"type":"Feature","properties":{"id":"hall-1"},"geometry":{"type":"Point","coordinates":[-75.3,39.3]}},
 {"type":"Feature","properties":{"id":"far"},"geometry":{"type":"Point","coordinates":[39.3,-95.3]}}
]}`
	path := writeFile(t, "sites.geojson", body)
	got, probs, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Candidate{
		{ID: "hall-1", Name: "Grange hall", Kind: "listed", Point: orb.Point{-75.6, 39.2}, Cost: 250000, File: path, Row: 1},
		{ID: "7", Kind: "listed", Point: orb.Point{-75.5, 39.3}, Cost: 1200, File: path, Row: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("candidates\n%+v\nwant\n%+v", got, want)
	}
	wantProbs := []string{
		`skipped: ` + path + `:3: feature feature 3 (id lot): field "geometry": the geometry is a Polygon; a candidate site must be a Point`,
		`skipped: ` + path + `:4: feature feature 4: field "id": the feature has no id (a property "id" or a feature id)`,
		`skipped: ` + path + `:5: feature feature 5 (id x): field "cost" = "lots": cost "lots" is not a number`,
		`skipped: ` + path + `:6: feature feature 6 (id hall-1): field "id" = "hall-1": the id repeats feature 1; the first is kept`,
		`skipped: ` + path + `:7: feature feature 7 (id far): field "lat": latitude -95.3 is outside -90..90 (are latitude and longitude swapped?)`,
	}
	var gotProbs []string
	for _, p := range probs.Items() {
		gotProbs = append(gotProbs, p.String())
	}
	if strings.Join(gotProbs, "\n") != strings.Join(wantProbs, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(gotProbs, "\n"), strings.Join(wantProbs, "\n"))
	}
}

func TestFromOSM(t *testing.T) {
	feats := []Feature{
		{"node", 1, map[string]string{"amenity": "school", "name": "Elm School"}, orb.Point{1, 1}},
		{"way", 2, map[string]string{"amenity": "townhall"}, orb.Point{2, 2}},
		{"way", 3, map[string]string{"amenity": "community_centre", "name": "Grange"}, orb.Point{3, 3}},
		{"node", 4, map[string]string{"amenity": "social_centre"}, orb.Point{4, 4}},
		{"node", 5, map[string]string{"amenity": "library"}, orb.Point{5, 5}},
		{"relation", 6, map[string]string{"amenity": "place_of_worship", "religion": "christian"}, orb.Point{6, 6}},
		{"node", 7, map[string]string{"amenity": "cafe"}, orb.Point{7, 7}},
		{"node", 8, map[string]string{"amenity": "school", "access": "private"}, orb.Point{8, 8}},
		{"node", 9, nil, orb.Point{9, 9}},
	}
	want := []Candidate{
		{ID: "osm:node/1", Name: "Elm School", Kind: "school", Point: orb.Point{1, 1}},
		{ID: "osm:way/2", Kind: "townhall", Point: orb.Point{2, 2}},
		{ID: "osm:way/3", Name: "Grange", Kind: "community_hall", Point: orb.Point{3, 3}},
		{ID: "osm:node/4", Kind: "community_hall", Point: orb.Point{4, 4}},
		{ID: "osm:node/5", Kind: "library", Point: orb.Point{5, 5}},
		{ID: "osm:relation/6", Kind: "place_of_worship", Faith: true, Point: orb.Point{6, 6}},
	}
	if got := FromOSM(feats); !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	stops := FromStops([]Feature{{Type: "node", ID: 10, Tags: map[string]string{"name": "Main St", "highway": "bus_stop"}, Point: orb.Point{1, 2}}})
	if want := []Candidate{{ID: "osm:node/10", Name: "Main St", Kind: "stop", Point: orb.Point{1, 2}}}; !reflect.DeepEqual(stops, want) {
		t.Errorf("stops %+v, want %+v", stops, want)
	}
	cells := FromCells([]population.Cell{{Index: 4, ID: "4", Pop: 0.5, Center: orb.Point{1, 1}}, {Index: 9, ID: "9", Pop: 3, Center: orb.Point{2, 2}}}, 1)
	if want := []Candidate{{ID: "cell:9", Kind: "cell", Point: orb.Point{2, 2}}}; !reflect.DeepEqual(cells, want) {
		t.Errorf("cells %+v, want %+v", cells, want)
	}
}

// TestReachByHand: a straight 1.11 km street along latitude 39.74 with a
// site on its west end. At 4.8 km/h (80 m a minute):
//
//	d0 on the street 0.005° east: 427.5 m           = 5.34 min
//	d1 44 m north of the street 0.0078° east:
//	   667.0 m along + 44.5 m walked to it          = 8.89 min
//	d2 on the east end, 0.013° east: 1,111.5 m      = 13.89 min, over its 10-minute limit
//	d3 no limit (NaN): not searched
//	d4 5 km away, beyond the 2 km snap limit: reaches nothing
func TestReachByHand(t *testing.T) {
	ways := []street.Way{{ID: 1, Tags: street.TagsOf(map[string]string{"highway": "residential"}), Nodes: []int64{1, 2, 3},
		Points: []orb.Point{{-75.55, 39.74}, {-75.545, 39.74}, {-75.537, 39.74}}}}
	g, _, err := network.Build(ways, network.WalkProfile(4.8))
	if err != nil {
		t.Fatal(err)
	}
	site := orb.Point{-75.55, 39.74}
	demands := []orb.Point{{-75.545, 39.74}, {-75.5422, 39.7404}, {-75.537, 39.74}, {-75.545, 39.74}, {-75.5, 39.78}}
	limit := []float64{15, 15, 10, math.NaN(), 60}
	links := Reach(g, []orb.Point{site}, demands, limit, ReachOptions{SnapMax: 2000})
	perMin := 4.8 / 3.6 * 60
	d1snap := orb.Point{-75.5422, 39.74}
	want := []Link{
		{0, 0, float32(geo.Distance(site, demands[0]) / perMin)},
		{0, 1, float32((geo.Distance(site, d1snap) + geo.Distance(d1snap, demands[1])) / perMin)},
	}
	if len(links) != len(want) {
		t.Fatalf("links %+v, want %+v", links, want)
	}
	for i, w := range want {
		l := links[i]
		if l.Candidate != w.Candidate || l.Demand != w.Demand || math.Abs(float64(l.Minutes-w.Minutes)) > 0.01 {
			t.Errorf("link %d: %+v, want %+v", i, l, w)
		}
	}
	if math.Abs(float64(want[0].Minutes)-5.34) > 0.01 || math.Abs(float64(want[1].Minutes)-8.89) > 0.01 {
		t.Errorf("hand arithmetic disagrees: %+v", want)
	}
}

// TestReadRealCSV reads two real files of the shared data folder: Porto
// Alegre's 15 points of interest (id,lat,lon) and its 1,227 H3 cells
// (id,lon,lat and four other columns, which are ignored).
func TestReadRealCSV(t *testing.T) {
	tests := []struct {
		file  string
		n     int
		first Candidate
	}{
		{"porto-alegre/poa_points_of_interest.csv", 15, Candidate{ID: "public_market", Kind: "listed", Point: orb.Point{-51.227811, -30.027565}, Row: 2}},
		{"porto-alegre/poa_hexgrid.csv", 1227, Candidate{ID: "89a901291abffff", Kind: "listed", Point: orb.Point{-51.1582459466033, -30.0538460280879}, Row: 2}},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			path := testdata.Shared(t, tc.file)
			got, probs, err := ReadCSV(path)
			if err != nil {
				t.Fatal(err)
			}
			tc.first.File = path
			if len(got) != tc.n || probs.Len() != 0 || !reflect.DeepEqual(got[0], tc.first) {
				t.Errorf("%d candidates, %d problems, first %+v; want %d, 0, %+v", len(got), probs.Len(), got[0], tc.n, tc.first)
			}
		})
	}
}

// FuzzReadCSV feeds arbitrary bytes to the CSV reader: it must not panic,
// and whatever it returns must be usable (ids unique and non-empty,
// coordinates in range, costs non-negative, rows named).
func FuzzReadCSV(f *testing.F) {
	if testing.Short() {
		f.Skip("fuzzing skipped under -short")
	}
	seed, err := os.ReadFile(testdata.Shared(f, "porto-alegre/poa_points_of_interest.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("id,lat,lon,cost\na,39.1,-75.5,100\nb,x,1,\n\"c,1,2\n"))
	f.Add([]byte("\ufeffLAT;LON;ID\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "f.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, probs, err := ReadCSV(path)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
				t.Fatalf("error not one line naming the file: %q", msg)
			}
			return
		}
		ids := map[string]bool{}
		for _, c := range got {
			if c.ID == "" || ids[c.ID] || math.Abs(c.Point[0]) > 180 || math.Abs(c.Point[1]) > 90 || !(c.Cost >= 0) || c.Row < 2 {
				t.Fatalf("unusable candidate %+v", c)
			}
			ids[c.ID] = true
		}
		for _, p := range probs.Items() {
			if p.Line < 2 || p.File != path {
				t.Fatalf("problem without its row: %v", p)
			}
		}
	})
}

// FuzzReadGeoJSON: the GeoJSON candidate reader never panics, an error is
// one line naming the file, and accepted candidates are usable.
func FuzzReadGeoJSON(f *testing.F) {
	if testing.Short() {
		f.Skip("fuzzing skipped under -short")
	}
	seed, err := os.ReadFile(testdata.Shared(f, "porto-alegre/poa_points_of_interest.csv"))
	if err != nil {
		f.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, line := range strings.Split(strings.TrimSpace(string(seed)), "\n")[1:] {
		c := strings.Split(strings.TrimSpace(line), ",")
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"type":"Feature","properties":{"id":"` + c[0] + `","cost":` + fmt.Sprint(i+1) + `},"geometry":{"type":"Point","coordinates":[` + c[2] + `,` + c[1] + `]}}`)
	}
	b.WriteString(`]}`)
	f.Add([]byte(b.String()))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":7,"properties":{"cost":-1},"geometry":{"type":"Point","coordinates":[1,95]}}]}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "f.geojson")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, _, err := ReadGeoJSON(path)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
				t.Fatalf("error not one line naming the file: %q", msg)
			}
			return
		}
		ids := map[string]bool{}
		for _, c := range got {
			if c.ID == "" || ids[c.ID] || math.Abs(c.Point[0]) > 180 || math.Abs(c.Point[1]) > 90 || !(c.Cost >= 0) || c.Row < 1 {
				t.Fatalf("unusable candidate %+v", c)
			}
			ids[c.ID] = true
		}
	})
}
