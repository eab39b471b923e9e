package study

import (
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"commonground/internal/gpkg"
	"commonground/internal/population"
)

// originShape is origin i as the model has it: a grid cell's square, the
// user's point, or the census polygon of a per-polygon origin.
func (r *Result) originShape(i int) orb.Geometry {
	c := r.Alloc.Cells[i]
	switch r.Alloc.Origins {
	case population.PointOrigins:
		return c.Center
	case population.PolygonOrigins:
		if len(c.Parts) == 1 && int(c.Parts[0].Zone) < len(r.Zones) {
			return r.Zones[c.Parts[0].Zone].Geom
		}
		return c.Center
	}
	return r.Alloc.Grid.Polygon(c.Index)
}

// GeoPackageFile holds every layer of a run for a GIS.
const GeoPackageFile = "results.gpkg"

// writeGeoPackage writes the run's layers: cells (squares with people,
// class, remoteness, travel times and underserved flags), places, areas
// with their summaries, and with siting the candidate and chosen sites.
func (r *Result) writeGeoPackage(w io.Writer) error {
	return gpkg.Render(w, func(gw *gpkg.Writer) error {
		fields := []gpkg.Field{{Name: "origin_id", Type: gpkg.Text}, {Name: "population", Type: gpkg.Real}, {Name: "class", Type: gpkg.Text}}
		for _, col := range r.schemeColumns() {
			typ := gpkg.Text
			if strings.HasSuffix(col, "_score") {
				typ = gpkg.Real
			}
			fields = append(fields, gpkg.Field{Name: col, Type: typ})
		}
		for _, g := range r.Groups {
			fields = append(fields, gpkg.Field{Name: "walk_min_" + g.Name, Type: gpkg.Real}, gpkg.Field{Name: "drive_min_" + g.Name, Type: gpkg.Real},
				gpkg.Field{Name: "underserved_" + g.Name, Type: gpkg.Integer})
		}
		// The origins layer draws each origin as what it is: a grid cell's
		// square, the user's point, or the census polygon it stands for.
		kind := gpkg.Polygon
		switch r.Alloc.Origins {
		case population.PointOrigins:
			kind = gpkg.Point
		case population.PolygonOrigins:
			kind = gpkg.MultiPolygon
		}
		cells, err := gw.AddLayer("origins", kind, fields)
		if err != nil {
			return err
		}
		if err := r.eachOriginRow(func(row *originRow) error { return cells.Add(row.shape, row.vals...) }); err != nil {
			return err
		}
		places, err := gw.AddLayer("places", gpkg.Point, []gpkg.Field{{Name: "id", Type: gpkg.Integer}, {Name: "osm", Type: gpkg.Text},
			{Name: "name", Type: gpkg.Text}, {Name: "category", Type: gpkg.Text}, {Name: "faith", Type: gpkg.Integer}, {Name: "area_m2", Type: gpkg.Real}})
		if err != nil {
			return err
		}
		for _, p := range r.Extract.Places {
			if err := places.Add(p.Point, int(p.ID), p.OSMType+"/"+strconv.FormatInt(p.OSMID, 10), p.Name, p.Category, p.Faith, p.AreaM2); err != nil {
				return err
			}
		}
		if len(r.areaGeom) > 0 {
			rg := r.RankGroup()
			areas, err := gw.AddLayer("areas", gpkg.MultiPolygon, []gpkg.Field{{Name: "level", Type: gpkg.Text}, {Name: "name", Type: gpkg.Text},
				{Name: "population", Type: gpkg.Real}, {Name: "underserved", Type: gpkg.Real}, {Name: "underserved_share", Type: gpkg.Real}})
			if err != nil {
				return err
			}
			for _, a := range r.areaGeom {
				res := r.AreaResult[a.area]
				share := 0.0
				if res.Population > 0 {
					share = res.Underserved[rg] / res.Population
				}
				if err := areas.Add(a.geom, a.level, r.Areas[a.area].Name, res.Population, res.Underserved[rg], share); err != nil {
					return err
				}
			}
		}
		if si := r.Siting; si != nil {
			cands, err := gw.AddLayer("candidates", gpkg.Point, []gpkg.Field{{Name: "id", Type: gpkg.Text}, {Name: "name", Type: gpkg.Text},
				{Name: "kind", Type: gpkg.Text}, {Name: "faith", Type: gpkg.Integer}, {Name: "cost", Type: gpkg.Real}})
			if err != nil {
				return err
			}
			for _, c := range si.Candidates {
				if err := cands.Add(c.Point, c.ID, c.Name, c.Kind, c.Faith, c.Cost); err != nil {
					return err
				}
			}
			sites, err := gw.AddLayer("chosen_sites", gpkg.Point, []gpkg.Field{{Name: "objective", Type: gpkg.Text}, {Name: "step", Type: gpkg.Integer},
				{Name: "id", Type: gpkg.Text}, {Name: "name", Type: gpkg.Text}, {Name: "gain", Type: gpkg.Real}, {Name: "cumulative", Type: gpkg.Real},
				{Name: "gain_unit", Type: gpkg.Text}})
			if err != nil {
				return err
			}
			for _, name := range []string{"cover", "median"} {
				sol := si.Cover
				if name == "median" {
					sol = si.Median
				}
				for k, row := range r.siteRows(sol) {
					if err := sites.Add(orb.Point{row.Lon, row.Lat}, name, k+1, row.ID, row.Name, row.Gain, row.Total, gainUnit(name)); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// originRow is an origin as the GeoPackage and GeoParquet writers take it:
// its shape and its values, in the columns' order.
type originRow struct {
	shape orb.Geometry
	vals  []any
}

// originValues fills row with origin i.
func (r *Result) originValues(i int, row *originRow) {
	c := r.Alloc.Cells[i]
	row.vals = append(row.vals[:0], c.ID, c.Pop, r.Class[i].String())
	for k, v := range r.schemeValues(i) {
		if k%2 == 0 && k < 2*len(r.Remoteness) {
			f, _ := strconv.ParseFloat(v, 64)
			row.vals = append(row.vals, f)
		} else {
			row.vals = append(row.vals, v)
		}
	}
	for gi := range r.Groups {
		row.vals = append(row.vals, r.Walk[gi][i], r.Drive[gi][i], r.Under[gi][i])
	}
	row.shape = r.originShape(i)
}

// eachOriginRow hands use every origin's row in order. The rows are made
// a batch ahead on another goroutine, so that a writer's own work (SQLite's
// inserts, say) need not wait for them; two batches take turns, so the
// memory is two batches' whatever the study's size.
func (r *Result) eachOriginRow(use func(row *originRow) error) error {
	const batch = 256
	n := len(r.Alloc.Cells)
	free, full := make(chan []originRow, 2), make(chan []originRow, 2)
	free <- make([]originRow, batch)
	free <- make([]originRow, batch)
	stop := make(chan struct{})
	go func() {
		defer close(full)
		for lo := 0; lo < n; lo += batch {
			var b []originRow
			select {
			case b = <-free:
			case <-stop:
				return
			}
			b = b[:min(batch, n-lo)]
			for k := range b {
				r.originValues(lo+k, &b[k])
			}
			full <- b
		}
	}()
	defer func() {
		close(stop)
		for range full { // let the maker finish
		}
	}()
	for b := range full {
		for k := range b {
			if err := use(&b[k]); err != nil {
				return err
			}
		}
		free <- b[:cap(b)]
	}
	return nil
}
