package osmread

import (
	"context"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/testdata"
)

// A clipped read keeps exactly the streets and places of the full read that
// touch the box, whole, and every boundary and town wherever it lies.
func TestClip(t *testing.T) {
	full, _ := delaware(t)
	box := orb.Bound{Min: orb.Point{-75.60, 39.10}, Max: orb.Point{-75.45, 39.20}} // Dover
	ex, err := Read(context.Background(), testdata.DelawarePBF(t), Options{Clip: &box})
	if err != nil {
		t.Fatal(err)
	}
	touches := func(pts []orb.Point) bool {
		for _, p := range pts {
			if box.Contains(p) {
				return true
			}
		}
		return false
	}
	var want int
	fullWays := map[int64]int{}
	for _, w := range full.Ways {
		if touches(w.Points) {
			want++
			fullWays[w.ID] = len(w.Points)
		}
	}
	if len(ex.Ways) != want || want < 1000 {
		t.Errorf("clipped read kept %d streets, the full read has %d touching the box", len(ex.Ways), want)
	}
	for _, w := range ex.Ways {
		if n, ok := fullWays[w.ID]; !ok || n != len(w.Points) {
			t.Fatalf("way %d: %d points clipped, %d in the full read (kept: %v)", w.ID, len(w.Points), n, ok)
		}
	}
	nodePlaces := 0
	for _, p := range full.Places {
		if p.OSMType == "node" && box.Contains(p.Point) {
			nodePlaces++
		}
	}
	got := 0
	for _, p := range ex.Places {
		if p.OSMType == "node" {
			got++
			if !box.Contains(p.Point) {
				t.Errorf("place %s/%d at %v lies outside the box", p.OSMType, p.OSMID, p.Point)
			}
		}
	}
	if got != nodePlaces || got == 0 {
		t.Errorf("%d node places kept, %d of the full read lie in the box", got, nodePlaces)
	}
	if len(ex.Boundaries) != len(full.Boundaries) || len(ex.Towns) != len(full.Towns) {
		t.Errorf("clipped read has %d boundaries and %d towns, the full read %d and %d", len(ex.Boundaries), len(ex.Towns), len(full.Boundaries), len(full.Towns))
	}
	if len(ex.Ways) >= len(full.Ways)/4 {
		t.Errorf("clipped read kept %d of %d streets", len(ex.Ways), len(full.Ways))
	}
}
