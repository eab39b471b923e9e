package osmread

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"commonground/internal/geo"
)

func TestAssembleRings(t *testing.T) {
	cases := []struct {
		name    string
		ways    [][]int64
		want    [][]int64
		wantErr string
	}{
		{"closed way", [][]int64{{1, 2, 3, 1}}, [][]int64{{1, 2, 3, 1}}, ""},
		{"two halves", [][]int64{{1, 2, 3}, {3, 4, 1}}, [][]int64{{1, 2, 3, 4, 1}}, ""},
		{"second reversed", [][]int64{{1, 2, 3}, {1, 4, 3}}, [][]int64{{1, 2, 3, 4, 1}}, ""},
		{"out of order", [][]int64{{1, 2}, {3, 4, 1}, {2, 3}}, [][]int64{{1, 2, 3, 4, 1}}, ""},
		{"two rings", [][]int64{{1, 2, 3, 1}, {5, 6}, {6, 7, 5}}, [][]int64{{1, 2, 3, 1}, {5, 6, 7, 5}}, ""},
		{"degenerate ring dropped", [][]int64{{1, 2, 1}}, nil, ""},
		{"gap", [][]int64{{1, 2, 3}, {4, 5, 1}}, nil, "stops at node 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := assembleRings(c.ways)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("rings = %v, want %v", got, c.want)
			}
		})
	}
}

// square is a 0.01° box with its south-west corner at lon0, lat0.
func square(lon0, lat0 float64) orb.Ring {
	return orb.Ring{{lon0, lat0}, {lon0 + 0.01, lat0}, {lon0 + 0.01, lat0 + 0.01}, {lon0, lat0 + 0.01}, {lon0, lat0}}
}

func TestAreaM2(t *testing.T) {
	// A lat/lon box on the sphere has area R² Δλ (sin φ2 − sin φ1); the
	// projected polygon has straight edges, which differ from the parallels
	// by far less than 1e-4 at this size.
	box := func(lat0 float64) float64 {
		r := geo.EarthRadius
		return r * r * (0.01 * math.Pi / 180) * (math.Sin((lat0+0.01)*math.Pi/180) - math.Sin(lat0*math.Pi/180))
	}
	hole := orb.Ring{{0.004, 0.004}, {0.004, 0.006}, {0.006, 0.006}, {0.006, 0.004}, {0.004, 0.004}}
	cases := []struct {
		name string
		mp   orb.MultiPolygon
		want float64
	}{
		{"equator box", orb.MultiPolygon{{square(0, 0)}}, box(0)},
		{"Delaware box", orb.MultiPolygon{{square(-75.5, 39)}}, box(39)},
		{"box with hole", orb.MultiPolygon{{square(0, 0), hole}}, box(0) * 0.96},
		{"two boxes", orb.MultiPolygon{{square(0, 0)}, {square(1, 0)}}, 2 * box(0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := areaM2(c.mp); math.Abs(got-c.want) > 1e-4*c.want {
				t.Errorf("areaM2 = %.1f, want %.1f", got, c.want)
			}
		})
	}
}

func TestEdgePoints(t *testing.T) {
	r := square(0, 0)
	side := geo.Distance(r[0], r[1]) // 1111.95 m
	cases := []struct {
		name    string
		spacing float64
		want    int
	}{
		// perimeter 4447.8 m: spaced points at 0, 100, ..., 4400 (45) plus
		// the 3 other corners, since 4 corners < 44.5 spacings
		{"every 100 m with corners", 100, 45 + 3},
		// 0, 2000, 4000 m; 4 corners > 2.2 spacings, so no corners
		{"every 2 km", 2000, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pts := edgePoints(orb.MultiPolygon{{r}}, c.spacing)
			if len(pts) != c.want {
				t.Fatalf("%d points, want %d (side %.2f m)", len(pts), c.want, side)
			}
			for i, p := range pts {
				onEdge := math.Abs(p[0]) < 1e-12 || math.Abs(p[0]-0.01) < 1e-12 || math.Abs(p[1]) < 1e-12 || math.Abs(p[1]-0.01) < 1e-12
				if !onEdge {
					t.Errorf("point %d %v not on the square's edge", i, p)
				}
				if i > 0 && geo.Distance(pts[i-1], p) > c.spacing+1e-6 {
					t.Errorf("points %d and %d are %.1f m apart, spacing %.0f", i-1, i, geo.Distance(pts[i-1], p), c.spacing)
				}
			}
		})
	}
}

func TestLineMiddle(t *testing.T) {
	// along a meridian distance is proportional to latitude: 1° then 2°,
	// so the middle is 1.5° up
	got := lineMiddle(orb.LineString{{0, 0}, {0, 1}, {0, 3}})
	if math.Abs(got[0]) > 1e-12 || math.Abs(got[1]-1.5) > 1e-9 {
		t.Errorf("lineMiddle = %v, want [0 1.5]", got)
	}
}

func TestSurface(t *testing.T) {
	s := newShaper()
	outer := orb.Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}
	hole := orb.Ring{{1, 1}, {1, 9}, {9, 9}, {9, 1}, {1, 1}}
	bowtie := orb.Ring{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}
	cases := []struct {
		name     string
		mp       orb.MultiPolygon
		repaired bool
		area     float64 // planar, square degrees, of the valid result
	}{
		{"donut: point in the ring, not the hole", orb.MultiPolygon{{outer, hole}}, false, 100 - 64},
		{"bow-tie repaired into two triangles", orb.MultiPolygon{{bowtie}}, true, 0.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			valid, pt, repaired, err := s.surface(c.mp)
			if err != nil {
				t.Fatal(err)
			}
			if repaired != c.repaired {
				t.Errorf("repaired = %v, want %v", repaired, c.repaired)
			}
			if a := planar.Area(valid); math.Abs(a-c.area) > 1e-9 {
				t.Errorf("valid area = %g, want %g", a, c.area)
			}
			if !planar.MultiPolygonContains(valid, pt) || !planar.MultiPolygonContains(c.mp, pt) {
				t.Errorf("point %v not inside %v", pt, valid)
			}
		})
	}
	t.Run("collapsed ring is an error, not a panic", func(t *testing.T) {
		line := orb.Ring{{0, 0}, {1, 1}, {2, 2}, {0, 0}}
		if _, _, _, err := s.surface(orb.MultiPolygon{{line}}); err == nil {
			t.Error("want an error for a ring with no area")
		}
	})
}
