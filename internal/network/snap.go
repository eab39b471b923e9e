package network

import (
	"math"
	"sort"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
)

// Snap is a position on the street network: a point on edge Edge at Frac of
// its length from the edge's first vertex, Dist metres from the point that
// was snapped. Edge is -1 for a point that did not snap, so callers can keep
// slices of snaps aligned with their inputs.
type Snap struct {
	Edge  int32
	Frac  float64
	Dist  float64
	Point orb.Point
}

// NoSnap marks a point that found no street within reach.
var NoSnap = Snap{Edge: -1, Dist: math.Inf(1)}

// metresPerDegree is the length of one degree of a great circle.
const metresPerDegree = geo.EarthRadius * math.Pi / 180

// grid buckets segments (a point index i stands for pts[i]-pts[i+1]) into
// square cells of an equirectangular plane. The x scale uses the smallest
// cos(latitude) of the area, so plane distances never exceed true ones and
// the ring search can stop on them safely.
type grid struct {
	lon0, lat0 float64
	kx, ky     float64 // metres per degree
	cell       float64 // metres
	nx, ny     int
	start      []int32 // cell c holds segs[start[c]:start[c+1]]
	segs       []int32
}

func newGrid(g *Graph, snappable []bool) grid {
	gr := grid{ky: metresPerDegree}
	b := orb.MultiPoint(g.pts).Bound()
	gr.lon0, gr.lat0 = b.Min[0], b.Min[1]
	maxAbsLat := max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))
	gr.kx = metresPerDegree * max(math.Cos(maxAbsLat*math.Pi/180), 0.01)
	w := (b.Max[0] - b.Min[0]) * gr.kx
	h := (b.Max[1] - b.Min[1]) * gr.ky
	nseg := 0
	for i := 0; i+1 < len(g.pts); i++ {
		if g.ptEdge[i] == g.ptEdge[i+1] && snappable[g.ptEdge[i]] {
			nseg++
		}
	}
	// About one segment per two cells on average (streets cluster, so
	// town cells hold several); at most ~4M cells.
	gr.cell = math.Sqrt(w * h * 0.5 / float64(max(nseg, 1)))
	gr.cell = max(gr.cell, math.Sqrt(w*h/4e6))
	gr.cell = min(max(gr.cell, 25), 2000)
	gr.nx = int(w/gr.cell) + 1
	gr.ny = int(h/gr.cell) + 1
	gr.start = make([]int32, gr.nx*gr.ny+1)
	for pass := 0; pass < 2; pass++ {
		var fill []int32
		if pass == 1 {
			for c := 0; c < gr.nx*gr.ny; c++ {
				gr.start[c+1] += gr.start[c]
			}
			gr.segs = make([]int32, gr.start[gr.nx*gr.ny])
			fill = append([]int32(nil), gr.start[:gr.nx*gr.ny]...)
		}
		for i := 0; i+1 < len(g.pts); i++ {
			e := g.ptEdge[i]
			if e != g.ptEdge[i+1] || !snappable[e] {
				continue
			}
			x0, y0 := gr.cellOf(g.pts[i])
			x1, y1 := gr.cellOf(g.pts[i+1])
			for y := min(y0, y1); y <= max(y0, y1); y++ {
				for x := min(x0, x1); x <= max(x0, x1); x++ {
					c := y*gr.nx + x
					if pass == 0 {
						gr.start[c+1]++
					} else {
						gr.segs[fill[c]] = int32(i)
						fill[c]++
					}
				}
			}
		}
	}
	return gr
}

// cellOf returns the cell column and row of pt, clamped to the grid.
func (gr *grid) cellOf(pt orb.Point) (int, int) {
	x, y := gr.rawCell(pt)
	return min(max(x, 0), gr.nx-1), min(max(y, 0), gr.ny-1)
}

// rawCell returns the cell column and row of pt, possibly outside the grid.
func (gr *grid) rawCell(pt orb.Point) (int, int) {
	x := math.Floor((pt[0] - gr.lon0) * gr.kx / gr.cell)
	y := math.Floor((pt[1] - gr.lat0) * gr.ky / gr.cell)
	// Keep far-away points representable; the ring loop is bounded anyway.
	x = max(min(x, 1e8), -1e8)
	y = max(min(y, 1e8), -1e8)
	return int(x), int(y)
}

// Snap finds the nearest point on any street segment within maxDist metres
// (math.Inf(1) for no limit). Segments are projected perpendicularly in a
// local plane centred on pt, and the winner's distance is re-measured with
// geo.Distance. Only streets Build kept are candidates, so a point beside a
// removed island joins the nearest street of what remains (see MinIsland);
// this one nearest edge is the whole rule, as in R5 (which links a point to
// its nearest edge) and OSMnx (nearest_edges). Tunnels, covered ways and
// motorways are not snapped to, nor, for Drive graphs, motorway ramps: no
// one starts a trip on them (R5's LINKABLE rule, see Build). ok is false
// when nothing is in reach, with NoSnap returned.
func (g *Graph) Snap(pt orb.Point, maxDist float64) (Snap, bool) {
	gr := &g.grid
	if len(gr.segs) == 0 || math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || math.IsNaN(maxDist) {
		return NoSnap, false
	}
	kx := metresPerDegree * math.Cos(pt[1]*math.Pi/180)
	ky := metresPerDegree
	cx, cy := gr.rawCell(pt)
	// Rings nearer than rmin lie wholly outside the grid, beyond rmax
	// there are no cells.
	rmin := max(0, -cx, cx-(gr.nx-1), -cy, cy-(gr.ny-1))
	rmax := max(abs(cx), abs(cx-(gr.nx-1)), abs(cy), abs(cy-(gr.ny-1)))
	q := query{pt: pt, kx: kx, ky: ky, best2: math.Inf(1), seg: -1}
	visit := func(x, y int) { q.scan(g, gr.segs[gr.start[y*gr.nx+x]:gr.start[y*gr.nx+x+1]]) }
	// A little slack: the local plane and the sphere differ by far less.
	limit := maxDist*1.001 + 0.01
	for r := rmin; r <= rmax; r++ {
		// Every cell of ring r is at least (r-1) cells away in the plane.
		if float64(r-1)*gr.cell > min(math.Sqrt(q.best2), limit) {
			break
		}
		x0, x1 := max(cx-r, 0), min(cx+r, gr.nx-1)
		for _, y := range [2]int{cy - r, cy + r} { // bottom and top rows
			if y >= 0 && y < gr.ny {
				for x := x0; x <= x1; x++ {
					visit(x, y)
				}
			}
			if r == 0 {
				break
			}
		}
		for y := max(cy-r+1, 0); y <= min(cy+r-1, gr.ny-1); y++ { // sides
			if x := cx - r; x >= 0 && x < gr.nx {
				visit(x, y)
			}
			if x := cx + r; x >= 0 && x < gr.nx {
				visit(x, y)
			}
		}
	}
	bestSeg, bestT := q.seg, q.t
	if bestSeg < 0 {
		return NoSnap, false
	}
	a, b := g.pts[bestSeg], g.pts[bestSeg+1]
	p := orb.Point{a[0] + bestT*(b[0]-a[0]), a[1] + bestT*(b[1]-a[1])}
	d := geo.Distance(pt, p)
	if d > maxDist {
		return NoSnap, false
	}
	e := g.ptEdge[bestSeg]
	frac := 0.0
	if l := g.eLen[e]; l > 0 {
		seg := g.cum[bestSeg+1] - g.cum[bestSeg]
		frac = min((g.cum[bestSeg]+bestT*seg)/l, 1)
	}
	return Snap{Edge: e, Frac: frac, Dist: d, Point: p}, true
}

// query is the state of one Snap: the point, the local plane's scales and
// the best segment so far.
type query struct {
	pt     orb.Point
	kx, ky float64
	best2  float64 // squared plane distance
	seg    int32
	t      float64 // position of the foot along seg, 0..1
}

// scan projects pt onto each segment, keeping the nearest (the lowest index
// on ties, whatever order the cells are visited in).
func (q *query) scan(g *Graph, segs []int32) {
	for _, i := range segs {
		a, b := g.pts[i], g.pts[i+1]
		ax, ay := (a[0]-q.pt[0])*q.kx, (a[1]-q.pt[1])*q.ky
		dx, dy := (b[0]-a[0])*q.kx, (b[1]-a[1])*q.ky
		t := 0.0
		if l2 := dx*dx + dy*dy; l2 > 0 {
			t = -(ax*dx + ay*dy) / l2
			if t < 0 {
				t = 0
			} else if t > 1 {
				t = 1
			}
		}
		px, py := ax+t*dx, ay+t*dy
		d2 := px*px + py*py
		if d2 < q.best2 || (d2 == q.best2 && i < q.seg) {
			q.best2, q.seg, q.t = d2, i, t
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// sortedKeys returns a map's keys in order, so messages and loops over
// configuration maps come out the same on every run.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
