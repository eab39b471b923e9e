package population

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"commonground/internal/testdata"
)

// TestPortoAlegreHexagons reads IPEA's aopdata hexagon centroids and puts
// them on a 250 m grid: every person is kept, and each cell holds exactly
// the hexagons whose centroids it contains.
func TestPortoAlegreHexagons(t *testing.T) {
	path := testdata.Shared(t, "porto-alegre/poa_hexgrid.csv")
	zones, err := ReadPoints(path, Fields{ID: "id", Pop: "population"}, "lat", "lon", nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var want float64
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		v, err := strconv.ParseFloat(f[3], 64)
		if err != nil {
			t.Fatal(err)
		}
		want += v
	}
	if len(zones) != 1227 || len(zones) != len(lines)-1 {
		t.Fatalf("%d zones from %d rows", len(zones), len(lines)-1)
	}
	if zones[1].ID != "89a9012a3cfffff" || zones[1].Pop != 159 || zones[0].Attrs["jobs"] != 1214 {
		t.Errorf("second zone %+v, first jobs %v", zones[1], zones[0].Attrs["jobs"])
	}
	g := NewGrid(PointBound(zones).Pad(0.01), 250)
	a, err := AllocatePoints(g, zones)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(a.Total()-want) > 1e-6 {
		t.Errorf("grid holds %v people, file %v", a.Total(), want)
	}
	for _, c := range a.Cells {
		for _, p := range c.Parts {
			if i, _ := g.Locate(zones[p.Zone].Point); i != c.Index {
				t.Fatalf("hexagon %s in cell %d, but its point is in cell %d", zones[p.Zone].ID, c.Index, i)
			}
		}
	}
}

func TestReadPointsErrors(t *testing.T) {
	tests := []struct {
		name, text string
		errHas     []string
	}{
		{"negative", "id,lat,lon,pop\na,1,2,-5\n", []string{"pts.csv:2", "id a", "negative"}},
		{"not a number", "id,lat,lon,pop\na,1,2,5\nb,1,2,many\n", []string{"pts.csv:3", "id b", `"many"`}},
		{"no such column", "id,lat,lon,persons\na,1,2,5\n", []string{"pts.csv", `no column "pop"`, "persons"}},
		{"bad latitude", "id,lat,lon,pop\na,100,2,5\n", []string{"pts.csv:2", "not a point"}},
		{"empty", "id,lat,lon,pop\n", []string{"pts.csv", "no rows"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "pts.csv")
			os.WriteFile(p, []byte(tc.text), 0o644)
			_, err := ReadPoints(p, Fields{ID: "id", Pop: "pop"}, "lat", "lon", nil)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tc.errHas {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
