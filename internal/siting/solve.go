package siting

import (
	"fmt"
	"math"
	"sort"

	"commonground/internal/problem"
)

// Solution is a set of chosen sites and how good it is.
type Solution struct {
	// Sites are candidate indexes in step order (see Steps).
	Sites []int
	// Steps adds the sites one by one, each where it adds most given the
	// ones before it (Budget: most per unit cost): the marginal value curve.
	Steps []Step
	// Value is, for Cover and Budget, the weight (people) newly brought within
	// their standard; for Median, the total of weight times minutes over all
	// demands, each at min(current trip, penalty, trip to a chosen site).
	Value float64
	// Greedy is Value before the interchange pass (Budget: the greedy
	// solution, even when the best single site beat it).
	Greedy float64
	// Bound is an upper bound on the best possible Value for Cover and
	// Budget, a lower bound for Median (see the package comment).
	Bound float64
	// Swaps counts the improving exchanges the interchange pass made.
	Swaps int
	// Cost is the total cost of the sites (1 per site without a cost).
	Cost float64
	// Problems holds what the run itself ran into: k above the candidates
	// that can be chosen, a budget below every site's cost, too few sites
	// that add anything. Problems with the candidates are in
	// Instance.Problems.
	Problems problem.List
}

// Step is one site of a solution added after those before it.
type Step struct {
	Site int // candidate index
	// Gain is what the site adds after the earlier steps: people newly
	// covered (Cover, Budget) or people-minutes saved (Median).
	Gain float64
	// Value is the solution's value after this step.
	Value float64
	// Catchment lists the demands this site serves best among the chosen
	// sites and better than today (ties go to the earlier step), ascending.
	// For Cover and Budget these are the demands it newly covers.
	Catchment []int32
}

// model is the savings problem all three questions reduce to: demand d has
// weight w[d] and base cost base[d]; candidate c offers cost t to the demands
// of its list, each with t < base; the savings of a set S is
// sum over d of w[d] * (base[d] - min(base[d], min over c in S of t)).
type model struct {
	in     *Instance
	median bool // Value is people-minutes, not savings
	w      []float64
	base   []float64
	start  []int32
	dem    []int32
	t      []float32
}

// coverModel keeps, for each usable candidate, the demands not served today
// that it brings within their standard, at "cost" 0 against a base of 1.
func (in *Instance) coverModel() *model {
	m := &model{in: in, w: make([]float64, len(in.Demands)), base: make([]float64, len(in.Demands))}
	for d, dm := range in.Demands {
		served := dm.Current <= dm.Limit // false when either is NaN
		if !served && dm.Limit >= 0 && dm.Weight > 0 {
			m.w[d], m.base[d] = dm.Weight, 1
		}
	}
	m.filter(func(d int32, t float32) (float32, bool) {
		return 0, m.w[d] > 0 && float64(t) <= m.in.Demands[d].Limit
	})
	return m
}

// medianModel keeps links quicker than a demand's trip today, each trip
// capped at penalty minutes.
func (in *Instance) medianModel(penalty float64) *model {
	m := &model{in: in, median: true, w: make([]float64, len(in.Demands)), base: make([]float64, len(in.Demands))}
	for d, dm := range in.Demands {
		m.w[d] = dm.Weight
		m.base[d] = penalty
		if dm.Current < penalty { // false for NaN
			m.base[d] = dm.Current
		}
	}
	m.filter(func(d int32, t float32) (float32, bool) {
		return t, float64(t) < m.base[d] && m.w[d] > 0
	})
	return m
}

// filter builds the model's lists from the instance's links.
func (m *model) filter(keep func(d int32, t float32) (float32, bool)) {
	in := m.in
	nc := len(in.Candidates)
	m.start = make([]int32, nc+1)
	n := 0
	for c := 0; c < nc; c++ {
		for i := in.start[c]; i < in.start[c+1]; i++ {
			if _, ok := keep(in.dem[i], in.min[i]); ok {
				n++
			}
		}
	}
	m.dem, m.t = make([]int32, 0, n), make([]float32, 0, n)
	for c := 0; c < nc; c++ {
		m.start[c] = int32(len(m.dem))
		if !in.usable[c] {
			continue
		}
		for i := in.start[c]; i < in.start[c+1]; i++ {
			if t, ok := keep(in.dem[i], in.min[i]); ok {
				m.dem = append(m.dem, in.dem[i])
				m.t = append(m.t, t)
			}
		}
	}
	m.start[nc] = int32(len(m.dem))
}

// gain is what candidate c saves given each demand's best cost so far.
func (m *model) gain(c int, best []float64) float64 {
	g := 0.0
	for i := m.start[c]; i < m.start[c+1]; i++ {
		d := m.dem[i]
		if t := float64(m.t[i]); t < best[d] {
			g += m.w[d] * (best[d] - t)
		}
	}
	return g
}

// add lowers best by candidate c's costs.
func (m *model) add(c int, best []float64) {
	for i := m.start[c]; i < m.start[c+1]; i++ {
		d := m.dem[i]
		if t := float64(m.t[i]); t < best[d] {
			best[d] = t
		}
	}
}

// savings returns sum of w * (base - best).
func (m *model) savings(best []float64) float64 {
	s := 0.0
	for d, w := range m.w {
		if w > 0 {
			s += w * (m.base[d] - best[d])
		}
	}
	return s
}

// total returns sum of w * best over all demands: Median's people-minutes.
func (m *model) total(best []float64) float64 {
	s := 0.0
	for d, w := range m.w {
		if w > 0 {
			s += w * best[d]
		}
	}
	return s
}

// item is a candidate in the greedy queue: key is its gain (or gain per
// cost) as of greedy round round.
type item struct {
	key   float64
	c     int32
	round int32
}

// queue is a max-heap on key, ties to the lower candidate index.
type queue []item

func (q queue) less(i, j int) bool {
	return q[i].key > q[j].key || (q[i].key == q[j].key && q[i].c < q[j].c)
}

func (q queue) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(q) {
			return
		}
		j := l
		if r := l + 1; r < len(q) && q.less(r, l) {
			j = r
		}
		if !q.less(j, i) {
			return
		}
		q[i], q[j] = q[j], q[i]
		i = j
	}
}

func (q *queue) pop() {
	old := *q
	n := len(old) - 1
	old[0] = old[n]
	*q = old[:n]
	q.down(0)
}

func heapify(q queue) {
	for i := len(q)/2 - 1; i >= 0; i-- {
		q.down(i)
	}
}

// usableCount returns how many candidates may be chosen.
func (in *Instance) usableCount() int {
	n := 0
	for _, u := range in.usable {
		if u {
			n++
		}
	}
	return n
}

// Cover solves the maximal covering problem for k new sites.
func (in *Instance) Cover(k int) (*Solution, error) {
	if k < 1 {
		return nil, fmt.Errorf("siting: cover: k = %d, want at least 1 site", k)
	}
	return in.cardinality(in.coverModel(), k), nil
}

// Median solves the p-median problem for k new sites. penalty (minutes) is
// the trip charged to a demand that neither an existing place nor a chosen
// site reaches, and caps every longer trip. A pair missing from the links
// counts as out of reach, so the links should come from searches reaching at
// least penalty minutes (Reach with every limit set to penalty); shorter
// searches miss what a site does for demands between their bound and the
// penalty. A high penalty makes reaching the unreached dominate the choice;
// 60 to 120 minutes is usual for driving.
func (in *Instance) Median(k int, penalty float64) (*Solution, error) {
	if k < 1 {
		return nil, fmt.Errorf("siting: median: k = %d, want at least 1 site", k)
	}
	if !(penalty > 0) || math.IsInf(penalty, 0) {
		return nil, fmt.Errorf("siting: median: penalty %v minutes, want a positive number", penalty)
	}
	return in.cardinality(in.medianModel(penalty), k), nil
}

// cardinality runs greedy, interchange and bounds for k sites.
func (in *Instance) cardinality(m *model, k int) *Solution {
	sol := &Solution{}
	if n := in.usableCount(); k > n {
		sol.Problems.Addf(problem.Warning, "", "", "asked for %d sites but only %d candidates can be chosen: choosing at most %d", k, n, n)
		k = n
	}
	best := append([]float64(nil), m.base...)
	bound := math.Inf(1)
	q := make(queue, 0, len(in.Candidates))
	for c := range in.Candidates {
		if in.usable[c] {
			q = append(q, item{key: m.gain(c, best), c: int32(c)})
		}
	}
	// The bound at the empty set: the k largest single-site savings.
	bound = min(bound, m.topK(q, k))
	heapify(q)
	var sites []int
	round := int32(0)
	for len(sites) < k && len(q) > 0 {
		top := &q[0]
		if top.round != round {
			top.key, top.round = m.gain(int(top.c), best), round
			q.down(0)
			continue
		}
		if top.key <= 0 {
			break
		}
		c := int(top.c)
		q.pop()
		sites = append(sites, c)
		m.add(c, best)
		round++
		bound = min(bound, m.savings(best)+m.topKAll(best, k))
	}
	if len(sites) < k && len(sites) < in.usableCount() {
		sol.Problems.Addf(problem.Warning, "", "", "only %d of the %d sites asked for add anything: no other candidate would serve anyone better than today", len(sites), k)
	}
	sol.Greedy = m.value(best)
	sites, sol.Swaps = m.interchange(sites)
	st := m.state(sites)
	bound = min(bound, m.savings(st.best)+m.topKAll(st.best, k))
	m.finish(sol, sites, false)
	m.setBound(sol, bound)
	return sol
}

// ceiling returns each demand's least cost over all candidates: the best
// any number of sites could do.
func (m *model) ceiling() []float64 {
	best := append([]float64(nil), m.base...)
	for c := range m.in.Candidates {
		m.add(c, best)
	}
	return best
}

// topK sums the k largest keys of q.
func (m *model) topK(q queue, k int) float64 {
	keys := make([]float64, len(q))
	for i, it := range q {
		keys[i] = it.key
	}
	return sumLargest(keys, k)
}

// topKAll sums the k largest gains of all usable candidates given best.
func (m *model) topKAll(best []float64, k int) float64 {
	keys := make([]float64, 0, len(m.in.Candidates))
	for c := range m.in.Candidates {
		if m.in.usable[c] {
			keys = append(keys, m.gain(c, best))
		}
	}
	return sumLargest(keys, k)
}

func sumLargest(keys []float64, k int) float64 {
	sort.Sort(sort.Reverse(sort.Float64Slice(keys)))
	s := 0.0
	for i := 0; i < k && i < len(keys); i++ {
		s += keys[i]
	}
	return s
}

// state is, for a set of sites, each demand's best cost, which position of
// the set gives it (-1: the base), and the second best (the base included).
type state struct {
	best, second []float64
	first        []int32
}

func (m *model) state(sites []int) state {
	st := state{best: append([]float64(nil), m.base...), second: append([]float64(nil), m.base...), first: make([]int32, len(m.base))}
	for i := range st.first {
		st.first[i] = -1
	}
	for p, c := range sites {
		for i := m.start[c]; i < m.start[c+1]; i++ {
			d, t := m.dem[i], float64(m.t[i])
			switch {
			case t < st.best[d]:
				st.second[d], st.best[d], st.first[d] = st.best[d], t, int32(p)
			case t < st.second[d]:
				st.second[d] = t
			}
		}
	}
	return st
}

// interchange is Teitz-Bart vertex substitution with Whitaker's fast
// evaluation: for candidate c and chosen position p, the change of savings
// from putting c in p's place is
//
//	G(c) - L(p) + sum over d in c's list with first[d] = p of
//	        w * (max(0, second[d] - t) - max(0, best[d] - t))
//
// where G(c) is c's gain over the current best and L(p) what the demands
// served by p would lose falling back to their second best.
func (m *model) interchange(sites []int) ([]int, int) {
	nc := len(m.in.Candidates)
	if len(sites) == 0 || len(sites) >= m.in.usableCount() {
		return sites, 0
	}
	eps := 1e-9 * max(1, m.total(m.base))
	chosen := make([]bool, nc)
	for _, c := range sites {
		chosen[c] = true
	}
	st := m.state(sites)
	loss := m.losses(st, len(sites))
	corr := make([]float64, len(sites))
	swaps, idle := 0, 0
	// Every swap gains more than eps, so the scan ends; the cap only guards
	// against rounding making that false.
	for c := 0; idle < nc && swaps < 1000*len(sites); c = (c + 1) % nc {
		idle++
		if chosen[c] || !m.in.usable[c] || m.start[c] == m.start[c+1] {
			continue
		}
		clear(corr)
		g := 0.0
		for i := m.start[c]; i < m.start[c+1]; i++ {
			d, t := m.dem[i], float64(m.t[i])
			b := st.best[d]
			if t < b {
				g += m.w[d] * (b - t)
			}
			if p := st.first[d]; p >= 0 {
				if x := max(0, st.second[d]-t) - max(0, b-t); x != 0 {
					corr[p] += m.w[d] * x
				}
			}
		}
		bestP, bestDelta := -1, eps
		for p := range sites {
			if delta := g - loss[p] + corr[p]; delta > bestDelta {
				bestP, bestDelta = p, delta
			}
		}
		if bestP < 0 {
			continue
		}
		chosen[sites[bestP]], chosen[c] = false, true
		sites[bestP] = c
		swaps++
		idle = 0
		st = m.state(sites)
		loss = m.losses(st, len(sites))
	}
	return sites, swaps
}

// losses returns, per position, what its demands lose if it is removed.
func (m *model) losses(st state, n int) []float64 {
	loss := make([]float64, n)
	for d, p := range st.first {
		if p >= 0 {
			loss[p] += m.w[d] * (st.second[d] - st.best[d])
		}
	}
	return loss
}

// finish orders the sites into steps (each the greatest gain, or gain per
// cost, after those before it; ties to the lower candidate index), and fills
// the solution's value, cost and catchments.
func (m *model) finish(sol *Solution, sites []int, perCost bool) {
	best := append([]float64(nil), m.base...)
	left := append([]int(nil), sites...)
	sort.Ints(left)
	sol.Sites, sol.Steps, sol.Cost = nil, nil, 0
	for len(left) > 0 {
		bi, bk, bg := -1, math.Inf(-1), 0.0
		for i, c := range left {
			g := m.gain(c, best)
			key := g
			if perCost {
				key = g / m.in.cost(c)
			}
			if key > bk {
				bi, bk, bg = i, key, g
			}
		}
		c := left[bi]
		left = append(left[:bi], left[bi+1:]...)
		m.add(c, best)
		sol.Sites = append(sol.Sites, c)
		sol.Cost += m.in.cost(c)
		sol.Steps = append(sol.Steps, Step{Site: c, Gain: bg, Value: m.value(best)})
	}
	st := m.state(sol.Sites)
	for d, p := range st.first {
		if p >= 0 {
			sol.Steps[p].Catchment = append(sol.Steps[p].Catchment, int32(d))
		}
	}
	sol.Value = m.value(best)
}

// value is the objective a solution reports: savings for covering, total
// people-minutes for the median.
func (m *model) value(best []float64) float64 {
	if m.median {
		return m.total(best)
	}
	return m.savings(best)
}

// setBound turns a bound on savings into the solution's Bound, tightened by
// what all candidates together could do.
func (m *model) setBound(sol *Solution, savings float64) {
	all := m.ceiling()
	if m.median {
		sol.Bound = max(m.total(m.base)-savings, m.total(all))
		return
	}
	sol.Bound = min(savings, m.savings(all))
}

// Budget solves the covering problem under a total cost instead of a number
// of sites (Khuller, Moss and Naor 1999; see the package comment).
func (in *Instance) Budget(budget float64) (*Solution, error) {
	if !(budget > 0) || math.IsInf(budget, 0) {
		return nil, fmt.Errorf("siting: budget %v, want a positive number", budget)
	}
	m := in.coverModel()
	sol := &Solution{}
	best := append([]float64(nil), m.base...)
	limit := budget * (1 + 1e-12) // sums of costs may round up
	var q queue
	cheapest, single, singleGain := -1, -1, 0.0
	var gains, costs []float64
	for c := range in.Candidates {
		if !in.usable[c] {
			continue
		}
		cost := in.cost(c)
		if cheapest < 0 || cost < in.cost(cheapest) {
			cheapest = c
		}
		if cost > limit {
			continue
		}
		g := m.gain(c, best)
		if g > singleGain {
			single, singleGain = c, g
		}
		q = append(q, item{key: g / cost, c: int32(c)})
		gains, costs = append(gains, g), append(costs, cost)
	}
	if len(q) == 0 {
		if cheapest >= 0 {
			c := in.Candidates[cheapest]
			sol.Problems.Add(problem.Problem{Severity: problem.Warning, File: c.File, Line: c.Row, Feature: "candidate " + c.ID, Field: "cost",
				Value: fmt.Sprint(in.cost(cheapest)), Message: fmt.Sprintf("the budget %v is less than the cheapest site's cost: nothing can be chosen", budget)})
		}
		return sol, nil
	}
	bound := knapsack(gains, costs, budget)
	heapify(q)
	var sites []int
	spent := 0.0
	round := int32(0)
	for len(q) > 0 {
		top := &q[0]
		c := int(top.c)
		if spent+in.cost(c) > limit {
			q.pop() // never fits again: the budget only shrinks
			continue
		}
		if top.round != round {
			top.key, top.round = m.gain(c, best)/in.cost(c), round
			q.down(0)
			continue
		}
		if top.key <= 0 {
			break
		}
		q.pop()
		sites = append(sites, c)
		spent += in.cost(c)
		m.add(c, best)
		round++
		gains, costs = gains[:0], costs[:0]
		for c := range in.Candidates {
			if in.usable[c] && in.cost(c) <= limit {
				gains, costs = append(gains, m.gain(c, best)), append(costs, in.cost(c))
			}
		}
		bound = min(bound, m.savings(best)+knapsack(gains, costs, budget))
	}
	sol.Greedy = m.savings(best)
	if singleGain > sol.Greedy {
		sites = []int{single}
	}
	m.finish(sol, sites, true)
	m.setBound(sol, bound)
	return sol, nil
}

// knapsack is the fractional knapsack's value: items by gain per cost, the
// last taken in part. It bounds the gains of any set costing at most budget.
func knapsack(gains, costs []float64, budget float64) float64 {
	idx := make([]int, 0, len(gains))
	for i, g := range gains {
		if g > 0 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return gains[idx[a]]/costs[idx[a]] > gains[idx[b]]/costs[idx[b]]
	})
	v, left := 0.0, budget
	for _, i := range idx {
		if costs[i] <= left {
			v += gains[i]
			left -= costs[i]
			continue
		}
		v += gains[i] * left / costs[i]
		break
	}
	return v
}
