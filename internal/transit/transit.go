// Package transit answers how long a trip on foot and by scheduled public
// transport takes, minute by minute over a departure window, with the
// Round-Based Public Transit Routing algorithm (RAPTOR) and its range variant
// (rRAPTOR) of Delling, Pajor and Werneck (2012), as R5 and r5r do.
//
// # Model
//
// A Timetable holds stops, trips (each with an arrival and a departure time
// at every stop it serves) and walking transfers between nearby stops. Times
// are seconds after midnight of the day being routed; FromFeed builds one day
// from a GTFS feed. NewRouter groups trips into patterns (trips that serve
// the same stop sequence) and splits a pattern wherever one trip would
// overtake another (an express leaving later but arriving earlier), so that
// within a pattern the trips keep their order at every stop and the earliest
// trip one can catch is found by binary search.
//
// A journey is: walk from the origin to a stop (access), ride, optionally
// walk a transfer and ride again (at most Options.MaxTransfers times), and
// walk from the last stop to the destination (egress). Walking transfers are
// not chained to each other or to the egress walk: every walk between rides
// is one footpath of the timetable. The walk straight from origin to
// destination, when the caller gives it, is always an option, so transit
// never makes a trip slower than walking.
//
// # Departure windows
//
// Range answers for every departure minute of a window, as R5 does. It runs
// the departures from the latest to the earliest and keeps the labels of one
// departure as upper bounds for the next (earlier) one, which only has to
// explore what it improves (rRAPTOR). Travel time counts from the departure
// minute at the origin, so the wait for the first vehicle is included, and
// the percentiles over the window (median, 25th, 75th...) are what planners
// read: the median trip of someone who leaves at a random minute.
//
// Pickup and drop-off restrictions (pickup_type, drop_off_type) are not
// modelled: a rider may board and alight at every stop of a trip.
package transit

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Time is seconds after midnight of the day being routed. It may be negative
// (a trip of the previous service day seen from today) or exceed 86400.
type Time int32

// String writes the time as HH:MM:SS, hours past 23 kept.
func (t Time) String() string {
	neg := ""
	if t < 0 {
		neg, t = "-", -t
	}
	return fmt.Sprintf("%s%02d:%02d:%02d", neg, t/3600, t/60%60, t%60)
}

// StopID indexes Timetable.Stops; typed so a stop index is never mixed up
// with a trip, pattern or target index.
type StopID int32

// Stop is a place where vehicles stop.
type Stop struct {
	ID    string // the feed's stop_id, for messages
	Name  string
	Point orb.Point // lon, lat
}

// Trip is one vehicle run. Stops, Arrivals and Departures are parallel:
// the vehicle reaches Stops[i] at Arrivals[i] and leaves at Departures[i].
type Trip struct {
	ID         string // the feed's trip_id (with a suffix for expanded frequencies), for messages
	Route      string // the feed's route_id, for messages
	Stops      []StopID
	Arrivals   []Time
	Departures []Time
}

// Transfer is a footpath from one stop to another.
type Transfer struct {
	To      StopID
	Seconds int32
}

// Timetable is one day of service. Transfers, when not nil, is indexed by
// stop: Transfers[s] lists the footpaths leaving stop s.
type Timetable struct {
	Stops     []Stop
	Trips     []Trip
	Transfers [][]Transfer
}

// Options bound the search. DefaultOptions gives R5's and r5r's choices.
type Options struct {
	// MaxTransfers is the most changes between vehicles: a journey boards
	// at most MaxTransfers+1 vehicles. 0 allows direct trips only.
	MaxTransfers int
	// MaxTripSeconds drops journeys longer than this from departure to
	// arrival at the destination; it also prunes the search. Must be > 0.
	MaxTripSeconds int32
	// BoardSlack is the least time between reaching a stop and boarding a
	// vehicle there, for every boarding (R5's MINIMUM_BOARD_WAIT_SEC, 60):
	// a margin for vehicles that run a little early or riders who are late.
	BoardSlack int32
}

// DefaultOptions returns r5r's defaults: max_rides 3 (two transfers), a
// 120-minute max_trip_duration, and R5's 60-second boarding slack.
func DefaultOptions() Options {
	return Options{MaxTransfers: 2, MaxTripSeconds: 7200, BoardSlack: 60}
}

// ErrNoTrips is returned by NewRouter for a timetable without any trip that
// serves two stops, usually a date outside the feed's service range.
var ErrNoTrips = errors.New("transit: no trips in the timetable (is the date within the feed's service range?)")

// Router answers journey queries on one timetable. It is read-only after
// NewRouter, so any number of goroutines may call Range at once.
type Router struct {
	opt   Options
	stops []Stop
	// Patterns: pattern p serves patStops[patFirst[p]:patFirst[p+1]] with
	// patTrips[p] trips whose times start at patTime[p]; trip t of p, stop
	// position i has its arrival at arr[patTime[p]+t*n+i] (n stops).
	patFirst []int32
	patStops []StopID
	patTrips []int32
	patTime  []int32
	arr, dep []Time
	tripIDs  []string // per pattern trip, in the same order as times
	patTrip0 []int32  // index into tripIDs of pattern p's first trip
	// Stop -> (pattern, position) for every position a stop has in a pattern.
	stopFirst []int32
	stopPat   []int32
	stopPos   []int32
	// Footpaths in CSR form.
	xferFirst []int32
	xferTo    []StopID
	xferSec   []int32
}

// NewRouter validates the timetable and compiles it into patterns. Errors
// name the trip or stop at fault.
func NewRouter(tt *Timetable, opt Options) (*Router, error) {
	if opt.MaxTransfers < 0 {
		return nil, fmt.Errorf("transit: MaxTransfers is %d, must be 0 or more", opt.MaxTransfers)
	}
	if opt.MaxTripSeconds <= 0 {
		return nil, fmt.Errorf("transit: MaxTripSeconds is %d, must be positive (DefaultOptions uses 7200)", opt.MaxTripSeconds)
	}
	if opt.BoardSlack < 0 {
		return nil, fmt.Errorf("transit: BoardSlack is %d, must be 0 or more", opt.BoardSlack)
	}
	ns := len(tt.Stops)
	if tt.Transfers != nil && len(tt.Transfers) != ns {
		return nil, fmt.Errorf("transit: Transfers has %d entries for %d stops", len(tt.Transfers), ns)
	}
	r := &Router{opt: opt, stops: tt.Stops}
	for i := range tt.Trips {
		if err := checkTrip(&tt.Trips[i], ns); err != nil {
			return nil, err
		}
	}

	// Group trips by stop sequence; sort groups by their sequence so pattern
	// numbering does not depend on trip order in the input.
	type group struct {
		stops []StopID
		trips []int32
	}
	var groups []*group
	byKey := map[string]*group{}
	key := make([]byte, 0, 256)
	for i := range tt.Trips {
		t := &tt.Trips[i]
		if len(t.Stops) < 2 {
			continue
		}
		key = key[:0]
		for _, s := range t.Stops {
			key = append(key, byte(s), byte(s>>8), byte(s>>16), byte(s>>24))
		}
		g := byKey[string(key)]
		if g == nil {
			g = &group{stops: t.Stops}
			byKey[string(key)] = g
			groups = append(groups, g)
		}
		g.trips = append(g.trips, int32(i))
	}
	if len(groups) == 0 {
		return nil, ErrNoTrips
	}
	slices.SortFunc(groups, func(a, b *group) int { return slices.Compare(a.stops, b.stops) })

	for _, g := range groups {
		trips := g.trips
		slices.SortStableFunc(trips, func(a, b int32) int { return compareTrips(&tt.Trips[a], &tt.Trips[b]) })
		// Split into FIFO sub-patterns greedily: a trip joins the first
		// sub-pattern whose last trip it does not overtake anywhere.
		var subs [][]int32
		for _, ti := range trips {
			placed := false
			for k := range subs {
				last := &tt.Trips[subs[k][len(subs[k])-1]]
				if !overtakes(&tt.Trips[ti], last) {
					subs[k] = append(subs[k], ti)
					placed = true
					break
				}
			}
			if !placed {
				subs = append(subs, []int32{ti})
			}
		}
		for _, sub := range subs {
			r.addPattern(g.stops, sub, tt.Trips)
		}
	}
	r.patFirst = append(r.patFirst, int32(len(r.patStops)))

	// Stop -> pattern positions.
	counts := make([]int32, ns+1)
	for _, s := range r.patStops {
		counts[s+1]++
	}
	for i := 1; i <= ns; i++ {
		counts[i] += counts[i-1]
	}
	r.stopFirst = slices.Clone(counts)
	r.stopPat = make([]int32, len(r.patStops))
	r.stopPos = make([]int32, len(r.patStops))
	for p := 0; p+1 < len(r.patFirst); p++ {
		for i := r.patFirst[p]; i < r.patFirst[p+1]; i++ {
			s := r.patStops[i]
			r.stopPat[counts[s]] = int32(p)
			r.stopPos[counts[s]] = i - r.patFirst[p]
			counts[s]++
		}
	}

	// Footpaths, sorted by target for determinism.
	r.xferFirst = make([]int32, ns+1)
	for s := 0; s < ns; s++ {
		r.xferFirst[s] = int32(len(r.xferTo))
		if tt.Transfers == nil {
			continue
		}
		xs := slices.Clone(tt.Transfers[s])
		slices.SortFunc(xs, func(a, b Transfer) int { return cmp.Or(cmp.Compare(a.To, b.To), cmp.Compare(a.Seconds, b.Seconds)) })
		for _, x := range xs {
			if x.To < 0 || int(x.To) >= ns {
				return nil, fmt.Errorf("transit: transfer from stop %s goes to stop index %d, outside the %d stops", tt.Stops[s].ID, x.To, ns)
			}
			if x.Seconds < 0 {
				return nil, fmt.Errorf("transit: transfer from stop %s to %s takes %d seconds", tt.Stops[s].ID, tt.Stops[x.To].ID, x.Seconds)
			}
			if int(x.To) == s {
				continue
			}
			r.xferTo = append(r.xferTo, x.To)
			r.xferSec = append(r.xferSec, x.Seconds)
		}
	}
	r.xferFirst[ns] = int32(len(r.xferTo))
	return r, nil
}

// checkTrip reports a trip whose times could not be ridden.
func checkTrip(t *Trip, nStops int) error {
	n := len(t.Stops)
	if len(t.Arrivals) != n || len(t.Departures) != n {
		return fmt.Errorf("transit: trip %s has %d stops, %d arrivals and %d departures", t.ID, n, len(t.Arrivals), len(t.Departures))
	}
	for i, s := range t.Stops {
		if s < 0 || int(s) >= nStops {
			return fmt.Errorf("transit: trip %s stop %d is stop index %d, outside the %d stops", t.ID, i+1, s, nStops)
		}
		if t.Departures[i] < t.Arrivals[i] {
			return fmt.Errorf("transit: trip %s leaves stop %d (index %d) at %v, before arriving at %v", t.ID, i+1, s, t.Departures[i], t.Arrivals[i])
		}
		if i > 0 && t.Arrivals[i] < t.Departures[i-1] {
			return fmt.Errorf("transit: trip %s arrives at stop %d (index %d) at %v, before leaving the previous stop at %v", t.ID, i+1, s, t.Arrivals[i], t.Departures[i-1])
		}
	}
	return nil
}

// compareTrips orders trips of one stop sequence by their times, first stop
// first, then trip id for ties.
func compareTrips(a, b *Trip) int {
	for i := range a.Departures {
		if c := cmp.Compare(a.Departures[i], b.Departures[i]); c != 0 {
			return c
		}
	}
	for i := range a.Arrivals {
		if c := cmp.Compare(a.Arrivals[i], b.Arrivals[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(a.ID, b.ID)
}

// overtakes reports whether trip a, placed after b in a pattern, would
// arrive or leave earlier than b at some stop.
func overtakes(a, b *Trip) bool {
	for i := range a.Arrivals {
		if a.Arrivals[i] < b.Arrivals[i] || a.Departures[i] < b.Departures[i] {
			return true
		}
	}
	return false
}

func (r *Router) addPattern(stops []StopID, trips []int32, all []Trip) {
	r.patFirst = append(r.patFirst, int32(len(r.patStops)))
	r.patStops = append(r.patStops, stops...)
	r.patTrips = append(r.patTrips, int32(len(trips)))
	r.patTime = append(r.patTime, int32(len(r.arr)))
	r.patTrip0 = append(r.patTrip0, int32(len(r.tripIDs)))
	for _, ti := range trips {
		t := &all[ti]
		r.arr = append(r.arr, t.Arrivals...)
		r.dep = append(r.dep, t.Departures...)
		r.tripIDs = append(r.tripIDs, t.ID)
	}
}

// Patterns returns how many patterns the timetable compiled into, for run
// reports (more patterns than distinct stop sequences means some trips
// overtake others).
func (r *Router) Patterns() int { return len(r.patTrips) }

// Stops returns the timetable's stops.
func (r *Router) Stops() []Stop { return r.stops }

// Options returns the options the router was built with.
func (r *Router) Options() Options { return r.opt }

// unreached is the label of a stop not reached yet.
const unreached = Time(math.MaxInt32)
