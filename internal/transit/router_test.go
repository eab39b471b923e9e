package transit

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"commonground/internal/gtfs"
)

func hms(h, m, s int) Time { return Time(h*3600 + m*60 + s) }

// stops makes n stops named A, B, C... on a line 1 km apart.
func stops(n int) []Stop {
	out := make([]Stop, n)
	for i := range out {
		out[i] = Stop{ID: string(rune('A' + i)), Point: orb.Point{0.01 * float64(i), 0}}
	}
	return out
}

// trip makes a trip that arrives and leaves at the same time at each stop.
func trip(id string, s []StopID, times ...Time) Trip {
	return Trip{ID: id, Stops: s, Arrivals: times, Departures: times}
}

// minutes turns travel times in minutes into seconds; -1 means Unreachable.
func minutes(ms ...float64) []int32 {
	out := make([]int32, len(ms))
	for i, m := range ms {
		out[i] = Unreachable
		if m >= 0 {
			out[i] = int32(math.Round(m * 60))
		}
	}
	return out
}

func TestRangeHandWorked(t *testing.T) {
	const A, B, C, D = StopID(0), StopID(1), StopID(2), StopID(3)
	noSlack := Options{MaxTransfers: 2, MaxTripSeconds: 7200}
	withSlack := noSlack
	withSlack.BoardSlack = 60
	direct := Timetable{Stops: stops(3), Trips: []Trip{
		trip("T1", []StopID{A, B, C}, hms(8, 0, 0), hms(8, 10, 0), hms(8, 20, 0)),
	}}
	// Route 1 A->B arrives 08:10; a 3-minute footpath B->C; route 2 C->D
	// leaves at 08:12 (missed), 08:13 (caught without slack) and 08:20.
	transfer := Timetable{Stops: stops(4), Trips: []Trip{
		trip("R1", []StopID{A, B}, hms(8, 0, 0), hms(8, 10, 0)),
		trip("R2a", []StopID{C, D}, hms(8, 12, 0), hms(8, 22, 0)),
		trip("R2b", []StopID{C, D}, hms(8, 13, 0), hms(8, 23, 0)),
		trip("R2c", []StopID{C, D}, hms(8, 20, 0), hms(8, 30, 0)),
	}, Transfers: [][]Transfer{nil, {{To: C, Seconds: 180}}, nil, nil}}
	// A local leaves A at 08:00 and reaches B at 08:30; an express leaves at
	// 08:05 and arrives at 08:15, overtaking it.
	overtake := Timetable{Stops: stops(2), Trips: []Trip{
		trip("local", []StopID{A, B}, hms(8, 0, 0), hms(8, 30, 0)),
		trip("express", []StopID{A, B}, hms(8, 5, 0), hms(8, 15, 0)),
	}}
	// Three rides A->B->C->D arrive at 08:45; one slow ride A->D at 09:30.
	chain := Timetable{Stops: stops(4), Trips: []Trip{
		trip("AB", []StopID{A, B}, hms(8, 0, 0), hms(8, 10, 0)),
		trip("BC", []StopID{B, C}, hms(8, 15, 0), hms(8, 25, 0)),
		trip("CD", []StopID{C, D}, hms(8, 30, 0), hms(8, 45, 0)),
		trip("slow", []StopID{A, D}, hms(8, 1, 0), hms(9, 30, 0)),
	}}
	maxTransfers := func(n int) Options { o := noSlack; o.MaxTransfers = n; return o }

	cases := []struct {
		name     string
		tt       Timetable
		opt      Options
		access   []StopWalk
		egress   []StopWalk // to the single destination
		direct   []float64
		from, to Time
		want     []int32
		patterns int
	}{
		{
			// Walk 2 min to A, ride to C (08:20), walk 1 min: arrive 08:21.
			name: "direct trip", tt: direct, opt: noSlack,
			access: []StopWalk{{A, 120}}, egress: []StopWalk{{C, 60}},
			from: hms(7, 50, 0), to: hms(8, 0, 0),
			want: minutes(31, 30, 29, 28, 27, 26, 25, 24, 23, -1), patterns: 1,
		},
		{
			// With a minute of boarding slack one must reach A by 07:59.
			name: "direct trip with boarding slack", tt: direct, opt: withSlack,
			access: []StopWalk{{A, 120}}, egress: []StopWalk{{C, 60}},
			from: hms(7, 56, 0), to: hms(7, 59, 0),
			want: minutes(25, 24, -1), patterns: 1,
		},
		{
			// Walk rounded up: 119.2 s access counts as 120 s.
			name: "walk seconds rounded up", tt: direct, opt: noSlack,
			access: []StopWalk{{A, 119.2}}, egress: []StopWalk{{C, 59.5}},
			from: hms(7, 58, 0), to: hms(7, 59, 0),
			want: minutes(23), patterns: 1,
		},
		{
			// 08:10 at B, 08:13 at C, catch R2b, arrive D 08:23.
			name: "transfer with footpath", tt: transfer, opt: noSlack,
			access: []StopWalk{{A, 0}}, egress: []StopWalk{{D, 0}},
			from: hms(8, 0, 0), to: hms(8, 1, 0),
			want: minutes(23), patterns: 2,
		},
		{
			// Slack: need 08:14 at C, so R2c and D at 08:30; from 07:59 the
			// slack also holds at A (07:59 + 1 min = 08:00 is in time).
			name: "transfer with footpath and slack", tt: transfer, opt: withSlack,
			access: []StopWalk{{A, 0}}, egress: []StopWalk{{D, 0}},
			from: hms(7, 59, 0), to: hms(8, 1, 0),
			want: minutes(31, -1), patterns: 2,
		},
		{
			name: "transfer needs one change", tt: transfer, opt: maxTransfers(0),
			access: []StopWalk{{A, 0}}, egress: []StopWalk{{D, 0}},
			from: hms(8, 0, 0), to: hms(8, 1, 0),
			want: minutes(-1), patterns: 2,
		},
		{
			// 07:59: the express (08:15) beats the local (08:30); 08:03
			// still the express; 08:06 nothing left.
			name: "overtaking express", tt: overtake, opt: noSlack,
			access: []StopWalk{{A, 0}}, egress: []StopWalk{{B, 0}},
			from: hms(7, 59, 0), to: hms(8, 7, 0),
			want: minutes(16, 15, 14, 13, 12, 11, 10, -1), patterns: 2,
		},
		{
			name: "two transfers allowed", tt: chain, opt: maxTransfers(2),
			access: []StopWalk{{A, 0}}, egress: []StopWalk{{D, 0}},
			from: hms(7, 59, 0), to: hms(8, 3, 0),
			want: minutes(46, 45, 89, -1), patterns: 4,
		},
		{
			// Only the slow ride fits one transfer or none.
			name: "one transfer allowed", tt: chain, opt: maxTransfers(1),
			access: []StopWalk{{A, 0}}, egress: []StopWalk{{D, 0}},
			from: hms(7, 59, 0), to: hms(8, 3, 0),
			want: minutes(91, 90, 89, -1), patterns: 4,
		},
		{
			name: "walking beats transit", tt: direct, opt: noSlack,
			access: []StopWalk{{A, 120}}, egress: []StopWalk{{C, 60}},
			direct: []float64{25.5 * 60},
			from:   hms(7, 50, 0), to: hms(8, 0, 0),
			want: minutes(25.5, 25.5, 25.5, 25.5, 25.5, 25.5, 25, 24, 23, 25.5), patterns: 1,
		},
		{
			// A walk longer than MaxTripSeconds is no option.
			name: "too long to walk", tt: direct, opt: Options{MaxTripSeconds: 1200},
			access: []StopWalk{{A, 0}}, egress: []StopWalk{{C, 0}},
			direct: []float64{1300},
			from:   hms(7, 59, 0), to: hms(8, 1, 0),
			want: minutes(-1, 20), patterns: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := NewRouter(&c.tt, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Patterns(); got != c.patterns {
				t.Errorf("patterns = %d, want %d", got, c.patterns)
			}
			eg, err := r.NewEgress([][]StopWalk{c.egress})
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.Range(c.access, c.from, c.to, 60, eg, c.direct)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Times[0], c.want) {
				t.Errorf("times = %v\nwant    %v", res.Times[0], c.want)
			}
		})
	}
}

// TestRangeMatchesSingleDepartures checks that reusing labels across the
// window (rRAPTOR) gives what a fresh search per departure gives, on the
// chain timetable where transfer limits make round labels matter.
func TestRangeMatchesSingleDepartures(t *testing.T) {
	tt := &Timetable{Stops: stops(4), Trips: []Trip{
		trip("AB", []StopID{0, 1}, hms(8, 0, 0), hms(8, 10, 0)),
		trip("BC", []StopID{1, 2}, hms(8, 15, 0), hms(8, 25, 0)),
		trip("CD", []StopID{2, 3}, hms(8, 30, 0), hms(8, 45, 0)),
		trip("AD", []StopID{0, 3}, hms(7, 30, 0), hms(8, 50, 0)),
		trip("BD", []StopID{1, 3}, hms(8, 20, 0), hms(8, 55, 0)),
	}}
	for _, mt := range []int{0, 1, 2} {
		r, err := NewRouter(tt, Options{MaxTransfers: mt, MaxTripSeconds: 7200})
		if err != nil {
			t.Fatal(err)
		}
		eg, _ := r.NewEgress([][]StopWalk{{{3, 0}}, {{2, 0}}})
		acc := []StopWalk{{0, 0}}
		res, _ := r.Range(acc, hms(7, 0, 0), hms(8, 10, 0), 60, eg, nil)
		for i := range res.Times[0] {
			dep := hms(7, 0, 0) + Time(i*60)
			one, _ := r.Range(acc, dep, dep+1, 60, eg, nil)
			for j := range res.Times {
				if one.Times[j][0] != res.Times[j][i] {
					t.Fatalf("max transfers %d, departure %v, destination %d: window gives %d, single departure %d", mt, dep, j, res.Times[j][i], one.Times[j][0])
				}
			}
		}
	}
}

func TestPercentiles(t *testing.T) {
	res := &Result{Times: [][]int32{{50, 10, 40, 20, 30}, {5, Unreachable, Unreachable, 7}}}
	cases := []struct {
		name string
		j    int
		p    float64
		want int32
	}{
		{"median of five", 0, 50, 30},
		{"p25 of five", 0, 25, 20},   // ceil(1.25)-1 = 1
		{"p75 of five", 0, 75, 40},   // ceil(3.75)-1 = 3
		{"p100 of five", 0, 100, 50}, // the largest
		{"p0 of five", 0, 0, 10},
		{"median half unreachable", 1, 50, 7}, // ceil(2)-1 = 1
		{"p75 half unreachable", 1, 75, Unreachable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := res.Percentiles(c.j, c.p)[0]; got != c.want {
				t.Errorf("got %d, want %d", got, c.want)
			}
		})
	}
}

// tinyFeed is a two-stop feed: trip F (frequency template A 07:00 -> B
// 07:05, repeated every 10 minutes 07:00-09:00) on weekday service W, and
// trip N (A 24:30:00 -> B 24:40:00) on Monday-only service M.
func tinyFeed() *gtfs.Feed {
	d := func(y int, m time.Month, day int) gtfs.Date { return gtfs.Date{Year: y, Month: m, Day: day} }
	return &gtfs.Feed{
		Source: "tiny",
		Stops:  []gtfs.Stop{{ID: "A", Lat: 0, Lon: 0, Parent: -1}, {ID: "B", Lat: 0, Lon: 0.01, Parent: -1}},
		Routes: []gtfs.Route{{ID: "R", Type: 3}},
		Trips: []gtfs.Trip{
			{ID: "F", Route: 0, Service: 0, First: 0, Last: 2},
			{ID: "N", Route: 0, Service: 1, First: 2, Last: 4},
		},
		StopTimes: []gtfs.StopTime{
			{Stop: 0, Arrival: 7 * 3600, Departure: 7 * 3600, Seq: 1},
			{Stop: 1, Arrival: 7*3600 + 300, Departure: 7*3600 + 300, Seq: 2},
			{Stop: 0, Arrival: 24*3600 + 1800, Departure: 24*3600 + 1800, Seq: 1},
			{Stop: 1, Arrival: 24*3600 + 2400, Departure: 24*3600 + 2400, Seq: 2},
		},
		Services: []gtfs.Service{
			{ID: "W", Days: [7]bool{true, true, true, true, true}, Start: d(2019, 4, 1), End: d(2019, 4, 30)},
			{ID: "M", Days: [7]bool{true}, Start: d(2019, 4, 1), End: d(2019, 4, 30)},
		},
		Frequencies: []gtfs.Frequency{{Trip: 0, Start: 7 * 3600, End: 9 * 3600, Headway: 600}},
	}
}

func TestFromFeed(t *testing.T) {
	monday := gtfs.Date{Year: 2019, Month: time.April, Day: 15}
	tuesday := monday.AddDays(1)
	sunday := monday.AddDays(-1)
	cases := []struct {
		name      string
		date      gtfs.Date
		exact     bool
		from, to  Time
		wantDay   Day
		wantMed   int32 // median over the window, seconds
		wantP25   int32
		wantP75   int32
		wantFirst int32
	}{
		{
			// Every 10 min, ride 5 min: over 07:00-08:00 the waits are
			// 0,9,8,...,1 six times, so times 5..14 min six times each;
			// median = sorted[29] = 9 min, p25 = sorted[14] = 7 min,
			// p75 = sorted[44] = 12 min.
			name: "frequency headway 10 min", date: monday,
			from: hms(7, 0, 0), to: hms(8, 0, 0),
			wantDay: Day{Date: monday, Frequency: 12, Scheduled: 1},
			wantMed: 540, wantP25: 420, wantP75: 720, wantFirst: 300,
		},
		{
			name: "frequency exact times", date: monday, exact: true,
			from: hms(7, 0, 0), to: hms(8, 0, 0),
			wantDay: Day{Date: monday, Frequency: 12, Scheduled: 1},
			wantMed: 540, wantP25: 420, wantP75: 720, wantFirst: 300,
		},
		{
			// Monday's 24:30:00 trip runs at 00:30 on Tuesday: leaving
			// 00:20 arrives 00:40, 20 minutes; from 00:30 10 minutes.
			name: "service after midnight", date: tuesday,
			from: hms(0, 20, 0), to: hms(0, 31, 0),
			wantDay: Day{Date: tuesday, Frequency: 12, PreviousDay: 1},
			wantMed: 900, wantP25: 720, wantP75: 1080, wantFirst: 1200,
		},
		{
			// On Monday itself the trip is at 24:30, not 00:30.
			name: "no service after midnight from Sunday", date: monday,
			from: hms(0, 20, 0), to: hms(0, 31, 0),
			wantDay: Day{Date: monday, Frequency: 12, Scheduled: 1},
			wantMed: Unreachable, wantP25: Unreachable, wantP75: Unreachable, wantFirst: Unreachable,
		},
		{
			// The same trip seen from Monday: reachable at 24:30.
			name: "trip past midnight on its own day", date: monday,
			from: hms(24, 20, 0), to: hms(24, 21, 0),
			wantDay: Day{Date: monday, Frequency: 12, Scheduled: 1},
			wantMed: 1200, wantP25: 1200, wantP75: 1200, wantFirst: 1200,
		},
		{
			name: "Sunday has nothing", date: sunday,
			from: hms(7, 0, 0), to: hms(8, 0, 0),
			wantDay: Day{Date: sunday}, wantMed: -2,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := tinyFeed()
			f.Frequencies[0].ExactTimes = c.exact
			tt, day, err := FromFeed(f, c.date)
			if day != c.wantDay {
				t.Errorf("day = %+v, want %+v", day, c.wantDay)
			}
			if c.wantMed == -2 {
				if err == nil || !strings.Contains(err.Error(), "2019-04-01 to 2019-04-30") {
					t.Fatalf("err = %v, want one naming the service range", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewRouter(tt, Options{MaxTripSeconds: 7200})
			if err != nil {
				t.Fatal(err)
			}
			eg, _ := r.NewEgress([][]StopWalk{{{1, 0}}})
			res, err := r.Range([]StopWalk{{0, 0}}, c.from, c.to, 60, eg, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := res.Percentiles(0, 25, 50, 75)
			if want := []int32{c.wantP25, c.wantMed, c.wantP75}; !slices.Equal(got, want) {
				t.Errorf("p25, median, p75 = %v, want %v (times %v)", got, want, res.Times[0])
			}
			if res.Times[0][0] != c.wantFirst {
				t.Errorf("first departure takes %d s, want %d", res.Times[0][0], c.wantFirst)
			}
		})
	}
}

func TestNewRouterErrors(t *testing.T) {
	good := trip("T", []StopID{0, 1}, hms(8, 0, 0), hms(8, 10, 0))
	cases := []struct {
		name string
		tt   Timetable
		opt  Options
		want string
	}{
		{"no trips", Timetable{Stops: stops(2)}, DefaultOptions(), "no trips"},
		{"bad max trip", Timetable{Stops: stops(2), Trips: []Trip{good}}, Options{}, "MaxTripSeconds is 0"},
		{"negative transfers", Timetable{Stops: stops(2), Trips: []Trip{good}}, Options{MaxTransfers: -1, MaxTripSeconds: 1}, "MaxTransfers is -1"},
		{"time goes back", Timetable{Stops: stops(2), Trips: []Trip{trip("X9", []StopID{0, 1}, hms(8, 0, 0), hms(7, 0, 0))}}, DefaultOptions(), "trip X9 arrives at stop 2"},
		{"unknown stop", Timetable{Stops: stops(2), Trips: []Trip{trip("X8", []StopID{0, 5}, hms(8, 0, 0), hms(9, 0, 0))}}, DefaultOptions(), "trip X8 stop 2 is stop index 5"},
		{"lengths differ", Timetable{Stops: stops(2), Trips: []Trip{{ID: "X7", Stops: []StopID{0, 1}, Arrivals: []Time{1}, Departures: []Time{1, 2}}}}, DefaultOptions(), "trip X7 has 2 stops, 1 arrivals"},
		{"transfer to nowhere", Timetable{Stops: stops(2), Trips: []Trip{good}, Transfers: [][]Transfer{{{To: 9, Seconds: 1}}, nil}}, DefaultOptions(), "transfer from stop A goes to stop index 9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewRouter(&c.tt, c.opt)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestStraightTransfers(t *testing.T) {
	// A and B 1 km apart on the equator (0.01 degree = 1111.95 m), C 2 km.
	got := StraightTransfers(stops(3), 1200, 1.0, 1.3)
	d := 0.01 * math.Pi / 180 * 6371008.8
	want := ceilSeconds(d * 1.3)
	if len(got[0]) != 1 || got[0][0].To != 1 || got[0][0].Seconds != want {
		t.Errorf("from A: %v, want B in %d s", got[0], want)
	}
	if len(got[1]) != 2 {
		t.Errorf("from B: %v, want A and C", got[1])
	}
}
