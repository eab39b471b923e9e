package study

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"commonground/internal/config"
	"commonground/internal/gap"
	"commonground/internal/network"
	"commonground/internal/place"
	"commonground/internal/siting"
)

// hostCategory is the hidden category that carries OSM buildings that could
// host a new place (schools, town halls, ...) through the OSM reader. It is
// matched after every real category, so a library stays a library.
func hostCategory() place.Category {
	return place.Category{Name: config.SitingHostCategory, Label: "candidate host buildings", Match: []string{
		"amenity=school", "amenity=townhall", "amenity=community_centre", "amenity=social_centre",
		"amenity=library", "amenity=place_of_worship",
	}}
}

// Siting is the outcome of the siting stage.
type Siting struct {
	Group      int // index into Result.Groups
	Candidates []siting.Candidate
	Instance   *siting.Instance
	Cover      *siting.Solution // maximal covering, k sites
	Median     *siting.Solution // p-median, k sites
	Budget     *siting.Solution // nil without a budget
	Links      int
	Penalty    float64 // minutes charged in the p-median where nothing reaches
	// Underserved people today (need-weighted when siting.need_weighted),
	// who are who the new sites could cover.
	Underserved  float64
	NeedWeighted bool
}

// splitHosts takes the hidden host buildings out of the places and turns
// them, with the existing places, into OSM candidate features.
func (r *Result) splitHosts() []siting.Feature {
	var feats []siting.Feature
	var keep []place.Place
	for _, p := range r.Extract.Places {
		feats = append(feats, siting.Feature{Type: p.OSMType, ID: p.OSMID, Tags: p.Tags, Point: p.Point})
		if p.Category != config.SitingHostCategory {
			keep = append(keep, p)
		}
	}
	place.Sort(keep, r.Study.Categories)
	r.Extract.Places = keep
	return feats
}

// site chooses where new places of the configured kind would bring the most
// underserved people within their standard (maximal covering, Church and
// ReVelle 1974), where they would cut total travel most (p-median, ReVelle
// and Swain 1970), and, with a budget, the best set within it.
func (r *Result) site(walkG, driveG *network.Graph, hosts []siting.Feature) error {
	st := r.Study.Siting
	if st == nil {
		return nil
	}
	gi := r.groupIndex(st.Category)
	var cands []siting.Candidate
	for _, src := range st.Sources {
		switch src {
		case "osm":
			for _, c := range siting.FromOSM(hosts) {
				if !c.Faith || st.IncludeFaith {
					cands = append(cands, c)
				}
			}
		case "cells":
			cands = append(cands, siting.FromCells(r.Alloc.Cells, st.MinCellPopulation)...)
		case "stops":
			stops := make([]siting.Feature, len(r.Extract.Stops))
			for i, s := range r.Extract.Stops {
				stops[i] = siting.Feature{Type: s.OSMType, ID: s.OSMID, Tags: map[string]string{"name": s.Name}, Point: s.Point}
			}
			cands = append(cands, siting.FromStops(stops)...)
		}
	}
	for _, f := range st.Files {
		path, _ := r.Study.Resolve(f)
		if err := r.addInput("candidate sites", f, path); err != nil {
			return err
		}
		list, probs, err := siting.Read(path)
		if err != nil {
			return err
		}
		r.Problems.Merge(probs)
		cands = append(cands, list...)
	}
	cells := r.Alloc.Cells
	demands := make([]siting.Demand, len(cells))
	pts := make([]orb.Point, len(cells))
	walkLimit, driveLimit := make([]float64, len(cells)), make([]float64, len(cells))
	out := &Siting{Group: gi, Candidates: cands}
	var need []float64
	if st.NeedWeighted {
		need = r.cellNeed()
	}
	target := r.sitingTarget(st.For)
	for i, c := range cells {
		std := standard(r.Study, r.Class[i])
		cur := r.Walk[gi][i]
		walkLimit[i], driveLimit[i] = std.Minutes, math.NaN()
		if std.Drive {
			cur = r.Drive[gi][i]
			walkLimit[i], driveLimit[i] = math.NaN(), std.Minutes
		}
		w := c.Pop
		if need != nil {
			w = need[i]
		}
		if target != nil && !target[i] {
			w = 0 // outside the people the sites are chosen for
		}
		demands[i] = siting.Demand{Weight: w, Limit: std.Minutes, Current: cur}
		pts[i] = c.Center
		if r.Under[gi][i] {
			out.Underserved += w
		}
	}
	sites := make([]orb.Point, len(cands))
	for k, c := range cands {
		sites[k] = c.Point
	}
	opt := siting.ReachOptions{SnapMax: r.Study.Travel.SnapMax}
	links := siting.Reach(walkG, sites, pts, walkLimit, opt)
	links = append(links, siting.Reach(driveG, sites, pts, driveLimit, opt)...)
	out.Links = len(links)
	out.NeedWeighted = need != nil
	var area orb.MultiPolygon
	in, err := siting.New(demands, cands, links, siting.Options{Area: area})
	if err != nil {
		if in != nil {
			r.Problems.Merge(in.Problems)
		}
		return fmt.Errorf("siting: %w", err)
	}
	r.Problems.Merge(in.Problems)
	out.Instance = in
	if out.Cover, err = in.Cover(st.K); err != nil {
		return fmt.Errorf("siting: %w", err)
	}
	r.Problems.Merge(out.Cover.Problems)
	// p-median on the same links: trips beyond a demand's standard are not
	// listed, so the penalty is the largest standard (a trip longer than the
	// standard counts as that long, and one that cannot be made at all too).
	for c := gap.Class(0); c < gap.NumClasses; c++ {
		out.Penalty = max(out.Penalty, standard(r.Study, c).Minutes)
	}
	if out.Median, err = in.Median(st.K, out.Penalty); err != nil {
		return fmt.Errorf("siting: %w", err)
	}
	if st.Budget > 0 {
		if out.Budget, err = in.Budget(st.Budget); err != nil {
			return fmt.Errorf("siting: %w", err)
		}
		r.Problems.Merge(out.Budget.Problems)
	}
	r.Siting = out
	return nil
}

// sitingTarget says which origins the sites are chosen for (siting.for):
// nil for everyone; for "ranked" the origins whose main area is among the
// ranking's top areas; for "rural" those classed rural or remote.
func (r *Result) sitingTarget(who string) []bool {
	switch who {
	case "ranked":
		top := map[string]bool{}
		for k, a := range r.Ranked {
			if k == r.Study.Ranking.Top {
				break
			}
			top[r.Areas[a.Area].Name] = true
		}
		names := r.mainAreaNames()
		out := make([]bool, len(names))
		for i, n := range names {
			out[i] = top[n]
		}
		return out
	case "rural":
		out := make([]bool, len(r.Class))
		for i, c := range r.Class {
			out[i] = c != gap.Urban
		}
		return out
	}
	return nil
}
