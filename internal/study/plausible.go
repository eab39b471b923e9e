package study

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"

	"commonground/internal/access"
	"commonground/internal/gap"
	"commonground/internal/output"
	"commonground/internal/place"
)

// WorldPopulation bounds any study's head count: 8.2 billion people (UN
// DESA, World Population Prospects 2024). A total above it is a wrong
// field or a unit error, never a study.
const WorldPopulation = 8.2e9

// The plausibility checks below run after the inputs are read and before
// any route is searched. Each guards against input that parses but is
// wrong, and that would otherwise come out as a confident report (every
// resident "underserved" because the population lies in another country).
// Each threshold is a key of config.Checks, so a deliberate exception can be
// allowed.

// popSource names the population input for messages.
func (r *Result) popSource() string {
	if p := r.Study.Inputs.Population; p != nil {
		return "population file " + p.Path
	}
	return "inputs.estimate"
}

// checkPopulation checks head counts, densities and where people lie
// against the street network's extent.
func (r *Result) checkPopulation() error {
	s := r.Study
	src := r.popSource()
	total := r.Population()
	if math.IsNaN(total) || math.IsInf(total, 0) || total > WorldPopulation {
		return fmt.Errorf("%s: the study holds %.3g people, more than live on Earth (%s): is pop_field the right column?", src, total, output.Thousands(WorldPopulation))
	}
	proj := r.Alloc.Grid.Proj
	maxD := s.Checks.MaxDensity
	switch {
	case len(r.Zones) > 0 && len(r.Zones[0].Geom) > 0:
		for _, z := range r.Zones {
			m2 := zoneAreaM2(z.Geom, proj)
			if m2 <= 0 {
				continue
			}
			if d := z.Pop / (m2 / 1e6); d > maxD {
				return fmt.Errorf("%s: zone %s holds %s people on %s km² (%s per km²), above checks.max_density_per_km2 (%s): is pop_field the right column, or is the zone's shape wrong?",
					src, z.ID, output.Num(z.Pop, 0), output.Num(m2/1e6, 3), output.Num(d, 0), output.Num(maxD, 0))
			}
		}
	case len(r.Zones) > 0:
		x, y, pop := make([]float64, len(r.Zones)), make([]float64, len(r.Zones)), make([]float64, len(r.Zones))
		for i, z := range r.Zones {
			q := proj.Forward(z.Point)
			x[i], y[i], pop[i] = q[0], q[1], z.Pop
		}
		dens := gap.Density(x, y, pop, 1000)
		worst := 0
		for i, d := range dens {
			if d > dens[worst] {
				worst = i
			}
		}
		if len(dens) > 0 && dens[worst] > maxD {
			return fmt.Errorf("%s: %s people live within 1 km of point %s (%s per km²), above checks.max_density_per_km2 (%s): is pop_field the right column?",
				src, output.Num(dens[worst]*math.Pi, 0), r.Zones[worst].ID, output.Num(dens[worst], 0), output.Num(maxD, 0))
		}
	}
	// People must lie where the streets are.
	b := r.Extract.Bounds
	pad := s.Travel.SnapMax / 111320 // metres to degrees of latitude; generous in longitude
	in := orb.Bound{Min: orb.Point{b.Min[0] - pad/max(math.Cos(b.Min[1]*math.Pi/180), 0.1), b.Min[1] - pad}, Max: orb.Point{b.Max[0] + pad/max(math.Cos(b.Max[1]*math.Pi/180), 0.1), b.Max[1] + pad}}
	var outside, swappedIn float64
	for _, c := range r.Alloc.Cells {
		if !in.Contains(c.Center) {
			outside += c.Pop
			if in.Contains(orb.Point{c.Center[1], c.Center[0]}) {
				swappedIn += c.Pop
			}
		}
	}
	if total > 0 && outside/total > s.Checks.MaxOffNetworkShare {
		return r.offNetwork(outside/total, swappedIn > outside/2, "lie outside the OpenStreetMap extract")
	}
	return nil
}

// checkSnapped checks, after origins are joined to the streets, that few
// people live beyond travel.snap_max of any street.
func (r *Result) checkSnapped(eng *access.Engine) error {
	total := r.Population()
	if total <= 0 {
		return nil
	}
	var off float64
	for i, c := range r.Alloc.Cells {
		_, okW := eng.OriginSnap(access.Walk, i)
		_, okD := eng.OriginSnap(access.Drive, i)
		if !okW && !okD {
			off += c.Pop
		}
	}
	if share := off / total; share > r.Study.Checks.MaxOffNetworkShare {
		return r.offNetwork(share, false, fmt.Sprintf("live more than %s m from any street", output.Num(r.Study.Travel.SnapMax, 0)))
	}
	return nil
}

// offNetwork words the error of a population that misses the streets,
// saying what probably happened.
func (r *Result) offNetwork(share float64, swapped bool, what string) error {
	pb := orb.MultiPoint{}
	for _, c := range r.Alloc.Cells {
		pb = append(pb, c.Center)
	}
	p, e := pb.Bound(), r.Extract.Bounds
	why := fmt.Sprintf("the population lies at longitude %.3f..%.3f, latitude %.3f..%.3f and the extract %s covers longitude %.3f..%.3f, latitude %.3f..%.3f: do both cover the same region?",
		p.Min[0], p.Max[0], p.Min[1], p.Max[1], r.Extract.Path, e.Min[0], e.Max[0], e.Min[1], e.Max[1])
	if swapped {
		why = "with latitude and longitude exchanged they would fall inside the extract: are the coordinates swapped (lat_field/lon_field, or x and y in the file)?"
	}
	return fmt.Errorf("%s: %s%% of the people %s, above checks.max_off_network_share (%s%%); %s",
		r.popSource(), output.Num(100*share, 1), what, output.Num(100*r.Study.Checks.MaxOffNetworkShare, 1), why)
}

// checkListedPlaces checks that the places of facility lists lie inside
// the study area and its buffer (with a study area), or within the buffer
// of the extract's box (without one). Depending on checks.places_outside
// one is an error naming the file and row, or is dropped with a note.
func (r *Result) checkListedPlaces() error {
	s := r.Study
	near, where := r.nearStudy()
	keep := r.Extract.Places[:0]
	dropped := 0
	for _, p := range r.Extract.Places {
		if !strings.HasPrefix(p.Source, "list:") || near(p.Point) {
			keep = append(keep, p)
			continue
		}
		if s.Checks.PlacesOutside == "error" {
			return fmt.Errorf("facility list %s:%d: %q at lat %.5f, lon %.5f lies outside %s and its %s km buffer (swapped coordinates, or another region?); set checks.places_outside: drop to leave such rows out",
				strings.TrimPrefix(p.Source, "list:"), p.OSMID, p.Name, p.Point[1], p.Point[0], where, output.Num(s.BufferKm(), 1))
		}
		dropped++
	}
	for i := range keep {
		keep[i].ID = place.ID(i)
	}
	r.Extract.Places = keep
	if dropped > 0 {
		r.note("%d places of facility lists lie outside %s and its buffer and are left out", dropped, where)
	}
	return nil
}

// nearStudy returns a test of whether a point lies in the study area or its
// buffer (without a study area: within the buffer of the extract's box),
// and the words for that area.
func (r *Result) nearStudy() (func(orb.Point) bool, string) {
	if r.Area != nil {
		return r.Area.Near, "the study area " + r.Area.Name
	}
	b := r.Extract.Bounds
	pad := r.Study.BufferKm() * 1000 / 111320
	box := orb.Bound{Min: orb.Point{b.Min[0] - 2*pad, b.Min[1] - pad}, Max: orb.Point{b.Max[0] + 2*pad, b.Max[1] + pad}}
	return box.Contains, "the extract's area"
}

// checkScenarioSites checks, before the analysis, that the places a
// scenario opens lie in the study area or its buffer: a site in another
// region (swapped coordinates, a copied file) is an error naming the file
// and entry.
func (r *Result) checkScenarioSites() error {
	s := r.Study
	if s.Scenario == "" {
		return nil
	}
	path, _ := s.Resolve(s.Scenario)
	f, err := r.readScenario(path)
	if err != nil {
		return err
	}
	near, where := r.nearStudy()
	for i, a := range f.Add {
		if !near(orb.Point{a.Lon, a.Lat}) {
			return fmt.Errorf("scenario %s: add[%d] (%s) at lat %.5f, lon %.5f lies outside %s and its %s km buffer: swapped coordinates, or another region?",
				s.Scenario, i, a.Name, a.Lat, a.Lon, where, output.Num(s.BufferKm(), 1))
		}
	}
	return nil
}
