// Package region answers where a point lies: in which of a set of polygons
// (census tracts, counties, municipalities), and whether inside a study's
// boundary or its buffer.
package region

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geos"
)

// Set answers "which of these polygons holds this point" quickly: each
// polygon is a GEOS prepared geometry, whose indexed point-in-area test costs
// about log(n) in its vertex count rather than n (county outlines have tens of
// thousands of vertices; a study has tens of thousands of cells).
type Set struct {
	ctx    *geos.Context
	geoms  []*geos.Geom
	preps  []*geos.PrepGeom
	bounds []orb.Bound
}

// NewSet prepares the polygons (lon/lat or any plane) for Locate; the
// caller calls Destroy when done.
func NewSet(mps []orb.MultiPolygon) (rg *Set, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("prepare boundary polygons: %v", p)
		}
	}()
	rg = &Set{ctx: geos.NewContext()}
	for _, mp := range mps {
		g := multiPolygon(rg.ctx, mp, nil)
		rg.geoms = append(rg.geoms, g)
		rg.preps = append(rg.preps, g.Prepare())
		rg.bounds = append(rg.bounds, mp.Bound())
	}
	return rg, nil
}

// Locate returns the index of the first polygon containing pt, or -1.
func (rg *Set) Locate(pt orb.Point) (k int) {
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

// Destroy frees the GEOS geometries.
func (rg *Set) Destroy() {
	for _, p := range rg.preps {
		p.Destroy()
	}
	for _, g := range rg.geoms {
		g.Destroy()
	}
}

// multiPolygon builds a GEOS MultiPolygon from mp, each point passed
// through fwd (nil keeps the coordinates as they are). Polygons whose outer
// ring has fewer than 4 points, and holes of fewer than 4, are left out.
func multiPolygon(ctx *geos.Context, mp orb.MultiPolygon, fwd func(orb.Point) orb.Point) *geos.Geom {
	var polys []*geos.Geom
	for _, poly := range mp {
		var rings [][][]float64
		for k, ring := range poly {
			if len(ring) < 4 {
				if k == 0 {
					break
				}
				continue
			}
			cs := make([][]float64, len(ring))
			for i, p := range ring {
				if fwd != nil {
					p = fwd(p)
				}
				cs[i] = []float64{p[0], p[1]}
			}
			rings = append(rings, cs)
		}
		if len(rings) > 0 {
			polys = append(polys, ctx.NewPolygon(rings))
		}
	}
	return ctx.NewCollection(geos.TypeIDMultiPolygon, polys)
}
