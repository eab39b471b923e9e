package siting

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"commonground/internal/bounded"
	"commonground/internal/population"
	"commonground/internal/problem"
)

// Feature is an OpenStreetMap object as FromOSM sees it: a node, or a way or
// relation reduced to a point inside it.
type Feature struct {
	Type  string // node, way or relation
	ID    int64
	Tags  map[string]string
	Point orb.Point
}

// hostKinds are the amenity values of buildings that could host a new
// gathering place: rooms a community already owns or uses. Community
// centres and social centres are the OSM tags of community halls.
var hostKinds = map[string]string{
	"school":           "school",
	"townhall":         "townhall",
	"community_centre": "community_hall",
	"social_centre":    "community_hall",
	"library":          "library",
	"place_of_worship": "place_of_worship",
}

// FromOSM picks the features that could host a new place (schools, town
// halls, community halls, libraries, places of worship, the last with Faith
// set), in input order, leaving out access=private and access=no.
func FromOSM(feats []Feature) []Candidate {
	var out []Candidate
	for _, f := range feats {
		kind, ok := hostKinds[f.Tags["amenity"]]
		if !ok || f.Tags["access"] == "private" || f.Tags["access"] == "no" {
			continue
		}
		out = append(out, Candidate{
			ID:    fmt.Sprintf("osm:%s/%d", f.Type, f.ID),
			Name:  f.Tags["name"],
			Kind:  kind,
			Faith: kind == "place_of_worship",
			Point: f.Point,
		})
	}
	return out
}

// FromStops makes a candidate of every transit stop, each an OSM feature
// whose name is its "name" tag: a site people can already reach without a
// car.
func FromStops(stops []Feature) []Candidate {
	out := make([]Candidate, len(stops))
	for i, s := range stops {
		out[i] = Candidate{ID: fmt.Sprintf("osm:%s/%d", s.Type, s.ID), Name: s.Tags["name"], Kind: "stop", Point: s.Point}
	}
	return out
}

// FromCells makes a candidate of the centre of every grid cell with at least
// minPop people: "anywhere people live", when no list of buildings exists.
func FromCells(cells []population.Cell, minPop float64) []Candidate {
	var out []Candidate
	for _, c := range cells {
		if c.Pop >= minPop {
			out = append(out, Candidate{ID: "cell:" + c.ID, Kind: "cell", Point: c.Center})
		}
	}
	return out
}

// Read reads a user's candidate list: a CSV file (.csv) or a GeoJSON
// FeatureCollection of points (.geojson, .json). Rows that cannot be used are
// skipped and listed in the problems, each naming its line or feature; the
// error is for a file that cannot be read at all or holds no usable row.
func Read(path string) ([]Candidate, problem.List, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return ReadCSV(path)
	case ".geojson", ".json":
		return ReadGeoJSON(path)
	}
	return nil, problem.List{}, fmt.Errorf("read %s: candidate sites must be a .csv or .geojson file", path)
}

// columns maps the header names ReadCSV accepts to their role.
var columns = map[string]string{
	"id": "id", "site_id": "id",
	"lat": "lat", "latitude": "lat", "y": "lat",
	"lon": "lon", "lng": "lon", "long": "lon", "longitude": "lon", "x": "lon",
	"cost": "cost", "name": "name",
}

// ReadCSV reads candidates from a CSV file with a header naming at least id,
// lat and lon (any order, any case; latitude, longitude, lng are accepted
// too), and optionally cost and name. Other columns are ignored.
func ReadCSV(path string) ([]Candidate, problem.List, error) {
	var probs problem.List
	fh, err := os.Open(path)
	if err != nil {
		return nil, probs, fmt.Errorf("read %s: %w", path, err)
	}
	defer fh.Close()
	r, err := bounded.NewCSV(path, fh, true)
	if err != nil {
		return nil, probs, fmt.Errorf("read %w", err)
	}
	header := r.Header
	col := map[string]int{}
	for i, h := range header {
		if role, ok := columns[strings.ToLower(strings.TrimSpace(h))]; ok {
			if _, dup := col[role]; !dup {
				col[role] = i
			}
		}
	}
	for _, need := range []string{"id", "lat", "lon"} {
		if _, ok := col[need]; !ok {
			return nil, probs, fmt.Errorf("read %s line 1: no %q column in the header %s; want id,lat,lon and optionally cost and name", path, need, bounded.Clip(strings.Join(header, ",")))
		}
	}
	var out []Candidate
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, probs, fmt.Errorf("read %w", err)
		}
		line := r.Line()
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		get := func(role string) string {
			if i, ok := col[role]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		id := get("id")
		skip := func(field, value, format string, args ...any) {
			probs.Add(problem.Problem{Severity: problem.Skipped, File: path, Line: line, Feature: id, Field: field, Value: value, Message: fmt.Sprintf(format, args...)})
		}
		if len(rec) < len(header) {
			skip("", "", "the row has %d fields, the header %d", len(rec), len(header))
			continue
		}
		if id == "" {
			skip("id", "", "the id is empty")
			continue
		}
		pt, field, msg := parsePoint(get("lat"), get("lon"))
		if msg != "" {
			skip(field, get(field), "%s", msg)
			continue
		}
		cost, msg := parseCost(get("cost"))
		if msg != "" {
			skip("cost", get("cost"), "%s", msg)
			continue
		}
		if first, dup := seen[id]; dup {
			skip("id", id, "the id repeats line %d; the first is kept", first)
			continue
		}
		seen[id] = line
		out = append(out, Candidate{ID: id, Name: get("name"), Kind: "listed", Point: pt, Cost: cost, File: path, Row: line})
	}
	if len(out) == 0 {
		return nil, probs, fmt.Errorf("read %s: no usable candidate row (%d skipped)", path, probs.Len())
	}
	return out, probs, nil
}

// parsePoint reads a latitude and longitude in degrees; msg says what is
// wrong, and field which column.
func parsePoint(latS, lonS string) (pt orb.Point, field, msg string) {
	lat, err := strconv.ParseFloat(latS, 64)
	if err != nil || math.IsNaN(lat) || math.IsInf(lat, 0) {
		return pt, "lat", fmt.Sprintf("latitude %s is not a number", bounded.Clip(latS))
	}
	lon, err := strconv.ParseFloat(lonS, 64)
	if err != nil || math.IsNaN(lon) || math.IsInf(lon, 0) {
		return pt, "lon", fmt.Sprintf("longitude %s is not a number", bounded.Clip(lonS))
	}
	if math.Abs(lat) > 90 {
		hint := ""
		if math.Abs(lon) <= 90 {
			hint = " (are latitude and longitude swapped?)"
		}
		return pt, "lat", fmt.Sprintf("latitude %v is outside -90..90%s", lat, hint)
	}
	if math.Abs(lon) > 180 {
		return pt, "lon", fmt.Sprintf("longitude %v is outside -180..180", lon)
	}
	return orb.Point{lon, lat}, "", ""
}

// parseCost reads an optional non-negative cost.
func parseCost(s string) (float64, string) {
	if s == "" {
		return 0, ""
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Sprintf("cost %s is not a number", bounded.Clip(s))
	}
	if v < 0 {
		return 0, fmt.Sprintf("cost %v is negative", v)
	}
	return v, ""
}

// ReadGeoJSON reads candidates from a FeatureCollection of points. The id is
// the property "id", else the feature's id; "cost" and "name" are optional
// properties. Row is the feature's number, from 1.
func ReadGeoJSON(path string) ([]Candidate, problem.List, error) {
	var probs problem.List
	data, err := bounded.ReadFile(path, bounded.MaxFileBytes)
	if err != nil {
		return nil, probs, fmt.Errorf("read %s: %w", path, err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(bounded.TrimBOM(data))
	if err != nil {
		return nil, probs, fmt.Errorf("read %s: not a GeoJSON FeatureCollection: %s", path, bounded.Clip(err.Error()))
	}
	var out []Candidate
	seen := map[string]int{}
	for i, f := range fc.Features {
		n := i + 1
		id := text(f.Properties["id"])
		if id == "" {
			id = text(f.ID)
		}
		skip := func(field, value, format string, args ...any) {
			feat := fmt.Sprintf("feature %d", n)
			if id != "" {
				feat += " (id " + id + ")"
			}
			probs.Add(problem.Problem{Severity: problem.Skipped, File: path, Line: n, Feature: feat, Field: field, Value: value, Message: fmt.Sprintf(format, args...)})
		}
		if id == "" {
			skip("id", "", "the feature has no id (a property \"id\" or a feature id)")
			continue
		}
		p, ok := f.Geometry.(orb.Point)
		if !ok {
			kind := "no geometry"
			if f.Geometry != nil {
				kind = "a " + f.Geometry.GeoJSONType()
			}
			skip("geometry", "", "the geometry is %s; a candidate site must be a Point", kind)
			continue
		}
		pt, field, msg := parsePoint(strconv.FormatFloat(p[1], 'g', -1, 64), strconv.FormatFloat(p[0], 'g', -1, 64))
		if msg != "" {
			skip(field, "", "%s", msg)
			continue
		}
		cost, msg := parseCost(text(f.Properties["cost"]))
		if msg != "" {
			skip("cost", text(f.Properties["cost"]), "%s", msg)
			continue
		}
		if first, dup := seen[id]; dup {
			skip("id", id, "the id repeats feature %d; the first is kept", first)
			continue
		}
		seen[id] = n
		out = append(out, Candidate{ID: id, Name: text(f.Properties["name"]), Kind: "listed", Point: pt, Cost: cost, File: path, Row: n})
	}
	if len(out) == 0 {
		return nil, probs, fmt.Errorf("read %s: no usable candidate feature (%d skipped)", path, probs.Len())
	}
	return out, probs, nil
}

// text renders a JSON scalar as a string; numbers without exponent noise.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}
