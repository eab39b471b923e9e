package population

import (
	"bufio"
	"bytes"
	"math"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/twpayne/go-geos"

	"commonground/internal/geo"
	"commonground/internal/problem"
	"commonground/internal/testdata"
)

// A hand-made grid: 100 m cells, 6 x 6, on a projection centred at 0°, 45°.
var hand = Grid{Proj: geo.NewProjection(0, 45), Size: 100, X0: 0, Y0: 0, Cols: 6, Rows: 6}

// at returns the lon/lat point at grid units (u, v) of the hand grid, so
// test geometry can be drawn in cells and worked out by hand.
func at(u, v float64) orb.Point {
	return hand.Proj.Inverse(orb.Point{hand.X0 + u*hand.Size, hand.Y0 + v*hand.Size})
}

func rect(u0, v0, u1, v1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1), at(u0, v0)}}}
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func TestAllocateByHand(t *testing.T) {
	// Zone A covers columns 0..1.5, zone B 1.5..3, both rows 0..3; a street
	// runs along v = 1.5 from u = 0.5 to u = 2.5, so it lies a quarter in
	// cell (0,1), half in the straddling cell (1,1) and a quarter in (2,1).
	// A gets the street from 0.5 to 1.5: half in (0,1), half in (1,1);
	// B from 1.5 to 2.5: half in (1,1), half in (2,1).
	// Zone C (1.5 x 1.5 cells at the top left, no streets) falls back to
	// area: cell (0,3) is wholly inside (1 of 2.25 cells), (1,3) and (0,4)
	// half, (1,4) a quarter.
	zones := []Zone{
		{ID: "A", Pop: 100, Geom: rect(0, 0, 1.5, 3)},
		{ID: "B", Pop: 300, Geom: rect(1.5, 0, 3, 3)},
		{ID: "C", Pop: 90, Geom: rect(0, 3, 1.5, 4.5)},
	}
	street := orb.LineString{at(0.5, 1.5), at(2.5, 1.5)}
	outside := orb.LineString{at(4.5, 0.5), at(4.5, 5.5)} // in no zone
	var probs problem.List
	al, err := Allocate(hand, zones, []orb.LineString{street, outside}, &probs)
	if err != nil {
		t.Fatal(err)
	}
	L := geo.Distance(street[0], street[1])
	type want struct {
		col, row int
		pop      float64
		parts    []Part
		streetM  float64
	}
	wants := []want{
		{0, 1, 50, []Part{{0, 50}}, L / 4},
		{1, 1, 200, []Part{{0, 50}, {1, 150}}, L / 2},
		{2, 1, 150, []Part{{1, 150}}, L / 4},
		{0, 3, 40, []Part{{2, 40}}, 0},
		{1, 3, 20, []Part{{2, 20}}, 0},
		{0, 4, 20, []Part{{2, 20}}, 0},
		{1, 4, 10, []Part{{2, 10}}, 0},
	}
	sort.Slice(wants, func(i, j int) bool {
		return hand.Index(wants[i].col, wants[i].row) < hand.Index(wants[j].col, wants[j].row)
	})
	if len(al.Cells) != len(wants) {
		t.Fatalf("%d cells, want %d: %+v", len(al.Cells), len(wants), al.Cells)
	}
	for i, w := range wants {
		c := al.Cells[i]
		if c.Index != hand.Index(w.col, w.row) || !near(c.Pop, w.pop, 1e-9) || !near(c.StreetM, w.streetM, 1e-9) || len(c.Parts) != len(w.parts) {
			t.Errorf("cell %d: got %+v, want %+v", i, c, w)
			continue
		}
		for k, p := range w.parts {
			if c.Parts[k].Zone != p.Zone || !near(c.Parts[k].Pop, p.Pop, 1e-9) {
				t.Errorf("cell %d part %d: got %+v, want %+v", i, k, c.Parts[k], p)
			}
		}
		if c.Center != hand.Center(c.Index) {
			t.Errorf("cell %d centre %v, want %v", i, c.Center, hand.Center(c.Index))
		}
	}
	if got := []Method{MethodStreets, MethodStreets, MethodArea}; strings.Join(methods(al.ZoneMethod), ",") != strings.Join(methods(got), ",") {
		t.Errorf("methods %v, want %v", al.ZoneMethod, got)
	}
	if !near(al.Total(), 490, 1e-12) {
		t.Errorf("total %v, want 490", al.Total())
	}
	if probs.Len() != 0 {
		t.Errorf("unexpected problems %v", probs.Items())
	}
}

func methods(m []Method) []string {
	s := make([]string, len(m))
	for i := range m {
		s[i] = string(m[i])
	}
	return s
}

func TestAllocateEdgeCases(t *testing.T) {
	street := orb.LineString{at(0.5, 0.5), at(0.5, 5.5)} // column 0, all rows
	cases := []struct {
		name       string
		zone       Zone
		wantMethod Method
		wantCells  int
		wantProb   string
	}{
		{"zone with a hole", Zone{ID: "H", Pop: 60, Geom: orb.MultiPolygon{{rect(0, 0, 3, 3)[0][0], rect(0.25, 1, 0.75, 2)[0][0]}}}, MethodStreets, 2, ""},
		{"zone partly outside the grid", Zone{ID: "P", Pop: 60, Geom: rect(-3, 0, 1, 1)}, MethodStreets, 1, "zone reaches 75.0% outside the study grid"},
		{"zone wholly outside the grid", Zone{ID: "O", Pop: 60, Geom: rect(-3, 0, -1, 1)}, MethodOutside, 0, "its 60 people are left out"},
		{"empty zone", Zone{ID: "E", Pop: 0, Geom: rect(0, 0, 1, 1)}, MethodStreets, 0, ""},
		{"half-metre street sliver only", Zone{ID: "S", Pop: 10, Geom: rect(0.4, 0, 2, 0.505)}, MethodArea, 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var probs problem.List
			al, err := Allocate(hand, []Zone{c.zone}, []orb.LineString{street}, &probs)
			if err != nil {
				t.Fatal(err)
			}
			if al.ZoneMethod[0] != c.wantMethod || len(al.Cells) != c.wantCells {
				t.Errorf("method %s, %d cells; want %s, %d", al.ZoneMethod[0], len(al.Cells), c.wantMethod, c.wantCells)
			}
			if c.wantMethod != MethodOutside && !near(al.Total(), c.zone.Pop, 1e-12) {
				t.Errorf("total %v, want %v", al.Total(), c.zone.Pop)
			}
			if got := strings.Join(probs.Summary(), "; "); !strings.Contains(got, c.wantProb) || (c.wantProb == "") != (got == "") {
				t.Errorf("problems %q, want %q", got, c.wantProb)
			}
		})
	}
	// The hole takes the street from v = 1 to 2 out of the zone, leaving
	// half a cell of street in (0,0) and a whole one in (0,2): 20 + 40.
	al, _ := Allocate(hand, []Zone{cases[0].zone}, []orb.LineString{street}, nil)
	if len(al.Cells) != 2 || al.Cells[0].Index != hand.Index(0, 0) || !near(al.Cells[0].Pop, 20, 1e-9) ||
		al.Cells[1].Index != hand.Index(0, 2) || !near(al.Cells[1].Pop, 40, 1e-9) {
		t.Errorf("zone with a hole: %+v, want 20 in (0,0) and 40 in (0,2)", al.Cells)
	}
	// The sliver zone spreads by area: 0.6 x 0.505 cells in (0,0) and
	// 1 x 0.505 in (1,0), so 10 people split 3.75 / 6.25.
	al, _ = Allocate(hand, []Zone{cases[4].zone}, []orb.LineString{street}, nil)
	if len(al.Cells) != 2 || !near(al.Cells[0].Pop, 3.75, 1e-9) || !near(al.Cells[1].Pop, 6.25, 1e-9) {
		t.Errorf("sliver zone: %+v, want 3.75 and 6.25", al.Cells)
	}
}

func TestAllocateRejects(t *testing.T) {
	if _, err := Allocate(Grid{}, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "grid is empty") {
		t.Errorf("empty grid: %v", err)
	}
	_, err := Allocate(hand, []Zone{{ID: "N", Pop: math.NaN(), Geom: rect(0, 0, 1, 1)}}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "zone 1 (N) has population NaN") {
		t.Errorf("NaN population: %v", err)
	}
	if _, err := Estimate(hand, nil, 100, nil); err == nil || !strings.Contains(err.Error(), "no residential streets") {
		t.Errorf("estimate without streets: %v", err)
	}
}

func TestEstimate(t *testing.T) {
	s1 := orb.LineString{at(0.2, 0.5), at(0.9, 0.5)}               // cell (0,0)
	s2 := orb.LineString{at(3.5, 3.1), at(3.5, 3.4), at(3.9, 3.4)} // cell (3,3)
	l1, l2 := geo.LineLength(s1), geo.LineLength(s2)
	cases := []struct {
		name string
		area orb.MultiPolygon
		want map[int]float64
	}{
		{"whole grid", nil, map[int]float64{hand.Index(0, 0): 1000 * l1 / (l1 + l2), hand.Index(3, 3): 1000 * l2 / (l1 + l2)}},
		{"study area holds s2 only", rect(2, 2, 5, 5), map[int]float64{hand.Index(3, 3): 1000}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			al, err := Estimate(hand, []orb.LineString{s1, s2}, 1000, c.area)
			if err != nil {
				t.Fatal(err)
			}
			if len(al.Cells) != len(c.want) || al.ZoneMethod[0] != MethodEstimate {
				t.Fatalf("cells %+v, methods %v", al.Cells, al.ZoneMethod)
			}
			for _, cell := range al.Cells {
				if !near(cell.Pop, c.want[cell.Index], 1e-12) || cell.Parts != nil {
					t.Errorf("cell %d: %v people, want %v", cell.Index, cell.Pop, c.want[cell.Index])
				}
			}
			if !near(al.Total(), 1000, 1e-12) {
				t.Errorf("total %v, want 1000", al.Total())
			}
		})
	}
}

var (
	residentialOnce sync.Once
	residential     []orb.LineString
	residentialErr  string
)

// delawareResidential reads the residential streets of the Delaware OSM
// extract with GDAL's OSM driver (ways tagged highway=residential or
// living_street), independently of the project's own OSM reader.
func delawareResidential(tb testing.TB) []orb.LineString {
	tb.Helper()
	pbf := testdata.DelawarePBF(tb)
	residentialOnce.Do(func() {
		ogr, err := exec.LookPath("ogr2ogr")
		if err != nil {
			residentialErr = "ogr2ogr (gdal-bin) is needed to read the Delaware streets"
			return
		}
		out, err := exec.Command(ogr, "-f", "GeoJSONSeq", "-lco", "COORDINATE_PRECISION=7", "/vsistdout/", pbf, "lines",
			"-where", "highway IN ('residential','living_street')", "-select", "highway").Output()
		if err != nil {
			residentialErr = "ogr2ogr: " + err.Error()
			return
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			f, err := geojson.UnmarshalFeature(sc.Bytes())
			if err != nil {
				residentialErr = err.Error()
				return
			}
			if ls, ok := f.Geometry.(orb.LineString); ok {
				residential = append(residential, ls)
			}
		}
	})
	if residentialErr != "" {
		tb.Fatal(residentialErr)
	}
	return residential
}

func tractsBound(zones []Zone) orb.Bound {
	b := zones[0].Geom.Bound()
	for _, z := range zones[1:] {
		b = b.Union(z.Geom.Bound())
	}
	return b
}

func TestAllocateDelaware(t *testing.T) {
	zones := readTracts(t)
	streets := delawareResidential(t)
	if len(streets) < 20000 {
		t.Fatalf("only %d residential ways read", len(streets))
	}
	b := tractsBound(zones)
	g := NewGrid(b, 250)
	var probs problem.List
	al, err := Allocate(g, zones, streets, &probs)
	if err != nil {
		t.Fatal(err)
	}
	byZone := make([]float64, len(zones))
	cellsOf := make([]int, len(zones))
	pad := 0.003 // half a 250 m cell's diagonal is under 0.0025° here
	for i, c := range al.Cells {
		if c.Pop <= 0 {
			t.Errorf("cell %d has %v people", c.Index, c.Pop)
		}
		if i > 0 && al.Cells[i-1].Index >= c.Index {
			t.Fatalf("cells not sorted by index at %d", i)
		}
		if c.Center[0] < b.Min[0]-pad || c.Center[0] > b.Max[0]+pad || c.Center[1] < b.Min[1]-pad || c.Center[1] > b.Max[1]+pad {
			t.Errorf("cell centre %v outside the tracts' bound %v", c.Center, b)
		}
		var sum float64
		for k, p := range c.Parts {
			if k > 0 && c.Parts[k-1].Zone >= p.Zone {
				t.Fatalf("parts of cell %d not sorted by zone", c.Index)
			}
			byZone[p.Zone] += p.Pop
			cellsOf[p.Zone]++
			sum += p.Pop
		}
		if !near(sum, c.Pop, 1e-9) {
			t.Errorf("cell %d: parts add to %v, pop %v", c.Index, sum, c.Pop)
		}
	}
	for zi, z := range zones {
		if math.Abs(byZone[zi]-z.Pop) > 1 || math.Abs(byZone[zi]-z.Pop) > 1e-6*z.Pop {
			t.Errorf("tract %s: %v people on the grid, want %v", z.ID, byZone[zi], z.Pop)
		}
	}
	if math.Abs(al.Total()-897934) > 1 {
		t.Errorf("total %v, want 897934", al.Total())
	}
	nArea, areaPop := 0, 0.0
	for zi, m := range al.ZoneMethod {
		if m == MethodArea {
			nArea++
			areaPop += zones[zi].Pop
			t.Logf("area fallback: tract %s, %v people, %.1f km²", zones[zi].ID, zones[zi].Pop, lonLatArea(zones[zi].Geom)/1e6)
		} else if m != MethodStreets {
			t.Errorf("unexpected method %q", m)
		}
	}
	t.Logf("grid %d x %d = %d cells; %d populated; %d of %d tracts (%.1f%%) fell back to area; problems %v",
		g.Cols, g.Rows, g.Len(), len(al.Cells), nArea, len(zones), 100*float64(nArea)/float64(len(zones)), probs.Summary())
	if nArea > len(zones)/10 || areaPop > 0.01*897934 {
		t.Errorf("%d tracts with %v people without residential streets: implausible for Delaware", nArea, areaPop)
	}
	again, err := Allocate(g, zones, streets, nil)
	if err != nil || !reflect.DeepEqual(again, al) {
		t.Errorf("a second run gave a different allocation (err %v)", err)
	}
	if len(al.Cells) < 20000 || len(al.Cells) > g.Len()/2 {
		t.Errorf("%d populated cells of %d: implausible", len(al.Cells), g.Len())
	}

	// Without the census, the same people follow the streets alone; the
	// street metres on the grid add up to the streets' own lengths (those
	// of the extract lying off the grid excepted).
	est, err := Estimate(g, streets, 897934, nil)
	if err != nil {
		t.Fatal(err)
	}
	var onGrid, all float64
	for _, c := range est.Cells {
		onGrid += c.StreetM
	}
	for _, ls := range streets {
		all += geo.LineLength(ls)
	}
	t.Logf("estimate: %d cells; %.0f of %.0f km of residential street on the grid", len(est.Cells), onGrid/1000, all/1000)
	if !near(est.Total(), 897934, 1e-9) || onGrid > all*(1+1e-9) || onGrid < 0.98*all {
		t.Errorf("estimate total %v, street metres %v of %v", est.Total(), onGrid, all)
	}

	// The largest tract of Sussex County is rural: its people must be
	// spread over many cells, not piled into one.
	big, bigArea := -1, 0.0
	for zi, z := range zones {
		if a := lonLatArea(z.Geom); strings.HasPrefix(z.ID, "10005") && a > bigArea {
			big, bigArea = zi, a
		}
	}
	var maxShare float64
	for _, c := range al.Cells {
		for _, p := range c.Parts {
			if int(p.Zone) == big {
				maxShare = math.Max(maxShare, p.Pop/zones[big].Pop)
			}
		}
	}
	t.Logf("largest Sussex tract %s (%.0f km², %v people): %d cells, largest share %.1f%%",
		zones[big].ID, bigArea/1e6, zones[big].Pop, cellsOf[big], 100*maxShare)
	if cellsOf[big] <= 20 || maxShare > 0.25 {
		t.Errorf("largest Sussex tract spread over %d cells, largest share %.2f", cellsOf[big], maxShare)
	}
}

// TestAllocateAgreesWithGEOS checks the clipping against GEOS on real
// tracts: the area and residential street length of zone ∩ cell, summed
// per tract, computed with GEOS intersections in grid units.
func TestAllocateAgreesWithGEOS(t *testing.T) {
	zones := readTracts(t)
	streets := delawareResidential(t)
	g := NewGrid(tractsBound(zones), 250)
	st := cutStreets(g, streets)
	ctx := geos.NewContext()
	toGrid := func(p orb.Point) []float64 {
		q := g.Proj.Forward(p)
		return []float64{(q[0] - g.X0) / g.Size, (q[1] - g.Y0) / g.Size}
	}
	// Streets in grid units as one GEOS multilinestring, with each
	// segment's metres per grid unit to turn GEOS lengths into metres.
	lineGeoms := func(b orb.Bound) *geos.Geom {
		var lines []*geos.Geom
		for _, ls := range streets {
			if !ls.Bound().Intersects(b) {
				continue
			}
			cs := make([][]float64, len(ls))
			for i, p := range ls {
				cs[i] = toGrid(p)
			}
			lines = append(lines, ctx.NewLineString(cs))
		}
		return ctx.NewCollection(geos.TypeIDMultiLineString, lines)
	}
	metresPerUnit := g.Size // the projection's scale error is under 1e-4 in Delaware
	var worstArea, worstLen float64
	checked := 0
	for zi := 0; zi < len(zones); zi += 7 { // a sample of 32 tracts
		z := zones[zi]
		var polys []*geos.Geom
		for _, p := range z.Geom {
			var rs [][][]float64
			for _, r := range p {
				var cs [][]float64
				for _, pt := range r {
					cs = append(cs, toGrid(pt))
				}
				rs = append(rs, cs)
			}
			polys = append(polys, ctx.NewPolygon(rs))
		}
		zg := ctx.NewCollection(geos.TypeIDMultiPolygon, polys)
		wantArea := zg.Area()
		wantLen := zg.Intersection(lineGeoms(z.Geom.Bound())).Length() * metresPerUnit
		res := st.zone(g, z.Geom)
		var gotArea, gotLen float64
		for _, c := range res.cells {
			gotArea += c.area
			gotLen += c.w
		}
		worstArea = math.Max(worstArea, math.Abs(gotArea-wantArea)/wantArea)
		if wantLen > 1000 {
			worstLen = math.Max(worstLen, math.Abs(gotLen-wantLen)/wantLen)
		}
		checked++
	}
	t.Logf("%d tracts: worst area difference %.2g, worst street length difference %.2g", checked, worstArea, worstLen)
	if worstArea > 1e-9 || worstLen > 0.002 {
		t.Errorf("clipping disagrees with GEOS: area %.3g, street length %.3g", worstArea, worstLen)
	}
}

func BenchmarkAllocateDelaware(b *testing.B) {
	zones := readTracts(b)
	streets := delawareResidential(b)
	g := NewGrid(tractsBound(zones), 250)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Allocate(g, zones, streets, nil); err != nil {
			b.Fatal(err)
		}
	}
}
