package network

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestSnapNearEscapesDeadEndSpur: a spur runs 44 m north of a street and
// parallel to it, joining it only at the far end, 1 km away (a campus ring
// road, say). A point 11 m from the spur's tip and 56 m from the street
// snaps to the spur, but with candidates it can walk to the street instead.
func TestSnapNearEscapesDeadEndSpur(t *testing.T) {
	coords := map[int64]orb.Point{1: {0, 0}, 2: {0.01, 0}, 6: {0.01, 0.0004}, 7: {0.001, 0.0004}}
	ways := fixture(coords, "highway=residential: 1 2", "highway=service: 2 6 7")
	g, _ := mustBuild(t, ways, WalkProfile(3.6)) // 1 m/s: seconds equal metres
	pt := orb.Point{0.001, 0.0005}
	src, _ := g.Snap(orb.Point{0, 0}, 1)
	field := g.Nearest([]Source{{At: src, Label: 1}})

	tests := []struct {
		name      string
		slack     float64
		k         int
		wantN     int
		wantDists []float64
		wantBest  float64 // least snap leg + network cost over the candidates
	}{
		{"slack too small for the street", 30, 3, 1, []float64{0.1 * deg}, 0.1*deg + 9*deg + 0.4*deg + 10*deg},
		{"street within the slack", 100, 3, 2, []float64{0.1 * deg, 0.5 * deg}, 0.5*deg + 1*deg},
		{"one candidate asked for", 100, 1, 1, []float64{0.1 * deg}, 0.1*deg + 9*deg + 0.4*deg + 10*deg},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cands, ok := g.SnapNear(pt, 500, tc.slack, tc.k)
			if !ok || len(cands) != tc.wantN {
				t.Fatalf("SnapNear = %d candidates (%v), want %d", len(cands), ok, tc.wantN)
			}
			best := math.Inf(1)
			for i, c := range cands {
				if !near(c.Dist, tc.wantDists[i], 1e-3) {
					t.Errorf("candidate %d at %.3f m, want %.3f", i, c.Dist, tc.wantDists[i])
				}
				cost, _, ok := field.At(c)
				if ok {
					best = math.Min(best, cost+c.Dist)
				}
			}
			if !near(best, tc.wantBest, 1e-3) {
				t.Errorf("best trip %.3f m, want %.3f", best, tc.wantBest)
			}
		})
	}
	if _, ok := g.SnapNear(orb.Point{0.005, 0.01}, 100, 50, 3); ok {
		t.Error("a point 1 km from every street snapped within 100 m")
	}
}
