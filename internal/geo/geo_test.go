package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		name string
		a, b orb.Point
		want float64 // metres
		tol  float64
	}{
		// One degree of latitude on the mean sphere is R*pi/180.
		{"one degree of latitude", orb.Point{-75, 39}, orb.Point{-75, 40}, EarthRadius * math.Pi / 180, 1e-6},
		// One degree of longitude on the equator is the same arc.
		{"one degree on the equator", orb.Point{0, 0}, orb.Point{1, 0}, EarthRadius * math.Pi / 180, 1e-6},
		{"same point", orb.Point{-75.5, 39.7}, orb.Point{-75.5, 39.7}, 0, 0},
		// Wilmington DE to Dover DE: about 65 km by great circle.
		{"Wilmington to Dover", orb.Point{-75.5466, 39.7459}, orb.Point{-75.5244, 39.1582}, 65400, 300},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Distance(tc.a, tc.b)
			if math.Abs(got-tc.want) > tc.tol {
				t.Errorf("Distance = %.3f, want %.3f ± %g", got, tc.want, tc.tol)
			}
		})
	}
}

func TestProjectionRoundTripAndArea(t *testing.T) {
	p := NewProjection(-75.5, 39.2)
	for _, pt := range []orb.Point{{-75.5, 39.2}, {-75.79, 38.45}, {-75.05, 39.84}, {-74.9, 38.9}} {
		back := p.Inverse(p.Forward(pt))
		if math.Abs(back[0]-pt[0]) > 1e-9 || math.Abs(back[1]-pt[1]) > 1e-9 {
			t.Errorf("round trip %v -> %v", pt, back)
		}
	}
	// Equal area: a 0.1 x 0.1 degree quadrangle has the spherical area
	// R^2 * dlon * (sin lat2 - sin lat1); the projected polygon must match.
	lon1, lat1, d := -75.2, 38.6, 0.1
	want := EarthRadius * EarthRadius * (d * math.Pi / 180) * (math.Sin((lat1+d)*math.Pi/180) - math.Sin(lat1*math.Pi/180))
	// Densify the edges so the straight projected chords follow the curves.
	var ring []orb.Point
	n := 200
	for i := 0; i < n; i++ {
		ring = append(ring, p.Forward(orb.Point{lon1 + d*float64(i)/float64(n), lat1}))
	}
	for i := 0; i < n; i++ {
		ring = append(ring, p.Forward(orb.Point{lon1 + d, lat1 + d*float64(i)/float64(n)}))
	}
	for i := 0; i < n; i++ {
		ring = append(ring, p.Forward(orb.Point{lon1 + d - d*float64(i)/float64(n), lat1 + d}))
	}
	for i := 0; i < n; i++ {
		ring = append(ring, p.Forward(orb.Point{lon1, lat1 + d - d*float64(i)/float64(n)}))
	}
	var a float64
	for i := range ring {
		j := (i + 1) % len(ring)
		a += ring[i][0]*ring[j][1] - ring[j][0]*ring[i][1]
	}
	a = math.Abs(a) / 2
	if math.Abs(a-want)/want > 1e-6 {
		t.Errorf("projected area %.1f m², spherical area %.1f m²", a, want)
	}
}
