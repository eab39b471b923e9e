// Package population turns census population polygons into a regular grid of
// origin cells, spreading each zone's people along its residential streets
// (dasymetric mapping) so that accessibility is measured from where people
// actually live rather than from a tract's centroid.
package population

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/twpayne/go-geos"

	"commonground/internal/bounded"
	"commonground/internal/problem"
)

// Zone is one census polygon with its head count. Attrs keeps the other
// numeric columns (pop_black, vap, ...) so equity measures can be computed
// later without re-reading the file.
type Zone struct {
	ID    string             // from the configured id field; the 1-based feature number when none is configured
	Name  string             // from the configured name field, optional
	Pop   float64            // from the configured population field
	Attrs map[string]float64 // every other numeric property
	Geom  orb.MultiPolygon   // lon/lat, valid (repaired with GEOS MakeValid when invalid); nil for a point zone
	// Point locates a zone given as a point (the centroid of a hexagon or
	// block in a CSV of counts); zero for polygon zones.
	Point orb.Point
}

// Fields names the columns of a census layer, since every agency spells
// them differently (GEOID, GEO_ID, CTUID; pop, POP100, P0010001).
type Fields struct {
	ID   string // optional: without it zones are numbered
	Name string // optional
	Pop  string // required
}

// ErrNoPolygons is returned when a layer holds no usable polygon at all.
var ErrNoPolygons = errors.New("population: no polygons")

// ReadZones reads census zones from a GeoJSON (.geojson, .json) or ESRI
// shapefile (.shp with its .dbf and .prj). Features without polygonal geometry
// are skipped and recorded in probs as problem.Skipped (with the head count
// left out); invalid polygons are repaired and recorded as problem.Warning.
// Anything that would make the population wrong (missing, negative or
// non-numeric population, unknown coordinate system) is an error naming the
// file, the feature and the field. probs may be nil.
func ReadZones(path string, f Fields, probs *problem.List) ([]Zone, error) {
	if probs == nil {
		probs = &problem.List{}
	}
	if f.Pop == "" {
		return nil, fmt.Errorf("read %s: no population field configured", path)
	}
	var (
		feats []rawFeature
		err   error
	)
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".geojson", ".json":
		feats, err = readGeoJSON(path)
	case ".shp":
		feats, err = readShapefile(path, probs)
	case ".gpkg":
		return nil, fmt.Errorf("read %s: GeoPackage input is not supported yet; convert it with: ogr2ogr -f GeoJSON zones.geojson %s", path, filepath.Base(path))
	default:
		return nil, fmt.Errorf("read %s: unknown file type %q: use .geojson, .json or .shp", path, ext)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(feats) == 0 {
		return nil, fmt.Errorf("read %s: %w: the layer has no features", path, ErrNoPolygons)
	}
	ctx := geos.NewContext()
	zones := make([]Zone, 0, len(feats))
	seen := map[string]int{}
	file := filepath.Base(path)
	for _, rf := range feats {
		z, ok, err := buildZone(ctx, file, rf, f, probs)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if !ok {
			continue
		}
		if first, dup := seen[z.ID]; dup && f.ID != "" {
			probs.Add(problem.Problem{Severity: problem.Warning, File: file, Feature: z.ID, Field: f.ID,
				Message: fmt.Sprintf("id also used by feature %d; zones are told apart by position", first)})
		} else {
			seen[z.ID] = rf.num
		}
		zones = append(zones, z)
	}
	if len(zones) == 0 {
		return nil, fmt.Errorf("read %s: %w: all %d features were skipped (see problems)", path, ErrNoPolygons, len(feats))
	}
	return zones, nil
}

// rawFeature is a feature as any reader delivers it, before the fields are
// interpreted: properties hold string, float64, bool or nil values.
type rawFeature struct {
	num   int // 1-based position in the file
	props map[string]any
	geom  orb.Geometry // lon/lat
}

// label names a feature the way a user can find it: its number and, when
// the id field is there, its id.
func (rf rawFeature) label(idField string) string {
	if idField != "" {
		if v, ok := rf.props[idField]; ok && v != nil {
			return fmt.Sprintf("feature %d (%s %s)", rf.num, idField, bounded.Short(formatValue(v)))
		}
	}
	return fmt.Sprintf("feature %d", rf.num)
}

func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

func fieldNames(props map[string]any) string {
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// buildZone interprets one feature. ok is false when the feature is skipped.
func buildZone(ctx *geos.Context, file string, rf rawFeature, f Fields, probs *problem.List) (z Zone, ok bool, err error) {
	where := rf.label(f.ID)
	missing := func(field string) error {
		return fmt.Errorf("%s: no field %q; fields present: %s", where, field, fieldNames(rf.props))
	}

	// Id.
	z.ID = strconv.Itoa(rf.num)
	if f.ID != "" {
		v, present := rf.props[f.ID]
		if !present {
			return z, false, missing(f.ID)
		}
		if v == nil || formatValue(v) == "" {
			return z, false, fmt.Errorf("%s: field %q is empty", where, f.ID)
		}
		z.ID = formatValue(v)
	}
	if f.Name != "" {
		if v, present := rf.props[f.Name]; present && v != nil {
			z.Name = formatValue(v)
		}
	}

	// Population.
	v, present := rf.props[f.Pop]
	if !present {
		return z, false, missing(f.Pop)
	}
	switch x := v.(type) {
	case float64:
		z.Pop = x
	case string:
		p, perr := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if perr != nil {
			return z, false, fmt.Errorf("%s: field %q is not a number: %s", where, f.Pop, bounded.Clip(x))
		}
		z.Pop = p
		probs.Add(problem.Problem{Severity: problem.Warning, File: file, Feature: z.ID, Field: f.Pop, Value: bounded.Short(x),
			Message: "population written as text; read as a number"})
	case nil:
		return z, false, fmt.Errorf("%s: field %q is empty", where, f.Pop)
	default:
		return z, false, fmt.Errorf("%s: field %q is not a number: %s", where, f.Pop, bounded.Clip(fmt.Sprint(x)))
	}
	if math.IsNaN(z.Pop) || math.IsInf(z.Pop, 0) {
		return z, false, fmt.Errorf("%s: field %q is not a finite number: %v", where, f.Pop, v)
	}
	if z.Pop < 0 {
		return z, false, fmt.Errorf("%s: field %q is negative: %v", where, f.Pop, formatValue(v))
	}

	// Other numeric columns, for equity analysis.
	for k, v := range rf.props {
		if k == f.ID || k == f.Name || k == f.Pop {
			continue
		}
		if x, isNum := v.(float64); isNum {
			if z.Attrs == nil {
				z.Attrs = map[string]float64{}
			}
			z.Attrs[k] = x
		}
	}

	// Geometry.
	skip := func(why string) {
		probs.Add(problem.Problem{Severity: problem.Skipped, File: file, Feature: z.ID,
			Message: fmt.Sprintf("%s; its %s people are left out", why, strconv.FormatFloat(z.Pop, 'f', -1, 64))})
	}
	var mp orb.MultiPolygon
	switch g := rf.geom.(type) {
	case nil:
		skip("no geometry")
		return z, false, nil
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		mp = g
	default:
		skip(fmt.Sprintf("geometry is a %s, not a polygon", g.GeoJSONType()))
		return z, false, nil
	}
	for _, p := range mp {
		for _, r := range p {
			for _, pt := range r {
				if !(pt[0] >= -180 && pt[0] <= 180 && pt[1] >= -90 && pt[1] <= 90) {
					return z, false, fmt.Errorf("%s: coordinate (%g, %g) is not longitude/latitude: reproject the layer to EPSG:4326", where, pt[0], pt[1])
				}
			}
		}
	}
	mp, closed := cleanRings(mp)
	if closed {
		probs.Add(problem.Problem{Severity: problem.Warning, File: file, Feature: z.ID, Message: "polygon ring not closed; closed it"})
	}
	if len(mp) == 0 {
		skip("polygon has no ring with 3 or more distinct corners")
		return z, false, nil
	}
	valid, reason, err := makeValid(ctx, mp)
	if err != nil {
		return z, false, fmt.Errorf("%s: geometry: %w", where, err)
	}
	if reason != "" {
		probs.Add(problem.Problem{Severity: problem.Warning, File: file, Feature: z.ID,
			Message: "invalid polygon repaired with make-valid", Value: reason})
	}
	if len(valid) == 0 {
		skip("polygon has no area after repair")
		return z, false, nil
	}
	z.Geom = valid
	return z, true, nil
}

// cleanRings drops repeated points, closes open rings and drops rings with
// fewer than three distinct corners, which GEOS cannot even build. A polygon
// whose outer ring is dropped is dropped with its holes.
func cleanRings(mp orb.MultiPolygon) (out orb.MultiPolygon, closed bool) {
	for _, p := range mp {
		var np orb.Polygon
		for i, r := range p {
			var nr orb.Ring
			for _, pt := range r {
				if len(nr) == 0 || nr[len(nr)-1] != pt {
					nr = append(nr, pt)
				}
			}
			if len(nr) > 0 && nr[0] != nr[len(nr)-1] {
				nr = append(nr, nr[0])
				closed = true
			}
			if len(nr) < 4 {
				if i == 0 {
					break
				}
				continue
			}
			np = append(np, nr)
		}
		if len(np) > 0 {
			out = append(out, np)
		}
	}
	return out, closed
}

// makeValid checks mp with GEOS and, when invalid, repairs it and keeps only
// its polygonal parts. reason is GEOS's diagnosis, "" when mp was valid.
// GEOS signals trouble by panicking inside go-geos; that is turned into an
// error here so no panic reaches the caller.
func makeValid(ctx *geos.Context, mp orb.MultiPolygon) (out orb.MultiPolygon, reason string, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, reason, err = nil, "", fmt.Errorf("GEOS could not read the polygon: %v", r)
		}
	}()
	b, err := wkb.Marshal(mp)
	if err != nil {
		return nil, "", err
	}
	g, err := ctx.NewGeomFromWKB(b)
	if err != nil {
		return nil, "", err
	}
	defer g.Destroy()
	if g.IsValid() {
		return mp, "", nil
	}
	reason = g.IsValidReason()
	fixed := g.MakeValid()
	defer fixed.Destroy()
	og, err := wkb.Unmarshal(fixed.ToWKB())
	if err != nil {
		return nil, "", err
	}
	return polygonalParts(og, nil), reason, nil
}

// polygonalParts collects the polygons of g, dropping the points and lines
// make-valid leaves behind where a polygon collapsed.
func polygonalParts(g orb.Geometry, out orb.MultiPolygon) orb.MultiPolygon {
	switch x := g.(type) {
	case orb.Polygon:
		if len(x) > 0 {
			out = append(out, x)
		}
	case orb.MultiPolygon:
		for _, p := range x {
			if len(p) > 0 {
				out = append(out, p)
			}
		}
	case orb.Collection:
		for _, c := range x {
			out = polygonalParts(c, out)
		}
	}
	return out
}
