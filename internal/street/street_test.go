package street

import "testing"

func TestTags(t *testing.T) {
	tags := TagsOf(map[string]string{"oneway": "yes", "highway": "residential", "maxspeed": ""})
	if tags[0].Key != "highway" || tags[1].Key != "maxspeed" || tags[2].Key != "oneway" {
		t.Errorf("TagsOf does not order by key: %v", tags)
	}
	w := Way{Tags: tags}
	if w.Highway() != "residential" || !w.Residential() {
		t.Errorf("Highway %q, Residential %v; want residential, true", w.Highway(), w.Residential())
	}
	if v, ok := tags.Lookup("maxspeed"); !ok || v != "" {
		t.Errorf(`Lookup("maxspeed") = %q, %v; want "", true (present and empty)`, v, ok)
	}
	if v, ok := tags.Lookup("access"); ok || v != "" {
		t.Errorf(`Lookup("access") = %q, %v; want "", false`, v, ok)
	}
	// A key given twice: the last counts, as filling a map in order would.
	twice := Tags{{"highway", "service"}, {"highway", "residential"}}
	if got := twice.Get("highway"); got != "residential" {
		t.Errorf("Get of a repeated key = %q, want the last value, residential", got)
	}
}
