package transit

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
	"commonground/internal/gtfs"
)

// TestLowerBoundsPOA routes from the hexagons of south-west Porto Alegre
// to every stop, over the midday window with a 30-minute limit, and checks
// LowerBounds against what the router finds: no stop is reached at any
// departure sooner than its bound, and none whose bound is past the limit
// is reached at all. Then it routes to the landmarks on the feeds without
// the trips KeepTrips drops and checks every travel time is the same.
func TestLowerBoundsPOA(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the Porto Alegre street network and feeds")
	}
	p := loadPOA(t)
	const limit = 1800
	opt := p.opt
	opt.MaxTripSeconds = limit
	router, err := NewRouter(p.tt, opt)
	if err != nil {
		t.Fatal(err)
	}
	// South-west quarter of the hexagons, by their median point.
	var lons, lats []float64
	for _, o := range p.origins {
		lons, lats = append(lons, o[0]), append(lats, o[1])
	}
	midLon, midLat := median(lons), median(lats)
	var origins []int
	box := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for i, o := range p.origins {
		if o[0] < midLon && o[1] < midLat {
			origins = append(origins, i)
			box = box.Extend(o)
		}
	}
	maxWalkM := math.Max(poaMaxWalk*p.speedMps, poaTransferM)
	start := make([]float64, len(p.feed.Stops))
	for i, s := range p.feed.Stops {
		pt := orb.Point{s.Lon, s.Lat}
		q := orb.Point{math.Min(math.Max(pt[0], box.Min[0]), box.Max[0]), math.Min(math.Max(pt[1], box.Min[1]), box.Max[1])}
		start[i] = math.Inf(1)
		if d := 0.99 * geo.Distance(pt, q); d <= maxWalkM {
			start[i] = d / p.speedMps
		}
	}
	lb := LowerBounds(p.feed, start, p.speedMps, maxWalkM, limit)
	keep := make([]bool, len(lb))
	kept := 0
	for i, v := range lb {
		if keep[i] = v <= limit; keep[i] {
			kept++
		}
	}
	t.Logf("%d origins; %d of %d stops within the bound of %d s", len(origins), kept, len(lb), limit)
	if kept == 0 || kept > len(lb)*9/10 {
		t.Fatalf("%d of %d stops kept: the bound cuts nothing or everything", kept, len(lb))
	}

	// Every stop a target of its own, reached at the stop.
	targets := make([][]StopWalk, len(p.tt.Stops))
	for s := range targets {
		targets[s] = []StopWalk{{Stop: StopID(s)}}
	}
	eg, err := router.NewEgress(targets)
	if err != nil {
		t.Fatal(err)
	}
	access := make([][]StopWalk, len(origins))
	for k, i := range origins {
		access[k] = p.access[i]
	}
	type miss struct {
		stop, minute int
		got          int32
		bound        float64
	}
	bad := make([][]miss, len(origins))
	reached := make([]int, len(origins))
	hit := make([]bool, len(p.tt.Stops))
	var mu sync.Mutex
	if err := router.RangeEach(context.Background(), access, poaFrom, poaTo, 60, eg, nil, func(k int, res *Result) {
		var mine []int
		defer func() {
			mu.Lock()
			for _, s := range mine {
				hit[s] = true
			}
			mu.Unlock()
		}()
		for s, times := range res.Times {
			for m, v := range times {
				if v == Unreachable {
					continue
				}
				reached[k]++
				mine = append(mine, s)
				if float64(v) < lb[s] {
					bad[k] = append(bad[k], miss{s, m, v, lb[s]})
				}
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	total := 0
	for k, ms := range bad {
		total += reached[k]
		for _, m := range ms[:min(len(ms), 3)] {
			t.Errorf("origin %d reaches stop %s at %v in %d s, under its bound of %.1f s", origins[k], p.tt.Stops[m.stop].ID, poaFrom+Time(60*m.minute), m.got, m.bound)
		}
	}
	nhit := 0
	for _, h := range hit {
		if h {
			nhit++
		}
	}
	t.Logf("%d stop arrivals checked against their bounds; %d stops reached at some departure, %d within the bound", total, nhit, kept)
	if total < len(origins)*1000 {
		t.Fatalf("only %d arrivals: the check tested little", total)
	}

	// The feeds without the trips that call at no kept stop: the same
	// times to the landmarks, at every departure.
	cut, dropped := KeepTrips(p.feed, keep, []gtfs.Date{poaDate})
	t.Logf("%d of %d trips dropped", dropped, len(p.feed.Trips))
	if dropped == 0 {
		t.Fatal("no trip dropped: the comparison tests nothing")
	}
	ttCut, _, err := FromFeed(cut, poaDate)
	if err != nil {
		t.Fatal(err)
	}
	ttCut.Transfers = p.tt.Transfers
	routerCut, err := NewRouter(ttCut, opt)
	if err != nil {
		t.Fatal(err)
	}
	egFull, err := router.NewEgress(p.egress)
	if err != nil {
		t.Fatal(err)
	}
	egCut, err := routerCut.NewEgress(p.egress)
	if err != nil {
		t.Fatal(err)
	}
	direct := make([][]float64, len(origins))
	for k, i := range origins {
		direct[k] = p.direct[i]
	}
	full := make([]*Result, len(origins))
	if err := router.RangeEach(context.Background(), access, poaFrom, poaTo, 60, egFull, DenseDirect(direct), func(k int, res *Result) { full[k] = res }); err != nil {
		t.Fatal(err)
	}
	helps := make([]int, len(origins))
	if err := routerCut.RangeEach(context.Background(), access, poaFrom, poaTo, 60, egCut, DenseDirect(direct), func(k int, res *Result) {
		for j, times := range res.Times {
			for m, v := range times {
				if w := full[k].Times[j][m]; v != w {
					t.Errorf("origin %d -> %s at %v: %d s on the cut feeds, %d s on the whole", origins[k], p.destIDs[j], poaFrom+Time(60*m), v, w)
					return
				}
				if v != Unreachable && float64(v) < direct[k][j]-1 {
					helps[k]++
				}
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if transitHelps := slices.Max(helps); transitHelps == 0 {
		t.Fatal("transit beats walking nowhere within the limit: the comparison tests nothing")
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestKeepTripsKeepsEveryDate: a weekday trip calls at the kept stops and a
// Saturday trip does not. Routing a Wednesday alone, the Saturday trip goes;
// routing the Saturday too, nothing goes, since the Saturday's timetable
// would otherwise be empty where the whole feed's is not.
func TestKeepTripsKeepsEveryDate(t *testing.T) {
	wed, sat := gtfs.Date{Year: 2019, Month: 5, Day: 15}, gtfs.Date{Year: 2019, Month: 5, Day: 18}
	start, end := gtfs.Date{Year: 2019, Month: 1, Day: 1}, gtfs.Date{Year: 2019, Month: 12, Day: 31}
	f := &gtfs.Feed{
		Stops: []gtfs.Stop{{ID: "a", Parent: -1}, {ID: "b", Parent: -1}, {ID: "c", Parent: -1}, {ID: "d", Parent: -1}},
		Services: []gtfs.Service{
			{ID: "weekday", Days: [7]bool{true, true, true, true, true}, Start: start, End: end},
			{ID: "saturday", Days: [7]bool{5: true}, Start: start, End: end},
		},
		Trips: []gtfs.Trip{{ID: "wk", Service: 0, First: 0, Last: 2}, {ID: "sa", Service: 1, First: 2, Last: 4}},
		StopTimes: []gtfs.StopTime{
			{Stop: 0, Arrival: 100, Departure: 100}, {Stop: 1, Arrival: 200, Departure: 200},
			{Stop: 2, Arrival: 100, Departure: 100}, {Stop: 3, Arrival: 200, Departure: 200},
		},
	}
	keep := []bool{true, true, false, false}
	cut, dropped := KeepTrips(f, keep, []gtfs.Date{wed})
	if dropped != 1 || len(cut.Trips) != 1 || cut.Trips[0].ID != "wk" {
		t.Fatalf("Wednesday alone: %d dropped, trips %v; want the Saturday trip dropped", dropped, cut.Trips)
	}
	cut, dropped = KeepTrips(f, keep, []gtfs.Date{wed, sat})
	if dropped != 0 || cut != f {
		t.Fatalf("Wednesday and Saturday: %d dropped; want the feed as it was", dropped)
	}
	if _, _, err := FromFeed(cut, sat); err != nil {
		t.Fatal(err)
	}
}
