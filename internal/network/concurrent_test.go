package network

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/street"
)

// gridWays is an n x n street grid 0.001 degree apart: a way per row (odd
// rows one-way, alternating direction) and a two-way way per column.
func gridWays(n int) []street.Way {
	id := func(x, y int) int64 { return int64(y*n + x + 1) }
	pt := func(x, y int) orb.Point { return orb.Point{float64(x) * 0.001, float64(y) * 0.001} }
	var ways []street.Way
	for y := 0; y < n; y++ {
		w := street.Way{ID: int64(len(ways) + 1), Tags: street.TagsOf(map[string]string{"highway": "residential"})}
		if y%2 == 1 {
			w.Tags = append(w.Tags, street.Tag{Key: "oneway", Value: map[bool]string{true: "yes", false: "-1"}[y%4 == 1]})
		}
		for x := 0; x < n; x++ {
			w.Nodes = append(w.Nodes, id(x, y))
			w.Points = append(w.Points, pt(x, y))
		}
		ways = append(ways, w)
	}
	for x := 0; x < n; x++ {
		w := street.Way{ID: int64(len(ways) + 1), Tags: street.TagsOf(map[string]string{"highway": "tertiary"})}
		for y := 0; y < n; y++ {
			w.Nodes = append(w.Nodes, id(x, y))
			w.Points = append(w.Points, pt(x, y))
		}
		ways = append(ways, w)
	}
	return ways
}

// TestConcurrentSearches runs Nearest, At, Reach and Snap from two
// goroutines on one graph; run it with -race. Results must equal a
// sequential run.
func TestConcurrentSearches(t *testing.T) {
	for _, p := range []Profile{WalkProfile(4.8), DriveProfile(4.8, nil)} {
		t.Run(p.Mode.String(), func(t *testing.T) {
			g, _ := mustBuild(t, gridWays(15), p)
			var origins []Snap
			for i := 0; i < 200; i++ {
				s, _ := g.Snap(orb.Point{float64(i%20) * 0.0007, float64(i/20) * 0.0013}, 200)
				origins = append(origins, s)
			}
			targets := g.NewTargets(origins)
			run := func(k int) string {
				srcs := []Source{{At: origins[k%200], Label: 1}, {At: origins[(k*7+3)%200], Label: 2, Start: 20}}
				f := g.Nearest(srcs)
				out := ""
				for _, o := range origins {
					c, l, ok := f.At(o)
					out += fmt.Sprintf("%.9f/%d/%v ", c, l, ok)
				}
				g.Reach(srcs[1], 300, targets, func(i int32, c float64) { out += fmt.Sprintf("%d:%.9f ", i, c) })
				s, _ := g.Snap(orb.Point{0.0031, 0.0047 + float64(k)*1e-4}, 500)
				return out + fmt.Sprint(s)
			}
			const jobs = 20
			want := make([]string, jobs)
			for k := range want {
				want[k] = run(k)
			}
			got := make([]string, jobs)
			var wg sync.WaitGroup
			for w := 0; w < 2; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for k := w; k < jobs; k += 2 {
						got[k] = run(k)
					}
				}(w)
			}
			wg.Wait()
			for k := range want {
				if got[k] != want[k] {
					t.Errorf("job %d differs when run concurrently", k)
				}
			}
		})
	}
}

// TestBuildDeterministic builds the same input twice and compares every
// array: map iteration must not leak into vertex or edge order.
func TestBuildDeterministic(t *testing.T) {
	ways := gridWays(12)
	a, sa := mustBuild(t, ways, DriveProfile(4.8, nil))
	b, sb := mustBuild(t, ways, DriveProfile(4.8, nil))
	for name, pair := range map[string][2]any{
		"vpt": {a.vpt, b.vpt}, "eU": {a.eU, b.eU}, "eV": {a.eV, b.eV}, "eFwd": {a.eFwd, b.eFwd},
		"pts": {a.pts, b.pts}, "in": {a.in, b.in}, "grid": {a.grid.segs, b.grid.segs},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s differs between two builds", name)
		}
	}
	if !reflect.DeepEqual(sa, sb) {
		t.Errorf("stats differ: %+v vs %+v", sa, sb)
	}
	// Odd rows are one-way: 12 rows x 11 blocks, 6 of them one-way, plus
	// 12 two-way columns x 11 blocks.
	if want := 6*11*2 + 6*11 + 12*11*2; sa.Arcs != want {
		t.Errorf("arcs = %d, want %d", sa.Arcs, want)
	}
}
