package population

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/paulmach/orb/geojson"

	"commonground/internal/bounded"
)

// geographicCRS lists the GeoJSON "crs" names that mean lon/lat degrees.
// NAD83 (EPSG:4269) differs from WGS84 by about a metre, far below a cell.
var geographicCRS = []string{
	"urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84", "crs84",
	"epsg:4326", "urn:ogc:def:crs:epsg::4326", "urn:ogc:def:crs:epsg:6.6:4326", "http://www.opengis.net/def/crs/epsg/0/4326",
	"epsg:4269", "urn:ogc:def:crs:epsg::4269",
}

// readGeoJSON reads a FeatureCollection. The files are county- or city-sized,
// so the whole file is read at once; features are decoded one by one so an
// error can name the feature.
func readGeoJSON(path string) ([]rawFeature, error) {
	data, err := bounded.ReadFile(path, bounded.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // byte-order mark from Windows tools
	var doc struct {
		Type string `json:"type"`
		CRS  *struct {
			Type       string `json:"type"`
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"crs"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not valid GeoJSON: %s", bounded.Clip(err.Error()))
	}
	if doc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("not a GeoJSON FeatureCollection (type %q)", doc.Type)
	}
	if doc.CRS != nil {
		name := strings.ToLower(strings.TrimSpace(doc.CRS.Properties.Name))
		ok := false
		for _, g := range geographicCRS {
			ok = ok || name == g
		}
		if !ok {
			return nil, fmt.Errorf("coordinate system %q is not supported: reproject to EPSG:4326 (longitude/latitude), e.g. ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson", doc.CRS.Properties.Name)
		}
	}
	out := make([]rawFeature, 0, len(doc.Features))
	for i, raw := range doc.Features {
		f, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			return nil, fmt.Errorf("feature %d: %w", i+1, err)
		}
		props := map[string]any(f.Properties)
		if props == nil {
			props = map[string]any{}
		}
		out = append(out, rawFeature{num: i + 1, props: props, geom: f.Geometry})
	}
	return out, nil
}
