package main

import (
	"bytes"
	"context"
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
