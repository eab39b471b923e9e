package population

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
	"commonground/internal/par"
	"commonground/internal/problem"
)

// Method says how a zone's people were placed on the grid, so a report can
// tell planners where the map is sharper (streets) or coarser (area).
type Method string

// The placement methods.
const (
	// MethodStreets spreads people in proportion to residential street length.
	MethodStreets Method = "streets"
	// MethodArea spreads people in proportion to area: the zone has no
	// residential street.
	MethodArea Method = "area"
	// MethodEstimate derives people from street length alone: no census layer.
	MethodEstimate Method = "estimate"
	// MethodOutside marks a zone that does not overlap the grid; its people
	// are left out (and recorded as a problem).
	MethodOutside Method = "outside"
)

// Part is the population a cell received from one zone, kept so equity
// measures can weigh a cell by the zone's make-up (share of each group).
type Part struct {
	Zone int32 // index into the zones given to Allocate
	Pop  float64
}

// Cell is an origin for accessibility measures: a populated grid cell, a
// population point as the user gave it (a hexagon or block centroid, an
// address), or one census polygon's population-weighted point.
type Cell struct {
	Index int // grid index; -1 for an origin that is not a grid cell
	// ID names the origin in every output: the grid index for grid cells,
	// the input's id for points and polygons, so results join back to the
	// user's zones.
	ID      string
	Center  orb.Point // lon/lat
	Pop     float64
	Parts   []Part  // by zone, sorted by zone index; nil from Estimate
	StreetM float64 // residential street metres inside the cell
}

// Origins says what the origins of an allocation are, so maps draw each as
// what it is and the methods text says exactly what happened.
type Origins string

// The kinds of origin.
const (
	// GridOrigins are cells of the equal-area grid (dasymetric allocation
	// of polygons, or the street-based estimate).
	GridOrigins Origins = "grid"
	// PointOrigins are the user's population points at their own
	// coordinates, one origin each, as r5r and r5py take origins.
	PointOrigins Origins = "points"
	// PolygonOrigins are one origin per census polygon, at the polygon's
	// population-weighted point.
	PolygonOrigins Origins = "polygons"
)

// Allocation is a set of origins with their people.
type Allocation struct {
	// Cells are the origins: grid cells with Pop > 0 sorted by Index, or
	// one origin per input point or polygon in input order.
	Cells      []Cell
	ZoneMethod []Method // per zone
	// Grid is the equal-area grid: the cells of GridOrigins, and the
	// projection every kind of origin is measured in.
	Grid    Grid
	Origins Origins
}

// Total returns the number of people on the grid.
func (a *Allocation) Total() float64 {
	var t float64
	for _, c := range a.Cells {
		t += c.Pop
	}
	return t
}

// maxCells bounds the grid so a typo in the cell size fails clearly instead
// of exhausting memory.
const maxCells = 50_000_000

// minStreetM is the residential street length below which a zone counts as
// having none: slivers of boundary streets a few centimetres inside a zone
// must not pull all of its people into one cell.
const minStreetM = 1.0

func checkGrid(g Grid) error {
	if !(g.Size > 0) || g.Cols <= 0 || g.Rows <= 0 {
		return fmt.Errorf("population grid is empty (cell size %g m, %d x %d cells)", g.Size, g.Cols, g.Rows)
	}
	if g.Cols > maxCells/g.Rows {
		return fmt.Errorf("population grid of %d x %d cells is too large: use a larger cell size than %g m", g.Cols, g.Rows, g.Size)
	}
	return nil
}

// Allocate spreads each zone's people onto the grid cells in proportion to
// the residential street length inside zone ∩ cell (streets crossing a zone
// border are split between the zones); a zone without residential streets
// falls back to the area of zone ∩ cell. Each zone's cells add back to its
// Pop. The part of a zone outside the grid gets nobody: its people go to the
// part inside, with a warning in probs (which may be nil).
func Allocate(g Grid, zones []Zone, residential []orb.LineString, probs *problem.List) (*Allocation, error) {
	if err := checkGrid(g); err != nil {
		return nil, err
	}
	for i, z := range zones {
		if !(z.Pop >= 0) || math.IsInf(z.Pop, 0) {
			return nil, fmt.Errorf("allocate population: zone %d (%s) has population %v", i+1, z.ID, z.Pop)
		}
	}
	if probs == nil {
		probs = &problem.List{}
	}
	st := cutStreets(g, residential)
	results := make([]zoneResult, len(zones))
	par.Each(len(zones), func(i int) { results[i] = st.zone(g, zones[i].Geom) })

	al := &Allocation{Grid: g, ZoneMethod: make([]Method, len(zones)), Origins: GridOrigins}
	var shares []share
	for zi, r := range results {
		z := zones[zi]
		var w, a float64
		for _, c := range r.cells {
			w += c.w
			a += c.area
		}
		switch {
		case w >= minStreetM:
			al.ZoneMethod[zi] = MethodStreets
		case a > 0:
			al.ZoneMethod[zi] = MethodArea
			w = a
		default:
			al.ZoneMethod[zi] = MethodOutside
			probs.Add(problem.Problem{Severity: problem.Skipped, Feature: z.ID,
				Message: fmt.Sprintf("zone lies outside the study grid; its %s people are left out", strconv.FormatFloat(z.Pop, 'f', -1, 64))})
			continue
		}
		if a < 0.999*r.area {
			probs.Add(problem.Problem{Severity: problem.Warning, Feature: z.ID,
				Message: fmt.Sprintf("zone reaches %.1f%% outside the study grid; all its people are placed in the part inside", 100*(1-a/r.area))})
		}
		if z.Pop == 0 {
			continue
		}
		for _, c := range r.cells {
			v := c.w
			if al.ZoneMethod[zi] == MethodArea {
				v = c.area
			}
			if v > 0 {
				shares = append(shares, share{cell: c.cell, zone: int32(zi), pop: z.Pop * v / w})
			}
		}
	}
	sort.Slice(shares, func(i, j int) bool {
		if shares[i].cell != shares[j].cell {
			return shares[i].cell < shares[j].cell
		}
		return shares[i].zone < shares[j].zone
	})
	for i := 0; i < len(shares); {
		j := i
		c := Cell{Index: int(shares[i].cell), ID: strconv.Itoa(int(shares[i].cell)), StreetM: st.cellM[shares[i].cell]}
		for ; j < len(shares) && shares[j].cell == shares[i].cell; j++ {
			c.Pop += shares[j].pop
			c.Parts = append(c.Parts, Part{Zone: shares[j].zone, Pop: shares[j].pop})
		}
		c.Center = g.Center(c.Index)
		al.Cells = append(al.Cells, c)
		i = j
	}
	return al, nil
}

// Estimate places total people on the grid in proportion to residential
// street length when no census layer exists. area, when not nil, limits the
// streets counted to a study area (lon/lat); nil means the whole grid.
func Estimate(g Grid, residential []orb.LineString, total float64, area orb.MultiPolygon) (*Allocation, error) {
	if err := checkGrid(g); err != nil {
		return nil, err
	}
	if !(total >= 0) || math.IsInf(total, 0) {
		return nil, fmt.Errorf("estimate population: total %v is not a head count", total)
	}
	st := cutStreets(g, residential)
	var cells []zoneCell
	if area == nil {
		for i, m := range st.cellM {
			if m > 0 {
				cells = append(cells, zoneCell{cell: int32(i), w: m})
			}
		}
	} else {
		cells = st.zone(g, area).cells
	}
	var w float64
	for _, c := range cells {
		w += c.w
	}
	if w < minStreetM {
		return nil, fmt.Errorf("estimate population: no residential streets (highway=residential or living_street) in the study area; give a census layer instead")
	}
	al := &Allocation{Grid: g, ZoneMethod: []Method{MethodEstimate}, Origins: GridOrigins}
	for _, c := range cells {
		if c.w > 0 && total > 0 {
			al.Cells = append(al.Cells, Cell{Index: int(c.cell), ID: strconv.Itoa(int(c.cell)), Center: g.Center(int(c.cell)), Pop: total * c.w / w, StreetM: st.cellM[c.cell]})
		}
	}
	return al, nil
}

type share struct {
	cell, zone int32
	pop        float64
}

// Geometry below works in grid units: u = (x - X0) / Size, v = (y - Y0) / Size
// on the grid's projection, so cells are unit squares with integer corners
// and areas count cells.

// piece is the part of a street segment inside one cell.
type piece struct {
	a, b orb.Point // grid units
	m    float64   // metres, a share of the segment's great-circle length
}

// streets holds the residential street pieces grouped by cell.
type streets struct {
	start  []int32 // pieces of cell i are pieces[start[i]:start[i+1]]
	pieces []piece
	cellM  []float64 // street metres per cell
}

// cutStreets cuts every residential street at the grid lines. A piece's
// length is its share (in projected parameter) of the segment's geo.Distance,
// so the pieces of a street add up to its geo.LineLength exactly.
func cutStreets(g Grid, lines []orb.LineString) *streets {
	n := g.Len()
	st := &streets{start: make([]int32, n+1), cellM: make([]float64, n)}
	// Most segments are shorter than a cell and give one piece: room for
	// each segment and an eighth more saves growing the lists by copying.
	segs := 0
	for _, ls := range lines {
		segs += max(len(ls)-1, 0)
	}
	segs += segs / 8
	cells := make([]int32, 0, segs)
	pieces := make([]piece, 0, segs)
	ts := make([]float64, 0, 16)
	cols, rows := float64(g.Cols), float64(g.Rows)
	for _, ls := range lines {
		if len(ls) < 2 {
			continue
		}
		a := toGrid(g, ls[0])
		for k := 1; k < len(ls); k++ {
			b := toGrid(g, ls[k])
			m := geo.Distance(ls[k-1], ls[k])
			if m > 0 && !math.IsNaN(m) {
				t0, t1, ok := clipSegment(a, b, 0, 0, cols, rows)
				if ok {
					ts = append(ts[:0], t0, t1)
					ts = gridCrossings(ts, a[0], b[0], t0, t1)
					ts = gridCrossings(ts, a[1], b[1], t0, t1)
					sort.Float64s(ts)
					for i := 0; i+1 < len(ts); i++ {
						if ts[i+1] <= ts[i] {
							continue
						}
						pa, pb := lerp(a, b, ts[i]), lerp(a, b, ts[i+1])
						mid := lerp(a, b, (ts[i]+ts[i+1])/2)
						col := min(max(int(math.Floor(mid[0])), 0), g.Cols-1)
						row := min(max(int(math.Floor(mid[1])), 0), g.Rows-1)
						cell := int32(row*g.Cols + col)
						cells = append(cells, cell)
						pieces = append(pieces, piece{a: pa, b: pb, m: (ts[i+1] - ts[i]) * m})
						st.cellM[cell] += (ts[i+1] - ts[i]) * m
					}
				}
			}
			a = b
		}
	}
	// Group by cell with a stable counting sort.
	for _, c := range cells {
		st.start[c+1]++
	}
	for i := 1; i <= n; i++ {
		st.start[i] += st.start[i-1]
	}
	st.pieces = make([]piece, len(pieces))
	fill := append([]int32(nil), st.start[:n]...)
	for i, c := range cells {
		st.pieces[fill[c]] = pieces[i]
		fill[c]++
	}
	return st
}

// gridCrossings appends the parameters in (t0, t1) where the coordinate
// going from a to b crosses an integer (a grid line).
func gridCrossings(ts []float64, a, b, t0, t1 float64) []float64 {
	if a == b {
		return ts
	}
	lo, hi := a+(b-a)*t0, a+(b-a)*t1
	if lo > hi {
		lo, hi = hi, lo
	}
	for k := math.Ceil(lo); k <= hi; k++ {
		if t := (k - a) / (b - a); t > t0 && t < t1 {
			ts = append(ts, t)
		}
	}
	return ts
}

// toGrid maps lon/lat to grid units. Coordinates within 1e-9 cell of a grid
// line are put on it, so a border drawn along a grid line does not leave
// slivers of a millionth of a person in the neighbouring cells.
func toGrid(g Grid, p orb.Point) orb.Point {
	q := g.Proj.Forward(p)
	q = orb.Point{(q[0] - g.X0) / g.Size, (q[1] - g.Y0) / g.Size}
	for i := range q {
		if r := math.Round(q[i]); math.Abs(q[i]-r) < 1e-9 {
			q[i] = r
		}
	}
	return q
}

func lerp(a, b orb.Point, t float64) orb.Point {
	return orb.Point{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t}
}

// clipSegment is Liang-Barsky clipping of a->b to the box [x0,x1]x[y0,y1]:
// the parameters of the part inside.
func clipSegment(a, b orb.Point, x0, y0, x1, y1 float64) (t0, t1 float64, ok bool) {
	t0, t1 = 0, 1
	dx, dy := b[0]-a[0], b[1]-a[1]
	for _, e := range [4][2]float64{{-dx, a[0] - x0}, {dx, x1 - a[0]}, {-dy, a[1] - y0}, {dy, y1 - a[1]}} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return 0, 0, false
			}
			continue
		}
		r := q / p
		if p < 0 {
			t0 = max(t0, r)
		} else {
			t1 = min(t1, r)
		}
	}
	return t0, t1, t0 < t1
}

// zoneCell is what one zone puts in one cell: street metres and area
// (cells) of zone ∩ cell.
type zoneCell struct {
	cell int32
	w    float64
	area float64
}

type zoneResult struct {
	cells []zoneCell
	area  float64 // the zone's whole area, cells, inside the grid or not
}

// zone measures zone ∩ cell for every cell the lon/lat multipolygon mp
// touches. It recursively halves the zone's box of cells, clipping the rings
// to each half (Sutherland-Hodgman, which keeps the signed area of any ring
// exact under clipping to a half-plane): a box the zone covers completely
// takes all its cells' streets whole, an uncovered box is dropped, and only
// cells on the zone's border are measured piece by piece.
func (st *streets) zone(g Grid, mp orb.MultiPolygon) zoneResult {
	var rings [][]orb.Point
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	var res zoneResult
	for _, p := range mp {
		for k, r := range p {
			if len(r) < 4 {
				continue
			}
			q := make([]orb.Point, len(r)-1) // drop the closing point
			for i := range q {
				q[i] = toGrid(g, r[i])
				minX, minY = min(minX, q[i][0]), min(minY, q[i][1])
				maxX, maxY = max(maxX, q[i][0]), max(maxY, q[i][1])
			}
			// Outer rings counter-clockwise, holes clockwise, so signed
			// areas add up to the zone's area.
			if a := signedArea(q); (k == 0) != (a > 0) {
				for i, j := 0, len(q)-1; i < j; i, j = i+1, j-1 {
					q[i], q[j] = q[j], q[i]
				}
			}
			res.area += signedArea(q)
			rings = append(rings, q)
		}
	}
	c0, r0 := max(int(math.Floor(minX)), 0), max(int(math.Floor(minY)), 0)
	c1, r1 := min(int(math.Floor(maxX))+1, g.Cols), min(int(math.Floor(maxY))+1, g.Rows)
	if len(rings) == 0 || c0 >= c1 || r0 >= r1 {
		return res
	}
	rings = clip(rings, 0, float64(c0), false)
	rings = clip(rings, 0, float64(c1), true)
	rings = clip(rings, 1, float64(r0), false)
	rings = clip(rings, 1, float64(r1), true)
	z := zoneWalk{st: st, g: g}
	z.visit(rings, c0, r0, c1, r1)
	res.cells = z.cells
	return res
}

type zoneWalk struct {
	st    *streets
	g     Grid
	cells []zoneCell
	ts    []float64
}

// visit handles rings already clipped to the box of cells [c0,c1) x [r0,r1).
func (z *zoneWalk) visit(rings [][]orb.Point, c0, r0, c1, r1 int) {
	var a float64
	for _, r := range rings {
		a += signedArea(r)
	}
	box := float64((c1 - c0) * (r1 - r0))
	switch {
	case a <= box*1e-12:
		return
	case a >= box*(1-1e-9):
		for r := r0; r < r1; r++ {
			for c := c0; c < c1; c++ {
				cell := int32(r*z.g.Cols + c)
				z.cells = append(z.cells, zoneCell{cell: cell, w: z.st.cellM[cell], area: 1})
			}
		}
		return
	case c1-c0 == 1 && r1-r0 == 1:
		cell := int32(r0*z.g.Cols + c0)
		z.cells = append(z.cells, zoneCell{cell: cell, w: z.streetIn(cell, rings), area: a})
		return
	}
	if c1-c0 >= r1-r0 {
		cm := (c0 + c1) / 2
		z.visit(clip(rings, 0, float64(cm), true), c0, r0, cm, r1)
		z.visit(clip(rings, 0, float64(cm), false), cm, r0, c1, r1)
	} else {
		rm := (r0 + r1) / 2
		z.visit(clip(rings, 1, float64(rm), true), c0, r0, c1, rm)
		z.visit(clip(rings, 1, float64(rm), false), c0, rm, c1, r1)
	}
}

// streetIn returns the street metres of cell inside rings (clipped to the
// cell): each piece is cut where it crosses a ring edge and each sub-piece
// is kept when its midpoint has a non-zero winding number.
func (z *zoneWalk) streetIn(cell int32, rings [][]orb.Point) float64 {
	var w float64
	for _, p := range z.st.pieces[z.st.start[cell]:z.st.start[cell+1]] {
		ts := append(z.ts[:0], 0, 1)
		for _, r := range rings {
			for i := range r {
				q0, q1 := r[i], r[(i+1)%len(r)]
				if t, ok := segmentParam(p.a, p.b, q0, q1); ok {
					ts = append(ts, t)
				}
			}
		}
		sort.Float64s(ts)
		for i := 0; i+1 < len(ts); i++ {
			if dt := ts[i+1] - ts[i]; dt > 0 && winding(rings, lerp(p.a, p.b, (ts[i]+ts[i+1])/2)) != 0 {
				w += dt * p.m
			}
		}
		z.ts = ts
	}
	return w
}

// segmentParam returns t in (0,1) where a->b crosses q0->q1; parallel
// segments do not cross (the midpoint test settles overlaps).
func segmentParam(a, b, q0, q1 orb.Point) (float64, bool) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	ex, ey := q1[0]-q0[0], q1[1]-q0[1]
	den := dx*ey - dy*ex
	if den == 0 {
		return 0, false
	}
	fx, fy := q0[0]-a[0], q0[1]-a[1]
	t := (fx*ey - fy*ex) / den
	u := (fx*dy - fy*dx) / den
	return t, t > 0 && t < 1 && u >= 0 && u <= 1
}

// winding is the winding number of rings around p (Sunday's algorithm).
func winding(rings [][]orb.Point, p orb.Point) int {
	wn := 0
	for _, r := range rings {
		for i := range r {
			a, b := r[i], r[(i+1)%len(r)]
			isLeft := (b[0]-a[0])*(p[1]-a[1]) - (p[0]-a[0])*(b[1]-a[1])
			if a[1] <= p[1] {
				if b[1] > p[1] && isLeft > 0 {
					wn++
				}
			} else if b[1] <= p[1] && isLeft < 0 {
				wn--
			}
		}
	}
	return wn
}

// signedArea is the shoelace area of an implicitly closed ring, positive
// when counter-clockwise; coordinates are taken relative to the first point
// to keep rounding small.
func signedArea(r []orb.Point) float64 {
	if len(r) < 3 {
		return 0
	}
	var s float64
	o := r[0]
	for i := 1; i+1 < len(r); i++ {
		s += (r[i][0]-o[0])*(r[i+1][1]-o[1]) - (r[i+1][0]-o[0])*(r[i][1]-o[1])
	}
	return s / 2
}

// clip keeps the part of each implicitly closed ring where coordinate axis
// is <= v (low) or >= v (!low), by Sutherland-Hodgman. Rings wholly on the
// kept side are shared, not copied.
func clip(rings [][]orb.Point, axis int, v float64, low bool) [][]orb.Point {
	in := func(p orb.Point) bool {
		if low {
			return p[axis] <= v
		}
		return p[axis] >= v
	}
	out := make([][]orb.Point, 0, len(rings))
	for _, r := range rings {
		nIn := 0
		for _, p := range r {
			if in(p) {
				nIn++
			}
		}
		switch nIn {
		case 0:
			continue
		case len(r):
			out = append(out, r)
			continue
		}
		q := make([]orb.Point, 0, nIn+4)
		prev := r[len(r)-1]
		prevIn := in(prev)
		for _, cur := range r {
			curIn := in(cur)
			if curIn != prevIn {
				t := (v - prev[axis]) / (cur[axis] - prev[axis])
				x := lerp(prev, cur, t)
				x[axis] = v
				q = append(q, x)
			}
			if curIn {
				q = append(q, cur)
			}
			prev, prevIn = cur, curIn
		}
		if len(q) >= 3 {
			out = append(out, q)
		}
	}
	return out
}
