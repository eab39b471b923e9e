package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"commonground/internal/output"
	"commonground/internal/testdata"
)

// smallStudy writes a config of central Porto Alegre (no transit) with the
// given cell size, writing into dir/out; it runs in about a second.
func smallStudy(t *testing.T, dir, name string, cell int) string {
	t.Helper()
	text := "name: kill test\ninputs:\n" +
		"  osm: " + testdata.Shared(t, "porto-alegre/poa_osm.pbf") + "\n" +
		"  population: {path: " + testdata.Shared(t, "porto-alegre/poa_hexgrid.csv") + ", id_field: id, pop_field: population}\n" +
		"  facilities:\n    - {path: " + testdata.Shared(t, "porto-alegre/poa_points_of_interest.csv") + ", category: landmark, mode: replace, name_field: id}\n" +
		"  admin_levels: []\n" +
		"categories:\n  - {name: landmark, label: City landmarks, match: [\"tourism=attraction & commonground=landmark\"]}\n" +
		"ranking: {category: landmark, top: 5}\n" +
		"grid: {cell_size: " + strconv.Itoa(cell) + "}\n" +
		"output: {dir: out}\n"
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runState describes an output folder: its manifest's SHA-256, after
// checking that the folder holds exactly the files its manifest lists (plus
// the manifest and timings.json) with matching checksums.
func runState(t *testing.T, dir string) string {
	t.Helper()
	m, err := output.ReadManifest(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatalf("no readable manifest: %v", err)
	}
	want := map[string]string{}
	for _, f := range m.Outputs {
		want[f.Name] = f.SHA256
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		n := e.Name()
		if n == "manifest.json" || n == "timings.json" {
			continue
		}
		sum, ok := want[n]
		if !ok {
			t.Errorf("%s is not in the manifest", n)
			continue
		}
		got, _, err := output.HashFile(filepath.Join(dir, n))
		if err != nil || got != sum {
			t.Errorf("%s does not match the manifest's checksum", n)
		}
		delete(want, n)
	}
	for n := range want {
		t.Errorf("%s is in the manifest but not in the folder", n)
	}
	h, _, _ := output.HashFile(filepath.Join(dir, "manifest.json"))
	return h
}

// leftovers lists what a commit left beside the output folder.
func leftovers(parent string) []string {
	var out []string
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".out.") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// TestKillDuringCommit builds the real binary, runs a small study (the old
// run), then reruns it with another cell size (the new run) and kills the
// process with SIGKILL at several points of the commit. Each time the folder
// must be exactly the old run or exactly the new one, and the next start must
// clean what the killed run left.
func TestKillDuringCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a small study about twenty times")
	}
	tmp := t.TempDir()
	bin := realBinary(t)
	exe := func(cfg string, env ...string) error {
		cmd := exec.Command(bin, "run", "--quiet", cfg)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil && len(out) > 0 {
			t.Logf("%s", out)
		}
		return err
	}
	tests := []struct {
		name    string
		env     []string
		want    string // "old", "new" or "missing" right after the kill
		restore bool   // the next start puts the old run back
	}{
		{"after the first file is staged", []string{"COMMONGROUND_TEST_KILL_AT=staged-1"}, "old", false},
		{"after five files are staged", []string{"COMMONGROUND_TEST_KILL_AT=staged-5"}, "old", false},
		{"before the swap", []string{"COMMONGROUND_TEST_KILL_AT=before-swap"}, "old", false},
		{"right after the swap", []string{"COMMONGROUND_TEST_KILL_AT=after-swap"}, "new", false},
		{"while removing the old run", []string{"COMMONGROUND_TEST_KILL_AT=removing"}, "new", false},
		{"fallback: between the two renames", []string{"COMMONGROUND_TEST_NO_EXCHANGE=1", "COMMONGROUND_TEST_KILL_AT=between-renames"}, "missing", true},
		{"fallback: after the renames", []string{"COMMONGROUND_TEST_NO_EXCHANGE=1", "COMMONGROUND_TEST_KILL_AT=after-swap"}, "new", false},
	}
	// Reference states, each run whole once: the new run and the old one.
	// Every case starts from a copy of the old run's folder in the same
	// place (the manifest records the config's path).
	dir := t.TempDir()
	oldCfg := smallStudy(t, dir, "old.yaml", 250)
	newCfg := smallStudy(t, dir, "new.yaml", 300)
	out := filepath.Join(dir, "out")
	if err := exe(newCfg); err != nil {
		t.Fatal(err)
	}
	newState := runState(t, out)
	if err := exe(oldCfg); err != nil {
		t.Fatal(err)
	}
	oldState := runState(t, out)
	if oldState == newState {
		t.Fatal("the two runs do not differ")
	}
	oldCopy := filepath.Join(tmp, "old-run")
	if err := os.CopyFS(oldCopy, os.DirFS(out)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.RemoveAll(out); err != nil {
				t.Fatal(err)
			}
			if err := os.CopyFS(out, os.DirFS(oldCopy)); err != nil {
				t.Fatal(err)
			}
			if runState(t, out) != oldState {
				t.Fatal("the copy of the old run differs from it")
			}
			err := exe(newCfg, tc.env...)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("want the run killed, got %v", err)
			}
			switch tc.want {
			case "missing":
				if _, err := os.Stat(out); !os.IsNotExist(err) {
					t.Fatalf("output folder should be set aside, got %v", err)
				}
			default:
				got := runState(t, out)
				if want := map[string]string{"old": oldState, "new": newState}[tc.want]; got != want {
					t.Fatalf("after the kill the folder is not the %s run", tc.want)
				}
			}
			if len(leftovers(dir)) == 0 && tc.want != "new" {
				t.Error("the killed run left no staging folder: the kill point was not reached")
			}
			if tc.restore {
				// The next start puts the old run back; killed again at
				// once, it leaves exactly the old run.
				if err := exe(newCfg, "COMMONGROUND_TEST_KILL_AT=staged-1"); err == nil {
					t.Fatal("want the run killed")
				}
				if runState(t, out) != oldState {
					t.Fatal("the next start did not put the old run back")
				}
			}
			// The next start cleans up, and a whole run replaces the folder.
			if err := exe(newCfg); err != nil {
				t.Fatal(err)
			}
			if runState(t, out) != newState {
				t.Error("a whole run did not give the new run")
			}
			if l := leftovers(dir); len(l) > 0 {
				t.Errorf("left beside the folder after the next run: %v", l)
			}
		})
	}
}

// TestStaleOutputsGone: a run without siting leaves no earlier run's
// sites.csv beside its report; the folder is exactly what the manifest lists.
func TestStaleOutputsGone(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	os.MkdirAll(out, 0o755)
	os.WriteFile(filepath.Join(out, "sites.csv"), []byte("objective,order,id\ncover,1,a\n"), 0o644)
	os.WriteFile(filepath.Join(out, ".cells.csv.tmp-123"), []byte("half"), 0o644)
	if code, _, e := run("run", "--quiet", smallStudy(t, dir, "study.yaml", 250)); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if _, err := os.Stat(filepath.Join(out, "sites.csv")); !os.IsNotExist(err) {
		t.Errorf("the earlier sites.csv is still there (%v)", err)
	}
	runState(t, out) // fails on any file the manifest does not list
}
