package population

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geos"

	"commonground/internal/geo"
	"commonground/internal/problem"
	"commonground/internal/testdata"
)

var tractFields = Fields{ID: "GEOID", Name: "NAME", Pop: "pop"}

func readTracts(tb testing.TB) []Zone {
	tb.Helper()
	zones, err := ReadZones(testdata.Shared(tb, "delaware/de_tract_2010.geojson"), tractFields, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return zones
}

// lonLatArea is a zone's area in m² on an equal-area projection centred on
// Delaware, computed independently of the allocation code.
func lonLatArea(mp orb.MultiPolygon) float64 {
	proj := geo.NewProjection(-75.4, 39.1)
	var a float64
	for _, p := range mp {
		for k, r := range p {
			q := make(orb.Ring, len(r))
			for i := range r {
				q[i] = proj.Forward(r[i])
			}
			if k == 0 {
				a += math.Abs(signedArea(q))
			} else {
				a -= math.Abs(signedArea(q))
			}
		}
	}
	return a
}

func TestReadZonesDelaware(t *testing.T) {
	var probs problem.List
	zones, err := ReadZones(testdata.Shared(t, "delaware/de_tract_2010.geojson"), tractFields, &probs)
	if err != nil {
		t.Fatal(err)
	}
	if len(zones) != 218 {
		t.Fatalf("got %d zones, want 218", len(zones))
	}
	var sum float64
	for _, z := range zones {
		sum += z.Pop
		if len(z.Geom) == 0 {
			t.Errorf("zone %s has no geometry", z.ID)
		}
	}
	if sum != 897934 {
		t.Errorf("population sum %v, want 897934", sum)
	}
	z := zones[0]
	if z.ID != "10001042800" || z.Name != "Census Tract 428, Kent County, Delaware" || z.Pop != 7085 {
		t.Errorf("first zone = %q %q %v", z.ID, z.Name, z.Pop)
	}
	if z.Attrs["pop_black"] != 884 || z.Attrs["vap"] != 5421 || len(z.Attrs) != 17 {
		t.Errorf("first zone attrs = %v", z.Attrs)
	}
	if _, ok := z.Attrs["pop"]; ok {
		t.Error("population field also kept among attrs")
	}
	t.Logf("problems: %v", probs.Summary())
}

func TestReadZonesNumbersWhenNoIDField(t *testing.T) {
	zones, err := ReadZones(testdata.Shared(t, "delaware/de_tract_2010.geojson"), Fields{Pop: "pop"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if zones[0].ID != "1" || zones[217].ID != "218" {
		t.Errorf("ids %q, %q, want 1 and 218", zones[0].ID, zones[217].ID)
	}
	if _, ok := zones[0].Attrs["GEOID"]; ok {
		t.Error("text column GEOID kept as a number")
	}
}

func TestReadZonesMissingFieldOnRealFile(t *testing.T) {
	_, err := ReadZones(testdata.Shared(t, "delaware/de_tract_2010.geojson"), Fields{ID: "GEOID", Pop: "popn"}, nil)
	want := `de_tract_2010.geojson: feature 1 (GEOID 10001042800): no field "popn"; fields present: GEOID, NAME, pop, pop_aian, `
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want it to contain %q", err, want)
	}
}

// base is a valid two-zone layer that the bad-input cases overlay.
const base = `{"type":"FeatureCollection",
"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},
"features":[
{"type":"Feature","properties":{"GEOID":"A1","pop":100,"vap":80},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
{"type":"Feature","properties":{"GEOID":"B2","pop":POP2,"vap":50},"geometry":GEOM2}
]}`

const square2 = `{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}`

func layer(pop2, geom2 string) string {
	return strings.NewReplacer("POP2", pop2, "GEOM2", geom2).Replace(base)
}

func TestReadZonesBadInput(t *testing.T) {
	type tc struct {
		name    string
		file    string // name of the file to write
		content string // "" writes nothing
		fields  Fields
		wantErr string // "" when the read must succeed
		wantN   int
		wantPrb string // a problem message that must be recorded
	}
	f := Fields{ID: "GEOID", Pop: "pop"}
	cases := []tc{
		{"valid base", "z.geojson", layer("300", square2), f, "", 2, ""},
		{"missing field", "z.geojson", layer("300", square2), Fields{ID: "GEOID", Pop: "popn"}, `z.geojson: feature 1 (GEOID A1): no field "popn"; fields present: GEOID, pop, vap`, 0, ""},
		{"negative pop", "z.geojson", layer("-5", square2), f, `z.geojson: feature 2 (GEOID B2): field "pop" is negative: -5`, 0, ""},
		{"non-numeric pop", "z.geojson", layer(`"many"`, square2), f, `z.geojson: feature 2 (GEOID B2): field "pop" is not a number: "many"`, 0, ""},
		{"null pop", "z.geojson", layer(`null`, square2), f, `feature 2 (GEOID B2): field "pop" is empty`, 0, ""},
		{"byte-order mark", "z.geojson", "\ufeff" + layer("300", square2), f, "", 2, ""},
		{"pop as text", "z.geojson", layer(`"7085"`, square2), f, "", 2, "population written as text"},
		{"missing id field", "z.geojson", layer("300", square2), Fields{ID: "GEO_ID", Pop: "pop"}, `z.geojson: feature 1: no field "GEO_ID"`, 0, ""},
		{"empty collection", "z.geojson", `{"type":"FeatureCollection","features":[]}`, f, "no polygons: the layer has no features", 0, ""},
		{"unsupported crs", "z.geojson", strings.Replace(layer("300", square2), "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::26918", 1), f,
			`coordinate system "urn:ogc:def:crs:EPSG::26918" is not supported: reproject to EPSG:4326`, 0, ""},
		{"projected coordinates without crs", "z.geojson", layer("300", `{"type":"Polygon","coordinates":[[[450000,4300000],[451000,4300000],[451000,4301000],[450000,4300000]]]}`), f,
			"feature 2 (GEOID B2): coordinate (450000, 4.3e+06) is not longitude/latitude", 0, ""},
		{"not JSON", "z.geojson", "GEOID,pop\nA1,100\n", f, "not valid GeoJSON", 0, ""},
		{"not a collection", "z.geojson", `{"type":"Feature","properties":{},"geometry":null}`, f, `not a GeoJSON FeatureCollection (type "Feature")`, 0, ""},
		{"point geometry skipped", "z.geojson", layer("300", `{"type":"Point","coordinates":[1.5,0.5]}`), f, "", 1, "geometry is a Point, not a polygon; its 300 people are left out"},
		{"null geometry skipped", "z.geojson", layer("300", `null`), f, "", 1, "no geometry; its 300 people are left out"},
		{"unclosed ring closed", "z.geojson", layer("300", `{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1]]]}`), f, "", 2, "polygon ring not closed"},
		{"all skipped", "z.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"GEOID":"L","pop":1},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}`, f,
			"no polygons: all 1 features were skipped", 0, ""},
		{"missing file", "none.geojson", "", f, "no such file", 0, ""},
		{"missing dbf", "z.shp", "", f, "missing z.dbf", 0, ""},
		{"geopackage", "z.gpkg", "", f, "GeoPackage input is not supported yet", 0, ""},
		{"unknown extension", "z.csv", "", f, `unknown file type ".csv"`, 0, ""},
	}
	dir := t.TempDir()
	shp := toShapefile(t, dir, testdata.Shared(t, "delaware/de_tract_2010.geojson"), "z", "")
	os.Remove(strings.TrimSuffix(shp, ".shp") + ".dbf")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.file)
			if c.content != "" {
				path = filepath.Join(t.TempDir(), c.file)
				if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var probs problem.List
			zones, err := ReadZones(path, c.fields, &probs)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want it to contain %q", err, c.wantErr)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the file %s", err, path)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(zones) != c.wantN {
				t.Errorf("got %d zones, want %d", len(zones), c.wantN)
			}
			if c.wantPrb != "" {
				found := false
				for _, p := range probs.Items() {
					found = found || strings.Contains(p.Message, c.wantPrb)
				}
				if !found {
					t.Errorf("problems %v, want one containing %q", probs.Items(), c.wantPrb)
				}
			}
		})
	}
}

func TestReadZonesRepairsBowTie(t *testing.T) {
	bowtie := `{"type":"Polygon","coordinates":[[[1,0],[2,1],[2,0],[1,1],[1,0]]]}`
	path := filepath.Join(t.TempDir(), "bowtie.geojson")
	if err := os.WriteFile(path, []byte(layer("300", bowtie)), 0o644); err != nil {
		t.Fatal(err)
	}
	var probs problem.List
	zones, err := ReadZones(path, Fields{ID: "GEOID", Pop: "pop"}, &probs)
	if err != nil {
		t.Fatal(err)
	}
	items := probs.Items()
	if len(items) != 1 || items[0].Severity != problem.Warning || items[0].Feature != "B2" ||
		!strings.Contains(items[0].Message, "make-valid") || !strings.Contains(items[0].Value, "Self-intersection") {
		t.Fatalf("problems = %v, want one make-valid warning for B2", items)
	}
	// The bow-tie splits into two triangles of 0.25 square degrees each.
	g := zones[1].Geom
	if len(g) != 2 {
		t.Fatalf("repaired geometry has %d polygons, want 2: %v", len(g), g)
	}
	for _, p := range g {
		if a := math.Abs(signedArea(p[0])); math.Abs(a-0.25) > 1e-12 {
			t.Errorf("triangle area %v, want 0.25", a)
		}
	}
	if _, reason, err := makeValid(geos.NewContext(), g); err != nil || reason != "" {
		t.Errorf("repaired geometry still invalid: %q %v", reason, err)
	}
}

// toShapefile converts a layer with GDAL, as a user would; srs "" keeps
// lon/lat.
func toShapefile(t testing.TB, dir, src, name, srs string) string {
	t.Helper()
	ogr, err := exec.LookPath("ogr2ogr")
	if err != nil {
		t.Fatal("ogr2ogr (gdal-bin) is needed to test shapefile reading")
	}
	out := filepath.Join(dir, name+".shp")
	args := []string{"-f", "ESRI Shapefile", out, src}
	if srs != "" {
		args = append(args, "-t_srs", srs)
	}
	if b, err := exec.Command(ogr, args...).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr %v: %v\n%s", args, err, b)
	}
	return out
}

func TestReadShapefileMatchesGeoJSON(t *testing.T) {
	src := testdata.Shared(t, "delaware/de_tract_2010.geojson")
	want := readTracts(t)
	dir := t.TempDir()
	for _, c := range []struct{ name, srs string }{
		{"lonlat", ""},
		{"utm18n", "EPSG:26918"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var probs problem.List
			got, err := ReadZones(toShapefile(t, dir, src, c.name, c.srs), tractFields, &probs)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d zones, want %d", len(got), len(want))
			}
			var worst float64
			for i := range want {
				g, w := got[i], want[i]
				if g.ID != w.ID || g.Name != w.Name || g.Pop != w.Pop || len(g.Attrs) != len(w.Attrs) || g.Attrs["vap_black"] != w.Attrs["vap_black"] {
					t.Errorf("zone %d: got %s %q %v %d attrs, want %s %q %v %d attrs", i, g.ID, g.Name, g.Pop, len(g.Attrs), w.ID, w.Name, w.Pop, len(w.Attrs))
				}
				ga, wa := lonLatArea(g.Geom), lonLatArea(w.Geom)
				worst = math.Max(worst, math.Abs(ga-wa)/wa)
			}
			t.Logf("largest relative area difference: %.2g; problems: %v", worst, probs.Summary())
			if worst > 0.001 {
				t.Errorf("areas differ by up to %.3g%%, want within 0.1%%", 100*worst)
			}
		})
	}
}

// TestReadShapefileNY8 reads a real UTM shapefile as published (281 tracts
// of central New York, 1980) and checks it against GDAL's own conversion.
func TestReadShapefileNY8(t *testing.T) {
	src := "/usr/lib/R/site-library/spData/shapes/NY8_utm18.shp"
	if _, err := os.Stat(src); err != nil {
		t.Skip("NY8 shapefile not installed (apt-get install r-cran-spdata)")
	}
	f := Fields{ID: "AREAKEY", Name: "AREANAME", Pop: "POP8"}
	got, err := ReadZones(src, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReadZones(toShapefile(t, t.TempDir(), src, "ny8ll", "EPSG:4326"), f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 281 || len(want) != 281 {
		t.Fatalf("%d and %d zones, want 281", len(got), len(want))
	}
	var sum, worstArea, worstPos float64
	for i := range got {
		sum += got[i].Pop
		ga, wa := lonLatArea(got[i].Geom), lonLatArea(want[i].Geom)
		worstArea = math.Max(worstArea, math.Abs(ga-wa)/wa)
		worstPos = math.Max(worstPos, geo.Distance(got[i].Geom[0][0][0], want[i].Geom[0][0][0]))
	}
	if sum != 1057673 { // SUM(POP8) by ogrinfo -dialect sqlite
		t.Errorf("POP8 sum %v, want 1057673", sum)
	}
	t.Logf("vs GDAL: worst area difference %.2g, worst first-vertex offset %.3f m", worstArea, worstPos)
	if worstArea > 0.001 || worstPos > 0.5 {
		t.Errorf("UTM conversion differs from GDAL: area %.3g, position %.3f m", worstArea, worstPos)
	}
}

// TestTransverseMercatorInverse checks against PROJ (gdaltransform).
func TestTransverseMercatorInverse(t *testing.T) {
	utm := func(zone float64, south bool) transverseMercator {
		fn := 0.0
		if south {
			fn = 10000000
		}
		return newTransverseMercator(6378137, 298.257222101, 0, (zone*6-183)*math.Pi/180, 0.9996, 500000, fn)
	}
	clarke := newTransverseMercator(6378206.4, 294.978698213898, 0, -75*math.Pi/180, 0.9996, 500000, 0)
	cases := []struct {
		name string
		tm   transverseMercator
		x, y float64
		want orb.Point
	}{
		{"NAD83 18N Delaware", utm(18, false), 450000, 4300000, orb.Point{-75.5761844714423, 38.8473971414212}},
		{"NAD83 18N central meridian", utm(18, false), 500000, 4400000, orb.Point{-75, 39.7499075201275}},
		{"NAD83 18N zone edge", utm(18, false), 300000, 5000000, orb.Point{-77.5431234898099, 45.1251538487119}},
		{"NAD83 18N far east", utm(18, false), 700000, 3000000, orb.Point{-72.9824943447989, 27.107979524424}},
		{"NAD27 18N on Clarke 1866", clarke, 450000, 4300000, orb.Point{-75.5761848528604, 38.8492681773718}},
		{"33S (false northing)", utm(33, true), 500000, 5000000, orb.Point{15, -45.153477183356}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.tm.inverse(c.x, c.y)
			if d := geo.Distance(got, c.want); d > 0.05 {
				t.Errorf("inverse(%v, %v) = %v, want %v (off by %.3f m)", c.x, c.y, got, c.want, d)
			}
		})
	}
}

func TestCRSFromPRJ(t *testing.T) {
	cases := []struct {
		name, prj, wantErr, wantWarn string
	}{
		{"esri wgs84", `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`, "", ""},
		{"ogc nad83", `GEOGCS["NAD83",DATUM["North_American_Datum_1983",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4269"]]`, "", ""},
		{"nad27 utm warns", `PROJCS["NAD27 / UTM zone 18N",GEOGCS["NAD27",DATUM["North_American_Datum_1927",SPHEROID["Clarke 1866",6378206.4,294.978698213898]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",-75],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]`, "", "NAD27"},
		{"lambert conformal", `PROJCS["NAD83 / Delaware",GEOGCS["NAD83",DATUM["North_American_Datum_1983",SPHEROID["GRS 1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",39]]`, `projection "Lambert_Conformal_Conic_2SP" (NAD83 / Delaware) is not supported`, ""},
		{"other datum", `GEOGCS["Tokyo",DATUM["Tokyo",SPHEROID["Bessel 1841",6377397.155,299.1528128]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`, `datum "Tokyo" is not supported`, ""},
		{"byte-order mark", "\ufeff" + `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`, "", ""},
		{"garbage", `not wkt at all`, "cannot read the coordinate system", ""},
		{"wkt2", `GEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563]]]`, "GEOGCRS", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conv, err := crsFromPRJ(c.prj)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "EPSG:4326") {
					t.Fatalf("error %v, want %q and advice to reproject to EPSG:4326", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(conv.warn, c.wantWarn) || (c.wantWarn == "") != (conv.warn == "") {
				t.Errorf("warning %q, want %q", conv.warn, c.wantWarn)
			}
		})
	}
}

func FuzzReadGeoJSON(f *testing.F) {
	if testing.Short() {
		f.Skip("fuzzing skipped under -short")
	}
	f.Add([]byte(layer("300", square2)))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{ "type": "Feature", "properties": { "GEOID": "10001042800", "NAME": "Census Tract 428, Kent County, Delaware", "pop": 7085.0, "vap": 5421.0 }, "geometry": { "type": "MultiPolygon", "coordinates": [ [ [ [ -75.7328559079955, 38.957367986998499 ], [ -75.738452569290288, 39.027513929012699 ], [ -75.735588, 39.03088 ], [ -75.7328559079955, 38.957367986998499 ] ] ] ] } }]}`))
	f.Add([]byte(layer("300", `{"type":"Polygon","coordinates":[[[1,0],[2,1],[2,0],[1,1],[1,0]]]}`)))
	f.Add([]byte(layer(`"7"`, `{"type":"Polygon","coordinates":[[[1,0],[1,0],[1,0]]]}`)))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.geojson")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		zones, err := ReadZones(path, Fields{ID: "GEOID", Pop: "pop"}, nil)
		if err == nil && len(zones) == 0 {
			t.Fatal("no zones and no error")
		}
		for _, z := range zones {
			if !(z.Pop >= 0) || len(z.Geom) == 0 {
				t.Fatalf("zone %s accepted with pop %v and %d polygons", z.ID, z.Pop, len(z.Geom))
			}
		}
	})
}

func FuzzReadShapefile(f *testing.F) {
	if testing.Short() {
		f.Skip("fuzzing skipped under -short")
	}
	dir := f.TempDir()
	shp := toShapefile(f, dir, testdata.Shared(f, "delaware/de_tract_2010.geojson"), "de", "EPSG:26918")
	shpBytes, err := os.ReadFile(shp)
	if err != nil {
		f.Fatal(err)
	}
	dbfBytes, _ := os.ReadFile(strings.TrimSuffix(shp, ".shp") + ".dbf")
	prjBytes, _ := os.ReadFile(strings.TrimSuffix(shp, ".shp") + ".prj")
	// Seed with the first records only, to keep each run fast.
	f.Add(shpBytes[:min(len(shpBytes), 4000)], dbfBytes[:min(len(dbfBytes), 3000)], string(prjBytes))
	f.Fuzz(func(t *testing.T, shpData, dbfData []byte, prj string) {
		if conv, err := crsFromPRJ(prj); err == nil {
			_, _ = readSHP(shpData, conv.fn)
		}
		_, _ = readSHP(shpData, nil)
		_, _ = readDBF(dbfData)
	})
}
