package network

import (
	"container/heap"
	"context"
	"math"
	"math/rand"
	"os"
	"slices"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"

	"commonground/internal/geo"
	"commonground/internal/street"
	"commonground/internal/testdata"
)

// The Delaware extract is read once per test binary: ways with a highway
// tag in a first pass, then the coordinates of their nodes.
var (
	delawareOnce sync.Once
	delawareWays []street.Way
	delawareErr  error
	graphOnce    [2]sync.Once
	graphs       [2]*Graph
	graphStats   [2]Stats
	graphErr     [2]error
)

func readHighways(path string) ([]street.Way, error) {
	scan := func(skipNodes bool, each func(osm.Object)) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := osmpbf.New(context.Background(), f, 2)
		defer sc.Close()
		sc.SkipNodes, sc.SkipWays, sc.SkipRelations = skipNodes, !skipNodes, true
		for sc.Scan() {
			each(sc.Object())
		}
		return sc.Err()
	}
	var ways []street.Way
	need := map[int64]orb.Point{}
	err := scan(true, func(o osm.Object) {
		w := o.(*osm.Way)
		if w.Tags.Find("highway") == "" {
			return
		}
		sw := street.Way{ID: int64(w.ID), Tags: street.TagsOf(w.Tags.Map())}
		for _, n := range w.Nodes {
			sw.Nodes = append(sw.Nodes, int64(n.ID))
			need[int64(n.ID)] = orb.Point{math.NaN(), math.NaN()}
		}
		ways = append(ways, sw)
	})
	if err != nil {
		return nil, err
	}
	err = scan(false, func(o osm.Object) {
		n := o.(*osm.Node)
		if _, ok := need[int64(n.ID)]; ok {
			need[int64(n.ID)] = orb.Point{n.Lon, n.Lat}
		}
	})
	if err != nil {
		return nil, err
	}
	for i := range ways {
		w := &ways[i]
		ids := w.Nodes[:0]
		for _, id := range w.Nodes {
			if pt := need[id]; !math.IsNaN(pt[0]) { // nodes outside the extract
				ids = append(ids, id)
				w.Points = append(w.Points, pt)
			}
		}
		w.Nodes = ids
	}
	return ways, nil
}

func delaware(tb testing.TB) []street.Way {
	tb.Helper()
	path := testdata.DelawarePBF(tb)
	delawareOnce.Do(func() { delawareWays, delawareErr = readHighways(path) })
	if delawareErr != nil {
		tb.Fatalf("read %s: %v", path, delawareErr)
	}
	return delawareWays
}

func delawareGraph(tb testing.TB, m Mode) (*Graph, Stats) {
	tb.Helper()
	ways := delaware(tb)
	graphOnce[m].Do(func() {
		p := WalkProfile(4.8)
		if m == Drive {
			p = DriveProfile(4.8, nil)
		}
		graphs[m], graphStats[m], graphErr[m] = Build(ways, p)
	})
	if graphErr[m] != nil {
		tb.Fatal(graphErr[m])
	}
	return graphs[m], graphStats[m]
}

// randomSnaps snaps n points scattered up to ~500 m around random vertices,
// as population cells and places are.
func randomSnaps(g *Graph, seed int64, n int) []Snap {
	rng := rand.New(rand.NewSource(seed))
	out := make([]Snap, 0, n)
	for len(out) < n {
		v := g.vpt[rng.Intn(len(g.vpt))]
		pt := orb.Point{v[0] + (rng.Float64()-0.5)*0.012, v[1] + (rng.Float64()-0.5)*0.009}
		if s, ok := g.Snap(pt, 2000); ok {
			out = append(out, s)
		}
	}
	return out
}

func TestDelawareStats(t *testing.T) {
	for _, tc := range []struct {
		mode               Mode
		minNodes, maxNodes int
		minKM              float64
	}{
		// Delaware has about 10,000 km of public roads (FHWA); the walk
		// graph adds paths, sidewalks and service roads.
		{Walk, 50000, 200000, 10000},
		{Drive, 30000, 150000, 9000},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			g, st := delawareGraph(t, tc.mode)
			t.Logf("%s: %+v", tc.mode, st)
			if st.Nodes < tc.minNodes || st.Nodes > tc.maxNodes || st.KM < tc.minKM || st.KM > 3*tc.minKM {
				t.Errorf("stats %+v out of the plausible range", st)
			}
			if st.DroppedShare > 0.10 {
				t.Errorf("the kept network holds only %.1f%% of vertices", 100*(1-st.DroppedShare))
			}
			if g.NodeCount() != st.Nodes || g.EdgeCount() != st.Edges || len(g.in) != st.Arcs {
				t.Errorf("graph counts %d/%d/%d disagree with stats", g.NodeCount(), g.EdgeCount(), len(g.in))
			}
			// Costs must equal length over a speed between 4.8 km/h and
			// the fastest class (105 km/h; maxspeed tags may say more).
			for e := range g.eU {
				for _, c := range []float64{g.eFwd[e], g.eBwd[e]} {
					if math.IsInf(c, 1) {
						continue
					}
					if v := g.eLen[e] / c * 3.6; c > 0 && (v < 4.79 || v > 140) {
						t.Fatalf("edge %d (way %d): %.1f m in %.1f s is %.1f km/h", e, g.eWay[e], g.eLen[e], c, v)
					}
				}
			}
		})
	}
}

// TestDelawareWalkDetour checks network distances between random vertex
// pairs against the great circle: never shorter, and not absurdly longer.
func TestDelawareWalkDetour(t *testing.T) {
	g, _ := delawareGraph(t, Walk)
	speed := g.Profile().WalkSpeed
	rng := rand.New(rand.NewSource(1))
	var ratios []float64
	for len(ratios) < 200 {
		a := int32(rng.Intn(g.NodeCount()))
		d := bruteFrom(g, a, nil)
		for k := 0; k < 10; k++ {
			b := int32(rng.Intn(g.NodeCount()))
			straight := geo.Distance(g.vpt[a], g.vpt[b])
			if straight < 100 {
				continue
			}
			net := d[b] * speed
			if net < straight-1e-6 {
				t.Fatalf("vertex %d to %d: network %.3f m shorter than straight %.3f m", a, b, net, straight)
			}
			// Bays and rivers (Rehoboth and Indian River bays, the C&D
			// canal) force long detours on a few pairs; none is absurd.
			if net > 15*straight+5000 {
				t.Errorf("vertex %d to %d: network %.0f m for straight %.0f m", a, b, net, straight)
			}
			ratios = append(ratios, net/straight)
		}
	}
	sort.Float64s(ratios)
	// Street-network circuity is typically 1.2-1.4 (Boeing 2019).
	if med := ratios[len(ratios)/2]; med < 1.05 || med > 1.8 {
		t.Errorf("median detour ratio %.3f, want 1.05-1.8", med)
	}
	if p95 := ratios[len(ratios)*95/100]; p95 > 3 {
		t.Errorf("95th percentile detour ratio %.3f, want at most 3", p95)
	}
	t.Logf("detour ratio: min %.3f median %.3f max %.3f", ratios[0], ratios[len(ratios)/2], ratios[len(ratios)-1])
}

// bruteFrom is an independent forward Dijkstra (container/heap over an
// adjacency rebuilt from the edge list): the cost from vertex a to every
// vertex, following edge directions. With stop, it ends as soon as the
// popped cost reaches stop's answer, which is then exact.
func bruteFrom(g *Graph, a int32, stop func(v int32, d float64) float64) []float64 {
	adj := bruteAdj(g)
	dist := make([]float64, g.NodeCount())
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	dist[a] = 0
	best := math.Inf(1)
	pq := &bruteHeap{{a, 0}}
	for pq.Len() > 0 {
		it := heap.Pop(pq).(bruteItem)
		if it.d > dist[it.v] {
			continue
		}
		if stop != nil {
			if it.d >= best {
				break
			}
			best = math.Min(best, stop(it.v, it.d))
		}
		for _, o := range adj[it.v] {
			if d := it.d + o.cost; d < dist[o.to] {
				dist[o.to] = d
				heap.Push(pq, bruteItem{o.to, d})
			}
		}
	}
	return dist
}

type bruteOut struct {
	to   int32
	cost float64
}

var (
	bruteMu   sync.Mutex
	bruteAdjs = map[*Graph][][]bruteOut{}
)

func bruteAdj(g *Graph) [][]bruteOut {
	bruteMu.Lock()
	defer bruteMu.Unlock()
	if a, ok := bruteAdjs[g]; ok {
		return a
	}
	adj := make([][]bruteOut, g.NodeCount())
	for e := range g.eU {
		if c := g.eFwd[e]; !math.IsInf(c, 1) {
			adj[g.eU[e]] = append(adj[g.eU[e]], bruteOut{g.eV[e], c})
		}
		if c := g.eBwd[e]; !math.IsInf(c, 1) {
			adj[g.eV[e]] = append(adj[g.eV[e]], bruteOut{g.eU[e], c})
		}
	}
	bruteAdjs[g] = adj
	return adj
}

type bruteItem struct {
	v int32
	d float64
}
type bruteHeap []bruteItem

func (h bruteHeap) Len() int           { return len(h) }
func (h bruteHeap) Less(i, j int) bool { return h[i].d < h[j].d }
func (h bruteHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *bruteHeap) Push(x any)        { *h = append(*h, x.(bruteItem)) }
func (h *bruteHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// TestDelawareNearestMatchesBruteForce compares the multi-source reverse
// search with forward searches from sampled vertices: from vertex x the cost
// to a source on edge u->v at f is min(d(x,u) + f*fwd, d(x,v) + (1-f)*bwd)
// plus its Start, minimised over sources.
func TestDelawareNearestMatchesBruteForce(t *testing.T) {
	for _, mode := range []Mode{Walk, Drive} {
		t.Run(mode.String(), func(t *testing.T) {
			g, _ := delawareGraph(t, mode)
			snaps := randomSnaps(g, 2, 300)
			srcs := make([]Source, len(snaps))
			for i, s := range snaps {
				srcs[i] = Source{At: s, Label: int32(i), Start: s.Dist / g.Profile().WalkSpeed}
			}
			field := g.Nearest(srcs)
			// What reaching vertex w at cost d offers: sources on edges out
			// of w, entered along the edge.
			type entry struct {
				add   float64
				label int32
			}
			entries := map[int32][]entry{}
			for _, s := range srcs {
				e := s.At.Edge
				if c := along(s.At.Frac, g.eFwd[e]); !math.IsInf(c, 1) {
					entries[g.eU[e]] = append(entries[g.eU[e]], entry{s.Start + c, s.Label})
				}
				if c := along(1-s.At.Frac, g.eBwd[e]); !math.IsInf(c, 1) {
					entries[g.eV[e]] = append(entries[g.eV[e]], entry{s.Start + c, s.Label})
				}
			}
			rng := rand.New(rand.NewSource(3))
			unreachable := 0
			for k := 0; k < 300; k++ {
				x := int32(rng.Intn(g.NodeCount()))
				want, wantLab, second := math.Inf(1), int32(-1), math.Inf(1)
				bruteFrom(g, x, func(w int32, d float64) float64 {
					for _, en := range entries[w] {
						if c := d + en.add; c < want {
							want, wantLab, second = c, en.label, want
						} else if c < second {
							second = c
						}
					}
					return want
				})
				got := field.cost[x]
				if math.IsInf(want, 1) {
					// Only a vertex on a kept island (under a thousand
					// vertices reachable) may reach no source at all.
					reach := 0
					for _, d := range bruteFrom(g, x, nil) {
						if !math.IsInf(d, 1) {
							reach++
						}
					}
					if reach >= 1000 {
						unreachable++
					}
				}
				if got != want && !near(got, want, 1e-6) {
					t.Fatalf("vertex %d: Nearest cost %.9f, brute force %.9f", x, got, want)
				}
				if second-want > 1e-6 && field.label[x] != wantLab {
					t.Errorf("vertex %d: label %d, brute force %d", x, field.label[x], wantLab)
				}
			}
			if unreachable > 0 {
				t.Errorf("%d sampled vertices of the main network cannot reach any source", unreachable)
			}
		})
	}
}

// TestDelawareReachMatchesField checks the bounded single-source search
// against an unbounded Nearest from the same source over 5,000 origins.
func TestDelawareReachMatchesField(t *testing.T) {
	for _, mode := range []Mode{Walk, Drive} {
		t.Run(mode.String(), func(t *testing.T) {
			g, _ := delawareGraph(t, mode)
			origins := randomSnaps(g, 4, 5000)
			targets := g.NewTargets(origins)
			for _, src := range randomSnaps(g, 5, 10) {
				s := Source{At: src, Label: 1, Start: 30}
				field := g.Nearest([]Source{s})
				got := map[int32]float64{}
				last := int32(-1)
				g.Reach(s, 900, targets, func(i int32, c float64) {
					if i <= last {
						t.Fatalf("targets out of order: %d after %d", i, last)
					}
					last = i
					got[i] = c
				})
				n := 0
				for i, o := range origins {
					want, _, ok := field.At(o)
					c, hit := got[int32(i)]
					switch {
					case ok && want <= 900:
						n++
						if !hit || !near(c, want, 1e-9) {
							t.Fatalf("target %d: Reach %v (%v), field %v", i, c, hit, want)
						}
					case hit && !near(want, 900, 1e-9):
						t.Fatalf("target %d reached at %v but field says %v > 900", i, c, want)
					}
				}
				if len(got) != n {
					t.Errorf("Reach visited %d targets, field has %d within 900 s", len(got), n)
				}
			}
		})
	}
}

// TestDelawareSnapMatchesBruteForce checks the grid search against every
// segment of the graph, projected with an independent method: geo's
// azimuthal projection centred on the point, where distances from the centre
// are true to a few parts per billion at street range.
func TestDelawareSnapMatchesBruteForce(t *testing.T) {
	g, _ := delawareGraph(t, Walk)
	rng := rand.New(rand.NewSource(6))
	for k := 0; k < 200; k++ {
		v := g.vpt[rng.Intn(len(g.vpt))]
		pt := orb.Point{v[0] + (rng.Float64()-0.5)*0.02, v[1] + (rng.Float64()-0.5)*0.02}
		s, ok := g.Snap(pt, math.Inf(1))
		if !ok {
			t.Fatalf("no snap at %v", pt)
		}
		proj := geo.NewProjection(pt[0], pt[1])
		best := math.Inf(1)
		// Only segments whose bounding box could hold a nearer point (a
		// degree of longitude is over 84 km everywhere in Delaware).
		reach := s.Dist*1.01 + 10
		dLat, dLon := reach/metresPerDegree, reach/(metresPerDegree*0.76)
		for i := 0; i+1 < len(g.pts); i++ {
			if g.ptEdge[i] != g.ptEdge[i+1] {
				continue
			}
			p, q := g.pts[i], g.pts[i+1]
			if math.Min(p[0], q[0]) > pt[0]+dLon || math.Max(p[0], q[0]) < pt[0]-dLon ||
				math.Min(p[1], q[1]) > pt[1]+dLat || math.Max(p[1], q[1]) < pt[1]-dLat {
				continue
			}
			a, b := proj.Forward(g.pts[i]), proj.Forward(g.pts[i+1])
			dx, dy := b[0]-a[0], b[1]-a[1]
			t := 0.0
			if l2 := dx*dx + dy*dy; l2 > 0 {
				t = math.Min(math.Max(-(a[0]*dx+a[1]*dy)/l2, 0), 1)
			}
			best = math.Min(best, geo.Distance(pt, proj.Inverse(orb.Point{a[0] + t*dx, a[1] + t*dy})))
		}
		// The two planes draw a segment between its end nodes along
		// slightly different lines: on a 1 km segment they part by up to
		// about 2 cm (sag ~ L^2 tan(lat) / 8R). A wrong segment would be off
		// by metres.
		if !near(s.Dist, best, 0.05) {
			t.Errorf("snap of %v at %.4f m, brute force %.4f m", pt, s.Dist, best)
		}
		if got := geo.Distance(pt, s.Point); !near(got, s.Dist, 1e-9) {
			t.Errorf("Dist %.6f differs from geo.Distance %.6f", s.Dist, got)
		}
	}
}

// cpuLoop runs body in b.Loop and also reports process CPU time per op: on
// a shared machine wall time per op includes waiting for a core.
func cpuLoop(b *testing.B, body func()) {
	var before, after syscall.Rusage
	n := 0
	for b.Loop() {
		if n == 0 {
			syscall.Getrusage(syscall.RUSAGE_SELF, &before)
		}
		body()
		n++
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	if n > 1 {
		cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(n-1), "cpu-ns/op")
	}
}

func BenchmarkBuildWalkDelaware(b *testing.B) {
	ways := delaware(b)
	b.ReportAllocs()
	cpuLoop(b, func() {
		if _, _, err := Build(ways, WalkProfile(4.8)); err != nil {
			b.Fatal(err)
		}
	})
}

func benchNearest(b *testing.B, m Mode) {
	g, _ := delawareGraph(b, m)
	snaps := randomSnaps(g, 7, 500)
	srcs := make([]Source, len(snaps))
	for i, s := range snaps {
		srcs[i] = Source{At: s, Label: int32(i)}
	}
	b.ReportAllocs()
	cpuLoop(b, func() { g.Nearest(srcs) })
}

func BenchmarkNearestWalkDelaware(b *testing.B)  { benchNearest(b, Walk) }
func BenchmarkNearestDriveDelaware(b *testing.B) { benchNearest(b, Drive) }

// BenchmarkReach15minWalk is one 15-minute walking search from one of 2,000
// places over 40,000 snapped origins, per op.
func BenchmarkReach15minWalk(b *testing.B) {
	g, _ := delawareGraph(b, Walk)
	targets := g.NewTargets(randomSnaps(g, 8, 40000))
	places := randomSnaps(g, 9, 2000)
	b.ReportAllocs()
	i, n := 0, 0
	cpuLoop(b, func() {
		g.Reach(Source{At: places[i%len(places)]}, 900, targets, func(int32, float64) { n++ })
		i++
	})
	b.ReportMetric(float64(n)/float64(i), "targets/op")
}

// BenchmarkReach30minDrive is one 30-minute driving search from one of 400
// places over 24,000 snapped origins, per op: the drive travel matrix of the
// access measures runs one per place.
func BenchmarkReach30minDrive(b *testing.B) {
	g, _ := delawareGraph(b, Drive)
	targets := g.NewTargets(randomSnaps(g, 8, 24000))
	places := randomSnaps(g, 9, 400)
	b.ReportAllocs()
	i, n := 0, 0
	cpuLoop(b, func() {
		g.ReachAllUnordered([]Source{{At: places[i%len(places)]}}, 1800, targets, func(int32, float64) { n++ })
		i++
	})
	b.ReportMetric(float64(n)/float64(i), "targets/op")
}

func BenchmarkSnap(b *testing.B) {
	g, _ := delawareGraph(b, Walk)
	rng := rand.New(rand.NewSource(10))
	pts := make([]orb.Point, 4096)
	for i := range pts {
		v := g.vpt[rng.Intn(len(g.vpt))]
		pts[i] = orb.Point{v[0] + (rng.Float64()-0.5)*0.012, v[1] + (rng.Float64()-0.5)*0.009}
	}
	b.ReportAllocs()
	i := 0
	cpuLoop(b, func() {
		g.Snap(pts[i%len(pts)], 2000)
		i++
	})
}

// TestBuildByRefs: ways that number their nodes (street.Way.Refs) build the
// same graph, vertex for vertex and edge for edge, as the same ways looked
// up by node id, whatever the numbering.
func TestBuildByRefs(t *testing.T) {
	ways := delaware(t)
	var ids []int64
	for _, w := range ways {
		ids = append(ids, w.Nodes...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	numbered := make([]street.Way, len(ways))
	for i, w := range ways {
		w.Refs = make([]int32, len(w.Nodes))
		for k, id := range w.Nodes {
			at, _ := slices.BinarySearch(ids, id)
			w.Refs[k] = int32(len(ids) - 1 - at) // falling: unlike first appearance
		}
		numbered[i] = w
	}
	for _, p := range []Profile{WalkProfile(4.8), DriveProfile(4.8, nil)} {
		want, _, err := Build(ways, p)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := Build(numbered, p)
		if err != nil {
			t.Fatal(err)
		}
		same := slices.Equal(got.vpt, want.vpt) && slices.Equal(got.eU, want.eU) && slices.Equal(got.eV, want.eV) &&
			slices.Equal(got.eFwd, want.eFwd) && slices.Equal(got.eBwd, want.eBwd) && slices.Equal(got.pts, want.pts) &&
			slices.Equal(got.in, want.in) && slices.Equal(got.eWay, want.eWay)
		if !same || len(got.vpt) < 10000 {
			t.Fatalf("%v: the graph built by Refs (%d vertices, %d edges) differs from the one by node ids (%d, %d)", p.Mode, len(got.vpt), len(got.eU), len(want.vpt), len(want.eU))
		}
	}
}
