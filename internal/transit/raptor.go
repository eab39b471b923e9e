package transit

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
)

// StopWalk is a walk between a point and a stop, in seconds.
type StopWalk struct {
	Stop    StopID
	Seconds float64
}

// Unreachable is the travel time of a destination that cannot be reached
// within Options.MaxTripSeconds. It sorts after every real time, so
// percentiles over a window come out Unreachable when fewer than that share
// of departures arrive.
const Unreachable = int32(math.MaxInt32)

// Egress holds, for every stop, the destinations reachable on foot from it,
// so a search updates only the destinations near the stops it improves.
type Egress struct {
	targets int
	first   []int32 // per stop, CSR into target/sec
	target  []int32
	sec     []int32
}

// NewEgress indexes the walks from stops to destinations: targets[j] lists
// the stops within walking distance of destination j and the walk in seconds
// from each stop to it. Seconds are rounded up to whole seconds.
func (r *Router) NewEgress(targets [][]StopWalk) (*Egress, error) {
	ns := len(r.stops)
	e := &Egress{targets: len(targets), first: make([]int32, ns+1)}
	for j, walks := range targets {
		for _, w := range walks {
			if err := r.checkWalk(w); err != nil {
				return nil, fmt.Errorf("transit: egress to destination %d: %w", j, err)
			}
			if !math.IsInf(w.Seconds, 1) {
				e.first[w.Stop+1]++
			}
		}
	}
	for s := 1; s <= ns; s++ {
		e.first[s] += e.first[s-1]
	}
	e.target = make([]int32, e.first[ns])
	e.sec = make([]int32, e.first[ns])
	next := slices.Clone(e.first[:ns])
	for j, walks := range targets { // j increasing: each stop's list is in target order
		for _, w := range walks {
			if math.IsInf(w.Seconds, 1) {
				continue
			}
			k := next[w.Stop]
			e.target[k], e.sec[k] = int32(j), ceilSeconds(w.Seconds)
			next[w.Stop]++
		}
	}
	return e, nil
}

// Targets returns the number of destinations.
func (e *Egress) Targets() int { return e.targets }

func (r *Router) checkWalk(w StopWalk) error {
	if w.Stop < 0 || int(w.Stop) >= len(r.stops) {
		return fmt.Errorf("stop index %d is outside the %d stops", w.Stop, len(r.stops))
	}
	if math.IsNaN(w.Seconds) || w.Seconds < 0 {
		return fmt.Errorf("walk to stop %s is %v seconds", r.stops[w.Stop].ID, w.Seconds)
	}
	return nil
}

// ceilSeconds rounds a walk up, so rounding never makes a trip faster.
func ceilSeconds(s float64) int32 {
	if s >= float64(math.MaxInt32/2) {
		return math.MaxInt32 / 2
	}
	return int32(math.Ceil(s))
}

// Result holds the travel times from one origin over a departure window.
type Result struct {
	From Time  // first departure
	Step int32 // seconds between departures
	// Times[j][i] is the travel time in seconds to destination j leaving at
	// From + i*Step, including the wait at the first stop; Unreachable when
	// longer than MaxTripSeconds. From RangeDraws, Times[j] holds the
	// departures of each draw in turn (index d*n + i for draw d).
	Times [][]int32
}

// Percentiles returns destination j's travel times at percentiles ps (0 to
// 100) over the window, in seconds, as R5 reports them: no interpolation,
// the time at index ceil(p/100*n)-1 of the sorted times (p=50 of 120
// departures is the 60th fastest). Unreachable departures count as the
// slowest.
func (res *Result) Percentiles(j int, ps ...float64) []int32 {
	times := slices.Clone(res.Times[j])
	slices.Sort(times)
	out := make([]int32, len(ps))
	for k, p := range ps {
		out[k] = percentile(times, p)
	}
	return out
}

// percentile reads percentile p off sorted times (R5's definition).
func percentile(sorted []int32, p float64) int32 {
	n := len(sorted)
	if n == 0 {
		return Unreachable
	}
	i := int(math.Ceil(p/100*float64(n))) - 1
	return sorted[min(max(i, 0), n-1)]
}

// search is one goroutine's scratch space for rRAPTOR.
type search struct {
	r      *Router
	rounds int
	// best[k][s]: earliest arrival at s boarding at most k vehicles, by any
	// means (access walk, ride, transfer walk). transit[k][s]: the same,
	// arriving on a vehicle (transit[0] is unused).
	best, transit [][]Time
	// walk[k][s]: the earliest arrival at s on foot (access or transfer
	// walk) boarding at most k vehicles; route[k][s]: the route of the
	// vehicle that set transit[k][s], for the rules of transfers.
	walk  [][]Time
	route [][]int32
	// Per round: which stops changed in this departure's iteration.
	bestList, transitList, scanList, walkList [][]StopID
	bestFlag, transitFlag, scanFlag, walkFlag [][]bool
	patPos                                    []int32 // earliest marked position per pattern, -1 none
	patList                                   []int32
	// Stops reached by vehicle in the current round's scan (not by copying
	// forward, whose footpaths the previous round already walked).
	footList   []StopID
	footFlag   []bool
	targetBest []Time
}

func (r *Router) newSearch() *search {
	ns := len(r.stops)
	k := r.opt.MaxTransfers + 1
	s := &search{r: r, rounds: k, patPos: make([]int32, len(r.patTrips)), footFlag: make([]bool, ns)}
	for range k + 1 {
		s.best = append(s.best, make([]Time, ns))
		s.transit = append(s.transit, make([]Time, ns))
		s.bestFlag = append(s.bestFlag, make([]bool, ns))
		s.transitFlag = append(s.transitFlag, make([]bool, ns))
		s.scanFlag = append(s.scanFlag, make([]bool, ns))
		s.walk = append(s.walk, make([]Time, ns))
		s.route = append(s.route, make([]int32, ns))
		s.walkFlag = append(s.walkFlag, make([]bool, ns))
		s.walkList = append(s.walkList, nil)
		s.bestList = append(s.bestList, nil)
		s.transitList = append(s.transitList, nil)
		s.scanList = append(s.scanList, nil)
	}
	for i := range s.patPos {
		s.patPos[i] = -1
	}
	return s
}

func (s *search) reset(targets int) {
	for k := range s.best {
		fill(s.best[k], unreached)
		fill(s.transit[k], unreached)
		fill(s.walk[k], unreached)
	}
	s.targetBest = slices.Grow(s.targetBest[:0], targets)[:targets]
	fill(s.targetBest, unreached)
}

func fill[T any](xs []T, v T) {
	for i := range xs {
		xs[i] = v
	}
}

// clearMarks forgets which stops changed, before the next departure.
func (s *search) clearMarks() {
	for k := range s.best {
		for _, x := range s.bestList[k] {
			s.bestFlag[k][x] = false
		}
		for _, x := range s.transitList[k] {
			s.transitFlag[k][x] = false
		}
		for _, x := range s.scanList[k] {
			s.scanFlag[k][x] = false
		}
		for _, x := range s.walkList[k] {
			s.walkFlag[k][x] = false
		}
		s.walkList[k] = s.walkList[k][:0]
		s.bestList[k], s.transitList[k], s.scanList[k] = s.bestList[k][:0], s.transitList[k][:0], s.scanList[k][:0]
	}
}

func (s *search) markBest(k int, x StopID) {
	if !s.bestFlag[k][x] {
		s.bestFlag[k][x] = true
		s.bestList[k] = append(s.bestList[k], x)
	}
}

func (s *search) markTransit(k int, x StopID) {
	if !s.transitFlag[k][x] {
		s.transitFlag[k][x] = true
		s.transitList[k] = append(s.transitList[k], x)
	}
}

func (s *search) markWalk(k int, x StopID) {
	if !s.walkFlag[k][x] {
		s.walkFlag[k][x] = true
		s.walkList[k] = append(s.walkList[k], x)
	}
}

func (s *search) markScan(k int, x StopID) {
	if !s.scanFlag[k][x] {
		s.scanFlag[k][x] = true
		s.scanList[k] = append(s.scanList[k], x)
	}
}

// Range computes travel times from one origin to every destination of eg
// for each departure from, from+step, ... before to (to is excluded, as in
// R5: 07:00 to 09:00 every 60 s is 120 departures). access lists the stops
// the origin can walk to; direct[j], if direct is not nil, is the walk in
// seconds straight from the origin to destination j (+Inf when too far).
func (r *Router) Range(access []StopWalk, from, to Time, step int32, eg *Egress, direct []float64) (*Result, error) {
	s := r.pool()
	defer searchPools.Put(s)
	return s.run(access, from, to, step, eg, direct)
}

// searchPools recycles scratch spaces; each is tied to its router.
var searchPools sync.Pool

func (r *Router) pool() *search {
	if s, ok := searchPools.Get().(*search); ok && s.r == r {
		return s
	}
	return r.newSearch()
}

func (s *search) run(access []StopWalk, from, to Time, step int32, eg *Egress, direct []float64) (*Result, error) {
	r := s.r
	if step <= 0 {
		return nil, fmt.Errorf("transit: departure step is %d seconds, must be positive", step)
	}
	if to <= from {
		return nil, fmt.Errorf("transit: departure window %v to %v is empty", from, to)
	}
	if eg == nil {
		return nil, fmt.Errorf("transit: no destinations (Egress is nil)")
	}
	if len(eg.first) != len(r.stops)+1 {
		return nil, fmt.Errorf("transit: Egress was built for another timetable")
	}
	if direct != nil && len(direct) != eg.targets {
		return nil, fmt.Errorf("transit: %d direct walks for %d destinations", len(direct), eg.targets)
	}
	acc := make([]Time, 0, len(access))
	for _, a := range access {
		if err := r.checkWalk(a); err != nil {
			return nil, fmt.Errorf("transit: access: %w", err)
		}
		acc = append(acc, Time(ceilSeconds(a.Seconds)))
	}
	directSec := make([]int32, eg.targets)
	for j := range directSec {
		directSec[j] = Unreachable
		if direct != nil && direct[j] >= 0 && direct[j] <= float64(r.opt.MaxTripSeconds) {
			directSec[j] = ceilSeconds(direct[j])
		}
	}

	n := int((int64(to) - int64(from) + int64(step) - 1) / int64(step))
	res := &Result{From: from, Step: step, Times: make([][]int32, eg.targets)}
	for j := range res.Times {
		res.Times[j] = make([]int32, n)
	}
	s.reset(eg.targets)
	for i := n - 1; i >= 0; i-- {
		t := from + Time(int64(i)*int64(step))
		s.clearMarks()
		s.departure(t, access, acc, eg, directSec)
		for j := range res.Times {
			tt := Unreachable
			if s.targetBest[j] != unreached {
				tt = int32(s.targetBest[j] - t)
			}
			tt = min(tt, directSec[j])
			if tt > r.opt.MaxTripSeconds {
				tt = Unreachable
			}
			res.Times[j][i] = tt
		}
	}
	return res, nil
}

// departure runs the RAPTOR rounds for one departure time, reusing the
// labels of the later departures already run.
//
// Arrivals later than cutoff are not recorded: past MaxTripSeconds, or
// (target pruning) no earlier than every destination's best arrival so far
// or its walk-only arrival. Such an arrival, and anything continuing from
// it, cannot improve any destination for this departure, nor for the
// earlier ones still to run, whose bounds are tighter still.
func (s *search) departure(t Time, access []StopWalk, acc []Time, eg *Egress, directSec []int32) {
	r := s.r
	cutoff := t + Time(r.opt.MaxTripSeconds)
	limit := Time(math.MinInt32)
	for j, b := range s.targetBest {
		if d := directSec[j]; d != Unreachable {
			b = min(b, t+Time(d))
		}
		limit = max(limit, b)
	}
	if len(s.targetBest) > 0 && limit != unreached {
		cutoff = min(cutoff, limit-1)
	}
	for i, a := range access {
		at := t + acc[i]
		if at <= cutoff && at < s.walk[0][a.Stop] {
			s.walk[0][a.Stop] = at
			s.markWalk(0, a.Stop)
			if at < s.best[0][a.Stop] {
				s.best[0][a.Stop] = at
				s.markBest(0, a.Stop)
			}
			s.markScan(0, a.Stop)
		}
	}
	slack := Time(r.opt.BoardSlack)
	for k := 1; k <= s.rounds; k++ {
		if len(s.bestList[k-1]) == 0 && len(s.transitList[k-1]) == 0 && len(s.walkList[k-1]) == 0 {
			break // nothing changed, so no later round can change
		}
		best, prev, tr := s.best[k], s.best[k-1], s.transit[k]
		walk, prevWalk, route := s.walk[k], s.walk[k-1], s.route[k]
		prevTr, prevRoute := s.transit[k-1], s.route[k-1]
		for _, x := range s.walkList[k-1] {
			if prevWalk[x] < walk[x] {
				walk[x] = prevWalk[x]
				s.markWalk(k, x)
			}
		}
		// Copy forward: with one more vehicle allowed, one arrives no later.
		for _, x := range s.bestList[k-1] {
			if prev[x] < best[x] {
				best[x] = prev[x]
				s.markBest(k, x)
			}
		}
		if k >= 2 {
			ptr := s.transit[k-1]
			for _, x := range s.transitList[k-1] {
				if ptr[x] < tr[x] {
					tr[x] = ptr[x]
					route[x] = prevRoute[x]
					s.markTransit(k, x)
				}
			}
		}
		// Patterns serving stops improved in the previous round.
		s.patList = s.patList[:0]
		for _, x := range s.scanList[k-1] {
			for e := r.stopFirst[x]; e < r.stopFirst[x+1]; e++ {
				p, pos := r.stopPat[e], r.stopPos[e]
				if s.patPos[p] < 0 {
					s.patList = append(s.patList, p)
					s.patPos[p] = pos
				} else if pos < s.patPos[p] {
					s.patPos[p] = pos
				}
			}
		}
		scanFlag := s.scanFlag[k-1]
		for _, p := range s.patList {
			pos0 := s.patPos[p]
			s.patPos[p] = -1
			stops := r.patStops[r.patFirst[p]:r.patFirst[p+1]]
			nst := int32(len(stops))
			nt := r.patTrips[p]
			arr := r.arr[r.patTime[p] : r.patTime[p]+nt*nst]
			dep := r.dep[r.patTime[p] : r.patTime[p]+nt*nst]
			flags := r.patFlags[r.patFirst[p] : r.patFirst[p]+nst]
			proute := r.patRoute[p]
			trip := int32(-1)
			for i := pos0; i < nst; i++ {
				x := stops[i]
				if trip >= 0 && flags[i]&noDropOff == 0 {
					a := arr[trip*nst+i]
					if a <= cutoff && a < tr[x] {
						tr[x] = a
						route[x] = proute
						s.markTransit(k, x)
						if !s.footFlag[x] {
							s.footFlag[x] = true
							s.footList = append(s.footList, x)
						}
						ruled := r.ruleFirst[x] < r.ruleFirst[x+1]
						if a < best[x] {
							best[x] = a
							s.markBest(k, x)
							ruled = true
						}
						if ruled {
							s.markScan(k, x)
						}
					}
				}
				if !scanFlag[x] || flags[i]&noPickup != 0 {
					continue
				}
				b := prev[x] + slack
				if r.ruleFirst[x] < r.ruleFirst[x+1] {
					// Rules of transfers.txt at this stop: the wait after
					// a vehicle depends on the routes changed between.
					b = unreached
					if prevWalk[x] != unreached {
						b = prevWalk[x] + slack
					}
					if k >= 2 && prevTr[x] != unreached {
						if w := r.changeWait(x, prevRoute[x], proute); w >= 0 {
							b = min(b, prevTr[x]+w)
						}
					}
					if b == unreached {
						continue
					}
				}
				// Can we catch an earlier trip than the one we are on?
				hi := nt
				if trip >= 0 {
					if trip == 0 || dep[(trip-1)*nst+i] < b {
						continue
					}
					hi = trip
				}
				lo, h := int32(0), hi
				for lo < h {
					m := int32(uint32(lo+h) >> 1)
					if dep[m*nst+i] < b {
						lo = m + 1
					} else {
						h = m
					}
				}
				if lo < hi {
					trip = lo
				}
			}
		}
		// Footpaths from stops reached by vehicle in this round's scan.
		for _, x := range s.footList {
			s.footFlag[x] = false
			ax := tr[x]
			for e := r.xferFirst[x]; e < r.xferFirst[x+1]; e++ {
				y := r.xferTo[e]
				at := ax + Time(r.xferSec[e])
				if at > cutoff {
					break // footpaths come quickest first
				}
				if at < walk[y] {
					walk[y] = at
					s.markWalk(k, y)
					ruled := r.ruleFirst[y] < r.ruleFirst[y+1]
					if at < best[y] {
						best[y] = at
						s.markBest(k, y)
						ruled = true
					}
					if ruled {
						s.markScan(k, y)
					}
				}
			}
		}
		s.footList = s.footList[:0]
	}
	// Destinations near stops whose arrival by vehicle improved. Changes
	// are copied forward round by round (a round that changed nothing ends
	// the loop, and then nothing later could change), so the last round
	// holds the best arrival over all rounds and lists every stop whose best
	// improved.
	tr := s.transit[s.rounds]
	for _, x := range s.transitList[s.rounds] {
		ax := tr[x]
		for e := eg.first[x]; e < eg.first[x+1]; e++ {
			at := ax + Time(eg.sec[e])
			if j := eg.target[e]; at < s.targetBest[j] {
				s.targetBest[j] = at
			}
		}
	}
}

// DirectWalks fills row, one slot per destination, with origin's walk in
// seconds to each destination (+Inf, or any value above the longest trip,
// where there is none), for the walk-only option of every search. It lets a
// caller keep only the walks that exist (a sparse origin x destination
// table) instead of a dense matrix: RangeEach asks for one origin's row at
// a time, into a row each worker reuses.
type DirectWalks func(origin int, row []float64)

// DenseDirect serves DirectWalks from a dense matrix, direct[i] being origin
// i's row.
func DenseDirect(direct [][]float64) DirectWalks {
	return func(i int, row []float64) { copy(row, direct[i]) }
}

// RangeEach runs Range for every origin on all CPUs; accesses[i] belongs
// to origin i, and direct (which may be nil) gives its walks. fn receives each
// origin's result, from several goroutines at once and in no fixed order;
// the result is the callee's to keep. RangeEach stops early, returning the
// context's error, when ctx is cancelled.
func (r *Router) RangeEach(ctx context.Context, accesses [][]StopWalk, from, to Time, step int32, eg *Egress, direct DirectWalks, fn func(origin int, res *Result)) error {
	return RangeDraws(ctx, []*Router{r}, []*Egress{eg}, accesses, from, to, step, direct, fn)
}

// RangeDraws is RangeEach over several timetables of one day that differ
// only in the start offsets drawn for frequency-based trips (Monte Carlo
// draws, as R5 makes when exact_times=0): routers[d] and egresses[d] belong
// to draw d, and every origin's Result holds, per destination, the
// departures of draw 0, then those of draw 1, and so on, so its
// percentiles are taken over every departure minute of every draw, as R5
// counts its draws into the percentiles.
func RangeDraws(ctx context.Context, routers []*Router, egresses []*Egress, accesses [][]StopWalk, from, to Time, step int32, direct DirectWalks, fn func(origin int, res *Result)) error {
	if len(routers) == 0 || len(routers) != len(egresses) {
		return fmt.Errorf("transit: %d routers for %d egress indexes", len(routers), len(egresses))
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, len(accesses)))
	var next int64
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			searches := make([]*search, len(routers))
			for d, r := range routers {
				searches[d] = r.newSearch()
			}
			var row []float64
			if direct != nil {
				row = make([]float64, egresses[0].targets)
			}
			for {
				mu.Lock()
				i := int(next)
				next++
				stop := firstErr != nil
				mu.Unlock()
				if stop || i >= len(accesses) {
					return
				}
				if err := ctx.Err(); err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
				var d []float64
				if direct != nil {
					direct(i, row)
					d = row
				}
				var res *Result
				var err error
				for k, s := range searches {
					var one *Result
					if one, err = s.run(accesses[i], from, to, step, egresses[k], d); err != nil {
						break
					}
					if res == nil {
						res = one
						continue
					}
					for j := range res.Times {
						res.Times[j] = append(res.Times[j], one.Times[j]...)
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, fmt.Errorf("origin %d: %w", i, err))
					mu.Unlock()
					return
				}
				fn(i, res)
			}
		}()
	}
	wg.Wait()
	return firstErr
}

func cmpErr(old, e error) error {
	if old != nil {
		return old
	}
	return e
}
