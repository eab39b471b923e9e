package population

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestPerPolygon: one origin per zone at the people-weighted mean of its
// cells, worked by hand; a zone whose mean falls outside it (a U shape)
// takes its most populated cell instead; a zone without people makes no
// origin; ids and counts are the zones'.
func TestPerPolygon(t *testing.T) {
	square := orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}}
	// A U open to the north: the mean of its two arms lies in the gap.
	u := orb.Polygon{{{10, 0}, {16, 0}, {16, 4}, {15, 4}, {15, 1}, {11, 1}, {11, 4}, {10, 4}, {10, 0}}}
	zones := []Zone{
		{ID: "sq", Pop: 40, Geom: orb.MultiPolygon{square}},
		{ID: "u", Pop: 30, Geom: orb.MultiPolygon{u}},
		{ID: "empty", Pop: 0, Geom: orb.MultiPolygon{square}},
	}
	a := &Allocation{Origins: GridOrigins, Cells: []Cell{
		{Index: 0, Center: orb.Point{1, 1}, Pop: 10, Parts: []Part{{Zone: 0, Pop: 10}}},
		{Index: 1, Center: orb.Point{3, 3}, Pop: 30, Parts: []Part{{Zone: 0, Pop: 30}}},
		{Index: 2, Center: orb.Point{10.5, 3}, Pop: 20, Parts: []Part{{Zone: 1, Pop: 20}}},
		{Index: 3, Center: orb.Point{15.5, 3}, Pop: 10, Parts: []Part{{Zone: 1, Pop: 10}}},
	}}
	got := PerPolygon(a, zones)
	if got.Origins != PolygonOrigins || len(got.Cells) != 2 {
		t.Fatalf("origins %s, %d of them", got.Origins, len(got.Cells))
	}
	// Square: (1·10 + 3·30)/40 = 2.5 on both axes.
	// U: x = (10.5·20 + 15.5·10)/30 = 12.1667, y = 3: in the gap, so the
	// arm with 20 people, (10.5, 3), stands in.
	want := []struct {
		id  string
		pt  orb.Point
		pop float64
	}{{"sq", orb.Point{2.5, 2.5}, 40}, {"u", orb.Point{10.5, 3}, 30}}
	for k, w := range want {
		c := got.Cells[k]
		if c.ID != w.id || math.Abs(c.Center[0]-w.pt[0]) > 1e-12 || math.Abs(c.Center[1]-w.pt[1]) > 1e-12 || c.Pop != w.pop || c.Index != -1 {
			t.Errorf("origin %d: %+v, want %s at %v with %v", k, c, w.id, w.pt, w.pop)
		}
		if len(c.Parts) != 1 || c.Parts[0].Pop != w.pop {
			t.Errorf("origin %s parts %v", c.ID, c.Parts)
		}
	}
}

// TestPointsKeepTheirCoordinates: every point is an origin at its own
// coordinates, in input order, with its id and people, zero-people points
// included.
func TestPointsKeepTheirCoordinates(t *testing.T) {
	zones := []Zone{{ID: "b", Pop: 5, Point: orb.Point{-51.2, -30.05}}, {ID: "a", Pop: 0, Point: orb.Point{-51.1, -30.0}}}
	g := NewGrid(PointBound(zones).Pad(0.01), 250)
	a := Points(g, zones)
	if a.Origins != PointOrigins || len(a.Cells) != 2 {
		t.Fatalf("%s, %d origins", a.Origins, len(a.Cells))
	}
	for k, z := range zones {
		c := a.Cells[k]
		if c.ID != z.ID || c.Center != z.Point || c.Pop != z.Pop || c.Index != -1 {
			t.Errorf("origin %d = %+v, want %+v", k, c, z)
		}
	}
}
