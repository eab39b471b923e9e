package study

import (
	"io"
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
	if err := r.eachOriginRow(func(row *originRow) error { return pw.Add(row.shape, row.vals...) }); err != nil {
		return err
	}
	return pw.Close()
}
