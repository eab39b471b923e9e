package gtfs

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"commonground/internal/testdata"
)

func readBase(t *testing.T, extra map[string]string) *Feed {
	t.Helper()
	f, err := Read(writeFeed(t, overlay(baseFeed, extra), false), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func readRealFeed(t *testing.T, rel string) *Feed {
	t.Helper()
	f, err := Read(testdata.Shared(t, rel), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestProfile checks trips per hour against values worked by hand from
// baseFeed (see its comment). Stops are S1 S2 S3 ST S4, routes R1 R2.
func TestProfile(t *testing.T) {
	plain := readBase(t, nil)
	freq := readBase(t, map[string]string{"frequencies.txt": "trip_id,start_time,end_time,headway_secs\nT2,07:00:00,08:00:00,600\n"})
	smallHours := Window{"Sunday small hours", sunday, 0, 2 * 3600}
	earlyPeak := Window{"early peak", weekdays, 7 * 3600, 7*3600 + 1800}
	tests := []struct {
		name   string
		feed   *Feed
		week   Week
		window Window
		dates  int
		trips  float64
		stops  []float64
		routes []float64
	}{
		// Per weekday T1 leaves S1 08:00, S2 08:02:30; T2 leaves S1 07:05,
		// S2 07:12:30, S3 07:20 (placed by distance, see TestReadBaseFeed).
		// Last stops are not counted. Over 2 hours.
		{"weekday peak", plain, WeekOf(Date{2024, 1, 10}), DefaultWindows()[0], 5, 1, []float64{1, 1, 0.5, 0, 0}, []float64{1, 0}},
		{"weekday evening is empty", plain, WeekOf(Date{2024, 1, 10}), DefaultWindows()[1], 5, 0, []float64{0, 0, 0, 0, 0}, []float64{0, 0}},
		// Monday 15th is removed: 4 of 5 days run.
		{"weekday peak with a removed Monday", plain, WeekOf(Date{2024, 1, 15}), DefaultWindows()[0], 5, 0.8, []float64{0.8, 0.8, 0.4, 0, 0}, []float64{0.8, 0}},
		// T3 at 24:50 on Saturday's service is Sunday 00:50.
		{"past midnight counts on the next day", plain, WeekOf(Date{2024, 1, 10}), smallHours, 1, 0.5, []float64{0.5, 0, 0, 0, 0}, []float64{0, 0.5}},
		{"Saturday daytime has none", plain, WeekOf(Date{2024, 1, 10}), DefaultWindows()[2], 1, 0, []float64{0, 0, 0, 0, 0}, []float64{0, 0}},
		// T2 every 10 minutes 07:00-07:50 (6 trips) plus T1.
		{"frequencies expanded", freq, WeekOf(Date{2024, 1, 10}), DefaultWindows()[0], 5, 3.5, []float64{3.5, 3.5, 3, 0, 0}, []float64{3.5, 0}},
		// Starts 07:00, 07:10, 07:20. S2 is passed 7.5 min later (07:07:30,
		// 07:17:30, 07:27:30: all three before 07:30, 6/h); S3 15 min later
		// (07:15, 07:25 and 07:35: two, 4/h).
		{"frequencies in a half hour", freq, WeekOf(Date{2024, 1, 10}), earlyPeak, 5, 6, []float64{6, 6, 4, 0, 0}, []float64{6, 0}},
		{"one date leaves other days out", plain, OnDate(Date{2024, 1, 13}), DefaultWindows()[0], 0, 0, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.feed.Profile(tc.week, []Window{tc.window})
			wp := p.Windows[0]
			if len(wp.Dates) != tc.dates || !near(wp.Trips, tc.trips) {
				t.Errorf("%d dates, %v trips/h; want %d, %v", len(wp.Dates), wp.Trips, tc.dates, tc.trips)
			}
			if len(wp.Stops) != len(tc.stops) || len(wp.Routes) != len(tc.routes) {
				t.Fatalf("stops %v routes %v; want %v %v", wp.Stops, wp.Routes, tc.stops, tc.routes)
			}
			for i := range tc.stops {
				if !near(wp.Stops[i], tc.stops[i]) {
					t.Errorf("stops %v, want %v", wp.Stops, tc.stops)
					break
				}
			}
			for i := range tc.routes {
				if !near(wp.Routes[i], tc.routes[i]) {
					t.Errorf("routes %v, want %v", wp.Routes, tc.routes)
					break
				}
			}
		})
	}
}

func TestProfileWarnings(t *testing.T) {
	f := readBase(t, nil)
	tests := []struct {
		name string
		week Week
		want []string
	}{
		{"inside", OnDate(Date{2024, 1, 10}), nil},
		{"after the end", OnDate(Date{2025, 1, 1}), []string{"2025-01-01 is outside the feed's service dates (2024-01-01 to 2024-02-01): no trips run then"}},
		{"week straddling the end", WeekOf(Date{2024, 2, 1}), []string{"2024-02-02 is outside", "2024-02-03 is outside", "2024-02-04 is outside"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := f.Profile(tc.week, DefaultWindows())
			if len(p.Warnings) != len(tc.want) {
				t.Fatalf("warnings %q, want %d", p.Warnings, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(p.Warnings[i], w) {
					t.Errorf("warning %q, want %q", p.Warnings[i], w)
				}
			}
			if p.First != (Date{2024, 1, 1}) || p.Last != (Date{2024, 2, 1}) {
				t.Errorf("range %v..%v", p.First, p.Last)
			}
		})
	}
}

func TestTypicalWeek(t *testing.T) {
	// Full weeks inside 2024-01-01..02-01 start on Jan 1 (3rd removed: 4x2
	// weekday trips + 1 Saturday = 9), Jan 8 (11), Jan 15 (9), Jan 22 (11):
	// the earliest busiest is Jan 8.
	tests := []struct {
		name  string
		extra map[string]string
		want  Date
	}{
		{"busiest full week, earliest on a tie", nil, Date{2024, 1, 8}},
		// An extra Saturday service on Wednesday 17th: without frequencies
		// the week of the 15th has 8+1+1 = 10 trips, with T3 every 10 minutes
		// for 2 hours it has 8+12+12 = 32 against 10+12 = 22.
		{"frequency trips counted per departure", map[string]string{
			"calendar_dates.txt": baseFeed["calendar_dates.txt"] + "SAT,20240117,1\n",
			"frequencies.txt":    "trip_id,start_time,end_time,headway_secs\nT3,24:00:00,26:00:00,600\n",
		}, Date{2024, 1, 15}},
		{"without frequencies the extra day is not enough", map[string]string{
			"calendar_dates.txt": baseFeed["calendar_dates.txt"] + "SAT,20240117,1\n",
		}, Date{2024, 1, 8}},
		{"a removed weekday moves it", map[string]string{"calendar_dates.txt": baseFeed["calendar_dates.txt"] + "WK,20240109,2\n"}, Date{2024, 1, 22}},
		{"range shorter than a week", map[string]string{
			"calendar.txt":       "",
			"calendar_dates.txt": "service_id,date,exception_type\nWK,20240110,1\nSAT,20240111,1\n",
		}, Date{2024, 1, 8}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := readBase(t, tc.extra)
			w, ok := f.TypicalWeek()
			if !ok || w != WeekOf(tc.want) {
				t.Errorf("TypicalWeek = %v (%v), want the week of %v", w[0], ok, tc.want)
			}
		})
	}
}

func TestWeek(t *testing.T) {
	w := WeekOf(Date{2024, 1, 14}) // a Sunday
	if w[0] != (Date{2024, 1, 8}) || w[6] != (Date{2024, 1, 14}) {
		t.Errorf("WeekOf(Sunday 14th) = %v..%v", w[0], w[6])
	}
	o := OnDate(Date{2024, 1, 13})
	if !reflect.DeepEqual(o.Dates(), []Date{{2024, 1, 13}}) || o[5] != (Date{2024, 1, 13}) {
		t.Errorf("OnDate = %v", o)
	}
}

func TestTop(t *testing.T) {
	got := Top([]float64{1, 3, 0, 3, 2}, 3)
	want := []Rank{{1, 3}, {3, 3}, {4, 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Top = %v, want %v", got, want)
	}
	if got := Top([]float64{0, 0}, 3); len(got) != 0 {
		t.Errorf("Top of zeros = %v", got)
	}
}

// TestProfileRealFrequencies checks Sao Paulo's headway schedule against an
// independent count: departures of each frequencies.txt row whose start
// falls in the weekday peak, from the rows themselves.
func TestProfileRealFrequencies(t *testing.T) {
	f := readRealFeed(t, "sao-paulo/spo.zip")
	w, ok := f.TypicalWeek()
	if !ok {
		t.Fatal("no typical week")
	}
	peak := DefaultWindows()[0]
	p := f.Profile(w, []Window{peak})
	// Every SPTrans service runs on weekdays in this feed; count departures
	// per weekday from each row, trip start in [07:00, 09:00).
	want := 0.0
	for _, fr := range f.Frequencies {
		if !f.Services[f.Trips[fr.Trip].Service].Days[0] {
			continue
		}
		for s := fr.Start; s < fr.End; s += Time(fr.Headway) {
			if s >= peak.Start && s < peak.End {
				want++
			}
		}
	}
	want /= peak.Hours()
	if got := p.Windows[0].Trips; !near(got, want) || want == 0 {
		t.Errorf("weekday peak %v trips/h, independent count %v", got, want)
	}
}
