// Package geoparquet writes GeoParquet files: Apache Parquet tables with one
// WKB geometry column described by the "geo" key of the file's key-value
// metadata (GeoParquet 1.1.0, https://geoparquet.org/releases/v1.1.0/), which
// DuckDB, GeoPandas and QGIS open without conversion.
//
// The geometry column is "geometry", encoded as little-endian WKB, in
// longitude and latitude on WGS 84: the metadata leaves out "crs", which the
// specification reads as OGC:CRS84. The metadata also lists the geometry
// types present and the bounding box of all rows. The Parquet encoding is
// done by github.com/parquet-go/parquet-go.
package geoparquet

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// Version is the GeoParquet specification version the files follow.
const Version = "1.1.0"

// GeometryColumn is the name of the one geometry column.
const GeometryColumn = "geometry"

// Type is an attribute column's Parquet type. Every attribute column is
// optional (nullable).
type Type int

// The attribute types: INT64, DOUBLE (NaN is written as null), BYTE_ARRAY
// annotated as UTF-8 STRING, and BOOLEAN.
const (
	Int64 Type = iota
	Double
	String
	Bool
)

// Column is one attribute column.
type Column struct {
	Name string
	Type Type
}

// Writer writes one GeoParquet file, row by row. It is not safe for
// concurrent use.
type Writer struct {
	out     *parquet.Writer
	cols    []Column
	rows    []parquet.Row // rows waiting to be written, geometry last in each
	wkb     []byte        // their geometries' WKB, one after another
	geom    bytes.Buffer  // the row's WKB, reused
	types   map[string]bool
	bound   orb.Bound
	bounded bool
	n       int
}

// goTypes are the row struct's field types: pointers, nil for null.
var goTypes = map[Type]reflect.Type{
	Int64:  reflect.TypeOf((*int64)(nil)),
	Double: reflect.TypeOf((*float64)(nil)),
	String: reflect.TypeOf((*string)(nil)),
	Bool:   reflect.TypeOf((*bool)(nil)),
}

// NewWriter starts a file with the given attribute columns, in that order,
// followed by the geometry column.
func NewWriter(out io.Writer, cols []Column) (*Writer, error) {
	seen := map[string]bool{GeometryColumn: true}
	fields := make([]reflect.StructField, 0, len(cols)+1)
	for i, c := range cols {
		t, ok := goTypes[c.Type]
		if !ok {
			return nil, fmt.Errorf("geoparquet: column %q: unknown type %d", c.Name, c.Type)
		}
		if c.Name == "" || seen[c.Name] {
			return nil, fmt.Errorf("geoparquet: column name %q is empty, repeated or reserved (%s)", c.Name, GeometryColumn)
		}
		seen[c.Name] = true
		tag := `parquet:"` + c.Name + `,optional"`
		fields = append(fields, reflect.StructField{Name: "F" + strconv.Itoa(i), Type: t, Tag: reflect.StructTag(tag)})
	}
	fields = append(fields, reflect.StructField{Name: "Geom", Type: reflect.TypeOf([]byte(nil)), Tag: `parquet:"` + GeometryColumn + `,optional"`})
	// The schema comes from a struct type made for these columns, which
	// keeps their order; rows are then written as plain values, column by
	// column, without reflection.
	schema := parquet.SchemaOf(reflect.New(reflect.StructOf(fields)).Interface())
	w := &Writer{
		cols:  append([]Column(nil), cols...),
		types: map[string]bool{},
	}
	w.out = parquet.NewWriter(out, schema, parquet.Compression(&snappy.Codec{}), parquet.CreatedBy("commonground", "", ""))
	return w, nil
}

// Add writes one row: its geometry (nil for none) and one value per column
// in order; nil is null in any column. Int64 columns take Go integers,
// Double columns floats and integers, String columns strings, Bool columns
// bools.
func (w *Writer) Add(g orb.Geometry, values ...any) error {
	w.n++
	if len(values) != len(w.cols) {
		return fmt.Errorf("geoparquet: row %d: %d values for %d columns", w.n, len(values), len(w.cols))
	}
	// Rows of the batch before are free again: reuse their memory.
	var row parquet.Row
	if k := len(w.rows); k < cap(w.rows) && w.rows[:k+1][k] != nil {
		row = w.rows[:k+1][k]
	} else {
		row = make(parquet.Row, len(w.cols)+1)
	}
	for i, v := range values {
		val, err := convert(w.cols[i].Type, v)
		if err != nil {
			return fmt.Errorf("geoparquet: row %d column %q: %w", w.n, w.cols[i].Name, err)
		}
		row[i] = level(val, i)
	}
	geom := parquet.NullValue()
	if g != nil {
		b := g.Bound()
		for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("geoparquet: row %d: geometry has a NaN or infinite coordinate", w.n)
			}
		}
		w.geom.Reset()
		if err := wkb.NewEncoder(&w.geom).SetByteOrder(binary.LittleEndian).Encode(g); err != nil {
			return fmt.Errorf("geoparquet: row %d: %w", w.n, err)
		}
		if len(w.wkb)+w.geom.Len() > cap(w.wkb) {
			// A new buffer: rows waiting still point into the old one.
			w.wkb = make([]byte, 0, max(batchBytes, w.geom.Len()))
		}
		at := len(w.wkb)
		w.wkb = append(w.wkb, w.geom.Bytes()...)
		geom = parquet.ByteArrayValue(w.wkb[at:len(w.wkb):len(w.wkb)])
		w.types[g.GeoJSONType()] = true
		if w.bounded {
			w.bound = w.bound.Union(b)
		} else {
			w.bound, w.bounded = b, true
		}
	}
	row[len(w.cols)] = level(geom, len(w.cols))
	w.rows = append(w.rows, row)
	if len(w.rows) == batchRows {
		return w.flush()
	}
	return nil
}

// Rows go to the parquet writer in batches: one call per row costs a
// pass over every column per row.
const (
	batchRows  = 512
	batchBytes = 1 << 20
)

// flush writes the rows waiting. The writer copies their values, so the
// WKB buffer may be reused after.
func (w *Writer) flush() error {
	if len(w.rows) == 0 {
		return nil
	}
	if _, err := w.out.WriteRows(w.rows); err != nil {
		return fmt.Errorf("geoparquet: rows %d to %d: %w", w.n-len(w.rows)+1, w.n, err)
	}
	w.rows, w.wkb = w.rows[:0], w.wkb[:0]
	return nil
}

// level places v in column i of a row: every column is optional and not
// repeated, so the definition level is 1 for a value and 0 for null.
func level(v parquet.Value, i int) parquet.Value {
	if v.IsNull() {
		return v.Level(0, 0, i)
	}
	return v.Level(0, 1, i)
}

// convert returns v as the column type stores it; nil and NaN are null.
func convert(t Type, v any) (parquet.Value, error) {
	if v == nil {
		return parquet.NullValue(), nil
	}
	switch t {
	case Int64:
		switch x := v.(type) {
		case int:
			return parquet.Int64Value(int64(x)), nil
		case int32:
			return parquet.Int64Value(int64(x)), nil
		case int64:
			return parquet.Int64Value(x), nil
		case uint32:
			return parquet.Int64Value(int64(x)), nil
		}
		return parquet.Value{}, fmt.Errorf("%T value %v is not an integer", v, v)
	case Double:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		case int:
			f = float64(x)
		case int64:
			f = float64(x)
		default:
			return parquet.Value{}, fmt.Errorf("%T value %v is not a number", v, v)
		}
		if math.IsNaN(f) {
			return parquet.NullValue(), nil
		}
		return parquet.DoubleValue(f), nil
	case String:
		if s, ok := v.(string); ok {
			return parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s))), nil
		}
		return parquet.Value{}, fmt.Errorf("%T value %v is not a string", v, v)
	case Bool:
		if b, ok := v.(bool); ok {
			return parquet.BooleanValue(b), nil
		}
		return parquet.Value{}, fmt.Errorf("%T value %v is not a bool", v, v)
	}
	return parquet.Value{}, fmt.Errorf("unknown column type %d", t)
}

// Metadata is the "geo" key's value (GeoParquet 1.1.0, "File metadata").
type Metadata struct {
	Version       string                    `json:"version"`
	PrimaryColumn string                    `json:"primary_column"`
	Columns       map[string]ColumnMetadata `json:"columns"`
}

// ColumnMetadata describes one geometry column. CRS is left out, which
// means OGC:CRS84 (longitude, latitude on WGS 84).
type ColumnMetadata struct {
	Encoding      string    `json:"encoding"`
	GeometryTypes []string  `json:"geometry_types"`
	BBox          []float64 `json:"bbox,omitempty"`
}

// Close writes the rows waiting, the metadata and the file footer.
func (w *Writer) Close() error {
	if err := w.flush(); err != nil {
		return err
	}
	types := make([]string, 0, len(w.types))
	for t := range w.types {
		types = append(types, t)
	}
	sort.Strings(types)
	col := ColumnMetadata{Encoding: "WKB", GeometryTypes: types}
	if w.bounded {
		col.BBox = []float64{w.bound.Min[0], w.bound.Min[1], w.bound.Max[0], w.bound.Max[1]}
	}
	meta, err := json.Marshal(Metadata{Version: Version, PrimaryColumn: GeometryColumn, Columns: map[string]ColumnMetadata{GeometryColumn: col}})
	if err != nil {
		return err
	}
	w.out.SetKeyValueMetadata("geo", string(meta))
	if err := w.out.Close(); err != nil {
		return fmt.Errorf("geoparquet: %w", err)
	}
	return nil
}
