package transit

import (
	"container/heap"
	"math"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
	"commonground/internal/gtfs"
)

// LowerBounds returns, for every stop of f, a time no journey can beat
// from the sources to that stop, in seconds; +Inf for stops no journey
// reaches within limit. start[s] is a lower bound on the walk (or drive)
// from any origin to stop s, +Inf where there is none. A sharded run uses
// it to find the stops, and so the part of the map and of the feeds, that
// its origins can reach within transit.max_trip_minutes.
//
// The bounds hold for every timetable FromFeedWith builds from f, on any
// date and draw, and for every router option, because each step of a
// journey costs at least what it costs here:
//
//   - a ride between consecutive stops of a trip, at least the least
//     scheduled time between them over every trip of the feed (times never
//     go backwards along a trip, NewRouter refuses a trip where they do, so
//     riding on costs at least the sum of these hops, and a frequency-based
//     trip keeps its template's hops);
//   - staying seated from one trip of a block to the next, nothing;
//   - a walk between stops, the straight line at walkSpeed (the Walker's
//     walks are never shorter, and straight-line transfers are longer by
//     their detour), for stops up to maxWalkM apart; the platforms of one
//     station, whatever their distance;
//   - a change under a rule of transfers.txt, nothing (a type 2 rule may
//     make a change between two stops quicker than the walk).
//
// Waits and boarding slack only add to a journey, so they count as nothing.
func LowerBounds(f *gtfs.Feed, start []float64, walkSpeed, maxWalkM, limit float64) []float64 {
	ns := len(f.Stops)
	// Nodes: the stops, then one per block (trips of the block enter it at
	// their last stop and leave it at their first, at no cost).
	blockOf := map[string]int32{}
	for _, t := range f.Trips {
		if _, ok := blockOf[t.Block]; !ok && t.Block != "" {
			blockOf[t.Block] = int32(ns + len(blockOf))
		}
	}
	n := ns + len(blockOf)
	// The least hop between each pair of stops, over every trip.
	type pair struct{ a, b int32 }
	hops := map[pair]float64{}
	edge := func(a, b int32, c float64) {
		if a == b {
			return
		}
		if old, ok := hops[pair{a, b}]; !ok || c < old {
			hops[pair{a, b}] = c
		}
	}
	for ti := range f.Trips {
		st := f.StopTimesOf(int32(ti))
		for k := 1; k < len(st); k++ {
			edge(st[k-1].Stop, st[k].Stop, max(0, float64(st[k].Arrival-st[k-1].Departure)))
		}
		if b := f.Trips[ti].Block; b != "" && len(st) > 0 {
			edge(st[len(st)-1].Stop, blockOf[b], 0)
			edge(blockOf[b], st[0].Stop, 0)
		}
	}
	byParent := map[int32][]int32{}
	for i, s := range f.Stops {
		if s.Parent >= 0 {
			byParent[s.Parent] = append(byParent[s.Parent], int32(i))
		}
	}
	// A rule naming a station applies to each of its platforms.
	withPlatforms := func(i int32) []int32 {
		if f.Stops[i].LocationType == 1 {
			return append([]int32{i}, byParent[i]...)
		}
		return []int32{i}
	}
	for _, x := range f.Transfers {
		for _, a := range withPlatforms(x.From) {
			for _, b := range withPlatforms(x.To) {
				edge(a, b, 0)
			}
		}
	}
	pt := func(i int32) orb.Point { return orb.Point{f.Stops[i].Lon, f.Stops[i].Lat} }
	for _, kids := range byParent {
		for _, a := range kids {
			for _, b := range kids {
				edge(a, b, geo.Distance(pt(a), pt(b))/walkSpeed)
			}
		}
	}
	first := make([]int32, n+1)
	for p := range hops {
		first[p.a+1]++
	}
	for i := 1; i <= n; i++ {
		first[i] += first[i-1]
	}
	to := make([]int32, len(hops))
	cost := make([]float64, len(hops))
	at := append([]int32(nil), first[:n]...)
	for p, c := range hops {
		to[at[p.a]], cost[at[p.a]] = p.b, c
		at[p.a]++
	}

	pts := make([]orb.Point, ns)
	for i := range pts {
		pts[i] = pt(int32(i))
	}
	near := newGrid(pts, maxWalkM)
	best := make([]float64, n)
	q := &boundQueue{}
	for i := range best {
		best[i] = math.Inf(1)
		if i < ns && start[i] <= limit {
			best[i] = start[i]
			heap.Push(q, boundItem{int32(i), start[i]})
		}
	}
	done := make([]bool, n)
	relax := func(v int32, c float64) {
		if c <= limit && c < best[v] {
			best[v] = c
			heap.Push(q, boundItem{v, c})
		}
	}
	for q.Len() > 0 {
		it := heap.Pop(q).(boundItem)
		u := it.node
		if done[u] || it.cost > best[u] {
			continue
		}
		done[u] = true
		for e := first[u]; e < first[u+1]; e++ {
			relax(to[e], it.cost+cost[e])
		}
		if int(u) < ns {
			near.near(pts[u], maxWalkM, func(j int, d float64) { relax(int32(j), it.cost+d/walkSpeed) })
		}
	}
	return best[:ns]
}

type boundItem struct {
	node int32
	cost float64
}

type boundQueue []boundItem

func (q boundQueue) Len() int           { return len(q) }
func (q boundQueue) Less(a, b int) bool { return q[a].cost < q[b].cost }
func (q boundQueue) Swap(a, b int)      { q[a], q[b] = q[b], q[a] }
func (q *boundQueue) Push(x any)        { *q = append(*q, x.(boundItem)) }
func (q *boundQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// KeepTrips is f without the trips no journey can use: those that do not
// call at any stop with keep set. Trips of a block are kept whole, with the
// whole block, since joining runs of a block depends on every run of it;
// and nothing is dropped when a rule of transfers.txt names a route or a
// trip, since which vehicle arrived first at a stop then matters, nor when
// on one of dates no trip kept would run (FromFeed would find no trips
// that day where f has some). The second result counts the trips dropped.
func KeepTrips(f *gtfs.Feed, keep []bool, dates []gtfs.Date) (*gtfs.Feed, int) {
	for _, x := range f.Transfers {
		if x.FromRoute >= 0 || x.ToRoute >= 0 || x.FromTrip >= 0 || x.ToTrip >= 0 {
			return f, 0
		}
	}
	blocks := map[string]bool{}
	use := make([]bool, len(f.Trips))
	for ti := range f.Trips {
		for _, st := range f.StopTimesOf(int32(ti)) {
			if keep[st.Stop] {
				use[ti] = true
				break
			}
		}
		if use[ti] && f.Trips[ti].Block != "" {
			blocks[f.Trips[ti].Block] = true
		}
	}
	dropped := 0
	for ti := range f.Trips {
		use[ti] = use[ti] || (f.Trips[ti].Block != "" && blocks[f.Trips[ti].Block])
		if !use[ti] {
			dropped++
		}
	}
	if dropped == 0 {
		return f, 0
	}
	// A trip without frequencies whose service runs on a date is in that
	// date's timetable, whatever else: one kept per date keeps every
	// timetable of the cut feeds from being empty.
	freq := map[int32]bool{}
	for _, fr := range f.Frequencies {
		freq[fr.Trip] = true
	}
	for _, d := range dates {
		runs := f.ServiceOn(d)
		found := false
		for ti, t := range f.Trips {
			if use[ti] && !freq[int32(ti)] && t.Service >= 0 && int(t.Service) < len(runs) && runs[t.Service] {
				found = true
				break
			}
		}
		if !found {
			return f, 0
		}
	}
	return f.WithTrips(use), dropped
}
