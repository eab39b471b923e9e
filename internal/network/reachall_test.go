package network

import (
	"math"
	"math/rand"
	"testing"
)

// TestReachAllIsMinOfReach: a search seeded with several sources must give
// every target the least of its single-source costs, and visit the same
// targets as their union.
func TestReachAllIsMinOfReach(t *testing.T) {
	g, _ := delawareGraph(t, Drive)
	rng := rand.New(rand.NewSource(7))
	snaps := randomSnaps(g, 11, 3000)
	targets := g.NewTargets(snaps)
	visited := 0
	for trial := 0; trial < 5; trial++ {
		var srcs []Source
		for k := 0; k < 1+trial*3; k++ {
			s := randomSnaps(g, rng.Int63(), 1)[0]
			srcs = append(srcs, Source{At: s, Label: 1, Start: rng.Float64() * 60})
		}
		const limit = 900.0
		want := map[int32]float64{}
		for _, src := range srcs {
			g.Reach(src, limit, targets, func(tg int32, c float64) {
				if w, ok := want[tg]; !ok || c < w {
					want[tg] = c
				}
			})
		}
		visited += len(want)
		got := map[int32]float64{}
		g.ReachAll(srcs, limit, targets, func(tg int32, c float64) { got[tg] = c })
		if len(got) != len(want) {
			t.Fatalf("trial %d: ReachAll visits %d targets, the union of Reach %d", trial, len(got), len(want))
		}
		for tg, w := range want {
			if math.Abs(got[tg]-w) > 1e-6 {
				t.Fatalf("trial %d, target %d: ReachAll %.6f, min of Reach %.6f", trial, tg, got[tg], w)
			}
		}
	}
	if visited < 100 {
		t.Errorf("only %d targets reached over all trials: the comparison proves little", visited)
	}
}
