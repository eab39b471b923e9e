package place

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

// TestListDuplicates: rows of one list with the same name within 5 m are one
// facility (kept once, warned); other names, or farther apart, stay.
func TestListDuplicates(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "libraries.csv")
	// 0.00003 degrees of latitude is 3.3 m; 0.0001 is 11.1 m.
	os.WriteFile(path, []byte("name,lat,lon\n"+
		"Central Library,-30.02760,-51.22780\n"+
		"central library ,-30.02763,-51.22780\n"+ // 3.3 m, same name: merged
		"Central Library,-30.02770,-51.22780\n"+ // 11 m from the first: kept
		"Branch Library,-30.02760,-51.22780\n"+ // same spot, other name: kept
		"Central Library,-30.02760,-51.22780\n"), 0o644) // exact repeat: merged
	l := FacilityList{Path: path, Category: "library"}
	list, err := ReadFacilities(l)
	if err != nil {
		t.Fatal(err)
	}
	var probs problem.List
	got, rep := Merge(nil, list, l, DefaultCategories(), &probs)
	if len(got) != 3 || rep.Added != 3 {
		t.Fatalf("kept %d places (added %d), want 3", len(got), rep.Added)
	}
	var lines []int
	for _, p := range probs.Items() {
		lines = append(lines, p.Line)
		if !strings.Contains(p.Message, "repeats entry 2") {
			t.Errorf("warning %q", p.String())
		}
	}
	if len(lines) != 2 || lines[0] != 3 || lines[1] != 6 {
		t.Errorf("warnings on lines %v, want [3 6]", lines)
	}
}
