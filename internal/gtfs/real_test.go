package gtfs

import (
	"archive/zip"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"commonground/internal/testdata"
)

// realFeeds are the shared real feeds, with the stop counts the data
// README states (0: not stated).
var realFeeds = []struct {
	rel   string
	stops int
}{
	{"gtfs-canada/bradford_west_gwillimbury_gtfs.zip", 0},
	{"gtfs-canada/brockville_gtfs.zip", 0},
	{"gtfs-canada/medicine_hat_gtfs.zip", 0},
	{"gtfs-canada/mont-tremblant_gtfs.zip", 0},
	{"gtfs-canada/norfolk_county_gtfs.zip", 66},
	{"gtfs-canada/rouyn-noranda_gtfs.zip", 0},
	{"gtfs-canada/saguenay_gtfs.zip", 1628},
	{"gtfs-canada/trois_rivieres_gtfs.zip", 978},
	{"gtfs-canada/whitehorse_gtfs.zip", 161},
	{"porto-alegre/poa_eptc.zip", 3986},
	{"porto-alegre/poa_trensurb.zip", 0},
	{"sao-paulo/spo.zip", 0},
}

// csvTable reads a file of a zip with encoding/csv, independently of the
// package's own reader: header names trimmed of BOM and spaces, then rows as
// maps. Missing files give nil.
func csvTable(t *testing.T, zr *zip.ReadCloser, name string) []map[string]string {
	t.Helper()
	for _, zf := range zr.File {
		if zf.Name != name {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		cr := csv.NewReader(rc)
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		recs, err := cr.ReadAll()
		if err != nil && err != io.EOF {
			t.Fatalf("%s: %v", name, err)
		}
		head := recs[0]
		for i := range head {
			head[i] = strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff"))
		}
		var out []map[string]string
		for _, rec := range recs[1:] {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			m := map[string]string{}
			for i, v := range rec {
				if i < len(head) {
					m[head[i]] = strings.TrimSpace(v)
				}
			}
			out = append(out, m)
		}
		return out
	}
	return nil
}

// expectedRange works out the active date range by brute force over every
// date, from the calendar files read independently.
func expectedRange(t *testing.T, cal, dates []map[string]string) (first, last string) {
	t.Helper()
	parse := func(s string) time.Time {
		d, err := time.Parse("20060102", s)
		if err != nil {
			t.Fatalf("date %q: %v", s, err)
		}
		return d
	}
	lo, hi := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{}
	grow := func(d time.Time) {
		if d.Before(lo) {
			lo = d
		}
		if d.After(hi) {
			hi = d
		}
	}
	type exc struct{ svc, date string }
	excs := map[exc]string{}
	for _, r := range dates {
		excs[exc{r["service_id"], r["date"]}] = r["exception_type"]
		grow(parse(r["date"]))
	}
	calBy := map[string]map[string]string{}
	for _, r := range cal {
		if calBy[r["service_id"]] == nil {
			calBy[r["service_id"]] = r
		}
		grow(parse(r["start_date"]))
		grow(parse(r["end_date"]))
	}
	days := []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
	runs := func(d time.Time) bool {
		ds := d.Format("20060102")
		for svc, r := range calBy {
			e := excs[exc{svc, ds}]
			if e == "2" {
				continue
			}
			if ds >= r["start_date"] && ds <= r["end_date"] && r[days[d.Weekday()]] == "1" {
				return true
			}
		}
		for k, e := range excs {
			if k.date == ds && e == "1" {
				return true
			}
		}
		return false
	}
	for d := lo; !d.After(hi); d = d.AddDate(0, 0, 1) {
		if runs(d) {
			if first == "" {
				first = d.Format("2006-01-02")
			}
			last = d.Format("2006-01-02")
		}
	}
	return first, last
}

func TestRealFeeds(t *testing.T) {
	for _, rf := range realFeeds {
		t.Run(rf.rel, func(t *testing.T) {
			path := testdata.Shared(t, rf.rel)
			f, err := Read(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			zr, err := zip.OpenReader(path)
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			stops := csvTable(t, zr, "stops.txt")
			trips := csvTable(t, zr, "trips.txt")
			stopTimes := csvTable(t, zr, "stop_times.txt")
			freqs := csvTable(t, zr, "frequencies.txt")

			if rf.stops > 0 && len(f.Stops) != rf.stops {
				t.Errorf("%d stops, README says %d", len(f.Stops), rf.stops)
			}
			if len(f.Stops) != len(stops) {
				t.Errorf("%d stops, stops.txt has %d rows", len(f.Stops), len(stops))
			}
			// A trip is usable when trips.txt lists it and it has at least two
			// stop times (none of these feeds has times going backwards).
			inTrips := map[string]bool{}
			for _, r := range trips {
				inTrips[r["trip_id"]] = true
			}
			perTrip := map[string]int{}
			for _, r := range stopTimes {
				perTrip[r["trip_id"]]++
			}
			wantTrips, wantST := 0, 0
			for id, n := range perTrip {
				if inTrips[id] && n >= 2 {
					wantTrips++
					wantST += n
				}
			}
			if len(f.Trips) != wantTrips || len(f.StopTimes) != wantST {
				t.Errorf("%d trips, %d stop times; independent count %d, %d", len(f.Trips), len(f.StopTimes), wantTrips, wantST)
			}
			if f.Rows["stop_times.txt"] != len(stopTimes) || f.Rows["trips.txt"] != len(trips) {
				t.Errorf("rows read %v; stop_times.txt has %d, trips.txt %d", f.Rows, len(stopTimes), len(trips))
			}
			if len(f.Frequencies) != len(freqs) {
				t.Errorf("%d frequencies, frequencies.txt has %d rows", len(f.Frequencies), len(freqs))
			}
			wantFirst, wantLast := expectedRange(t, csvTable(t, zr, "calendar.txt"), csvTable(t, zr, "calendar_dates.txt"))
			first, last, ok := f.DateRange()
			if !ok || first.String() != wantFirst || last.String() != wantLast {
				t.Errorf("DateRange %v..%v (%v), independent %s..%s", first, last, ok, wantFirst, wantLast)
			}
			// Every trip's times run forward and point at real stops.
			for i, tr := range f.Trips {
				st := f.StopTimesOf(int32(i))
				for k, s := range st {
					if s.Stop < 0 || int(s.Stop) >= len(f.Stops) || s.Departure < s.Arrival || (k > 0 && (s.Arrival < st[k-1].Departure || s.Seq <= st[k-1].Seq)) {
						t.Fatalf("trip %s stop time %d = %+v after %+v", tr.ID, k, s, st[max(k-1, 0)])
					}
				}
			}
		})
	}
}

// TestRealQuirks pins what the data README promises about the quirks of
// particular feeds, so a regression in the tolerant reader shows by name.
func TestRealQuirks(t *testing.T) {
	tests := []struct {
		name, rel string
		check     func(*Feed) bool
	}{
		{"Whitehorse agency header has a space after each comma", "gtfs-canada/whitehorse_gtfs.zip",
			func(f *Feed) bool {
				return f.Agencies[0].Name == "City of Whitehorse - Transit" && f.Agencies[0].Timezone == "America/Whitehorse"
			}},
		{"Mont-Tremblant calendar header has a trailing space", "gtfs-canada/mont-tremblant_gtfs.zip",
			func(f *Feed) bool { return f.Services[0].ID == "ligne A" && f.Services[0].End == Date{2022, 3, 31} }},
		{"Norfolk times have one hour digit", "gtfs-canada/norfolk_county_gtfs.zip",
			func(f *Feed) bool {
				st := f.StopTimesOf(0)
				return f.Trips[0].ID == "B01" && st[0].Arrival == hms(9, 10, 0) && st[0].Departure == hms(9, 15, 0)
			}},
		{"Sao Paulo schedule is by headway", "sao-paulo/spo.zip",
			func(f *Feed) bool {
				fr := f.Frequencies[0]
				return f.Trips[fr.Trip].ID == "CPTM L07-0" && fr.Start == hms(4, 0, 0) && fr.End == hms(4, 59, 0) && fr.Headway == 720
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Read(testdata.Shared(t, tc.rel), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(f) {
				t.Errorf("quirk not handled: agencies %+v, first service %+v", f.Agencies, f.Services[0])
			}
		})
	}
}

func TestReadAllPortoAlegre(t *testing.T) {
	bus, rail := testdata.Shared(t, "porto-alegre/poa_eptc.zip"), testdata.Shared(t, "porto-alegre/poa_trensurb.zip")
	a, err := Read(bus, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Read(rail, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := ReadAll([]string{bus, rail}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stops) != len(a.Stops)+len(b.Stops) || len(f.Trips) != len(a.Trips)+len(b.Trips) || len(f.StopTimes) != len(a.StopTimes)+len(b.StopTimes) {
		t.Errorf("combined %d stops %d trips %d stop times, want the sums", len(f.Stops), len(f.Trips), len(f.StopTimes))
	}
	ids := map[string]bool{}
	for _, s := range f.Stops {
		if ids[s.ID] {
			t.Fatalf("stop id %s twice", s.ID)
		}
		ids[s.ID] = true
	}
	last := f.Trips[len(f.Trips)-1]
	if !strings.HasPrefix(last.ID, "poa_trensurb:") || f.Routes[last.Route].Type != 2 {
		t.Errorf("last trip %+v on route %+v, want a Trensurb rail trip", last, f.Routes[last.Route])
	}
	first, lastDay, _ := f.DateRange()
	if first != (Date{2019, 3, 1}) || lastDay != (Date{2019, 12, 31}) {
		t.Errorf("combined range %v..%v, want Trensurb's wider 2019-03-01..2019-12-31", first, lastDay)
	}
}
