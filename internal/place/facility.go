package place

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"commonground/internal/bounded"
	"commonground/internal/geo"
	"commonground/internal/problem"
)

// FacilityList describes a municipal or agency list of facilities (CSV with
// coordinates, or GeoJSON points) that adds to, or replaces, what
// OpenStreetMap has for one category.
type FacilityList struct {
	Path     string
	Category string
	Faith    bool
	// Replace drops every OSM place of the category and keeps the list's;
	// otherwise the list adds to OSM and duplicates are merged.
	Replace bool
	// Column (CSV) or property (GeoJSON) names; defaults id, name, lat, lon.
	IDField, NameField, LatField, LonField string
}

func (l FacilityList) field(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// ReadFacilities reads a facility list into places of its category. A row
// with bad coordinates is an error naming the file, line and field: a list
// someone prepared by hand should be fixed rather than half used.
func ReadFacilities(l FacilityList) ([]Place, error) {
	switch strings.ToLower(filepath.Ext(l.Path)) {
	case ".csv", ".txt":
		return readFacilityCSV(l)
	case ".geojson", ".json":
		return readFacilityGeoJSON(l)
	}
	return nil, fmt.Errorf("facility list %s: unknown file type; give a .csv with lat/lon columns or a .geojson of points", l.Path)
}

func readFacilityCSV(l FacilityList) ([]Place, error) {
	f, err := os.Open(l.Path)
	if err != nil {
		return nil, fmt.Errorf("facility list: %w", err)
	}
	defer f.Close()
	r, err := bounded.NewCSV(l.Path, f, false)
	if err != nil {
		return nil, fmt.Errorf("facility list %w", err)
	}
	col := map[string]int{}
	for i, h := range r.Header {
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	need := func(name string) (int, error) {
		i, ok := col[name]
		if !ok {
			return 0, fmt.Errorf("facility list %s: no column %s (columns: %s)", l.Path, bounded.Clip(name), r.Columns())
		}
		return i, nil
	}
	latC, err := need(l.field(l.LatField, "lat"))
	if err != nil {
		return nil, err
	}
	lonC, err := need(l.field(l.LonField, "lon"))
	if err != nil {
		return nil, err
	}
	nameC, hasName := col[l.field(l.NameField, "name")]
	idC, hasID := col[l.field(l.IDField, "id")]
	var out []Place
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("facility list %w", err)
		}
		line := r.Line()
		get := func(i int) string {
			if i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		lat, err1 := strconv.ParseFloat(get(latC), 64)
		lon, err2 := strconv.ParseFloat(get(lonC), 64)
		if err1 != nil || err2 != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 || math.IsNaN(lat) || math.IsNaN(lon) {
			return nil, fmt.Errorf("facility list %s:%d: coordinates lat %s, lon %s are not a point on Earth (latitude -90..90, longitude -180..180, in degrees)", l.Path, line, bounded.Clip(get(latC)), bounded.Clip(get(lonC)))
		}
		p := Place{Source: "list:" + filepath.Base(l.Path), OSMType: "facility", OSMID: int64(line), Category: l.Category, Faith: l.Faith,
			Point: orb.Point{lon, lat}, Tags: map[string]string{}}
		if hasName {
			p.Name = get(nameC)
		}
		if hasID {
			p.Tags["list_id"] = get(idC)
		}
		p.Access = []orb.Point{p.Point}
		out = append(out, p)
	}
	return out, nil
}

func readFacilityGeoJSON(l FacilityList) ([]Place, error) {
	raw, err := bounded.ReadFile(l.Path, bounded.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("facility list: %w", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(bounded.TrimBOM(raw))
	if err != nil {
		return nil, fmt.Errorf("facility list %s: not a GeoJSON FeatureCollection: %s", l.Path, bounded.Clip(err.Error()))
	}
	var out []Place
	for i, f := range fc.Features {
		pt, ok := f.Geometry.(orb.Point)
		if !ok {
			return nil, fmt.Errorf("facility list %s: feature %d is a %s; facility lists hold points", l.Path, i+1, geomName(f.Geometry))
		}
		if math.Abs(pt[1]) > 90 || math.Abs(pt[0]) > 180 {
			return nil, fmt.Errorf("facility list %s: feature %d: coordinates %v are not longitude, latitude in degrees", l.Path, i+1, pt)
		}
		p := Place{Source: "list:" + filepath.Base(l.Path), OSMType: "facility", OSMID: int64(i + 1), Category: l.Category, Faith: l.Faith,
			Point: pt, Access: []orb.Point{pt}, Tags: map[string]string{}}
		if v, ok := f.Properties[l.field(l.NameField, "name")].(string); ok {
			p.Name = v
		}
		if v, ok := f.Properties[l.field(l.IDField, "id")]; ok && v != nil {
			p.Tags["list_id"] = fmt.Sprint(v)
		}
		out = append(out, p)
	}
	return out, nil
}

func geomName(g orb.Geometry) string {
	if g == nil {
		return "feature with no geometry"
	}
	return g.GeoJSONType()
}

// Duplicate distances: a list entry this close to an OSM place of the same
// category is the same place; up to the wider distance it is the same place
// when the names agree.
const (
	SameDistance     = 50.0  // metres
	SameNameDistance = 250.0 // metres
)

// MergeReport says what merging a list did.
type MergeReport struct {
	List              string
	Added, Duplicates int
	Replaced          int // OSM places dropped by a replacing list
}

// Merge combines OSM places with a facility list of one category. Replace
// drops the category's OSM places and keeps the list. Otherwise each list
// entry that matches an OSM place of the same category (within SameDistance,
// or within SameNameDistance with the same name once case, punctuation and
// common words are set aside) is a duplicate: the OSM place stays (its shape
// and entrances are better), taking the list's name if it had none; the
// other entries are added. Places are re-sorted and re-numbered.
func Merge(places []Place, list []Place, l FacilityList, cats []Category, probs *problem.List) ([]Place, MergeReport) {
	rep := MergeReport{List: l.Path}
	list = dedupe(list, l, probs)
	var out []Place
	if l.Replace {
		for _, p := range places {
			if p.Category == l.Category {
				rep.Replaced++
				continue
			}
			out = append(out, p)
		}
		out = append(out, list...)
		rep.Added = len(list)
	} else {
		out = append(out, places...)
		for _, q := range list {
			dup := -1
			best := math.Inf(1)
			for i := range out {
				p := &out[i]
				if p.Category != q.Category || p.Source == q.Source {
					continue
				}
				d := geo.Distance(p.Point, q.Point)
				same := d <= SameDistance || d <= SameNameDistance && q.Name != "" && sameName(p.Name, q.Name)
				if same && d < best {
					dup, best = i, d
				}
			}
			if dup >= 0 {
				rep.Duplicates++
				if out[dup].Name == "" {
					out[dup].Name = q.Name
				}
				if probs != nil {
					probs.Add(problem.Problem{Severity: problem.Warning, File: l.Path, Line: int(q.OSMID), Feature: q.Name,
						Message: fmt.Sprintf("same place as OpenStreetMap %s/%d (%.0f m away); kept once", out[dup].OSMType, out[dup].OSMID, best)})
				}
				continue
			}
			out = append(out, q)
			rep.Added++
		}
	}
	Sort(out, cats)
	return out, rep
}

// ListSameDistance is how close two rows of one list with the same name
// must be to be one facility listed twice (a copy-paste, or a join that
// doubled rows): "a few metres", as a geocoder repeats one address.
const ListSameDistance = 5.0 // metres

// dedupe keeps one of each group of rows of a list with the same name
// (case and surrounding spaces aside) within ListSameDistance of each
// other, and warns for every row merged away: counted twice, a facility
// would double its weight in gravity and cumulative measures.
func dedupe(list []Place, l FacilityList, probs *problem.List) []Place {
	type key struct{ x, y int64 }
	// Buckets of about 11 m: a duplicate lies in the same or a neighbouring one.
	cell := func(p orb.Point) key { return key{int64(math.Floor(p[0] * 1e4)), int64(math.Floor(p[1] * 1e4))} }
	buckets := map[key][]int{}
	out := list[:0:0]
	for _, q := range list {
		k := cell(q.Point)
		dup := -1
		for dx := int64(-1); dx <= 1 && dup < 0; dx++ {
			for dy := int64(-1); dy <= 1 && dup < 0; dy++ {
				for _, i := range buckets[key{k.x + dx, k.y + dy}] {
					p := out[i]
					if strings.EqualFold(strings.TrimSpace(p.Name), strings.TrimSpace(q.Name)) && geo.Distance(p.Point, q.Point) <= ListSameDistance {
						dup = i
						break
					}
				}
			}
		}
		if dup >= 0 {
			if probs != nil {
				probs.Add(problem.Problem{Severity: problem.Warning, File: l.Path, Line: int(q.OSMID), Feature: q.Name,
					Message: fmt.Sprintf("repeats entry %d (same name, %.1f m apart); counted once", out[dup].OSMID, geo.Distance(out[dup].Point, q.Point))})
			}
			continue
		}
		buckets[k] = append(buckets[k], len(out))
		out = append(out, q)
	}
	return out
}

// stopWords are left out when comparing names: "Dover Public Library" and
// "Dover Library" are one place.
var stopWords = map[string]bool{"the": true, "of": true, "and": true, "public": true, "library": true, "branch": true,
	"center": true, "centre": true, "community": true, "park": true, "church": true, "st": true, "saint": true}

// sameName compares names by their significant words.
func sameName(a, b string) bool {
	ka, kb := nameKey(a), nameKey(b)
	return ka != "" && ka == kb
}

func nameKey(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var keep []string
	for _, w := range words {
		if !stopWords[w] {
			keep = append(keep, w)
		}
	}
	sort.Strings(keep)
	return strings.Join(keep, " ")
}
