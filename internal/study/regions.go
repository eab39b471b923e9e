package study

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geos"
)

// regions answers "which of these polygons holds this point" quickly: each
// polygon is a GEOS prepared geometry, whose indexed point-in-area test costs
// about log(n) in its vertex count rather than n (county outlines have tens of
// thousands of vertices; a study has tens of thousands of cells).
type regions struct {
	ctx    *geos.Context
	geoms  []*geos.Geom
	preps  []*geos.PrepGeom
	bounds []orb.Bound
}

func newRegions(mps []orb.MultiPolygon) (rg *regions, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("prepare boundary polygons: %v", p)
		}
	}()
	rg = &regions{ctx: geos.NewContext()}
	for _, mp := range mps {
		var polys []*geos.Geom
		for _, poly := range mp {
			var rings [][][]float64
			for _, ring := range poly {
				cs := make([][]float64, len(ring))
				for i, p := range ring {
					cs[i] = []float64{p[0], p[1]}
				}
				rings = append(rings, cs)
			}
			if len(rings) > 0 && len(rings[0]) >= 4 {
				polys = append(polys, rg.ctx.NewPolygon(rings))
			}
		}
		g := rg.ctx.NewCollection(geos.TypeIDMultiPolygon, polys)
		rg.geoms = append(rg.geoms, g)
		rg.preps = append(rg.preps, g.Prepare())
		rg.bounds = append(rg.bounds, mp.Bound())
	}
	return rg, nil
}

// locate returns the index of the first polygon containing pt, or -1.
func (rg *regions) locate(pt orb.Point) (k int) {
	defer func() {
		if recover() != nil {
			k = -1
		}
	}()
	// Not PrepGeom.ContainsXY: with GEOS older than 3.12 (Debian 12 has
	// 3.11) go-geos v0.20.1 compiles it to a stub that always says false.
	var p *geos.Geom
	defer func() {
		if p != nil {
			p.Destroy()
		}
	}()
	for k := range rg.preps {
		if !rg.bounds[k].Contains(pt) {
			continue
		}
		if p == nil {
			p = rg.ctx.NewPointFromXY(pt[0], pt[1])
		}
		if rg.preps[k].Contains(p) {
			return k
		}
	}
	return -1
}

func (rg *regions) destroy() {
	for _, p := range rg.preps {
		p.Destroy()
	}
	for _, g := range rg.geoms {
		g.Destroy()
	}
}
