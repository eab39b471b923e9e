package study

import (
	"io"
	"strconv"
	"strings"

	"commonground/internal/geoparquet"
)

// OriginsParquetFile holds one row per origin as GeoParquet, for researchers
// who load results into DuckDB, GeoPandas or QGIS at scale.
const OriginsParquetFile = "origins.parquet"

// writeOriginsParquet writes the GeoPackage's origins layer as GeoParquet:
// the same columns and values (unreachable minutes are null), the origin's
// shape as WKB, and underserved flags as booleans.
func (r *Result) writeOriginsParquet(w io.Writer) error {
	cols := []geoparquet.Column{{Name: "origin_id", Type: geoparquet.String}, {Name: "population", Type: geoparquet.Double}, {Name: "class", Type: geoparquet.String}}
	for _, col := range r.schemeColumns() {
		typ := geoparquet.String
		if strings.HasSuffix(col, "_score") {
			typ = geoparquet.Double
		}
		cols = append(cols, geoparquet.Column{Name: col, Type: typ})
	}
	for _, g := range r.Groups {
		cols = append(cols, geoparquet.Column{Name: "walk_min_" + g.Name, Type: geoparquet.Double}, geoparquet.Column{Name: "drive_min_" + g.Name, Type: geoparquet.Double},
			geoparquet.Column{Name: "underserved_" + g.Name, Type: geoparquet.Bool})
	}
	pw, err := geoparquet.NewWriter(w, cols)
	if err != nil {
		return err
	}
	vals := make([]any, 0, len(cols))
	for i, c := range r.Alloc.Cells {
		vals = append(vals[:0], c.ID, c.Pop, r.Class[i].String())
		for k, v := range r.schemeValues(i) {
			if k%2 == 0 && k < 2*len(r.Remoteness) {
				f, _ := strconv.ParseFloat(v, 64)
				vals = append(vals, f)
			} else {
				vals = append(vals, v)
			}
		}
		for gi := range r.Groups {
			vals = append(vals, r.Walk[gi][i], r.Drive[gi][i], r.Under[gi][i])
		}
		if err := pw.Add(r.originShape(i), vals...); err != nil {
			return err
		}
	}
	return pw.Close()
}
