package study

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"commonground/internal/config"
	"commonground/internal/gtfs"
	"commonground/internal/transit"
)

// TestFeedDates combines the base rules feed (weekdays of April 2019) with
// a copy whose calendar runs through 2020: on 2019-04-15 the second feed
// has no service, a warning naming it, the date and its range, or with
// strict_dates an error; on a window dated 2020-01-06 it is the base that
// does not run.
func TestFeedDates(t *testing.T) {
	base := filepath.Join("..", "transit", "testdata", "rules", "base")
	later := filepath.Join(t.TempDir(), "later")
	if err := os.MkdirAll(later, 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(base, "*.txt"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if filepath.Base(f) == "calendar.txt" {
			b, _ = os.ReadFile(filepath.Join("..", "transit", "testdata", "rules", "feed_out_of_range", "calendar.txt"))
		}
		if err := os.WriteFile(filepath.Join(later, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	feed, err := gtfs.ReadAll([]string{base, later}, gtfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr := &config.Transit{Date: "2019-04-15", Windows: []config.Window{{Name: "a"}, {Name: "b", Date: "2020-01-06"}}}
	r := &Result{}
	if err := r.checkFeedDates(feed, tr); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GTFS feed later has no service on 2019-04-15 (it runs from 2020-01-01 to 2020-12-31)",
		"GTFS feed base has no service on 2020-01-06 (it runs from 2019-04-01 to 2019-04-30)",
	}
	if len(r.Notes) != len(want) {
		t.Fatalf("notes %q, want %d", r.Notes, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(r.Notes[i], w) {
			t.Errorf("note %q, want it to start %q", r.Notes[i], w)
		}
	}
	tr.StrictDates = true
	err = (&Result{}).checkFeedDates(feed, tr)
	if err == nil || !strings.Contains(err.Error(), "transit.strict_dates: "+want[0]) {
		t.Errorf("strict: err %v, want one naming the feed", err)
	}
}

// TestStopsServedBy: the rules base feed runs buses (route_type 3) at A, B
// and C; a station is never a park-and-ride stop.
func TestStopsServedBy(t *testing.T) {
	f, err := gtfs.Read(filepath.Join("..", "transit", "testdata", "rules", "base"), gtfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tt, _, err := transit.FromFeed(f, gtfs.Date{Year: 2019, Month: 4, Day: 15})
	if err != nil {
		t.Fatal(err)
	}
	tt.Stops[1].Station = true
	for _, c := range []struct {
		types []int
		want  []bool
	}{{nil, []bool{true, false, true}}, {[]int{2}, []bool{false, false, false}}, {[]int{3}, []bool{true, false, true}}} {
		if got := stopsServedBy(f, tt, c.types); !slices.Equal(got, c.want) {
			t.Errorf("route types %v: %v, want %v", c.types, got, c.want)
		}
	}
}
