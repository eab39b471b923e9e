package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"commonground/internal/compare"
	"commonground/internal/testdata"
)

// TestCompareOneParameter runs the bundled example twice, the second time
// with a longer urban walking standard, and checks that compare names that
// one setting, finds the inputs identical, and sees fewer people underserved.
func TestCompareOneParameter(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Delaware example twice")
	}
	raw, err := os.ReadFile(filepath.Join(testdata.RepoRoot(), "datasets", "delaware", "study.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	base := strings.Replace(string(raw), "cell_size: 250", "cell_size: 500", 1)
	changed := strings.Replace(base, "urban: {mode: walk, minutes: 15}", "urban: {mode: walk, minutes: 20}", 1)
	if changed == base {
		t.Fatal("could not change the urban threshold in the example config")
	}
	var dirs []string
	for i, text := range []string{base, changed} {
		// The configs live beside the real one so its relative paths hold.
		cfg := filepath.Join(testdata.RepoRoot(), "datasets", "delaware", ".compare-test-"+string(rune('a'+i))+".yaml")
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(cfg)
		out := t.TempDir()
		if code, _, errOut := run("run", "--quiet", "--out", out, cfg); code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, code, errOut)
		}
		dirs = append(dirs, out)
	}
	code, out, errOut := run("compare", dirs[0], dirs[1])
	if code != 0 {
		t.Fatalf("compare: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Inputs (SHA-256):\n  the same files, byte for byte", "thresholds.urban.minutes: 15 -> 20", "Versions:\n  the same versions"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare output lacks %q:\n%s", want, out)
		}
	}
	a, _ := compare.Load(dirs[0])
	b, _ := compare.Load(dirs[1])
	d := compare.Runs(a, b)
	if len(d.Settings) != 1 {
		t.Errorf("%d settings differ, want 1: %+v", len(d.Settings), d.Settings)
	}
	for _, g := range d.Groups {
		if g.B > g.A {
			t.Errorf("%s: %v underserved with a 15-minute standard, %v with 20: a longer standard cannot add any", g.Group, g.A, g.B)
		}
	}
	if d.Groups[0].A == d.Groups[0].B {
		t.Errorf("a longer urban standard changed nothing: %+v", d.Groups)
	}
	// A run folder compared with itself is the same.
	_, same, _ := run("compare", dirs[0], dirs[0])
	if !strings.Contains(same, "The runs are the same.") {
		t.Errorf("a run compared with itself:\n%s", same)
	}
	if code, _, errOut := run("compare", dirs[0], t.TempDir()); code != 1 || !strings.Contains(errOut, "no manifest.json") {
		t.Errorf("compare with an empty folder: exit %d, %q", code, errOut)
	}
}
