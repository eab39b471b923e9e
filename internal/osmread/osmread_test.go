package osmread

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmgeojson"
	"github.com/paulmach/osm/osmpbf"

	"commonground/internal/geo"
	"commonground/internal/place"
	"commonground/internal/testdata"
)

// raw is an independent reading of the Delaware file, straight from osmpbf
// with no code of this package, to check Read against.
type raw struct {
	libraries  int // amenity=library, not access=private|no
	stops      int
	highways   int
	ways       map[osm.WayID]*osm.Way // with node coordinates filled in
	rels       map[osm.RelationID]*osm.Relation
	level6     int // boundary=administrative admin_level=6 relations
	level8     int
	headerBBox orb.Bound
}

var (
	fixtureOnce sync.Once
	fixtureEx   *Extract
	fixtureRaw  *raw
	fixtureErr  error
)

// delaware reads the Delaware extract once for all tests.
func delaware(t *testing.T) (*Extract, *raw) {
	t.Helper()
	path := testdata.DelawarePBF(t)
	fixtureOnce.Do(func() {
		fixtureEx, fixtureErr = Read(context.Background(), path, Options{})
		if fixtureErr == nil {
			fixtureRaw, fixtureErr = readRaw(path)
		}
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureEx, fixtureRaw
}

func open(path string, fn func(s *osmpbf.Scanner) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	s := osmpbf.New(context.Background(), f, 2)
	defer s.Close()
	return fn(s)
}

func readRaw(path string) (*raw, error) {
	r := &raw{ways: map[osm.WayID]*osm.Way{}, rels: map[osm.RelationID]*osm.Relation{}}
	isLibrary := func(tags osm.Tags) bool {
		a := tags.Find("access")
		return tags.Find("amenity") == "library" && a != "private" && a != "no"
	}
	isStop := func(tags osm.Tags) bool {
		pt := tags.Find("public_transport")
		rw := tags.Find("railway")
		return tags.Find("highway") == "bus_stop" || pt == "platform" || pt == "stop_position" || pt == "station" ||
			rw == "station" || rw == "halt" || rw == "tram_stop" || tags.Find("amenity") == "bus_station"
	}
	err := open(path, func(s *osmpbf.Scanner) error {
		s.SkipNodes = true
		h, err := s.Header()
		if err != nil {
			return err
		}
		r.headerBBox = orb.Bound{Min: orb.Point{h.Bounds.MinLon, h.Bounds.MinLat}, Max: orb.Point{h.Bounds.MaxLon, h.Bounds.MaxLat}}
		for s.Scan() {
			switch o := s.Object().(type) {
			case *osm.Way:
				r.ways[o.ID] = o
				if isLibrary(o.Tags) {
					r.libraries++
				}
				if isStop(o.Tags) {
					r.stops++
				}
				if o.Tags.Find("highway") != "" {
					r.highways++
				}
			case *osm.Relation:
				r.rels[o.ID] = o
				if isLibrary(o.Tags) {
					r.libraries++
				}
				if o.Tags.Find("boundary") == "administrative" {
					switch o.Tags.Find("admin_level") {
					case "6":
						r.level6++
					case "8":
						r.level8++
					}
				}
			}
		}
		return s.Err()
	})
	if err != nil {
		return nil, err
	}
	coords := map[osm.NodeID]orb.Point{}
	err = open(path, func(s *osmpbf.Scanner) error {
		s.SkipWays, s.SkipRelations = true, true
		for s.Scan() {
			n := s.Object().(*osm.Node)
			coords[n.ID] = orb.Point{n.Lon, n.Lat}
			if isLibrary(n.Tags) {
				r.libraries++
			}
			if isStop(n.Tags) {
				r.stops++
			}
		}
		return s.Err()
	})
	for _, w := range r.ways {
		for i, wn := range w.Nodes {
			if p, ok := coords[wn.ID]; ok {
				w.Nodes[i].Lon, w.Nodes[i].Lat = p[0], p[1]
			}
		}
	}
	return r, err
}

// shape returns the independent polygon of a way or relation place, built
// by hand for ways and by osmgeojson for relations.
func (r *raw) shape(t *testing.T, typ string, id int64) orb.MultiPolygon {
	t.Helper()
	if typ == "way" {
		w := r.ways[osm.WayID(id)]
		var ring orb.Ring
		for _, wn := range w.Nodes {
			ring = append(ring, orb.Point{wn.Lon, wn.Lat})
		}
		return orb.MultiPolygon{{ring}}
	}
	rel := r.rels[osm.RelationID(id)]
	o := &osm.OSM{Relations: osm.Relations{rel}}
	for _, m := range rel.Members {
		if w, ok := r.ways[osm.WayID(m.Ref)]; ok && m.Type == osm.TypeWay {
			o.Ways = append(o.Ways, w)
		}
	}
	fc, err := osmgeojson.Convert(o)
	if err != nil {
		t.Fatalf("osmgeojson relation %d: %v", id, err)
	}
	for _, f := range fc.Features {
		if f.ID == "relation/"+strconv.FormatInt(id, 10) {
			switch g := f.Geometry.(type) {
			case orb.Polygon:
				return orb.MultiPolygon{g}
			case orb.MultiPolygon:
				return g
			}
		}
	}
	t.Fatalf("osmgeojson built no polygon for relation %d", id)
	return nil
}

func TestLibrariesMatchIndependentCount(t *testing.T) {
	ex, r := delaware(t)
	n := 0
	for _, p := range ex.Places {
		if p.Category == "library" {
			n++
			if p.Tags["amenity"] != "library" {
				t.Errorf("library %s/%d kept tags %v, want amenity=library among them", p.OSMType, p.OSMID, p.Tags)
			}
		}
	}
	t.Logf("libraries: pipeline %d, independent count %d", n, r.libraries)
	if n != r.libraries || n == 0 {
		t.Errorf("pipeline found %d libraries, raw tags give %d", n, r.libraries)
	}
}

func TestPlacesSortedAndInside(t *testing.T) {
	ex, r := delaware(t)
	if !ex.Bounds.Equal(r.headerBBox) {
		t.Errorf("Bounds = %v, want header bbox %v", ex.Bounds, r.headerBBox)
	}
	want := time.Date(2016, 8, 10, 19, 28, 3, 0, time.UTC)
	if !ex.Timestamp.Equal(want) {
		t.Errorf("Timestamp = %v, want %v", ex.Timestamp, want)
	}
	rank := map[string]int{}
	for i, c := range place.DefaultCategories() {
		rank[c.Name] = i
	}
	typeRank := map[string]int{"node": 0, "way": 1, "relation": 2}
	repaired := map[string]bool{}
	for _, p := range ex.Problems.Items() {
		if strings.Contains(p.Message, "repaired") {
			repaired[p.Feature] = true
		}
	}
	checked := map[string]int{}
	for i, p := range ex.Places {
		if int(p.ID) != i {
			t.Fatalf("place %d has ID %d", i, p.ID)
		}
		if i > 0 {
			q := ex.Places[i-1]
			less := rank[q.Category] < rank[p.Category] ||
				rank[q.Category] == rank[p.Category] && (typeRank[q.OSMType] < typeRank[p.OSMType] ||
					typeRank[q.OSMType] == typeRank[p.OSMType] && q.OSMID < p.OSMID)
			if !less {
				t.Errorf("places %d (%s %s/%d) and %d (%s %s/%d) out of order", i-1, q.Category, q.OSMType, q.OSMID, i, p.Category, p.OSMType, p.OSMID)
			}
		}
		if !ex.Bounds.Contains(p.Point) {
			t.Errorf("place %s/%d point %v outside the extract bounds", p.OSMType, p.OSMID, p.Point)
		}
		if len(p.Access) == 0 {
			t.Errorf("place %s/%d has no access point", p.OSMType, p.OSMID)
		}
		if p.OSMType == "node" {
			continue
		}
		mp := r.shape(t, p.OSMType, p.OSMID)
		if len(mp) == 1 && len(mp[0]) == 1 && mp[0][0][0] != mp[0][0][len(mp[0][0])-1] {
			continue // an unclosed way: placed on the line, reported as a problem
		}
		if !planar.MultiPolygonContains(mp, p.Point) {
			t.Errorf("place %s/%d %q: point %v not inside its polygon", p.OSMType, p.OSMID, p.Name, p.Point)
		}
		checked[p.OSMType]++
		if repaired[p.OSMType+"/"+strconv.FormatInt(p.OSMID, 10)] {
			// make-valid changed the shape (a self-crossing ring's
			// lobes no longer cancel), so the raw ring's area differs
			checked["repaired"]++
			continue
		}
		// independent spherical area (orb/geo, WGS84 equatorial radius, so
		// scaled to the mean radius geo uses)
		a := math.Abs(orbgeo.Area(mp)) * math.Pow(geo.EarthRadius/orb.EarthRadius, 2)
		if math.Abs(p.AreaM2-a) > 0.001*a+0.01 {
			t.Errorf("place %s/%d %q: area %.0f m², independent %.0f m²", p.OSMType, p.OSMID, p.Name, p.AreaM2, a)
		}
	}
	t.Logf("point-in-polygon checked for %d ways, %d relations (area too, except %d repaired)", checked["way"], checked["relation"], checked["repaired"])
	if checked["way"] < 100 || checked["relation"] < 5 {
		t.Errorf("too few area places checked: %v", checked)
	}
}

// distToRing is the distance in metres from p to the nearest edge of ring.
func distToRing(p orb.Point, ring orb.Ring) float64 {
	proj := geo.NewProjection(p[0], p[1])
	best := math.Inf(1)
	for i := 1; i < len(ring); i++ {
		a, b := proj.Forward(ring[i-1]), proj.Forward(ring[i])
		d := orb.Point{b[0] - a[0], b[1] - a[1]}
		f := 0.0
		if l2 := d[0]*d[0] + d[1]*d[1]; l2 > 0 {
			f = math.Max(0, math.Min(1, -(a[0]*d[0]+a[1]*d[1])/l2))
		}
		best = math.Min(best, math.Hypot(a[0]+f*d[0], a[1]+f*d[1]))
	}
	return best
}

func TestLargeParksReachedAtEdge(t *testing.T) {
	ex, r := delaware(t)
	large := 0
	for _, p := range ex.Places {
		if p.AreaM2 <= 20000 {
			if len(p.Access) != 1 || p.Access[0] != p.Point {
				t.Errorf("small place %s/%d (%.0f m²) has access %v, want its point", p.OSMType, p.OSMID, p.AreaM2, p.Access)
			}
			continue
		}
		large++
		mp := r.shape(t, p.OSMType, p.OSMID)
		perim := 0.0
		for _, poly := range mp {
			perim += geo.LineLength(orb.LineString(poly[0]))
		}
		if float64(len(p.Access)) < perim/100 {
			t.Errorf("%s/%d %q: %d access points on a %.0f m boundary, want one per 100 m", p.OSMType, p.OSMID, p.Name, len(p.Access), perim)
		}
		for _, a := range p.Access {
			d := math.Inf(1)
			for _, poly := range mp {
				for _, ring := range poly {
					d = math.Min(d, distToRing(a, ring))
				}
			}
			if d > 1 {
				t.Errorf("%s/%d %q: access point %v is %.2f m from the boundary", p.OSMType, p.OSMID, p.Name, a, d)
			}
		}
	}
	if large < 20 {
		t.Errorf("only %d large places", large)
	}
	// Bellevue State Park, way 108654289: 1.3 km², so many gates.
	for _, p := range ex.Places {
		if p.OSMType == "way" && p.OSMID == 108654289 && len(p.Access) < 50 {
			t.Errorf("Bellevue State Park has %d access points", len(p.Access))
		}
	}
}

func TestStreetsStopsTowns(t *testing.T) {
	ex, r := delaware(t)
	skipped := 0
	for _, p := range ex.Problems.Items() {
		if p.Severity == "skipped" && p.Field == "highway" {
			skipped++
		}
	}
	if len(ex.Ways)+skipped != r.highways {
		t.Errorf("%d streets + %d skipped, raw highway ways %d", len(ex.Ways), skipped, r.highways)
	}
	for i, w := range ex.Ways {
		if i > 0 && ex.Ways[i-1].ID >= w.ID {
			t.Fatalf("ways not sorted at %d", i)
		}
		if w.Highway() == "" || len(w.Nodes) < 2 || len(w.Nodes) != len(w.Points) {
			t.Fatalf("way %d: highway %q, %d nodes, %d points", w.ID, w.Highway(), len(w.Nodes), len(w.Points))
		}
		rw := r.ways[osm.WayID(w.ID)]
		if len(rw.Nodes) == len(w.Nodes) {
			last := rw.Nodes[len(rw.Nodes)-1]
			if w.Points[len(w.Points)-1] != (orb.Point{last.Lon, last.Lat}) {
				t.Fatalf("way %d: last point %v, raw %v", w.ID, w.Points[len(w.Points)-1], last)
			}
		}
	}
	if len(ex.Stops) != r.stops {
		t.Errorf("%d stops, raw %d", len(ex.Stops), r.stops)
	}
	names := map[string]int{}
	for _, tw := range ex.Towns {
		names[tw.Name]++
	}
	for _, n := range []string{"Dover", "Wilmington", "Newark", "Georgetown"} {
		if names[n] != 1 {
			t.Errorf("town %s listed %d times, want once", n, names[n])
		}
	}
	for _, tw := range ex.Towns {
		if tw.Name == "Wilmington" && (tw.OSMType != "node" || tw.Population != 72826) {
			t.Errorf("Wilmington = %+v, want the node with population 72826", tw)
		}
	}
}

// TestWater checks the base map's water against an independent count of
// the raw ways: every whole water way is kept, areas closed.
func TestWater(t *testing.T) {
	ex, r := delaware(t)
	want := map[string]int{}
	for _, w := range r.ways {
		kind := ""
		switch {
		case w.Tags.Find("natural") == "water":
			kind = "water"
		case w.Tags.Find("waterway") == "riverbank":
			kind = "riverbank"
		case w.Tags.Find("waterway") == "river":
			kind = "river"
		case w.Tags.Find("waterway") == "canal":
			kind = "canal"
		case w.Tags.Find("natural") == "coastline":
			kind = "coastline"
		}
		if kind == "" {
			continue
		}
		whole := len(w.Nodes) > 1
		for _, n := range w.Nodes {
			if n.Lat == 0 && n.Lon == 0 {
				whole = false
			}
		}
		if area := kind == "water" || kind == "riverbank"; area && (len(w.Nodes) < 4 || w.Nodes[0].ID != w.Nodes[len(w.Nodes)-1].ID) {
			whole = false // part of a multipolygon, not an area of its own
		}
		if whole {
			want[kind]++
		}
	}
	got := map[string]int{}
	for i, w := range ex.Water {
		got[w.Kind]++
		if i > 0 && ex.Water[i-1].OSMID >= w.OSMID {
			t.Fatalf("water not sorted at %d", i)
		}
		if w.Area && (len(w.Line) < 4 || w.Line[0] != w.Line[len(w.Line)-1]) {
			t.Errorf("water area way/%d is not closed", w.OSMID)
		}
	}
	if want["water"] == 0 || want["river"] == 0 {
		t.Fatalf("raw count found no lakes or rivers: %v", want)
	}
	// Ways whose nodes are all in the file are kept exactly; cut ones may
	// be kept too (lines) or not (areas no longer closed).
	for k, n := range want {
		if got[k] < n || (k == "water" || k == "riverbank") && got[k] != n {
			t.Errorf("%s: %d ways kept, raw whole ways %d", k, got[k], n)
		}
	}
	t.Logf("water ways kept: %v (raw whole: %v)", got, want)
}

func TestBoundaries(t *testing.T) {
	ex, r := delaware(t)
	got := map[string]int{}
	byName := map[string]Boundary{}
	for _, b := range ex.Boundaries {
		got[b.AdminLevel]++
		byName[b.Name] = b
		if len(b.Geom) == 0 {
			t.Errorf("boundary %d %q has no polygon", b.OSMID, b.Name)
		}
	}
	t.Logf("admin_level 6: %d of %d relations assembled; admin_level 8: %d of %d", got["6"], r.level6, got["8"], r.level8)
	if got["6"] < 3 || got["6"] > r.level6 || got["8"] == 0 || got["8"] > r.level8 {
		t.Errorf("assembled %v of %d level-6 and %d level-8 relations", got, r.level6, r.level8)
	}
	skipped := 0
	for _, p := range ex.Problems.Items() {
		if strings.HasPrefix(p.Feature, "relation/") && strings.Contains(p.Message, "cannot be assembled") {
			skipped++
		}
	}
	if skipped < r.level6-got["6"] {
		t.Errorf("%d relations reported as not assembled, but %d counties are missing", skipped, r.level6-got["6"])
	}
	// The census county polygons are an independent source: each census
	// county's centroid must lie inside the OSM boundary of that name.
	data, err := os.ReadFile(testdata.Shared(t, "delaware/de_county_2010.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fc.Features {
		name := strings.TrimSuffix(f.Properties.MustString("NAME"), ", Delaware")
		t.Run(name, func(t *testing.T) {
			b, ok := byName[name]
			if !ok {
				t.Fatalf("no boundary named %q", name)
			}
			c, _ := planar.CentroidArea(f.Geometry)
			if !planar.MultiPolygonContains(b.Geom, c) {
				t.Errorf("census centroid %v of %s not inside OSM relation %d", c, name, b.OSMID)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	ex, _ := delaware(t)
	again, err := Read(context.Background(), ex.Path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ex, again) {
		t.Error("two reads of the same file differ")
	}
}

func TestProgressAndCancel(t *testing.T) {
	path := testdata.DelawarePBF(t)
	var stages []string
	last := map[string][2]int64{}
	_, err := Read(context.Background(), path, Options{Progress: func(stage string, done, total int64) {
		if len(stages) == 0 || stages[len(stages)-1] != stage {
			stages = append(stages, stage)
		}
		if done < last[stage][0] || done > total {
			t.Errorf("stage %s: done %d after %d, total %d", stage, done, last[stage][0], total)
		}
		last[stage] = [2]int64{done, total}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"relations", "ways", "nodes", "geometry"}; !reflect.DeepEqual(stages, want) {
		t.Errorf("stages %v, want %v", stages, want)
	}
	for s, dt := range last {
		if dt[0] != dt[1] || dt[1] == 0 {
			t.Errorf("stage %s ended at %d of %d", s, dt[0], dt[1])
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, path, Options{}); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), path) {
		t.Errorf("cancelled read: err = %v, want context.Canceled naming the file", err)
	}
}

func TestBadInput(t *testing.T) {
	src, err := os.ReadFile(testdata.DelawarePBF(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(dir, "nope.osm.pbf"), "no such file"},
		{"folder", dir, "is a folder"},
		{"empty", write("empty.osm.pbf", nil), "file is empty"},
		{"text renamed", write("notes.pbf", []byte("name,lat,lon\nDover,39.15,-75.52\n")), "damaged or truncated"},
		{"truncated to half", write("half.osm.pbf", src[:len(src)/2]), "damaged or truncated"},
		{"truncated to 100 bytes", write("head.osm.pbf", src[:100]), "damaged or truncated"},
		{"zeroed middle", write("zeroed.osm.pbf", append(append(append([]byte(nil), src[:len(src)/3]...), make([]byte, 4096)...), src[len(src)/3+4096:]...)), "damaged or truncated"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ex, err := Read(context.Background(), c.path, Options{})
			if err == nil {
				t.Fatalf("Read succeeded with %d places, want error", len(ex.Places))
			}
			if !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to name %s and say %q", err, c.path, c.want)
			}
		})
	}
}

func TestBadOptions(t *testing.T) {
	path := testdata.DelawarePBF(t)
	cases := []struct {
		name string
		opt  Options
		want string
	}{
		{"bad rule", Options{Categories: []place.Category{{Name: "x", Match: []string{"amenity"}}}}, `rule "amenity"`},
		{"negative spacing", Options{EdgeSpacing: -5}, "must be positive"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Read(context.Background(), path, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func BenchmarkReadDelaware(b *testing.B) {
	path := testdata.DelawarePBF(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(context.Background(), path, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzRead feeds damaged copies of the start of the real file to Read: it
// must return an error naming the file, or an extract, and never panic.
func FuzzRead(f *testing.F) {
	if testing.Short() {
		f.Skip("reads files; skipped under -short")
	}
	src, err := os.ReadFile(testdata.DelawarePBF(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(src[:20000])
	f.Add(src[:1000])
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "fuzz.osm.pbf")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		ex, err := Read(context.Background(), p, Options{})
		if err != nil && !strings.Contains(err.Error(), p) {
			t.Errorf("error does not name the file: %v", err)
		}
		if err == nil && ex == nil {
			t.Error("no error and no extract")
		}
	})
}
