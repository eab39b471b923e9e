package population

import (
	"math"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
)

// Grid is a square grid on an equal-area projection, so every cell holds the
// same ground area and cell populations compare as densities. Cell i is at
// column i % Cols and row i / Cols; row 0 is the southernmost.
type Grid struct {
	Proj       geo.Projection
	Size       float64 // cell edge, metres
	X0, Y0     float64 // projected south-west corner of cell 0, metres
	Cols, Rows int
}

// NewGrid covers the lon/lat bound b with cells of size metres on a Lambert
// azimuthal equal-area projection centred on b. Cell edges fall on multiples
// of size from the projection's origin, so the same bound and size always
// give the same cells.
func NewGrid(b orb.Bound, size float64) Grid {
	c := b.Center()
	g := Grid{Proj: geo.NewProjection(c[0], c[1]), Size: size}
	if !(size > 0) || math.IsInf(size, 0) {
		return g
	}
	// A lon/lat box projects to a curved outline: sample its edges densely
	// and keep a metre of slack for the sag between samples.
	const n = 64
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := 0; i <= n; i++ {
		f := float64(i) / n
		lon := b.Min[0] + f*(b.Max[0]-b.Min[0])
		lat := b.Min[1] + f*(b.Max[1]-b.Min[1])
		for _, p := range []orb.Point{{lon, b.Min[1]}, {lon, b.Max[1]}, {b.Min[0], lat}, {b.Max[0], lat}} {
			q := g.Proj.Forward(p)
			minX, minY = min(minX, q[0]), min(minY, q[1])
			maxX, maxY = max(maxX, q[0]), max(maxY, q[1])
		}
	}
	g.X0 = math.Floor((minX-1)/size) * size
	g.Y0 = math.Floor((minY-1)/size) * size
	g.Cols = int(math.Ceil((maxX + 1 - g.X0) / size))
	g.Rows = int(math.Ceil((maxY + 1 - g.Y0) / size))
	return g
}

// Len is the number of cells.
func (g Grid) Len() int { return g.Cols * g.Rows }

// Cell returns the column and row of cell i.
func (g Grid) Cell(i int) (col, row int) { return i % g.Cols, i / g.Cols }

// Index returns the cell at col, row.
func (g Grid) Index(col, row int) int { return row*g.Cols + col }

// Center returns the lon/lat centre of cell i, the point from which travel
// times are measured.
func (g Grid) Center(i int) orb.Point {
	col, row := g.Cell(i)
	return g.Proj.Inverse(orb.Point{g.X0 + (float64(col)+0.5)*g.Size, g.Y0 + (float64(row)+0.5)*g.Size})
}

// Polygon returns cell i's outline in lon/lat, counter-clockwise from the
// south-west corner, for drawing on a map.
func (g Grid) Polygon(i int) orb.Polygon {
	col, row := g.Cell(i)
	x0, y0 := g.X0+float64(col)*g.Size, g.Y0+float64(row)*g.Size
	x1, y1 := x0+g.Size, y0+g.Size
	r := orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	for k := range r {
		r[k] = g.Proj.Inverse(r[k])
	}
	return orb.Polygon{r}
}

// Locate returns the cell holding the lon/lat point pt; ok is false outside
// the grid.
func (g Grid) Locate(pt orb.Point) (int, bool) {
	q := g.Proj.Forward(pt)
	col := math.Floor((q[0] - g.X0) / g.Size)
	row := math.Floor((q[1] - g.Y0) / g.Size)
	if !(col >= 0 && row >= 0 && col < float64(g.Cols) && row < float64(g.Rows)) {
		return 0, false
	}
	return g.Index(int(col), int(row)), true
}
