// Package gtfs reads GTFS public transport feeds (zip or folder) into compact
// in-memory tables indexed by int32, so a router can build its timetable
// without maps or strings, and summarises how much service a feed runs.
package gtfs

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"commonground/internal/problem"
)

// Time is seconds after midnight of the service day (strictly: noon minus 12
// hours). It may be >= 86400 because trips running past midnight keep the
// previous day's service date, as GTFS writes "25:10:00".
type Time int32

// ErrTime is returned by ParseTime for text that is not H:MM:SS.
var ErrTime = errors.New("gtfs: time is not H:MM:SS")

// ParseTime parses "H:MM:SS" or "HH:MM:SS" (hours may exceed 23); spaces
// around the value are ignored because real feeds write " 7:05:00".
func ParseTime(s string) (Time, error) {
	t, ok := parseTime(strings.TrimSpace(s))
	if !ok {
		return 0, fmt.Errorf("%q: %w", s, ErrTime)
	}
	return t, nil
}

// parseTime is the allocation-free core of ParseTime on trimmed text.
func parseTime[S ~string | ~[]byte](s S) (Time, bool) {
	// hours: 1 to 3 digits, then ":MM:SS".
	n := len(s)
	if n < 7 || n > 9 || s[n-3] != ':' || s[n-6] != ':' {
		return 0, false
	}
	h := 0
	for i := 0; i < n-6; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		h = h*10 + int(c-'0')
	}
	m, ok1 := two(s[n-5], s[n-4])
	sec, ok2 := two(s[n-2], s[n-1])
	if !ok1 || !ok2 || m > 59 || sec > 59 {
		return 0, false
	}
	return Time(h*3600 + m*60 + sec), true
}

func two(a, b byte) (int, bool) {
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0, false
	}
	return int(a-'0')*10 + int(b-'0'), true
}

// String writes the time as GTFS does, HH:MM:SS, hours past 23 kept.
func (t Time) String() string {
	neg := ""
	if t < 0 {
		neg, t = "-", -t
	}
	return fmt.Sprintf("%s%02d:%02d:%02d", neg, t/3600, t/60%60, t%60)
}

// Date is a civil service date. It is not a time.Time so that no time zone
// or clock time can sneak into comparisons of service days.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses the GTFS form YYYYMMDD, and also YYYY-MM-DD as people type
// it on the command line.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	layout := "20060102"
	if strings.Contains(s, "-") {
		layout = "2006-01-02"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYYMMDD or YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Time returns midnight UTC of the date, for arithmetic.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays returns the date n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.key() < e.key() }

// IsZero reports whether d is the zero Date (no date).
func (d Date) IsZero() bool { return d == Date{} }

func (d Date) key() int { return d.Year*10000 + int(d.Month)*100 + d.Day }

// String writes the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Agency is one row of agency.txt.
type Agency struct {
	ID, Name, Timezone string
}

// Stop is one row of stops.txt: a stop, station, entrance or node.
type Stop struct {
	ID, Code, Name     string
	Lat, Lon           float64
	LocationType       int   // 0 stop or platform, 1 station, 2 entrance, 3 node, 4 boarding area
	Parent             int32 // index into Feed.Stops of parent_station, -1 none
	WheelchairBoarding int
}

// Route is one row of routes.txt.
type Route struct {
	ID, AgencyID, ShortName, LongName string
	Type                              int // route_type: 0 tram, 1 metro, 2 rail, 3 bus, ...
}

// Trip is one row of trips.txt that has usable stop times. Trips whose stop
// times were unusable are left out (with a problem), so every Trip has at
// least two stop times.
type Trip struct {
	ID          string
	Route       int32 // index into Feed.Routes
	Service     int32 // index into Feed.Services
	Headsign    string
	Direction   int
	First, Last int32 // StopTimes[First:Last] are this trip's stop times
	// Block is block_id: consecutive trips of one block are run by the
	// same vehicle, so a rider may stay seated from one to the next.
	Block string
}

// StopTime is one row of stop_times.txt, after interpolation.
type StopTime struct {
	Stop               int32 // index into Feed.Stops
	Arrival, Departure Time
	Seq                int32 // stop_sequence
	Timepoint          bool  // false when the times were interpolated
	// NoPickup and NoDropOff are pickup_type=1 and drop_off_type=1: no one
	// may board, or alight, here. Types 2 and 3 (phone the agency, ask the
	// driver) still allow it.
	NoPickup, NoDropOff bool
}

// Transfer is one row of transfers.txt: a rule for changing vehicles from
// one stop (and route, and trip) to another.
type Transfer struct {
	From, To           int32 // index into Feed.Stops
	FromRoute, ToRoute int32 // index into Feed.Routes, -1 for any route
	FromTrip, ToTrip   int32 // index into Feed.Trips, -1 for any trip
	// Type is transfer_type: 0 recommended, 1 timed (the departing vehicle
	// waits for the arriving one), 2 needs MinSeconds, 3 not possible.
	Type       int
	MinSeconds int32 // min_transfer_time, for Type 2
}

// Part is one of the feeds combined by ReadAll, with its service range.
type Part struct {
	Name, Source string
	First, Last  Date // the dates any of its services run
	Runs         bool // false when none of its services ever runs
	services     [2]int32
}

// RunsOn reports whether any service of the part runs on d.
func (p Part) RunsOn(f *Feed, d Date) bool {
	for i := p.services[0]; i < p.services[1]; i++ {
		if f.Services[i].Runs(d) {
			return true
		}
	}
	return false
}

// Service is one service_id, merged from calendar.txt and calendar_dates.txt.
type Service struct {
	ID             string
	Days           [7]bool // Monday first
	Start, End     Date    // zero when the service is only in calendar_dates.txt
	Added, Removed []Date  // sorted
}

// Frequency is one row of frequencies.txt: the trip's stop times are a
// template repeated every Headway seconds from Start until before End.
type Frequency struct {
	Trip       int32 // index into Feed.Trips
	Start, End Time
	Headway    int32 // seconds
	ExactTimes bool
}

// Feed is a whole GTFS feed, or several combined, with ids turned into
// indexes. Problems holds what was repaired or skipped while reading.
type Feed struct {
	Source      string // path of the zip or folder; several joined by ", "
	Agencies    []Agency
	Stops       []Stop
	Routes      []Route
	Trips       []Trip
	StopTimes   []StopTime
	Services    []Service
	Frequencies []Frequency
	Transfers   []Transfer
	Problems    problem.List
	// Parts lists the feeds ReadAll combined, in order; one for Read.
	Parts []Part

	// Rows counts the data rows read per file name (e.g. "stop_times.txt"),
	// kept or not, so a summary can say how much was dropped. Combined
	// feeds also count per feed ("poa_trensurb/stop_times.txt").
	Rows map[string]int

	omitted map[groupKey]int // problems counted but not listed row by row
}

// ProblemGroup is the problems of one kind in one file, for a summary a
// person can read: how many, and the first few rows to look at.
type ProblemGroup struct {
	Severity      problem.Severity
	File, Message string
	Count         int               // every occurrence, listed or not
	Examples      []problem.Problem // the first few, by line
}

// ProblemGroups summarises Problems by severity, file and message, largest
// group first, with up to n example rows each. Counts include problems that
// were only counted because too many of one kind were found.
func (f *Feed) ProblemGroups(n int) []ProblemGroup {
	idx := map[groupKey]int{}
	var out []ProblemGroup
	for _, p := range f.Problems.Items() {
		k := groupKey{p.Severity, p.File, p.Message}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, ProblemGroup{Severity: p.Severity, File: p.File, Message: p.Message, Count: f.omitted[k]})
		}
		g := &out[i]
		g.Count++
		if len(g.Examples) < n {
			g.Examples = append(g.Examples, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Message < out[j].Message
	})
	return out
}

// weekdayIndex maps time.Weekday (Sunday 0) to Service.Days (Monday 0).
func weekdayIndex(w time.Weekday) int { return (int(w) + 6) % 7 }

// Runs reports whether the service runs on date d: its calendar's day of the
// week within [Start, End], plus dates added, minus dates removed.
func (s *Service) Runs(d Date) bool {
	for _, r := range s.Removed {
		if r == d {
			return false
		}
	}
	for _, a := range s.Added {
		if a == d {
			return true
		}
	}
	if s.Start.IsZero() || d.Before(s.Start) || s.End.Before(d) {
		return false
	}
	return s.Days[weekdayIndex(d.Weekday())]
}

// ServiceOn returns, per Service index, whether it runs on date d.
func (f *Feed) ServiceOn(d Date) []bool {
	out := make([]bool, len(f.Services))
	for i := range f.Services {
		out[i] = f.Services[i].Runs(d)
	}
	return out
}

// DateRange returns the first and last dates on which any service runs; ok
// is false when no service ever runs.
func (f *Feed) DateRange() (first, last Date, ok bool) {
	for i := range f.Services {
		s := &f.Services[i]
		lo, hi, any := s.activeRange()
		if !any {
			continue
		}
		if !ok || lo.Before(first) {
			first = lo
		}
		if !ok || last.Before(hi) {
			last = hi
		}
		ok = true
	}
	return first, last, ok
}

// activeRange returns the first and last day the service runs.
func (s *Service) activeRange() (first, last Date, ok bool) {
	consider := func(d Date) {
		if !ok || d.Before(first) {
			first = d
		}
		if !ok || last.Before(d) {
			last = d
		}
		ok = true
	}
	for _, a := range s.Added {
		if s.Runs(a) {
			consider(a)
		}
	}
	weekly := false
	for _, on := range s.Days {
		weekly = weekly || on
	}
	if weekly && !s.Start.IsZero() && !s.End.Before(s.Start) {
		// The first and last calendar days that actually run.
		for d := s.Start; !s.End.Before(d); d = d.AddDays(1) {
			if s.Runs(d) {
				consider(d)
				break
			}
		}
		for d := s.End; !d.Before(s.Start); d = d.AddDays(-1) {
			if s.Runs(d) {
				consider(d)
				break
			}
		}
	}
	return first, last, ok
}

// StopTimesOf returns the trip's stop times.
func (f *Feed) StopTimesOf(trip int32) []StopTime {
	t := &f.Trips[trip]
	return f.StopTimes[t.First:t.Last]
}

// Options tunes Read. The zero value is the documented default.
type Options struct {
	// Namespace, when set, prefixes every id ("poa_trensurb:" + id) so feeds
	// combined by ReadAll never collide. ReadAll sets it from the file name.
	Namespace string
	// MaxBadShare is the largest share of stop_times rows that may reference
	// unknown trips or stops, or have unreadable times, before the feed is
	// refused as unusable rather than read with those rows skipped.
	// Zero means 0.05 (5%).
	MaxBadShare float64
}

func (o Options) maxBad() float64 {
	if o.MaxBadShare <= 0 {
		return 0.05
	}
	return o.MaxBadShare
}

// group writes n with thousands separators, 1,853,359, for messages.
func group(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// itoa avoids fmt in hot paths.
func itoa(n int) string { return strconv.Itoa(n) }

// RouteTypeName names a route_type for people: the basic GTFS types and the
// extended (European HVT) ranges some feeds use.
func RouteTypeName(t int) string {
	basic := map[int]string{0: "tram", 1: "metro", 2: "rail", 3: "bus", 4: "ferry", 5: "cable tram",
		6: "aerial lift", 7: "funicular", 11: "trolleybus", 12: "monorail"}
	if n, ok := basic[t]; ok {
		return n
	}
	ranges := []struct {
		lo   int
		name string
	}{{100, "rail"}, {200, "coach"}, {400, "urban rail"}, {700, "bus"}, {800, "trolleybus"}, {900, "tram"},
		{1000, "ferry"}, {1100, "air"}, {1200, "ferry"}, {1300, "aerial lift"}, {1400, "funicular"}, {1500, "taxi"}, {1700, "other"}}
	for i := len(ranges) - 1; i >= 0; i-- {
		if t >= ranges[i].lo && t < ranges[i].lo+100 {
			return ranges[i].name
		}
	}
	return "type " + itoa(t)
}

// WithTrips returns a copy of f holding only the trips with keep set (keep
// is indexed by trip), with their stop times and frequencies, and the
// transfers that name none of the others; stops, routes and services are
// shared with f and keep their indexes. Problems and row counts are f's.
func (f *Feed) WithTrips(keep []bool) *Feed {
	g := *f
	g.Trips, g.StopTimes, g.Frequencies, g.Transfers = nil, nil, nil, nil
	newIdx := make([]int32, len(f.Trips))
	n, m := 0, 0
	for ti := range f.Trips {
		if keep[ti] {
			n++
			m += int(f.Trips[ti].Last - f.Trips[ti].First)
		}
	}
	g.Trips = make([]Trip, 0, n)
	g.StopTimes = make([]StopTime, 0, m)
	for ti, t := range f.Trips {
		newIdx[ti] = -1
		if !keep[ti] {
			continue
		}
		newIdx[ti] = int32(len(g.Trips))
		first := int32(len(g.StopTimes))
		g.StopTimes = append(g.StopTimes, f.StopTimesOf(int32(ti))...)
		t.First, t.Last = first, int32(len(g.StopTimes))
		g.Trips = append(g.Trips, t)
	}
	for _, fr := range f.Frequencies {
		if k := newIdx[fr.Trip]; k >= 0 {
			fr.Trip = k
			g.Frequencies = append(g.Frequencies, fr)
		}
	}
	for _, x := range f.Transfers {
		if (x.FromTrip >= 0 && newIdx[x.FromTrip] < 0) || (x.ToTrip >= 0 && newIdx[x.ToTrip] < 0) {
			continue
		}
		if x.FromTrip >= 0 {
			x.FromTrip = newIdx[x.FromTrip]
		}
		if x.ToTrip >= 0 {
			x.ToTrip = newIdx[x.ToTrip]
		}
		g.Transfers = append(g.Transfers, x)
	}
	return &g
}
