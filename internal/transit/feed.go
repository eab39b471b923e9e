package transit

import (
	"fmt"

	"github.com/paulmach/orb"

	"commonground/internal/gtfs"
)

// Day counts what FromFeed put into a day's timetable, for run reports.
type Day struct {
	Date        gtfs.Date
	Scheduled   int // trips of the day's services read from stop_times
	Frequency   int // trips made by expanding frequencies.txt
	PreviousDay int // trips of the previous service day still running after midnight
}

// FromFeed builds the timetable of service date d. Stop i of the timetable
// is f.Stops[i]. It takes:
//
//   - every trip whose service runs on d, at its own times;
//   - every trip whose service runs on the day before d and that is still
//     running after midnight (GTFS writes such times as 24:30:00 and more),
//     moved 24 hours earlier so that a trip at 24:30:00 yesterday can be
//     caught at 00:30 today; its stops before midnight get negative times;
//   - frequency-based trips (frequencies.txt) expanded into one scheduled
//     trip per headway: departures at start_time, start_time + headway, ...
//     while before end_time, each keeping the template trip's time offsets.
//
// Frequencies with exact_times=1 are exactly that schedule. With
// exact_times=0 the agency promises only the headway; this package still
// starts the first vehicle at start_time, where R5 draws random offsets
// (Monte Carlo) and reports a distribution over them. Over a departure window
// of every minute the waits still average half a headway, so medians agree
// closely, but a transfer between two frequency routes gets one fixed
// connection here (which may happen to be lucky or unlucky) instead of
// R5's average over offsets.
//
// The error wraps ErrNoTrips when nothing runs on d, naming the feed's
// service range.
func FromFeed(f *gtfs.Feed, d gtfs.Date) (*Timetable, Day, error) {
	day := Day{Date: d}
	tt := &Timetable{Stops: make([]Stop, len(f.Stops))}
	for i, s := range f.Stops {
		tt.Stops[i] = Stop{ID: s.ID, Name: s.Name, Point: orb.Point{s.Lon, s.Lat}}
	}
	today := f.ServiceOn(d)
	yesterday := f.ServiceOn(d.AddDays(-1))

	freqs := make(map[int32][]gtfs.Frequency)
	for _, fr := range f.Frequencies {
		freqs[fr.Trip] = append(freqs[fr.Trip], fr)
	}

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
		for _, prev := range []bool{false, true} {
			runs := today
			shift := Time(0)
			if prev {
				runs, shift = yesterday, -86400
			}
			if t.Service < 0 || int(t.Service) >= len(runs) || !runs[t.Service] {
				continue
			}
			add := func(id string, offset Time) {
				last := Time(st[len(st)-1].Arrival) + offset
				if prev && last < 86400 {
					return // ended before midnight: not running today
				}
				tr := Trip{ID: id, Route: route, Stops: make([]StopID, len(st)), Arrivals: make([]Time, len(st)), Departures: make([]Time, len(st))}
				for i, x := range st {
					tr.Stops[i] = StopID(x.Stop)
					tr.Arrivals[i] = Time(x.Arrival) + offset + shift
					tr.Departures[i] = Time(x.Departure) + offset + shift
				}
				tt.Trips = append(tt.Trips, tr)
				switch {
				case prev:
					day.PreviousDay++
				case offset != 0 || freqs[int32(ti)] != nil:
					day.Frequency++
				default:
					day.Scheduled++
				}
			}
			suffix := ""
			if prev {
				suffix = " (previous day)"
			}
			fs := freqs[int32(ti)]
			if len(fs) == 0 {
				add(t.ID+suffix, 0)
				continue
			}
			first := Time(st[0].Departure)
			for _, fr := range fs {
				if fr.Headway <= 0 {
					continue
				}
				for start := Time(fr.Start); start < Time(fr.End); start += Time(fr.Headway) {
					add(fmt.Sprintf("%s@%v%s", t.ID, start, suffix), start-first)
				}
			}
		}
	}
	if len(tt.Trips) == 0 {
		msg := "the feed has no service dates"
		if lo, hi, ok := f.DateRange(); ok {
			msg = fmt.Sprintf("the feed runs from %v to %v", lo, hi)
		}
		return nil, day, fmt.Errorf("timetable of %v from %s: %w; %s", d, f.Source, ErrNoTrips, msg)
	}
	return tt, day, nil
}
