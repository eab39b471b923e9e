// Package place defines the places people gather in (libraries, community
// and youth or senior centres, places of worship, cultural venues, parks and
// squares), the categories they fall into, and the OpenStreetMap tag rules
// that decide a feature's category.
//
// Categories are data, not code: a run may load its own from YAML, so a city
// can add a local kind of hall without a new release. DefaultCategories holds
// the rules this project ships, each justified against the OSM wiki.
package place

import (
	"fmt"
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

// ID is the index of a place in a run's sorted place list; a typed index keeps
// places apart from stops, cells and nodes that are also counted from zero.
type ID int32

// Category is one kind of gathering place and the tag rules that find it.
//
// Match rules are any-of. A rule is one condition or several joined by " & "
// that must all hold. A condition is
//
//	key=value         the tag has this value
//	key=v1|v2         the tag has one of these values
//	key=*             the tag is present with any value
//	key!=v1|v2        the tag is absent or has none of these values
//	key!=*            the tag is absent
//
// A tag holding a semicolon list ("senior;juvenile", as OSM writes several
// values) matches when any item of the list matches.
type Category struct {
	Name  string   `yaml:"name" json:"name"`   // machine name: library, community, faith, ...
	Label string   `yaml:"label" json:"label"` // human label: "Libraries"
	Faith bool     `yaml:"faith" json:"faith"` // places of worship: every analysis can be run with and without them
	Match []string `yaml:"match" json:"match"` // OSM tag rules, any-of
}

// Place is one gathering place, reduced to what access analysis needs: where
// it is, where people get in, and enough tags to name and describe it.
type Place struct {
	ID       ID
	Source   string // "osm" (later "facility list")
	OSMType  string // "node", "way", "relation"
	OSMID    int64
	Name     string
	Category string
	Faith    bool
	// Point is a representative point inside the shape (GEOS point-on-surface
	// for ways and relations, so it is never in a park's hole or outside a
	// crescent), lon/lat.
	Point orb.Point
	// Access lists where people enter: [Point] for small places; for large
	// areas, points along the outer boundary, because large parks are reached
	// at their edge, not their centre.
	Access []orb.Point
	AreaM2 float64           // 0 for nodes
	Tags   map[string]string // only the tags that matter: see Matcher.Classify
}

// DefaultCategories returns the shipped categories in match order. Order
// matters because a feature gets the first category whose rule matches:
// targeted centres (youth, senior) and cultural centres come before the
// general community category so they are not swallowed by it.
//
// The rules follow the OSM wiki pages of each tag:
//   - library: amenity=library.
//   - youth_senior: the wiki's community_centre=youth_centre and
//     community_centre:for=senior|juvenile|child (Key:community_centre), and
//     non-residential social facilities for those groups:
//     social_facility=outreach ("wellness programs or leisure activities",
//     how US senior centres are usually tagged) and social_facility=day_care
//     for seniors. Residential homes (nursing_home, group_home,
//     assisted_living) are homes, not places a neighbourhood gathers in, and
//     are left out.
//   - culture: amenity=arts_centre, amenity=theatre, tourism=museum and the
//     wiki's community_centre=cultural_centre|international_centre.
//   - community: amenity=community_centre, amenity=social_centre, and
//     amenity=townhall, which the wiki defines as "a community administrative
//     center or meeting place" also used for village halls; in small US towns
//     the town hall is often the only public meeting room. Left out on
//     purpose: amenity=events_venue (rented, often commercial), club=*
//     (members only), amenity=social_facility in general (services, not
//     gathering).
//   - faith: amenity=place_of_worship; Faith is set so every analysis can be
//     run with and without them.
//   - public_space: leisure=park, leisure=garden unless garden:type is
//     residential or private, place=square, pedestrian areas
//     (highway=pedestrian & area=yes) and landuse=village_green. leisure=common
//     is left out: the wiki deprecates it (it states a legal status, not a use).
//
// Every category, default or not, excludes access=private and access=no:
// a place people may not enter is not a place they can gather in.
func DefaultCategories() []Category {
	return []Category{
		{Name: "library", Label: "Libraries", Match: []string{"amenity=library"}},
		{Name: "youth_senior", Label: "Youth and senior centres", Match: []string{
			"amenity=community_centre & community_centre=youth_centre",
			"amenity=community_centre & community_centre:for=senior|juvenile|child",
			"amenity=social_facility & social_facility=outreach & social_facility:for=senior|juvenile|child",
			"amenity=social_facility & social_facility=day_care & social_facility:for=senior",
		}},
		{Name: "culture", Label: "Arts and culture", Match: []string{
			"amenity=arts_centre",
			"amenity=theatre",
			"tourism=museum",
			"amenity=community_centre & community_centre=cultural_centre|international_centre",
		}},
		{Name: "community", Label: "Community centres and halls", Match: []string{
			"amenity=community_centre",
			"amenity=social_centre",
			"amenity=townhall",
		}},
		{Name: "faith", Label: "Places of worship", Faith: true, Match: []string{"amenity=place_of_worship"}},
		{Name: "public_space", Label: "Parks and public spaces", Match: []string{
			"leisure=park",
			"leisure=garden & garden:type!=residential|private",
			"place=square",
			"highway=pedestrian & area=yes",
			"landuse=village_green",
		}},
	}
}

// condition is one parsed "key=value" test of a rule.
type condition struct {
	key    string
	values []string // nil means "*"
	negate bool
}

func (c condition) holds(tags map[string]string) bool {
	v, ok := tags[c.key]
	hit := ok && (c.values == nil || valueIn(v, c.values))
	return hit != c.negate
}

// valueIn reports whether v, or any item of v as a semicolon list, is one of
// want.
func valueIn(v string, want []string) bool {
	for _, w := range want {
		if v == w {
			return true
		}
	}
	if !strings.Contains(v, ";") {
		return false
	}
	for _, item := range strings.Split(v, ";") {
		item = strings.TrimSpace(item)
		for _, w := range want {
			if item == w {
				return true
			}
		}
	}
	return false
}

// parseRule splits a rule into conditions; errors say what is wrong with it.
func parseRule(rule string) ([]condition, error) {
	if strings.TrimSpace(rule) == "" {
		return nil, fmt.Errorf("empty rule")
	}
	var conds []condition
	for _, part := range strings.Split(rule, "&") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("empty condition around %q", "&")
		}
		i := strings.Index(part, "=")
		if i < 0 {
			return nil, fmt.Errorf("condition %q has no %q: write key=value, key=* or key!=value", part, "=")
		}
		key, val := strings.TrimSpace(part[:i]), strings.TrimSpace(part[i+1:])
		c := condition{}
		if strings.HasSuffix(key, "!") {
			c.negate = true
			key = strings.TrimSpace(strings.TrimSuffix(key, "!"))
		}
		if key == "" || strings.ContainsAny(key, " =|*!") {
			return nil, fmt.Errorf("condition %q has a bad key %q", part, key)
		}
		if val == "" {
			return nil, fmt.Errorf("condition %q has no value: use key=* for any value", part)
		}
		c.key = key
		if val != "*" {
			for _, v := range strings.Split(val, "|") {
				v = strings.TrimSpace(v)
				if v == "" || v == "*" || strings.Contains(v, "=") {
					return nil, fmt.Errorf("condition %q has a bad value list %q", part, val)
				}
				c.values = append(c.values, v)
			}
		}
		conds = append(conds, c)
	}
	positive := false
	for _, c := range conds {
		positive = positive || !c.negate
	}
	if !positive {
		return nil, fmt.Errorf("rule needs at least one condition without %q, or it would match almost every feature", "!=")
	}
	return conds, nil
}

// Validate checks the category's name and rules, so a bad categories file
// fails at load time with the rule named rather than silently matching
// nothing.
func (c Category) Validate() error {
	if c.Name == "" {
		return fmt.Errorf("category %q: missing name", c.Label)
	}
	for _, r := range c.Name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return fmt.Errorf("category %q: name may hold only a-z, 0-9 and _", c.Name)
		}
	}
	if len(c.Match) == 0 {
		return fmt.Errorf("category %q: no match rules", c.Name)
	}
	for _, rule := range c.Match {
		if _, err := parseRule(rule); err != nil {
			return fmt.Errorf("category %q: rule %q: %w", c.Name, rule, err)
		}
	}
	return nil
}

// Matcher assigns categories to tagged features. Rules are parsed once, so
// matching the hundreds of thousands of tagged features of a region is cheap.
type Matcher struct {
	cats  []Category
	rules []matcherRule          // in category order, then rule order
	keys  map[string][]condition // positive conditions by key
}

type matcherRule struct {
	cat   int
	conds []condition
}

// excluded is the rule every category shares: features people may not enter.
var excluded = condition{key: "access", values: []string{"private", "no"}}

// keptKeys are the tags a Place carries besides those its rule tested: what a
// report shows about a place.
var keptKeys = []string{"name", "religion", "denomination", "opening_hours", "wheelchair", "website"}

// NewMatcher validates cats and prepares them for matching. Category names
// must be unique, since places are grouped by them.
func NewMatcher(cats []Category) (*Matcher, error) {
	m := &Matcher{cats: append([]Category(nil), cats...), keys: map[string][]condition{}}
	seen := map[string]bool{}
	for i, c := range cats {
		if err := c.Validate(); err != nil {
			return nil, err
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("category %q: defined twice", c.Name)
		}
		seen[c.Name] = true
		for _, rule := range c.Match {
			conds, _ := parseRule(rule) // validated above
			m.rules = append(m.rules, matcherRule{cat: i, conds: conds})
			for _, cd := range conds {
				if !cd.negate {
					m.keys[cd.key] = append(m.keys[cd.key], cd)
				}
			}
		}
	}
	return m, nil
}

// Categories returns the categories in match order.
func (m *Matcher) Categories() []Category { return append([]Category(nil), m.cats...) }

// Relevant reports whether the tag key=value meets a condition some rule
// requires. A feature with no relevant tag matches nothing, so readers call
// it to skip the many streets and untagged nodes of a region without
// building a tag map for each. It is safe for concurrent use.
func (m *Matcher) Relevant(key, value string) bool {
	for _, c := range m.keys[key] {
		if c.values == nil || valueIn(value, c.values) {
			return true
		}
	}
	return false
}

// Match returns the index of the first category, in order, one of whose rules
// matches tags. Features tagged access=private or access=no match nothing.
func (m *Matcher) Match(tags map[string]string) (cat int, ok bool) {
	r := m.match(tags)
	if r < 0 {
		return -1, false
	}
	return m.rules[r].cat, true
}

// Classify is Match that also returns the tags a Place keeps: name, religion,
// denomination, opening_hours, wheelchair, website, and the tags the matching
// rule tested that are present, so a reader can see why it was counted.
func (m *Matcher) Classify(tags map[string]string) (cat int, kept map[string]string, ok bool) {
	r := m.match(tags)
	if r < 0 {
		return -1, nil, false
	}
	kept = map[string]string{}
	for _, k := range keptKeys {
		if v, ok := tags[k]; ok {
			kept[k] = v
		}
	}
	for _, c := range m.rules[r].conds {
		if v, ok := tags[c.key]; ok {
			kept[c.key] = v
		}
	}
	return m.rules[r].cat, kept, true
}

func (m *Matcher) match(tags map[string]string) int {
	if excluded.holds(tags) {
		return -1
	}
rules:
	for i, r := range m.rules {
		for _, c := range r.conds {
			if !c.holds(tags) {
				continue rules
			}
		}
		return i
	}
	return -1
}

// typeRank orders OSM element types as OSM files do: nodes, ways, relations.
func typeRank(t string) int {
	switch t {
	case "node":
		return 0
	case "way":
		return 1
	case "relation":
		return 2
	}
	return 3
}

// Sort orders places by category (in the order of cats), then OSM type (node,
// way, relation), then OSM id, and sets each ID to its index, so the same
// input always yields the same IDs. Places of unknown category go last.
func Sort(places []Place, cats []Category) {
	rank := map[string]int{}
	for i, c := range cats {
		rank[c.Name] = i
	}
	catRank := func(name string) int {
		if r, ok := rank[name]; ok {
			return r
		}
		return len(cats)
	}
	sort.SliceStable(places, func(i, j int) bool {
		a, b := places[i], places[j]
		if ra, rb := catRank(a.Category), catRank(b.Category); ra != rb {
			return ra < rb
		}
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		if ra, rb := typeRank(a.OSMType), typeRank(b.OSMType); ra != rb {
			return ra < rb
		}
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.OSMID < b.OSMID
	})
	for i := range places {
		places[i].ID = ID(i)
	}
}
