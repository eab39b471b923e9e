// Package access computes how easily people reach gathering places: network
// travel time from every origin cell to the nearest place of each category,
// on foot and by car, and how many places (and how many kinds) lie within a
// short walk.
//
// Travel time from an origin to a place is the walk from the origin to a
// point of the street network (its snap leg, at walking speed, in every mode
// since one walks to the car too), the network trip, and the walk from the
// network to the place's entrance (also at walking speed). A place with
// several access points (a large park's edge) is reached at whichever is
// quickest.
//
// An origin joins the network at the nearest point of the nearest street that
// is left once small islands are removed (network.MinIsland), as R5 and OSMnx
// join points to their nearest edge, and walks there in a straight line.
// Choosing among several nearby streets, the quickest of which may lie across
// a river, a rail line or private land, would make trips shorter than any
// walker could make them.
package access

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"

	"commonground/internal/network"
	"commonground/internal/par"
)

// Mode is a way of travelling.
type Mode uint8

// The modes.
const (
	Walk Mode = iota
	Drive
)

// String names the mode as outputs do.
func (m Mode) String() string {
	if m == Drive {
		return "drive"
	}
	return "walk"
}

// Dest is one destination point: a place's access point, or a town.
// Several points may share a label (one place, several entrances).
type Dest struct {
	Point orb.Point
	Label int32
}

// Engine holds the graphs and the snapped origins, so many destination sets
// can be measured against the same origins.
type Engine struct {
	graphs    [2]*network.Graph
	speed     float64 // walking speed, m/s
	snapMax   float64
	origins   []orb.Point
	snaps     [2][]network.Snap // per origin; network.NoSnap when beyond snapMax
	targets   [2]*network.Targets
	Unsnapped [2]int // origins further than snapMax from any street

	sweepOnce [2]sync.Once
	sweepers  [2]*network.Sweeper // see sweeper
}

// sweeper is mode m's Sweeper to the origins, made once: its scratch is
// reused by every search that takes it.
func (e *Engine) sweeper(m Mode) *network.Sweeper {
	e.sweepOnce[m].Do(func() { e.sweepers[m] = e.graphs[m].NewSweeper(e.targets[m]) })
	return e.sweepers[m]
}

// NewEngine snaps every origin to both graphs. walkSpeed is in m/s; snapMax
// in metres is the furthest an origin may be from a street and still be
// counted as reaching it.
func NewEngine(walk, drive *network.Graph, walkSpeed, snapMax float64, origins []orb.Point) *Engine {
	e := &Engine{graphs: [2]*network.Graph{walk, drive}, speed: walkSpeed, snapMax: snapMax, origins: origins}
	for m := range e.graphs {
		g := e.graphs[m]
		e.snaps[m] = make([]network.Snap, len(origins))
		par.Chunks(len(origins), 1024, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				e.snaps[m][i], _ = g.Snap(origins[i], snapMax)
			}
		})
		for _, s := range e.snaps[m] {
			if s.Edge < 0 {
				e.Unsnapped[m]++
			}
		}
		// Target i is origin i; unsnapped origins keep their index.
		e.targets[m] = g.NewTargets(e.snaps[m])
	}
	return e
}

// OriginSnap returns origin i's distance in metres to the nearest street of
// a mode, and false when it is beyond the snap limit.
func (e *Engine) OriginSnap(m Mode, i int) (float64, bool) {
	if s := e.snaps[m][i]; s.Edge >= 0 {
		return s.Dist, true
	}
	return math.Inf(1), false
}

// leg returns the seconds origin i walks between its point and the street.
func (e *Engine) leg(m Mode, i int32) float64 { return e.snaps[m][i].Dist / e.speed }

// sources snaps destinations to a graph; each starts with its own snap leg
// walked. Destinations too far from any street are dropped and counted.
func (e *Engine) sources(m Mode, dests []Dest) (srcs []network.Source, dropped int) {
	g := e.graphs[m]
	srcs = make([]network.Source, 0, len(dests))
	for _, d := range dests {
		s, ok := g.Snap(d.Point, e.snapMax)
		if !ok {
			dropped++
			continue
		}
		srcs = append(srcs, network.Source{At: s, Label: d.Label, Start: s.Dist / e.speed})
	}
	return srcs, dropped
}

// Nearest returns, for every origin, the minutes to the nearest destination
// by mode m and that destination's label; NaN and -1 where none is reachable.
// It runs one multi-source shortest-path search over the whole graph.
func (e *Engine) Nearest(m Mode, dests []Dest) (minutes []float64, label []int32) {
	n := len(e.origins)
	minutes = make([]float64, n)
	label = make([]int32, n)
	for i := range minutes {
		minutes[i], label[i] = math.NaN(), -1
	}
	srcs, _ := e.sources(m, dests)
	if len(srcs) == 0 {
		return minutes, label
	}
	field := e.graphs[m].Nearest(srcs)
	par.Chunks(n, 1024, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			s := e.snaps[m][i]
			if s.Edge < 0 {
				continue
			}
			if cost, l, ok := field.At(s); ok {
				minutes[i], label[i] = (cost+s.Dist/e.speed)/60, l
			}
		}
	})
	return minutes, label
}

// NearestEach is Nearest for several sets of destinations (one per kind of
// place, say), their searches run side by side on all cores. Each result is
// exactly what Nearest gives for that set.
func (e *Engine) NearestEach(m Mode, sets [][]Dest) (minutes [][]float64, label [][]int32) {
	minutes, label = make([][]float64, len(sets)), make([][]int32, len(sets))
	workers := max(1, min(runtime.GOMAXPROCS(0), len(sets)))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(sets) {
					return
				}
				minutes[k], label[k] = e.Nearest(m, sets[k])
			}
		}()
	}
	wg.Wait()
	return minutes, label
}

// NearestMinutes is NearestEach's minutes without the labels. When the
// mode's graph has a contraction hierarchy coming (network.PrepareSweeps),
// it sweeps it network.SweepWidth sets at a time instead of one search per
// set: the same minutes to the last bit (network.TestSweepNearest).
func (e *Engine) NearestMinutes(m Mode, sets [][]Dest) [][]float64 {
	g := e.graphs[m]
	if !g.SweepsPrepared() {
		minutes, _ := e.NearestEach(m, sets)
		return minutes
	}
	n := len(e.origins)
	out := make([][]float64, len(sets))
	srcs := make([][]network.Source, len(sets))
	for k, d := range sets {
		srcs[k], _ = e.sources(m, d)
		out[k] = make([]float64, n)
		for i := range out[k] {
			out[k][i] = math.NaN()
		}
	}
	sw := e.sweeper(m)
	batches := (len(sets) + network.SweepWidth - 1) / network.SweepWidth
	par.Each(batches, func(b int) {
		lo := b * network.SweepWidth
		hi := min(lo+network.SweepWidth, len(sets))
		sw.ReachEach(srcs[lo:hi], math.Inf(1), func(i int, o int32, cost float64) {
			out[lo+i][o] = (cost + e.snaps[m][o].Dist/e.speed) / 60
		})
	})
	return out
}

// Nearby counts, for every origin, the distinct labels reachable on foot
// within maxMinutes, and ORs together kind[label] bits of what it reaches.
// Each label's points are searched with a bounded search from the place
// outwards, so the work is proportional to places times the streets within
// reach of each, not to origins times places.
func (e *Engine) Nearby(ctx context.Context, dests []Dest, kind func(label int32) uint32, maxMinutes float64, progress func(done, total int64)) (count []int32, kinds []uint32, err error) {
	n := len(e.origins)
	srcs, _ := e.sources(Walk, dests)
	limit := maxMinutes * 60
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	type partial struct {
		count []int32
		kinds []uint32
		stamp []int32 // last label counted per origin, so several entrances count once
	}
	parts := make([]partial, workers)
	var done int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	// Points of one label are contiguous after sorting by label in sources;
	// hand whole labels to one worker so stamps dedupe them.
	groups := groupByLabel(srcs)
	// Workers take the next label as they finish one, so a few wide
	// searches do not leave a core idle; the sums do not depend on who
	// counted what.
	var next atomic.Int64
	for w := 0; w < workers; w++ {
		parts[w] = partial{count: make([]int32, n), kinds: make([]uint32, n), stamp: make([]int32, n)}
		for i := range parts[w].stamp {
			parts[w].stamp[i] = -1
		}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			p := &parts[w]
			for {
				gi := int(next.Add(1) - 1)
				if gi >= len(groups) || ctx.Err() != nil {
					return
				}
				grp := groups[gi]
				bit := kind(grp[0].Label)
				var live []network.Source
				for _, s := range grp {
					if s.Start <= limit {
						live = append(live, s)
					}
				}
				label := grp[0].Label
				e.graphs[Walk].ReachAllUnordered(live, limit, e.targets[Walk], func(o int32, cost float64) {
					if cost+e.leg(Walk, o) > limit {
						return
					}
					if p.stamp[o] == label {
						return
					}
					p.stamp[o] = label
					p.count[o]++
					p.kinds[o] |= bit
				})
				if progress != nil {
					mu.Lock()
					done++
					progress(done, int64(len(groups)))
					mu.Unlock()
				}
			}
		}(w)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	count, kinds = parts[0].count, parts[0].kinds
	for w := 1; w < workers; w++ {
		for i := 0; i < n; i++ {
			count[i] += parts[w].count[i]
			kinds[i] |= parts[w].kinds[i]
		}
	}
	return count, kinds, nil
}

// groupByLabel splits sources into runs sharing a label, in first-seen order.
func groupByLabel(srcs []network.Source) [][]network.Source {
	idx := map[int32]int{}
	var out [][]network.Source
	for _, s := range srcs {
		g, ok := idx[s.Label]
		if !ok {
			g = len(out)
			idx[s.Label] = g
			out = append(out, nil)
		}
		out[g] = append(out[g], s)
	}
	return out
}

// Pair is one entry of a sparse travel matrix: minutes from an origin to a
// destination label.
type Pair struct {
	Origin  int32
	Label   int32
	Minutes float64
}

// Matrix returns every origin-destination pair reachable by mode m within
// maxMinutes, sorted by origin then label: MatrixRows as a list of pairs.
func (e *Engine) Matrix(ctx context.Context, m Mode, dests []Dest, maxMinutes float64) ([]Pair, error) {
	rows, err := e.MatrixRows(ctx, m, dests, maxMinutes)
	if err != nil {
		return nil, err
	}
	out := make([]Pair, len(rows.Label))
	for i := range len(rows.Start) - 1 {
		for k := rows.Start[i]; k < rows.Start[i+1]; k++ {
			out[k] = Pair{Origin: int32(i), Label: rows.Label[k], Minutes: rows.Minutes[k]}
		}
	}
	return out, nil
}

// MinSweepLabels is the fewest places for which a run should prepare the
// drive graph's contraction hierarchy (network.PrepareSweeps), which
// MatrixRows and NearestMinutes then search: building one costs about as
// much as 100 searches by Dijkstra's algorithm on a state's roads, and
// each search on it about a fifth of one (BenchmarkContractDrive,
// BenchmarkReach30minDrive, BenchmarkSweepEach30minDrive).
const MinSweepLabels = 150

// Rows is a sparse travel matrix by origin (compressed rows): origin i
// reaches Label[k] in Minutes[k] for k from Start[i] to Start[i+1]-1, with
// labels increasing along each row.
type Rows struct {
	Start   []int
	Label   []int32
	Minutes []float64
}

// hits is one label's search result: the origins it reached, and in what
// minutes.
type hits struct {
	origin  []int32
	minutes []float64
}

// MatrixRows returns every origin-destination pair reachable by mode m
// within maxMinutes, by origin. It runs one bounded search per label (from
// the destination outwards, on the reverse graph for one-way streets), so
// the work is proportional to destinations times the streets within reach
// of each. Several points of one label (a park's entrances) give the
// quickest.
func (e *Engine) MatrixRows(ctx context.Context, m Mode, dests []Dest, maxMinutes float64) (*Rows, error) {
	srcs, _ := e.sources(m, dests)
	groups := groupByLabel(srcs)
	limit := maxMinutes * 60
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	parts := make([]hits, len(groups))
	n := len(e.origins)
	live := make([][]network.Source, len(groups))
	for gi, g := range groups {
		for _, s := range g {
			if s.Start <= limit {
				live[gi] = append(live[gi], s)
			}
		}
	}
	// On a graph whose contraction hierarchy was prepared, searches sweep
	// it network.SweepWidth labels at a time; otherwise they are
	// Dijkstra's, one label at a time. Both give the same costs to the
	// last bit.
	width := 1
	var sw *network.Sweeper
	if e.graphs[m].SweepsPrepared() {
		sw = e.sweeper(m)
		width = network.SweepWidth
	}
	// Workers take the next labels as they finish; each label's pairs go
	// to its own slot, so the result does not depend on who searched.
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Dense per-worker scratch for each label of a batch: the best
			// time per origin, stamped with the label that set it, and the
			// origins touched.
			best := make([][]float64, width)
			stamp := make([][]int32, width)
			touched := make([][]int32, width)
			for i := range width {
				best[i] = make([]float64, n)
				stamp[i] = make([]int32, n)
				for o := range stamp[i] {
					stamp[i][o] = -1
				}
			}
			hit := func(i, gi int, o int32, cost float64) {
				total := cost + e.leg(m, o)
				if total > limit {
					return
				}
				if stamp[i][o] != int32(gi) {
					stamp[i][o], best[i][o] = int32(gi), total
					touched[i] = append(touched[i], o)
				} else if total < best[i][o] {
					best[i][o] = total
				}
			}
			for {
				g0 := int(next.Add(int64(width)) - int64(width))
				if g0 >= len(groups) || ctx.Err() != nil {
					return
				}
				g1 := min(g0+width, len(groups))
				for i := range g1 - g0 {
					touched[i] = touched[i][:0]
				}
				if sw != nil {
					sw.ReachEach(live[g0:g1], limit, func(i int, o int32, cost float64) { hit(i, g0+i, o, cost) })
				} else {
					e.graphs[m].ReachAllUnordered(live[g0], limit, e.targets[m], func(o int32, cost float64) { hit(0, g0, o, cost) })
				}
				for gi := g0; gi < g1; gi++ {
					i := gi - g0
					h := hits{origin: slices.Clone(touched[i]), minutes: make([]float64, len(touched[i]))}
					for k, o := range touched[i] {
						h.minutes[k] = best[i][o] / 60
					}
					parts[gi] = h
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Labels in increasing order: sources keep the destinations' order,
	// so sort the few groups out of order.
	order := make([]int, len(groups))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return groups[order[a]][0].Label < groups[order[b]][0].Label })
	labels := make([]int32, len(groups))
	for gi, g := range groups {
		labels[gi] = g[0].Label
	}
	return transpose(n, order, labels, parts), nil
}

// transpose turns the per-label hits into rows by origin, each row in the
// order of labels given, on all cores: each core takes a run of labels of
// about equal pairs, counts its pairs per origin, and from everyone's
// counts knows where each of its pairs goes. The result is the same
// however the labels are split.
func transpose(n int, order []int, labels []int32, parts []hits) *Rows {
	total := 0
	for _, h := range parts {
		total += len(h.origin)
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), len(order)))
	if total < 1<<16 {
		workers = 1
	}
	// Runs of labels [cut[w], cut[w+1]) in order, of about total/workers
	// pairs each.
	cut := make([]int, workers+1)
	acc, w := 0, 1
	for k, gi := range order {
		for w < workers && acc >= total*w/workers {
			cut[w] = k
			w++
		}
		acc += len(parts[gi].origin)
	}
	for ; w <= workers; w++ {
		cut[w] = len(order)
	}
	pos := make([][]int, workers)
	par.Each(workers, func(w int) {
		c := make([]int, n)
		for _, gi := range order[cut[w]:cut[w+1]] {
			for _, o := range parts[gi].origin {
				c[o]++
			}
		}
		pos[w] = c
	})
	start := make([]int, n+1)
	for o := range n {
		at := start[o]
		for w := range pos {
			c := pos[w][o]
			pos[w][o] = at
			at += c
		}
		start[o+1] = at
	}
	rows := &Rows{Start: start, Label: make([]int32, total), Minutes: make([]float64, total)}
	par.Each(workers, func(w int) {
		p := pos[w]
		for _, gi := range order[cut[w]:cut[w+1]] {
			lab := labels[gi]
			for k, o := range parts[gi].origin {
				rows.Label[p[o]], rows.Minutes[p[o]] = lab, parts[gi].minutes[k]
				p[o]++
			}
			parts[gi] = hits{} // the collector may take it back already
		}
	})
	return rows
}
