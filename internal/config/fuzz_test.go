package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"commonground/internal/testdata"
)

// FuzzParse feeds arbitrary YAML to the study config parser, seeded with the
// real example configs: it must not panic, an error is one line naming the
// file, and an accepted config holds values in range.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"delaware/study.yaml", "delaware/tracts.yaml", "porto-alegre/study.yaml"} {
		b, err := os.ReadFile(filepath.Join(testdata.RepoRoot(), "datasets", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(base))
	f.Add([]byte(strings.Replace(base, "cell_size: 250", "cell_size: 250.5", 1)))
	f.Add([]byte("name: [\n"))
	dir := f.TempDir()
	for _, name := range []string{"data.osm.pbf", "tracts.geojson"} {
		os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644)
	}
	path := filepath.Join(dir, "study.yaml")
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := Parse(path, raw)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
				t.Fatalf("error not one line naming the file: %q", msg)
			}
			return
		}
		if s.Name == "" || s.Grid.CellSize <= 0 || !(s.Travel.WalkKmh > 0) || s.Ranking.Top < 0 || len(s.Categories) == 0 {
			t.Fatalf("accepted a config out of range: name %q, cell %v, walk %v, top %d, %d categories",
				s.Name, s.Grid.CellSize, s.Travel.WalkKmh, s.Ranking.Top, len(s.Categories))
		}
	})
}
