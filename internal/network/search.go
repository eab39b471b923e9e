package network

import (
	"math"
	"slices"
)

// Source is a destination of a search, such as a library's snapped entrance.
// Start is the cost in seconds already spent getting from the network onto
// the source itself (its own snap leg, say), added to every path.
type Source struct {
	At    Snap
	Label int32
	Start float64
}

// Field holds, for every vertex, the least cost of travelling from it to any
// source and which source that is. It is the result of one Nearest search and
// is read-only, so many goroutines may call At.
type Field struct {
	g      *Graph
	cost   []float64
	label  []int32
	byEdge map[int32][]Source // sources by edge, for origins on the same edge
}

// item is a heap entry: a tentative cost of a vertex. Entries go stale when
// a lower cost is found later; they are skipped when popped.
type item struct {
	cost float64
	v    int32
}

// minHeap is a binary heap written for item, avoiding container/heap's
// interface calls on the hot path.
type minHeap []item

func (h *minHeap) push(c float64, v int32) {
	a := append(*h, item{c, v})
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if a[p].cost <= c {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = item{c, v}
	*h = a
}

func (h *minHeap) pop() item {
	a := *h
	top := a[0]
	last := a[len(a)-1]
	a = a[:len(a)-1]
	n := len(a)
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		if r := l + 1; r < n && a[r].cost < a[l].cost {
			l = r
		}
		if last.cost <= a[l].cost {
			break
		}
		a[i] = a[l]
		i = l
	}
	if n > 0 {
		a[i] = last
	}
	*h = a
	return top
}

// searcher is the scratch state of one bounded search. Costs are valid only
// where stamp equals gen, so nothing is cleared between searches.
type searcher struct {
	heap    minHeap
	cost    []float64
	stamp   []uint32
	gen     uint32
	settled []int32
	estamp  []uint32 // edges already looked at for targets
	hits    []hit
}

type hit struct {
	target int32
	cost   float64
}

func (g *Graph) getSearcher() *searcher {
	if s, ok := g.scratch.Get().(*searcher); ok {
		return s
	}
	return &searcher{
		cost:   make([]float64, len(g.vpt)),
		stamp:  make([]uint32, len(g.vpt)),
		estamp: make([]uint32, len(g.eU)),
	}
}

// seed enters the source into a search: a traveller at the edge's first
// vertex reaches it by going forward f of the edge, one at the other vertex by
// going backward 1-f of it.
func (g *Graph) seed(src Source, enter func(v int32, c float64)) {
	e := src.At.Edge
	if e < 0 || int(e) >= len(g.eU) || math.IsNaN(src.Start) {
		return
	}
	f := clamp01(src.At.Frac)
	if c := g.eFwd[e]; !math.IsInf(c, 1) {
		enter(g.eU[e], onTick(src.Start+f*c))
	}
	if c := g.eBwd[e]; !math.IsInf(c, 1) {
		enter(g.eV[e], onTick(src.Start+(1-f)*c))
	}
}

// tick is the unit of a search's costs: 2^-24 s, about 60 ns.
const tick = 0x1p-24

// onTick rounds a cost in seconds to a whole number of ticks (2^-24 s). Arc
// costs and the costs a search starts from are ticks, so every cost a
// search adds up is an integer number of ticks below 2^53, which float64
// holds exactly up to 2^29 s (17 years): sums are exact, and a path's cost
// is the same bits whatever order its arcs are added in. A contraction
// hierarchy's shortcuts (sweep.go) therefore give Dijkstra's costs to the
// last bit, and so does a shard's part of the map for the paths it holds.
// Rounding moves a cost by at most 2^-25 s, 0.04 mm at a walking pace.
// Infinities and NaN pass through.
func onTick(c float64) float64 {
	return math.Round(c/tick) * tick
}

// Nearest runs one multi-source Dijkstra search over the whole graph, giving
// for every vertex the least cost of travelling from it to any of srcs (on a
// Drive graph, along the arcs' direction towards the source) and the Label of
// that source. Sources with Edge < 0 or a NaN Start are ignored. Ties between
// sources go to whichever the search settles first, which is deterministic.
func (g *Graph) Nearest(srcs []Source) *Field {
	n := len(g.vpt)
	f := &Field{g: g, cost: make([]float64, n), label: make([]int32, n), byEdge: make(map[int32][]Source)}
	for i := range f.cost {
		f.cost[i] = math.Inf(1)
		f.label[i] = -1
	}
	s := g.getSearcher()
	defer g.scratch.Put(s)
	h := s.heap[:0]
	for _, src := range srcs {
		g.seed(src, func(v int32, c float64) {
			if c < f.cost[v] {
				f.cost[v], f.label[v] = c, src.Label
				h.push(c, v)
			}
		})
		if e := src.At.Edge; e >= 0 && int(e) < len(g.eU) && !math.IsNaN(src.Start) {
			f.byEdge[e] = append(f.byEdge[e], src)
		}
	}
	cost, label, in, inStart, leaf := f.cost, f.label, g.in, g.inStart, g.leaf
	for len(h) > 0 {
		it := h.pop()
		if it.cost > cost[it.v] {
			continue // stale
		}
		lab := label[it.v]
		for _, a := range in[inStart[it.v]:inStart[it.v+1]] {
			if c := it.cost + a.cost; c < cost[a.from] {
				cost[a.from], label[a.from] = c, lab
				if !leaf[a.from] { // a dead end's cost is final already
					h.push(c, a.from)
				}
			}
		}
	}
	s.heap = h
	return f
}

// At returns the cost of travelling from a snapped origin to its nearest
// source and that source's label: leaving the origin's edge towards whichever
// end is cheaper, or travelling straight along the edge to a source on the
// same edge where the edge's direction allows. The origin's own snap leg is
// not included. ok is false when no source can be reached.
func (f *Field) At(s Snap) (cost float64, label int32, ok bool) {
	g := f.g
	e := s.Edge
	if e < 0 || int(e) >= len(g.eU) {
		return math.Inf(1), -1, false
	}
	cost, label = math.Inf(1), -1
	frac := clamp01(s.Frac)
	u, v := g.eU[e], g.eV[e]
	if c := along(1-frac, g.eFwd[e]) + f.cost[v]; c < cost {
		cost, label = c, f.label[v]
	}
	if c := along(frac, g.eBwd[e]) + f.cost[u]; c < cost {
		cost, label = c, f.label[u]
	}
	for _, src := range f.byEdge[e] {
		if c := direct(g, e, frac, src); c < cost {
			cost, label = c, src.Label
		}
	}
	if math.IsInf(cost, 1) {
		return cost, -1, false
	}
	return cost, label, true
}

// direct is the cost of travelling along edge e from position frac straight
// to src on the same edge, +Inf when the edge's direction forbids it.
func direct(g *Graph, e int32, frac float64, src Source) float64 {
	f := clamp01(src.At.Frac)
	switch {
	case f >= frac && !math.IsInf(g.eFwd[e], 1):
		return src.Start + (f-frac)*g.eFwd[e]
	case f <= frac && !math.IsInf(g.eBwd[e], 1):
		return src.Start + (frac-f)*g.eBwd[e]
	}
	return math.Inf(1)
}

// Targets indexes snapped origins by edge so that a bounded search from one
// source can find the origins near the vertices it reached.
type Targets struct {
	g     *Graph
	start []int32 // edge e holds targets idx[start[e]:start[e+1]]
	idx   []int32
	frac  []float64
	// The edges touching vertex v that hold at least one target are
	// vEdge[vStart[v]:vStart[v+1]], so a search looks only at those of the
	// vertices it settles, not at every street around them.
	vStart []int32
	vEdge  []int32
}

// NewTargets indexes snaps; target i is snaps[i]. Snaps with Edge < 0 (points
// that did not snap) are left out but keep their index.
func (g *Graph) NewTargets(snaps []Snap) *Targets {
	t := &Targets{g: g, start: make([]int32, len(g.eU)+1)}
	ok := func(s Snap) bool { return s.Edge >= 0 && int(s.Edge) < len(g.eU) }
	for _, s := range snaps {
		if ok(s) {
			t.start[s.Edge+1]++
		}
	}
	for e := range g.eU {
		t.start[e+1] += t.start[e]
	}
	t.idx = make([]int32, t.start[len(g.eU)])
	t.frac = make([]float64, len(t.idx))
	fill := append([]int32(nil), t.start[:len(g.eU)]...)
	for i, s := range snaps {
		if ok(s) {
			t.idx[fill[s.Edge]] = int32(i)
			t.frac[fill[s.Edge]] = clamp01(s.Frac)
			fill[s.Edge]++
		}
	}
	t.vStart = make([]int32, len(g.vpt)+1)
	for v := range g.vpt {
		for _, e := range g.inc[g.incStart[v]:g.incStart[v+1]] {
			if t.start[e] < t.start[e+1] {
				t.vStart[v+1]++
			}
		}
	}
	for v := range g.vpt {
		t.vStart[v+1] += t.vStart[v]
	}
	t.vEdge = make([]int32, 0, t.vStart[len(g.vpt)])
	for v := range g.vpt {
		for _, e := range g.inc[g.incStart[v]:g.incStart[v+1]] {
			if t.start[e] < t.start[e+1] {
				t.vEdge = append(t.vEdge, e)
			}
		}
	}
	return t
}

// Reach runs a search from one source bounded at maxCost seconds and calls
// visit, in increasing target order, once for every target whose cost of
// travelling to src is at most maxCost. As for Field.At the cost includes
// src.Start but not the target's own snap leg. targets must come from this
// graph's NewTargets; nil or another graph's targets visit nothing.
func (g *Graph) Reach(src Source, maxCost float64, targets *Targets, visit func(target int32, cost float64)) {
	g.ReachAll([]Source{src}, maxCost, targets, visit)
}

// ReachAll is Reach from several sources at once, one search seeded with all
// of them: each target is visited once, with its cost to the cheapest
// source. One place with many entrances (a large park's edge) costs one
// search instead of one per entrance.
func (g *Graph) ReachAll(srcs []Source, maxCost float64, targets *Targets, visit func(target int32, cost float64)) {
	g.reachAll(srcs, maxCost, targets, true, visit)
}

// ReachAllUnordered is ReachAll without the promise of increasing target
// order, for callers that gather results themselves: it saves sorting the
// hits of every search, the largest cost of wide searches.
func (g *Graph) ReachAllUnordered(srcs []Source, maxCost float64, targets *Targets, visit func(target int32, cost float64)) {
	g.reachAll(srcs, maxCost, targets, false, visit)
}

func (g *Graph) reachAll(srcs []Source, maxCost float64, targets *Targets, sorted bool, visit func(target int32, cost float64)) {
	if !(maxCost >= 0) || targets == nil || targets.g != g {
		return
	}
	var valid []Source
	for _, src := range srcs {
		if e := src.At.Edge; e >= 0 && int(e) < len(g.eU) && !math.IsNaN(src.Start) {
			valid = append(valid, src)
		}
	}
	if len(valid) == 0 {
		return
	}
	s := g.getSearcher()
	defer g.scratch.Put(s)
	s.gen++
	if s.gen == 0 { // wrapped: old stamps could collide
		clear(s.stamp)
		clear(s.estamp)
		s.gen = 1
	}
	gen := s.gen
	cost, stamp := s.cost, s.stamp
	h := s.heap[:0]
	s.settled = s.settled[:0]
	for _, src := range valid {
		g.seed(src, func(v int32, c float64) {
			if c <= maxCost && (stamp[v] != gen || c < cost[v]) {
				stamp[v], cost[v] = gen, c
				h.push(c, v)
			}
		})
	}
	in, inStart, leaf := g.in, g.inStart, g.leaf
	for len(h) > 0 {
		it := h.pop()
		if it.cost > cost[it.v] {
			continue
		}
		s.settled = append(s.settled, it.v)
		for _, a := range in[inStart[it.v]:inStart[it.v+1]] {
			c := it.cost + a.cost
			if c <= maxCost && (stamp[a.from] != gen || c < cost[a.from]) {
				stamp[a.from], cost[a.from] = gen, c
				if leaf[a.from] {
					// A dead end's cost is final: settle it here. A heap
					// entry left from seeding it is stale now.
					s.settled = append(s.settled, a.from)
				} else {
					h.push(c, a.from)
				}
			}
		}
	}
	s.heap = h

	// Every vertex within maxCost is settled now; targets can only be on
	// edges touching one of them, or on a source's own edge.
	at := func(v int32) float64 {
		if stamp[v] == gen {
			return cost[v]
		}
		return math.Inf(1)
	}
	s.hits = s.hits[:0]
	look := func(e int32) {
		if s.estamp[e] == gen {
			return
		}
		s.estamp[e] = gen
		du, dv := at(g.eU[e]), at(g.eV[e])
		for k := targets.start[e]; k < targets.start[e+1]; k++ {
			fr := targets.frac[k]
			c := min(along(1-fr, g.eFwd[e])+dv, along(fr, g.eBwd[e])+du)
			for _, src := range valid {
				if src.At.Edge == e {
					c = min(c, direct(g, e, fr, src))
				}
			}
			if c <= maxCost {
				s.hits = append(s.hits, hit{targets.idx[k], c})
			}
		}
	}
	for _, src := range valid {
		look(src.At.Edge)
	}
	vStart, vEdge := targets.vStart, targets.vEdge
	for _, v := range s.settled {
		for _, e := range vEdge[vStart[v]:vStart[v+1]] {
			look(e)
		}
	}
	if sorted {
		slices.SortFunc(s.hits, func(a, b hit) int { return int(a.target) - int(b.target) })
	}
	for _, h := range s.hits {
		visit(h.target, h.cost)
	}
}

// along is the cost of part frac of a direction costing c; a closed
// direction (+Inf) stays closed even for frac 0.
func along(frac, c float64) float64 {
	if math.IsInf(c, 1) {
		return c
	}
	return frac * c
}

func clamp01(x float64) float64 {
	return min(max(x, 0), 1)
}
