package transit

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
	"commonground/internal/gtfs"
)

// Day counts what FromFeed put into a day's timetable, for run reports.
type Day struct {
	Date        gtfs.Date
	Scheduled   int // trips of the day's services read from stop_times
	Frequency   int // trips made by expanding frequencies.txt
	PreviousDay int // trips of the previous service day still running after midnight
	NextDay     int // trips of the next service day (windows past midnight)
	Joined      int // runs joined to the one before in their block_id
}

// FeedOptions tune FromFeedWith. The zero value is FromFeed's behaviour.
type FeedOptions struct {
	// NextDayUntil, when positive, also takes the trips of the service day
	// after d that leave their first stop before this time of d (so a
	// window up to 47:59 sees them), moved 24 hours later. The GTFS
	// reference counts times from noon minus 12 h of each service day, so
	// 00:30 on d+1 is the next day's trip at 00:30:00, not d's at 24:30:00.
	NextDayUntil Time
	// Random draws start offsets for frequency-based trips without exact
	// times (exact_times=0): one uniform offset in [0, headway) per
	// frequencies.txt row, from a generator seeded by Seed and Draw, so
	// every draw is reproducible. Without it those trips start at
	// start_time, as trips with exact_times=1 always do.
	Random bool
	Seed   int64
	Draw   int
}

// FromFeed builds the timetable of service date d; see FromFeedWith.
func FromFeed(f *gtfs.Feed, d gtfs.Date) (*Timetable, Day, error) {
	return FromFeedWith(f, d, FeedOptions{})
}

// FromFeedWith builds the timetable of service date d. Stop i of the
// timetable is f.Stops[i]. It takes:
//
//   - every trip whose service runs on d, at its own times;
//   - every trip whose service runs on the day before d and that is still
//     running after midnight (GTFS writes such times as 24:30:00 and more),
//     moved 24 hours earlier so that a trip at 24:30:00 yesterday can be
//     caught at 00:30 today; its stops before midnight get negative times;
//   - with o.NextDayUntil, the next service day's trips, moved 24 h later;
//   - frequency-based trips (frequencies.txt) expanded into one scheduled
//     trip per headway: departures at start_time (plus a random offset
//     when o.Random and exact_times=0), then every headway while before
//     end_time, each keeping the template trip's time offsets.
//
// Stations, entrances, generic nodes and boarding areas (location_type
// other than 0) are marked as not boarding stops. Consecutive trips of one
// block_id are joined into one trip, so a rider stays seated from one to
// the next without a new boarding (R5 does the same with its interlining);
// pickup_type and drop_off_type 1 forbid boarding and alighting; the rules
// of transfers.txt become Timetable.Rules.
//
// The error wraps ErrNoTrips when nothing runs on d, naming the feed's
// service range.
func FromFeedWith(f *gtfs.Feed, d gtfs.Date, o FeedOptions) (*Timetable, Day, error) {
	day := Day{Date: d}
	tt := &Timetable{Stops: make([]Stop, len(f.Stops))}
	for i, s := range f.Stops {
		tt.Stops[i] = Stop{ID: s.ID, Name: s.Name, Point: orb.Point{s.Lon, s.Lat}, Station: s.LocationType != 0}
	}
	days := []struct {
		runs   []bool
		shift  Time
		suffix string
	}{
		{f.ServiceOn(d), 0, ""},
		{f.ServiceOn(d.AddDays(-1)), -86400, " (previous day)"},
	}
	if o.NextDayUntil > 0 {
		days = append(days, struct {
			runs   []bool
			shift  Time
			suffix string
		}{f.ServiceOn(d.AddDays(1)), 86400, " (next day)"})
	}

	freqs := make(map[int32][]int, len(f.Frequencies))
	for k, fr := range f.Frequencies {
		freqs[fr.Trip] = append(freqs[fr.Trip], k)
	}
	// One offset per frequencies.txt row, drawn in file order so a draw
	// does not depend on the date.
	offsets := make([]Time, len(f.Frequencies))
	if o.Random {
		rng := rand.New(rand.NewPCG(uint64(o.Seed), uint64(o.Draw)))
		for k, fr := range f.Frequencies {
			if !fr.ExactTimes && fr.Headway > 0 {
				offsets[k] = Time(rng.IntN(int(fr.Headway)))
			}
		}
	}

	type run struct {
		trip  Trip
		block string
		day   int
	}
	var runs []run
	for ti := range f.Trips {
		t := &f.Trips[ti]
		st := f.StopTimesOf(int32(ti))
		if len(st) < 2 {
			continue
		}
		route := ""
		if int(t.Route) >= 0 && int(t.Route) < len(f.Routes) {
			route = f.Routes[t.Route].ID
		}
		for di, dd := range days {
			if t.Service < 0 || int(t.Service) >= len(dd.runs) || !dd.runs[t.Service] {
				continue
			}
			add := func(id string, offset Time, exact bool) {
				last := Time(st[len(st)-1].Arrival) + offset
				if dd.shift < 0 && last < 86400 {
					return // ended before midnight: not running today
				}
				if dd.shift > 0 && Time(st[0].Departure)+offset+dd.shift >= o.NextDayUntil {
					return // leaves after the span asked for
				}
				tr := Trip{ID: id, Route: route, RouteIndex: t.Route, Stops: make([]StopID, len(st)), Arrivals: make([]Time, len(st)), Departures: make([]Time, len(st))}
				for i, x := range st {
					tr.Stops[i] = StopID(x.Stop)
					tr.Arrivals[i] = Time(x.Arrival) + offset + dd.shift
					tr.Departures[i] = Time(x.Departure) + offset + dd.shift
					if x.NoPickup {
						if tr.NoPickup == nil {
							tr.NoPickup = make([]bool, len(st))
						}
						tr.NoPickup[i] = true
					}
					if x.NoDropOff {
						if tr.NoDropOff == nil {
							tr.NoDropOff = make([]bool, len(st))
						}
						tr.NoDropOff[i] = true
					}
				}
				block := ""
				if exact {
					block = t.Block
				}
				runs = append(runs, run{tr, block, di})
				switch {
				case dd.shift < 0:
					day.PreviousDay++
				case dd.shift > 0:
					day.NextDay++
				case freqs[int32(ti)] != nil:
					day.Frequency++
				default:
					day.Scheduled++
				}
			}
			ks := freqs[int32(ti)]
			if len(ks) == 0 {
				add(t.ID+dd.suffix, 0, true)
				continue
			}
			first := Time(st[0].Departure)
			for _, k := range ks {
				fr := f.Frequencies[k]
				if fr.Headway <= 0 {
					continue
				}
				// Runs with drawn offsets have no fixed vehicle to follow,
				// so only exact-time runs continue along their block.
				exact := fr.ExactTimes || !o.Random
				for start := Time(fr.Start) + offsets[k]; start < Time(fr.End); start += Time(fr.Headway) {
					add(fmt.Sprintf("%s@%v%s", t.ID, start, dd.suffix), start-first, exact)
				}
			}
		}
	}
	// Join consecutive runs of each block on each service day.
	var blocks []string
	byBlock := map[string][]int{}
	for i, r := range runs {
		if r.block == "" {
			tt.Trips = append(tt.Trips, r.trip)
			continue
		}
		key := r.block + "\x00" + strconv.Itoa(r.day)
		if byBlock[key] == nil {
			blocks = append(blocks, key)
		}
		byBlock[key] = append(byBlock[key], i)
	}
	for _, key := range blocks {
		idx := byBlock[key]
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(runs[a].trip.Departures[0], runs[b].trip.Departures[0]) })
		cur := runs[idx[0]].trip
		for _, i := range idx[1:] {
			next := runs[i].trip
			if next.Departures[0] < cur.Arrivals[len(cur.Arrivals)-1] {
				// Overlapping runs: not one vehicle after all.
				tt.Trips = append(tt.Trips, cur)
				cur = next
				continue
			}
			cur = joinTrips(cur, next)
			day.Joined++
		}
		tt.Trips = append(tt.Trips, cur)
	}
	tt.Rules = rulesOf(f)
	if len(tt.Trips) == 0 {
		msg := "the feed has no service dates"
		if lo, hi, ok := f.DateRange(); ok {
			msg = fmt.Sprintf("the feed runs from %v to %v", lo, hi)
		}
		return nil, day, fmt.Errorf("timetable of %v from %s: %w; %s", d, f.Source, ErrNoTrips, msg)
	}
	return tt, day, nil
}

// joinTrips returns a followed by b, one vehicle: where b starts at a's last
// stop, that stop is kept once, arriving as a and leaving as b.
func joinTrips(a, b Trip) Trip {
	n := len(a.Stops)
	out := Trip{ID: a.ID + "+" + b.ID, Route: a.Route, RouteIndex: a.RouteIndex}
	out.Stops = slices.Clone(a.Stops)
	out.Arrivals = slices.Clone(a.Arrivals)
	out.Departures = slices.Clone(a.Departures)
	flags := func(x []bool, m int) []bool {
		if x == nil {
			return make([]bool, m)
		}
		return slices.Clone(x)
	}
	pick, drop := flags(a.NoPickup, n), flags(a.NoDropOff, n)
	bp, bd := flags(b.NoPickup, len(b.Stops)), flags(b.NoDropOff, len(b.Stops))
	from := 0
	if b.Stops[0] == a.Stops[n-1] {
		out.Departures[n-1] = b.Departures[0]
		pick[n-1] = bp[0]
		from = 1
	} else {
		out.Departures[n-1] = min(out.Departures[n-1], b.Departures[0])
	}
	out.Stops = append(out.Stops, b.Stops[from:]...)
	out.Arrivals = append(out.Arrivals, b.Arrivals[from:]...)
	out.Departures = append(out.Departures, b.Departures[from:]...)
	if from == 0 {
		out.Arrivals[n] = max(out.Arrivals[n], out.Departures[n-1])
	}
	out.NoPickup = append(pick, bp[from:]...)
	out.NoDropOff = append(drop, bd[from:]...)
	if !slices.Contains(out.NoPickup, true) {
		out.NoPickup = nil
	}
	if !slices.Contains(out.NoDropOff, true) {
		out.NoDropOff = nil
	}
	return out
}

// rulesOf turns transfers.txt into the router's rules. Rules naming trips
// apply to the trips' routes (the router knows which route a rider arrived
// on, not which trip). A rule naming a station applies to each of its
// platforms (GTFS reference, transfers.txt: from_stop_id may be a station).
func rulesOf(f *gtfs.Feed) []Rule {
	children := map[int32][]StopID{}
	for i, s := range f.Stops {
		if s.Parent >= 0 && s.LocationType == 0 {
			children[s.Parent] = append(children[s.Parent], StopID(i))
		}
	}
	stops := func(i int32) []StopID {
		if f.Stops[i].LocationType == 1 {
			return children[i]
		}
		return []StopID{StopID(i)}
	}
	var out []Rule
	for _, x := range f.Transfers {
		r := Rule{FromRoute: x.FromRoute, ToRoute: x.ToRoute, Type: x.Type, MinSeconds: x.MinSeconds}
		if x.FromTrip >= 0 {
			r.FromRoute = f.Trips[x.FromTrip].Route
		}
		if x.ToTrip >= 0 {
			r.ToRoute = f.Trips[x.ToTrip].Route
		}
		for _, a := range stops(x.From) {
			for _, b := range stops(x.To) {
				r.From, r.To = a, b
				out = append(out, r)
			}
		}
	}
	return out
}

// AddStationTransfers links the boarding stops (platforms) that share a
// parent_station in f with footpaths, timed as the straight line x detour at
// speed metres per second, where xs (indexed by stop) has none: a station's
// platforms are one place to change in, even when the street network does
// not reach inside the station.
func AddStationTransfers(xs [][]Transfer, f *gtfs.Feed, speed, detour float64) {
	byParent := map[int32][]int32{}
	for i, s := range f.Stops {
		if s.Parent >= 0 && s.LocationType == 0 {
			byParent[s.Parent] = append(byParent[s.Parent], int32(i))
		}
	}
	parents := make([]int32, 0, len(byParent))
	for p := range byParent {
		parents = append(parents, p)
	}
	slices.Sort(parents)
	for _, p := range parents {
		for _, a := range byParent[p] {
			for _, b := range byParent[p] {
				if a == b || slices.ContainsFunc(xs[a], func(t Transfer) bool { return t.To == StopID(b) }) {
					continue
				}
				sa, sb := f.Stops[a], f.Stops[b]
				d := geo.Distance(orb.Point{sa.Lon, sa.Lat}, orb.Point{sb.Lon, sb.Lat})
				xs[a] = append(xs[a], Transfer{To: StopID(b), Seconds: ceilSeconds(d * detour / speed)})
			}
		}
	}
}
