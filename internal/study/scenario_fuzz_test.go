package study

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"commonground/internal/config"
	"commonground/internal/place"
	"commonground/internal/testdata"
)

// FuzzReadScenario feeds arbitrary YAML to the scenario reader, seeded with
// the Delaware scenario: no panic, an error is one line naming the file and
// free of Go type names, an accepted scenario adds places of the study's
// categories at points on Earth.
func FuzzReadScenario(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join(testdata.RepoRoot(), "datasets", "delaware", "scenario.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("add:\n  - {name: x, category: library, lat: abc, lon: 1}\n"))
	f.Add([]byte("add:\n  - {name: x, category: library, lat: 1, lon: 2, size: 3}\n"))
	s := config.Defaults()
	s.Categories = place.DefaultCategories()
	r := &Result{Study: &s}
	path := filepath.Join(f.TempDir(), "scenario.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		os.WriteFile(path, data, 0o644)
		sf, err := r.readScenario(path)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, path) || strings.Contains(msg, "study.Scenario") || strings.Contains(msg, "float64") {
				t.Fatalf("error not one plain line naming the file: %q", msg)
			}
			return
		}
		for _, a := range sf.Add {
			if r.catIndex(a.Category) < 0 || !(math.Abs(a.Lat) <= 90) || !(math.Abs(a.Lon) <= 180) {
				t.Fatalf("accepted %+v", a)
			}
		}
	})
}
