package network

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
	"commonground/internal/problem"
	"commonground/internal/street"
)

// ErrNoStreets is returned by Build when no way passes the mode's filter with
// usable geometry, usually because the map extract does not cover the study
// area or holds no streets at all.
var ErrNoStreets = errors.New("network: no usable streets")

// Graph is a routing graph for one mode. Vertices are street junctions and
// ends; edges are the street pieces between them, with their full geometry.
// It is read-only after Build, so searches may run in parallel.
type Graph struct {
	prof Profile

	vpt []orb.Point // vertex coordinates

	// Edges: geometry runs from eU to eV. eFwd is the cost of travelling it
	// from eU to eV, eBwd the other way; +Inf when that direction is closed.
	eU, eV     []int32
	eFwd, eBwd []float64
	eLen       []float64 // metres
	eWay       []int64   // OSM way id
	eGeom      []int32   // edge e's points are pts[eGeom[e]:eGeom[e+1]]
	pts        []orb.Point
	cum        []float64 // metres from the edge's first point to this one
	ptEdge     []int32   // edge each point belongs to

	// Reverse adjacency (CSR): the arcs entering vertex y are
	// in[inStart[y]:inStart[y+1]]. Searches run towards sources, so only
	// incoming arcs are ever followed.
	inStart []int32
	in      []arc

	// Incidence (CSR): the edges touching vertex v, either end.
	incStart []int32
	inc      []int32

	// leaf marks the dead ends: vertices with one edge, to another vertex.
	// A search reaches a dead end only from its one neighbour, and nothing
	// is cheaper by way of it, so its cost is final when first set and it
	// never needs the heap.
	leaf []bool

	grid    grid
	scratch sync.Pool // *searcher

	hierOnce sync.Once
	hier     *hierarchy  // see hierarchy
	sweeps   atomic.Bool // PrepareSweeps was called
}

type arc struct {
	cost float64
	from int32
}

// MinIsland is the fewest vertices a connected piece of the street network
// must have to be kept when it is not the largest: smaller pieces are
// islands, removed before anything snaps to them. It is R5's
// StreetLayer.MIN_SUBGRAPH_SIZE (40 vertices), applied like R5's
// TarjanIslandPruner to the strongly connected components of each mode
// (conveyal/r5, src/main/java/com/conveyal/r5/streets/StreetLayer.java and
// TarjanIslandPruner.java). R5's vertices, like this package's, are the OSM
// nodes where ways meet or end, so the sizes compare. The largest component
// is always kept, whatever its size, so a tiny study area still has streets
// (OSMnx keeps only the largest component by default, retain_all=False in
// osmnx/truncate.py; R5 keeps every component of 40 vertices or more, so
// people on a real island or a piece of the map cut off by a river join
// their own streets rather than the mainland's across the water).
const MinIsland = 40

// Stats describes what Build kept and dropped, for the run report.
type Stats struct {
	Mode           Mode
	WaysUsed       int          // ways that passed the filter with usable geometry
	WaysDropped    int          // of those, ways with no edge kept (wholly on removed islands)
	Nodes          int          // graph vertices kept
	NodesDropped   int          // vertices on removed islands
	Edges          int          // street edges kept (what Snap.Edge indexes)
	EdgesDropped   int          // street edges with an end on a removed island
	Arcs           int          // directed edges: one per open direction of an edge
	KM             float64      // street length kept, each edge counted once
	Components     int          // components before dropping (strongly connected for Drive)
	IslandsDropped int          // components removed: fewer than MinIsland vertices, not the largest
	IslandsKept    int          // components kept besides the largest (MinIsland vertices or more)
	DroppedShare   float64      // NodesDropped / (Nodes + NodesDropped)
	Problems       problem.List // ways skipped for broken geometry, maxspeed values not understood, islands kept
}

// NodeCount returns the number of vertices.
func (g *Graph) NodeCount() int { return len(g.vpt) }

// EdgeCount returns the number of street edges, the range of Snap.Edge.
func (g *Graph) EdgeCount() int { return len(g.eU) }

// Profile returns the profile the graph was built with, so callers time snap
// legs with the same walking speed. The speed map is a copy.
func (g *Graph) Profile() Profile {
	p := g.prof
	p.DriveSpeeds = maps.Clone(p.DriveSpeeds)
	return p
}

// EdgeWay returns the OSM id of the way edge e lies on, for reports that say
// which street a place was snapped to.
func (g *Graph) EdgeWay(e int32) int64 { return g.eWay[e] }

// check rejects speeds that would make costs infinite, negative or NaN.
func (p Profile) check() error {
	if !(p.WalkSpeed > 0) || math.IsInf(p.WalkSpeed, 0) {
		return fmt.Errorf("walking speed %v m/s is not a positive number", p.WalkSpeed)
	}
	switch p.Mode {
	case Walk:
	case Drive:
		for _, k := range sortedKeys(p.DriveSpeeds) {
			if v := p.DriveSpeeds[k]; !(v > 0) || math.IsInf(v, 0) {
				return fmt.Errorf("driving speed for highway=%s is %v km/h, want a positive number", k, v)
			}
		}
	default:
		return fmt.Errorf("unknown travel mode %d", p.Mode)
	}
	return nil
}

// usedWay is a way that passed the filter, its nodes interned.
type usedWay struct {
	id     int64
	nodes  []int32 // interned node indices, consecutive repeats removed
	speed  float64 // m/s
	oneway int
	snap   bool // points may snap onto it
}

type builder struct {
	p       Profile
	st      *Stats
	nodeIdx map[int64]int32 // node id -> index, when the ways have no Refs
	byRef   []int32         // street.Way.Refs -> index, -1 before it is seen
	nodePt  []orb.Point
	nodeCnt []uint8 // 2 means junction or way end: a vertex
	ways    []usedWay
}

// Build makes the graph of one mode from street ways. Ways with broken
// geometry are skipped and listed in Stats.Problems; the error is non-nil
// only for an unusable profile or when no street is left.
func Build(ways []street.Way, p Profile) (*Graph, Stats, error) {
	st := Stats{Mode: p.Mode}
	if err := p.check(); err != nil {
		return nil, st, fmt.Errorf("build %s graph: %w", p.Mode, err)
	}
	total := 0
	for i := range ways {
		total += len(ways[i].Nodes)
	}
	b := &builder{p: p, st: &st, nodePt: make([]orb.Point, 0, total), nodeCnt: make([]uint8, 0, total), ways: make([]usedWay, 0, len(ways))}
	// Ways whose reader numbered their nodes (street.Way.Refs) look them
	// up in an array; otherwise in a map of ids, sized up front: growing a
	// map of half a million nodes costs more than the rest of Build.
	if n, ok := refCount(ways); ok {
		b.byRef = make([]int32, n)
		for i := range b.byRef {
			b.byRef[i] = -1
		}
	} else {
		b.nodeIdx = make(map[int64]int32, total)
	}
	for i := range ways {
		b.add(&ways[i])
	}
	st.WaysUsed = len(b.ways)

	// Vertex ids in order of first appearance: deterministic for a given
	// input order.
	vid := make([]int32, len(b.nodePt))
	nv := int32(0)
	for i, c := range b.nodeCnt {
		vid[i] = -1
		if c >= 2 {
			vid[i] = nv
			nv++
		}
	}

	// Cut every way at its vertices into pieces.
	type piece struct {
		u, v   int32 // vertex ids
		way    int32 // index into b.ways
		g0, g1 int32 // geometry gnodes[g0:g1]
	}
	// At most a piece per way segment, and each piece's nodes once plus
	// its first.
	segs, wnodes := 0, 0
	for _, w := range b.ways {
		segs += len(w.nodes) - 1
		wnodes += len(w.nodes)
	}
	pieces := make([]piece, 0, segs)
	gnodes := make([]int32, 0, wnodes+segs)
	for wi, w := range b.ways {
		start := 0
		for j := 1; j < len(w.nodes); j++ {
			if vid[w.nodes[j]] < 0 {
				continue
			}
			g0 := int32(len(gnodes))
			gnodes = append(gnodes, w.nodes[start:j+1]...)
			pieces = append(pieces, piece{vid[w.nodes[start]], vid[w.nodes[j]], int32(wi), g0, int32(len(gnodes))})
			start = j
		}
	}

	// Components on the directed arcs; for walking every arc has its twin,
	// so strongly connected components are the connected ones.
	fwdOK := func(pc piece) bool { return b.ways[pc.way].oneway >= 0 }
	bwdOK := func(pc piece) bool { return b.ways[pc.way].oneway <= 0 }
	outStart := make([]int32, nv+1)
	for _, pc := range pieces {
		if fwdOK(pc) {
			outStart[pc.u+1]++
		}
		if bwdOK(pc) {
			outStart[pc.v+1]++
		}
	}
	for i := int32(0); i < nv; i++ {
		outStart[i+1] += outStart[i]
	}
	out := make([]int32, outStart[nv])
	fill := append([]int32(nil), outStart[:nv]...)
	for _, pc := range pieces {
		if fwdOK(pc) {
			out[fill[pc.u]] = pc.v
			fill[pc.u]++
		}
		if bwdOK(pc) {
			out[fill[pc.v]] = pc.u
			fill[pc.v]++
		}
	}
	comp, ncomp := components(int(nv), outStart, out)
	st.Components = ncomp
	size := make([]int32, ncomp)
	largest := int32(-1)
	for v := int32(0); v < nv; v++ {
		c := comp[v]
		size[c]++
		if largest < 0 || size[c] > size[largest] { // ties: first to reach the size
			largest = c
		}
	}
	if largest < 0 {
		return nil, st, fmt.Errorf("build %s graph from %d ways: %w", p.Mode, len(ways), ErrNoStreets)
	}
	keepComp := make([]bool, ncomp)
	for c := range keepComp {
		keepComp[c] = int32(c) == largest || size[c] >= MinIsland
		switch {
		case !keepComp[c]:
			st.IslandsDropped++
		case int32(c) != largest:
			st.IslandsKept++
		}
	}
	kept := func(v int32) bool { return keepComp[comp[v]] }
	// Renumber the kept vertices along a Hilbert curve, so vertices near on
	// the map are near in memory and searches stay in cache.
	g := &Graph{prof: p}
	nodeOf := make([]int32, nv) // vertex id -> node index
	for i, id := range vid {
		if id >= 0 {
			nodeOf[id] = int32(i)
		}
	}
	var keptV []int32
	for v := int32(0); v < nv; v++ {
		if kept(v) {
			keptV = append(keptV, v)
		}
	}
	hilbertSort(keptV, func(v int32) orb.Point { return b.nodePt[nodeOf[v]] })
	newID := make([]int32, nv)
	for i := range newID {
		newID[i] = -1
	}
	g.vpt = make([]orb.Point, len(keptV))
	for i, v := range keptV {
		newID[v] = int32(i)
		g.vpt[i] = b.nodePt[nodeOf[v]]
	}
	wayKept := make([]bool, len(b.ways))
	// Sized up front: the points are most of a graph's memory, and growing
	// them by appending allocates about three times as much.
	ne, np := 0, 0
	for _, pc := range pieces {
		if kept(pc.u) && kept(pc.v) {
			ne++
			np += int(pc.g1 - pc.g0)
		}
	}
	g.eU, g.eV, g.eWay = make([]int32, 0, ne), make([]int32, 0, ne), make([]int64, 0, ne)
	g.eGeom = make([]int32, 0, ne+1)
	g.eLen, g.eFwd, g.eBwd = make([]float64, 0, ne), make([]float64, 0, ne), make([]float64, 0, ne)
	g.pts, g.cum, g.ptEdge = make([]orb.Point, 0, np), make([]float64, 0, np), make([]int32, 0, np)
	snappable := make([]bool, 0, ne)
	for _, pc := range pieces {
		if !kept(pc.u) || !kept(pc.v) {
			st.EdgesDropped++
			continue
		}
		w := &b.ways[pc.way]
		wayKept[pc.way] = true
		e := int32(len(g.eU))
		g.eU = append(g.eU, newID[pc.u])
		g.eV = append(g.eV, newID[pc.v])
		g.eWay = append(g.eWay, w.id)
		g.eGeom = append(g.eGeom, int32(len(g.pts)))
		length := 0.0
		for k := pc.g0; k < pc.g1; k++ {
			pt := b.nodePt[gnodes[k]]
			if k > pc.g0 {
				length += geo.Distance(g.pts[len(g.pts)-1], pt)
			}
			g.pts = append(g.pts, pt)
			g.cum = append(g.cum, length)
			g.ptEdge = append(g.ptEdge, e)
		}
		g.eLen = append(g.eLen, length)
		fwd, bwd := math.Inf(1), math.Inf(1)
		if w.oneway >= 0 {
			fwd = onTick(length / w.speed)
			st.Arcs++
		}
		if w.oneway <= 0 {
			bwd = onTick(length / w.speed)
			st.Arcs++
		}
		g.eFwd = append(g.eFwd, fwd)
		g.eBwd = append(g.eBwd, bwd)
		snappable = append(snappable, w.snap)
		st.KM += length / 1000
	}
	g.eGeom = append(g.eGeom, int32(len(g.pts)))
	// Name each island kept besides the largest piece: people nearest its
	// streets reach only places on it, which a planner should know.
	islandWay := make(map[int32]int64)
	for _, pc := range pieces {
		if c := comp[pc.u]; c != largest && keepComp[c] {
			if _, seen := islandWay[c]; !seen {
				islandWay[c] = b.ways[pc.way].id
			}
		}
	}
	for _, c := range slices.Sorted(maps.Keys(islandWay)) {
		w := islandWay[c]
		st.Problems.Add(problem.Problem{
			Severity: problem.Warning,
			Feature:  "way/" + strconv.FormatInt(w, 10),
			Message: fmt.Sprintf("kept as a separate %s network: %d junctions whose streets do not join the rest (often a gate tagged access=private, or the map's edge); people nearest them reach only places on them",
				p.Mode, size[c]),
		})
	}
	for _, k := range wayKept {
		if !k {
			st.WaysDropped++
		}
	}
	st.Nodes = len(g.vpt)
	st.NodesDropped = int(nv) - st.Nodes
	st.DroppedShare = float64(st.NodesDropped) / float64(nv)
	st.Edges = len(g.eU)
	g.index()
	g.grid = newGrid(g, snappable)
	return g, st, nil
}

// refCount says whether every way numbers its nodes (street.Way.Refs, one
// per node, none negative) and how many numbers there are.
func refCount(ways []street.Way) (int, bool) {
	top := int32(-1)
	for i := range ways {
		w := &ways[i]
		if len(w.Refs) != len(w.Nodes) {
			return 0, false
		}
		for _, r := range w.Refs {
			if r < 0 {
				return 0, false
			}
			top = max(top, r)
		}
	}
	return int(top) + 1, true
}

// add filters one way, checks its geometry and interns its nodes.
func (b *builder) add(w *street.Way) {
	var speed float64
	switch b.p.Mode {
	case Walk:
		if !WalkAllowed(w.Tags) {
			return
		}
		speed = b.p.WalkSpeed
	case Drive:
		if !DriveAllowed(w.Tags) {
			return
		}
		speed = b.driveSpeed(w)
	}
	feature := "way/" + strconv.FormatInt(w.ID, 10)
	skip := func(format string, args ...any) {
		b.st.Problems.Addf(problem.Skipped, "", feature, format, args...)
	}
	if len(w.Nodes) != len(w.Points) {
		skip("street has %d node ids but %d coordinates", len(w.Nodes), len(w.Points))
		return
	}
	for i, pt := range w.Points {
		if !(pt[0] >= -180 && pt[0] <= 180 && pt[1] >= -90 && pt[1] <= 90) {
			skip("node %d has coordinates %v, outside lon -180..180, lat -90..90", w.Nodes[i], pt)
			return
		}
	}
	nodes := make([]int32, 0, len(w.Nodes))
	for i, id := range w.Nodes {
		var idx int32
		var ok bool
		if b.byRef != nil {
			idx = b.byRef[w.Refs[i]]
			ok = idx >= 0
		} else {
			idx, ok = b.nodeIdx[id]
		}
		if !ok {
			idx = int32(len(b.nodePt))
			if b.byRef != nil {
				b.byRef[w.Refs[i]] = idx
			} else {
				b.nodeIdx[id] = idx
			}
			b.nodePt = append(b.nodePt, w.Points[i])
			b.nodeCnt = append(b.nodeCnt, 0)
		}
		if len(nodes) > 0 && nodes[len(nodes)-1] == idx {
			continue // the same node twice in a row adds nothing
		}
		nodes = append(nodes, idx)
	}
	if len(nodes) < 2 {
		skip("street has fewer than two distinct nodes")
		return
	}
	for i, idx := range nodes {
		if i == 0 || i == len(nodes)-1 {
			b.nodeCnt[idx] = 2
		} else if b.nodeCnt[idx] < 2 {
			b.nodeCnt[idx]++
		}
	}
	ow := 0
	hw := w.Tags.Get("highway")
	if b.p.Mode == Drive {
		ow = Oneway(w.Tags)
	}
	b.ways = append(b.ways, usedWay{
		id: w.ID, nodes: nodes, speed: speed, oneway: ow,
		// Nobody starts a trip in a tunnel, under a covered way or on a
		// motorway: R5 links points only to edges it labels LINKABLE, which
		// excludes tunnel=yes, covered=yes and highway=motorway (conveyal/r5,
		// TypeOfEdgeLabeler.label). A point above a pedestrian tunnel under
		// a river or railway joins a street at the surface instead. Drivers
		// do not start on motorway ramps either: no frontage.
		snap: w.Tags.Get("tunnel") != "yes" && w.Tags.Get("covered") != "yes" && hw != "motorway" &&
			(b.p.Mode != Drive || hw != "motorway_link"),
	})
}

// driveSpeed returns m/s from maxspeed, else the class speed, warning about
// maxspeed values that are neither a number nor a known word.
func (b *builder) driveSpeed(w *street.Way) float64 {
	hw := w.Tags.Get("highway")
	class, ok := b.p.DriveSpeeds[hw]
	if !ok {
		class = DefaultDriveSpeeds()[hw]
	}
	ms, has := w.Tags.Lookup("maxspeed")
	if has {
		if kmh, ok := ParseMaxspeed(ms); ok {
			return kmh / 3.6
		}
		if !maxspeedWords[ms] {
			b.st.Problems.Add(problem.Problem{
				Severity: problem.Warning,
				Feature:  "way/" + strconv.FormatInt(w.ID, 10),
				Field:    "maxspeed", Value: ms,
				Message: fmt.Sprintf("speed not understood (write e.g. \"50\" or \"30 mph\"); used the highway=%s speed of %g km/h", hw, class),
			})
		}
	}
	return class / 3.6
}

// hilbertSort orders vertices by their position along a Hilbert curve over
// their bounding box (ties by id, so the order is deterministic).
func hilbertSort(vs []int32, at func(int32) orb.Point) {
	var b orb.Bound
	for i, v := range vs {
		if i == 0 {
			b = orb.Bound{Min: at(v), Max: at(v)}
		}
		b = b.Extend(at(v))
	}
	const n = 1 << 16
	scale := func(x, lo, hi float64) uint32 {
		if hi <= lo {
			return 0
		}
		return uint32(min((x-lo)/(hi-lo)*n, n-1))
	}
	type kv struct {
		key uint64
		v   int32
	}
	keys := make([]kv, len(vs))
	for i, v := range vs {
		pt := at(v)
		keys[i] = kv{hilbert(scale(pt[0], b.Min[0], b.Max[0]), scale(pt[1], b.Min[1], b.Max[1]), n), v}
	}
	slices.SortFunc(keys, func(a, b kv) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.v, b.v)
	})
	for i, k := range keys {
		vs[i] = k.v
	}
}

// hilbert returns the distance of cell (x, y) along the Hilbert curve
// filling an n x n grid (n a power of two).
func hilbert(x, y, n uint32) uint64 {
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		if ry == 0 { // rotate the quadrant
			if rx == 1 {
				x, y = n-1-x, n-1-y
			}
			x, y = y, x
		}
	}
	return d
}

// index builds the reverse adjacency and the vertex-edge incidence.
func (g *Graph) index() {
	n := len(g.vpt)
	g.inStart = make([]int32, n+1)
	g.incStart = make([]int32, n+1)
	for e := range g.eU {
		u, v := g.eU[e], g.eV[e]
		if !math.IsInf(g.eFwd[e], 1) {
			g.inStart[v+1]++
		}
		if !math.IsInf(g.eBwd[e], 1) {
			g.inStart[u+1]++
		}
		g.incStart[u+1]++
		if v != u {
			g.incStart[v+1]++
		}
	}
	for i := 0; i < n; i++ {
		g.inStart[i+1] += g.inStart[i]
		g.incStart[i+1] += g.incStart[i]
	}
	g.in = make([]arc, g.inStart[n])
	g.inc = make([]int32, g.incStart[n])
	fin := append([]int32(nil), g.inStart[:n]...)
	finc := append([]int32(nil), g.incStart[:n]...)
	for e := range g.eU {
		u, v := g.eU[e], g.eV[e]
		if c := g.eFwd[e]; !math.IsInf(c, 1) {
			g.in[fin[v]] = arc{c, u}
			fin[v]++
		}
		if c := g.eBwd[e]; !math.IsInf(c, 1) {
			g.in[fin[u]] = arc{c, v}
			fin[u]++
		}
		g.inc[finc[u]] = int32(e)
		finc[u]++
		if v != u {
			g.inc[finc[v]] = int32(e)
			finc[v]++
		}
	}
	g.leaf = make([]bool, n)
	for v := 0; v < n; v++ {
		if g.incStart[v+1]-g.incStart[v] == 1 {
			e := g.inc[g.incStart[v]]
			g.leaf[v] = g.eU[e] != g.eV[e]
		}
	}
}

// components labels the strongly connected components of a directed graph
// in CSR form (Tarjan's algorithm, iterative so long streets cannot overflow
// the goroutine stack).
func components(n int, start, adj []int32) (comp []int32, ncomp int) {
	index := make([]int32, n) // 0: not visited yet
	low := make([]int32, n)
	onStack := make([]bool, n)
	comp = make([]int32, n)
	var stack []int32
	type frame struct{ v, next int32 }
	var call []frame
	counter := int32(0)
	visit := func(v int32) {
		counter++
		index[v], low[v] = counter, counter
		stack = append(stack, v)
		onStack[v] = true
		call = append(call, frame{v, start[v]})
	}
	for s := int32(0); s < int32(n); s++ {
		if index[s] != 0 {
			continue
		}
		visit(s)
		for len(call) > 0 {
			top := len(call) - 1
			v := call[top].v
			if i := call[top].next; i < start[v+1] {
				call[top].next++
				w := adj[i]
				if index[w] == 0 {
					visit(w)
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = int32(ncomp)
					if w == v {
						break
					}
				}
				ncomp++
			}
			call = call[:top]
			if top > 0 {
				if u := call[top-1].v; low[v] < low[u] {
					low[u] = low[v]
				}
			}
		}
	}
	return comp, ncomp
}
