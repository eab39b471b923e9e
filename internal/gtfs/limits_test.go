package gtfs

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// smallFeed is a valid one-trip feed; bombs replace one of its files.
var smallFeed = map[string]string{
	"agency.txt":     "agency_id,agency_name,agency_url,agency_timezone\na,Agency,https://example.org,America/Toronto\n",
	"stops.txt":      "stop_id,stop_name,stop_lat,stop_lon\ns1,First,43.0,-80.0\ns2,Second,43.01,-80.0\n",
	"routes.txt":     "route_id,agency_id,route_short_name,route_type\nr,a,1,3\n",
	"calendar.txt":   "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nw,1,1,1,1,1,0,0,20200101,20201231\n",
	"trips.txt":      "route_id,service_id,trip_id\nr,w,t1\n",
	"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nt1,08:00:00,08:00:00,s1,1\nt1,08:05:00,08:05:00,s2,2\n",
}

// repeatReader yields n bytes of a repeated pattern.
type repeatReader struct {
	pat  []byte
	n, i int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.i >= r.n {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n-r.i {
		p = p[:r.n-r.i]
	}
	k := 0
	for k < len(p) {
		off := int(r.i % int64(len(r.pat)))
		c := copy(p[k:], r.pat[off:])
		k += c
		r.i += int64(c)
	}
	return k, nil
}

// bomb is a feed in which file `file` is head followed by n bytes of pat.
type bomb struct {
	name, file, head, pat string
	n                     int64
	tail                  string
}

// writeZip writes the small feed with the bomb's file into path, deflated.
func (b bomb) writeZip(t testing.TB, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for name, body := range smallFeed {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if name == b.file {
			io.WriteString(w, b.head)
			pat := bytes.Repeat([]byte(b.pat), 1+(64<<10)/len(b.pat))
			pat = pat[:len(pat)/len(b.pat)*len(b.pat)]
			_, err = io.Copy(w, &repeatReader{pat: pat, n: b.n})
			io.WriteString(w, b.tail)
		} else {
			_, err = io.WriteString(w, body)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// bombs are the three GTFS bombs of issue 8: one 1 GiB line, one huge field
// (a quoted stop name of 512 KiB, inside the line limit), and a file with
// more rows than the limit (rows is the row limit the case runs with).
func bombs(rows int) []struct {
	bomb
	rows int
	want []string
} {
	return []struct {
		bomb
		rows int
		want []string
	}{
		{bomb{"one 1 GiB line", "stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n", "1", 1 << 30, "\n"}, limits.rows,
			[]string{"stop_times.txt line 2", "longer than 1 MiB, the most one GTFS line may hold"}},
		{bomb{"one 512 KiB field", "stops.txt", "stop_id,stop_name,stop_lat,stop_lon\ns1,\"", "A", 512 << 10, "\",43.0,-80.0\n"}, limits.rows,
			[]string{"stops.txt line 2: field 2 is", "more than the 256 KiB one GTFS field may hold", `"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA..."`}},
		{bomb{"too many rows", "stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n", "t1,08:00:00,08:00:00,s1,1\n", int64(rows+1) * 26, ""}, rows,
			[]string{"stop_times.txt: more than " + fmt.Sprint(rows) + " lines, the most one GTFS file may hold"}},
	}
}

// TestBombs reads each bomb and checks the one-line error naming the file
// and the limit, and that the read allocated little (the 1 GiB line is
// never held in memory).
func TestBombs(t *testing.T) {
	if testing.Short() {
		t.Skip("inflates a 1 GiB line")
	}
	saved := limits.rows
	defer func() { limits.rows = saved }()
	for _, tc := range bombs(200_000) {
		t.Run(tc.name, func(t *testing.T) {
			limits.rows = tc.rows
			path := filepath.Join(t.TempDir(), "bomb.zip")
			tc.writeZip(t, path)
			st, _ := os.Stat(path)
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Read(path, Options{})
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatal("the bomb was read without error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || len(msg) > 400 {
				t.Errorf("want one short line, got %d bytes: %.300q", len(msg), msg)
			}
			for _, w := range append(tc.want, path) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("zip %d bytes, inflates to %d; read allocated %.1f MiB: %s", st.Size(), tc.n, float64(alloc)/(1<<20), msg)
			// stop_times.txt is presized from its declared size, at most
			// 4 M rows of 28 bytes (112 MiB); the long line itself is
			// never held beyond the 1 MiB limit.
			if alloc > 128<<20 {
				t.Errorf("the read allocated %.0f MiB, want at most 128", float64(alloc)/(1<<20))
			}
		})
	}
}

// TestZipDeclaredSize: a file that declares more than the limit is refused
// before it is inflated.
func TestZipDeclaredSize(t *testing.T) {
	saved := limits.bytes
	defer func() { limits.bytes = saved }()
	limits.bytes = 1 << 20
	path := filepath.Join(t.TempDir(), "big.zip")
	bomb{"big", "stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n", "t1,08:00:00,08:00:00,s1,1\n", 2 << 20, ""}.writeZip(t, path)
	_, err := Read(path, Options{})
	want := "stop_times.txt inflates to"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "more than the 1 MiB one GTFS file may hold") {
		t.Fatalf("want %q, got %v", want, err)
	}
	// A folder feed has no declared sizes: the reader stops at the limit.
	dir := t.TempDir()
	for name, body := range smallFeed {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	big := "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + strings.Repeat("t1,08:00:00,08:00:00,s1,1\n", (2<<20)/26)
	os.WriteFile(filepath.Join(dir, "stop_times.txt"), []byte(big), 0o644)
	_, err = Read(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "stop_times.txt: more than 1 MiB decompressed, the most one GTFS file may hold") {
		t.Fatalf("folder: got %v", err)
	}
}

// TestWriteBombs writes the three bombs, with the real limits, into the
// folder COMMONGROUND_WRITE_BOMBS names, to measure peak memory with
// /usr/bin/time -v commonground gtfs inspect (see the README).
func TestWriteBombs(t *testing.T) {
	dir := os.Getenv("COMMONGROUND_WRITE_BOMBS")
	if dir == "" {
		t.Skip("set COMMONGROUND_WRITE_BOMBS=DIR to write the bombs")
	}
	for i, tc := range bombs(limits.rows) {
		tc.writeZip(t, filepath.Join(dir, fmt.Sprintf("bomb%d.zip", i+1)))
	}
}
