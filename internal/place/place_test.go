package place

import (
	"reflect"
	"strings"
	"testing"
)

func tags(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestMatcherDefaults(t *testing.T) {
	m, err := NewMatcher(DefaultCategories())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		tags map[string]string
		want string // "" = no match
	}{
		{"library", tags("amenity", "library", "name", "Dover Public Library"), "library"},
		{"private library excluded", tags("amenity", "library", "access", "private"), ""},
		{"access=no excluded", tags("leisure", "park", "access", "no"), ""},
		{"access=yes kept", tags("leisure", "park", "access", "yes"), "public_space"},
		{"plain community centre", tags("amenity", "community_centre"), "community"},
		{"youth centre before community", tags("amenity", "community_centre", "community_centre", "youth_centre"), "youth_senior"},
		{"senior community centre", tags("amenity", "community_centre", "community_centre:for", "senior"), "youth_senior"},
		{"semicolon list value", tags("amenity", "community_centre", "community_centre:for", "family; senior"), "youth_senior"},
		{"family centre stays community", tags("amenity", "community_centre", "community_centre:for", "family"), "community"},
		{"cultural centre is culture", tags("amenity", "community_centre", "community_centre", "cultural_centre"), "culture"},
		{"senior outreach", tags("amenity", "social_facility", "social_facility", "outreach", "social_facility:for", "senior"), "youth_senior"},
		{"nursing home is not a gathering place", tags("amenity", "social_facility", "social_facility", "nursing_home", "social_facility:for", "senior"), ""},
		{"outreach for homeless not youth_senior", tags("amenity", "social_facility", "social_facility", "outreach", "social_facility:for", "homeless"), ""},
		{"place of worship", tags("amenity", "place_of_worship", "religion", "christian"), "faith"},
		{"museum", tags("tourism", "museum"), "culture"},
		{"public garden", tags("leisure", "garden"), "public_space"},
		{"residential garden excluded", tags("leisure", "garden", "garden:type", "residential"), ""},
		{"pedestrian area", tags("highway", "pedestrian", "area", "yes"), "public_space"},
		{"pedestrian street is not a place", tags("highway", "pedestrian"), ""},
		{"townhall", tags("amenity", "townhall"), "community"},
		{"untagged", tags(), ""},
		{"value must match exactly", tags("amenity", "library_dropoff"), ""},
	}
	cats := m.Categories()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			i, ok := m.Match(c.tags)
			got := ""
			if ok {
				got = cats[i].Name
			}
			if got != c.want {
				t.Errorf("Match(%v) = %q, want %q", c.tags, got, c.want)
			}
		})
	}
}

func TestMatcherRules(t *testing.T) {
	cats := []Category{
		{Name: "a", Match: []string{"shop=* & name=X"}},
		{Name: "b", Match: []string{"shop=bakery|butcher", "craft=*"}},
		{Name: "c", Match: []string{"amenity=cafe & cuisine!=*"}},
	}
	m, err := NewMatcher(cats)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		tags map[string]string
		want int // -1 = no match
	}{
		{"and: both hold -> first category", tags("shop", "bakery", "name", "X"), 0},
		{"and: one fails -> next category", tags("shop", "bakery", "name", "Y"), 1},
		{"alternative values", tags("shop", "butcher"), 1},
		{"star value", tags("craft", "carpenter"), 1},
		{"value not in list", tags("shop", "florist"), -1},
		{"negated star: tag absent", tags("amenity", "cafe"), 2},
		{"negated star: tag present", tags("amenity", "cafe", "cuisine", "coffee"), -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := m.Match(c.tags)
			if !ok {
				got = -1
			}
			if got != c.want {
				t.Errorf("Match(%v) = %d, want %d", c.tags, got, c.want)
			}
		})
	}
}

func TestClassifyKeepsTags(t *testing.T) {
	m, err := NewMatcher(DefaultCategories())
	if err != nil {
		t.Fatal(err)
	}
	in := tags("amenity", "place_of_worship", "religion", "christian", "denomination", "methodist",
		"name", "Wesley", "building", "church", "addr:street", "Main St")
	cat, kept, ok := m.Classify(in)
	if !ok || m.Categories()[cat].Name != "faith" {
		t.Fatalf("Classify = %d %v, want faith", cat, ok)
	}
	want := tags("amenity", "place_of_worship", "religion", "christian", "denomination", "methodist", "name", "Wesley")
	if !reflect.DeepEqual(kept, want) {
		t.Errorf("kept = %v, want %v", kept, want)
	}
}

func TestValidateErrors(t *testing.T) {
	cases := []struct {
		name    string
		cat     Category
		wantErr string // substring; "" = valid
	}{
		{"valid", Category{Name: "x", Match: []string{"a=b & c=*", "d!=e|f & g=h"}}, ""},
		{"missing equals", Category{Name: "x", Match: []string{"amenity library"}}, `rule "amenity library"`},
		{"empty value", Category{Name: "x", Match: []string{"amenity="}}, "no value"},
		{"empty key", Category{Name: "x", Match: []string{"=library"}}, "bad key"},
		{"dangling and", Category{Name: "x", Match: []string{"amenity=library & "}}, "empty condition"},
		{"empty alternative", Category{Name: "x", Match: []string{"amenity=library||theatre"}}, "bad value list"},
		{"only negations", Category{Name: "x", Match: []string{"access!=private"}}, "at least one condition"},
		{"empty rule", Category{Name: "x", Match: []string{" "}}, "empty rule"},
		{"no rules", Category{Name: "x"}, "no match rules"},
		{"no name", Category{Label: "Libraries", Match: []string{"a=b"}}, "missing name"},
		{"bad name", Category{Name: "Public Space", Match: []string{"a=b"}}, "name may hold only"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.cat.Validate()
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("Validate() = %v, want error containing %q", err, c.wantErr)
			}
		})
	}
}

func TestNewMatcherErrors(t *testing.T) {
	if _, err := NewMatcher([]Category{{Name: "a", Match: []string{"x=y"}}, {Name: "a", Match: []string{"z=w"}}}); err == nil || !strings.Contains(err.Error(), "defined twice") {
		t.Errorf("duplicate name: err = %v", err)
	}
	if _, err := NewMatcher([]Category{{Name: "a", Match: []string{"x"}}}); err == nil || !strings.Contains(err.Error(), `rule "x"`) {
		t.Errorf("bad rule: err = %v", err)
	}
	for _, c := range DefaultCategories() {
		if err := c.Validate(); err != nil {
			t.Errorf("default category %s: %v", c.Name, err)
		}
	}
}

func TestSort(t *testing.T) {
	cats := []Category{{Name: "library"}, {Name: "faith"}}
	ps := []Place{
		{OSMType: "way", OSMID: 5, Category: "faith"},
		{OSMType: "relation", OSMID: 1, Category: "library"},
		{OSMType: "node", OSMID: 9, Category: "faith"},
		{OSMType: "way", OSMID: 2, Category: "library"},
		{OSMType: "way", OSMID: 1, Category: "library"},
	}
	Sort(ps, cats)
	var got []string
	for i, p := range ps {
		if int(p.ID) != i {
			t.Errorf("place %d has ID %d", i, p.ID)
		}
		got = append(got, p.Category+"/"+p.OSMType+"/"+string(rune('0'+p.OSMID)))
	}
	want := []string{"library/way/1", "library/way/2", "library/relation/1", "faith/node/9", "faith/way/5"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

func BenchmarkMatch(b *testing.B) {
	m, err := NewMatcher(DefaultCategories())
	if err != nil {
		b.Fatal(err)
	}
	in := tags("leisure", "park", "name", "Brandywine Park", "access", "yes")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := m.Match(in); !ok {
			b.Fatal("no match")
		}
	}
}

func TestRelevant(t *testing.T) {
	m, err := NewMatcher([]Category{
		{Name: "a", Match: []string{"highway=pedestrian & area=yes", "leisure=*", "garden:type!=private & amenity=x"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		key, value string
		want       bool
	}{
		{"highway", "pedestrian", true},
		{"highway", "residential", false},
		{"area", "yes", true},
		{"leisure", "anything", true},
		{"garden:type", "private", false}, // only in a negated condition
		{"name", "Park", false},
	}
	for _, c := range cases {
		t.Run(c.key+"="+c.value, func(t *testing.T) {
			if got := m.Relevant(c.key, c.value); got != c.want {
				t.Errorf("Relevant(%q, %q) = %v, want %v", c.key, c.value, got, c.want)
			}
		})
	}
}
