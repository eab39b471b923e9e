package region

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"commonground/internal/geo"
)

// TestAreaBuffer: a 0.1° square near Dover with a 5 km buffer. Distances
// are checked against geo.Distance (haversine) from the square's edge.
func TestAreaBuffer(t *testing.T) {
	sq := orb.MultiPolygon{{{{-75.6, 39.1}, {-75.5, 39.1}, {-75.5, 39.2}, {-75.6, 39.2}, {-75.6, 39.1}}}}
	a, err := NewArea("square", sq, 5000)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Destroy()
	east := func(km float64) orb.Point {
		// km east of the square's east edge, at its middle latitude.
		return orb.Point{-75.5 + km/(111.195*math.Cos(39.15*math.Pi/180)), 39.15}
	}
	cases := []struct {
		name         string
		pt           orb.Point
		inside, near bool
	}{
		{"centre", orb.Point{-75.55, 39.15}, true, true},
		{"4 km east", east(4), false, true},
		{"6 km east", east(6), false, false},
		{"far away", orb.Point{-51.2, -30.0}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := a.Contains(c.pt); got != c.inside {
				t.Errorf("Contains = %v", got)
			}
			if got := a.Near(c.pt); got != c.near {
				t.Errorf("Near = %v", got)
			}
		})
	}
	want := geo.Distance(orb.Point{-75.5, 39.15}, east(4))
	if d := a.Distance(east(4)); math.Abs(d-want) > 0.005*want {
		t.Errorf("Distance %.1f m, haversine %.1f m", d, want)
	}
	if ob := a.OuterBound(); !ob.Contains(east(4.9)) || ob.Contains(east(8)) {
		t.Errorf("outer bound %v", ob)
	}
}

// TestReadBoundary: a Feature, a FeatureCollection and a bare geometry are
// read; a file without a polygon, or in projected metres, is an error.
func TestReadBoundary(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	poly := `{"type":"Polygon","coordinates":[[[-75.6,39.1],[-75.5,39.1],[-75.5,39.2],[-75.6,39.1]]]}`
	for name, text := range map[string]string{
		"geometry.geojson":   poly,
		"feature.geojson":    `{"type":"Feature","properties":{},"geometry":` + poly + `}`,
		"collection.geojson": `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":` + poly + `}]}`,
	} {
		mp, err := ReadBoundary(write(name, text))
		if err != nil || len(mp) != 1 {
			t.Errorf("%s: %v, %d polygons", name, err, len(mp))
		}
	}
	if _, err := ReadBoundary(write("point.geojson", `{"type":"Point","coordinates":[-75.5,39.1]}`)); !errors.Is(err, ErrNoPolygon) {
		t.Errorf("a point: %v", err)
	}
	if _, err := ReadBoundary(write("utm.geojson", `{"type":"Polygon","coordinates":[[[450000,4330000],[460000,4330000],[460000,4340000],[450000,4330000]]]}`)); err == nil {
		t.Error("projected metres accepted")
	}
}

// TestSubtract: a 10 × 10 square less a 2 × 2 square inside it, a 4 × 4
// square overlapping its east edge by half, and a 2 × 2 square that
// overlaps the first by 1 × 2: 100 − 4 − 8 − (4 − 2) = 86 square units
// (planar areas, worked by hand), in one piece with two holes' worth of
// boundary (the inside ones merge into one hole).
func TestSubtract(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	out, err := Subtract(sq(0, 0, 10, 10), []orb.MultiPolygon{sq(2, 2, 4, 4), sq(8, 3, 12, 7), sq(3, 2, 5, 4)})
	if err != nil {
		t.Fatal(err)
	}
	if got := planar.Area(out); math.Abs(got-86) > 1e-9 {
		t.Errorf("area %g, want 86", got)
	}
	if len(out) != 1 || len(out[0]) != 2 {
		t.Errorf("%d polygons, the first with %d rings; want one with an outer ring and one hole", len(out), len(out[0]))
	}
	for _, p := range []orb.Point{{3, 3}, {4.5, 3}, {9, 5}} {
		if planar.MultiPolygonContains(out, p) {
			t.Errorf("%v is in a hole but the result contains it", p)
		}
	}
	if !planar.MultiPolygonContains(out, orb.Point{1, 1}) {
		t.Error("(1, 1) is outside every hole but the result leaves it out")
	}
}
