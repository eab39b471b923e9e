// Package gpkg writes OGC GeoPackage 1.2 files (OGC 12-128r15), the one-file
// vector format QGIS and ArcGIS open directly, so planners can take a run's
// candidate sites and catchments into their own GIS.
//
// A file holds the required tables (gpkg_spatial_ref_sys with EPSG:4326 and
// the two undefined systems, gpkg_contents, gpkg_geometry_columns), one
// feature table per layer with an integer fid, a geometry column "geom" in
// GeoPackage binary (a "GP" header with the envelope, then WKB) and typed
// attribute columns, and an R-tree spatial index per layer registered as the
// gpkg_rtree_index extension, with the spec's triggers so a GIS that edits the
// file keeps the index right.
//
// Features go in through one prepared INSERT per layer inside one
// transaction (sqlite.go); each layer's R-tree is packed in bulk by Close
// (rtree.go). On the Delaware-sized benchmark this is about 4 times faster
// than multi-row INSERTs through database/sql, which recompiled every batch
// and re-balanced the R-tree entry by entry; SQLite's C library (cgo) then
// took it from 455 ms to 190 ms against SQLite transpiled to Go
// (BenchmarkWriteDelaware). The bytes depend on the SQLite version as well:
// builds to be compared link the same libsqlite3 (deploy/Dockerfile pins
// Debian 12's).
//
// The file is built under a temporary name beside the target and renamed into
// place by Close, so a failed run never leaves a half-written GeoPackage.
// The same calls give the same bytes: the one clock value a GeoPackage holds
// (gpkg_contents.last_change) is Writer.Modified, not the time of the run,
// and SQLite lays out pages deterministically for the same statements.
package gpkg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// GeomType is a layer's geometry type as gpkg_geometry_columns names it.
type GeomType string

// The geometry types a layer may hold. A MultiPolygon layer also takes
// polygons and a MultiPoint layer points (stored as one-part multis), since
// a GIS expects one type per layer; Geometry takes any of them.
const (
	Point           GeomType = "POINT"
	LineString      GeomType = "LINESTRING"
	Polygon         GeomType = "POLYGON"
	MultiPoint      GeomType = "MULTIPOINT"
	MultiLineString GeomType = "MULTILINESTRING"
	MultiPolygon    GeomType = "MULTIPOLYGON"
	Geometry        GeomType = "GEOMETRY"
)

// FieldType is an attribute column's SQLite type.
type FieldType string

// The attribute types. GDAL reads them as Integer64, Real and String.
const (
	Integer FieldType = "INTEGER"
	Real    FieldType = "REAL"
	Text    FieldType = "TEXT"
)

// Field is one attribute column of a layer.
type Field struct {
	Name string
	Type FieldType
}

// SRSID is the spatial reference system every layer is written in:
// EPSG:4326, longitude and latitude in degrees, the order orb.Point uses.
const SRSID = 4326

// ApplicationID ("GPKG") and UserVersion (1.2.0) mark the SQLite file as a
// GeoPackage, as the spec requires in the file header.
const (
	ApplicationID = 0x47504B47
	UserVersion   = 10200
)

const wgs84WKT = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]`

// schema is the GeoPackage core (spec 1.2.1 annex C) plus gpkg_extensions.
var schema = []string{
	`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`,
	`INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined Cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined Cartesian coordinate reference system')`,
	`INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system')`,
	`INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, '` + wgs84WKT + `', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')`,
	`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`,
	`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name), CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name), CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`,
	`CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`,
}

// Writer builds one GeoPackage file. It is not safe for concurrent use.
type Writer struct {
	// Modified is written as every layer's last_change. The zero value writes
	// 1970-01-01T00:00:00.000Z, so two runs give identical bytes; a caller may
	// set the date of its data (an OSM extract's timestamp) instead.
	Modified time.Time

	path, tmp string
	noSync    bool // Render reads the file back and deletes it: no fsync
	c         *conn
	inTx      bool // a transaction is open
	layers    []*Layer
	done      bool
}

// Layer is one feature table being written.
type Layer struct {
	w       *Writer
	name    string
	geom    GeomType
	fields  []Field
	insert  *stmt  // INSERT INTO the table, prepared once for every feature
	boxes   []box  // the spatial index's entries, loaded in bulk by Close
	blob    []byte // the geometry being encoded, reused for every feature
	count   int64
	bound   orb.Bound
	bounded bool // bound holds at least one envelope
}

// Create starts a GeoPackage that Close will write to path.
func Create(path string) (*Writer, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("create %s: a GeoPackage path may not contain '?' or '#'", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	tmp := f.Name()
	f.Close()
	w := &Writer{path: path, tmp: tmp}
	fail := func(err error) (*Writer, error) {
		w.discard()
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if w.c, err = openConn(tmp); err != nil {
		return fail(err)
	}
	// The file is private until Close renames it, and a failed run deletes
	// it, so SQLite need not guard it against crashes: no rollback journal,
	// no fsync (Close syncs once at the end); the page cache holds the whole
	// file of a county-sized study, so pages are written once.
	// https://www.sqlite.org/pragma.html
	for _, p := range []string{
		fmt.Sprintf("PRAGMA application_id = %d", ApplicationID),
		fmt.Sprintf("PRAGMA user_version = %d", UserVersion),
		"PRAGMA journal_mode = OFF",
		"PRAGMA synchronous = OFF",
		"PRAGMA locking_mode = EXCLUSIVE",
		"PRAGMA cache_size = -65536", // KiB: up to 64 MiB of pages
		"BEGIN",
	} {
		if err := w.c.exec(p); err != nil {
			return fail(err)
		}
	}
	w.inTx = true
	for _, s := range schema {
		if err := w.c.exec(s); err != nil {
			return fail(err)
		}
	}
	return w, nil
}

// Render builds a GeoPackage with fn and copies its bytes to out, for
// callers that collect output files in memory (output.Set) rather than on
// disk. The temporary file is removed either way.
func Render(out io.Writer, fn func(w *Writer) error) error {
	dir, err := os.MkdirTemp("", "gpkg")
	if err != nil {
		return fmt.Errorf("render GeoPackage: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "out.gpkg")
	w, err := Create(path)
	if err != nil {
		return err
	}
	w.noSync = true
	if err := fn(w); err != nil {
		w.Abort()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("render GeoPackage: %w", err)
	}
	defer f.Close()
	// Straight into the caller's buffer, made the file's size at once
	// (and the room bytes.Buffer.ReadFrom asks for at the end), not read
	// into memory and then copied into a buffer grown by doubling.
	if g, ok := out.(interface{ Grow(int) }); ok {
		if fi, err := f.Stat(); err == nil {
			g.Grow(int(fi.Size()) + bytes.MinRead)
		}
	}
	if _, err := io.Copy(out, f); err != nil {
		return fmt.Errorf("render GeoPackage: %w", err)
	}
	return nil
}

// quote quotes an SQL identifier.
func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// AddLayer creates a feature table. Names must be unique (SQLite compares
// them without case) and may not take the prefixes the spec and SQLite
// reserve; field names may not be fid or geom, which the table already has.
func (w *Writer) AddLayer(name string, geom GeomType, fields []Field) (*Layer, error) {
	if w.done {
		return nil, fmt.Errorf("gpkg %s: add layer %q after Close", w.path, name)
	}
	lower := strings.ToLower(name)
	switch {
	case name == "":
		return nil, fmt.Errorf("gpkg %s: a layer needs a name", w.path)
	case strings.HasPrefix(lower, "gpkg_"), strings.HasPrefix(lower, "sqlite_"), strings.HasPrefix(lower, "rtree_"):
		return nil, fmt.Errorf("gpkg %s: layer name %q uses a reserved prefix (gpkg_, sqlite_, rtree_)", w.path, name)
	}
	for _, l := range w.layers {
		if strings.EqualFold(l.name, name) {
			return nil, fmt.Errorf("gpkg %s: layer %q already exists", w.path, name)
		}
	}
	switch geom {
	case Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon, Geometry:
	default:
		return nil, fmt.Errorf("gpkg %s: layer %q: unknown geometry type %q", w.path, name, geom)
	}
	cols := []string{`"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL`, `"geom" ` + string(geom)}
	seen := map[string]bool{"fid": true, "geom": true}
	for _, f := range fields {
		if f.Name == "" || seen[strings.ToLower(f.Name)] {
			return nil, fmt.Errorf("gpkg %s: layer %q: field name %q is empty, repeated or reserved (fid, geom)", w.path, name, f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		switch f.Type {
		case Integer, Real, Text:
		default:
			return nil, fmt.Errorf("gpkg %s: layer %q field %q: unknown type %q (INTEGER, REAL or TEXT)", w.path, name, f.Name, f.Type)
		}
		cols = append(cols, quote(f.Name)+" "+string(f.Type))
	}
	l := &Layer{w: w, name: name, geom: geom, fields: append([]Field(nil), fields...)}
	rtree := quote("rtree_" + name + "_geom")
	stmts := []string{
		"CREATE TABLE " + quote(name) + " (" + strings.Join(cols, ", ") + ")",
		"CREATE VIRTUAL TABLE " + rtree + " USING rtree(id, minx, maxx, miny, maxy)",
	}
	for _, s := range stmts {
		if err := w.c.exec(s); err != nil {
			return nil, fmt.Errorf("gpkg %s: layer %q: %w", w.path, name, err)
		}
	}
	if err := w.c.run(`INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) VALUES (?, 'features', ?, '', ?, ?)`,
		name, name, w.stamp(), SRSID); err != nil {
		return nil, fmt.Errorf("gpkg %s: layer %q: %w", w.path, name, err)
	}
	if err := w.c.run(`INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)`, name, string(geom), SRSID); err != nil {
		return nil, fmt.Errorf("gpkg %s: layer %q: %w", w.path, name, err)
	}
	if err := w.c.run(`INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')`, name); err != nil {
		return nil, fmt.Errorf("gpkg %s: layer %q: %w", w.path, name, err)
	}
	// The table's fids are given explicitly (1, 2, ...), so the index can
	// name them without asking SQLite back.
	var err error
	if l.insert, err = w.c.prepare("INSERT INTO " + quote(name) + " VALUES (?" + strings.Repeat(", ?", 1+len(fields)) + ")"); err != nil {
		return nil, fmt.Errorf("gpkg %s: layer %q: %w", w.path, name, err)
	}
	w.layers = append(w.layers, l)
	return l, nil
}

// stamp formats Modified as the spec's last_change.
func (w *Writer) stamp() string {
	t := w.Modified
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// Add writes one feature: its geometry (nil for none) and one value per
// field in order. Integer fields take Go integers and bools, Real fields
// floats and integers (NaN is stored as NULL), Text fields strings; nil is
// NULL in any field.
func (l *Layer) Add(g orb.Geometry, values ...any) error {
	n := l.count + 1
	where := func() string { return fmt.Sprintf("gpkg %s: layer %q feature %d", l.w.path, l.name, n) }
	if l.w.done {
		return fmt.Errorf("%s: added after Close", where())
	}
	if len(values) != len(l.fields) {
		return fmt.Errorf("%s: %d values for %d fields", where(), len(values), len(l.fields))
	}
	ins := l.insert
	for i, v := range values {
		if err := bind(ins, 3+i, l.fields[i].Type, v); err != nil {
			ins.clear()
			return fmt.Errorf("%s field %q: %w", where(), l.fields[i].Name, err)
		}
	}
	fid := n
	ins.bindInt(1, fid)
	var env orb.Bound
	var hasEnv bool
	if g == nil {
		ins.bindNull(2)
	} else {
		g, err := l.fit(g)
		if err != nil {
			ins.clear()
			return fmt.Errorf("%s: %w", where(), err)
		}
		var blob []byte
		blob, env, hasEnv, err = AppendEncode(l.blob[:0], g)
		if err != nil {
			ins.clear()
			return fmt.Errorf("%s: %w", where(), err)
		}
		l.blob = blob
		ins.blob(2, blob)
	}
	if err := ins.step(); err != nil {
		return fmt.Errorf("%s: %w", where(), err)
	}
	l.count++
	if hasEnv {
		l.boxes = append(l.boxes, box{id: fid, minX: env.Min[0], maxX: env.Max[0], minY: env.Min[1], maxY: env.Max[1]})
		if l.bounded {
			l.bound = l.bound.Union(env)
		} else {
			l.bound, l.bounded = env, true
		}
	}
	return nil
}

// Count returns how many features have been added.
func (l *Layer) Count() int64 { return l.count }

// fit checks g against the layer's type, promoting single parts to the
// multi types.
func (l *Layer) fit(g orb.Geometry) (orb.Geometry, error) {
	switch v := g.(type) {
	case orb.Ring:
		g = orb.Polygon{v}
	case orb.Bound:
		g = v.ToPolygon()
	}
	got := GeomType(strings.ToUpper(g.GeoJSONType()))
	switch {
	case l.geom == Geometry || got == l.geom:
		return g, nil
	case l.geom == MultiPolygon && got == Polygon:
		return orb.MultiPolygon{g.(orb.Polygon)}, nil
	case l.geom == MultiPoint && got == Point:
		return orb.MultiPoint{g.(orb.Point)}, nil
	case l.geom == MultiLineString && got == LineString:
		return orb.MultiLineString{g.(orb.LineString)}, nil
	}
	return nil, fmt.Errorf("geometry is a %s, the layer holds %s", got, l.geom)
}

// bind binds parameter i of s to v, converted to what the column type
// stores.
func bind(s *stmt, i int, t FieldType, v any) error {
	if v == nil {
		s.bindNull(i)
		return nil
	}
	switch t {
	case Integer:
		var n int64
		switch x := v.(type) {
		case int:
			n = int64(x)
		case int8:
			n = int64(x)
		case int16:
			n = int64(x)
		case int32:
			n = int64(x)
		case int64:
			n = x
		case uint8:
			n = int64(x)
		case uint16:
			n = int64(x)
		case uint32:
			n = int64(x)
		case uint:
			if uint64(x) > math.MaxInt64 {
				return fmt.Errorf("%T value %v does not fit a %s field", v, v, t)
			}
			n = int64(x)
		case uint64:
			if x > math.MaxInt64 {
				return fmt.Errorf("%T value %v does not fit a %s field", v, v, t)
			}
			n = int64(x)
		case bool:
			if x {
				n = 1
			}
		default:
			return fmt.Errorf("%T value %v does not fit a %s field", v, v, t)
		}
		s.bindInt(i, n)
		return nil
	case Real:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		case int:
			f = float64(x)
		case int32:
			f = float64(x)
		case int64:
			f = float64(x)
		default:
			return fmt.Errorf("%T value %v is not a number", v, v)
		}
		if math.IsNaN(f) {
			s.bindNull(i)
		} else {
			s.bindFloat(i, f)
		}
		return nil
	case Text:
		if x, ok := v.(string); ok {
			s.text(i, x)
			return nil
		}
	}
	return fmt.Errorf("%T value %v does not fit a %s field", v, v, t)
}

// Encode returns g as GeoPackage binary (spec 1.2.1, 2.1.3): "GP", version 0,
// flags (little-endian; an envelope [minx, maxx, miny, maxy] except for
// points, whose envelope would only repeat them, as GDAL also leaves out; the
// empty flag for a geometry without coordinates), srs_id, then little-endian
// WKB. It also returns the envelope for the spatial index;
// ok is false for an empty geometry, which is not indexed.
func Encode(g orb.Geometry) (blob []byte, env orb.Bound, ok bool, err error) {
	return AppendEncode(nil, g)
}

// AppendEncode is Encode appending to dst, so a caller that encodes many
// geometries can reuse one buffer.
func AppendEncode(dst []byte, g orb.Geometry) (blob []byte, env orb.Bound, ok bool, err error) {
	b := g.Bound()
	for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return dst, b, false, errors.New("geometry has a NaN or infinite coordinate")
		}
	}
	empty := isEmpty(g)
	var flags byte = 1 // little-endian
	_, point := g.(orb.Point)
	switch {
	case empty:
		flags |= 1 << 4
	case !point:
		flags |= 1 << 1 // envelope [minx, maxx, miny, maxy]
	}
	dst = append(dst, 'G', 'P', 0, flags)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(int32(SRSID)))
	if flags&(1<<1) != 0 {
		dst = appendFloats(dst, b.Min[0], b.Max[0], b.Min[1], b.Max[1])
	}
	dst, err = appendWKB(dst, g)
	if err != nil {
		return dst, b, false, err
	}
	return dst, b, !empty, nil
}

// WKB geometry type codes (OGC 06-103r4, simple features access part 1,
// 8.2.8): 2D only.
const (
	wkbPoint              = 1
	wkbLineString         = 2
	wkbPolygon            = 3
	wkbMultiPoint         = 4
	wkbMultiLineString    = 5
	wkbMultiPolygon       = 6
	wkbGeometryCollection = 7
)

// appendWKB appends g as little-endian WKB: a byte order mark (1), the type
// code as a uint32, then counts as uint32 and coordinates as float64. An
// empty point is written as NaN coordinates, as GDAL and GEOS do.
func appendWKB(dst []byte, g orb.Geometry) ([]byte, error) {
	head := func(t uint32) { dst = append(dst, 1); dst = binary.LittleEndian.AppendUint32(dst, t) }
	count := func(n int) { dst = binary.LittleEndian.AppendUint32(dst, uint32(n)) }
	points := func(ps []orb.Point) {
		count(len(ps))
		for _, p := range ps {
			dst = appendFloats(dst, p[0], p[1])
		}
	}
	polygon := func(p orb.Polygon) {
		head(wkbPolygon)
		count(len(p))
		for _, r := range p {
			points(r)
		}
	}
	switch v := g.(type) {
	case orb.Point:
		head(wkbPoint)
		dst = appendFloats(dst, v[0], v[1])
	case orb.MultiPoint:
		head(wkbMultiPoint)
		count(len(v))
		for _, p := range v {
			head(wkbPoint)
			dst = appendFloats(dst, p[0], p[1])
		}
	case orb.LineString:
		head(wkbLineString)
		points(v)
	case orb.MultiLineString:
		head(wkbMultiLineString)
		count(len(v))
		for _, l := range v {
			head(wkbLineString)
			points(l)
		}
	case orb.Ring:
		polygon(orb.Polygon{v})
	case orb.Polygon:
		polygon(v)
	case orb.MultiPolygon:
		head(wkbMultiPolygon)
		count(len(v))
		for _, p := range v {
			polygon(p)
		}
	case orb.Bound:
		polygon(v.ToPolygon())
	case orb.Collection:
		head(wkbGeometryCollection)
		count(len(v))
		for _, c := range v {
			var err error
			if dst, err = appendWKB(dst, c); err != nil {
				return dst, err
			}
		}
	default:
		return dst, fmt.Errorf("encode %T: not a geometry WKB can hold", g)
	}
	return dst, nil
}

// appendFloats appends each value as a little-endian IEEE 754 double.
func appendFloats(dst []byte, fs ...float64) []byte {
	for _, f := range fs {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
	}
	return dst
}

// isEmpty reports whether g has no coordinates at all.
func isEmpty(g orb.Geometry) bool {
	switch v := g.(type) {
	case orb.Point:
		return false
	case orb.MultiPoint:
		return len(v) == 0
	case orb.LineString:
		return len(v) == 0
	case orb.MultiLineString:
		for _, l := range v {
			if len(l) > 0 {
				return false
			}
		}
		return true
	case orb.Polygon:
		return len(v) == 0 || len(v[0]) == 0
	case orb.MultiPolygon:
		for _, p := range v {
			if !isEmpty(p) {
				return false
			}
		}
		return true
	case orb.Collection:
		for _, c := range v {
			if !isEmpty(c) {
				return false
			}
		}
		return true
	}
	return false
}

// Close records each layer's extent, adds the spatial-index triggers, and
// moves the finished file to its path. On error nothing is left at path
// that was not there before.
func (w *Writer) Close() error {
	if w.done {
		return fmt.Errorf("gpkg %s: closed twice", w.path)
	}
	err := w.finish()
	if err != nil {
		w.discard()
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	return nil
}

func (w *Writer) finish() error {
	for _, l := range w.layers {
		l.insert.finalize()
		if err := l.bulkLoad(); err != nil {
			return fmt.Errorf("layer %q spatial index: %w", l.name, err)
		}
		l.boxes = nil
		if l.bounded {
			if err := w.c.run(`UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?`,
				l.bound.Min[0], l.bound.Min[1], l.bound.Max[0], l.bound.Max[1], l.name); err != nil {
				return fmt.Errorf("layer %q extent: %w", l.name, err)
			}
		}
		for _, s := range triggers(l.name) {
			if err := w.c.exec(s); err != nil {
				return fmt.Errorf("layer %q index triggers: %w", l.name, err)
			}
		}
	}
	if err := w.c.exec("COMMIT"); err != nil {
		return err
	}
	w.inTx = false
	c := w.c
	w.c = nil
	if err := c.close(); err != nil {
		return err
	}
	if !w.noSync {
		f, err := os.OpenFile(w.tmp, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if err := os.Chmod(w.tmp, 0o644); err != nil {
		return err
	}
	if err := os.Rename(w.tmp, w.path); err != nil {
		return err
	}
	w.done = true
	return nil
}

// Abort abandons the file: nothing is written to the path.
func (w *Writer) Abort() {
	if !w.done {
		w.discard()
	}
}

func (w *Writer) discard() {
	w.done = true
	if w.c != nil {
		for _, l := range w.layers {
			l.insert.finalize()
		}
		if w.inTx {
			w.c.exec("ROLLBACK")
		}
		w.c.close()
		w.c = nil
	}
	os.Remove(w.tmp)
	os.Remove(w.tmp + "-journal")
}

// triggers are the R-tree maintenance triggers of spec 1.2.1 F.3, as GDAL
// writes them. They call the ST_ functions a GeoPackage reader provides, so
// they are added after the features are in: this writer indexes directly.
func triggers(table string) []string {
	t, r := quote(table), quote("rtree_"+table+"_geom")
	name := func(s string) string { return quote("rtree_" + table + "_geom_" + s) }
	vals := `VALUES (NEW."fid", ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"), ST_MinY(NEW."geom"), ST_MaxY(NEW."geom"))`
	return []string{
		`CREATE TRIGGER ` + name("insert") + ` AFTER INSERT ON ` + t + ` WHEN (new."geom" NOT NULL AND NOT ST_IsEmpty(NEW."geom")) BEGIN INSERT OR REPLACE INTO ` + r + ` ` + vals + `; END`,
		`CREATE TRIGGER ` + name("update1") + ` AFTER UPDATE OF "geom" ON ` + t + ` WHEN OLD."fid" = NEW."fid" AND (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) BEGIN INSERT OR REPLACE INTO ` + r + ` ` + vals + `; END`,
		`CREATE TRIGGER ` + name("update2") + ` AFTER UPDATE OF "geom" ON ` + t + ` WHEN OLD."fid" = NEW."fid" AND (NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM ` + r + ` WHERE id = OLD."fid"; END`,
		`CREATE TRIGGER ` + name("update3") + ` AFTER UPDATE ON ` + t + ` WHEN OLD."fid" != NEW."fid" AND (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM ` + r + ` WHERE id = OLD."fid"; INSERT OR REPLACE INTO ` + r + ` ` + vals + `; END`,
		`CREATE TRIGGER ` + name("update4") + ` AFTER UPDATE ON ` + t + ` WHEN OLD."fid" != NEW."fid" AND (NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM ` + r + ` WHERE id IN (OLD."fid", NEW."fid"); END`,
		`CREATE TRIGGER ` + name("delete") + ` AFTER DELETE ON ` + t + ` WHEN old."geom" NOT NULL BEGIN DELETE FROM ` + r + ` WHERE id = OLD."fid"; END`,
	}
}
