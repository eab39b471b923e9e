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
// # Rules of the feed
//
// A trip may forbid boarding or alighting at some of its stops (GTFS
// pickup_type or drop_off_type 1). Stations, entrances and nodes are not
// boarding stops: no walk leads to them. Rules (transfers.txt) change the
// wait when changing vehicles at a stop: a timed transfer (type 1) needs no
// boarding slack, a type 2 transfer needs min_transfer_time, and a type 3
// transfer is not possible. A rule may name the routes it applies to; the
// router keeps, per stop and round, the route of the vehicle that arrived
// earliest, and applies the most specific matching rule to it (GTFS ranks
// rules naming both routes above one naming one, above stop-only rules).
// Between two different stops, type 3 removes the footpath and type 2
// makes the whole change, walk and slack, take min_transfer_time.
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
	// Station is true for a station, entrance, node or boarding area
	// (GTFS location_type 1 to 4): riders do not walk to it to board.
	Station bool
}

// Trip is one vehicle run. Stops, Arrivals and Departures are parallel:
// the vehicle reaches Stops[i] at Arrivals[i] and leaves at Departures[i].
type Trip struct {
	ID         string // the feed's trip_id (with a suffix for expanded frequencies), for messages
	Route      string // the feed's route_id, for messages
	RouteIndex int32  // index of the route, for the rules of transfers; -1 none
	Stops      []StopID
	Arrivals   []Time
	Departures []Time
	// NoPickup[i] and NoDropOff[i] forbid boarding and alighting at stop
	// i; nil when the trip has no such restriction.
	NoPickup, NoDropOff []bool
}

// Rule is a rule of transfers.txt: changing from a vehicle of FromRoute
// at stop From to one of ToRoute at stop To (routes -1 for any).
type Rule struct {
	From, To           StopID
	FromRoute, ToRoute int32
	Type               int   // 0 recommended, 1 timed, 2 minimum time, 3 not possible
	MinSeconds         int32 // for type 2
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
	Rules     []Rule
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
	patRoute  []int32 // per pattern: its route index
	patFlags  []byte  // parallel to patStops: noPickup | noDropOff<<1
	// Same-stop rules in CSR form by stop; rules between two stops are
	// compiled into the footpaths.
	ruleFirst []int32
	rules     []Rule
	pairRules map[StopID][]Rule
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
		key   string
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
		for i, s := range t.Stops {
			key = append(key, byte(s), byte(s>>8), byte(s>>16), byte(s>>24), flagByte(t, i))
		}
		key = append(key, byte(t.RouteIndex), byte(t.RouteIndex>>8), byte(t.RouteIndex>>16), byte(t.RouteIndex>>24))
		g := byKey[string(key)]
		if g == nil {
			g = &group{stops: t.Stops, key: string(key)}
			byKey[string(key)] = g
			groups = append(groups, g)
		}
		g.trips = append(g.trips, int32(i))
	}
	if len(groups) == 0 {
		return nil, ErrNoTrips
	}
	slices.SortFunc(groups, func(a, b *group) int { return cmp.Or(slices.Compare(a.stops, b.stops), cmp.Compare(a.key, b.key)) })

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

	if err := r.compileRules(tt); err != nil {
		return nil, err
	}
	// Footpaths, quickest first (then by target, for determinism): a
	// round stops reading a stop's footpaths at the first past its cutoff.
	r.xferFirst = make([]int32, ns+1)
	for s := 0; s < ns; s++ {
		r.xferFirst[s] = int32(len(r.xferTo))
		var xs []Transfer
		if tt.Transfers != nil {
			xs = slices.Clone(tt.Transfers[s])
		}
		xs = r.applyPairRules(StopID(s), xs)
		slices.SortFunc(xs, func(a, b Transfer) int { return cmp.Or(cmp.Compare(a.Seconds, b.Seconds), cmp.Compare(a.To, b.To)) })
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

// Flags of a pattern stop.
const (
	noPickup  = 1
	noDropOff = 2
)

func flagByte(t *Trip, i int) byte {
	var b byte
	if t.NoPickup != nil && t.NoPickup[i] {
		b |= noPickup
	}
	if t.NoDropOff != nil && t.NoDropOff[i] {
		b |= noDropOff
	}
	return b
}

// compileRules checks the rules and indexes those within one stop.
func (r *Router) compileRules(tt *Timetable) error {
	ns := len(tt.Stops)
	r.ruleFirst = make([]int32, ns+1)
	var same []Rule
	for _, x := range tt.Rules {
		if x.From < 0 || int(x.From) >= ns || x.To < 0 || int(x.To) >= ns {
			return fmt.Errorf("transit: transfer rule between stop indexes %d and %d, outside the %d stops", x.From, x.To, ns)
		}
		if x.From == x.To {
			same = append(same, x)
			r.ruleFirst[x.From+1]++
		}
	}
	for i := 1; i <= ns; i++ {
		r.ruleFirst[i] += r.ruleFirst[i-1]
	}
	r.rules = make([]Rule, len(same))
	next := slices.Clone(r.ruleFirst[:ns])
	for _, x := range same {
		r.rules[next[x.From]] = x
		next[x.From]++
	}
	// Rules between two stops, by origin stop.
	r.pairRules = map[StopID][]Rule{}
	for _, x := range tt.Rules {
		if x.From != x.To && x.FromRoute < 0 && x.ToRoute < 0 {
			r.pairRules[x.From] = append(r.pairRules[x.From], x)
		}
	}
	return nil
}

// applyPairRules changes the footpaths from stop s by the rules between two
// stops that name no route: type 3 removes the footpath; type 2 makes the
// change take min_transfer_time in all (the walk is min_transfer_time less
// the boarding slack, at least 0), adding the footpath when the street
// network gave none; types 0 and 1 add a footpath when there was none,
// timed as min_transfer_time (0 when not given).
func (r *Router) applyPairRules(s StopID, xs []Transfer) []Transfer {
	for _, x := range r.pairRules[s] {
		k := slices.IndexFunc(xs, func(t Transfer) bool { return t.To == x.To })
		switch x.Type {
		case 3:
			if k >= 0 {
				xs = slices.Delete(xs, k, k+1)
			}
		case 2:
			sec := max(0, x.MinSeconds-r.opt.BoardSlack)
			if k >= 0 {
				xs[k].Seconds = sec
			} else {
				xs = append(xs, Transfer{To: x.To, Seconds: sec})
			}
		default:
			if k < 0 {
				xs = append(xs, Transfer{To: x.To, Seconds: x.MinSeconds})
			}
		}
	}
	return xs
}

// changeWait is the least time between arriving at stop x on a vehicle of
// route from and boarding a vehicle of route to there: the boarding slack,
// unless a same-stop rule says otherwise; -1 when the change is forbidden.
func (r *Router) changeWait(x StopID, from, to int32) Time {
	best, spec := -1, -1
	for e := r.ruleFirst[x]; e < r.ruleFirst[x+1]; e++ {
		ru := &r.rules[e]
		if (ru.FromRoute >= 0 && ru.FromRoute != from) || (ru.ToRoute >= 0 && ru.ToRoute != to) {
			continue
		}
		sp := 0
		if ru.FromRoute >= 0 {
			sp++
		}
		if ru.ToRoute >= 0 {
			sp++
		}
		if sp > spec {
			best, spec = int(e), sp
		}
	}
	if best < 0 {
		return Time(r.opt.BoardSlack)
	}
	switch ru := &r.rules[best]; ru.Type {
	case 1:
		return 0
	case 2:
		return Time(ru.MinSeconds)
	case 3:
		return -1
	}
	return Time(r.opt.BoardSlack)
}

// checkTrip reports a trip whose times could not be ridden.
func checkTrip(t *Trip, nStops int) error {
	n := len(t.Stops)
	if len(t.Arrivals) != n || len(t.Departures) != n {
		return fmt.Errorf("transit: trip %s has %d stops, %d arrivals and %d departures", t.ID, n, len(t.Arrivals), len(t.Departures))
	}
	if (t.NoPickup != nil && len(t.NoPickup) != n) || (t.NoDropOff != nil && len(t.NoDropOff) != n) {
		return fmt.Errorf("transit: trip %s has %d stops but %d pickup and %d drop-off flags", t.ID, n, len(t.NoPickup), len(t.NoDropOff))
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
	t0 := &all[trips[0]]
	r.patRoute = append(r.patRoute, t0.RouteIndex)
	for i := range stops {
		r.patFlags = append(r.patFlags, flagByte(t0, i))
	}
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
