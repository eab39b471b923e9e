package siting

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"commonground/internal/network"
)

// ReachOptions are the snapping settings of Reach; use the study's, so
// candidate times agree with the access measures.
type ReachOptions struct {
	SnapMax float64 // metres: points further from any street reach nothing
	Workers int     // searches run at once; 0: all cores
}

// Reach builds the candidate to demand list on one graph, timing trips as
// package access does: the demand's walk to its nearest street, the network trip, and the walk from the street to the
// site. limit[d] is demand d's own limit in minutes: only pairs within it are
// listed, and a NaN limit leaves the demand out (another graph serves it, or
// it has no standard). One bounded search per site, reaching as far as the
// largest limit; sites run in parallel, and the list comes out sorted by site,
// then demand, whatever the number of workers.
func Reach(g *network.Graph, sites, demands []orb.Point, limit []float64, opt ReachOptions) []Link {
	speed := g.Profile().WalkSpeed
	var snaps []network.Snap
	var owner []int32
	var leg []float64
	maxLimit := 0.0
	for d, pt := range demands {
		if !(limit[d] >= 0) {
			continue
		}
		s, ok := g.Snap(pt, opt.SnapMax)
		if !ok {
			continue
		}
		maxLimit = max(maxLimit, limit[d])
		snaps = append(snaps, s)
		owner = append(owner, int32(d))
		leg = append(leg, s.Dist/speed)
	}
	targets := g.NewTargets(snaps)
	perSite := make([][]Link, len(sites))
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// On a graph with a contraction hierarchy (the study's drive graph),
	// sweeps make SweepWidth sites' searches at once, at the same costs to
	// the last bit; otherwise one bounded search per site.
	var sw *network.Sweeper
	jobs := len(sites)
	if g.SweepsPrepared() {
		sw = g.NewSweeper(targets)
		jobs = (len(sites) + network.SweepWidth - 1) / network.SweepWidth
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				if sw == nil {
					perSite[j] = reachOne(g, sites[j], int32(j), targets, owner, leg, limit, maxLimit, speed, opt.SnapMax)
					continue
				}
				lo := j * network.SweepWidth
				hi := min(lo+network.SweepWidth, len(sites))
				reachSweep(g, sw, sites, lo, hi, perSite, owner, leg, limit, maxLimit, speed, opt.SnapMax)
			}
		}()
	}
	for j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	n := 0
	for _, l := range perSite {
		n += len(l)
	}
	out := make([]Link, 0, n)
	for _, l := range perSite {
		out = append(out, l...)
	}
	return out
}

// reachOne runs one site's bounded search. Each demand is one target, so a
// demand's link is the last one whenever it repeats.
func reachOne(g *network.Graph, site orb.Point, c int32, targets *network.Targets, owner []int32, leg, limit []float64, maxLimit, speed, snapMax float64) []Link {
	s, ok := g.Snap(site, snapMax)
	if !ok {
		return nil
	}
	var out []Link
	src := network.Source{At: s, Label: c, Start: s.Dist / speed}
	g.Reach(src, maxLimit*60, targets, func(t int32, cost float64) {
		out = addLink(out, c, t, cost, owner, leg, limit)
	})
	return out
}

// reachSweep runs the searches of sites[lo:hi] in one sweep and sets their
// links in perSite, in increasing demand order as Reach visits them.
func reachSweep(g *network.Graph, sw *network.Sweeper, sites []orb.Point, lo, hi int, perSite [][]Link, owner []int32, leg, limit []float64, maxLimit, speed, snapMax float64) {
	type hit struct {
		t    int32
		cost float64
	}
	var sets [][]network.Source
	var which []int
	for c := lo; c < hi; c++ {
		if s, ok := g.Snap(sites[c], snapMax); ok {
			sets = append(sets, []network.Source{{At: s, Label: int32(c), Start: s.Dist / speed}})
			which = append(which, c)
		}
	}
	hits := make([][]hit, len(sets))
	sw.ReachEach(sets, maxLimit*60, func(i int, t int32, cost float64) { hits[i] = append(hits[i], hit{t, cost}) })
	for i, hs := range hits {
		slices.SortFunc(hs, func(a, b hit) int { return cmp.Compare(a.t, b.t) })
		var out []Link
		for _, h := range hs {
			out = addLink(out, int32(which[i]), h.t, h.cost, owner, leg, limit)
		}
		perSite[which[i]] = out
	}
}

// addLink appends candidate c's link to target t, reached at cost seconds,
// when within its demand's limit (a demand's links come one after another:
// the quickest is kept).
func addLink(out []Link, c, t int32, cost float64, owner []int32, leg, limit []float64) []Link {
	d := owner[t]
	m := (cost + leg[t]) / 60
	if !(m <= limit[d]) {
		return out
	}
	mf := float32(m)
	if float64(mf) > limit[d] { // rounding to float32 must not cross the limit
		mf = math.Nextafter32(mf, 0)
	}
	if n := len(out); n > 0 && out[n-1].Demand == d {
		out[n-1].Minutes = min(out[n-1].Minutes, mf)
		return out
	}
	return append(out, Link{Candidate: c, Demand: d, Minutes: mf})
}
