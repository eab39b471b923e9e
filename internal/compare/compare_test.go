package compare

import (
	"bytes"
	"strings"
	"testing"
)

// TestMethodsDiffer: two runs that placed or classed people differently are
// flagged before anything else, key by key; runs made alike are not.
func TestMethodsDiffer(t *testing.T) {
	run := func(origins, remote string) *Run {
		return &Run{Dir: origins, Manifest: map[string]any{
			"methods": map[string]any{"origins": origins, "remoteness": remote, "urban_rule": "us-census-2010"},
		}}
	}
	cases := []struct {
		name string
		a, b *Run
		want []string
	}{
		{"origins", run("grid", "usda-far"), run("points", "usda-far"), []string{"origins: grid -> points"}},
		{"scheme", run("grid", "usda-far"), run("grid", "statcan-ir"), []string{"remoteness: usda-far -> statcan-ir"}},
		{"same", run("grid", "usda-far"), run("grid", "usda-far"), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Runs(c.a, c.b)
			var buf bytes.Buffer
			d.Write(&buf, 10)
			out := buf.String()
			if got := strings.Contains(out, "different methods"); got != (len(c.want) > 0) {
				t.Fatalf("methods flagged %v, want %v:\n%s", got, len(c.want) > 0, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if len(d.Methods) != len(c.want) {
				t.Errorf("%d method changes, want %d", len(d.Methods), len(c.want))
			}
		})
	}
}
