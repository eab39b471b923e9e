// Package siting chooses where new gathering places would help most, with the
// existing places kept fixed: "if we can fund five new community spaces,
// where should they go?".
//
// An Instance holds demand points (populated cells with their people, the
// longest acceptable trip for their area class, and their trip today to the
// nearest existing place), candidate sites, and a sparse list of candidate to
// demand travel times from bounded network searches (Reach builds it). Three
// questions are answered over it:
//
//   - Cover: the maximal covering location problem (Church and ReVelle 1974).
//     Choose k sites to maximise the people newly brought within their
//     standard. People already served by an existing place count for nothing.
//   - Median: the p-median problem (ReVelle and Swain 1970). Choose k sites
//     to minimise people times minutes, each person going to the nearest of
//     the existing places and the chosen sites.
//   - Budget: Cover with a cost per site and a total budget instead of k.
//
// All three are one problem in disguise: maximising savings over a base,
// where a demand's base is its trip today (Median) or 1 for not yet served
// (Cover, with a site's "trip" 0 where it serves the demand and absent
// otherwise). The savings function is monotone submodular, so greedy
// selection and its bounds apply to all three.
//
// Method. Greedy selection with lazy evaluation (Minoux 1978): a stale gain is
// an upper bound on the fresh one, so a candidate whose recomputed gain still
// heads the queue is the plain greedy choice. Then Teitz-Bart vertex
// substitution (1968): candidates are visited in index order, each tried in
// place of every chosen site (Whitaker's 1983 fast interchange evaluates all k
// swaps of one candidate in one pass over its demands), the best improving
// swap is made, and the scan goes on until a full cycle over the candidates
// finds none. The result is 1-swap optimal: no single exchange improves it.
//
// Quality. Solution.Bound bounds the best possible value, usable on instances
// far too large for exhaustive search. For any chosen set S and an optimal
// set O of k sites, submodularity gives f(O) <= f(S u O) <= f(S) + sum over
// c in O of gain(c|S) <= f(S) + the k largest gain(c|S) (Nemhauser, Wolsey and
// Fisher 1978, the "online bound" of Leskovec et al. 2007). Bound is the least
// of these over every greedy prefix (the empty set included, where it is the
// sum of the k largest single-site coverages) and the final solution. It is
// never weaker than the classic guarantee greedy/(1-(1-1/k)^k): that proof
// only uses the largest gain, times k, at each greedy step. For Budget the
// k largest gains become the fractional (LP) knapsack of the gains under the
// budget, itself an upper bound on any affordable set's gains. For Median
// the same argument gives a lower bound on the least people-minutes.
//
// Budget follows Khuller, Moss and Naor (1999): greedy by gain per unit cost
// among sites that still fit, then the better of that and the best single
// affordable site, which is guaranteed within a factor (1-1/e)/2 (about
// 0.316) of optimal. No interchange is run on it. Bound is usually far
// tighter than the guarantee.
//
// Ties are broken by candidate index everywhere, and sums run in a fixed
// order, so the same instance always gives the same sites.
package siting

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"commonground/internal/problem"
)

// Demand is one demand point, usually a populated grid cell.
type Demand struct {
	// Weight is the people the point stands for, or a need-weighted count.
	Weight float64
	// Limit is the longest acceptable trip in minutes for the point's area
	// class: it is covered by a site at most Limit minutes away. NaN: the
	// point has no standard and is never counted as covered.
	Limit float64
	// Current is the trip in minutes to the nearest existing place; NaN or
	// +Inf when none can be reached. A point with Current <= Limit is
	// already served and adds nothing to Cover.
	Current float64
}

// Candidate is a site where a new place could open.
type Candidate struct {
	ID    string    // unique, e.g. "osm:way/123", "cell:4567", or a CSV id
	Name  string    // for people, may be empty
	Kind  string    // what is there now: school, townhall, library, stop, cell, ...
	Faith bool      // a place of worship, so a run can leave them out
	Point orb.Point // lon/lat
	// Cost is what opening the site would cost, in any unit shared by all
	// candidates and the budget. 0 means not given and counts as 1, so a
	// budget of 5 with no costs buys five sites.
	Cost float64
	// File and Row say where the candidate was read, so problems name the row
	// a user must fix. Row is 1-based (a CSV line), 0 when not applicable.
	File string
	Row  int
}

// Link is one entry of the sparse candidate to demand travel-time list: a
// trip from demand point Demand to candidate Candidate takes Minutes.
// Pairs not listed are out of reach (beyond the search's bound).
// Minutes is float32 to halve the memory of lists of tens of millions.
type Link struct {
	Candidate int32
	Demand    int32
	Minutes   float32
}

// Options are the settings of New.
type Options struct {
	// Area is the study area in lon/lat; candidates outside it are left out.
	// Nil: no check.
	Area orb.MultiPolygon
}

// Instance is a siting problem ready to be solved many times (different k,
// budgets or objectives). It is read-only after New: solutions may be
// computed from several goroutines at once.
type Instance struct {
	Demands    []Demand
	Candidates []Candidate
	// Problems lists candidates left out (duplicates, outside the area, a
	// bad cost), each naming its file and row or id.
	Problems problem.List

	usable []bool    // candidate may be chosen
	start  []int32   // links of candidate c: [start[c], start[c+1])
	dem    []int32   // demand index, ascending within a candidate
	min    []float32 // minutes
}

// ErrNoCandidates is returned when no candidate can be chosen at all.
var ErrNoCandidates = errors.New("siting: no usable candidate site")

// New checks the candidates, records those it must leave out in
// Instance.Problems, and indexes the links by candidate. An error means the
// input itself is inconsistent (a link pointing at a demand or candidate that
// does not exist, a negative or NaN weight or time), which is a bug in the
// caller rather than in a user's file. When no candidate is left, New
// returns ErrNoCandidates together with the Instance, whose Problems say why.
func New(demands []Demand, cands []Candidate, links []Link, opt Options) (*Instance, error) {
	in := &Instance{Demands: demands, Candidates: cands, usable: make([]bool, len(cands))}
	for i, d := range demands {
		if math.IsNaN(d.Weight) || d.Weight < 0 || math.IsInf(d.Weight, 0) {
			return nil, fmt.Errorf("siting: demand %d: weight %v is not a non-negative number", i, d.Weight)
		}
	}
	in.check(opt)
	// Index links by candidate, demands ascending, the least time of
	// repeated pairs kept.
	nc, nd := int32(len(cands)), int32(len(demands))
	count := make([]int32, nc+1)
	for i, l := range links {
		if l.Candidate < 0 || l.Candidate >= nc || l.Demand < 0 || l.Demand >= nd {
			return nil, fmt.Errorf("siting: link %d: candidate %d or demand %d out of range (%d candidates, %d demands)", i, l.Candidate, l.Demand, nc, nd)
		}
		if !(l.Minutes >= 0) || math.IsInf(float64(l.Minutes), 0) {
			return nil, fmt.Errorf("siting: link %d (candidate %d, demand %d): time %v is not a non-negative number of minutes", i, l.Candidate, l.Demand, l.Minutes)
		}
		if in.usable[l.Candidate] {
			count[l.Candidate+1]++
		}
	}
	for c := int32(0); c < nc; c++ {
		count[c+1] += count[c]
	}
	dem := make([]int32, count[nc])
	mins := make([]float32, count[nc])
	next := append([]int32(nil), count[:nc]...)
	for _, l := range links {
		if in.usable[l.Candidate] {
			p := next[l.Candidate]
			next[l.Candidate]++
			dem[p], mins[p] = l.Demand, l.Minutes
		}
	}
	// Sort each candidate's run by demand and fold repeats.
	in.start = make([]int32, nc+1)
	out := int32(0)
	for c := int32(0); c < nc; c++ {
		lo, hi := count[c], count[c+1]
		run := pairs{dem[lo:hi], mins[lo:hi]}
		if !sort.IsSorted(run) {
			sort.Stable(run)
		}
		in.start[c] = out
		for i := lo; i < hi; i++ {
			if out > in.start[c] && dem[out-1] == dem[i] {
				mins[out-1] = min(mins[out-1], mins[i])
				continue
			}
			dem[out], mins[out] = dem[i], mins[i]
			out++
		}
	}
	in.start[nc] = out
	in.dem, in.min = dem[:out:out], mins[:out:out]
	for _, u := range in.usable {
		if u {
			return in, nil
		}
	}
	return in, ErrNoCandidates
}

type pairs struct {
	d []int32
	t []float32
}

func (p pairs) Len() int           { return len(p.d) }
func (p pairs) Less(i, j int) bool { return p.d[i] < p.d[j] }
func (p pairs) Swap(i, j int) {
	p.d[i], p.d[j] = p.d[j], p.d[i]
	p.t[i], p.t[j] = p.t[j], p.t[i]
}

// check marks usable candidates: a valid cost, inside the area, and not a
// repeat of an earlier candidate's id or coordinates (the first is kept).
func (in *Instance) check(opt Options) {
	type key struct{ x, y int64 }
	ids := map[string]int{}
	at := map[key]int{}
	bound := opt.Area.Bound()
	for i, c := range in.Candidates {
		name := "candidate " + c.ID
		if c.ID == "" {
			name = fmt.Sprintf("candidate %d of %d", i+1, len(in.Candidates))
		}
		skip := func(field, value, format string, args ...any) {
			in.Problems.Add(problem.Problem{Severity: problem.Skipped, File: c.File, Line: c.Row,
				Feature: name, Field: field, Value: value, Message: fmt.Sprintf(format, args...)})
		}
		p := c.Point
		switch {
		case c.ID == "":
			skip("id", "", "the candidate has no id")
			continue
		case math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.Abs(p[0]) > 180 || math.Abs(p[1]) > 90:
			skip("point", fmt.Sprintf("%v %v", p[0], p[1]), "coordinates are not a longitude and latitude")
			continue
		case math.IsNaN(c.Cost) || c.Cost < 0 || math.IsInf(c.Cost, 0):
			skip("cost", fmt.Sprint(c.Cost), "cost must be a non-negative number")
			continue
		}
		if j, dup := ids[c.ID]; dup {
			skip("id", c.ID, "same id as %s; the first is kept", where(in.Candidates[j], j))
			continue
		}
		ids[c.ID] = i
		// Same coordinates to 1e-7 degrees (about 1 cm).
		k := key{int64(math.Round(p[0] * 1e7)), int64(math.Round(p[1] * 1e7))}
		if j, dup := at[k]; dup {
			skip("point", fmt.Sprintf("%.7f %.7f", p[1], p[0]), "same place as %s; the first is kept", where(in.Candidates[j], j))
			continue
		}
		at[k] = i
		if opt.Area != nil && !(bound.Contains(p) && planar.MultiPolygonContains(opt.Area, p)) {
			skip("point", fmt.Sprintf("%.7f %.7f", p[1], p[0]), "outside the study area")
			continue
		}
		in.usable[i] = true
	}
}

// where names a candidate for a message: its id, and its file row if any.
func where(c Candidate, i int) string {
	s := "candidate " + strconv.Quote(c.ID)
	if c.Row > 0 {
		s += fmt.Sprintf(" (%s row %d)", c.File, c.Row)
	}
	return s
}

// Usable reports whether candidate c may be chosen (New did not leave it out).
func (in *Instance) Usable(c int) bool { return in.usable[c] }

// cost returns candidate c's cost, 1 where none was given.
func (in *Instance) cost(c int) float64 {
	if in.Candidates[c].Cost == 0 {
		return 1
	}
	return in.Candidates[c].Cost
}
