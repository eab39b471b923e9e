package population

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"commonground/internal/problem"
)

// MethodPoint marks a zone given as a point: all its people go to the cell
// that holds the point.
const MethodPoint Method = "point"

// ReadPoints reads population counts at points from a CSV (an id column, a
// population column, latitude and longitude columns, and any other numeric
// columns, kept as attributes), such as the centroids of the H3 hexagons of
// IPEA's aopdata. Errors name the file, line and column.
func ReadPoints(path string, f Fields, latCol, lonCol string, probs *problem.List) ([]Zone, error) {
	if probs == nil {
		probs = &problem.List{}
	}
	if f.Pop == "" {
		return nil, fmt.Errorf("read %s: no population field configured", path)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("read %s: header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	need := func(name string) (int, error) {
		i, ok := col[name]
		if !ok {
			return 0, fmt.Errorf("read %s: no column %q; columns: %s", path, name, strings.Join(head, ", "))
		}
		return i, nil
	}
	popC, err := need(f.Pop)
	if err != nil {
		return nil, err
	}
	latC, err := need(latCol)
	if err != nil {
		return nil, err
	}
	lonC, err := need(lonCol)
	if err != nil {
		return nil, err
	}
	idC, hasID := -1, false
	if f.ID != "" {
		if idC, err = need(f.ID); err != nil {
			return nil, err
		}
		hasID = true
	}
	nameC, hasName := col[f.Name]
	var zones []Zone
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		get := func(i int) string {
			if i >= 0 && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		z := Zone{ID: strconv.Itoa(line - 1), Attrs: map[string]float64{}}
		if hasID {
			z.ID = get(idC)
		}
		if hasName {
			z.Name = get(nameC)
		}
		where := fmt.Sprintf("read %s:%d (id %s)", path, line, z.ID)
		pop, err := strconv.ParseFloat(get(popC), 64)
		if err != nil || math.IsNaN(pop) || math.IsInf(pop, 0) {
			return nil, fmt.Errorf("%s: population %q in column %q is not a number", where, get(popC), f.Pop)
		}
		if pop < 0 {
			return nil, fmt.Errorf("%s: population %v in column %q is negative", where, pop, f.Pop)
		}
		lat, e1 := strconv.ParseFloat(get(latC), 64)
		lon, e2 := strconv.ParseFloat(get(lonC), 64)
		if e1 != nil || e2 != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
			return nil, fmt.Errorf("%s: lat %q, lon %q are not a point on Earth (degrees)", where, get(latC), get(lonC))
		}
		z.Pop, z.Point = pop, orb.Point{lon, lat}
		for name, i := range col {
			if i == popC || i == latC || i == lonC || i == idC {
				continue
			}
			if v, err := strconv.ParseFloat(get(i), 64); err == nil {
				z.Attrs[name] = v
			}
		}
		zones = append(zones, z)
	}
	if len(zones) == 0 {
		return nil, fmt.Errorf("read %s: %w: the file has no rows", path, ErrNoPolygons)
	}
	return zones, nil
}

// PointBound returns the bound of point zones.
func PointBound(zones []Zone) orb.Bound {
	b := orb.Bound{Min: zones[0].Point, Max: zones[0].Point}
	for _, z := range zones[1:] {
		b = b.Extend(z.Point)
	}
	return b
}

// Points makes every point zone an origin of its own, at its own
// coordinates and with its own id and people, in input order, as r5r and
// r5py take origins: a hexagon's people are measured from the hexagon's
// centre, not moved to the nearest grid cell centre. Points without people
// stay origins (they weigh nothing in any count). g supplies the projection.
func Points(g Grid, zones []Zone) *Allocation {
	a := &Allocation{Grid: g, ZoneMethod: make([]Method, len(zones)), Origins: PointOrigins}
	a.Cells = make([]Cell, len(zones))
	for zi, z := range zones {
		a.ZoneMethod[zi] = MethodPoint
		a.Cells[zi] = Cell{Index: -1, ID: z.ID, Center: z.Point, Pop: z.Pop, Parts: []Part{{Zone: int32(zi), Pop: z.Pop}}}
	}
	return a
}

// AllocatePoints puts each point zone's people in the grid cell that holds
// its point; totals are kept exactly. A point outside the grid is an error.
// It is the `origins: grid` choice for dense points (address points), where
// one origin per point would be more origins than the question needs.
func AllocatePoints(g Grid, zones []Zone) (*Allocation, error) {
	byCell := map[int]*Cell{}
	methods := make([]Method, len(zones))
	for zi, z := range zones {
		methods[zi] = MethodPoint
		if z.Pop == 0 {
			continue
		}
		i, ok := g.Locate(z.Point)
		if !ok {
			return nil, fmt.Errorf("population point %s at %v lies outside the grid", z.ID, z.Point)
		}
		c := byCell[i]
		if c == nil {
			c = &Cell{Index: i, ID: strconv.Itoa(i), Center: g.Center(i)}
			byCell[i] = c
		}
		c.Pop += z.Pop
		c.Parts = append(c.Parts, Part{Zone: int32(zi), Pop: z.Pop})
	}
	a := &Allocation{Grid: g, ZoneMethod: methods, Origins: GridOrigins}
	for _, c := range byCell {
		a.Cells = append(a.Cells, *c)
	}
	sort.Slice(a.Cells, func(i, j int) bool { return a.Cells[i].Index < a.Cells[j].Index })
	return a, nil
}
