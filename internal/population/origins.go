package population

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// PerPolygon turns a grid allocation of polygon zones into one origin per
// zone, at the zone's population-weighted point: the mean of its cells'
// centres weighted by the people the dasymetric allocation gave each cell
// (so a tract's origin sits where its residential streets are, not at the
// geometric centroid of its farmland). When that mean falls outside the
// polygon (a crescent-shaped zone), the centre of the zone's most populated
// cell stands in. Zones with no people make no origin. The origin's ID is
// the zone's ID; its one Part is the whole zone.
func PerPolygon(a *Allocation, zones []Zone) *Allocation {
	type acc struct {
		sx, sy, w float64
		best      orb.Point
		bestPop   float64
	}
	accs := make([]acc, len(zones))
	for _, c := range a.Cells {
		for _, p := range c.Parts {
			z := &accs[p.Zone]
			z.sx += c.Center[0] * p.Pop
			z.sy += c.Center[1] * p.Pop
			z.w += p.Pop
			if p.Pop > z.bestPop {
				z.best, z.bestPop = c.Center, p.Pop
			}
		}
	}
	out := &Allocation{Grid: a.Grid, ZoneMethod: a.ZoneMethod, Origins: PolygonOrigins}
	for zi, z := range accs {
		if z.w <= 0 {
			continue
		}
		pt := orb.Point{z.sx / z.w, z.sy / z.w}
		if len(zones[zi].Geom) > 0 && !planar.MultiPolygonContains(zones[zi].Geom, pt) {
			pt = z.best
		}
		out.Cells = append(out.Cells, Cell{Index: -1, ID: zones[zi].ID, Center: pt, Pop: zones[zi].Pop,
			Parts: []Part{{Zone: int32(zi), Pop: zones[zi].Pop}}})
	}
	return out
}
