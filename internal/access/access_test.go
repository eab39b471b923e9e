package access

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
	"commonground/internal/network"
	"commonground/internal/street"
)

// deg is the length in metres of 0.001 degree of a great circle; on the
// equator it is also 0.001 degree of longitude (to 1.5e-10).
var deg = geo.EarthRadius * math.Pi / 180 * 0.001

// One straight residential street along the equator from lon 0 to 0.01
// (10 deg long). Walking at 3.6 km/h (1 m/s) makes seconds equal metres;
// driving at 36 km/h (10 m/s).
func line(t *testing.T) (*network.Graph, *network.Graph) {
	t.Helper()
	ways := []street.Way{{
		ID: 1, Tags: street.TagsOf(map[string]string{"highway": "residential"}),
		Nodes: []int64{1, 2}, Points: []orb.Point{{0, 0}, {0.01, 0}},
	}}
	walk, _, err := network.Build(ways, network.WalkProfile(3.6))
	if err != nil {
		t.Fatal(err)
	}
	drive, _, err := network.Build(ways, network.DriveProfile(3.6, map[string]float64{"residential": 36}))
	if err != nil {
		t.Fatal(err)
	}
	return walk, drive
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestNearestByHand(t *testing.T) {
	walk, drive := line(t)
	origins := []orb.Point{
		{0.004, -0.0002}, // 0.2 deg south of the street, at 4 deg along
		{0.0095, 0},      // on the street, beyond place 1
		{0.005, 0.05},    // 5.5 km north: beyond the snap limit
	}
	e := NewEngine(walk, drive, 1, 1000, origins)
	if e.Unsnapped[Walk] != 1 || e.Unsnapped[Drive] != 1 {
		t.Errorf("unsnapped = %v, want one per mode", e.Unsnapped)
	}
	dests := []Dest{
		{Point: orb.Point{0.002, 0.0001}, Label: 10}, // 0.1 deg north of the street at 2 deg
		{Point: orb.Point{0.009, 0}, Label: 11},      // on the street at 9 deg
	}
	tests := []struct {
		name   string
		mode   Mode
		origin int
		label  int32
		secs   float64 // worked by hand
	}{
		// Walk 0.2 deg to the street, 2 deg along it, 0.1 deg to the door.
		{"walk to the near place", Walk, 0, 10, (0.2 + 2 + 0.1) * deg},
		// 0.5 deg back along the street to place 1.
		{"walk from beyond place 1", Walk, 1, 11, 0.5 * deg},
		// The legs off the street are walked (1 m/s), the street driven (10 m/s).
		{"drive to the near place", Drive, 0, 10, 0.2*deg + 2*deg/10 + 0.1*deg},
		{"drive from beyond place 1", Drive, 1, 11, 0.5 * deg / 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mins, labels := e.Nearest(tc.mode, dests)
			if labels[tc.origin] != tc.label || !near(mins[tc.origin]*60, tc.secs, 1e-3) {
				t.Errorf("origin %d: %.4f s to %d, want %.4f s to %d", tc.origin, mins[tc.origin]*60, labels[tc.origin], tc.secs, tc.label)
			}
			if !math.IsNaN(mins[2]) || labels[2] != -1 {
				t.Errorf("unsnapped origin: %v %d, want NaN -1", mins[2], labels[2])
			}
		})
	}
	// No destinations: everyone unreachable.
	mins, _ := e.Nearest(Walk, nil)
	for i, m := range mins {
		if !math.IsNaN(m) {
			t.Errorf("origin %d reaches nothing in %v min", i, m)
		}
	}
}

func TestNearbyByHand(t *testing.T) {
	walk, drive := line(t)
	origins := []orb.Point{{0.004, -0.0002}, {0.0095, 0}}
	e := NewEngine(walk, drive, 1, 1000, origins)
	dests := []Dest{
		{Point: orb.Point{0.002, 0.0001}, Label: 0},
		{Point: orb.Point{0.0021, 0.0001}, Label: 0}, // a second entrance of place 0
		{Point: orb.Point{0.009, 0}, Label: 1},
		{Point: orb.Point{0.0045, 0}, Label: 2},
	}
	kind := func(l int32) uint32 { return []uint32{1, 2, 1}[l] }
	// Origin 0: place 2 at (0.2+0.5) deg = 77.8 m, place 0 at 2.2 deg (its
	// second entrance, 1.9+0.1+0.2) = 244.6 m, place 1 at 5.2 deg = 578.2 m.
	// Origin 1: place 1 at 0.5 deg, place 2 at 5 deg, place 0 at 7.5 deg.
	tests := []struct {
		name    string
		minutes float64
		count   []int32
		kinds   []uint32
	}{
		{"2 minutes", 2, []int32{1, 1}, []uint32{1, 2}},
		{"5 minutes", 5, []int32{2, 1}, []uint32{1, 2}},
		{"10 minutes", 10, []int32{3, 2}, []uint32{3, 3}},
		{"15 minutes", 15, []int32{3, 3}, []uint32{3, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			count, kinds, err := e.Nearby(context.Background(), dests, kind, tc.minutes, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i := range origins {
				if count[i] != tc.count[i] || kinds[i] != tc.kinds[i] {
					t.Errorf("origin %d: %d places, kinds %b; want %d, %b", i, count[i], kinds[i], tc.count[i], tc.kinds[i])
				}
			}
		})
	}
}

// TestNearbyAgreesWithNearest: on a real network, a place counted within the
// walk limit must be no closer than the nearest place, and every origin whose
// nearest place is within the limit must count at least one.
func TestNearbyAgreesWithNearest(t *testing.T) {
	var ways []street.Way
	// A 6 x 6 grid of streets 0.001 degree apart.
	id := int64(1)
	node := func(i, j int) int64 { return int64(i*10 + j + 1) }
	for i := 0; i < 6; i++ {
		var h, v street.Way
		h.ID, v.ID = id, id+1
		id += 2
		h.Tags = street.Tags{{Key: "highway", Value: "residential"}}
		v.Tags = h.Tags
		for j := 0; j < 6; j++ {
			h.Nodes = append(h.Nodes, node(i, j))
			h.Points = append(h.Points, orb.Point{float64(j) * 0.001, float64(i) * 0.001})
			v.Nodes = append(v.Nodes, node(j, i))
			v.Points = append(v.Points, orb.Point{float64(i) * 0.001, float64(j) * 0.001})
		}
		ways = append(ways, h, v)
	}
	walk, _, _ := network.Build(ways, network.WalkProfile(3.6))
	drive, _, _ := network.Build(ways, network.DriveProfile(3.6, nil))
	var origins []orb.Point
	for i := 0; i < 20; i++ {
		for j := 0; j < 20; j++ {
			origins = append(origins, orb.Point{float64(i)*0.00026 + 0.0001, float64(j)*0.00026 + 0.0001})
		}
	}
	e := NewEngine(walk, drive, 1, 500, origins)
	dests := []Dest{{Point: orb.Point{0.0012, 0.0031}, Label: 0}, {Point: orb.Point{0.0044, 0.0008}, Label: 1}}
	mins, _ := e.Nearest(Walk, dests)
	const limit = 6.0 // minutes: 360 m at 1 m/s
	count, _, err := e.Nearby(context.Background(), dests, func(int32) uint32 { return 1 }, limit, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range origins {
		within := !math.IsNaN(mins[i]) && mins[i] <= limit
		if within != (count[i] > 0) {
			t.Errorf("origin %d: nearest %.3f min, but %d places counted within %v min", i, mins[i], count[i], limit)
		}
	}
}

// TestMatrixAgreesWithNearest: on the street grid, each origin's smallest
// matrix entry must equal the multi-source nearest time and label, and every
// entry must equal a single-destination nearest search.
func TestMatrixAgreesWithNearest(t *testing.T) {
	ways := gridWays()
	walk, _, _ := network.Build(ways, network.WalkProfile(3.6))
	drive, _, _ := network.Build(ways, network.DriveProfile(3.6, map[string]float64{"residential": 36}))
	origins := gridOrigins()
	e := NewEngine(walk, drive, 1, 500, origins)
	// Labels out of order in the input: the matrix must still be sorted.
	dests := []Dest{
		{Point: orb.Point{0.0044, 0.0008}, Label: 1},
		{Point: orb.Point{0.0012, 0.0031}, Label: 0},
		{Point: orb.Point{0.0030, 0.0050}, Label: 2}, {Point: orb.Point{0.0050, 0.0030}, Label: 2},
	}
	for _, m := range []Mode{Walk, Drive} {
		pairs, err := e.Matrix(context.Background(), m, dests, 1e6)
		if err != nil {
			t.Fatal(err)
		}
		mins, labels := e.Nearest(m, dests)
		single := map[int32][]float64{}
		for l := int32(0); l < 3; l++ {
			var ds []Dest
			for _, d := range dests {
				if d.Label == l {
					ds = append(ds, d)
				}
			}
			single[l], _ = e.Nearest(m, ds)
		}
		best := map[int32]Pair{}
		for k := 1; k < len(pairs); k++ {
			a, b := pairs[k-1], pairs[k]
			if a.Origin > b.Origin || a.Origin == b.Origin && a.Label >= b.Label {
				t.Fatalf("%v: pairs out of order at %d: %+v then %+v", m, k, a, b)
			}
		}
		for _, p := range pairs {
			if !near(p.Minutes, single[p.Label][p.Origin], 1e-9) {
				t.Errorf("%v: origin %d to %d: matrix %.6f, single search %.6f", m, p.Origin, p.Label, p.Minutes, single[p.Label][p.Origin])
			}
			if b, ok := best[p.Origin]; !ok || p.Minutes < b.Minutes {
				best[p.Origin] = p
			}
		}
		if len(pairs) != 3*len(origins) {
			t.Errorf("%v: %d pairs, want every origin to every destination (%d)", m, len(pairs), 3*len(origins))
		}
		for o := range origins {
			b := best[int32(o)]
			if !near(b.Minutes, mins[o], 1e-9) {
				t.Errorf("%v: origin %d: nearest %.6f (label %d), matrix minimum %.6f (label %d)", m, o, mins[o], labels[o], b.Minutes, b.Label)
			}
		}
	}
}

// TestOriginJoinsNearestStreetOnly: a dead-end spur runs 0.4 deg north of a
// street and parallel to it, joining it only at its far end (lon 0.01). An
// origin 0.1 deg from the spur's tip (lon 0.001) and 0.5 deg from the street
// joins the spur, its nearest street, and walks round by the junction:
// 0.1 + 9 (spur) + 0.4 (link) + 10 (street) deg to a place at lon 0. It is
// not let across the 0.5 deg of unmapped ground to the street, which would
// take 1.5 deg: land between streets may be private, a river or a railway.
func TestOriginJoinsNearestStreetOnly(t *testing.T) {
	ways := []street.Way{
		{ID: 1, Tags: street.TagsOf(map[string]string{"highway": "residential"}), Nodes: []int64{1, 2}, Points: []orb.Point{{0, 0}, {0.01, 0}}},
		{ID: 2, Tags: street.TagsOf(map[string]string{"highway": "service"}), Nodes: []int64{2, 6, 7}, Points: []orb.Point{{0.01, 0}, {0.01, 0.0004}, {0.001, 0.0004}}},
	}
	walk, _, err := network.Build(ways, network.WalkProfile(3.6))
	if err != nil {
		t.Fatal(err)
	}
	drive, _, err := network.Build(ways, network.DriveProfile(3.6, map[string]float64{"residential": 3.6, "service": 3.6}))
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(walk, drive, 1, 500, []orb.Point{{0.001, 0.0005}})
	if d, ok := e.OriginSnap(Walk, 0); !ok || !near(d, 0.1*deg, 1e-3) {
		t.Errorf("origin joins %v m from its street, want the spur 0.1 deg (%.3f m) away", d, 0.1*deg)
	}
	want := (0.1 + 9 + 0.4 + 10) * deg / 60
	for _, m := range []Mode{Walk, Drive} {
		mins, _ := e.Nearest(m, []Dest{{Point: orb.Point{0, 0}, Label: 1}})
		if !near(mins[0], want, 1e-6) {
			t.Errorf("%v: %.4f min, want %.4f (round by the spur)", m, mins[0], want)
		}
		pairs, err := e.Matrix(context.Background(), m, []Dest{{Point: orb.Point{0, 0}, Label: 1}}, 60)
		if err != nil || len(pairs) != 1 || !near(pairs[0].Minutes, want, 1e-6) {
			t.Errorf("%v: matrix %v (%v), want one pair of %.4f min", m, pairs, err, want)
		}
	}
}

// TestTransposeInOrder: rows built on all cores from per-label hits equal
// the rows built one pair at a time, origin by origin and label by label,
// for label orders and sizes that split the work at different places.
func TestTransposeInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 11))
	for c := range 20 {
		n := 1 + rng.IntN(3000)
		labels := make([]int32, 1+rng.IntN(300))
		parts := make([]hits, len(labels))
		for gi := range labels {
			labels[gi] = int32(rng.IntN(1000))
			for o := range n {
				if rng.IntN(4) != 0 {
					parts[gi].origin = append(parts[gi].origin, int32(o))
					parts[gi].minutes = append(parts[gi].minutes, rng.Float64())
				}
			}
			rng.Shuffle(len(parts[gi].origin), func(a, b int) {
				p := &parts[gi]
				p.origin[a], p.origin[b] = p.origin[b], p.origin[a]
				p.minutes[a], p.minutes[b] = p.minutes[b], p.minutes[a]
			})
		}
		order := rng.Perm(len(labels))
		// One pair at a time: each origin's row in the order given.
		var wantLabel []int32
		var wantMin []float64
		wantStart := []int{0}
		at := make([][]int, len(labels)) // [label][origin] pair index or -1
		for gi, p := range parts {
			at[gi] = slices.Repeat([]int{-1}, n)
			for k, o := range p.origin {
				at[gi][o] = k
			}
		}
		for o := range n {
			for _, gi := range order {
				if k := at[gi][o]; k >= 0 {
					wantLabel = append(wantLabel, labels[gi])
					wantMin = append(wantMin, parts[gi].minutes[k])
				}
			}
			wantStart = append(wantStart, len(wantLabel))
		}
		got := transpose(n, order, labels, parts)
		if !slices.Equal(got.Start, wantStart) || !slices.Equal(got.Label, wantLabel) || !slices.Equal(got.Minutes, wantMin) {
			t.Fatalf("case %d (%d origins, %d labels, %d pairs): rows differ from the pair-by-pair rows", c, n, len(labels), len(wantLabel))
		}
	}
}

// TestNearestMinutesOnHierarchy: with the drive graph's hierarchy
// prepared, NearestMinutes sweeps it, and gives NearestEach's minutes to
// the last bit, NaN where nothing is reachable, for more sets than one
// sweep takes, on a grid of one-way and two-way streets.
func TestNearestMinutesOnHierarchy(t *testing.T) {
	ways := gridWays()
	// An island of its own, 40 vertices long, that no place is on.
	far := street.Way{ID: 99, Tags: street.TagsOf(map[string]string{"highway": "residential"})}
	for k := range 40 {
		far.Nodes = append(far.Nodes, int64(1000+k))
		far.Points = append(far.Points, orb.Point{0.02 + float64(k)*0.0005, 0.02})
	}
	ways = append(ways, far)
	walk, _, _ := network.Build(ways, network.WalkProfile(3.6))
	drive, _, _ := network.Build(ways, network.DriveProfile(3.6, map[string]float64{"residential": 36}))
	origins := gridOrigins()
	origins = append(origins, orb.Point{0.025, 0.0201}) // on the island
	e := NewEngine(walk, drive, 1, 500, origins)
	rng := rand.New(rand.NewPCG(2, 4))
	sets := make([][]Dest, 11) // more than one sweep of network.SweepWidth
	for k := range sets {
		for range 1 + rng.IntN(4) {
			sets[k] = append(sets[k], Dest{Point: orb.Point{rng.Float64() * 0.005, rng.Float64() * 0.005}, Label: int32(k)})
		}
	}
	sets[3] = nil // a kind with no places
	want, _ := e.NearestEach(Drive, sets)
	drive.PrepareSweeps()
	got := e.NearestMinutes(Drive, sets)
	for k := range sets {
		for i := range origins {
			w, g := want[k][i], got[k][i]
			if math.Float64bits(w) != math.Float64bits(g) && !(math.IsNaN(w) && math.IsNaN(g)) {
				t.Fatalf("set %d, origin %d: %v minutes on the hierarchy, %v by Dijkstra", k, i, g, w)
			}
		}
	}
	if !math.IsNaN(got[0][len(origins)-1]) || math.IsNaN(got[0][0]) {
		t.Fatalf("the island origin reaches a place (%v) or the first does not (%v)", got[0][len(origins)-1], got[0][0])
	}
}

// gridWays is a 6 x 6 grid of residential streets 0.001 degree apart
// (about 111 m), the north-south ones alternately one-way and two-way.
func gridWays() []street.Way {
	var ways []street.Way
	node := func(i, j int) int64 { return int64(i*10 + j + 1) }
	for i := 0; i < 6; i++ {
		h := street.Way{ID: int64(2*i + 1), Tags: street.TagsOf(map[string]string{"highway": "residential"})}
		v := street.Way{ID: int64(2*i + 2), Tags: street.TagsOf(map[string]string{"highway": "residential", "oneway": map[bool]string{true: "yes", false: "no"}[i%2 == 0]})}
		for j := 0; j < 6; j++ {
			h.Nodes = append(h.Nodes, node(i, j))
			h.Points = append(h.Points, orb.Point{float64(j) * 0.001, float64(i) * 0.001})
			v.Nodes = append(v.Nodes, node(j, i))
			v.Points = append(v.Points, orb.Point{float64(i) * 0.001, float64(j) * 0.001})
		}
		ways = append(ways, h, v)
	}
	return ways
}

// gridOrigins is 12 x 12 points over gridWays' grid, between its streets.
func gridOrigins() []orb.Point {
	var origins []orb.Point
	for i := 0; i < 12; i++ {
		for j := 0; j < 12; j++ {
			origins = append(origins, orb.Point{float64(i)*0.00045 + 0.0001, float64(j)*0.00045 + 0.0002})
		}
	}
	return origins
}
