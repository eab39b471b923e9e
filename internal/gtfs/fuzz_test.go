package gtfs

import (
	"archive/zip"
	"bufio"
	"io"
	"strings"
	"testing"
	"testing/fstest"

	"commonground/internal/testdata"
)

// realSeeds returns the first lines of real files, quirks and all (BOM,
// CRLF, spaced headers, quoted empty fields), to seed the fuzzers.
func realSeeds(f *testing.F) []string {
	f.Helper()
	var out []string
	for _, s := range []struct{ feed, file string }{
		{"gtfs-canada/whitehorse_gtfs.zip", "agency.txt"},
		{"gtfs-canada/whitehorse_gtfs.zip", "stop_times.txt"},
		{"gtfs-canada/mont-tremblant_gtfs.zip", "calendar.txt"},
		{"gtfs-canada/norfolk_county_gtfs.zip", "stop_times.txt"},
		{"gtfs-canada/medicine_hat_gtfs.zip", "routes.txt"},
		{"porto-alegre/poa_eptc.zip", "stop_times.txt"},
		{"porto-alegre/poa_trensurb.zip", "stop_times.txt"},
		{"sao-paulo/spo.zip", "frequencies.txt"},
	} {
		zr, err := zip.OpenReader(testdata.Shared(f, s.feed))
		if err != nil {
			f.Fatal(err)
		}
		rc, err := zr.Open(s.file)
		if err != nil {
			f.Fatal(err)
		}
		var b strings.Builder
		br := bufio.NewReader(rc)
		for i := 0; i < 12; i++ {
			line, err := br.ReadString('\n')
			b.WriteString(line)
			if err == io.EOF {
				break
			}
		}
		rc.Close()
		zr.Close()
		out = append(out, b.String())
	}
	return out
}

// FuzzTable: the CSV reader never panics, and on text without quotes it
// splits exactly like strings.Split with each field trimmed.
func FuzzTable(f *testing.F) {
	if testing.Short() {
		f.Skip("fuzz test: skipped under -short")
	}
	for _, s := range realSeeds(f) {
		f.Add(s)
	}
	f.Add("a,b\n\"x\ny\",\"\"\"\"\n")
	f.Fuzz(func(t *testing.T, text string) {
		tb, err := newTable("f.txt", strings.NewReader(text))
		if err != nil {
			return
		}
		var got [][]string
		prev := tb.line
		for tb.next() {
			if tb.line <= prev {
				t.Fatalf("line %d after %d", tb.line, prev)
			}
			prev = tb.line
			var rec []string
			for i := range tb.fields {
				rec = append(rec, tb.str(i))
			}
			got = append(got, rec)
		}
		if strings.Contains(text, `"`) || tb.err != nil {
			return
		}
		lines := strings.Split(strings.TrimPrefix(text, "\ufeff"), "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		// Skip leading blank lines the header search passed over.
		for len(lines) > 0 && strings.TrimSpace(strings.TrimSuffix(lines[0], "\r")) == "" {
			lines = lines[1:]
		}
		if len(lines) == 0 || len(got) != len(lines)-1 {
			t.Fatalf("%d records from %d lines", len(got), len(lines))
		}
		for i, line := range lines[1:] {
			want := strings.Split(strings.TrimSuffix(line, "\r"), ",")
			for j := range want {
				want[j] = strings.TrimSpace(want[j])
			}
			if strings.Join(want, "\x00") != strings.Join(got[i], "\x00") {
				t.Fatalf("line %q: got %q, want %q", line, got[i], want)
			}
		}
	})
}

// FuzzParseTime: a parsed time prints back as itself.
func FuzzParseTime(f *testing.F) {
	if testing.Short() {
		f.Skip("fuzz test: skipped under -short")
	}
	for _, s := range []string{"07:05:00", " 7:05:00", "25:10:00", "100:00:00", "", "7:5:0", "24:60:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseTime(s)
		if err != nil {
			return
		}
		if v < 0 {
			t.Fatalf("%q parsed to negative %d", s, v)
		}
		back, err := ParseTime(v.String())
		if err != nil || back != v {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, v, v.String(), back, err)
		}
	})
}

// FuzzStopTimes reads baseFeed with stop_times.txt replaced: no panic, and
// whatever is kept is sound (two or more stops per trip, valid indexes,
// times that never go backwards).
func FuzzStopTimes(f *testing.F) {
	if testing.Short() {
		f.Skip("fuzz test: skipped under -short")
	}
	f.Add(baseFeed["stop_times.txt"])
	f.Add(quirky(baseFeed)["stop_times.txt"])
	f.Add("trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\nT1,08:00:00,,S1,1,5\nT1,,,S2,2,3\nT1,,08:30:00,S3,3,9\n")
	f.Fuzz(func(t *testing.T, text string) {
		m := fstest.MapFS{}
		for name, body := range overlay(baseFeed, map[string]string{"stop_times.txt": text}) {
			m[name] = &fstest.MapFile{Data: []byte(body)}
		}
		feed, err := readSource("fuzz", &source{fsys: m, close: func() error { return nil }}, Options{MaxBadShare: 1})
		if err != nil {
			return
		}
		for i, tr := range feed.Trips {
			st := feed.StopTimesOf(int32(i))
			if len(st) < 2 {
				t.Fatalf("trip %s has %d stop times", tr.ID, len(st))
			}
			for k, s := range st {
				if int(s.Stop) >= len(feed.Stops) || s.Stop < 0 || s.Departure < s.Arrival || (k > 0 && (s.Arrival < st[k-1].Departure || s.Seq <= st[k-1].Seq)) {
					t.Fatalf("trip %s stop time %d unsound: %+v", tr.ID, k, st)
				}
			}
		}
	})
}
