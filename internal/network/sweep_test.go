package network

import (
	"math"
	"testing"
)

// TestSweepAgreesWithReach: on the Delaware drive and walk graphs, the
// hierarchy's searches, SweepWidth at a time or fewer, find the same
// targets as Dijkstra's bounded searches, at the same costs to the last
// bit (costs are whole ticks, so their sums are exact in any order), from
// single places and from places with several entrances, which start at
// costs that are not whole ticks.
func TestSweepAgreesWithReach(t *testing.T) {
	for _, tc := range []struct {
		mode  Mode
		bound float64
	}{{Drive, 1800}, {Walk, 1200}} {
		g, _ := delawareGraph(t, tc.mode)
		targets := g.NewTargets(randomSnaps(g, 8, 24000))
		places := randomSnaps(g, 9, 120)
		sw := g.NewSweeper(targets)
		var sets [][]Source
		for i := 0; i < len(places); i += 3 {
			srcs := []Source{{At: places[i], Start: 30.123456789}}
			if i%2 == 0 { // three entrances
				srcs = append(srcs, Source{At: places[i+1], Start: 45.1}, Source{At: places[i+2]})
			}
			sets = append(sets, srcs)
		}
		for lo, width := 0, 1; lo < len(sets); lo, width = lo+width, width%SweepWidth+1 {
			batch := sets[lo:min(lo+width, len(sets))]
			got := make([]map[int32]float64, len(batch))
			for i := range got {
				got[i] = map[int32]float64{}
			}
			sw.ReachEach(batch, tc.bound, func(i int, o int32, c float64) {
				if _, dup := got[i][o]; dup {
					t.Fatalf("%v, search %d: target %d visited twice", tc.mode, lo+i, o)
				}
				got[i][o] = c
			})
			for i, srcs := range batch {
				want := map[int32]float64{}
				g.ReachAllUnordered(srcs, tc.bound, targets, func(o int32, c float64) { want[o] = c })
				if len(want) == 0 {
					t.Fatalf("%v, search %d: nothing in reach; the test checks nothing", tc.mode, lo+i)
				}
				for o, c := range want {
					gc, ok := got[i][o]
					switch {
					case !ok:
						t.Fatalf("%v, search %d: target %d at %v s missing", tc.mode, lo+i, o, c)
					case math.Float64bits(gc) != math.Float64bits(c):
						t.Fatalf("%v, search %d: target %d at %v s, Dijkstra %v s", tc.mode, lo+i, o, gc, c)
					}
				}
				if len(got[i]) != len(want) {
					t.Fatalf("%v, search %d: %d targets, Dijkstra %d", tc.mode, lo+i, len(got[i]), len(want))
				}
			}
		}
	}
}

// BenchmarkContractDrive: building the Delaware drive graph's hierarchy.
func BenchmarkContractDrive(b *testing.B) {
	g, _ := delawareGraph(b, Drive)
	b.ReportAllocs()
	cpuLoop(b, func() { g.contract() })
}

// BenchmarkSweepEach30minDrive is BenchmarkReach30minDrive on the
// hierarchy, SweepWidth searches per sweep; per op is per search.
func BenchmarkSweepEach30minDrive(b *testing.B) {
	g, _ := delawareGraph(b, Drive)
	targets := g.NewTargets(randomSnaps(g, 8, 24000))
	places := randomSnaps(g, 9, 400)
	sw := g.NewSweeper(targets)
	b.ReportAllocs()
	i, n := 0, 0
	sets := make([][]Source, SweepWidth)
	cpuLoop(b, func() {
		if i%SweepWidth == 0 {
			for j := range sets {
				sets[j] = []Source{{At: places[(i+j)%len(places)]}}
			}
			sw.ReachEach(sets, 1800, func(int, int32, float64) { n++ })
		}
		i++
	})
	b.ReportMetric(float64(n)/float64(i), "targets/op")
}

// TestSweepNearest: unbounded, the hierarchy's searches give every target
// the cost Graph.Nearest's Field.At gives, to the last bit, from sets of
// many sources (every place of a kind), and visit no target Nearest
// cannot reach.
func TestSweepNearest(t *testing.T) {
	g, _ := delawareGraph(t, Drive)
	snaps := randomSnaps(g, 8, 24000)
	targets := g.NewTargets(snaps)
	places := randomSnaps(g, 10, 300)
	sw := g.NewSweeper(targets)
	var sets [][]Source
	for k := range SweepWidth {
		var srcs []Source
		for j := k; j < len(places); j += k + 2 { // sets of 150 down to 30 places
			srcs = append(srcs, Source{At: places[j], Label: int32(j), Start: float64(j%7) * 10.3})
		}
		sets = append(sets, srcs)
	}
	got := make([]map[int32]float64, len(sets))
	for i := range got {
		got[i] = map[int32]float64{}
	}
	sw.ReachEach(sets, math.Inf(1), func(i int, o int32, c float64) { got[i][o] = c })
	for i, srcs := range sets {
		f := g.Nearest(srcs)
		reached := 0
		for o, s := range snaps {
			want, _, ok := f.At(s)
			c, seen := got[i][int32(o)]
			if seen != ok || ok && math.Float64bits(c) != math.Float64bits(want) {
				t.Fatalf("set %d, target %d: sweep %v (%v), Nearest %v (%v)", i, o, c, seen, want, ok)
			}
			if ok {
				reached++
			}
		}
		if reached < len(snaps)/2 {
			t.Fatalf("set %d: only %d of %d targets reached; the test checks little", i, reached, len(snaps))
		}
	}
}
