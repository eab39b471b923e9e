package gap

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// PopCentre is a population centre that origins travel to: a town or city
// with its population, from OSM place nodes, a centres list, or a cluster
// of dense origins (see UrbanClusters). Centres beyond the study area count
// as much as those inside it: the remoteness schemes below measure travel
// to the nearest centres wherever they are.
type PopCentre struct {
	Name     string
	Lat, Lon float64
	Pop      float64
}

// Trip is one origin's drive to one population centre.
type Trip struct {
	Centre  int     // index into the centres slice given with the trips
	Minutes float64 // drive time
	// Km is the road distance. Schemes defined on road distance (ARIA+,
	// the Index of Remoteness) use it when it is above 0, and otherwise
	// convert Minutes at the speed each scheme documents.
	Km float64
}

// Assessment is what a remoteness scheme says about one origin.
type Assessment struct {
	Remote bool    // the scheme's remote classes
	Score  float64 // the scheme's own index (FAR level, ARIA+ score, IR)
	Label  string  // the scheme's own class name ("Outer Regional", "FAR level 2", ...)
}

// Remoteness is a published remoteness scheme with fixed national
// references: it classes one origin from its own trips to population
// centres and nothing else, so no origin's class depends on which other
// origins are in the study.
type Remoteness interface {
	// Name is the scheme's config name.
	Name() string
	// Assess classes an origin from its drive trips to centres. Centres
	// it has no trip to count as unreachable.
	Assess(trips []Trip, centres []PopCentre) Assessment
}

// Combine gives each origin its class: urban when the urban rule says so
// (see UrbanClusters), else remote when its remoteness assessment says so,
// else rural.
func Combine(urban []bool, remote []Assessment) []Class {
	out := make([]Class, len(urban))
	for i := range urban {
		switch {
		case urban[i]:
			out[i] = Urban
		case remote[i].Remote:
			out[i] = Remote
		default:
			out[i] = Rural
		}
	}
	return out
}

// SchemeKind says what a named scheme decides.
type SchemeKind uint8

// The kinds of scheme.
const (
	UrbanKind    SchemeKind = iota // an urban density rule
	RemoteKind                     // a remoteness scheme
	OfficialKind                   // classes read from an area-level table
)

// SchemeInfo describes one named scheme of the registry.
type SchemeInfo struct {
	Name     string
	Kind     SchemeKind
	Standard string // the publication that defines it
}

// schemes is the registry: the names config uses.
var schemes = []SchemeInfo{
	{"us-census-2010", UrbanKind, "US Census Bureau, Urban Area Criteria for the 2010 Census, 76 FR 53030 (2011)"},
	{"us-census-2020", UrbanKind, "US Census Bureau, Urban Area Criteria for the 2020 Census, 87 FR 16706 (2022)"},
	{"statcan-popctr", UrbanKind, "Statistics Canada, population centre (Census Dictionary 2021)"},
	{"statcan-ir", RemoteKind, "Statistics Canada Index of Remoteness (Alasia et al. 2017) with the classes of Subedi et al. 2020"},
	{"aria-plus", RemoteKind, "ARIA+, Accessibility/Remoteness Index of Australia (GISCA; ABS Remoteness Areas)"},
	{"usda-far", RemoteKind, "USDA ERS Frontier and Remote Area codes (2010-based)"},
	{"official", OfficialKind, "an official area-level class table (RUCA codes, Index of Remoteness by CSD, any code -> class)"},
}

// Schemes lists the known schemes in registry order.
func Schemes() []SchemeInfo { return append([]SchemeInfo(nil), schemes...) }

// Scheme looks a scheme up by its config name. An unknown name is an error
// that lists the known ones.
func Scheme(name string) (SchemeInfo, error) {
	for _, s := range schemes {
		if s.Name == name {
			return s, nil
		}
	}
	names := make([]string, len(schemes))
	for i, s := range schemes {
		names[i] = s.Name
	}
	return SchemeInfo{}, fmt.Errorf("unknown classification scheme %q (known: %s)", name, strings.Join(names, ", "))
}

// UrbanRuleByName returns the urban density rule of that name.
func UrbanRuleByName(name string) (UrbanRule, error) {
	s, err := Scheme(name)
	if err != nil {
		return UrbanRule{}, fmt.Errorf("unknown urban rule %q (known: %s)", name, namesOf(UrbanKind))
	}
	switch s.Name {
	case "us-census-2010":
		return USCensus2010, nil
	case "us-census-2020":
		return USCensus2020, nil
	case "statcan-popctr":
		return StatCanPopCentre, nil
	}
	return UrbanRule{}, fmt.Errorf("classification scheme %q is not an urban density rule (those are us-census-2010, us-census-2020, statcan-popctr)", name)
}

// RemotenessByName returns the remoteness scheme of that name with its
// published defaults. ARIA+ needs its national mean distances (see
// ARIAPlus), which the caller sets on the returned value.
func RemotenessByName(name string) (Remoteness, error) {
	s, err := Scheme(name)
	if err != nil {
		return nil, fmt.Errorf("unknown remoteness scheme %q (known: %s)", name, namesOf(RemoteKind))
	}
	switch s.Name {
	case "statcan-ir":
		return StatCanIR2021(), nil
	case "aria-plus":
		return &ARIAPlus{}, nil
	case "usda-far":
		return FAR{RemoteLevel: 1}, nil
	}
	return nil, fmt.Errorf("classification scheme %q is not a remoteness scheme (those are statcan-ir, aria-plus, usda-far)", name)
}

// nearestByBand returns, for each lower population bound, the least value
// of cost(trip) over trips to centres of at least that many people (+Inf
// when there is none): a larger centre offers what a smaller one does.
func nearestByBand(trips []Trip, centres []PopCentre, bounds []float64, cost func(Trip) float64) []float64 {
	out := make([]float64, len(bounds))
	for k := range out {
		out[k] = math.Inf(1)
	}
	for _, t := range trips {
		c := cost(t)
		if math.IsNaN(c) {
			continue
		}
		p := centres[t.Centre].Pop
		for k, b := range bounds {
			if p >= b && c < out[k] {
				out[k] = c
			}
		}
	}
	return out
}

// sortedKeys returns a map's keys in order, for reproducible messages.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func nan() float64 { return math.NaN() }

// namesOf lists the registry's names of one kind, for messages.
func namesOf(k SchemeKind) string {
	var out []string
	for _, s := range schemes {
		if s.Kind == k {
			out = append(out, s.Name)
		}
	}
	return strings.Join(out, ", ")
}
