package study

import (
	"context"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/config"
	"commonground/internal/progress"
	"commonground/internal/testdata"
)

// cutWithoutBounds cuts a box out of the Delaware extract with osmium,
// which writes no bounding box into the header unless asked to
// (--set-bounds), as many extracts in the wild are.
func cutWithoutBounds(t *testing.T, box orb.Bound) string {
	t.Helper()
	osmium, err := exec.LookPath("osmium")
	if err != nil {
		t.Fatal("osmium (Debian osmium-tool) is needed to cut an extract without header bounds")
	}
	out := filepath.Join(t.TempDir(), "cut.osm.pbf")
	b := strings.Join([]string{num(box.Min[0]), num(box.Min[1]), num(box.Max[0]), num(box.Max[1])}, ",")
	if msg, err := exec.Command(osmium, "extract", "-b", b, testdata.DelawarePBF(t), "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("osmium extract: %v\n%s", err, msg)
	}
	info, err := exec.Command(osmium, "fileinfo", out).CombinedOutput()
	if err != nil {
		t.Fatalf("osmium fileinfo: %v\n%s", err, info)
	}
	if strings.Contains(string(info), "-75.") {
		t.Fatalf("the cut has header bounds after all:\n%s", info)
	}
	return out
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// TestEstimateWithoutHeaderBounds: the street-based estimate runs on a .pbf
// whose header has no bounding box (it used to find "no residential
// streets" at 0°, 0°), keeps its total and puts every person inside the cut.
func TestEstimateWithoutHeaderBounds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a small study")
	}
	box := orb.Bound{Min: orb.Point{-75.56, 39.14}, Max: orb.Point{-75.49, 39.18}} // central Dover
	pbf := cutWithoutBounds(t, box)
	cfg := filepath.Join(filepath.Dir(pbf), "dover.yaml")
	yaml := "name: Dover without header bounds\ninputs:\n  osm: " + pbf + "\n  estimate: {total: 20000}\n  admin_levels: []\noutput: {dir: out}\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), s, progress.New(io.Discard, true))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Population()-20000) > 1e-6 {
		t.Errorf("%.3f people, want 20,000", r.Population())
	}
	grown := orb.Bound{Min: orb.Point{box.Min[0] - 0.01, box.Min[1] - 0.01}, Max: orb.Point{box.Max[0] + 0.01, box.Max[1] + 0.01}}
	for _, c := range r.Alloc.Cells {
		if !grown.Contains(c.Center) {
			t.Fatalf("origin %s at %v lies outside the cut %v", c.ID, c.Center, box)
		}
	}
	if len(r.Alloc.Cells) < 50 {
		t.Errorf("only %d origins in central Dover", len(r.Alloc.Cells))
	}
}
