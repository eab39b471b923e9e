package population

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"commonground/internal/bounded"
	"commonground/internal/problem"
)

// Shapefile reading follows the ESRI Shapefile Technical Description (July
// 1998) for .shp and the dBASE III layout for .dbf. Only polygon shapes
// (types 5, 15 and 25; Z and M values are ignored) and null shapes are read.

// shapeTypeNames names the shape types a user may meet in an error.
var shapeTypeNames = map[int32]string{
	0: "null", 1: "point", 3: "polyline", 5: "polygon", 8: "multipoint",
	11: "pointZ", 13: "polylineZ", 15: "polygonZ", 18: "multipointZ",
	21: "pointM", 23: "polylineM", 25: "polygonM", 28: "multipointM", 31: "multipatch",
}

func shapeTypeName(t int32) string {
	if n, ok := shapeTypeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("unknown type %d", t)
}

// sibling finds the file that goes with a .shp (its .dbf or .prj), trying
// both lower- and upper-case extensions as shapefiles travel between systems.
func sibling(shp, ext string) (string, bool) {
	base := strings.TrimSuffix(shp, filepath.Ext(shp))
	for _, e := range []string{ext, strings.ToUpper(ext)} {
		if _, err := os.Stat(base + e); err == nil {
			return base + e, true
		}
	}
	return base + ext, false
}

func readShapefile(path string, probs *problem.List) ([]rawFeature, error) {
	shp, err := bounded.ReadFile(path, bounded.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	file := filepath.Base(path)
	dbfPath, ok := sibling(path, ".dbf")
	if !ok {
		return nil, fmt.Errorf("missing %s: a shapefile's attributes (the population) live in the .dbf file beside the .shp; copy it there", filepath.Base(dbfPath))
	}
	dbf, err := bounded.ReadFile(dbfPath, bounded.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	rows, err := readDBF(dbf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(dbfPath), err)
	}

	var conv toLonLat
	if prjPath, ok := sibling(path, ".prj"); ok {
		text, err := bounded.ReadFile(prjPath, 1<<20)
		if err != nil {
			return nil, err
		}
		conv, err = crsFromPRJ(string(text))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(prjPath), err)
		}
	} else {
		conv.warn = "no .prj file: coordinates assumed to be longitude/latitude (WGS84)"
	}
	if conv.warn != "" {
		probs.Add(problem.Problem{Severity: problem.Warning, File: file, Message: conv.warn})
	}

	geoms, err := readSHP(shp, conv.fn)
	if err != nil {
		return nil, err
	}
	if len(geoms) != len(rows) {
		return nil, fmt.Errorf("%d shapes but %s has %d rows: the two files do not belong together", len(geoms), filepath.Base(dbfPath), len(rows))
	}
	out := make([]rawFeature, 0, len(rows))
	for i, r := range rows {
		if r == nil { // deleted row
			continue
		}
		out = append(out, rawFeature{num: i + 1, props: r, geom: geoms[i]})
	}
	return out, nil
}

var errShortSHP = errors.New("file is cut short or damaged")

// readSHP decodes the polygon records of a .shp file; null shapes come back
// as nil geometries. conv, when not nil, converts coordinates to lon/lat.
func readSHP(b []byte, conv func(orb.Point) orb.Point) ([]orb.Geometry, error) {
	if len(b) < 100 || binary.BigEndian.Uint32(b[0:4]) != 9994 {
		return nil, errors.New("not a shapefile (.shp header missing)")
	}
	typ := int32(binary.LittleEndian.Uint32(b[32:36]))
	switch typ {
	case 0, 5, 15, 25:
	default:
		return nil, fmt.Errorf("holds %s shapes, not polygons", shapeTypeName(typ))
	}
	var out []orb.Geometry
	for off := 100; off < len(b); {
		if off+8 > len(b) {
			return nil, fmt.Errorf("record %d: %w", len(out)+1, errShortSHP)
		}
		n := int(binary.BigEndian.Uint32(b[off+4:off+8])) * 2
		off += 8
		if n < 4 || n > len(b)-off {
			return nil, fmt.Errorf("record %d: %w", len(out)+1, errShortSHP)
		}
		g, err := readPolygon(b[off:off+n], conv)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", len(out)+1, err)
		}
		out = append(out, g)
		off += n
	}
	return out, nil
}

func readPolygon(c []byte, conv func(orb.Point) orb.Point) (orb.Geometry, error) {
	le := binary.LittleEndian
	typ := int32(le.Uint32(c[0:4]))
	switch typ {
	case 0:
		return nil, nil
	case 5, 15, 25:
	default:
		return nil, fmt.Errorf("%s shape in a polygon file", shapeTypeName(typ))
	}
	if len(c) < 44 {
		return nil, errShortSHP
	}
	nParts, nPoints := int(int32(le.Uint32(c[36:40]))), int(int32(le.Uint32(c[40:44])))
	if nParts < 0 || nPoints < 0 || nParts > len(c)/4 || nPoints > len(c)/16 || 44+4*nParts+16*nPoints > len(c) {
		return nil, errShortSHP
	}
	parts := make([]int, nParts+1)
	for i := 0; i < nParts; i++ {
		parts[i] = int(int32(le.Uint32(c[44+4*i:])))
		if parts[i] < 0 || parts[i] > nPoints || (i > 0 && parts[i] < parts[i-1]) {
			return nil, fmt.Errorf("ring %d starts at point %d of %d: %w", i+1, parts[i], nPoints, errShortSHP)
		}
	}
	parts[nParts] = nPoints
	pts := c[44+4*nParts:]
	var rings []orb.Ring
	for i := 0; i < nParts; i++ {
		r := make(orb.Ring, 0, parts[i+1]-parts[i])
		for j := parts[i]; j < parts[i+1]; j++ {
			p := orb.Point{
				math.Float64frombits(le.Uint64(pts[16*j:])),
				math.Float64frombits(le.Uint64(pts[16*j+8:])),
			}
			if conv != nil {
				p = conv(p)
			}
			r = append(r, p)
		}
		if len(r) > 0 {
			rings = append(rings, r)
		}
	}
	if len(rings) == 0 {
		return nil, nil
	}
	return assembleRings(rings), nil
}

// assembleRings groups shapefile rings into polygons: clockwise rings are
// outer rings, counter-clockwise ones holes, each hole going to the smallest
// outer ring that contains it. A hole inside no outer ring becomes a polygon
// of its own, and a file with no clockwise ring at all (written by a careless
// tool) has every ring taken as an outer ring; GEOS validation then sorts
// out any overlap.
func assembleRings(rings []orb.Ring) orb.MultiPolygon {
	var outers, holes []orb.Ring
	for _, r := range rings {
		if signedArea(r) < 0 {
			outers = append(outers, r)
		} else {
			holes = append(holes, r)
		}
	}
	if len(outers) == 0 {
		outers, holes = holes, nil
	}
	mp := make(orb.MultiPolygon, len(outers))
	for i, o := range outers {
		mp[i] = orb.Polygon{o}
	}
	for _, h := range holes {
		best, bestArea := -1, math.Inf(1)
		for i, o := range outers {
			if a := -signedArea(o); a < bestArea && ringContains(o, h[0]) {
				best, bestArea = i, a
			}
		}
		if best < 0 {
			mp = append(mp, orb.Polygon{h})
			continue
		}
		mp[best] = append(mp[best], h)
	}
	return mp
}

// ringContains is the even-odd point-in-ring test.
func ringContains(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// readDBF decodes a dBASE table into one property map per row: numeric
// columns as float64, text as string, blanks as nil. Deleted rows come back
// as nil maps so row numbers stay aligned with the shapes.
func readDBF(b []byte) ([]map[string]any, error) {
	le := binary.LittleEndian
	if len(b) < 33 {
		return nil, errors.New("not a dBASE file (header too short)")
	}
	nRec, hLen, rLen := int(le.Uint32(b[4:8])), int(le.Uint16(b[8:10])), int(le.Uint16(b[10:12]))
	if hLen > len(b) || hLen < 33 || rLen < 1 {
		return nil, errors.New("not a dBASE file (bad header sizes)")
	}
	type field struct {
		name      string
		typ       byte
		off, size int
	}
	var fields []field
	off := 1 // the deletion flag comes first
	for p := 32; p+32 <= hLen && b[p] != 0x0D; p += 32 {
		name := b[p : p+11]
		if i := strings.IndexByte(string(name), 0); i >= 0 {
			name = name[:i]
		}
		f := field{name: strings.TrimSpace(decodeText(name)), typ: b[p+11], off: off, size: int(b[p+16])}
		off += f.size
		fields = append(fields, f)
	}
	if off > rLen {
		return nil, fmt.Errorf("columns need %d bytes per row but rows are %d bytes", off, rLen)
	}
	if nRec < 0 || nRec > (len(b)-hLen)/rLen {
		return nil, fmt.Errorf("header announces %d rows but the file holds %d: file is cut short", nRec, (len(b)-hLen)/rLen)
	}
	rows := make([]map[string]any, nRec)
	for i := range rows {
		rec := b[hLen+i*rLen : hLen+(i+1)*rLen]
		if rec[0] == '*' {
			continue
		}
		row := make(map[string]any, len(fields))
		for _, f := range fields {
			raw := rec[f.off : f.off+f.size]
			s := strings.TrimSpace(decodeText(raw))
			switch f.typ {
			case 'N', 'F':
				if s == "" || strings.Trim(s, "*") == "" {
					row[f.name] = nil
				} else if v, err := strconv.ParseFloat(s, 64); err == nil {
					row[f.name] = v
				} else {
					row[f.name] = s
				}
			case 'I':
				if len(raw) == 4 {
					row[f.name] = float64(int32(le.Uint32(raw)))
				}
			case 'L':
				switch s {
				case "T", "t", "Y", "y":
					row[f.name] = true
				case "F", "f", "N", "n":
					row[f.name] = false
				default:
					row[f.name] = nil
				}
			default:
				if s == "" {
					row[f.name] = nil
				} else {
					row[f.name] = s
				}
			}
		}
		rows[i] = row
	}
	return rows, nil
}

// decodeText reads dBASE text, which is UTF-8 from modern tools and Latin-1
// from older ones; NUL padding is dropped.
func decodeText(b []byte) string {
	b = []byte(strings.TrimRight(string(b), "\x00"))
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
