package study

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"commonground/internal/access"
	"commonground/internal/config"
	"commonground/internal/gap"
	"commonground/internal/gtfs"
	"commonground/internal/measure"
	"commonground/internal/network"
	"commonground/internal/shard"
	"commonground/internal/transit"
)

// TransitWindow is access by scheduled public transport (with walking) for
// one departure window.
type TransitWindow struct {
	Name     string
	Date     string // service date, YYYY-MM-DD
	From, To int    // seconds after midnight
	// Minutes[g][i]: the configured percentile, over the departures of the
	// window, of the trip to the nearest place of group g; NaN when none is
	// reachable within transit.max_trip_minutes.
	Minutes [][]float64
	Under   [][]bool // beyond the class's transit threshold
	// Extra[k][g][i]: the k-th of transit.extra_percentiles, as Minutes.
	Extra [][][]float64
	// Reached[p]: some resident reaches place p within their threshold.
	Reached []bool
	// StopTrips[s]: departures per hour from stop s in the window.
	StopTrips []float64
	// Pairs holds the cell-place trip times (the percentile, in minutes)
	// the measures and the reached places can use: those within the
	// longest of measures.max_minutes and the transit thresholds.
	Pairs []measure.Pair
}

// Transit is the outcome of the transit stage.
type Transit struct {
	Feed    *gtfs.Feed
	Day     transit.Day
	Stops   []transit.Stop
	Routes  [][]orb.Point // one line per distinct stop pattern
	Windows []TransitWindow
}

// transitAccess routes from every cell to every gathering place by walking
// and scheduled transit over each departure window (range RAPTOR, as R5).
func (r *Result) transitAccess(ctx context.Context, walkG, driveG *network.Graph, eng *access.Engine, progress func(done, total int64)) error {
	t := r.Study.Transit
	if t == nil {
		return nil
	}
	var paths []string
	for _, f := range t.Feeds {
		p, _ := r.Study.Resolve(f)
		paths = append(paths, p)
		if err := r.addInput("GTFS feed", f, p); err != nil && !strings.Contains(err.Error(), "is a directory") {
			return err
		}
	}
	var feed *gtfs.Feed
	var err error
	if r.shard != nil && r.shard.feed != nil {
		feed = r.shard.feed // read and cut to the shard's reach by transitClip
	} else if feed, err = gtfs.ReadAll(paths, gtfs.Options{}); err != nil {
		return err
	}
	r.Problems.Merge(feed.Problems)
	d, err := gtfs.ParseDate(t.Date)
	if err != nil {
		return fmt.Errorf("transit.date: %w", err)
	}
	if first, last, ok := feed.DateRange(); ok && (d.Before(first) || last.Before(d)) {
		return fmt.Errorf("transit.date %s is outside the feeds' service, %s to %s: choose a date within it", t.Date, first, last)
	}
	if err := r.checkFeedDates(feed, t); err != nil {
		return err
	}
	// Windows past midnight (up to 47:59) need the next service day's
	// trips; a trip may start until the window's end plus the longest trip.
	nextDay := map[string]transit.Time{}
	for _, w := range t.Windows {
		date := t.Date
		if w.Date != "" {
			date = w.Date
		}
		end, _ := config.ParseClock(w.End)
		if until := transit.Time(end + int(t.MaxTripMinutes*60)); until > 86400 {
			nextDay[date] = max(nextDay[date], until)
		}
	}
	// Frequency-based trips without exact times get random start offsets,
	// drawn t.MonteCarloDraws times (r5r's draws_per_minute, 5 by default:
	// https://rdrr.io/cran/r5r/src/man/roxygen/templates/draws_per_minute.R).
	draws := 1
	for _, fr := range feed.Frequencies {
		if !fr.ExactTimes {
			draws = t.MonteCarloDraws
			break
		}
	}
	feedOpts := func(date string, draw int) transit.FeedOptions {
		return transit.FeedOptions{NextDayUntil: nextDay[date], Random: draws > 1, Seed: t.Seed, Draw: draw}
	}
	if draws > 1 {
		r.note("%d frequency-based trips have no exact times (exact_times=0): their start offsets are drawn at random %d times (seed %d), as R5 does, and every draw counts in the percentiles", countInexact(feed), draws, t.Seed)
	}
	tt, day, err := transit.FromFeedWith(feed, d, feedOpts(t.Date, 0))
	if err != nil {
		return err
	}
	maxWalk := t.MaxWalkMinutes * 60
	walker := transit.NewWalker(walkG, tt.Stops, r.Study.Travel.SnapMax)
	if walker.Unsnapped > 0 {
		r.note("%d of %d transit stops are more than %.0f m from any walkable street: no one can walk to them, though transfers between them count", walker.Unsnapped, len(tt.Stops), r.Study.Travel.SnapMax)
	}
	tt.Transfers = walker.Transfers(maxWalk, transit.DefaultDetour)
	transit.AddStationTransfers(tt.Transfers, feed, walkG.Profile().WalkSpeed, transit.DefaultDetour)
	opts := transit.Options{MaxTransfers: t.MaxTransfers, MaxTripSeconds: int32(t.MaxTripMinutes * 60), BoardSlack: int32(t.BoardSlackSeconds)}
	router, err := transit.NewRouter(tt, opts)
	if err != nil {
		return err
	}
	transfers := tt.Transfers
	// A window may run on its own date (a Saturday, a Sunday): one
	// timetable and router per date and draw, sharing stops, walks and
	// transfers.
	type dated struct {
		tt       *transit.Timetable
		routers  []*transit.Router
		egresses []*transit.Egress
	}
	byDate := map[string]*dated{}
	cells := r.Alloc.Cells
	origins := make([]orb.Point, len(cells))
	for i, c := range cells {
		origins[i] = c.Center
	}
	places := r.Extract.Places
	egressOf := make([][]transit.StopWalk, len(places))
	for j, p := range places {
		pts := p.Access
		if len(pts) == 0 {
			pts = []orb.Point{p.Point}
		}
		best := map[transit.StopID]float64{}
		for _, ws := range walker.Stops(pts, maxWalk) {
			for _, w := range ws {
				if b, ok := best[w.Stop]; !ok || w.Seconds < b {
					best[w.Stop] = w.Seconds
				}
			}
		}
		for s, sec := range best {
			egressOf[j] = append(egressOf[j], transit.StopWalk{Stop: s, Seconds: sec})
		}
		sort.Slice(egressOf[j], func(a, b int) bool { return egressOf[j][a].Stop < egressOf[j][b].Stop })
	}
	egress, err := router.NewEgress(egressOf)
	if err != nil {
		return err
	}
	byDate[t.Date] = &dated{tt: tt, routers: []*transit.Router{router}, egresses: []*transit.Egress{egress}}
	forDate := func(date string) (*dated, error) {
		dd, ok := byDate[date]
		if ok && len(dd.routers) == draws {
			return dd, nil
		}
		if !ok {
			dd = &dated{}
			byDate[date] = dd
		}
		d, err := gtfs.ParseDate(date)
		if err != nil {
			return nil, fmt.Errorf("transit window date: %w", err)
		}
		for k := len(dd.routers); k < draws; k++ {
			tt2, _, err := transit.FromFeedWith(feed, d, feedOpts(date, k))
			if err != nil {
				return nil, err
			}
			tt2.Transfers = transfers
			rt, err := transit.NewRouter(tt2, opts)
			if err != nil {
				return nil, err
			}
			eg, err := rt.NewEgress(egressOf)
			if err != nil {
				return nil, err
			}
			if dd.tt == nil {
				dd.tt = tt2
			}
			dd.routers = append(dd.routers, rt)
			dd.egresses = append(dd.egresses, eg)
		}
		return dd, nil
	}
	// A merge takes the routing from its shards: it needs no accesses,
	// walks or routers of its own.
	route := r.pre == nil
	var accesses [][]transit.StopWalk
	if route {
		accesses = walker.Stops(origins, maxWalk)
	}
	if da := t.DriveAccess; da != nil {
		// Park-and-ride: a drive forward along the drive graph (one-way
		// streets kept) to a stop with parking, then the time to park.
		allowed := stopsServedBy(feed, tt, da.RouteTypes)
		if route {
			drives := transit.NewWalker(driveG, tt.Stops, r.Study.Travel.SnapMax).Stops(origins, da.MaxMinutes*60)
			accesses = transit.MergeAccess(accesses, drives, allowed, da.ParkMinutes*60)
		}
		n := 0
		for _, ok := range allowed {
			if ok {
				n++
			}
		}
		r.note("transit access by car: residents may drive up to %.0f minutes to %d stops and take %.0f minutes to park", da.MaxMinutes, n, da.ParkMinutes)
	}
	// The walk-only option is the walk mode's own cell-to-place time, so a
	// transit trip is never slower than the walk the report shows.
	// The walks are kept by origin: only the pairs within reach, not a
	// dense origin x place matrix (at 3,000 places and 24,000 origins that
	// would be 580 MB of mostly unreachable pairs).
	walks := &access.Rows{Start: make([]int, len(cells)+1)}
	if route {
		if walks, err = eng.MatrixRows(ctx, access.Walk, r.dests(Group{Categories: allCats(len(r.Study.Categories))}), t.MaxTripMinutes); err != nil {
			return err
		}
	}
	direct := func(i int, row []float64) {
		for j := range row {
			row[j] = math.Inf(1)
		}
		for k := walks.Start[i]; k < walks.Start[i+1]; k++ {
			row[walks.Label[k]] = walks.Minutes[k] * 60
		}
	}

	members := make([][]int, len(r.Groups)) // places of each group
	for gi, g := range r.Groups {
		in := map[string]bool{}
		for _, c := range g.Categories {
			in[r.Study.Categories[c].Name] = true
		}
		for j, p := range places {
			if in[p.Category] {
				members[gi] = append(members[gi], j)
			}
		}
	}
	out := &Transit{Feed: feed, Day: day, Stops: tt.Stops, Routes: routeLines(tt)}
	var done int64
	total := int64(len(t.Windows) * len(cells))
	for wi, w := range t.Windows {
		date := t.Date
		if w.Date != "" {
			date = w.Date
		}
		dd, err := forDate(date)
		if err != nil {
			return err
		}
		from, _ := config.ParseClock(w.Start)
		to, _ := config.ParseClock(w.End)
		var raw *shard.Window
		if route {
			if raw, err = r.routeWindow(ctx, w.Name, dd.routers, dd.egresses, accesses, direct, members, from, to, func() {
				done++
				if progress != nil {
					progress(done, total)
				}
			}); err != nil {
				return err
			}
		} else {
			raw = &r.pre.transit[wi]
		}
		if r.shard != nil {
			r.shard.data.Transit = append(r.shard.data.Transit, *raw)
			continue
		}
		tw := TransitWindow{Name: w.Name, Date: date, From: from, To: to, Reached: make([]bool, len(places)),
			Minutes: raw.Minutes, Extra: raw.Extra, Pairs: make([]measure.Pair, len(raw.Pairs))}
		for k, p := range raw.Pairs {
			tw.Pairs[k] = measure.Pair{From: int(p.Origin), To: int(p.Place), Cost: p.Seconds / 60}
			if cells[p.Origin].Pop > 0 && p.Seconds <= transitThreshold(t, r.Class[p.Origin])*60 {
				tw.Reached[p.Place] = true
			}
		}
		tw.Under = make([][]bool, len(r.Groups))
		for gi := range r.Groups {
			tw.Under[gi] = make([]bool, len(cells))
			for i := range cells {
				m := tw.Minutes[gi][i]
				tw.Under[gi][i] = math.IsNaN(m) || m > transitThreshold(t, r.Class[i])
			}
		}
		tw.StopTrips = stopTrips(dd.tt, from, to)
		out.Windows = append(out.Windows, tw)
	}
	r.Transit = out
	return nil
}

// routeWindow routes every origin over one departure window: per group the
// configured and extra percentiles of the trip to its nearest place, and
// every reachable origin-place trip (seconds, never above the walk), sorted.
func (r *Result) routeWindow(ctx context.Context, name string, routers []*transit.Router, egresses []*transit.Egress, accesses [][]transit.StopWalk,
	direct func(int, []float64), members [][]int, from, to int, tick func()) (*shard.Window, error) {
	t := r.Study.Transit
	n := len(r.Alloc.Cells)
	places := r.Extract.Places
	raw := &shard.Window{Name: name, Minutes: make([][]float64, len(r.Groups)), Extra: make([][][]float64, len(t.ExtraPercentiles))}
	for gi := range raw.Minutes {
		raw.Minutes[gi] = make([]float64, n)
	}
	for k := range raw.Extra {
		raw.Extra[k] = make([][]float64, len(r.Groups))
		for gi := range raw.Extra[k] {
			raw.Extra[k][gi] = make([]float64, n)
		}
	}
	// Only trips some later step can use are kept: the measures count those
	// within measures.max_minutes, and a place counts as reached within a
	// class's transit threshold. A second of slack leaves the exact cut to
	// those steps. Trips up to max_trip_minutes (120 by default) are routed
	// but not kept: at 30 minutes that keeps about a sixteenth of them.
	keep := max(r.Study.Measures.MaxMinutes, t.Thresholds.Urban, t.Thresholds.Rural, t.Thresholds.Remote)*60 + 1
	var mu sync.Mutex
	step := int32(t.StepMinutes * 60)
	err := transit.RangeDraws(ctx, routers, egresses, accesses, transit.Time(from), transit.Time(to), step, direct, func(i int, res *transit.Result) {
		walk := make([]float64, len(places)) // origin i's walks, for this origin only
		direct(i, walk)
		for gi := range r.Groups {
			raw.Minutes[gi][i] = walkCapped(groupPercentile(res, members[gi], t.Percentile), walk, members[gi])
			for k, p := range t.ExtraPercentiles {
				raw.Extra[k][gi][i] = walkCapped(groupPercentile(res, members[gi], p), walk, members[gi])
			}
		}
		var mine []shard.TransitPair
		for j := range places {
			p := res.Percentiles(j, t.Percentile)[0]
			if p == transit.Unreachable {
				continue
			}
			// The walk-only trip is an option at every departure, so
			// the percentile is never above it; the router rounds it
			// up to whole seconds, the walk mode does not.
			if sec := min(float64(p), walk[j]); sec <= keep {
				mine = append(mine, shard.TransitPair{Origin: int32(i), Place: int32(j), Seconds: sec})
			}
		}
		mu.Lock()
		raw.Pairs = append(raw.Pairs, mine...)
		tick()
		mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	// RangeDraws calls back in no fixed order: sort the pairs so outputs
	// stay byte-identical run to run.
	slices.SortFunc(raw.Pairs, byTransitPair)
	return raw, nil
}

// walkCapped returns minutes m (NaN: unreachable) capped by the quickest
// walk to any of dests. At every departure the walk straight to a place is
// one of the trips compared, so min(transit, walk) per departure has as its
// percentile min(percentile, walk): capping by the exact walk undoes the
// router's rounding up to whole seconds, which made walk-only trips up to a
// second slower than the walk mode's own time.
func walkCapped(m float64, direct []float64, dests []int) float64 {
	w := math.Inf(1)
	for _, j := range dests {
		w = min(w, direct[j])
	}
	if math.IsInf(w, 1) {
		return m
	}
	if math.IsNaN(m) || w/60 < m {
		return w / 60
	}
	return m
}

// checkFeedDates warns, or with transit.strict_dates fails, when one of the
// combined feeds has no service on a date a window routes: that feed then
// adds nothing to the window, which a single date range over all feeds
// would hide.
func (r *Result) checkFeedDates(feed *gtfs.Feed, t *config.Transit) error {
	seen := map[string]bool{}
	for _, w := range t.Windows {
		date := t.Date
		if w.Date != "" {
			date = w.Date
		}
		if seen[date] {
			continue
		}
		seen[date] = true
		d, err := gtfs.ParseDate(date)
		if err != nil {
			return fmt.Errorf("transit window %q date: %w", w.Name, err)
		}
		for _, p := range feed.Parts {
			if p.RunsOn(feed, d) {
				continue
			}
			span := "it never runs"
			if p.Runs {
				span = fmt.Sprintf("it runs from %s to %s", p.First, p.Last)
			}
			msg := fmt.Sprintf("GTFS feed %s has no service on %s (%s): it adds no trips to the windows of that date", p.Name, d, span)
			if t.StrictDates {
				return fmt.Errorf("transit.strict_dates: %s", msg)
			}
			r.note("%s", msg)
		}
	}
	return nil
}

// stopsServedBy marks the boarding stops served by trips of the given
// route types; every boarding stop when types is empty.
func stopsServedBy(f *gtfs.Feed, tt *transit.Timetable, types []int) []bool {
	out := make([]bool, len(tt.Stops))
	for i, s := range tt.Stops {
		out[i] = len(types) == 0 && !s.Station
	}
	if len(types) == 0 {
		return out
	}
	want := map[int]bool{}
	for _, t := range types {
		want[t] = true
	}
	for ti := range f.Trips {
		if !want[f.Routes[f.Trips[ti].Route].Type] {
			continue
		}
		for _, st := range f.StopTimesOf(int32(ti)) {
			out[st.Stop] = !tt.Stops[st.Stop].Station
		}
	}
	return out
}

// countInexact counts the frequency-based trips without exact times.
func countInexact(f *gtfs.Feed) int {
	seen := map[int32]bool{}
	for _, fr := range f.Frequencies {
		if !fr.ExactTimes {
			seen[fr.Trip] = true
		}
	}
	return len(seen)
}

// transitThreshold is the longest acceptable transit trip for a class.
func transitThreshold(t *config.Transit, c gap.Class) float64 {
	switch c {
	case gap.Urban:
		return t.Thresholds.Urban
	case gap.Rural:
		return t.Thresholds.Rural
	}
	return t.Thresholds.Remote
}

// groupPercentile is the p-th percentile, over departures, of the trip to
// the nearest of the given destinations: for each departure minute the
// quickest destination, then R5's percentile rule (the ceil(p/100*n)-th
// smallest). NaN when that percentile is unreachable.
func groupPercentile(res *transit.Result, dests []int, p float64) float64 {
	if len(dests) == 0 || len(res.Times) == 0 {
		return math.NaN()
	}
	n := len(res.Times[dests[0]])
	best := make([]int32, n)
	for k := range best {
		best[k] = transit.Unreachable
	}
	for _, j := range dests {
		for k, v := range res.Times[j] {
			if v < best[k] {
				best[k] = v
			}
		}
	}
	sort.Slice(best, func(a, b int) bool { return best[a] < best[b] })
	k := int(math.Ceil(p/100*float64(n))) - 1
	k = max(0, min(k, n-1))
	if best[k] == transit.Unreachable {
		return math.NaN()
	}
	return float64(best[k]) / 60
}

// stopTrips counts departures per hour from each stop within [from, to).
func stopTrips(tt *transit.Timetable, from, to int) []float64 {
	out := make([]float64, len(tt.Stops))
	hours := float64(to-from) / 3600
	for _, trip := range tt.Trips {
		for k, s := range trip.Stops[:max(0, len(trip.Stops)-1)] { // no one boards at the last stop
			if d := int(trip.Departures[k]); d >= from && d < to {
				out[s]++
			}
		}
	}
	for i := range out {
		out[i] /= hours
	}
	return out
}

// routeLines returns one line per distinct stop pattern, for the map.
func routeLines(tt *transit.Timetable) [][]orb.Point {
	seen := map[string]bool{}
	var out [][]orb.Point
	for _, trip := range tt.Trips {
		var b strings.Builder
		for _, s := range trip.Stops {
			fmt.Fprintf(&b, "%d,", s)
		}
		if seen[b.String()] {
			continue
		}
		seen[b.String()] = true
		line := make([]orb.Point, len(trip.Stops))
		for k, s := range trip.Stops {
			line[k] = tt.Stops[s].Point
		}
		out = append(out, line)
	}
	return out
}
