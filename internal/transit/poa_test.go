package transit

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
	"commonground/internal/gtfs"
	"commonground/internal/network"
	"commonground/internal/osmread"
	"commonground/internal/place"
	"commonground/internal/testdata"
)

// Porto Alegre study settings: a weekday inside both feeds' calendars
// (EPTC 2019-04-15 to 2019-07-15, Trensurb all 2019; no holiday), 15-minute
// access and egress walks, 500 m transfers. The EPTC sample feed (r5r's
// example data) holds only buses leaving between 11:00 and 17:00, so the
// tests route 13:00-15:00, when buses and trains both run; the morning peak
// 07:00-09:00 has the trains only.
var (
	poaDate        = gtfs.Date{Year: 2019, Month: 5, Day: 15} // a Wednesday
	poaFrom        = hms(13, 0, 0)
	poaTo          = hms(15, 0, 0)
	poaWalkKmh     = 4.8
	poaMaxWalk     = 900.0 // seconds of access or egress walking
	poaTransferM   = 500.0
	poaSnapMax     = 500.0
	poaTopSpeedKmh = 80.0
)

// poaFixture is everything a Porto Alegre run needs before routing.
type poaFixture struct {
	feed     *gtfs.Feed
	tt       *Timetable
	day      Day
	walk     *network.Graph
	walker   *Walker
	origins  []orb.Point
	dests    []orb.Point
	destIDs  []string
	access   [][]StopWalk
	egress   [][]StopWalk
	direct   [][]float64
	router   *Router
	eg       *Egress
	opt      Options
	speedMps float64
}

var (
	poaOnce sync.Once
	poa     *poaFixture
	poaErr  error
)

func loadPOA(tb testing.TB) *poaFixture {
	tb.Helper()
	dir := "porto-alegre/"
	paths := []string{testdata.Shared(tb, dir+"poa_eptc.zip"), testdata.Shared(tb, dir+"poa_trensurb.zip")}
	pbf := testdata.Shared(tb, dir+"poa_osm.pbf")
	hex := testdata.Shared(tb, dir+"poa_hexgrid.csv")
	poi := testdata.Shared(tb, dir+"poa_points_of_interest.csv")
	poaOnce.Do(func() {
		p := &poaFixture{opt: DefaultOptions()}
		ex, err := osmread.Read(context.Background(), pbf, osmread.Options{Categories: place.DefaultCategories()})
		if err != nil {
			poaErr = err
			return
		}
		if p.walk, _, err = network.Build(ex.Ways, network.WalkProfile(poaWalkKmh)); err != nil {
			poaErr = err
			return
		}
		p.speedMps = p.walk.Profile().WalkSpeed
		if p.feed, err = gtfs.ReadAll(paths, gtfs.Options{}); err != nil {
			poaErr = err
			return
		}
		if p.tt, p.day, err = FromFeed(p.feed, poaDate); err != nil {
			poaErr = err
			return
		}
		p.walker = NewWalker(p.walk, p.tt.Stops, poaSnapMax)
		p.tt.Transfers = p.walker.Transfers(poaTransferM/p.speedMps, DefaultDetour)
		rows, err := readCSV(hex)
		if err != nil {
			poaErr = err
			return
		}
		for _, r := range rows[1:] { // id,lon,lat,...
			lon, _ := strconv.ParseFloat(r[1], 64)
			lat, _ := strconv.ParseFloat(r[2], 64)
			p.origins = append(p.origins, orb.Point{lon, lat})
		}
		if rows, err = readCSV(poi); err != nil {
			poaErr = err
			return
		}
		for _, r := range rows[1:] { // id,lat,lon
			lat, _ := strconv.ParseFloat(r[1], 64)
			lon, _ := strconv.ParseFloat(r[2], 64)
			p.dests = append(p.dests, orb.Point{lon, lat})
			p.destIDs = append(p.destIDs, r[0])
		}
		p.access = p.walker.Stops(p.origins, poaMaxWalk)
		p.egress = p.walker.Stops(p.dests, poaMaxWalk)
		p.direct = p.walker.Direct(p.origins, p.dests, float64(p.opt.MaxTripSeconds))
		if p.router, err = NewRouter(p.tt, p.opt); err != nil {
			poaErr = err
			return
		}
		if p.eg, err = p.router.NewEgress(p.egress); err != nil {
			poaErr = err
			return
		}
		poa = p
	})
	if poaErr != nil {
		tb.Fatal(poaErr)
	}
	return poa
}

func readCSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return csv.NewReader(f).ReadAll()
}

// rawStopTimes reads stop_times.txt of a zip with encoding/csv, apart from
// the gtfs package: trip id -> rows of (stop_id, arrival, departure text).
func rawStopTimes(tb testing.TB, path string) map[string][][3]string {
	tb.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer z.Close()
	f, err := z.Open("stop_times.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		tb.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	out := map[string][][3]string{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		id := rec[col["trip_id"]]
		out[id] = append(out[id], [3]string{rec[col["stop_id"]], rec[col["arrival_time"]], rec[col["departure_time"]]})
	}
	return out
}

func clock(tb testing.TB, s string) Time {
	t, err := gtfs.ParseTime(s)
	if err != nil {
		tb.Fatal(err)
	}
	return Time(t)
}

// TestPOAByHand routes along real trips read straight from stop_times.txt:
// from a trip's first stop, leaving one boarding slack before its
// departure, to a later stop with a printed time, with no transfer allowed.
// The answer must be the scheduled ride, or an earlier arrival by another
// trip serving both stops that the raw rows also show.
func TestPOAByHand(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the Porto Alegre street network and feeds")
	}
	p := loadPOA(t)
	stopIndex := map[string]StopID{}
	for i, s := range p.tt.Stops {
		stopIndex[s.ID] = StopID(i)
	}
	services := p.feed.ServiceOn(poaDate)
	runsToday := map[string]bool{}
	for _, tr := range p.feed.Trips {
		runsToday[tr.ID] = services[tr.Service]
	}
	cases := []struct {
		name, feed, ns, trip string
		to                   int // row index of the later stop in the trip, -1 last
	}{
		{"Trensurb Mercado to Novo Hamburgo", "poa_trensurb.zip", "poa_trensurb:", "", -1},
		{"Trensurb three stations on", "poa_trensurb.zip", "poa_trensurb:", "", 3},
		{"EPTC bus first to last stop", "poa_eptc.zip", "poa_eptc:", "", -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := rawStopTimes(t, testdata.Shared(t, "porto-alegre/"+c.feed))
			// The longest trip running today that leaves its first stop
			// in the first hour of the window (ties: smallest id).
			ids := make([]string, 0, len(raw))
			for id := range raw {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			var rows [][3]string
			var tripID string
			for _, id := range ids {
				r := raw[id]
				if !runsToday[c.ns+id] || r[0][2] == "" || len(r) <= len(rows) {
					continue
				}
				if d := clock(t, r[0][2]); d >= poaFrom && d < poaFrom+3600 {
					rows, tripID = r, id
				}
			}
			if rows == nil {
				t.Fatalf("no trip leaves between %v and %v", poaFrom, poaFrom+3600)
			}
			k := c.to
			if k < 0 {
				k = len(rows) - 1
			}
			if rows[k][1] == "" {
				t.Fatalf("trip %s row %d has no printed time", tripID, k)
			}
			from, to := rows[0][0], rows[k][0]
			dep, arr := clock(t, rows[0][2]), clock(t, rows[k][1])
			// Independent expectation: the earliest printed arrival at `to`
			// of any trip running today that leaves `from` (earlier in the
			// trip) at or after dep; blank times at either stop mean the
			// trip cannot be judged from the rows and must not be faster.
			best, unsure := arr, 0
			for id, r := range raw {
				if !runsToday[c.ns+id] {
					continue
				}
				for i := range r {
					if r[i][0] != from {
						continue
					}
					for j := i + 1; j < len(r); j++ {
						if r[j][0] != to {
							continue
						}
						if r[i][2] == "" || r[j][1] == "" {
							unsure++
							continue
						}
						if clock(t, r[i][2]) >= dep && clock(t, r[j][1]) < best {
							best = clock(t, r[j][1])
						}
					}
				}
			}
			opt := p.opt
			opt.MaxTransfers = 0
			r, err := NewRouter(p.tt, opt)
			if err != nil {
				t.Fatal(err)
			}
			eg, _ := r.NewEgress([][]StopWalk{{{stopIndex[c.ns+to], 0}}})
			leave := dep - Time(opt.BoardSlack)
			res, err := r.Range([]StopWalk{{stopIndex[c.ns+from], 0}}, leave, leave+1, 60, eg, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := res.Times[0][0]
			t.Logf("trip %s: %s %v -> %s %v scheduled %d s; RAPTOR %d s (%d unjudged trips)", tripID, from, dep, to, arr, arr-leave, got, unsure)
			if unsure == 0 && got != int32(best-leave) {
				t.Errorf("travel time %d s, want %d s (earliest printed arrival %v)", got, best-leave, best)
			}
			if got > int32(arr-leave) {
				t.Errorf("travel time %d s is slower than the trip itself, %d s", got, arr-leave)
			}
		})
	}
}

// TestPOAWindow runs every fourth hexagon to the 15 points over 13:00-15:00
// and checks each (origin, destination, departure) against bounds that need
// no router.
//
// The 80 km/h bound: the EPTC feed prints times only at each trip's first
// and last stop, and the stops between are interpolated evenly by stop
// order, which makes some hops imply up to ~640 km/h in a straight line.
// So the bound is checked on the trips whose own times never imply more
// than 80 km/h between consecutive stops (the straight line over several
// hops is no faster than the fastest hop). On that timetable:
//
//   - No journey beats min over the origin's access stops a and the
//     destination's egress stops e of access(a) + board slack +
//     distance(a, e)/(80 km/h) + egress(e), or else the direct walk.
//     Transfer walks (4.8 km/h along streets) are slower than 80 km/h too.
//   - Where that bound is no better than the direct walk, transit cannot
//     help, and the answer must be exactly the walk (or unreachable past
//     two hours).
//
// On the full timetable: no answer is slower than the walk, none is slower
// than on the filtered timetable (more trips can only help), and transit
// beats walking for most pairs.
func TestPOAWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the Porto Alegre street network and feeds")
	}
	p := loadPOA(t)
	t.Logf("%v: %d scheduled, %d frequency, %d previous-day trips; %d patterns; %d stops, %d unsnapped",
		p.day.Date, p.day.Scheduled, p.day.Frequency, p.day.PreviousDay, p.router.Patterns(), len(p.tt.Stops), p.walker.Unsnapped)
	vmax := poaTopSpeedKmh / 3.6
	slow := &Timetable{Stops: p.tt.Stops, Transfers: p.tt.Transfers}
	for _, tr := range p.tt.Trips {
		ok := true
		for i := 1; i < len(tr.Stops) && ok; i++ {
			d := geo.Distance(p.tt.Stops[tr.Stops[i-1]].Point, p.tt.Stops[tr.Stops[i]].Point)
			ok = d <= vmax*float64(tr.Arrivals[i]-tr.Departures[i-1])
		}
		if ok {
			slow.Trips = append(slow.Trips, tr)
		}
	}
	t.Logf("%d of %d trips never exceed %.0f km/h between stops", len(slow.Trips), len(p.tt.Trips), poaTopSpeedKmh)
	if len(slow.Trips) < len(p.tt.Trips)/2 {
		t.Fatalf("only %d trips kept for the speed check", len(slow.Trips))
	}
	slowRouter, err := NewRouter(slow, p.opt)
	if err != nil {
		t.Fatal(err)
	}
	slowEg, err := slowRouter.NewEgress(p.egress)
	if err != nil {
		t.Fatal(err)
	}
	var origins []int
	for i := 0; i < len(p.origins); i += 4 {
		origins = append(origins, i)
	}
	access := make([][]StopWalk, len(origins))
	direct := make([][]float64, len(origins))
	for k, i := range origins {
		access[k], direct[k] = p.access[i], p.direct[i]
	}
	full := make([]*Result, len(origins))
	filtered := make([]*Result, len(origins))
	if err := p.router.RangeEach(context.Background(), access, poaFrom, poaTo, 60, p.eg, DenseDirect(direct), func(k int, res *Result) { full[k] = res }); err != nil {
		t.Fatal(err)
	}
	if err := slowRouter.RangeEach(context.Background(), access, poaFrom, poaTo, 60, slowEg, DenseDirect(direct), func(k int, res *Result) { filtered[k] = res }); err != nil {
		t.Fatal(err)
	}
	helped, walkOnly, checked, pairs := 0, 0, 0, 0
	for k, i := range origins {
		if len(full[k].Times[0]) != 120 {
			t.Fatalf("origin %d: %d departures, want 120", i, len(full[k].Times[0]))
		}
		for j := range p.dests {
			pairs++
			bound := math.Inf(1)
			for _, a := range p.access[i] {
				for _, e := range p.egress[j] {
					d := geo.Distance(p.tt.Stops[a.Stop].Point, p.tt.Stops[e.Stop].Point)
					bound = min(bound, math.Ceil(a.Seconds)+float64(p.opt.BoardSlack)+d/vmax+math.Ceil(e.Seconds))
				}
			}
			walk := p.direct[i][j]
			wantWalk := Unreachable
			if walk <= float64(p.opt.MaxTripSeconds) {
				wantWalk = int32(math.Ceil(walk))
			}
			transitHelps := false
			for m := range full[k].Times[j] {
				got, gotSlow := full[k].Times[j][m], filtered[k].Times[j][m]
				checked++
				if got > wantWalk {
					t.Fatalf("origin %d -> %s at %v: %d s, slower than walking %d s", i, p.destIDs[j], poaFrom+Time(60*m), got, wantWalk)
				}
				if got > gotSlow {
					t.Fatalf("origin %d -> %s at %v: %d s with every trip, %d s with fewer", i, p.destIDs[j], poaFrom+Time(60*m), got, gotSlow)
				}
				if gotSlow != Unreachable && float64(gotSlow) < min(bound, walk)-1e-9 {
					t.Fatalf("origin %d -> %s at %v: %d s, faster than the %.0f s bound", i, p.destIDs[j], poaFrom+Time(60*m), gotSlow, bound)
				}
				if bound >= walk && gotSlow != wantWalk {
					t.Fatalf("origin %d -> %s: transit cannot beat the %.0f s walk (bound %.0f s) yet got %d s", i, p.destIDs[j], walk, bound, gotSlow)
				}
				transitHelps = transitHelps || got < wantWalk
			}
			if transitHelps {
				helped++
			}
			if bound >= walk {
				walkOnly++
			}
		}
	}
	t.Logf("%d travel times checked; transit beats walking at some minute for %d of %d pairs; %d pairs provably walk-only", checked, helped, pairs, walkOnly)
	if helped < pairs/2 {
		t.Errorf("transit helps only %d of %d pairs: the timetable or access looks broken", helped, pairs)
	}
	if walkOnly == 0 {
		t.Error("no provably walk-only pair: the walk check tested nothing")
	}
	var med []int32
	for _, res := range full {
		if m := res.Percentiles(0, 50)[0]; m != Unreachable {
			med = append(med, m)
		}
	}
	slices.Sort(med)
	t.Logf("%s: %d of %d hexagons reach it within 2 h at the median; median of medians %.1f min", p.destIDs[0], len(med), len(full), float64(med[len(med)/2])/60)
}

// TestPOAWalks checks the walking legs: never shorter than the straight
// line at walking speed, never past their limits, and the same whether
// searched from the origin (Stops) or from the stop (Direct).
func TestPOAWalks(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the Porto Alegre street network and feeds")
	}
	p := loadPOA(t)
	v := p.speedMps
	nAccess, nTransfers := 0, 0
	for i, walks := range p.access {
		for _, w := range walks {
			nAccess++
			if d := geo.Distance(p.origins[i], p.tt.Stops[w.Stop].Point); w.Seconds < d/v-1e-6 || w.Seconds > poaMaxWalk {
				t.Fatalf("origin %d to stop %s: %.1f s for %.0f m", i, p.tt.Stops[w.Stop].ID, w.Seconds, d)
			}
		}
	}
	for s, xs := range p.tt.Transfers {
		for _, x := range xs {
			nTransfers++
			if d := geo.Distance(p.tt.Stops[s].Point, p.tt.Stops[x.To].Point); float64(x.Seconds) < d/v-1e-6 || float64(x.Seconds) > poaTransferM/v+1 {
				t.Fatalf("transfer %s to %s: %d s for %.0f m", p.tt.Stops[s].ID, p.tt.Stops[x.To].ID, x.Seconds, d)
			}
		}
	}
	for i := range p.origins {
		for j := range p.dests {
			if d := geo.Distance(p.origins[i], p.dests[j]); p.direct[i][j] < d/v-1e-6 {
				t.Fatalf("origin %d to %s: walk %.1f s for %.0f m", i, p.destIDs[j], p.direct[i][j], d)
			}
		}
	}
	t.Logf("%d access walks, %d transfers", nAccess, nTransfers)
	if nAccess < len(p.origins) || nTransfers < len(p.tt.Stops) {
		t.Fatalf("too few walks: %d access, %d transfers", nAccess, nTransfers)
	}
	for i := 0; i < len(p.origins); i += 97 {
		var pts []orb.Point
		for _, w := range p.access[i] {
			pts = append(pts, p.tt.Stops[w.Stop].Point)
		}
		back := p.walker.Direct(p.origins[i:i+1], pts, poaMaxWalk)
		for k, w := range p.access[i] {
			if math.Abs(back[0][k]-w.Seconds) > 1e-6 {
				t.Errorf("origin %d, stop %s: %.3f s from the origin, %.3f s from the stop", i, p.tt.Stops[w.Stop].ID, w.Seconds, back[0][k])
			}
		}
	}
}
