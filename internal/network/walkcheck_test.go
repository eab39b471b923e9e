package network

import (
	"container/heap"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// rawWalk is an independent walking network over the raw OSM ways of the
// Delaware extract: every OSM node of a walkable way is a vertex, each pair
// of consecutive nodes an edge as long as the great circle between them,
// measured with Vincenty's formula on the sphere (not geo.Distance's
// haversine). Islands are found with union-find over nodes, not Tarjan's
// algorithm over junctions; points join the nearest segment by brute force,
// leaving out tunnels, covered ways and motorways as R5 does. Only
// WalkAllowed, the definition of a walkable way, is shared with Build.
type rawWalk struct {
	pt   []orb.Point
	adj  [][]rawArc
	segs [][2]int32 // node pairs of the kept network a point may join
}

type rawArc struct {
	to int32
	m  float64
}

// sphereDist is the great-circle distance in metres by Vincenty's formula
// for the sphere (atan2 form), on the IUGG mean radius 6,371,008.8 m.
func sphereDist(a, b orb.Point) float64 {
	const r = 6371008.8
	p1, p2 := a[1]*math.Pi/180, b[1]*math.Pi/180
	dl := (b[0] - a[0]) * math.Pi / 180
	y := math.Hypot(math.Cos(p2)*math.Sin(dl), math.Cos(p1)*math.Sin(p2)-math.Sin(p1)*math.Cos(p2)*math.Cos(dl))
	x := math.Sin(p1)*math.Sin(p2) + math.Cos(p1)*math.Cos(p2)*math.Cos(dl)
	return r * math.Atan2(y, x)
}

func newRawWalk(t *testing.T) (*rawWalk, int) {
	idx := map[int64]int32{}
	var pts []orb.Point
	var lists [][]int32
	var linkable []bool // R5's rule: no trip starts in a tunnel, under cover or on a motorway
	for _, w := range delaware(t) {
		if !WalkAllowed(w.Tags) {
			continue
		}
		var l []int32
		for i, id := range w.Nodes {
			k, ok := idx[id]
			if !ok {
				k = int32(len(pts))
				idx[id] = k
				pts = append(pts, w.Points[i])
			}
			if len(l) == 0 || l[len(l)-1] != k {
				l = append(l, k)
			}
		}
		if len(l) >= 2 {
			lists = append(lists, l)
			linkable = append(linkable, w.Tags.Get("tunnel") != "yes" && w.Tags.Get("covered") != "yes" && w.Tags.Get("highway") != "motorway")
		}
	}
	// Junctions: way ends, and nodes met more than once.
	seen := make([]uint8, len(pts))
	for _, l := range lists {
		for i, k := range l {
			if i == 0 || i == len(l)-1 {
				seen[k] = 2
			} else if seen[k] < 2 {
				seen[k]++
			}
		}
	}
	parent := make([]int32, len(pts))
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(int32) int32
	find = func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, l := range lists {
		for i := 1; i < len(l); i++ {
			parent[find(l[i])] = find(l[0])
		}
	}
	junctions := map[int32]int{}
	for k := range pts {
		if seen[k] >= 2 {
			junctions[find(int32(k))]++
		}
	}
	largest, dropped := int32(-1), 0
	for root, n := range junctions {
		if largest < 0 || n > junctions[largest] || n == junctions[largest] && root < largest {
			largest = root
		}
	}
	keep := func(k int32) bool { r := find(k); return r == largest || junctions[r] >= 40 }
	for root, n := range junctions {
		if root != largest && n < 40 {
			dropped += n
		}
	}
	rw := &rawWalk{pt: pts, adj: make([][]rawArc, len(pts))}
	for li, l := range lists {
		if !keep(l[0]) {
			continue
		}
		for i := 1; i < len(l); i++ {
			a, b := l[i-1], l[i]
			d := sphereDist(pts[a], pts[b])
			rw.adj[a] = append(rw.adj[a], rawArc{b, d})
			rw.adj[b] = append(rw.adj[b], rawArc{a, d})
			if linkable[li] {
				rw.segs = append(rw.segs, [2]int32{a, b})
			}
		}
	}
	return rw, dropped
}

// rawSnap is a point's foot on its nearest kept segment.
type rawSnap struct {
	a, b   int32
	foot   orb.Point
	dist   float64
	da, db float64 // metres from the foot to a and to b
}

// snap finds the nearest segment by brute force: every segment near the
// point is projected in a tangent plane centred on it (x east, y north,
// metres), and the nearest foot is measured again on the sphere.
func (rw *rawWalk) snap(p orb.Point) rawSnap {
	const m = 6371008.8 * math.Pi / 180
	kx, ky := m*math.Cos(p[1]*math.Pi/180), m
	best := rawSnap{a: -1, dist: math.Inf(1)}
	for _, s := range rw.segs {
		a, b := rw.pt[s[0]], rw.pt[s[1]]
		if math.Abs(a[1]-p[1]) > 0.03 && math.Abs(b[1]-p[1]) > 0.03 {
			continue // over 3 km north or south: never the nearest here
		}
		ax, ay := (a[0]-p[0])*kx, (a[1]-p[1])*ky
		bx, by := (b[0]-p[0])*kx, (b[1]-p[1])*ky
		t := 0.0
		if l2 := (bx-ax)*(bx-ax) + (by-ay)*(by-ay); l2 > 0 {
			t = math.Max(0, math.Min(1, -(ax*(bx-ax)+ay*(by-ay))/l2))
		}
		foot := orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
		if d := sphereDist(p, foot); d < best.dist {
			best = rawSnap{a: s[0], b: s[1], foot: foot, dist: d, da: sphereDist(foot, a), db: sphereDist(foot, b)}
		}
	}
	return best
}

// walk returns the metres from o to d: both snap legs and the shortest path
// between the feet (Dijkstra), +Inf when they are not connected.
func (rw *rawWalk) walk(o, d orb.Point) float64 {
	so, sd := rw.snap(o), rw.snap(d)
	dist := map[int32]float64{}
	pq := &bruteHeap{}
	push := func(v int32, c float64) {
		if old, ok := dist[v]; !ok || c < old {
			dist[v] = c
			heap.Push(pq, bruteItem{v, c})
		}
	}
	push(so.a, so.da)
	push(so.b, so.db)
	best := math.Inf(1)
	sameSeg := so.a == sd.a && so.b == sd.b
	if sameSeg {
		best = sphereDist(so.foot, sd.foot)
	}
	for pq.Len() > 0 {
		it := heap.Pop(pq).(bruteItem)
		if it.d > dist[it.v] || it.d >= best {
			continue
		}
		if it.v == sd.a {
			best = math.Min(best, it.d+sd.da)
		}
		if it.v == sd.b {
			best = math.Min(best, it.d+sd.db)
		}
		for _, a := range rw.adj[it.v] {
			push(a.to, it.d+a.m)
		}
	}
	return so.dist + best + sd.dist
}

// TestDelawareWalkMatchesRawOSM checks walking distances between real
// Delaware points against the independent network above. The pairs are a
// few town-centre trips; one starts on a footway island the rule removes
// (it must join the main network as the package does); one starts in
// Penns Grove, New Jersey, whose streets in this extract are a kept island
// (196 junctions) joined to Delaware only by private roads: neither
// calculation may reach Wilmington from there.
func TestDelawareWalkMatchesRawOSM(t *testing.T) {
	g, st := delawareGraph(t, Walk)
	rw, dropped := newRawWalk(t)
	if dropped != st.NodesDropped {
		t.Errorf("independent island rule drops %d junctions, Build %d", dropped, st.NodesDropped)
	}
	// A point on the first removed island Build would have seen: the
	// middle of a way whose nodes are all off the kept network.
	var onIsland orb.Point
	for _, w := range delaware(t) {
		if !WalkAllowed(w.Tags) || len(w.Points) < 2 {
			continue
		}
		if _, ok := g.Snap(w.Points[0], 0.001); ok {
			continue
		}
		mid := orb.Point{(w.Points[0][0] + w.Points[1][0]) / 2, (w.Points[0][1] + w.Points[1][1]) / 2}
		if s, ok := g.Snap(mid, 1000); ok && s.Dist > 5 && s.Dist < 300 {
			onIsland = mid
			break
		}
	}
	if onIsland == (orb.Point{}) {
		t.Fatal("no removed island within 300 m of a kept street")
	}
	pairs := []struct {
		name string
		o, d orb.Point
	}{
		{"Wilmington: Rodney Square to the station", orb.Point{-75.5480, 39.7467}, orb.Point{-75.5515, 39.7372}},
		{"Newark: Main Street to the station", orb.Point{-75.7500, 39.6835}, orb.Point{-75.7538, 39.6702}},
		{"Dover: The Green to Legislative Hall", orb.Point{-75.5243, 39.1560}, orb.Point{-75.5195, 39.1573}},
		{"Lewes: Second Street to the beach", orb.Point{-75.1396, 38.7746}, orb.Point{-75.1320, 38.7870}},
		{"from a removed island", onIsland, orb.Point{onIsland[0] + 0.01, onIsland[1]}},
		{"Penns Grove NJ to Wilmington", orb.Point{-75.4680, 39.7290}, orb.Point{-75.5480, 39.7467}},
	}
	speed := g.Profile().WalkSpeed
	for _, pc := range pairs {
		t.Run(pc.name, func(t *testing.T) {
			so, ok1 := g.Snap(pc.o, 2000)
			sd, ok2 := g.Snap(pc.d, 2000)
			if !ok1 || !ok2 {
				t.Fatal("a point did not snap within 2 km")
			}
			field := g.Nearest([]Source{{At: sd, Start: sd.Dist / speed}})
			got := math.Inf(1)
			if c, _, ok := field.At(so); ok {
				got = (c + so.Dist/speed) * speed // metres
			}
			want := rw.walk(pc.o, pc.d)
			t.Logf("package %.2f m, raw OSM %.2f m (origin leg %.1f m)", got, want, so.Dist)
			if math.IsInf(want, 1) != math.IsInf(got, 1) || !math.IsInf(want, 1) && !near(got, want, 0.5) {
				t.Errorf("walk %.3f m, independent %.3f m", got, want)
			}
		})
	}
}
