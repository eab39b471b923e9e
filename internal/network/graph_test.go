package network

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
	"commonground/internal/street"
)

// deg is the length of 0.001 degree of a great circle: a side of the small
// squares below (near the equator, where a degree of longitude is as long as
// one of latitude to 1.5e-10).
var deg = geo.EarthRadius * math.Pi / 180 * 0.001

// fixture makes ways from a node table: each way is "tags: id id id".
func fixture(coords map[int64]orb.Point, ways ...string) []street.Way {
	var out []street.Way
	for i, w := range ways {
		tg, ids, _ := strings.Cut(w, ":")
		sw := street.Way{ID: int64(i + 1), Tags: tags(tg)}
		for _, f := range strings.Fields(ids) {
			var id int64
			for _, c := range f {
				id = id*10 + int64(c-'0')
			}
			sw.Nodes = append(sw.Nodes, id)
			sw.Points = append(sw.Points, coords[id])
		}
		out = append(out, sw)
	}
	return out
}

func mustBuild(t *testing.T, ways []street.Way, p Profile) (*Graph, Stats) {
	t.Helper()
	g, st, err := Build(ways, p)
	if err != nil {
		t.Fatal(err)
	}
	return g, st
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// square: 1(0,0) 2(0.001,0) 3(0.001,0.001) 4(0,0.001), two ways 1-2-3 and
// 3-4-1, so the graph has vertices 1 and 3 and two edges of two sides each.
var squareCoords = map[int64]orb.Point{1: {0, 0}, 2: {0.001, 0}, 3: {0.001, 0.001}, 4: {0, 0.001}}

func TestSquareWalk(t *testing.T) {
	ways := fixture(squareCoords, "highway=residential: 1 2 3", "highway=footway: 3 4 1")
	g, st := mustBuild(t, ways, WalkProfile(3.6)) // 1 m/s: costs equal metres
	if st.Nodes != 2 || st.Edges != 2 || st.Arcs != 4 || st.WaysUsed != 2 || st.Components != 1 || st.NodesDropped != 0 {
		t.Fatalf("stats = %+v, want 2 vertices, 2 edges, 4 arcs, 1 component", st)
	}
	if !near(st.KM, 4*deg/1000, 1e-6) {
		t.Errorf("KM = %v, want %v", st.KM, 4*deg/1000)
	}
	src, ok := g.Snap(orb.Point{0, 0}, 10)
	if !ok || src.Dist > 1e-6 {
		t.Fatalf("snap at vertex 1: %+v %v", src, ok)
	}
	field := g.Nearest([]Source{{At: src, Label: 7}})
	tests := []struct {
		name string
		pt   orb.Point
		want float64 // seconds = metres
	}{
		{"at the source", orb.Point{0, 0}, 0},
		{"corner 2, one side", orb.Point{0.001, 0}, deg},
		{"corner 4, one side the other way", orb.Point{0, 0.001}, deg},
		{"opposite corner 3", orb.Point{0.001, 0.001}, 2 * deg},
		{"middle of side 2-3", orb.Point{0.001, 0.0005}, 1.5 * deg},
		{"middle of side 3-4", orb.Point{0.0005, 0.001}, 1.5 * deg},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := g.Snap(tc.pt, 1)
			if !ok {
				t.Fatal("no snap")
			}
			c, lab, ok := field.At(s)
			if !ok || lab != 7 || !near(c, tc.want, 1e-6) {
				t.Errorf("At = %v, %d, %v; want %v, 7", c, lab, ok, tc.want)
			}
		})
	}
}

func TestSnapMiddleOfLongSegment(t *testing.T) {
	coords := map[int64]orb.Point{1: {0, 0}, 2: {0.01, 0}}
	g, _ := mustBuild(t, fixture(coords, "highway=residential: 1 2"), WalkProfile(4.8))
	tests := []struct {
		name     string
		pt       orb.Point
		max      float64
		ok       bool
		frac     float64
		dist     float64
		snapped  orb.Point
		distTol  float64
		pointTol float64
	}{
		// 0.001 degree north of the middle: perpendicular foot at (0.005, 0).
		{"north of middle", orb.Point{0.005, 0.001}, 500, true, 0.5, deg, orb.Point{0.005, 0}, 1e-6, 1e-12},
		{"south, a quarter along", orb.Point{0.0025, -0.0005}, 500, true, 0.25, deg / 2, orb.Point{0.0025, 0}, 1e-6, 1e-12},
		// Beyond the end the nearest point is the end vertex itself.
		{"beyond the end", orb.Point{0.011, 0}, 500, true, 1, deg, orb.Point{0.01, 0}, 1e-6, 1e-12},
		{"too far", orb.Point{0.005, 0.001}, 100, false, 0, 0, orb.Point{}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := g.Snap(tc.pt, tc.max)
			if ok != tc.ok {
				t.Fatalf("Snap ok = %v, want %v (%+v)", ok, tc.ok, s)
			}
			if !ok {
				if s.Edge != -1 {
					t.Errorf("failed snap has Edge %d, want -1", s.Edge)
				}
				return
			}
			if !near(s.Frac, tc.frac, 1e-9) || !near(s.Dist, tc.dist, tc.distTol) ||
				!near(s.Point[0], tc.snapped[0], tc.pointTol) || !near(s.Point[1], tc.snapped[1], tc.pointTol) {
				t.Errorf("Snap = %+v, want frac %v dist %v at %v", s, tc.frac, tc.dist, tc.snapped)
			}
		})
	}
}

// The one-way fixture: 1(0,0) -> 2(0.01,0) is one-way at 36 km/h (10 m/s),
// and 2-3-4-1 around three sides of a square is two-way at 36 km/h. Each side
// is L = 10*deg metres, so the one-way costs L/10 s and the way back 3L/10 s.
var onewayCoords = map[int64]orb.Point{1: {0, 0}, 2: {0.01, 0}, 3: {0.01, 0.01}, 4: {0, 0.01}, 5: {0.02, 0}}

func TestOnewayDrive(t *testing.T) {
	L := 10 * deg
	ways := fixture(onewayCoords,
		"highway=residential oneway=yes maxspeed=36: 1 2",
		"highway=residential maxspeed=36: 2 3 4 1",
		// A one-way spur out to 5 with no way back: a car there is stuck,
		// so the strongly connected component drops it.
		"highway=service oneway=yes: 2 5",
	)
	g, st := mustBuild(t, ways, DriveProfile(4.8, nil))
	if st.Nodes != 2 || st.NodesDropped != 1 || st.WaysDropped != 1 || st.Edges != 2 || st.Arcs != 3 || st.Components != 2 {
		t.Fatalf("stats = %+v; want 2 vertices kept, 1 dropped with its way, 2 edges, 3 arcs, 2 components", st)
	}
	if !near(st.DroppedShare, 1.0/3, 1e-12) {
		t.Errorf("DroppedShare = %v, want 1/3", st.DroppedShare)
	}
	snap := func(pt orb.Point) Snap {
		t.Helper()
		s, ok := g.Snap(pt, 1)
		if !ok {
			t.Fatalf("no snap at %v", pt)
		}
		return s
	}
	toA := g.Nearest([]Source{{At: snap(orb.Point{0, 0}), Label: 1}})
	toB := g.Nearest([]Source{{At: snap(orb.Point{0.01, 0}), Label: 2}})
	onOneway := func(f float64) Snap { return snap(orb.Point{0.01 * f, 0}) }
	// A source on the one-way at 0.3 of its length, with 5 s already spent.
	midSrc := Source{At: onOneway(0.3), Label: 3, Start: 5}
	toMid := g.Nearest([]Source{midSrc})
	tests := []struct {
		name   string
		field  *Field
		origin Snap
		want   float64
	}{
		{"A to B along the one-way", toB, snap(orb.Point{0, 0}), L / 10},
		{"B to A must go around", toA, snap(orb.Point{0.01, 0}), 3 * L / 10},
		{"same edge, source ahead", toMid, onOneway(0.1), 5 + 0.2*L/10},
		{"same edge, source behind: go around", toMid, onOneway(0.7), 5 + (0.3+3+0.3)*L/10},
		// Halfway up side 2-3, the cheaper way is on round 3-4-1: 2.5 L.
		{"from the loop road", toMid, snap(orb.Point{0.01, 0.005}), 5 + (2.5+0.3)*L/10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// 1e-4 s: the side at latitude 0.01 is shorter than L by 1.7e-5 m.
			c, _, ok := tc.field.At(tc.origin)
			if !ok || !near(c, tc.want, 1e-4) {
				t.Errorf("At = %v, %v; want %v", c, ok, tc.want)
			}
		})
	}
	// Reach from the same source must agree with the field.
	origins := []Snap{onOneway(0.1), onOneway(0.7), snap(orb.Point{0.01, 0.005}), NoSnap}
	targets := g.NewTargets(origins)
	got := map[int32]float64{}
	g.Reach(midSrc, 5+0.5*L/10, targets, func(i int32, c float64) { got[i] = c })
	if len(got) != 1 || !near(got[0], 5+0.2*L/10, 1e-4) {
		t.Errorf("Reach within 5+0.5L/10 s = %v, want only target 0 at %v", got, 5+0.2*L/10)
	}
	got = map[int32]float64{}
	g.Reach(midSrc, 1e9, targets, func(i int32, c float64) { got[i] = c })
	for i, o := range origins[:3] {
		want, _, _ := toMid.At(o)
		if !near(got[int32(i)], want, 1e-9) {
			t.Errorf("Reach target %d = %v, want %v", i, got[int32(i)], want)
		}
	}
	if len(got) != 3 {
		t.Errorf("Reach visited %d targets, want 3 (the unsnapped one left out)", len(got))
	}

	// Walking ignores the one-way and keeps the spur.
	gw, stw := mustBuild(t, ways, WalkProfile(3.6))
	if stw.Nodes != 3 || stw.Arcs != 6 {
		t.Errorf("walk stats = %+v, want 3 vertices and 6 arcs", stw)
	}
	s, _ := gw.Snap(orb.Point{0.01, 0}, 1)
	a, _ := gw.Snap(orb.Point{0, 0}, 1)
	if c, _, _ := gw.Nearest([]Source{{At: a}}).At(s); !near(c, L, 1e-6) {
		t.Errorf("walk B to A = %v s, want %v (straight back along the one-way)", c, L)
	}
}

func TestSameEdgeTwoWay(t *testing.T) {
	coords := map[int64]orb.Point{1: {0, 0}, 2: {0.01, 0}}
	g, _ := mustBuild(t, fixture(coords, "highway=residential: 1 2"), WalkProfile(3.6))
	L := 10 * deg
	at := func(f float64) Snap { s, _ := g.Snap(orb.Point{0.01 * f, 0.0001}, 50); return s }
	field := g.Nearest([]Source{{At: at(0.7), Label: 1, Start: 5}, {At: at(0.05), Label: 2}})
	tests := []struct {
		name  string
		frac  float64
		want  float64
		label int32
	}{
		{"between, nearer the Start-5 source", 0.5, 5 + 0.2*L, 1},
		{"near the other", 0.2, 0.15 * L, 2},
		{"past the end", 0.9, 5 + 0.2*L, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, lab, ok := field.At(at(tc.frac))
			if !ok || lab != tc.label || !near(c, tc.want, 1e-6) {
				t.Errorf("At = %v, %d; want %v, %d", c, lab, tc.want, tc.label)
			}
		})
	}
}

func TestIslandDropped(t *testing.T) {
	coords := map[int64]orb.Point{1: {0, 0}, 2: {0.001, 0}, 3: {0.001, 0.001}, 4: {0, 0.001},
		10: {0.05, 0}, 11: {0.051, 0}}
	ways := fixture(coords, "highway=residential: 1 2 3", "highway=residential: 3 4 1", "highway=footway: 10 11")
	g, st := mustBuild(t, ways, WalkProfile(4.8))
	if st.Components != 2 || st.NodesDropped != 2 || st.WaysDropped != 1 || st.Nodes != 2 {
		t.Fatalf("stats = %+v, want the 2-vertex island dropped", st)
	}
	if _, ok := g.Snap(orb.Point{0.0505, 0}, 500); ok {
		t.Error("a point on the dropped island snapped within 500 m")
	}
	s, ok := g.Snap(orb.Point{0.0505, 0}, math.Inf(1))
	if want := geo.Distance(orb.Point{0.0505, 0}, orb.Point{0.001, 0}); !ok || !near(s.Dist, want, 1e-6) {
		t.Errorf("unbounded snap = %+v, want the square's corner %v m away", s, want)
	}
}

func TestBuildProblems(t *testing.T) {
	ways := fixture(squareCoords, "highway=residential: 1 2 3", "highway=residential: 3 4 1")
	broken := street.Way{ID: 77, Tags: tags("highway=residential"), Nodes: []int64{1, 3}, Points: []orb.Point{{0, 0}}}
	odd := street.Way{ID: 78, Tags: tags("highway=residential maxspeed=quick"), Nodes: []int64{1, 2}, Points: []orb.Point{{0, 0}, {0.001, 0}}}
	_, st := mustBuild(t, append(ways, broken, odd), DriveProfile(4.8, nil))
	items := st.Problems.Items()
	if len(items) != 2 || items[0].Feature != "way/77" || items[1].Feature != "way/78" || items[1].Value != "quick" {
		t.Fatalf("problems = %v, want way/77 skipped and way/78 maxspeed warning", items)
	}
	if !strings.Contains(items[0].Message, "2 node ids but 1 coordinates") {
		t.Errorf("message %q does not say what is wrong", items[0].Message)
	}

	if _, _, err := Build(nil, WalkProfile(4.8)); !errors.Is(err, ErrNoStreets) {
		t.Errorf("Build(nil) error = %v, want ErrNoStreets", err)
	}
	if _, _, err := Build(ways, WalkProfile(0)); err == nil || !strings.Contains(err.Error(), "walking speed") {
		t.Errorf("zero walking speed: error = %v", err)
	}
	if _, _, err := Build(ways, DriveProfile(4.8, map[string]float64{"residential": -1})); err == nil || !strings.Contains(err.Error(), "highway=residential") {
		t.Errorf("negative speed: error = %v", err)
	}
}

// TestSnapSkipsUnlinkable: a way along latitude 0 and a residential street
// 0.002 degree north, joined at both ends; a point 0.0005 north of the way
// is nearer to it, but a trip cannot start on a motorway, in a tunnel or
// under a covered way (R5's LINKABLE rule), so it joins the street 1.5
// thousandths of a degree away; an ordinary footway it joins directly.
func TestSnapSkipsUnlinkable(t *testing.T) {
	coords := map[int64]orb.Point{1: {0, 0}, 2: {0.01, 0}, 3: {0, 0.002}, 4: {0.01, 0.002}}
	pt := orb.Point{0.005, 0.0005}
	tests := []struct {
		name    string
		tags    string
		p       Profile
		wantWay int64
	}{
		{"drive, motorway", "highway=motorway oneway=no", DriveProfile(4.8, nil), 2},
		{"drive, motorway ramp", "highway=motorway_link oneway=no", DriveProfile(4.8, nil), 2},
		{"walk, motorway open to walkers", "highway=motorway foot=yes", WalkProfile(4.8), 2},
		{"walk, pedestrian tunnel", "highway=footway tunnel=yes", WalkProfile(4.8), 2},
		{"walk, covered footway", "highway=footway covered=yes", WalkProfile(4.8), 2},
		{"drive, road tunnel", "highway=primary tunnel=yes", DriveProfile(4.8, nil), 2},
		{"walk, footway", "highway=footway", WalkProfile(4.8), 1},
		{"walk, tunnel=no", "highway=footway tunnel=no", WalkProfile(4.8), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ways := fixture(coords, tc.tags+": 1 2", "highway=residential: 3 4", "highway=residential: 1 3", "highway=residential: 2 4")
			g, _ := mustBuild(t, ways, tc.p)
			want := map[int64]float64{1: 0.5 * deg, 2: 1.5 * deg}[tc.wantWay]
			s, ok := g.Snap(pt, 1000)
			if !ok || g.EdgeWay(s.Edge) != tc.wantWay || !near(s.Dist, want, 1e-6) {
				t.Errorf("snap = %+v on way %d, want way %d at %v m", s, g.EdgeWay(s.Edge), tc.wantWay, want)
			}
		})
	}
}
