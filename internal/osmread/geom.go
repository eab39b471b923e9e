package osmread

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/planar"
	"github.com/twpayne/go-geos"

	"commonground/internal/geo"
)

// assembleRings joins ways, given as node id lists, end to end into closed
// rings, as OSM multipolygons and boundaries split their rings over many
// ways. A ring that cannot be closed means member ways are missing, usually
// because the extract clipped the relation at its border; the error names
// the node where the ring stops.
func assembleRings(ways [][]int64) ([][]int64, error) {
	ends := map[int64][]int{} // node id -> ways that start or end there
	for i, w := range ways {
		if len(w) < 2 {
			continue
		}
		ends[w[0]] = append(ends[w[0]], i)
		ends[w[len(w)-1]] = append(ends[w[len(w)-1]], i)
	}
	used := make([]bool, len(ways))
	var rings [][]int64
	for i, w := range ways {
		if used[i] || len(w) < 2 {
			continue
		}
		used[i] = true
		ring := append([]int64(nil), w...)
		for ring[0] != ring[len(ring)-1] {
			end := ring[len(ring)-1]
			next := -1
			for _, j := range ends[end] {
				if !used[j] {
					next = j
					break
				}
			}
			if next < 0 {
				return nil, fmt.Errorf("ring starting at node %d stops at node %d: no member way continues it", ring[0], end)
			}
			used[next] = true
			nw := ways[next]
			if nw[0] == end {
				ring = append(ring, nw[1:]...)
			} else {
				for k := len(nw) - 2; k >= 0; k-- {
					ring = append(ring, nw[k])
				}
			}
		}
		if len(ring) >= 4 {
			rings = append(rings, ring)
		}
	}
	return rings, nil
}

// buildMultiPolygon nests inner rings in the smallest outer ring that holds
// them. Orientation and overlaps are left to GEOS make-valid.
func buildMultiPolygon(outers, inners []orb.Ring) (orb.MultiPolygon, int) {
	mp := make(orb.MultiPolygon, 0, len(outers))
	areas := make([]float64, len(outers))
	for i, o := range outers {
		mp = append(mp, orb.Polygon{o})
		areas[i] = math.Abs(planar.Area(orb.Polygon{o}))
	}
	orphans := 0
	for _, in := range inners {
		best := -1
		for i, o := range outers {
			if containsRing(o, in) && (best < 0 || areas[i] < areas[best]) {
				best = i
			}
		}
		if best < 0 {
			orphans++
			continue
		}
		mp[best] = append(mp[best], in)
	}
	return mp, orphans
}

// containsRing reports whether most vertices of in lie inside out: inner
// rings often share a vertex or two with their outer ring.
func containsRing(out, in orb.Ring) bool {
	inside, n := 0, len(in)-1
	for _, p := range in[:n] {
		if planar.RingContains(out, p) {
			inside++
		}
	}
	return 2*inside > n
}

// shaper does the GEOS work on area features. One GEOS context per worker
// (finish): contexts are not shared between goroutines.
type shaper struct {
	g *geos.Context
}

func newShaper() *shaper { return &shaper{g: geos.NewContext()} }

// surface makes mp valid and finds a point on its surface. It reports
// whether mp had to be repaired. GEOS panics on some invalid input; the
// panic is turned into an error so one bad feature cannot end a run.
func (s *shaper) surface(mp orb.MultiPolygon) (valid orb.MultiPolygon, pt orb.Point, repaired bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("geometry engine failed: %v", r)
		}
	}()
	g, err := s.geom(mp)
	if err != nil {
		return nil, pt, false, err
	}
	defer g.Destroy()
	valid = mp
	if !g.IsValid() {
		repaired = true
		v := g.MakeValid()
		if v == nil {
			return nil, pt, true, errors.New("cannot repair the polygon")
		}
		defer v.Destroy()
		gv, err := wkb.Unmarshal(v.ToWKB())
		if err != nil {
			return nil, pt, true, fmt.Errorf("read repaired polygon: %w", err)
		}
		valid = polygons(gv)
		if len(valid) == 0 {
			return nil, pt, true, errors.New("polygon has no area left after repair")
		}
		g, err = s.geom(valid)
		if err != nil {
			return nil, pt, true, err
		}
		defer g.Destroy()
	}
	p := g.PointOnSurface()
	defer p.Destroy()
	if p.IsEmpty() {
		return nil, pt, repaired, errors.New("polygon has no interior")
	}
	return valid, orb.Point{p.X(), p.Y()}, repaired, nil
}

func (s *shaper) geom(mp orb.MultiPolygon) (*geos.Geom, error) {
	b, err := wkb.Marshal(mp)
	if err != nil {
		return nil, fmt.Errorf("encode polygon: %w", err)
	}
	g, err := s.g.NewGeomFromWKB(b)
	if err != nil || g == nil {
		return nil, fmt.Errorf("polygon not accepted by the geometry engine: %v", err)
	}
	return g, nil
}

// polygons keeps the polygonal parts of g: make-valid may return lines or
// points beside them where a ring collapsed.
func polygons(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	case orb.Collection:
		var mp orb.MultiPolygon
		for _, c := range g {
			mp = append(mp, polygons(c)...)
		}
		return mp
	}
	return nil
}

// areaM2 returns the area in square metres, measured in an equal-area
// projection centred on the shape.
func areaM2(mp orb.MultiPolygon) float64 {
	c := mp.Bound().Center()
	proj := geo.NewProjection(c[0], c[1])
	var a float64
	for _, poly := range mp {
		for i, r := range poly {
			ra := math.Abs(ringArea(r, proj))
			if i == 0 {
				a += ra
			} else {
				a -= ra
			}
		}
	}
	return max(a, 0)
}

func ringArea(r orb.Ring, proj geo.Projection) float64 {
	var s float64
	prev := proj.Forward(r[len(r)-1])
	for _, p := range r {
		q := proj.Forward(p)
		s += prev[0]*q[1] - q[0]*prev[1]
		prev = q
	}
	return s / 2
}

// edgePoints returns points along the outer rings of mp, one every spacing
// metres starting at each ring's first vertex, so a large park is reached
// at its edge. A ring with fewer corners than spaced points also gets its
// corners: gates and paths tend to meet a simple outline at its corners.
func edgePoints(mp orb.MultiPolygon, spacing float64) []orb.Point {
	var out []orb.Point
	for _, poly := range mp {
		if len(poly) == 0 || len(poly[0]) < 2 {
			continue
		}
		r := poly[0]
		perim := geo.LineLength(orb.LineString(r))
		withCorners := float64(len(r)-1) < perim/spacing
		out = append(out, r[0])
		next, walked := spacing, 0.0 // distances along the ring
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			if withCorners && i > 1 && out[len(out)-1] != a {
				out = append(out, a)
			}
			d := geo.Distance(a, b)
			for ; next < walked+d; next += spacing { // next >= walked, so d > 0 here
				f := (next - walked) / d
				p := orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
				if out[len(out)-1] != p {
					out = append(out, p)
				}
			}
			walked += d
		}
	}
	return out
}

// lineMiddle returns the point halfway along ls by length: the stand-in
// location of an area feature drawn as an unclosed line.
func lineMiddle(ls orb.LineString) orb.Point {
	half := geo.LineLength(ls) / 2
	walked := 0.0
	for i := 1; i < len(ls); i++ {
		d := geo.Distance(ls[i-1], ls[i])
		if walked+d >= half && d > 0 {
			f := (half - walked) / d
			a, b := ls[i-1], ls[i]
			return orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
		}
		walked += d
	}
	return ls[0]
}
