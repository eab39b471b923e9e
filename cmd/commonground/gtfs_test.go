package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"commonground/internal/testdata"
)

func TestGTFSInspect(t *testing.T) {
	whitehorse := testdata.Shared(t, "gtfs-canada/whitehorse_gtfs.zip")
	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, "agency.txt"), []byte("agency_name,agency_timezone\nX,America/Toronto\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		code      int
		out, errs []string // each must appear
	}{
		{"help", []string{"gtfs", "--help"}, 0, nil, []string{"Usage: commonground gtfs inspect", "typical week"}},
		{"inspect help lists flags", []string{"gtfs", "inspect", "--help"}, 0, nil, []string{"-date", "-top", "exit status is 1 only"}},
		{"no subcommand", []string{"gtfs"}, 2, nil, []string{"Usage:"}},
		{"unknown subcommand", []string{"gtfs", "check"}, 2, nil, []string{`unknown gtfs command "check"`}},
		{"no feed", []string{"gtfs", "inspect"}, 2, nil, []string{"needs at least one feed"}},
		{"bad date", []string{"gtfs", "inspect", "--date", "tomorrow", whitehorse}, 2, nil, []string{`date "tomorrow" is not`}},
		{"Whitehorse typical week", []string{"gtfs", "inspect", whitehorse}, 0, []string{
			"City of Whitehorse - Transit (America/Whitehorse)",
			"stops                    161 ",
			"trips                    111 usable of 112 in trips.txt",
			"Service dates: 2020-02-04 to 2021-02-01",
			"typical week (2020-02-10 to 2020-02-16",
			"weekday peak 07:00-09:00: ",
			"1 × skipped: trips.txt: trip has fewer than two stop times",
			"trips.txt line 113: id R6_mf_27",
		}, nil},
		{"date after the feed, flag after the feed", []string{"gtfs", "inspect", whitehorse, "--date", "2030-01-07"}, 0, []string{
			"Trips per hour on 2030-01-07 (Monday)",
			"warning: 2030-01-07 is outside the feed's service dates (2020-02-04 to 2021-02-01)",
			"Saturday 09:00-18:00: not counted",
		}, nil},
		{"Saturday date", []string{"gtfs", "inspect", "--date", "2020-06-06", "--top", "1", whitehorse}, 0, []string{
			"Saturday 09:00-18:00: 4.0 trips/h",
			"weekday peak 07:00-09:00: not counted",
		}, nil},
		{"unusable feed", []string{"gtfs", "inspect", broken}, 1, nil, []string{"error: read " + broken, "missing required file stops.txt"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o, e bytes.Buffer
			code := Main(context.Background(), tc.args, &o, &e)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, e.String())
			}
			for _, s := range tc.out {
				if !strings.Contains(o.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, o.String())
				}
			}
			for _, s := range tc.errs {
				if !strings.Contains(e.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, e.String())
				}
			}
		})
	}
}

// TestGTFSInspectCombined reads bus and rail together: ids are namespaced
// and the counts add up (115 EPTC bus routes + 2 Trensurb rail lines).
func TestGTFSInspectCombined(t *testing.T) {
	var o, e bytes.Buffer
	code := Main(context.Background(), []string{"gtfs", "inspect",
		testdata.Shared(t, "porto-alegre/poa_eptc.zip"), testdata.Shared(t, "porto-alegre/poa_trensurb.zip")}, &o, &e)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	for _, s := range []string{"stops                    4,010 ", "routes                   117: 115 bus, 2 rail", "(stop poa_trensurb:", "poa_eptc/stop_times.txt"} {
		if !strings.Contains(o.String(), s) {
			t.Errorf("stdout lacks %q:\n%s", s, o.String())
		}
	}
}

// TestGTFSInspectTimesOfDay checks the first departure and last arrival that
// inspect prints for every Canadian feed against an independent reading of
// the files with encoding/csv: scheduled trips by their stop_times, and
// frequency-based trips (whose stop times are only a template) by their
// first run at start_time and their last run before end_time. Brockville's
// frequency feed writes its templates at 12:00; its first bus leaves at 07:00.
func TestGTFSInspectTimesOfDay(t *testing.T) {
	dir := filepath.Dir(testdata.Shared(t, "gtfs-canada/brockville_gtfs.zip"))
	zips, _ := filepath.Glob(filepath.Join(dir, "*.zip"))
	if len(zips) != 9 {
		t.Fatalf("%d feeds in %s, want 9", len(zips), dir)
	}
	for _, z := range zips {
		t.Run(filepath.Base(z), func(t *testing.T) {
			first, last := independentTimes(t, z)
			code, out, errs := run("gtfs", "inspect", z)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			want := fmt.Sprintf("Times of day: first departure %s, last arrival %s", first, last)
			if !strings.Contains(out, want) {
				t.Errorf("want %q in:\n%s", want, out)
			}
			if strings.HasPrefix(filepath.Base(z), "brockville") && first != "07:00:00" {
				t.Errorf("Brockville first departure %s, want 07:00:00", first)
			}
		})
	}
}

// independentTimes reads a feed zip with encoding/csv alone.
func independentTimes(t *testing.T, path string) (first, last string) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	table := func(name string) []map[string]string {
		for _, f := range zr.File {
			if filepath.Base(f.Name) != name {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			cr := csv.NewReader(rc)
			cr.FieldsPerRecord = -1
			rows, err := cr.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			var out []map[string]string
			for _, r := range rows[1:] {
				m := map[string]string{}
				for i, h := range rows[0] {
					if i < len(r) {
						m[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = strings.TrimSpace(r[i])
					}
				}
				out = append(out, m)
			}
			return out
		}
		return nil
	}
	sec := func(s string) int {
		var h, m, x int
		if _, err := fmt.Sscanf(s, "%d:%d:%d", &h, &m, &x); err != nil {
			return -1
		}
		return h*3600 + m*60 + x
	}
	type span struct{ dep, arr, n int }
	trips := map[string]*span{}
	for _, r := range table("stop_times.txt") {
		sp := trips[r["trip_id"]]
		if sp == nil {
			sp = &span{dep: 1 << 30, arr: -1}
			trips[r["trip_id"]] = sp
		}
		sp.n++
		if d := sec(r["departure_time"]); d >= 0 {
			sp.dep = min(sp.dep, d)
		}
		if a := sec(r["arrival_time"]); a >= 0 {
			sp.arr = max(sp.arr, a)
		}
	}
	lo, hi := 1<<30, -1
	freq := table("frequencies.txt")
	inFreq := map[string]bool{}
	for _, r := range freq {
		inFreq[r["trip_id"]] = true
	}
	for id, sp := range trips {
		if !inFreq[id] && sp.n >= 2 {
			lo, hi = min(lo, sp.dep), max(hi, sp.arr)
		}
	}
	for _, r := range freq {
		sp := trips[r["trip_id"]]
		s, e, h := sec(r["start_time"]), sec(r["end_time"]), 0
		fmt.Sscanf(r["headway_secs"], "%d", &h)
		lastStart := s
		for lastStart+h < e {
			lastStart += h
		}
		lo, hi = min(lo, s), max(hi, lastStart+sp.arr-sp.dep)
	}
	f := func(v int) string { return fmt.Sprintf("%02d:%02d:%02d", v/3600, v/60%60, v%60) }
	return f(lo), f(hi)
}
