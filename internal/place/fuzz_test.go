package place

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"commonground/internal/testdata"
)

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

// checkFacilities is what both facility fuzzers assert: an error is one line
// naming the file; accepted places are points on Earth of the list's
// category.
func checkFacilities(t *testing.T, path string, got []Place, err error) {
	t.Helper()
	if err != nil {
		msg := err.Error()
		if strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
			t.Fatalf("error not one line naming the file: %q", msg)
		}
		return
	}
	for _, p := range got {
		if !(math.Abs(p.Point[0]) <= 180) || !(math.Abs(p.Point[1]) <= 90) || p.Category != "library" || len(p.Access) != 1 {
			t.Fatalf("accepted %+v", p)
		}
	}
}

// FuzzReadFacilityCSV: seeded with the Porto Alegre landmarks and the first
// rows of Statistics Canada's ODCAF (with its ".." coordinates).
func FuzzReadFacilityCSV(f *testing.F) {
	f.Add(firstLines(f, testdata.Shared(f, "porto-alegre/poa_points_of_interest.csv"), 11))
	f.Add(firstLines(f, testdata.Shared(f, "canada/ODCAF_V1.0.csv"), 8))
	f.Add("\"lat\n\",lon\n1,2\n")
	dir := f.TempDir()
	path := filepath.Join(dir, "list.csv")
	f.Fuzz(func(t *testing.T, data string) {
		os.WriteFile(path, []byte(data), 0o644)
		l := FacilityList{Path: path, Category: "library", LatField: "lat", LonField: "lon"}
		got, err := ReadFacilities(l)
		checkFacilities(t, path, got, err)
	})
}

// FuzzReadFacilityGeoJSON: seeded with the Porto Alegre landmarks as
// GeoJSON points.
func FuzzReadFacilityGeoJSON(f *testing.F) {
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, line := range strings.Split(strings.TrimSpace(firstLines(f, testdata.Shared(f, "porto-alegre/poa_points_of_interest.csv"), 11)), "\n")[1:] {
		c := strings.Split(line, ",")
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"type":"Feature","properties":{"name":"` + c[0] + `"},"geometry":{"type":"Point","coordinates":[` + c[2] + `,` + c[1] + `]}}`)
	}
	b.WriteString(`]}`)
	f.Add(b.String())
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[500,1]}}]}`)
	dir := f.TempDir()
	path := filepath.Join(dir, "list.geojson")
	f.Fuzz(func(t *testing.T, data string) {
		os.WriteFile(path, []byte(data), 0o644)
		got, err := ReadFacilities(FacilityList{Path: path, Category: "library"})
		checkFacilities(t, path, got, err)
	})
}
