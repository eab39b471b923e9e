package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"commonground/internal/gtfs"
)

func init() {
	register(command{Name: "gtfs", Args: "inspect [flags] FEED...", Summary: "summarise public transport feeds (GTFS) for a planner", Order: 20, Run: gtfsCommand})
}

const gtfsUsage = `Usage: commonground gtfs inspect [flags] FEED [FEED...]

Reads one or more GTFS public transport feeds (zip files or folders) and
prints what a planner should know before using them: the agencies; how many
stops, stations, routes, trips and stop times they hold; the dates on which
service runs; the busiest stops and routes, in trips per hour, on weekday
mornings (07:00-09:00), weekday evenings (18:00-21:00), Saturdays and Sundays
(09:00-18:00); and the problems found, with the file and line to look at.

Several feeds (say buses and trains) are read as one network; each feed's
ids are prefixed with its file name so they never clash.

Without --date, service is counted over a typical week: the Monday-to-Sunday
week, inside the service dates, that has the most trips. With --date, only
that date is counted, so only the windows on its day of the week have
figures (pass a Saturday to see Saturday service).

The exit status is 1 only when a feed cannot be used at all (a required file
or column is missing, or no trip can be used); problems in single rows are
listed and those rows left out.

Flags:
`

func gtfsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, gtfsUsage[:strings.Index(gtfsUsage, "Flags:")])
		fmt.Fprintln(stderr, "Run 'commonground gtfs inspect --help' for the flags.")
		if len(args) == 0 {
			return errUsage
		}
		return flag.ErrHelp
	}
	if args[0] != "inspect" {
		fmt.Fprintf(stderr, "error: unknown gtfs command %q; the one command is: commonground gtfs inspect FEED\n", args[0])
		return errUsage
	}
	return gtfsInspect(args[1:], stdout, stderr)
}

func gtfsInspect(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gtfs inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	date := fs.String("date", "", "count service on this date (YYYY-MM-DD) instead of a typical week")
	top := fs.Int("top", 5, "how many of the busiest stops and routes to list per time window")
	examples := fs.Int("examples", 3, "how many example rows to show for each kind of problem")
	fs.Usage = func() {
		fmt.Fprint(stderr, gtfsUsage)
		fs.PrintDefaults()
	}
	// Flags may come before or after the feeds.
	var feeds []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return err
			}
			return errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		feeds = append(feeds, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(feeds) == 0 {
		fmt.Fprintln(stderr, "error: gtfs inspect needs at least one feed, for example: commonground gtfs inspect bus.zip")
		return errUsage
	}
	var week gtfs.Week
	if *date != "" {
		d, err := gtfs.ParseDate(*date)
		if err != nil {
			fmt.Fprintf(stderr, "error: --date: %v\n", err)
			return errUsage
		}
		week = gtfs.OnDate(d)
	}
	var f *gtfs.Feed
	var err error
	if len(feeds) == 1 {
		f, err = gtfs.Read(feeds[0], gtfs.Options{})
	} else {
		f, err = gtfs.ReadAll(feeds, gtfs.Options{})
	}
	if err != nil {
		return err
	}
	typical := *date == ""
	if typical {
		week, _ = f.TypicalWeek()
	}
	writeFeedSummary(stdout, f, week, typical, *top, *examples)
	return nil
}

// writeFeedSummary prints the planner's summary of a feed.
func writeFeedSummary(w io.Writer, f *gtfs.Feed, week gtfs.Week, typical bool, top, examples int) {
	fmt.Fprintf(w, "Feed: %s\n", f.Source)
	fmt.Fprintln(w, "Agencies:")
	for _, a := range f.Agencies {
		fmt.Fprintf(w, "  %s (%s)\n", a.Name, a.Timezone)
	}
	var stations, entrances, interp, freqTrips int
	for _, s := range f.Stops {
		switch s.LocationType {
		case 1:
			stations++
		case 2:
			entrances++
		}
	}
	lo, hi := gtfs.Time(1<<31-1), gtfs.Time(0)
	withFreq := map[int32]bool{}
	for _, fr := range f.Frequencies {
		withFreq[fr.Trip] = true
	}
	for _, st := range f.StopTimes {
		if !st.Timepoint {
			interp++
		}
	}
	// A frequency trip's stop times are only a template (Brockville's start
	// at 12:00): its runs leave at start_time, start_time + headway, ...
	// before end_time, so the first and last departures come from those.
	for ti := range f.Trips {
		if withFreq[int32(ti)] {
			continue
		}
		for _, st := range f.StopTimesOf(int32(ti)) {
			lo, hi = min(lo, st.Departure), max(hi, st.Arrival)
		}
	}
	for _, fr := range f.Frequencies {
		st := f.StopTimesOf(fr.Trip)
		lastStart := fr.Start + (fr.End-fr.Start-1)/gtfs.Time(fr.Headway)*gtfs.Time(fr.Headway)
		lo = min(lo, fr.Start)
		hi = max(hi, lastStart+st[len(st)-1].Arrival-st[0].Departure)
	}
	freqTrips = len(withFreq)
	byType := map[string]int{}
	for _, r := range f.Routes {
		byType[gtfs.RouteTypeName(r.Type)]++
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		if byType[types[i]] != byType[types[j]] {
			return byType[types[i]] > byType[types[j]]
		}
		return types[i] < types[j]
	})
	var rt []string
	for _, t := range types {
		rt = append(rt, fmt.Sprintf("%s %s", thousands(float64(byType[t])), t))
	}
	n := func(v int) string { return thousands(float64(v)) }
	fmt.Fprintln(w, "Counts:")
	fmt.Fprintf(w, "  %-24s %s (of which %s stations, %s entrances)\n", "stops", n(len(f.Stops)), n(stations), n(entrances))
	fmt.Fprintf(w, "  %-24s %s: %s\n", "routes", n(len(f.Routes)), strings.Join(rt, ", "))
	fmt.Fprintf(w, "  %-24s %s usable of %s in trips.txt\n", "trips", n(len(f.Trips)), n(f.Rows["trips.txt"]))
	fmt.Fprintf(w, "  %-24s %s (%s with interpolated times)\n", "stop times", n(len(f.StopTimes)), n(interp))
	fmt.Fprintf(w, "  %-24s %s\n", "frequency-based trips", n(freqTrips))
	first, last, ok := f.DateRange()
	if ok {
		fmt.Fprintf(w, "Service dates: %s to %s\n", first, last)
	} else {
		fmt.Fprintln(w, "Service dates: none (no service runs on any date)")
	}
	if len(f.StopTimes) > 0 {
		fmt.Fprintf(w, "Times of day: first departure %s, last arrival %s\n", lo, hi)
	}

	p := f.Profile(week, gtfs.DefaultWindows())
	if dates := week.Dates(); len(dates) > 0 {
		if typical {
			fmt.Fprintf(w, "\nTrips per hour in a typical week (%s to %s, the week with the most trips):\n", dates[0], dates[len(dates)-1])
		} else {
			fmt.Fprintf(w, "\nTrips per hour on %s (%s):\n", dates[0], dates[0].Weekday())
		}
	}
	for _, wr := range p.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", wr)
	}
	for _, wp := range p.Windows {
		fmt.Fprintf(w, "  %s %s-%s: ", wp.Window.Name, wp.Window.Start.String()[:5], wp.Window.End.String()[:5])
		if len(wp.Dates) == 0 {
			fmt.Fprintln(w, "not counted (not on this date)")
			continue
		}
		fmt.Fprintf(w, "%.1f trips/h over all routes\n", wp.Trips)
		stops := gtfs.Top(wp.Stops, top)
		if len(stops) == 0 {
			fmt.Fprintln(w, "    no service in this window")
			continue
		}
		fmt.Fprintln(w, "    busiest stops:")
		for _, r := range stops {
			s := f.Stops[r.Index]
			fmt.Fprintf(w, "      %6.1f/h  %s (stop %s)\n", r.PerHour, s.Name, s.ID)
		}
		fmt.Fprintln(w, "    busiest routes:")
		for _, r := range gtfs.Top(wp.Routes, top) {
			rt := f.Routes[r.Index]
			name := strings.TrimSpace(rt.ShortName + " " + rt.LongName)
			fmt.Fprintf(w, "      %6.1f/h  %s (%s, route %s)\n", r.PerHour, name, gtfs.RouteTypeName(rt.Type), rt.ID)
		}
	}

	groups := f.ProblemGroups(examples)
	if len(groups) == 0 {
		fmt.Fprintln(w, "\nProblems: none found.")
		return
	}
	total := 0
	for _, g := range groups {
		total += g.Count
	}
	fmt.Fprintf(w, "\nProblems (%s; rows marked skipped were left out, warnings were used as repaired):\n", n(total))
	for _, g := range groups {
		fmt.Fprintf(w, "  %s × %s: %s: %s\n", n(g.Count), g.Severity, g.File, g.Message)
		for _, e := range g.Examples {
			loc := e.File
			if e.Line > 0 {
				loc += fmt.Sprintf(" line %d", e.Line)
			}
			var what []string
			if e.Feature != "" {
				what = append(what, "id "+e.Feature)
			}
			if e.Field != "" {
				what = append(what, fmt.Sprintf("%s=%q", e.Field, e.Value))
			}
			if e.Line > 0 {
				fmt.Fprintf(w, "      %s: %s\n", loc, strings.Join(what, ", "))
			}
		}
	}
}
