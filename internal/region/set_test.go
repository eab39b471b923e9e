package region

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// TestSetMatchesPlanar: the GEOS-prepared lookup must agree with orb's
// plain even-odd point-in-polygon test, including holes and gaps.
func TestSetMatchesPlanar(t *testing.T) {
	square := func(x0, y0, s float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x0 + s, y0}, {x0 + s, y0 + s}, {x0, y0 + s}, {x0, y0}}
	}
	mps := []orb.MultiPolygon{
		{{square(0, 0, 10), square(4, 4, 2)}},    // a square with a hole
		{{square(20, 0, 5)}, {square(30, 0, 5)}}, // two separate squares
		{{square(4.5, 4.5, 1)}},                  // an island inside the hole
	}
	rg, err := NewSet(mps)
	if err != nil {
		t.Fatal(err)
	}
	defer rg.Destroy()
	tests := []struct {
		pt   orb.Point
		want int
	}{
		{orb.Point{1, 1}, 0}, {orb.Point{5, 5}, 2}, {orb.Point{4.2, 4.2}, -1}, {orb.Point{22, 2}, 1},
		{orb.Point{32, 2}, 1}, {orb.Point{27, 2}, -1}, {orb.Point{-1, 5}, -1},
	}
	for _, tc := range tests {
		got := rg.Locate(tc.pt)
		if got != tc.want {
			t.Errorf("locate(%v) = %d, want %d", tc.pt, got, tc.want)
		}
		plan := -1
		for k, mp := range mps {
			if planar.MultiPolygonContains(mp, tc.pt) {
				plan = k
				break
			}
		}
		if plan != got {
			t.Errorf("locate(%v) = %d, planar test says %d", tc.pt, got, plan)
		}
	}
}
