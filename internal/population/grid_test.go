package population

import (
	"math"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
)

func TestNewGrid(t *testing.T) {
	cases := []struct {
		name string
		b    orb.Bound
		size float64
	}{
		{"Delaware 250 m", orb.Bound{Min: orb.Point{-75.788658, 38.451013}, Max: orb.Point{-75.048939, 39.839007}}, 250},
		{"Porto Alegre 100 m", orb.Bound{Min: orb.Point{-51.30, -30.15}, Max: orb.Point{-51.10, -29.95}}, 100},
		{"Whitehorse 500 m", orb.Bound{Min: orb.Point{-135.25, 60.60}, Max: orb.Point{-134.90, 60.80}}, 500},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewGrid(c.b, c.size)
			if g != NewGrid(c.b, c.size) {
				t.Fatal("same bound and size gave different grids")
			}
			if math.Mod(g.X0, c.size) != 0 || math.Mod(g.Y0, c.size) != 0 {
				t.Errorf("origin %v, %v not on multiples of %v", g.X0, g.Y0, c.size)
			}
			// Every point of the bound's outline and centre is on the grid.
			for i := 0; i <= 100; i++ {
				f := float64(i) / 100
				lon := c.b.Min[0] + f*(c.b.Max[0]-c.b.Min[0])
				lat := c.b.Min[1] + f*(c.b.Max[1]-c.b.Min[1])
				for _, p := range []orb.Point{{lon, c.b.Min[1]}, {lon, c.b.Max[1]}, {c.b.Min[0], lat}, {c.b.Max[0], lat}, c.b.Center()} {
					if _, ok := g.Locate(p); !ok {
						t.Fatalf("point %v of the bound is off the grid", p)
					}
				}
			}
			// No more than one spare row or column of cells on each side:
			// the grid's width is close to the bound's width.
			width := geo.Distance(orb.Point{c.b.Min[0], c.b.Center()[1]}, orb.Point{c.b.Max[0], c.b.Center()[1]})
			if w := float64(g.Cols) * c.size; w < width || w > width+3*c.size {
				t.Errorf("grid %v m wide for a bound %v m wide", w, width)
			}
			for _, i := range []int{0, g.Cols - 1, g.Len() / 2, g.Len() - g.Cols, g.Len() - 1} {
				col, row := g.Cell(i)
				if g.Index(col, row) != i {
					t.Errorf("Index(Cell(%d)) = %d", i, g.Index(col, row))
				}
				if j, ok := g.Locate(g.Center(i)); !ok || j != i {
					t.Errorf("Locate(Center(%d)) = %d, %v", i, j, ok)
				}
				poly := g.Polygon(i)
				if len(poly[0]) != 5 || poly[0][0] != poly[0][4] {
					t.Fatalf("cell polygon %v is not a closed square", poly)
				}
				// Sides measured on the sphere are the cell size to within
				// the projection's scale error (well under 1% here).
				for k := 0; k < 4; k++ {
					if d := geo.Distance(poly[0][k], poly[0][k+1]); math.Abs(d-c.size) > 0.01*c.size {
						t.Errorf("cell %d side %d is %.2f m, want %v", i, k, d, c.size)
					}
				}
				// Points just inside each corner belong to the cell.
				ctr := g.Center(i)
				for k := 0; k < 4; k++ {
					p := orb.Point{ctr[0] + 0.98*(poly[0][k][0]-ctr[0]), ctr[1] + 0.98*(poly[0][k][1]-ctr[1])}
					if j, ok := g.Locate(p); !ok || j != i {
						t.Errorf("point near corner %d of cell %d located in %d, %v", k, i, j, ok)
					}
				}
			}
			if _, ok := g.Locate(orb.Point{c.b.Min[0] - 1, c.b.Min[1]}); ok {
				t.Error("a point a degree west of the bound is on the grid")
			}
		})
	}
}

func TestNewGridRejectsBadSize(t *testing.T) {
	b := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}
	for _, size := range []float64{0, -250, math.NaN(), math.Inf(1)} {
		if g := NewGrid(b, size); g.Len() != 0 {
			t.Errorf("size %v gave %d cells", size, g.Len())
		}
	}
}
