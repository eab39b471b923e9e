package gtfs

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"commonground/internal/problem"
)

// baseFeed is a tiny valid feed. 2024-01-01 is a Monday. Worked values:
//   - T1's rows are out of order; S2 has no times and lies 250 of 1000
//     shape metres from S1 (dep 08:00) to S3 (arr 08:10): 08:02:30.
//   - T2 has no shape_dist_traveled: S2 and S3 fall evenly between 07:05
//     and 07:35, at 07:15 and 07:25. " 7:05:00" has spaces and one hour digit.
//   - T3 runs past midnight (24:50, 25:10) on the Saturday service.
//   - WK runs Mon-Fri in January minus the 3rd and 15th; SAT runs Saturdays
//     in January plus Thursday 1 February: service dates 2024-01-01..02-01.
var baseFeed = map[string]string{
	"agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n" +
		"A,Test Transit,http://example.org,America/Toronto\n",
	"stops.txt": "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n" +
		`S1,"Main St, North",45.0,-75.0,,` + "\n" +
		`S2,"The ""Hub""",45.01,-75.0,,` + "\n" +
		"S3,Third,45.02,-75.0,,\n" +
		"ST,Station,45.0,-75.0,1,\n" +
		"S4,Platform,45.0,-75.0001,0,ST\n",
	"routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\n" +
		"R1,A,1,Crosstown,3\n" +
		"R2,A,2,Night,3\n",
	"calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n" +
		"WK,1,1,1,1,1,0,0,20240101,20240131\n" +
		"SAT,0,0,0,0,0,1,0,20240101,20240131\n",
	"calendar_dates.txt": "service_id,date,exception_type\n" +
		"WK,20240103,2\n" +
		"WK,20240115,2\n" +
		"SAT,20240201,1\n",
	"trips.txt": "route_id,service_id,trip_id,trip_headsign,direction_id\n" +
		"R1,WK,T1,North,0\n" +
		"R1,WK,T2,North,0\n" +
		"R2,SAT,T3,Night,1\n",
	"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n" +
		"T1,08:10:00,08:10:00,S3,30,1000\n" +
		"T1,07:55:00,08:00:00,S1,10,0\n" +
		"T1,,,S2,20,250\n" +
		"T2, 7:05:00, 7:05:00,S1,1,\n" +
		"T2,,,S2,2,\n" +
		"T2,,,S3,3,\n" +
		"T2,07:35:00,07:35:00,S4,4,\n" +
		"T3,24:50:00,24:50:00,S1,1,\n" +
		"T3,25:10:00,25:10:00,S3,2,\n",
}

// overlay returns base with files replaced; an empty text removes the file.
func overlay(base map[string]string, files map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range files {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// quirky rewrites a feed the way real feeds are written: a byte-order mark,
// CRLF line endings, spaces around header names and an extra column.
func quirky(files map[string]string) map[string]string {
	out := map[string]string{}
	for name, text := range files {
		lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		lines[0] = strings.ReplaceAll(lines[0], ",", ", ") + " ,extra_col"
		for i := 1; i < len(lines); i++ {
			lines[i] += `,"x, ""y"""`
		}
		out[name] = "\ufeff" + strings.Join(lines, "\r\n") + "\r\n"
	}
	return out
}

// writeFeed writes files as a folder, or as a zip when asZip.
func writeFeed(t testing.TB, files map[string]string, asZip bool) string {
	t.Helper()
	dir := t.TempDir()
	if !asZip {
		for name, text := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	p := filepath.Join(dir, "feed.zip")
	fh, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(fh)
	for name, text := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(text))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	return p
}

func hms(h, m, s int) Time { return Time(h*3600 + m*60 + s) }

func TestReadBaseFeed(t *testing.T) {
	variants := []struct {
		name  string
		files map[string]string
		zip   bool
	}{
		{"plain folder", baseFeed, false},
		{"plain zip", baseFeed, true},
		{"BOM, CRLF, spaced headers, extra quoted column, folder", quirky(baseFeed), false},
		{"BOM, CRLF, spaced headers, extra quoted column, zip", quirky(baseFeed), true},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			f, err := Read(writeFeed(t, v.files, v.zip), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Agencies; !reflect.DeepEqual(got, []Agency{{"A", "Test Transit", "America/Toronto"}}) {
				t.Errorf("agencies %+v", got)
			}
			if len(f.Stops) != 5 || f.Stops[0].Name != "Main St, North" || f.Stops[1].Name != `The "Hub"` {
				t.Fatalf("stops %+v", f.Stops)
			}
			if f.Stops[4].Parent != 3 || f.Stops[3].LocationType != 1 || f.Stops[0].Parent != -1 {
				t.Errorf("station links: %+v", f.Stops)
			}
			wantTimes := map[string][]StopTime{
				"T1": {{0, hms(7, 55, 0), hms(8, 0, 0), 10, true, false, false}, {1, hms(8, 2, 30), hms(8, 2, 30), 20, false, false, false}, {2, hms(8, 10, 0), hms(8, 10, 0), 30, true, false, false}},
				// T2 has no shape_dist_traveled, so its untimed stops are placed
				// by straight-line distance: S1-S2 and S2-S3 are 0.01° of
				// latitude (1,112 m) each, S3-S4 0.02° (2,224 m; the 0.0001° of
				// longitude adds under a centimetre), so the 30 minutes split
				// 1:1:2 and S2, S3 come at 07:12:30 and 07:20:00.
				"T2": {{0, hms(7, 5, 0), hms(7, 5, 0), 1, true, false, false}, {1, hms(7, 12, 30), hms(7, 12, 30), 2, false, false, false}, {2, hms(7, 20, 0), hms(7, 20, 0), 3, false, false, false}, {4, hms(7, 35, 0), hms(7, 35, 0), 4, true, false, false}},
				"T3": {{0, hms(24, 50, 0), hms(24, 50, 0), 1, true, false, false}, {2, hms(25, 10, 0), hms(25, 10, 0), 2, true, false, false}},
			}
			if len(f.Trips) != 3 || len(f.StopTimes) != 9 {
				t.Fatalf("%d trips, %d stop times; want 3, 9", len(f.Trips), len(f.StopTimes))
			}
			for i, tr := range f.Trips {
				if got := f.StopTimesOf(int32(i)); !reflect.DeepEqual(got, wantTimes[tr.ID]) {
					t.Errorf("trip %s stop times\n got %v\nwant %v", tr.ID, got, wantTimes[tr.ID])
				}
			}
			if tr := f.Trips[2]; tr.Route != 1 || tr.Service != 1 || tr.Headsign != "Night" || tr.Direction != 1 {
				t.Errorf("T3 = %+v", tr)
			}
			svc := f.Services[0]
			if svc.ID != "WK" || svc.Days != [7]bool{true, true, true, true, true} || svc.Start != (Date{2024, 1, 1}) || svc.End != (Date{2024, 1, 31}) ||
				!reflect.DeepEqual(svc.Removed, []Date{{2024, 1, 3}, {2024, 1, 15}}) {
				t.Errorf("WK = %+v", svc)
			}
			first, last, ok := f.DateRange()
			if !ok || first != (Date{2024, 1, 1}) || last != (Date{2024, 2, 1}) {
				t.Errorf("DateRange = %v %v %v, want 2024-01-01 2024-02-01", first, last, ok)
			}
			// Only the interpolation note: nothing was skipped.
			items := f.Problems.Items()
			if len(items) != 1 || !strings.Contains(items[0].Message, "3 stop times in 2 trips had no times") {
				t.Errorf("problems %v", items)
			}
		})
	}
}

func TestServiceOn(t *testing.T) {
	f, err := Read(writeFeed(t, baseFeed, false), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		date Date
		want []bool // WK, SAT
	}{
		{"first Monday", Date{2024, 1, 1}, []bool{true, false}},
		{"removed Wednesday", Date{2024, 1, 3}, []bool{false, false}},
		{"ordinary Tuesday", Date{2024, 1, 16}, []bool{true, false}},
		{"removed Monday", Date{2024, 1, 15}, []bool{false, false}},
		{"Saturday", Date{2024, 1, 6}, []bool{false, true}},
		{"Sunday", Date{2024, 1, 7}, []bool{false, false}},
		{"last calendar day, Wednesday", Date{2024, 1, 31}, []bool{true, false}},
		{"added Thursday after the calendar", Date{2024, 2, 1}, []bool{false, true}},
		{"before the calendar", Date{2023, 12, 29}, []bool{false, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.ServiceOn(tc.date); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ServiceOn(%v) = %v, want %v", tc.date, got, tc.want)
			}
		})
	}
}

func TestReadBadInput(t *testing.T) {
	st := baseFeed["stop_times.txt"]
	tests := []struct {
		name  string
		files map[string]string
		opt   Options
		err   []string        // the error must contain each; nil: no error
		prob  problem.Problem // when err is nil: a problem that must be recorded (message compared by substring)
		trips int             // when err is nil: usable trips left
	}{
		{name: "missing stops.txt", files: map[string]string{"stops.txt": ""},
			err: []string{"missing required file stops.txt"}},
		{name: "missing column", files: map[string]string{"stops.txt": "stop_id,stop_name,stop_lon\nS1,x,-75\n"},
			err: []string{"stops.txt", `missing required column "stop_lat"`}},
		{name: "no calendar at all", files: map[string]string{"calendar.txt": "", "calendar_dates.txt": ""},
			err: []string{"calendar.txt or calendar_dates.txt"}},
		{name: "unknown stop in stop_times, too many", files: map[string]string{"stop_times.txt": strings.Replace(st, "T2,,,S2,2,", "T2,,,S9,2,", 1)},
			err: []string{"stop_times.txt", "1 of 9 rows", "line 6 (trip T2): stop_id \"S9\" is not in stops.txt"}},
		{name: "unknown stop in stop_times, tolerated", files: map[string]string{"stop_times.txt": strings.Replace(st, "T2,,,S2,2,", "T2,,,S9,2,", 1)},
			opt:  Options{MaxBadShare: 0.2},
			prob: problem.Problem{Severity: problem.Skipped, File: "stop_times.txt", Line: 6, Feature: "T2", Field: "stop_id", Value: "S9", Message: "stop_id is not in stops.txt; the row is left out"}, trips: 3},
		{name: "unknown trip in stop_times", files: map[string]string{"stop_times.txt": strings.Replace(st, "T3,25:10:00", "T4,25:10:00", 1)},
			err: []string{"stop_times.txt", "line 10 (trip T4): trip_id \"T4\" is not in trips.txt"}},
		{name: "non-monotonic times skip the trip", files: map[string]string{"stop_times.txt": strings.Replace(st, "T2,07:35:00,07:35:00", "T2,07:00:00,07:00:00", 1)},
			prob:  problem.Problem{Severity: problem.Skipped, File: "stop_times.txt", Line: 8, Feature: "T2", Field: "arrival_time", Value: "07:00:00", Message: "time goes backwards"},
			trips: 2},
		{name: "no usable trips", files: map[string]string{"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,S1,1\nT1,07:00:00,07:00:00,S2,2\n"},
			err: []string{"no usable trips", "stop_times.txt line 3: trip T1", "time goes backwards"}},
		{name: "calendar with no active day", files: map[string]string{"calendar.txt": baseFeed["calendar.txt"] + "NONE,0,0,0,0,0,0,0,20240101,20240131\n"},
			prob:  problem.Problem{Severity: problem.Warning, File: "calendar.txt", Line: 4, Feature: "NONE", Field: "service_id", Value: "NONE", Message: "service never runs"},
			trips: 3},
		{name: "trip with unknown route", files: map[string]string{"trips.txt": baseFeed["trips.txt"] + "R9,WK,T9,x,0\n"},
			prob:  problem.Problem{Severity: problem.Skipped, File: "trips.txt", Line: 5, Feature: "T9", Field: "route_id", Value: "R9", Message: "route_id is not in routes.txt"},
			trips: 3},
		{name: "stop without coordinates", files: map[string]string{"stops.txt": baseFeed["stops.txt"] + "S5,Nowhere,,,,\n"},
			prob:  problem.Problem{Severity: problem.Skipped, File: "stops.txt", Line: 7, Feature: "S5", Field: "stop_lat", Message: "not a latitude"},
			trips: 3},
		{name: "repeated stop_sequence", files: map[string]string{"stop_times.txt": strings.Replace(st, "T2,,,S3,3,", "T2,,,S3,2,", 1)},
			prob:  problem.Problem{Severity: problem.Skipped, File: "stop_times.txt", Line: 7, Feature: "T2", Field: "stop_sequence", Value: "2", Message: "repeats"},
			trips: 2},
		{name: "first stop without time", files: map[string]string{"stop_times.txt": strings.Replace(st, "T3,24:50:00,24:50:00", "T3,,", 1)},
			prob:  problem.Problem{Severity: problem.Skipped, File: "stop_times.txt", Line: 9, Feature: "T3", Field: "arrival_time", Message: "first and last stops of a trip need times"},
			trips: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Read(writeFeed(t, overlay(baseFeed, tc.files), false), tc.opt)
			if tc.err != nil {
				if err == nil {
					t.Fatalf("no error, want one containing %q", tc.err)
				}
				for _, s := range tc.err {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q lacks %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Trips) != tc.trips {
				t.Errorf("%d usable trips, want %d", len(f.Trips), tc.trips)
			}
			found := false
			for _, p := range f.Problems.Items() {
				want := tc.prob
				want.Message = p.Message
				if p == want && strings.Contains(p.Message, tc.prob.Message) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem like %+v among\n%v", tc.prob, f.Problems.Items())
			}
		})
	}
}

func TestReadErrorsWrap(t *testing.T) {
	_, err := Read(writeFeed(t, overlay(baseFeed, map[string]string{"trips.txt": ""}), true), Options{})
	if !errors.Is(err, ErrMissingFile) || !strings.Contains(err.Error(), "feed.zip") {
		t.Errorf("err = %v, want ErrMissingFile naming feed.zip", err)
	}
	_, err = Read(filepath.Join(t.TempDir(), "none.zip"), Options{})
	if err == nil || !strings.Contains(err.Error(), "none.zip") {
		t.Errorf("err = %v, want one naming none.zip", err)
	}
}

func TestFrequencies(t *testing.T) {
	files := overlay(baseFeed, map[string]string{"frequencies.txt": "trip_id,start_time,end_time,headway_secs,exact_times\n" +
		"T2,07:00:00,08:00:00,600,1\n" +
		"T1,07:00:00,08:00:00,0,\n"})
	f, err := Read(writeFeed(t, files, true), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Frequency{{Trip: 1, Start: hms(7, 0, 0), End: hms(8, 0, 0), Headway: 600, ExactTimes: true}}
	if !reflect.DeepEqual(f.Frequencies, want) {
		t.Errorf("frequencies %+v, want %+v", f.Frequencies, want)
	}
	var bad []problem.Problem
	for _, p := range f.Problems.Items() {
		if p.File == "frequencies.txt" {
			bad = append(bad, p)
		}
	}
	if len(bad) != 1 || bad[0].Line != 3 || bad[0].Feature != "T1" || bad[0].Field != "headway_secs" {
		t.Errorf("frequencies problems %v, want one at line 3 for T1 headway_secs", bad)
	}
}

func TestReadAll(t *testing.T) {
	dir := t.TempDir()
	bus := filepath.Join(dir, "bus.zip")
	if err := os.Rename(writeFeed(t, baseFeed, true), bus); err != nil {
		t.Fatal(err)
	}
	rail := writeFeed(t, quirky(baseFeed), false)
	f, err := ReadAll([]string{bus, rail}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	railNS := filepath.Base(rail) + ":"
	if len(f.Stops) != 10 || len(f.Trips) != 6 || len(f.StopTimes) != 18 || len(f.Routes) != 4 || len(f.Services) != 4 {
		t.Fatalf("combined counts: %d stops %d trips %d stop times %d routes %d services", len(f.Stops), len(f.Trips), len(f.StopTimes), len(f.Routes), len(f.Services))
	}
	if f.Stops[0].ID != "bus:S1" || f.Stops[5].ID != railNS+"S1" || f.Stops[9].Parent != 8 {
		t.Errorf("stop ids %q %q, parent %d", f.Stops[0].ID, f.Stops[5].ID, f.Stops[9].Parent)
	}
	// The second feed's T3 keeps its own route, service and stops.
	t3 := f.Trips[5]
	if t3.ID != railNS+"T3" || f.Routes[t3.Route].ID != railNS+"R2" || f.Services[t3.Service].ID != railNS+"SAT" {
		t.Errorf("rail T3 = %+v", t3)
	}
	if st := f.StopTimesOf(5); f.Stops[st[0].Stop].ID != railNS+"S1" || f.Stops[st[1].Stop].ID != railNS+"S3" {
		t.Errorf("rail T3 stops %v", st)
	}
	if !strings.Contains(f.Source, bus) || !strings.Contains(f.Source, rail) {
		t.Errorf("Source %q lacks a path", f.Source)
	}
	if f.Rows["stop_times.txt"] != 18 || f.Rows["bus/stop_times.txt"] != 9 {
		t.Errorf("rows %v", f.Rows)
	}
	var files []string
	for _, p := range f.Problems.Items() {
		files = append(files, p.File)
	}
	want := []string{"bus/stop_times.txt", strings.TrimSuffix(railNS, ":") + "/stop_times.txt"}
	sort.Strings(want)
	if !reflect.DeepEqual(files, want) {
		t.Errorf("problem files %v", files)
	}
}

func TestProblemLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("stop_id,stop_name,stop_lat,stop_lon\nS1,a,45,-75\nS2,b,45.1,-75\nS3,c,45.2,-75\nS4,d,45.3,-75\n")
	n := listLimit + 50
	for i := 0; i < n; i++ {
		b.WriteString("X,dup,45,-75\n") // first X is kept, the rest are duplicates
	}
	f, err := Read(writeFeed(t, overlay(baseFeed, map[string]string{"stops.txt": b.String()}), false), Options{})
	if err != nil {
		t.Fatal(err)
	}
	groups := f.ProblemGroups(2)
	var g *ProblemGroup
	for i := range groups {
		if strings.Contains(groups[i].Message, "duplicate stop_id") {
			g = &groups[i]
		}
	}
	if g == nil || g.Count != n-1 || len(g.Examples) != 2 || g.Examples[0].Line != 7 || f.Problems.Len() > listLimit+5 {
		t.Errorf("duplicate group %+v, %d problems listed; want count %d, examples from line 7", g, f.Problems.Len(), n-1)
	}
}
