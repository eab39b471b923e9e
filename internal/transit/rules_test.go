package transit

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"commonground/internal/gtfs"
)

// overlayFeed copies testdata/rules/base into a folder named after the case
// and writes the case's files over it: each case is a small change to one
// valid feed.
func overlayFeed(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"base", name} {
		files, err := filepath.Glob(filepath.Join("testdata", "rules", src, "*.txt"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no files in testdata/rules/%s", src)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

var (
	ruleMonday  = gtfs.Date{Year: 2019, Month: time.April, Day: 15}
	ruleStops   = map[string]StopID{"A": 0, "B": 1, "C": 2}
	unreachable = Unreachable
)

// journey is the travel time leaving stop from at dep for stop to, with
// no walk at either end.
func journey(t *testing.T, tt *Timetable, opt Options, from, to string, dep Time) int32 {
	t.Helper()
	r, err := NewRouter(tt, opt)
	if err != nil {
		t.Fatal(err)
	}
	eg, err := r.NewEgress([][]StopWalk{{{ruleStops[to], 0}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Range([]StopWalk{{ruleStops[from], 0}}, dep, dep+60, 60, eg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Times[0][0]
}

// TestFeedRules routes one departure on each hand-made feed. The base feed
// (testdata/rules/base) runs on weekdays of April 2019:
//
//	T1 (route R1)  A 08:00 -> B 08:10
//	T2 (route R2)  B 08:10 -> C 08:20
//	T3 (route R2)  B 08:30 -> C 08:40
//
// With R5's 60 s boarding slack, a rider leaving A at 07:55 reaches B at
// 08:10, misses T2 (it leaves before 08:11) and takes T3: C at 08:40, 45
// minutes (2,700 s). From B at 08:00, T2 takes 20 minutes; A to B is 15.
func TestFeedRules(t *testing.T) {
	at := func(h, m int) Time { return Time(h*3600 + m*60) }
	def := DefaultOptions()
	direct := def
	direct.MaxTransfers = 0
	type leg struct {
		from, to string
		dep      Time
		want     int32
	}
	cases := []struct {
		name string
		opt  Options
		legs []leg
	}{
		{"base", def, []leg{{"A", "C", at(7, 55), 2700}, {"B", "C", at(8, 0), 1200}, {"A", "B", at(7, 55), 900}}},
		// B->B R1 to R2 is timed (type 1): T2 waits for T1, so C at 08:20,
		// 25 minutes. The stop-wide rule forbidding changes at B (type 3)
		// is less specific than the one naming both routes, so it loses.
		{"timed_transfer", def, []leg{{"A", "C", at(7, 55), 1500}, {"B", "C", at(8, 0), 1200}}},
		// No change at B: C is out of reach from A; someone who walked to
		// B still boards there.
		{"forbidden_transfer", def, []leg{{"A", "C", at(7, 55), unreachable}, {"B", "C", at(8, 0), 1200}, {"A", "B", at(7, 55), 900}}},
		// 1,260 s at B: ready at 08:31, after T3 has left: no way to C.
		{"min_transfer_time", def, []leg{{"A", "C", at(7, 55), unreachable}, {"B", "C", at(8, 0), 1200}}},
		// T1 and T2 are one vehicle (block K1): stay seated at B, C at
		// 08:20, with no transfer at all (max_transfers 0).
		{"block_continuation", direct, []leg{{"A", "C", at(7, 55), 1500}, {"A", "B", at(7, 55), 900}, {"B", "C", at(8, 0), 1200}}},
		{"base", direct, []leg{{"A", "C", at(7, 55), unreachable}}},
		// T1 sets no drop-off at B and T2 no pickup there (type 1); T3's
		// pickup_type 2 (phone) and drop_off_type 3 (ask the driver) still
		// allow riders: A to B impossible, B to C by T3, 08:40.
		{"pickup_drop_off", def, []leg{{"A", "B", at(7, 55), unreachable}, {"B", "C", at(8, 0), 2400}, {"A", "C", at(7, 55), unreachable}}},
		// A station with an entrance and a node over platform B: routing
		// is the base's.
		{"parent_station", def, []leg{{"A", "C", at(7, 55), 2700}, {"B", "C", at(8, 0), 1200}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := gtfs.Read(overlayFeed(t, c.name), gtfs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			tt, _, err := FromFeed(f, ruleMonday)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range c.legs {
				if got := journey(t, tt, c.opt, l.from, l.to, l.dep); got != l.want {
					t.Errorf("%s to %s leaving %v: %d s, want %d", l.from, l.to, l.dep, got, l.want)
				}
			}
		})
	}
}

// TestParentStation: stations, entrances and nodes are not boarding
// stops; the node takes its station's coordinates.
func TestParentStation(t *testing.T) {
	f, err := gtfs.Read(overlayFeed(t, "parent_station"), gtfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tt, _, err := FromFeed(f, ruleMonday)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range tt.Stops {
		want := s.ID == "S" || s.ID == "E" || s.ID == "N"
		if s.Station != want {
			t.Errorf("stop %s: Station %v, want %v", s.ID, s.Station, want)
		}
		if s.ID == "B" && (f.Stops[i].Parent < 0 || f.Stops[f.Stops[i].Parent].ID != "S") {
			t.Errorf("platform B's parent is %d, want station S", f.Stops[i].Parent)
		}
		if s.ID == "N" && s.Point[1] != 45.0101 {
			t.Errorf("node N at %v, want its station's 45.0101", s.Point)
		}
	}
	if len(tt.Stops) != 6 {
		t.Errorf("%d stops, want 6", len(tt.Stops))
	}
}

// TestWindowOverMidnight: on Monday a window 24:00-24:01 is 00:00 on
// Tuesday. Trip T4 runs on Tuesday's service only (A 00:10 -> C 00:30), so
// it counts only when the next service day is taken: 30 minutes.
func TestWindowOverMidnight(t *testing.T) {
	f, err := gtfs.Read(overlayFeed(t, "window_over_midnight"), gtfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	midnight := Time(86400)
	for _, c := range []struct {
		until Time
		want  int32
		next  int
	}{{0, Unreachable, 0}, {midnight + 7200, 1800, 1}} {
		tt, day, err := FromFeedWith(f, ruleMonday, FeedOptions{NextDayUntil: c.until})
		if err != nil {
			t.Fatal(err)
		}
		// Tuesday's 08:00 trips leave after 26:00: not taken.
		if day.NextDay != c.next {
			t.Errorf("until %v: %d next-day trips, want %d", c.until, day.NextDay, c.next)
		}
		if got := journey(t, tt, DefaultOptions(), "A", "C", midnight); got != c.want {
			t.Errorf("until %v: A to C at 24:00 takes %d s, want %d", c.until, got, c.want)
		}
	}
}

// TestHeadwayOffsets: T1 runs every 600 s from 08:00 to 09:00 with
// exact_times=0. Without draws it starts at 08:00 (from A at 07:55: 08:00
// bus, B at 08:10, 15 minutes). Each draw shifts all six runs by one offset
// in [0, 600), the same for the same seed and draw; the travel times of a
// draw are worked out here from its offset, and RangeDraws lays the draws
// end to end.
func TestHeadwayOffsets(t *testing.T) {
	f, err := gtfs.Read(overlayFeed(t, "headway_offsets"), gtfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tt, _, err := FromFeed(f, ruleMonday)
	if err != nil {
		t.Fatal(err)
	}
	if got := journey(t, tt, DefaultOptions(), "A", "B", Time(7*3600+55*60)); got != 900 {
		t.Errorf("without draws: %d s, want 900", got)
	}
	runsOf := func(tt *Timetable) []Time {
		var out []Time
		for _, tr := range tt.Trips {
			if tr.Stops[0] == ruleStops["A"] {
				out = append(out, tr.Departures[0])
			}
		}
		slices.Sort(out)
		return out
	}
	const draws = 5
	var routers []*Router
	var egresses []*Egress
	offsets := map[Time]bool{}
	from, to := Time(8*3600), Time(9*3600)
	for d := range draws {
		o := FeedOptions{Random: true, Seed: 7, Draw: d}
		tt, _, err := FromFeedWith(f, ruleMonday, o)
		if err != nil {
			t.Fatal(err)
		}
		again, _, _ := FromFeedWith(f, ruleMonday, o)
		runs := runsOf(tt)
		if !slices.Equal(runs, runsOf(again)) {
			t.Fatalf("draw %d differs between two builds", d)
		}
		if len(runs) != 6 {
			t.Fatalf("draw %d: %d runs of T1, want 6: %v", d, len(runs), runs)
		}
		off := runs[0] - from
		offsets[off] = true
		for k, r := range runs {
			if off < 0 || off >= 600 || r != from+off+Time(600*k) {
				t.Fatalf("draw %d: runs %v are not 08:00 + offset + 600 k", d, runs)
			}
		}
		r, err := NewRouter(tt, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		eg, _ := r.NewEgress([][]StopWalk{{{ruleStops["B"], 0}}})
		routers, egresses = append(routers, r), append(egresses, eg)
		// Leaving A at minute m, the rider boards the first run at or
		// after m + 60 s and rides 600 s; none after the sixth run.
		res, err := r.Range([]StopWalk{{ruleStops["A"], 0}}, from, to, 60, eg, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, got := range res.Times[0] {
			dep := from + Time(60*i)
			want := Unreachable
			for _, run := range runs {
				if run >= dep+60 {
					want = int32(run + 600 - dep)
					break
				}
			}
			if got != want {
				t.Errorf("draw %d (offset %v), leaving %v: %d s, want %d", d, off, dep, got, want)
			}
		}
	}
	if len(offsets) < 2 {
		t.Errorf("all %d draws have the same offset %v", draws, offsets)
	}
	var all *Result
	err = RangeDraws(t.Context(), routers, egresses, [][]StopWalk{{{ruleStops["A"], 0}}}, from, to, 60, nil, func(_ int, res *Result) { all = res })
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Times[0]) != draws*60 {
		t.Fatalf("RangeDraws gave %d times, want %d", len(all.Times[0]), draws*60)
	}
	for d, r := range routers {
		one, _ := r.Range([]StopWalk{{ruleStops["A"], 0}}, from, to, 60, egresses[d], nil)
		if !slices.Equal(all.Times[0][d*60:(d+1)*60], one.Times[0]) {
			t.Errorf("RangeDraws draw %d differs from Range", d)
		}
	}
}

// TestFeedOutOfRange: combined with the base (April 2019), a feed whose
// calendar runs through 2020 has no service on 2019-04-15.
func TestFeedOutOfRange(t *testing.T) {
	base := filepath.Join("testdata", "rules", "base")
	f, err := gtfs.ReadAll([]string{base, overlayFeed(t, "feed_out_of_range")}, gtfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Parts) != 2 {
		t.Fatalf("%d parts, want 2", len(f.Parts))
	}
	p := f.Parts[1]
	if p.Name != "feed_out_of_range" || p.RunsOn(f, ruleMonday) || !f.Parts[0].RunsOn(f, ruleMonday) {
		t.Errorf("parts %+v: want only base to run on %v", f.Parts, ruleMonday)
	}
	if p.First.String() != "2020-01-01" || p.Last.String() != "2020-12-31" {
		t.Errorf("range %v to %v, want 2020-01-01 to 2020-12-31", p.First, p.Last)
	}
}

// TestStationTransfers: two platforms of one station get footpaths both
// ways, timed as the straight line x detour; a stop outside the station and
// the station itself get none, and an existing footpath is kept.
func TestStationTransfers(t *testing.T) {
	f := &gtfs.Feed{Stops: []gtfs.Stop{
		{ID: "S", LocationType: 1, Parent: -1, Lat: 45, Lon: -75},
		{ID: "P1", Parent: 0, Lat: 45, Lon: -75},
		{ID: "P2", Parent: 0, Lat: 45.001, Lon: -75}, // 111.2 m north
		{ID: "P3", Parent: 0, Lat: 45, Lon: -75.001},
		{ID: "X", Parent: -1, Lat: 45, Lon: -75.0005},
	}}
	xs := make([][]Transfer, len(f.Stops))
	xs[1] = []Transfer{{To: 3, Seconds: 5}}
	AddStationTransfers(xs, f, 1.0, 1.5)
	// 0.001° of latitude is 111.19 m (Earth radius 6,371 km): x 1.5 at
	// 1 m/s is 166.8 s, rounded up to 167.
	if !slices.Contains(xs[1], Transfer{To: 2, Seconds: 167}) || !slices.Contains(xs[2], Transfer{To: 1, Seconds: 167}) {
		t.Errorf("P1 <-> P2: %v, %v", xs[1], xs[2])
	}
	if len(xs[1]) != 2 || !slices.Contains(xs[1], Transfer{To: 3, Seconds: 5}) {
		t.Errorf("P1's footpaths %v, want the existing one to P3 kept and one to P2", xs[1])
	}
	if len(xs[0]) != 0 || len(xs[4]) != 0 || len(xs[3]) != 2 {
		t.Errorf("station %v, outside stop %v, P3 %v", xs[0], xs[4], xs[3])
	}
}

// TestMergeAccess: origin 0 walks to stops 0 (300 s) and 1 (900 s) and
// drives to 1 (120 s), 2 (200 s) and 3 (60 s), parking in 180 s; stop 3 is
// not a park-and-ride stop. Stop 1: min(900, 120+180) = 300; stop 2: 380.
func TestMergeAccess(t *testing.T) {
	walks := [][]StopWalk{{{0, 300}, {1, 900}}, {{2, 10}}}
	drives := [][]StopWalk{{{1, 120}, {2, 200}, {3, 60}}, nil}
	got := MergeAccess(walks, drives, []bool{true, true, true, false}, 180)
	want := [][]StopWalk{{{0, 300}, {1, 300}, {2, 380}}, {{2, 10}}}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("origin %d: %v, want %v", i, got[i], want[i])
		}
	}
}

// TestStationRule: a rule naming a station applies to each platform.
func TestStationRule(t *testing.T) {
	f := &gtfs.Feed{
		Stops: []gtfs.Stop{{ID: "S", LocationType: 1, Parent: -1}, {ID: "P1", Parent: 0}, {ID: "P2", Parent: 0}, {ID: "X", Parent: -1}},
		Transfers: []gtfs.Transfer{
			{From: 0, To: 0, FromRoute: -1, ToRoute: -1, FromTrip: -1, ToTrip: -1, Type: 3},
			{From: 3, To: 0, FromRoute: -1, ToRoute: -1, FromTrip: -1, ToTrip: -1, Type: 2, MinSeconds: 90},
		},
	}
	got := rulesOf(f)
	want := []Rule{
		{From: 1, To: 1, FromRoute: -1, ToRoute: -1, Type: 3}, {From: 1, To: 2, FromRoute: -1, ToRoute: -1, Type: 3},
		{From: 2, To: 1, FromRoute: -1, ToRoute: -1, Type: 3}, {From: 2, To: 2, FromRoute: -1, ToRoute: -1, Type: 3},
		{From: 3, To: 1, FromRoute: -1, ToRoute: -1, Type: 2, MinSeconds: 90}, {From: 3, To: 2, FromRoute: -1, ToRoute: -1, Type: 2, MinSeconds: 90},
	}
	if !slices.Equal(got, want) {
		t.Errorf("rules %+v\nwant %+v", got, want)
	}
}
