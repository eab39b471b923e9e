package transit

import (
	"archive/zip"
	"encoding/csv"
	"io"
	"testing"

	"commonground/internal/gtfs"
	"commonground/internal/testdata"
)

// readZipCSV reads one file of a GTFS zip with encoding/csv into maps by
// header name, apart from the gtfs package.
func readZipCSV(tb testing.TB, path, name string) []map[string]string {
	tb.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer z.Close()
	f, err := z.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		tb.Fatal(err)
	}
	var out []map[string]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		m := map[string]string{}
		for i, h := range head {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
}

// TestSaoPauloFrequencies expands SPTrans's frequency-based schedule for a
// Wednesday and checks the trip counts against frequencies.txt read
// independently: per row, one trip per headway from start_time until before
// end_time; plus Tuesday's trips still running after midnight (a trip
// starting at s runs until s + its template's duration).
func TestSaoPauloFrequencies(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the Sao Paulo feed")
	}
	path := testdata.Shared(t, "sao-paulo/spo.zip")
	wed := gtfs.Date{Year: 2019, Month: 5, Day: 15}
	runs := map[string][2]bool{} // service_id -> runs Tuesday, Wednesday
	for _, c := range readZipCSV(t, path, "calendar.txt") {
		runs[c["service_id"]] = [2]bool{c["tuesday"] == "1", c["wednesday"] == "1"}
	}
	service := map[string]string{}
	for _, tr := range readZipCSV(t, path, "trips.txt") {
		service[tr["trip_id"]] = tr["service_id"]
	}
	first, last := map[string]Time{}, map[string]Time{}
	for _, st := range readZipCSV(t, path, "stop_times.txt") {
		id := st["trip_id"]
		if _, ok := first[id]; !ok {
			first[id] = clock(t, st["departure_time"])
		}
		last[id] = clock(t, st["arrival_time"]) // rows are in stop_sequence order
	}
	wantToday, wantPrev := 0, 0
	for _, fr := range readZipCSV(t, path, "frequencies.txt") {
		id := fr["trip_id"]
		r := runs[service[id]]
		start, end := clock(t, fr["start_time"]), clock(t, fr["end_time"])
		h := Time(atoi(t, fr["headway_secs"]))
		for s := start; s < end; s += h {
			if r[1] {
				wantToday++
			}
			if r[0] && s+last[id]-first[id] >= 86400 {
				wantPrev++
			}
		}
	}
	f, err := gtfs.Read(path, gtfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tt, day, err := FromFeed(f, wed)
	if err != nil {
		t.Fatal(err)
	}
	if day.Frequency != wantToday || day.PreviousDay != wantPrev || day.Scheduled != 0 {
		t.Errorf("day = %+v, want %d frequency and %d previous-day trips", day, wantToday, wantPrev)
	}
	if _, err := NewRouter(tt, DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d frequency trips, %d from Tuesday", day.Frequency, day.PreviousDay)
}

func atoi(tb testing.TB, s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			tb.Fatalf("%q is not a number", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}
