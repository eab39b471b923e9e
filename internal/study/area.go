package study

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/paulmach/orb"

	"commonground/internal/osmread"
	"commonground/internal/output"
	"commonground/internal/place"
	"commonground/internal/population"
	"commonground/internal/region"
	"commonground/internal/street"
)

// studyArea resolves the configured boundary (an OSM admin boundary of the
// extract, or a GeoJSON polygon file) and keeps, of the extract, only the
// places and stops inside it or its buffer and the streets whose box meets
// the buffered box. Without a study_area key it does nothing: the study area
// is then every origin the population input gives.
func (r *Result) studyArea() error {
	s := r.Study
	if s.Area == nil {
		return nil
	}
	var mp orb.MultiPolygon
	var name string
	if s.Area.Path != "" {
		path, _ := s.Resolve(s.Area.Path)
		if err := r.addInput("study area boundary", s.Area.Path, path); err != nil {
			return err
		}
		var err error
		if mp, err = region.ReadBoundary(path); err != nil {
			return fmt.Errorf("study_area.path: %w", err)
		}
		name = s.Area.Path
	} else {
		b, err := findBoundary(r.Extract.Boundaries, s.Area.OSMName, s.Area.AdminLevel, r.Extract.Path)
		if err != nil {
			return err
		}
		mp = b.Geom
		name = fmt.Sprintf("%s (OpenStreetMap relation %d, admin_level %s)", b.Name, b.OSMID, b.AdminLevel)
	}
	a, err := region.NewArea(name, mp, s.BufferKm()*1000)
	if err != nil {
		return err
	}
	r.Area = a
	ex := r.Extract
	places := ex.Places[:0]
	dropped := 0
	for _, p := range ex.Places {
		if a.Near(p.Point) {
			p.ID = place.ID(len(places))
			places = append(places, p)
		} else {
			dropped++
		}
	}
	ex.Places = places
	stops := ex.Stops[:0]
	for _, st := range ex.Stops {
		if a.Near(st.Point) {
			stops = append(stops, st)
		}
	}
	ex.Stops = stops
	outer := a.OuterBound()
	ways := ex.Ways[:0]
	for _, w := range ex.Ways {
		if wayMeets(w, outer) {
			ways = append(ways, w)
		}
	}
	ex.Ways = ways
	r.note("study area: %s, %s km² inside the boundary; streets and places within %s km of it count (%d places farther out are left out)",
		name, output.Num(a.AreaKm2(), 0), output.Num(a.BufferM/1000, 1), dropped)
	return nil
}

// Streets reads the street ways of a plain run or a merge again, as the
// run kept them for its networks (its ways near the study area): a run lets
// them go once its networks are built. It fails when the map gives another
// number of ways than the run had.
func (r *Result) Streets(ctx context.Context) ([]street.Way, error) {
	path, err := r.Study.Resolve(r.Study.Inputs.OSM)
	if err != nil {
		return nil, fmt.Errorf("inputs.osm: %w", err)
	}
	ex, err := osmread.Read(ctx, path, osmread.Options{})
	if err != nil {
		return nil, err
	}
	ways := ex.Ways
	if r.Area != nil {
		ways = ways[:0]
		for _, w := range ex.Ways {
			if wayMeets(w, r.Area.OuterBound()) {
				ways = append(ways, w)
			}
		}
	}
	if len(ways) != r.StreetWays {
		return nil, fmt.Errorf("%s: %d street ways now, %d when the study ran: has the map changed?", path, len(ways), r.StreetWays)
	}
	return ways, nil
}

// wayMeets reports whether any point of the way lies in b.
func wayMeets(w street.Way, b orb.Bound) bool {
	for _, p := range w.Points {
		if b.Contains(p) {
			return true
		}
	}
	return false
}

// findBoundary picks the one boundary of the extract with the given name
// (case folded) at the given admin level.
func findBoundary(bs []osmread.Boundary, name, level, file string) (osmread.Boundary, error) {
	var hits []osmread.Boundary
	var names []string
	for _, b := range bs {
		if b.AdminLevel != level {
			continue
		}
		names = append(names, b.Name)
		if strings.EqualFold(strings.TrimSpace(b.Name), strings.TrimSpace(name)) {
			hits = append(hits, b)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		sort.Strings(names)
		if len(names) > 12 {
			names = append(names[:12], "...")
		}
		have := "none"
		if len(names) > 0 {
			have = strings.Join(names, ", ")
		}
		return osmread.Boundary{}, fmt.Errorf("study_area: %s has no complete admin_level=%s boundary named %q (those it has: %s)", file, level, name, have)
	default:
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = fmt.Sprintf("relation %d", h.OSMID)
		}
		return osmread.Boundary{}, fmt.Errorf("study_area: %s has %d admin_level=%s boundaries named %q (%s): give a boundary file (study_area.path) instead", file, len(hits), level, name, strings.Join(ids, ", "))
	}
}

// keepInside drops the population zones that lie outside the study area: a
// point outside the boundary, or a polygon whose point on surface (a point
// GEOS guarantees to be inside the polygon) is outside it. A census zone is
// kept or dropped whole, so its count is never cut.
func (r *Result) keepInside(zones []population.Zone) ([]population.Zone, error) {
	if r.Area == nil {
		return zones, nil
	}
	var out []population.Zone
	var lost float64
	n, swapped := 0, 0
	for _, z := range zones {
		pt := z.Point
		if len(z.Geom) > 0 {
			var err error
			if pt, err = region.PointOnSurface(z.Geom); err != nil {
				return nil, fmt.Errorf("population zone %s: %w", z.ID, err)
			}
		}
		if r.Area.Contains(pt) {
			out = append(out, z)
		} else {
			n++
			lost += z.Pop
			if r.Area.Contains(orb.Point{pt[1], pt[0]}) {
				swapped++
			}
		}
	}
	if len(out) == 0 {
		why := "do the population file and the boundary cover the same place?"
		if 2*swapped > n {
			why = "with latitude and longitude exchanged most would fall inside it: are the coordinates swapped (lat_field/lon_field, or x and y in the file)?"
		}
		return nil, fmt.Errorf("%s: no population zone lies inside the study area %s; %s", r.popSource(), r.Area.Name, why)
	}
	if n > 0 {
		r.note("%d population zones (%s people) lie outside the study area %s and are left out", n, output.Num(lost, 0), r.Area.Name)
	}
	return out, nil
}

// controlZones makes the street-based estimate use what the extract knows
// of where people live: each town of the study area with a population tag
// (OSM place=city, town or village, whose tags usually carry a census
// count) whose municipal boundary is in the extract (same name, at the
// finest configured admin level, holding the town's node) keeps that many
// people inside its boundary; the rest of the total goes to the rest of
// the study area. Residential street length still places people within
// each part. Spreading a state's total over its street length alone gives
// a dense old city with short streets far too few people (Wilmington, 72,826
// by its tag, got about 27,000). It returns nil, and the plain estimate
// runs, when no town qualifies or the towns hold more than the total.
func (r *Result) controlZones(total float64) ([]population.Zone, error) {
	if r.Area == nil || len(r.Study.Inputs.AdminLevels) == 0 {
		return nil, nil
	}
	finest := ""
	for _, l := range r.Study.Inputs.AdminLevels {
		if finest == "" || levelNum(l.Level) > levelNum(finest) {
			finest = l.Level
		}
	}
	var bs []osmread.Boundary
	for _, b := range r.Extract.Boundaries {
		if b.AdminLevel == finest {
			bs = append(bs, b)
		}
	}
	if len(bs) == 0 {
		return nil, nil
	}
	mps := make([]orb.MultiPolygon, len(bs))
	for i, b := range bs {
		mps[i] = b.Geom
	}
	set, err := region.NewSet(mps)
	if err != nil {
		return nil, err
	}
	defer set.Destroy()
	used := map[int]bool{}
	var zones []population.Zone
	var holes []orb.MultiPolygon
	var sum float64
	for _, t := range r.Extract.Towns {
		if t.Population <= 0 || !r.Area.Contains(t.Point) {
			continue
		}
		k := set.Locate(t.Point)
		if k < 0 || used[k] || !strings.EqualFold(strings.TrimSpace(bs[k].Name), strings.TrimSpace(t.Name)) {
			continue
		}
		used[k] = true
		zones = append(zones, population.Zone{ID: fmt.Sprintf("osm:relation/%d", bs[k].OSMID), Name: t.Name, Pop: float64(t.Population), Geom: bs[k].Geom})
		holes = append(holes, bs[k].Geom)
		sum += float64(t.Population)
	}
	if len(zones) == 0 {
		return nil, nil
	}
	if sum >= total {
		r.note("the towns' population tags add to %s, not less than the estimate's total %s, so they are not used as control totals", output.Num(sum, 0), output.Num(total, 0))
		return nil, nil
	}
	rest, err := region.Subtract(r.Area.Boundary, holes)
	if err != nil {
		return nil, fmt.Errorf("study area less its towns: %w", err)
	}
	if len(rest) == 0 {
		// The towns cover the whole study area: the rest of the total
		// would have nowhere to go.
		return nil, nil
	}
	zones = append(zones, population.Zone{ID: "rest", Name: "rest of the study area", Pop: total - sum, Geom: rest})
	r.note("population estimate: %d towns keep their OpenStreetMap population tags as control totals (%s people in all); the other %s people are spread along the residential streets of the rest of the study area", len(zones)-1, output.Num(sum, 0), output.Num(total-sum, 0))
	return zones, nil
}

// levelNum reads an admin_level as a number (0 when it is not one).
func levelNum(l string) int {
	n := 0
	for _, c := range l {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
