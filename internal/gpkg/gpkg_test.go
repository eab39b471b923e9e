package gpkg

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// site is one feature of the points fixture.
type site struct {
	pt     orb.Point
	id     int64
	name   any // string or nil
	people any // float64 or nil
}

var sites = []site{
	{orb.Point{-75.546875, 39.7390617}, 1, "Wilmington \"Library\"", 1234.5},
	{orb.Point{-75.52484, 39.158168}, 2, "Dover, Kent County", 0.125},
	{orb.Point{-75.09375, 38.5}, 3, nil, nil},
}

// The polygon fixture: a square with a square hole, and a two-part
// multipolygon; the first is added as a Polygon and promoted.
var (
	holed = orb.Polygon{
		{{-75.75, 39.5}, {-75.25, 39.5}, {-75.25, 39.75}, {-75.75, 39.75}, {-75.75, 39.5}},
		{{-75.625, 39.5625}, {-75.5, 39.5625}, {-75.5, 39.6875}, {-75.625, 39.6875}, {-75.625, 39.5625}},
	}
	twoPart = orb.MultiPolygon{
		{{{-75.5, 38.5}, {-75.375, 38.5}, {-75.375, 38.625}, {-75.5, 38.5}}},
		{{{-75.125, 38.46875}, {-75.0, 38.46875}, {-75.0, 38.625}, {-75.125, 38.46875}}},
	}
)

// writeFixture writes the two-layer test file at path.
func writeFixture(t *testing.T, path string) {
	t.Helper()
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Modified = time.Date(2016, 8, 10, 0, 0, 0, 0, time.UTC)
	pts, err := w.AddLayer("sites", Point, []Field{{"site_id", Integer}, {"name", Text}, {"people", Real}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sites {
		if err := pts.Add(s.pt, s.id, s.name, s.people); err != nil {
			t.Fatal(err)
		}
	}
	areas, err := w.AddLayer("catchments", MultiPolygon, []Field{{"site_id", Integer}, {"covered", Real}, {"label", Text}})
	if err != nil {
		t.Fatal(err)
	}
	if err := areas.Add(holed, 1, 0.1, "holed"); err != nil {
		t.Fatal(err)
	}
	if err := areas.Add(twoPart, int32(2), 1e6, "two parts"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func gdal(t *testing.T, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s not found: install gdal-bin (make deps-test)", name)
	}
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	if m := regexp.MustCompile(`(?im)^.*(warning|error).*$`).FindString(string(out)); m != "" {
		t.Fatalf("%s %v reported a problem: %q\n%s", name, args, m, out)
	}
	return string(out)
}

func TestOgrinfo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sites.gpkg")
	writeFixture(t, path)

	list := gdal(t, "ogrinfo", path)
	for _, want := range []string{"using driver `GPKG' successful", "1: sites (Point)", "2: catchments (Multi Polygon)"} {
		if !strings.Contains(list, want) {
			t.Errorf("ogrinfo output lacks %q:\n%s", want, list)
		}
	}

	summary := gdal(t, "ogrinfo", "-al", "-so", path)
	layers := strings.Split(summary, "Layer name: ")[1:]
	if len(layers) != 2 {
		t.Fatalf("ogrinfo -al -so shows %d layers, want 2:\n%s", len(layers), summary)
	}
	tests := []struct {
		name   string
		text   string
		want   []string
		extent string
	}{
		{"sites", layers[0], []string{"sites\n", "Geometry: Point", "Feature Count: 3", "FID Column = fid", "Geometry Column = geom",
			"site_id: Integer64 (0.0)", "name: String (0.0)", "people: Real (0.0)", "EPSG\",4326"},
			"Extent: (-75.546875, 38.500000) - (-75.093750, 39.739062)"},
		{"catchments", layers[1], []string{"catchments\n", "Geometry: Multi Polygon", "Feature Count: 2",
			"site_id: Integer64 (0.0)", "covered: Real (0.0)", "label: String (0.0)"},
			"Extent: (-75.750000, 38.468750) - (-75.000000, 39.750000)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range append(tc.want, tc.extent) {
				if !strings.Contains(tc.text, w) {
					t.Errorf("lacks %q:\n%s", w, tc.text)
				}
			}
		})
	}
}

// TestRoundTrip converts each layer back to GeoJSON with ogr2ogr and
// compares coordinates and attributes exactly.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sites.gpkg")
	writeFixture(t, path)
	read := func(layer string) *geojson.FeatureCollection {
		out := filepath.Join(dir, layer+".geojson")
		gdal(t, "ogr2ogr", "-f", "GeoJSON", "-lco", "RFC7946=NO", "-lco", "WRITE_BBOX=NO", out, path, layer)
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		fc, err := geojson.UnmarshalFeatureCollection(data)
		if err != nil {
			t.Fatal(err)
		}
		return fc
	}

	t.Run("points", func(t *testing.T) {
		fc := read("sites")
		if len(fc.Features) != len(sites) {
			t.Fatalf("%d features, want %d", len(fc.Features), len(sites))
		}
		for i, f := range fc.Features {
			s := sites[i]
			if f.Geometry != s.pt {
				t.Errorf("feature %d: geometry %v, want %v", i, f.Geometry, s.pt)
			}
			if got := f.Properties["site_id"]; got != float64(s.id) {
				t.Errorf("feature %d: site_id %v, want %d", i, got, s.id)
			}
			if got := f.Properties["name"]; got != s.name {
				t.Errorf("feature %d: name %#v, want %#v", i, got, s.name)
			}
			if got := f.Properties["people"]; got != s.people {
				t.Errorf("feature %d: people %#v, want %#v", i, got, s.people)
			}
		}
	})
	t.Run("polygons", func(t *testing.T) {
		fc := read("catchments")
		want := []orb.Geometry{orb.MultiPolygon{holed}, twoPart}
		props := []map[string]any{
			{"fid": nil, "site_id": 1.0, "covered": 0.1, "label": "holed"},
			{"fid": nil, "site_id": 2.0, "covered": 1e6, "label": "two parts"},
		}
		if len(fc.Features) != len(want) {
			t.Fatalf("%d features, want %d", len(fc.Features), len(want))
		}
		for i, f := range fc.Features {
			if !orb.Equal(f.Geometry, want[i]) {
				t.Errorf("feature %d: geometry %v, want %v", i, f.Geometry, want[i])
			}
			for k, v := range props[i] {
				if k == "fid" {
					continue
				}
				if f.Properties[k] != v {
					t.Errorf("feature %d: %s = %#v, want %#v", i, k, f.Properties[k], v)
				}
			}
		}
	})
}

// TestHeader checks the SQLite header fields that make the file a GeoPackage
// (spec 1.2.1 requirements 2 and 3), and the stored geometry blobs.
func TestHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.gpkg")
	writeFixture(t, path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("SQLite format 3\x00")) {
		t.Fatalf("not an SQLite file: % x", data[:16])
	}
	if got := binary.BigEndian.Uint32(data[68:]); got != ApplicationID {
		t.Errorf("application_id %#x, want %#x ('GPKG')", got, ApplicationID)
	}
	if got := binary.BigEndian.Uint32(data[60:]); got != UserVersion {
		t.Errorf("user_version %d, want %d", got, UserVersion)
	}
	out := gdal(t, "ogrinfo", "-q", path, "-sql", "SELECT hex(geom) AS h FROM sites WHERE fid = 2")
	// GP, version 0, flags 1 (little-endian, no envelope), srs 4326 = E6 10 00 00,
	// then WKB: 01, type 1, x, y.
	want := "47500001E6100000" + "0101000000" + hexLE(-75.52484) + hexLE(39.158168)
	if !strings.Contains(out, "h (String) = "+want) {
		t.Errorf("point blob: want %s in\n%s", want, out)
	}
	out = gdal(t, "ogrinfo", "-q", path, "-sql", "SELECT substr(hex(geom), 1, 80) AS h FROM catchments WHERE fid = 2")
	// flags 3: little-endian with an [minx, maxx, miny, maxy] envelope.
	want = "47500003E6100000" + hexLE(-75.5) + hexLE(-75.0) + hexLE(38.46875) + hexLE(38.625)
	if !strings.Contains(out, "h (String) = "+want) {
		t.Errorf("polygon blob: want %s in\n%s", want, out)
	}
	out = gdal(t, "ogrinfo", "-q", path, "-sql", "SELECT count(*) AS n FROM rtree_catchments_geom WHERE minx <= -75.74 AND maxy >= 39.74")
	if !strings.Contains(out, "n (Integer) = 1") {
		t.Errorf("spatial index should find the holed square:\n%s", out)
	}
}

func hexLE(f float64) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], math.Float64bits(f))
	return strings.ToUpper(hexString(b[:]))
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	s := make([]byte, 0, 2*len(b))
	for _, c := range b {
		s = append(s, digits[c>>4], digits[c&15])
	}
	return string(s)
}

// TestDeterministic writes the same file twice and expects the same bytes.
func TestDeterministic(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.gpkg"), filepath.Join(dir, "b.gpkg")
	writeFixture(t, a)
	writeFixture(t, b)
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if len(da) == 0 || !bytes.Equal(da, db) {
		t.Fatalf("two writes differ (%d and %d bytes)", len(da), len(db))
	}
	var buf bytes.Buffer
	if err := Render(&buf, func(w *Writer) error {
		w.Modified = time.Date(2016, 8, 10, 0, 0, 0, 0, time.UTC)
		l, err := w.AddLayer("sites", Point, []Field{{"site_id", Integer}, {"name", Text}, {"people", Real}})
		if err != nil {
			return err
		}
		for _, s := range sites {
			if err := l.Add(s.pt, s.id, s.name, s.people); err != nil {
				return err
			}
		}
		l, err = w.AddLayer("catchments", MultiPolygon, []Field{{"site_id", Integer}, {"covered", Real}, {"label", Text}})
		if err != nil {
			return err
		}
		if err := l.Add(holed, 1, 0.1, "holed"); err != nil {
			return err
		}
		return l.Add(twoPart, int32(2), 1e6, "two parts")
	}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), da) {
		t.Errorf("Render gives %d bytes unlike Create's %d", buf.Len(), len(da))
	}
}

// TestErrors checks that bad calls name the layer, feature and field, and
// that a failed or aborted file leaves nothing behind.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.gpkg")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := w.AddLayer("sites", Point, []Field{{"n", Integer}, {"name", Text}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add(orb.Point{1, 2}, 1, "ok"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"wrong geometry", l.Add(orb.LineString{{0, 0}, {1, 1}}, 1, "x"), `layer "sites" feature 2: geometry is a LINESTRING, the layer holds POINT`},
		{"text in integer", l.Add(orb.Point{1, 2}, "7", "x"), `layer "sites" feature 2 field "n": string value 7 does not fit a INTEGER field`},
		{"too few values", l.Add(orb.Point{1, 2}, 1), `feature 2: 1 values for 2 fields`},
		{"NaN coordinate", l.Add(orb.Point{math.NaN(), 2}, 1, "x"), `feature 2: geometry has a NaN or infinite coordinate`},
		{"duplicate layer", second(w.AddLayer("SITES", Point, nil)), `layer "SITES" already exists`},
		{"reserved name", second(w.AddLayer("gpkg_x", Point, nil)), `reserved prefix`},
		{"reserved field", second(w.AddLayer("x", Point, []Field{{"fid", Integer}})), `field name "fid" is empty, repeated or reserved`},
		{"bad field type", second(w.AddLayer("y", Point, []Field{{"a", "BLOB"}})), `field "a": unknown type "BLOB"`},
		{"bad geometry type", second(w.AddLayer("z", "CURVE", nil)), `unknown geometry type "CURVE"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", tc.err, tc.want)
			}
		})
	}
	if l.Count() != 1 {
		t.Errorf("count %d after failed adds, want 1", l.Count())
	}
	w.Abort()
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	hidden, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(left)+len(hidden) != 0 {
		t.Errorf("Abort left files: %v %v", left, hidden)
	}
}

func second(_ *Layer, err error) error { return err }

// TestEmptyAndNullGeometry writes a feature without geometry and an empty
// layer; GDAL must read both without complaint.
func TestEmptyAndNullGeometry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.gpkg")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := w.AddLayer("nogeom", Polygon, []Field{{"v", Real}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add(nil, math.NaN()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddLayer("empty", Point, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out := gdal(t, "ogr2ogr", "-f", "GeoJSON", "/vsistdout/", path, "nogeom")
	var fc struct {
		Features []struct {
			Geometry   json.RawMessage
			Properties map[string]any
		}
	}
	if err := json.Unmarshal([]byte(out), &fc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(fc.Features) != 1 || string(fc.Features[0].Geometry) != "null" || fc.Features[0].Properties["v"] != nil {
		t.Errorf("want one feature with null geometry and v null, got %s", out)
	}
	info := gdal(t, "ogrinfo", "-al", "-so", path, "empty")
	if !strings.Contains(info, "Feature Count: 0") {
		t.Errorf("empty layer:\n%s", info)
	}
}

// TestValidate runs GDAL's GeoPackage validator (validate_gpkg.py, shipped
// with gdal-bin's python3-gdal on Debian), which checks the spec's
// requirements table by table, on the fixture.
func TestValidate(t *testing.T) {
	const script = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"
	if _, err := os.Stat(script); err != nil {
		t.Fatalf("GDAL's validator is missing (install gdal-bin, which brings python3-gdal): %v", err)
	}
	path := filepath.Join(t.TempDir(), "v.gpkg")
	writeFixture(t, path)
	out, err := exec.Command("python3", script, path).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Fatalf("validate_gpkg.py: %v\n%s", err, out)
	}
}

// BenchmarkWrite writes 25,000 square cells (the size of Delaware's 250 m
// grid) with three attributes, and their centres as points.
func BenchmarkWrite(b *testing.B) {
	const n = 25000
	cells := make([]orb.Polygon, n)
	for i := range cells {
		x, y := -75.8+0.003*float64(i%150), 38.4+0.003*float64(i/150)
		cells[i] = orb.Polygon{{{x, y}, {x + 0.003, y}, {x + 0.003, y + 0.003}, {x, y + 0.003}, {x, y}}}
	}
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w, err := Create(filepath.Join(dir, "bench.gpkg"))
		if err != nil {
			b.Fatal(err)
		}
		polys, err := w.AddLayer("cells", Polygon, []Field{{"cell", Integer}, {"people", Real}, {"class", Text}})
		if err != nil {
			b.Fatal(err)
		}
		pts, err := w.AddLayer("centres", Point, []Field{{"cell", Integer}})
		if err != nil {
			b.Fatal(err)
		}
		for j, c := range cells {
			if err := polys.Add(c, j, float64(j)/7, "rural"); err != nil {
				b.Fatal(err)
			}
			if err := pts.Add(c.Bound().Center(), j); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestManyFeatures writes enough features to span several insert batches
// and checks every one arrived, with its fid, attribute and index entry.
func TestManyFeatures(t *testing.T) {
	const n = 1000
	path := filepath.Join(t.TempDir(), "many.gpkg")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := w.AddLayer("many", Point, []Field{{"i", Integer}, {"x", Real}})
	if err != nil {
		t.Fatal(err)
	}
	pt := func(i int) orb.Point { return orb.Point{-75 + float64(i)/1024, 39 + float64(i%7)/8} }
	for i := 1; i <= n; i++ {
		if err := l.Add(pt(i), i, float64(i)/4); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out := gdal(t, "ogrinfo", "-q", path, "-sql", "SELECT count(*) AS n, sum(fid = i) AS same, sum(x * 4 = i) AS xs, min(fid) AS lo, max(fid) AS hi FROM many")
	for _, want := range []string{"n (Integer) = 1000", "same (Integer) = 1000", "xs (Integer) = 1000", "lo (Integer) = 1", "hi (Integer) = 1000"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	// Feature 777 sits at (-75 + 777/1024, 39 + 0/8); the index must find it
	// and no other in a box around it.
	p := pt(777)
	q := "SELECT group_concat(id) AS ids FROM rtree_many_geom WHERE maxx >= " + ftoa(p[0]-1e-4) + " AND minx <= " + ftoa(p[0]+1e-4) +
		" AND maxy >= " + ftoa(p[1]-1e-4) + " AND miny <= " + ftoa(p[1]+1e-4)
	if out := gdal(t, "ogrinfo", "-q", path, "-sql", q); !strings.Contains(out, "ids (String) = 777\n") {
		t.Errorf("index query %s:\n%s", q, out)
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// BenchmarkWriteDelaware writes a file shaped like the Delaware example's
// results.gpkg: 24,000 cell polygons with 30 attributes (ids, people, class,
// walk and drive minutes and underserved flags for nine groups) and 400
// place points with a few attributes. The fixtures are built before the
// timer starts.
func BenchmarkWriteDelaware(b *testing.B) {
	const nCells, nPlaces, nGroups = 24000, 400, 9
	fields := []Field{{"cell_id", Integer}, {"people", Real}, {"class", Text}}
	for g := 0; g < nGroups; g++ {
		s := strconv.Itoa(g)
		fields = append(fields, Field{"walk_" + s, Real}, Field{"drive_" + s, Real}, Field{"under_" + s, Integer})
	}
	type cell struct {
		poly orb.Polygon
		vals []any
	}
	cells := make([]cell, nCells)
	for i := range cells {
		x, y := -75.8+0.003*float64(i%150), 38.4+0.003*float64(i/150)
		vals := []any{i, float64(i%97) / 3, []string{"urban", "rural", "remote"}[i%3]}
		for g := 0; g < nGroups; g++ {
			vals = append(vals, float64((i+g)%60)+0.25, float64((i*g)%30)+0.5, (i+g)%2 == 0)
		}
		cells[i] = cell{orb.Polygon{{{x, y}, {x + 0.003, y}, {x + 0.003, y + 0.003}, {x, y + 0.003}, {x, y}}}, vals}
	}
	places := make([]orb.Point, nPlaces)
	for i := range places {
		places[i] = orb.Point{-75.8 + 0.001*float64(i), 38.5 + 0.002*float64(i%50)}
	}
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w, err := Create(filepath.Join(dir, "delaware.gpkg"))
		if err != nil {
			b.Fatal(err)
		}
		cl, err := w.AddLayer("cells", Polygon, fields)
		if err != nil {
			b.Fatal(err)
		}
		pl, err := w.AddLayer("places", Point, []Field{{"place_id", Integer}, {"name", Text}, {"category", Text}, {"capacity", Real}})
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range cells {
			if err := cl.Add(c.poly, c.vals...); err != nil {
				b.Fatal(err)
			}
		}
		for j, p := range places {
			if err := pl.Add(p, j, "Place "+strconv.Itoa(j), "library", float64(j%5)); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBadFeatureLeavesNoRow checks that a feature refused half-way through
// binding its values (the prepared INSERT already holds some of them)
// writes nothing, and the next feature is written whole with the next fid.
func TestBadFeatureLeavesNoRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "recover.gpkg")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := w.AddLayer("sites", Point, []Field{{"n", Integer}, {"name", Text}, {"x", Real}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add(orb.Point{1, 2}, 1, "first", 0.5); err != nil {
		t.Fatal(err)
	}
	if err := l.Add(orb.Point{3, 4}, 2, "bad", "not a number"); err == nil {
		t.Fatal("text in a REAL field accepted")
	}
	if err := l.Add(orb.LineString{{0, 0}, {1, 1}}, 3, "bad geometry", 1.0); err == nil {
		t.Fatal("line in a POINT layer accepted")
	}
	if err := l.Add(orb.Point{5, 6}, 4, "second", nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out := gdal(t, "ogrinfo", "-q", path, "-sql", "SELECT group_concat(fid || ':' || n || ':' || name || ':' || coalesce(x, 'null'), ';') AS rows, count(*) AS c FROM sites")
	for _, want := range []string{"rows (String) = 1:1:first:0.5;2:4:second:null", "c (Integer) = 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	idx := gdal(t, "ogrinfo", "-q", path, "-sql", "SELECT group_concat(id) AS ids, min(minx) AS lo, max(maxx) AS hi FROM rtree_sites_geom")
	for _, want := range []string{"ids (String) = 1,2", "lo (Real) = 1", "hi (Real) = 5"} {
		if !strings.Contains(idx, want) {
			t.Errorf("index lacks %q:\n%s", want, idx)
		}
	}
}

// TestSpatialIndexBulk writes 20,000 small squares, enough for a three-level
// R-tree, and checks the index Close packs: SQLite's own rtreecheck() finds
// it consistent, and box queries through it return exactly the features a
// scan of the envelopes finds.
func TestSpatialIndexBulk(t *testing.T) {
	const n = 20000
	path := filepath.Join(t.TempDir(), "index.gpkg")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := w.AddLayer("squares", Polygon, []Field{{"i", Integer}})
	if err != nil {
		t.Fatal(err)
	}
	// A scrambled order (i*7919 mod n), so the packing does the sorting.
	sq := make([]orb.Bound, n)
	for i := range sq {
		k := (i * 7919) % n
		x, y := -76+float64(k%173)*0.01+float64(k%7)*1e-4, 38+float64(k/173)*0.01
		sq[i] = orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + 0.004 + float64(k%5)*1e-3, y + 0.003}}
		if err := l.Add(sq[i], i+1); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out := gdal(t, "ogrinfo", "-q", path, "-sql", "SELECT rtreecheck('rtree_squares_geom') AS c"); !strings.Contains(out, "c (String) = ok\n") {
		t.Fatalf("rtreecheck:\n%s", out)
	}
	for _, q := range []orb.Bound{
		{Min: orb.Point{-75.5, 38.3}, Max: orb.Point{-75.45, 38.32}},
		{Min: orb.Point{-76.1, 37.9}, Max: orb.Point{-75.98, 38.02}},
		{Min: orb.Point{-74.3, 38.5}, Max: orb.Point{-74.2, 38.6}},
	} {
		var want []string
		for i, b := range sq {
			if b.Max[0] >= q.Min[0] && b.Min[0] <= q.Max[0] && b.Max[1] >= q.Min[1] && b.Min[1] <= q.Max[1] {
				want = append(want, strconv.Itoa(i+1))
			}
		}
		// The index stores 32-bit floats rounded outwards, so it may hold a
		// box that touches q only by that rounding; the queries here stay
		// clear of such edges.
		sql := "SELECT group_concat(id) AS ids FROM (SELECT id FROM rtree_squares_geom WHERE maxx >= " + ftoa(q.Min[0]) + " AND minx <= " + ftoa(q.Max[0]) +
			" AND maxy >= " + ftoa(q.Min[1]) + " AND miny <= " + ftoa(q.Max[1]) + " ORDER BY id)"
		out := gdal(t, "ogrinfo", "-q", path, "-sql", sql)
		got := ""
		if m := regexp.MustCompile(`ids \(String\) = (.*)\n`).FindStringSubmatch(out); m != nil {
			got = m[1]
		}
		sort.Slice(want, func(i, j int) bool { a, _ := strconv.Atoi(want[i]); b, _ := strconv.Atoi(want[j]); return a < b })
		if got != strings.Join(want, ",") || len(want) == 0 && q.Min[0] < -75 {
			t.Errorf("query %v: index gives %q, scan %q", q, got, strings.Join(want, ","))
		}
	}
}
