package gtfs

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Time
		ok   bool
	}{
		{"two hour digits", "07:05:09", 7*3600 + 5*60 + 9, true},
		{"one hour digit", "7:05:00", 7*3600 + 5*60, true},
		{"spaces around", " 7:05:00 ", 7*3600 + 5*60, true},
		{"midnight", "00:00:00", 0, true},
		{"past midnight", "25:10:00", 25*3600 + 10*60, true},
		{"three hour digits", "100:00:01", 100*3600 + 1, true},
		{"empty", "", 0, false},
		{"no seconds", "07:05", 0, false},
		{"minutes 60", "07:60:00", 0, false},
		{"seconds 60", "07:00:60", 0, false},
		{"letters", "07:0a:00", 0, false},
		{"negative", "-1:00:00", 0, false},
		{"one minute digit", "07:5:00", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTime(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("ParseTime(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrTime) {
				t.Errorf("error %v is not ErrTime", err)
			}
		})
	}
}

func TestTimeString(t *testing.T) {
	for _, tc := range []struct {
		in   Time
		want string
	}{{0, "00:00:00"}, {hms(7, 5, 9), "07:05:09"}, {hms(25, 10, 0), "25:10:00"}, {-60, "-00:01:00"}} {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("%d.String() = %q, want %q", int(tc.in), got, tc.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		name, in string
		want     Date
		ok       bool
	}{
		{"GTFS form", "20240229", Date{2024, 2, 29}, true},
		{"typed form", "2024-02-29", Date{2024, 2, 29}, true},
		{"not a leap year", "20230229", Date{}, false},
		{"garbage", "next week", Date{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDate(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("ParseDate(%q) = %v, %v", tc.in, got, err)
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	d := Date{2024, 2, 28}
	if got := d.AddDays(2); got != (Date{2024, 3, 1}) {
		t.Errorf("AddDays across leap day = %v", got)
	}
	if got := d.Weekday(); got != time.Wednesday {
		t.Errorf("2024-02-28 is a %v, want Wednesday", got)
	}
	if !d.Before(Date{2024, 3, 1}) || (Date{2024, 3, 1}).Before(d) || d.Before(d) {
		t.Error("Before is wrong")
	}
	if got := daysBetween(Date{2023, 12, 31}, Date{2024, 3, 1}); got != 61 {
		t.Errorf("daysBetween = %d, want 61", got)
	}
}

func TestServiceRuns(t *testing.T) {
	// Weekends of March 2024 (1 March is a Friday), minus Saturday 9th, plus
	// Wednesday 13th.
	s := Service{Days: [7]bool{5: true, 6: true}, Start: Date{2024, 3, 1}, End: Date{2024, 3, 31},
		Added: []Date{{2024, 3, 13}}, Removed: []Date{{2024, 3, 9}}}
	tests := []struct {
		name string
		d    Date
		want bool
	}{
		{"Friday 1st", Date{2024, 3, 1}, false},
		{"Saturday 2nd", Date{2024, 3, 2}, true},
		{"Sunday 3rd", Date{2024, 3, 3}, true},
		{"removed Saturday 9th", Date{2024, 3, 9}, false},
		{"added Wednesday 13th", Date{2024, 3, 13}, true},
		{"Sunday 31st", Date{2024, 3, 31}, true},
		{"Saturday after the end", Date{2024, 4, 6}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.Runs(tc.d); got != tc.want {
				t.Errorf("Runs(%v) = %v", tc.d, got)
			}
		})
	}
	first, last, ok := s.activeRange()
	if !ok || first != (Date{2024, 3, 2}) || last != (Date{2024, 3, 31}) {
		t.Errorf("activeRange = %v %v %v, want 2024-03-02 2024-03-31", first, last, ok)
	}
	never := Service{Start: Date{2024, 3, 1}, End: Date{2024, 3, 31}}
	if _, _, ok := never.activeRange(); ok {
		t.Error("a service with no day set has an active range")
	}
}

func TestRouteTypeName(t *testing.T) {
	for in, want := range map[int]string{0: "tram", 2: "rail", 3: "bus", 700: "bus", 715: "bus", 109: "rail", 1000: "ferry", 42: "type 42"} {
		if got := RouteTypeName(in); got != want {
			t.Errorf("RouteTypeName(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestGroupDigits(t *testing.T) {
	for in, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1853359: "1,853,359", -12345: "-12,345"} {
		if got := group(in); got != want {
			t.Errorf("group(%d) = %q, want %q", in, got, want)
		}
	}
}

func ExampleParseTime() {
	t, _ := ParseTime("25:10:00") // ten past one at night, on the previous day's service
	fmt.Println(int(t), t)
	// Output: 90600 25:10:00
}

// TestWithTrips keeps trips 0 and 2 of three: their stop times, the
// frequency of trip 2 and the transfer between them come along with the new
// trip numbers; the frequency and transfer naming trip 1 go.
func TestWithTrips(t *testing.T) {
	f := &Feed{
		Stops: []Stop{{ID: "a"}, {ID: "b"}, {ID: "c"}},
		Trips: []Trip{{ID: "t0", First: 0, Last: 2}, {ID: "t1", First: 2, Last: 4}, {ID: "t2", First: 4, Last: 7}},
		StopTimes: []StopTime{
			{Stop: 0, Arrival: 10}, {Stop: 1, Arrival: 20},
			{Stop: 1, Arrival: 30}, {Stop: 2, Arrival: 40},
			{Stop: 0, Arrival: 50}, {Stop: 1, Arrival: 60}, {Stop: 2, Arrival: 70},
		},
		Frequencies: []Frequency{{Trip: 1, Headway: 600}, {Trip: 2, Headway: 900}},
		Transfers: []Transfer{
			{From: 1, To: 1, FromRoute: -1, ToRoute: -1, FromTrip: 0, ToTrip: 2},
			{From: 1, To: 1, FromRoute: -1, ToRoute: -1, FromTrip: 1, ToTrip: -1},
			{From: 0, To: 2, FromRoute: -1, ToRoute: -1, FromTrip: -1, ToTrip: -1},
		},
	}
	g := f.WithTrips([]bool{true, false, true})
	if len(g.Trips) != 2 || g.Trips[0].ID != "t0" || g.Trips[1].ID != "t2" {
		t.Fatalf("trips %+v", g.Trips)
	}
	var arr []int
	for ti := range g.Trips {
		for _, st := range g.StopTimesOf(int32(ti)) {
			arr = append(arr, int(st.Arrival))
		}
	}
	if fmt.Sprint(arr) != "[10 20 50 60 70]" {
		t.Errorf("stop times %v, want [10 20 50 60 70]", arr)
	}
	if len(g.Frequencies) != 1 || g.Frequencies[0].Trip != 1 || g.Frequencies[0].Headway != 900 {
		t.Errorf("frequencies %+v, want trip 1 (was 2) every 900 s", g.Frequencies)
	}
	if len(g.Transfers) != 2 || g.Transfers[0].FromTrip != 0 || g.Transfers[0].ToTrip != 1 || g.Transfers[1].FromTrip != -1 {
		t.Errorf("transfers %+v", g.Transfers)
	}
	if len(f.Trips) != 3 || len(f.StopTimes) != 7 || f.Frequencies[1].Trip != 2 {
		t.Error("WithTrips changed the feed it was given")
	}
}
