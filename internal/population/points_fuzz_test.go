package population

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"commonground/internal/problem"
	"commonground/internal/testdata"
)

// firstLines returns the first n lines of a real file.
func firstLines(tb testing.TB, path string, n int) string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	sc := bufio.NewScanner(f)
	for i := 0; i < n && sc.Scan(); i++ {
		b.WriteString(sc.Text())
		b.WriteByte('\n')
	}
	return b.String()
}

// FuzzReadPoints feeds arbitrary bytes to the points CSV reader, seeded with
// IPEA's Porto Alegre hexagons: no panic, an error is one line naming the
// file, accepted zones have unique ids, finite non-negative people and a
// point on Earth.
func FuzzReadPoints(f *testing.F) {
	seed := firstLines(f, testdata.Shared(f, "porto-alegre/poa_hexgrid.csv"), 12)
	f.Add(seed)
	f.Add(seed + strings.SplitAfterN(seed, "\n", 3)[1]) // a repeated row
	f.Add("\"id\nx\",lon,lat,population\n1,2,3,4\n")
	f.Add("id,lon,lat,population\n1,-51.2,-30.1,1e308\n2,-51.2,-30.1,-0\n")
	dir := f.TempDir()
	path := filepath.Join(dir, "points.csv")
	f.Fuzz(func(t *testing.T, data string) {
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		var probs problem.List
		zones, err := ReadPoints(path, Fields{ID: "id", Pop: "population"}, "lat", "lon", &probs)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
				t.Fatalf("error not one line naming the file: %q", msg)
			}
			return
		}
		ids := map[string]bool{}
		for _, z := range zones {
			if ids[z.ID] {
				t.Fatalf("id %q accepted twice", z.ID)
			}
			ids[z.ID] = true
			if !(z.Pop >= 0) || math.IsInf(z.Pop, 0) || !(math.Abs(z.Point[0]) <= 180) || !(math.Abs(z.Point[1]) <= 90) {
				t.Fatalf("zone %q accepted with pop %v at %v", z.ID, z.Pop, z.Point)
			}
		}
		for _, p := range probs.Items() {
			if p.File != path || p.Line < 2 || strings.Contains(p.String(), "\n") {
				t.Fatalf("problem without its file and row, or on two lines: %q", p.String())
			}
		}
	})
}
