package network

import (
	"cmp"
	"container/heap"
	"math"
	"slices"
	"sync"
)

// Many bounded searches over one graph, such as the drive travel matrix's
// one search per place over most of a state, are faster on a contraction
// hierarchy (Geisberger, Sanders, Schultes and Delling 2008, "Contraction
// hierarchies: faster and simpler hierarchical routing in road networks",
// WEA 2008) swept as PHAST does (Delling, Goldberg, Nowatzyk and Werneck
// 2011, "PHAST: hardware-accelerated shortest path trees", IPDPS 2011): a
// small search upwards from the source, then one pass over every vertex
// from the most important down, in a fixed order, instead of a heap.
//
// A shortcut's cost is the sum of the arcs it stands for, so costs are
// sums of the same arc costs as Dijkstra's, added in another order; since
// every cost is a whole number of ticks (see onTick), the sums are exact
// and the costs are Dijkstra's to the last bit.

// chArc is an arc of the hierarchy in the direction searches run (towards
// the source: from a vertex to one it can be reached from).
type chArc struct {
	to   int32
	cost float64
}

// hierarchy is a graph's vertices in contraction order with the arcs and
// shortcuts between them, by position in that order (0 contracted first).
type hierarchy struct {
	pos []int32 // vertex -> position
	// up[upStart[p]:upStart[p+1]]: arcs from position p to higher ones.
	upStart []int32
	up      []chArc
	// down[downStart[p]:downStart[p+1]]: arcs into position p from higher
	// ones (to holds the higher position).
	downStart []int32
	down      []chArc
	// scratch lends sweepScratch to every Sweeper of the graph: its size
	// is the graph's, whatever the targets, so the searches to origins
	// and siting's to demands share the same few.
	scratch sync.Pool
}

// witnessLimit bounds the vertices a witness search settles while
// contracting: past it a shortcut is added even if a path around may
// exist, which keeps costs right and only makes the hierarchy larger.
const witnessLimit = 10

// contract builds the hierarchy of g's search direction (its reverse
// arcs). Vertices are taken by the smallest edge difference (shortcuts
// added less arcs removed) plus the neighbours already contracted, updated
// lazily; ties go to the lower vertex id, so the order is deterministic.
func (g *Graph) contract() *hierarchy {
	n := len(g.vpt)
	// Each vertex's lists start in one shared array, with room for two
	// shortcuts before they move out on their own.
	out := make([][]chArc, n)
	in := make([][]chArc, n)
	outDeg := make([]int32, n)
	inDeg := make([]int32, n)
	for y := range n {
		for _, a := range g.in[g.inStart[y]:g.inStart[y+1]] {
			outDeg[y]++
			inDeg[a.from]++
		}
	}
	outArena := make([]chArc, len(g.in)+2*n)
	inArena := make([]chArc, len(g.in)+2*n)
	oo, io := 0, 0
	for v := range n {
		oc, ic := int(outDeg[v])+2, int(inDeg[v])+2
		out[v] = outArena[oo : oo : oo+oc]
		in[v] = inArena[io : io : io+ic]
		oo, io = oo+oc, io+ic
	}
	// add adds the arc u->w, or lowers the cost of the one there.
	add := func(u, w int32, c float64) {
		for k := range out[u] {
			if out[u][k].to == w {
				if c < out[u][k].cost {
					out[u][k].cost = c
					for j := range in[w] {
						if in[w][j].to == u {
							in[w][j].cost = c
						}
					}
				}
				return
			}
		}
		out[u] = append(out[u], chArc{w, c})
		in[w] = append(in[w], chArc{u, c})
	}
	for y := range n {
		for _, a := range g.in[g.inStart[y]:g.inStart[y+1]] {
			if a.from != int32(y) {
				add(int32(y), a.from, a.cost)
			}
		}
	}
	deleted := make([]int32, n)
	w := newWitness(n)
	// shortcuts lists the shortcuts that contracting v needs. The lists
	// hold only arcs between vertices not yet contracted.
	type shortcut struct {
		u, x int32
		c    float64
	}
	var need []shortcut
	shortcuts := func(v int32) {
		need = need[:0]
		for _, a := range in[v] {
			u := a.to
			limit, targets := 0.0, 0
			for _, b := range out[v] {
				if b.to != u {
					limit = max(limit, a.cost+b.cost)
					targets++
				}
			}
			if targets == 0 {
				continue // a dead end seen from u: nothing to shortcut
			}
			w.search(out, u, v, limit, out[v])
			for _, b := range out[v] {
				x := b.to
				if x == u {
					continue
				}
				c := a.cost + b.cost
				if w.dist(x) <= c {
					continue // a path around v is as quick
				}
				need = append(need, shortcut{u, x, c})
			}
		}
	}
	prio := func(v int32) int {
		shortcuts(v)
		return len(need) - len(in[v]) - len(out[v]) + int(deleted[v])
	}
	// First priorities without witness searches, as if every path through
	// a vertex needed a shortcut: popping a vertex computes its true
	// priority, and it goes back if that is worse than the next one's.
	q := make(prioQueue, n)
	for v := range n {
		i, o := len(in[v]), len(out[v])
		q[v] = pqItem{i*o - i - o, int32(v)}
	}
	heap.Init(&q)
	h := &hierarchy{pos: make([]int32, n)}
	// When v is contracted its arcs lead to vertices contracted later:
	// its out-arcs go up from it, its in-arcs come down into it.
	upOf := make([][]chArc, n)
	downOf := make([][]chArc, n)
	drop := func(list []chArc, v int32) []chArc {
		for k := range list {
			if list[k].to == v {
				list[k] = list[len(list)-1]
				return list[:len(list)-1]
			}
		}
		return list
	}
	// A vertex's level is one more than that of any neighbour contracted
	// before it, so every arc joins two levels, the higher contracted
	// later: sweeping level by level, highest first, respects the order.
	level := make([]int32, n)
	for len(q) > 0 {
		top := heap.Pop(&q).(pqItem)
		v := top.v
		if p := prio(v); len(q) > 0 && less(q[0], pqItem{p, v}) {
			heap.Push(&q, pqItem{p, v})
			continue
		}
		for _, sc := range need {
			add(sc.u, sc.x, sc.c)
		}
		upOf[v], downOf[v] = out[v], in[v]
		for _, a := range in[v] {
			out[a.to] = drop(out[a.to], v)
			deleted[a.to]++
			level[a.to] = max(level[a.to], level[v]+1)
		}
		for _, a := range out[v] {
			in[a.to] = drop(in[a.to], v)
			deleted[a.to]++
			level[a.to] = max(level[a.to], level[v]+1)
		}
		out[v], in[v] = nil, nil
	}
	// Positions by level, and within a level by vertex id, which runs
	// along a Hilbert curve (see Build): vertices a sweep takes one after
	// another are near on the map, and so are the arcs they read.
	byPos := make([]int32, n)
	for v := range byPos {
		byPos[v] = int32(v)
	}
	slices.SortFunc(byPos, func(a, b int32) int { return cmp.Or(cmp.Compare(level[a], level[b]), cmp.Compare(a, b)) })
	for p, v := range byPos {
		h.pos[v] = int32(p)
	}
	h.upStart = make([]int32, n+1)
	h.downStart = make([]int32, n+1)
	for v := range n {
		h.upStart[h.pos[v]+1] = int32(len(upOf[v]))
		h.downStart[h.pos[v]+1] = int32(len(downOf[v]))
	}
	for p := range n {
		h.upStart[p+1] += h.upStart[p]
		h.downStart[p+1] += h.downStart[p]
	}
	h.up = make([]chArc, 0, h.upStart[n])
	h.down = make([]chArc, 0, h.downStart[n])
	for _, v := range byPos {
		for _, a := range upOf[v] {
			h.up = append(h.up, chArc{h.pos[a.to], a.cost})
		}
		for _, a := range downOf[v] {
			h.down = append(h.down, chArc{h.pos[a.to], a.cost})
		}
	}
	return h
}

// witness is the scratch of the bounded searches that look for a path
// around a vertex being contracted.
type witness struct {
	cost   []float64
	stamp  []uint32
	target []uint32 // stamped: a vertex the search is for
	gen    uint32
	heap   minHeap
}

func newWitness(n int) *witness {
	return &witness{cost: make([]float64, n), stamp: make([]uint32, n), target: make([]uint32, n)}
}

func (w *witness) dist(v int32) float64 {
	if w.stamp[v] == w.gen {
		return w.cost[v]
	}
	return math.Inf(1)
}

// search finds costs from u to vertices not yet contracted (the only ones
// the lists hold), avoiding skip, up to limit and at most witnessLimit
// settled vertices; it stops early once every vertex of targets (but u)
// is settled.
func (w *witness) search(out [][]chArc, u, skip int32, limit float64, targets []chArc) {
	w.gen++
	if w.gen == 0 {
		clear(w.stamp)
		clear(w.target)
		w.gen = 1
	}
	left := 0
	for _, t := range targets {
		if t.to != u && w.target[t.to] != w.gen {
			w.target[t.to] = w.gen
			left++
		}
	}
	h := w.heap[:0]
	w.stamp[u], w.cost[u] = w.gen, 0
	h.push(0, u)
	settled := 0
	for len(h) > 0 && settled < witnessLimit && left > 0 {
		it := h.pop()
		if it.cost > w.cost[it.v] {
			continue
		}
		settled++
		if w.target[it.v] == w.gen {
			left--
		}
		for _, a := range out[it.v] {
			x := a.to
			if x == skip {
				continue
			}
			if c := it.cost + a.cost; c <= limit && (w.stamp[x] != w.gen || c < w.cost[x]) {
				w.stamp[x], w.cost[x] = w.gen, c
				h.push(c, x)
			}
		}
	}
	w.heap = h
}

// pqItem is a vertex waiting to be contracted and its priority.
type pqItem struct {
	prio int
	v    int32
}

func less(a, b pqItem) bool { return a.prio < b.prio || a.prio == b.prio && a.v < b.v }

// prioQueue holds the vertices waiting to be contracted, least first
// (container/heap's interface; it is not on a hot path).
type prioQueue []pqItem

func (q prioQueue) Len() int           { return len(q) }
func (q prioQueue) Less(i, j int) bool { return less(q[i], q[j]) }
func (q prioQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *prioQueue) Push(x any)        { *q = append(*q, x.(pqItem)) }
func (q *prioQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// Sweeper answers many bounded searches to one set of targets, as
// ReachAllUnordered does, on a contraction hierarchy built once (see the
// comment at the top of this file), SweepWidth searches per sweep. A
// Sweeper is read-only: any number of goroutines may use it at once.
type Sweeper struct {
	g       *Graph
	h       *hierarchy
	targets *Targets
	tEdges  []int32 // edges holding a target, increasing
}

// SweepWidth is how many searches one sweep makes side by side: each
// vertex's arcs are read once for all of them (PHAST's trees at once).
const SweepWidth = 8

type sweepScratch struct {
	d       []float64 // [position*SweepWidth + search]
	heap    minHeap
	srcEdge []uint32 // stamped gen: an edge some source of the sweep is on
	gen     uint32
}

// hierarchy is g's contraction hierarchy, built on first use.
func (g *Graph) hierarchy() *hierarchy {
	g.hierOnce.Do(func() { g.hier = g.contract() })
	return g.hier
}

// PrepareSweeps starts building g's contraction hierarchy in the
// background, for a Sweeper to come: built while other work runs, it is
// ready or nearly when the searches start. Building it is deterministic,
// so when it starts changes nothing else.
func (g *Graph) PrepareSweeps() {
	g.sweeps.Store(true)
	go g.hierarchy()
}

// SweepsPrepared says whether PrepareSweeps was called: searches that
// could go either way may then take the hierarchy.
func (g *Graph) SweepsPrepared() bool { return g.sweeps.Load() }

// NewSweeper makes a Sweeper of g (building its hierarchy, or waiting for
// it, see PrepareSweeps) for searches to targets, which must come from g's
// NewTargets.
func (g *Graph) NewSweeper(targets *Targets) *Sweeper {
	s := &Sweeper{g: g, h: g.hierarchy(), targets: targets}
	for e := range g.eU {
		if targets.start[e] < targets.start[e+1] {
			s.tEdges = append(s.tEdges, int32(e))
		}
	}
	return s
}

// ReachEach is Graph.ReachAllUnordered for up to SweepWidth searches at
// once, on the hierarchy: visit(i, target, cost) for every target within
// maxCost of the cheapest of sets[i], once per search, in no promised
// order, with the same cost to the last bit. maxCost may be +Inf: every
// target that can reach a source is visited, at the cost Graph.Nearest's
// Field.At gives.
func (s *Sweeper) ReachEach(sets [][]Source, maxCost float64, visit func(i int, target int32, cost float64)) {
	g, h, t := s.g, s.h, s.targets
	if len(sets) > SweepWidth {
		panic("network: more searches than SweepWidth in one sweep")
	}
	if !(maxCost >= 0) {
		return
	}
	const k = SweepWidth
	valid := make([][]Source, len(sets))
	any := false
	for i, srcs := range sets {
		for _, src := range srcs {
			if e := src.At.Edge; e >= 0 && int(e) < len(g.eU) && !math.IsNaN(src.Start) {
				valid[i] = append(valid[i], src)
				any = true
			}
		}
	}
	if !any {
		return
	}
	sc, _ := h.scratch.Get().(*sweepScratch)
	if sc == nil {
		sc = &sweepScratch{d: make([]float64, k*len(g.vpt))}
	}
	defer h.scratch.Put(sc)
	d := sc.d
	inf := math.Inf(1)
	for i := range d {
		d[i] = inf
	}
	// Upwards from each search's sources: a plain search on arcs to
	// higher positions only.
	for i, srcs := range valid {
		hp := sc.heap[:0]
		for _, src := range srcs {
			g.seed(src, func(v int32, c float64) {
				if p := h.pos[v]; c <= maxCost && c < d[int(p)*k+i] {
					d[int(p)*k+i] = c
					hp.push(c, p)
				}
			})
		}
		for len(hp) > 0 {
			it := hp.pop()
			if it.cost > d[int(it.v)*k+i] {
				continue
			}
			for _, a := range h.up[h.upStart[it.v]:h.upStart[it.v+1]] {
				if c := it.cost + a.cost; c <= maxCost && c < d[int(a.to)*k+i] {
					d[int(a.to)*k+i] = c
					hp.push(c, a.to)
				}
			}
		}
		sc.heap = hp
	}
	// Downwards over every position, highest first: each takes the
	// cheapest way through the higher positions it has arcs from, for
	// all searches at once.
	down, downStart := h.down, h.downStart
	for p := len(g.vpt) - 1; p >= 0; p-- {
		row := (*[k]float64)(d[p*k : p*k+k])
		for _, a := range down[downStart[p]:downStart[p+1]] {
			from := (*[k]float64)(d[int(a.to)*k : int(a.to)*k+k])
			for j := range k {
				if c := from[j] + a.cost; c < row[j] {
					row[j] = c
				}
			}
		}
	}
	// Targets on every edge that holds one, as Graph.reachAll looks at
	// those near its settled vertices, and on the sources' own edges.
	if sc.srcEdge == nil {
		sc.srcEdge = make([]uint32, len(g.eU))
	}
	sc.gen++
	if sc.gen == 0 {
		clear(sc.srcEdge)
		sc.gen = 1
	}
	for _, srcs := range valid {
		for _, src := range srcs {
			sc.srcEdge[src.At.Edge] = sc.gen
		}
	}
	// The sources on each edge that has any, by search.
	type onEdge struct {
		search int
		src    Source
	}
	sourcesOn := map[int32][]onEdge{}
	for i, srcs := range valid {
		for _, src := range srcs {
			sourcesOn[src.At.Edge] = append(sourcesOn[src.At.Edge], onEdge{i, src})
		}
	}
	for _, e := range s.tEdges {
		du := (*[k]float64)(d[int(h.pos[g.eU[e]])*k:])
		dv := (*[k]float64)(d[int(h.pos[g.eV[e]])*k:])
		var here []onEdge
		if sc.srcEdge[e] == sc.gen {
			here = sourcesOn[e]
		}
		for i := range valid {
			if du[i] > maxCost && dv[i] > maxCost && !slices.ContainsFunc(here, func(x onEdge) bool { return x.search == i }) {
				continue
			}
			for q := t.start[e]; q < t.start[e+1]; q++ {
				fr := t.frac[q]
				c := min(along(1-fr, g.eFwd[e])+dv[i], along(fr, g.eBwd[e])+du[i])
				for _, x := range here {
					if x.search == i {
						c = min(c, direct(g, e, fr, x.src))
					}
				}
				if c <= maxCost && !math.IsInf(c, 1) {
					visit(i, t.idx[q], c)
				}
			}
		}
	}
}
