package region

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"
	"github.com/twpayne/go-geos"

	"commonground/internal/geo"
)

// Area is a study area with edges: a boundary, inside which people are
// counted, ranked and summarised, and a buffer around it, in which streets
// and places still count, so that people near the edge can reach places
// across the line (as a planner's residents do).
type Area struct {
	Name     string           // what the boundary is, for the report
	Boundary orb.MultiPolygon // lon/lat
	BufferM  float64          // metres

	proj  geo.Projection
	ctx   *geos.Context
	geom  *geos.Geom
	prep  *geos.PrepGeom
	bound orb.Bound // of the boundary, lon/lat
	outer orb.Bound // of the boundary and its buffer, lon/lat
}

// NewArea prepares a boundary (lon/lat) with a buffer of bufferM metres.
// Distances are measured on a Lambert azimuthal equal-area projection centred
// on the boundary (geo.Projection), within a fraction of a percent of true
// ground distance over a province. Call Destroy when done.
func NewArea(name string, mp orb.MultiPolygon, bufferM float64) (a *Area, err error) {
	if len(mp) == 0 {
		return nil, fmt.Errorf("study area %s: the boundary has no polygon", name)
	}
	if !(bufferM >= 0) || math.IsInf(bufferM, 0) {
		return nil, fmt.Errorf("study area %s: buffer %v m is not a distance", name, bufferM)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("study area %s: prepare boundary: %v", name, p)
		}
	}()
	c := mp.Bound().Center()
	a = &Area{Name: name, Boundary: mp, BufferM: bufferM, proj: geo.NewProjection(c[0], c[1]), ctx: geos.NewContext(), bound: mp.Bound()}
	g := multiPolygon(a.ctx, mp, a.proj.Forward)
	if g.NumGeometries() == 0 {
		g.Destroy()
		return nil, fmt.Errorf("study area %s: the boundary has no ring of at least 4 points", name)
	}
	if !g.IsValid() {
		fixed := g.MakeValid()
		g.Destroy()
		g = fixed
	}
	a.geom = g
	a.prep = g.Prepare()
	// The buffered outline's bounding box, back in lon/lat: sample the
	// projected box's edges, since a projected rectangle is curved in
	// lon/lat.
	b := g.Bounds()
	x0, y0, x1, y1 := b.MinX-bufferM, b.MinY-bufferM, b.MaxX+bufferM, b.MaxY+bufferM
	a.outer = orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	const n = 32
	for i := 0; i <= n; i++ {
		f := float64(i) / n
		x, y := x0+f*(x1-x0), y0+f*(y1-y0)
		for _, q := range []orb.Point{{x, y0}, {x, y1}, {x0, y}, {x1, y}} {
			a.outer = a.outer.Extend(a.proj.Inverse(q))
		}
	}
	a.outer = a.outer.Union(a.bound)
	return a, nil
}

// Contains reports whether pt (lon/lat) lies inside the boundary.
func (a *Area) Contains(pt orb.Point) bool {
	if !a.bound.Contains(pt) {
		return false
	}
	return a.test(pt, func(p *geos.Geom) bool { return a.prep.Contains(p) })
}

// Near reports whether pt (lon/lat) lies inside the boundary or within the
// buffer of it.
func (a *Area) Near(pt orb.Point) bool {
	if !a.outer.Contains(pt) {
		return false
	}
	return a.test(pt, func(p *geos.Geom) bool { return a.prep.DistanceWithin(p, a.BufferM) })
}

// Distance returns how far pt (lon/lat) lies outside the boundary, in
// metres; 0 inside.
func (a *Area) Distance(pt orb.Point) float64 {
	q := a.proj.Forward(pt)
	p := a.ctx.NewPointFromXY(q[0], q[1])
	defer p.Destroy()
	return a.geom.Distance(p)
}

func (a *Area) test(pt orb.Point, fn func(*geos.Geom) bool) (ok bool) {
	// Not PrepGeom.ContainsXY: with GEOS older than 3.12 go-geos v0.20.1
	// compiles it to a stub that always says false.
	q := a.proj.Forward(pt)
	p := a.ctx.NewPointFromXY(q[0], q[1])
	defer p.Destroy()
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return fn(p)
}

// Bound is the boundary's bounding box, lon/lat.
func (a *Area) Bound() orb.Bound { return a.bound }

// OuterBound is the bounding box of the boundary and its buffer, lon/lat.
func (a *Area) OuterBound() orb.Bound { return a.outer }

// AreaKm2 is the boundary's area in square kilometres.
func (a *Area) AreaKm2() float64 { return a.geom.Area() / 1e6 }

// Destroy frees the GEOS geometries.
func (a *Area) Destroy() {
	if a == nil || a.ctx == nil {
		return
	}
	a.prep.Destroy()
	a.geom.Destroy()
	a.ctx = nil
}

// ErrNoPolygon says a boundary file holds no polygon.
var ErrNoPolygon = errors.New("region: no polygon")

// ReadBoundary reads a boundary from a GeoJSON file: a FeatureCollection, a
// Feature or a bare geometry; every Polygon and MultiPolygon in it is part
// of the boundary. Coordinates must be lon/lat (RFC 7946).
func ReadBoundary(path string) (orb.MultiPolygon, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read boundary %s: %w", path, err)
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf("read boundary %s: not GeoJSON: %v", path, err)
	}
	var geoms []orb.Geometry
	switch head.Type {
	case "FeatureCollection":
		fc, err := geojson.UnmarshalFeatureCollection(raw)
		if err != nil {
			return nil, fmt.Errorf("read boundary %s: %v", path, err)
		}
		for _, f := range fc.Features {
			geoms = append(geoms, f.Geometry)
		}
	case "Feature":
		f, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			return nil, fmt.Errorf("read boundary %s: %v", path, err)
		}
		geoms = append(geoms, f.Geometry)
	default:
		g, err := geojson.UnmarshalGeometry(raw)
		if err != nil {
			return nil, fmt.Errorf("read boundary %s: %v", path, err)
		}
		geoms = append(geoms, g.Geometry())
	}
	var mp orb.MultiPolygon
	for _, g := range geoms {
		switch g := g.(type) {
		case orb.Polygon:
			mp = append(mp, g)
		case orb.MultiPolygon:
			mp = append(mp, g...)
		}
	}
	if len(mp) == 0 {
		return nil, fmt.Errorf("read boundary %s: %w: the file has no Polygon or MultiPolygon geometry", path, ErrNoPolygon)
	}
	b := mp.Bound()
	if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
		return nil, fmt.Errorf("read boundary %s: coordinates reach %v..%v, outside longitude/latitude: GeoJSON boundaries must be in WGS84 degrees", path, b.Min, b.Max)
	}
	return mp, nil
}

// PointOnSurface returns a point GEOS guarantees to lie inside the polygon
// (lon/lat in, lon/lat out), for deciding which side of a line a whole
// polygon belongs to.
func PointOnSurface(mp orb.MultiPolygon) (pt orb.Point, err error) {
	ctx := geos.NewContext()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("point on surface: %v", p)
		}
	}()
	g := multiPolygon(ctx, mp, nil)
	if g.NumGeometries() == 0 {
		g.Destroy()
		return orb.Point{}, ErrNoPolygon
	}
	defer g.Destroy()
	p := g.PointOnSurface()
	defer p.Destroy()
	return orb.Point{p.X(), p.Y()}, nil
}

// Subtract returns base less every polygon of holes (lon/lat in and out),
// for the part of a study area outside its municipalities. Invalid inputs
// are repaired with GEOS MakeValid first.
func Subtract(base orb.MultiPolygon, holes []orb.MultiPolygon) (out orb.MultiPolygon, err error) {
	ctx := geos.NewContext()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("subtract polygons: %v", p)
		}
	}()
	toGEOS := func(mp orb.MultiPolygon) (*geos.Geom, error) {
		b, err := wkb.Marshal(mp)
		if err != nil {
			return nil, err
		}
		g, err := ctx.NewGeomFromWKB(b)
		if err != nil {
			return nil, err
		}
		if !g.IsValid() {
			v := g.MakeValid()
			g.Destroy()
			g = v
		}
		return g, nil
	}
	g, err := toGEOS(base)
	if err != nil {
		return nil, err
	}
	// One difference with the holes' union, not one per hole: each
	// difference goes over the whole base, often the longest ring.
	hgs := make([]*geos.Geom, 0, len(holes))
	defer func() {
		for _, hg := range hgs {
			hg.Destroy()
		}
	}()
	for _, h := range holes {
		hg, err := toGEOS(h)
		if err != nil {
			g.Destroy()
			return nil, err
		}
		hgs = append(hgs, hg)
	}
	if len(hgs) > 0 {
		coll := ctx.NewCollection(geos.TypeIDGeometryCollection, hgs)
		hgs = nil // the collection owns them now
		u := coll.UnaryUnion()
		coll.Destroy()
		d := g.Difference(u)
		u.Destroy()
		g.Destroy()
		g = d
	}
	defer g.Destroy()
	og, err := wkb.Unmarshal(g.ToWKB())
	if err != nil {
		return nil, err
	}
	switch v := og.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{v}, nil
	case orb.MultiPolygon:
		return v, nil
	case orb.Collection:
		for _, part := range v {
			switch p := part.(type) {
			case orb.Polygon:
				out = append(out, p)
			case orb.MultiPolygon:
				out = append(out, p...)
			}
		}
		return out, nil
	}
	return nil, nil
}
