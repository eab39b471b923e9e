package gtfs

import (
	"fmt"
	"sort"
)

// Window is a span of the service day on some days of the week over which
// service is counted as trips per hour, e.g. the weekday morning peak.
type Window struct {
	Name       string
	Days       [7]bool // days of the week it covers, Monday first
	Start, End Time    // [Start, End) in the service day
}

// Hours is the window's length in hours.
func (w Window) Hours() float64 { return float64(w.End-w.Start) / 3600 }

var (
	weekdays = [7]bool{true, true, true, true, true}
	saturday = [7]bool{5: true}
	sunday   = [7]bool{6: true}
)

// DefaultWindows are the windows a planner asks about first: the weekday
// morning peak 07:00-09:00, the weekday evening 18:00-21:00 (can people get
// to an evening group?), and Saturday and Sunday daytime 09:00-18:00.
func DefaultWindows() []Window {
	return []Window{
		{"weekday peak", weekdays, 7 * 3600, 9 * 3600},
		{"weekday evening", weekdays, 18 * 3600, 21 * 3600},
		{"Saturday", saturday, 9 * 3600, 18 * 3600},
		{"Sunday", sunday, 9 * 3600, 18 * 3600},
	}
}

// Week picks the service dates a profile counts: one date per day of the
// week, Monday first. A zero Date leaves that day of the week out, so a
// window on those days has no figures.
type Week [7]Date

// WeekOf returns the Monday-to-Sunday week that contains d.
func WeekOf(d Date) Week {
	var w Week
	mon := d.AddDays(-weekdayIndex(d.Weekday()))
	for i := range w {
		w[i] = mon.AddDays(i)
	}
	return w
}

// OnDate returns a Week holding only d: a profile for that one date, in
// which only the windows on d's day of the week have figures.
func OnDate(d Date) Week {
	var w Week
	w[weekdayIndex(d.Weekday())] = d
	return w
}

// Dates returns the week's dates in order, leaving out zero ones.
func (w Week) Dates() []Date {
	var out []Date
	for _, d := range w {
		if !d.IsZero() {
			out = append(out, d)
		}
	}
	return out
}

// TypicalWeek returns the Monday-to-Sunday week, wholly inside the active
// service range, with the most scheduled trips (frequency-based trips
// counted per departure); the earliest such week on a tie, so the choice is
// reproducible. A range shorter than a full week gives the week holding its
// first date. ok is false when no service ever runs.
func (f *Feed) TypicalWeek() (week Week, ok bool) {
	first, last, ok := f.DateRange()
	if !ok {
		return Week{}, false
	}
	daily := f.dailyTrips(first, last)
	mon := first.AddDays((7 - weekdayIndex(first.Weekday())) % 7)
	best, bestN := WeekOf(first), -1
	for m := mon; !last.Before(m.AddDays(6)); m = m.AddDays(7) {
		off := daysBetween(first, m)
		n := 0
		for _, c := range daily[off : off+7] {
			n += c
		}
		if n > bestN {
			best, bestN = WeekOf(m), n
		}
	}
	return best, true
}

// daysBetween returns the number of days from a to b.
func daysBetween(a, b Date) int { return int(b.Time().Sub(a.Time()).Hours()/24 + 0.5) }

// departures returns how many times each trip runs in a service day: once,
// or once per headway for a trip in frequencies.txt.
func (f *Feed) departures() []int {
	n := make([]int, len(f.Trips))
	for i := range n {
		n[i] = 1
	}
	seen := make([]bool, len(f.Trips))
	for _, fr := range f.Frequencies {
		if !seen[fr.Trip] {
			seen[fr.Trip], n[fr.Trip] = true, 0
		}
		n[fr.Trip] += int((fr.End - fr.Start + Time(fr.Headway) - 1) / Time(fr.Headway))
	}
	return n
}

// dailyTrips counts the trips scheduled on each date from first to last.
func (f *Feed) dailyTrips(first, last Date) []int {
	perService := make([]int, len(f.Services))
	for i, n := range f.departures() {
		perService[f.Trips[i].Service] += n
	}
	out := make([]int, daysBetween(first, last)+1)
	add := func(d Date, n int) {
		if i := daysBetween(first, d); !d.Before(first) && i < len(out) {
			out[i] += n
		}
	}
	for si := range f.Services {
		s, n := &f.Services[si], perService[si]
		if n == 0 {
			continue
		}
		if !s.Start.IsZero() {
			lo, hi := s.Start, s.End
			if lo.Before(first) {
				lo = first
			}
			if last.Before(hi) {
				hi = last
			}
			for d := lo; !hi.Before(d); d = d.AddDays(1) {
				if s.Runs(d) {
					add(d, n)
				}
			}
		}
		for _, d := range s.Added {
			inCalendar := !s.Start.IsZero() && !d.Before(s.Start) && !s.End.Before(d)
			if !inCalendar && s.Runs(d) {
				add(d, n)
			}
		}
	}
	return out
}

// Profile is how much service a feed runs in each window of a week.
type Profile struct {
	Week        Week
	First, Last Date // the feed's active service range
	Windows     []WindowProfile
	Warnings    []string // e.g. a chosen date outside the service range
}

// WindowProfile is trips per hour in one window, averaged over the dates of
// the week that the window covers.
type WindowProfile struct {
	Window Window
	Dates  []Date    // dates counted; empty when the week has none of the window's days
	Trips  float64   // trips per hour leaving their first stop in the window
	Stops  []float64 // per stop index: departures per hour (a trip's last stop, where no one boards, is not counted)
	Routes []float64 // per route index: trips per hour leaving their first stop in the window
}

// Profile counts trips per hour per stop and per route in each window on the
// week's dates. Trips of a service day that run past midnight (times past
// 24:00:00) count on the next calendar date; frequency-based trips count
// once per headway.
func (f *Feed) Profile(week Week, windows []Window) *Profile {
	p := &Profile{Week: week}
	first, last, ok := f.DateRange()
	p.First, p.Last = first, last
	if !ok {
		p.Warnings = append(p.Warnings, "no service runs on any date: the calendar files list no running day")
	}
	for _, d := range week.Dates() {
		if ok && (d.Before(first) || last.Before(d)) {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s is outside the feed's service dates (%s to %s): no trips run then", d, first, last))
		}
	}
	freq := make([][]Frequency, len(f.Trips))
	for _, fr := range f.Frequencies {
		freq[fr.Trip] = append(freq[fr.Trip], fr)
	}
	for _, w := range windows {
		p.Windows = append(p.Windows, f.profileWindow(week, w, freq))
	}
	return p
}

func (f *Feed) profileWindow(week Week, w Window, freq [][]Frequency) WindowProfile {
	wp := WindowProfile{Window: w}
	today := make([]float64, len(f.Services)) // dates the service runs on
	yesterday := make([]float64, len(f.Services))
	for i, d := range week {
		if d.IsZero() || !w.Days[i] {
			continue
		}
		wp.Dates = append(wp.Dates, d)
		for s, on := range f.ServiceOn(d) {
			if on {
				today[s]++
			}
		}
		for s, on := range f.ServiceOn(d.AddDays(-1)) {
			if on {
				yesterday[s]++
			}
		}
	}
	if len(wp.Dates) == 0 || w.End <= w.Start {
		return wp
	}
	wp.Stops = make([]float64, len(f.Stops))
	wp.Routes = make([]float64, len(f.Routes))
	weight := func(t Time, tw, yw float64) float64 {
		var v float64
		if t >= w.Start && t < w.End {
			v += tw
		}
		if t >= w.Start+86400 && t < w.End+86400 {
			v += yw
		}
		return v
	}
	count := func(tr *Trip, st []StopTime, offset Time, tw, yw float64) {
		if v := weight(st[0].Departure+offset, tw, yw); v > 0 {
			wp.Routes[tr.Route] += v
			wp.Trips += v
		}
		for _, s := range st[:len(st)-1] {
			wp.Stops[s.Stop] += weight(s.Departure+offset, tw, yw)
		}
	}
	for ti := range f.Trips {
		tr := &f.Trips[ti]
		tw, yw := today[tr.Service], yesterday[tr.Service]
		if tw == 0 && yw == 0 {
			continue
		}
		st := f.StopTimes[tr.First:tr.Last]
		if len(freq[ti]) == 0 {
			count(tr, st, 0, tw, yw)
			continue
		}
		for _, fr := range freq[ti] {
			for t := fr.Start; t < fr.End; t += Time(fr.Headway) {
				count(tr, st, t-st[0].Departure, tw, yw)
			}
		}
	}
	scale := 1 / (w.Hours() * float64(len(wp.Dates)))
	wp.Trips *= scale
	for i := range wp.Stops {
		wp.Stops[i] *= scale
	}
	for i := range wp.Routes {
		wp.Routes[i] *= scale
	}
	return wp
}

// Rank is an index (of a stop or route) with its trips per hour.
type Rank struct {
	Index   int32
	PerHour float64
}

// Top returns the n entries of v with the most trips per hour, highest
// first, ties by index; entries with none are left out.
func Top(v []float64, n int) []Rank {
	var out []Rank
	for i, x := range v {
		if x > 0 {
			out = append(out, Rank{int32(i), x})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].PerHour > out[j].PerHour })
	if len(out) > n {
		out = out[:n]
	}
	return out
}
