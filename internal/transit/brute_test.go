package transit

import (
	"container/heap"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteState is a stop reached with a number of rides, on foot or by vehicle.
type bruteState struct {
	stop    StopID
	rides   int
	vehicle bool
}

type bruteItem struct {
	at Time
	s  bruteState
}

type bruteHeap []bruteItem

func (h bruteHeap) Len() int           { return len(h) }
func (h bruteHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h bruteHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *bruteHeap) Push(x any)        { *h = append(*h, x.(bruteItem)) }
func (h *bruteHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// bruteTravel is an independent time-dependent Dijkstra over the raw trips
// (no patterns, no rounds): from every settled state it tries every trip at
// every position of the stop and every later stop of that trip. It returns
// the travel time to each destination for departure t, with the same rules
// as Range: footpaths and egress only after a ride, walk-only alternative,
// Unreachable past opt.MaxTripSeconds.
func bruteTravel(tt *Timetable, opt Options, access []StopWalk, egress [][]StopWalk, direct []float64, t Time) []int32 {
	best := map[bruteState]Time{}
	h := &bruteHeap{}
	push := func(s bruteState, at Time) {
		if old, ok := best[s]; ok && old <= at {
			return
		}
		best[s] = at
		heap.Push(h, bruteItem{at, s})
	}
	for _, a := range access {
		push(bruteState{a.Stop, 0, false}, t+Time(ceilSeconds(a.Seconds)))
	}
	for h.Len() > 0 {
		it := heap.Pop(h).(bruteItem)
		if best[it.s] < it.at {
			continue
		}
		if it.s.vehicle && tt.Transfers != nil {
			for _, x := range tt.Transfers[it.s.stop] {
				push(bruteState{x.To, it.s.rides, false}, it.at+Time(x.Seconds))
			}
		}
		if it.s.rides > opt.MaxTransfers {
			continue
		}
		board := it.at + Time(opt.BoardSlack)
		for _, tr := range tt.Trips {
			for i, s := range tr.Stops {
				if s != it.s.stop || tr.Departures[i] < board {
					continue
				}
				for j := i + 1; j < len(tr.Stops); j++ {
					push(bruteState{tr.Stops[j], it.s.rides + 1, true}, tr.Arrivals[j])
				}
			}
		}
	}
	out := make([]int32, len(egress))
	for d, walks := range egress {
		bestAt := int64(1) << 40
		for s, at := range best {
			if !s.vehicle {
				continue
			}
			for _, w := range walks {
				if w.Stop == s.stop {
					bestAt = min(bestAt, int64(at)+int64(ceilSeconds(w.Seconds)))
				}
			}
		}
		tt := bestAt - int64(t)
		if direct != nil && direct[d] <= float64(opt.MaxTripSeconds) {
			tt = min(tt, int64(ceilSeconds(direct[d])))
		}
		out[d] = Unreachable
		if tt <= int64(opt.MaxTripSeconds) {
			out[d] = int32(tt)
		}
	}
	return out
}

// randomTimetable makes a small network with overtaking trips, loops (a
// stop visited twice by one trip), dwell times and random footpaths.
func randomTimetable(rng *rand.Rand) *Timetable {
	ns := 6 + rng.IntN(10)
	tt := &Timetable{Stops: stops(ns), Transfers: make([][]Transfer, ns)}
	for r := range 2 + rng.IntN(6) {
		n := 2 + rng.IntN(5)
		seq := make([]StopID, n)
		for i := range seq {
			seq[i] = StopID(rng.IntN(ns))
			for i > 0 && seq[i] == seq[i-1] {
				seq[i] = StopID(rng.IntN(ns))
			}
		}
		prevStart := Time(-1)
		for k := range 1 + rng.IntN(8) {
			at := hms(7, 0, 0) + Time(rng.IntN(150*60))
			if prevStart >= 0 && rng.IntN(3) == 0 {
				// Close behind or ahead of the previous trip, so arrivals
				// differ by seconds (tests pruning at the margin).
				at = prevStart + Time(rng.IntN(91)-45)
			}
			prevStart = at
			tr := Trip{ID: string(rune('a'+r)) + string(rune('0'+k)), Stops: seq, Arrivals: make([]Time, n), Departures: make([]Time, n)}
			for i := range seq {
				if i > 0 {
					at += Time(60 + rng.IntN(900)) // some trips much slower: overtaking
				}
				tr.Arrivals[i] = at
				at += Time(rng.IntN(3) * 30)
				tr.Departures[i] = at
			}
			tt.Trips = append(tt.Trips, tr)
		}
	}
	for range rng.IntN(2 * ns) {
		a, b := StopID(rng.IntN(ns)), StopID(rng.IntN(ns))
		tt.Transfers[a] = append(tt.Transfers[a], Transfer{To: b, Seconds: int32(rng.IntN(600))})
	}
	return tt
}

func TestRangeMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	queries := 0
	for inst := range 500 {
		tt := randomTimetable(rng)
		opt := Options{MaxTransfers: rng.IntN(4), MaxTripSeconds: int32(1800 + rng.IntN(5400)), BoardSlack: int32(rng.IntN(3) * 30)}
		r, err := NewRouter(tt, opt)
		if err != nil {
			t.Fatal(err)
		}
		ns := len(tt.Stops)
		var access []StopWalk
		for range 1 + rng.IntN(3) {
			access = append(access, StopWalk{StopID(rng.IntN(ns)), float64(rng.IntN(600)) + 0.5})
		}
		egress := make([][]StopWalk, 1+rng.IntN(4))
		direct := make([]float64, len(egress))
		for d := range egress {
			for range 1 + rng.IntN(3) {
				w := float64(rng.IntN(600))
				if rng.IntN(2) == 0 {
					w = float64(rng.IntN(3)) // at the stop: arrivals compare to the second
				}
				egress[d] = append(egress[d], StopWalk{StopID(rng.IntN(ns)), w})
			}
			direct[d] = float64(1200 + rng.IntN(9000))
		}
		if inst%3 == 0 {
			direct = nil
		}
		eg, err := r.NewEgress(egress)
		if err != nil {
			t.Fatal(err)
		}
		from := hms(7, 0, 0) + Time(rng.IntN(60)*60)
		step := int32(60 * (1 + rng.IntN(3)))
		res, err := r.Range(access, from, from+90*60, step, eg, direct)
		if err != nil {
			t.Fatal(err)
		}
		for i := range res.Times[0] {
			dep := from + Time(int32(i)*step)
			want := bruteTravel(tt, opt, access, egress, direct, dep)
			queries++
			for d := range want {
				if res.Times[d][i] != want[d] {
					t.Fatalf("instance %d (%+v), departure %v, destination %d: RAPTOR %d s, brute force %d s", inst, opt, dep, d, res.Times[d][i], want[d])
				}
			}
		}
	}
	t.Logf("%d departures checked against brute force", queries)
}

// TestRangeEachMatchesRange runs many origins on all CPUs (run it with
// -race) and checks each against a lone Range call.
func TestRangeEachMatchesRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tt := randomTimetable(rng)
	for len(tt.Stops) < 10 {
		tt = randomTimetable(rng)
	}
	r, err := NewRouter(tt, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	eg, _ := r.NewEgress([][]StopWalk{{{1, 30}}, {{2, 0}, {3, 100}}, {{9, 10}}})
	accesses := make([][]StopWalk, 200)
	direct := make([][]float64, len(accesses))
	for i := range accesses {
		accesses[i] = []StopWalk{{StopID(rng.IntN(len(tt.Stops))), float64(rng.IntN(300))}}
		direct[i] = []float64{float64(rng.IntN(7200)), math.Inf(1), 3000}
	}
	got := make([]*Result, len(accesses))
	err = r.RangeEach(context.Background(), accesses, hms(7, 0, 0), hms(8, 0, 0), 60, eg, DenseDirect(direct), func(i int, res *Result) { got[i] = res })
	if err != nil {
		t.Fatal(err)
	}
	for i := range accesses {
		want, _ := r.Range(accesses[i], hms(7, 0, 0), hms(8, 0, 0), 60, eg, direct[i])
		for j := range want.Times {
			if !slices.Equal(got[i].Times[j], want.Times[j]) {
				t.Fatalf("origin %d destination %d: RangeEach %v, Range %v", i, j, got[i].Times[j], want.Times[j])
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.RangeEach(ctx, accesses, hms(7, 0, 0), hms(8, 0, 0), 60, eg, DenseDirect(direct), func(int, *Result) {}); err != context.Canceled {
		t.Errorf("cancelled run: err = %v, want context.Canceled", err)
	}
}
