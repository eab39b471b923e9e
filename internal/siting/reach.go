package siting

import (
	"math"
	"runtime"
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
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				perSite[c] = reachOne(g, sites[c], int32(c), targets, owner, leg, limit, maxLimit, speed, opt.SnapMax)
			}
		}()
	}
	for c := range sites {
		next <- c
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
		d := owner[t]
		m := (cost + leg[t]) / 60
		if !(m <= limit[d]) {
			return
		}
		mf := float32(m)
		if float64(mf) > limit[d] { // rounding to float32 must not cross the limit
			mf = math.Nextafter32(mf, 0)
		}
		if n := len(out); n > 0 && out[n-1].Demand == d {
			out[n-1].Minutes = min(out[n-1].Minutes, mf)
			return
		}
		out = append(out, Link{Candidate: c, Demand: d, Minutes: mf})
	})
	return out
}
