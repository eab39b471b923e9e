package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"commonground/internal/shard"
	"commonground/internal/testdata"
)

func TestParseShard(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for k := 0; k+1 < len(kv); k += 2 {
			m[kv[k]] = kv[k+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		flag    string
		env     func(string) string
		i, n    int
		wantErr string
	}{
		{"0/4", env(), 0, 4, ""},
		{"3/4", env(), 3, 4, ""},
		{"4/4", env(), 0, 0, "shard index 4 is out of range: with 4 shards it runs from 0 to 3"},
		{"-1/4", env(), 0, 0, "out of range"},
		{"1/0", env(), 0, 0, "want I/N"},
		{"x/2", env(), 0, 0, `the shard index "x" is not a whole number`},
		{"4", env(), 0, 0, "no shard index: give --shard I/4"},
		{"4", env("JOB_COMPLETION_INDEX", "2"), 2, 4, ""},
		{"4", env("SLURM_ARRAY_TASK_ID", "3"), 3, 4, ""},
		{"4", env("SLURM_ARRAY_TASK_ID", "5", "SLURM_ARRAY_TASK_MIN", "2"), 3, 4, ""},
		{"4", env("SLURM_ARRAY_TASK_ID", "4"), 0, 0, "out of range"},
		{"4", env("JOB_COMPLETION_INDEX", "one"), 0, 0, `JOB_COMPLETION_INDEX="one" is not a whole number`},
	}
	for _, tc := range tests {
		i, n, err := parseShard(tc.flag, tc.env)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("--shard %s: error %v, want one containing %q", tc.flag, err, tc.wantErr)
			}
			continue
		}
		if err != nil || i != tc.i || n != tc.n {
			t.Errorf("--shard %s: %d/%d %v, want %d/%d", tc.flag, i, n, err, tc.i, tc.n)
		}
	}
}

// TestShardedRunsIdentical runs each example study (the Delaware example,
// an estimate; Delaware by tracts; Porto Alegre, with transit) plainly and
// then in N = 1, 2, 3 and 4 shards (Porto Alegre: see below), each shard a
// separate process of the real binary, and merges them: every output file must be byte-identical to the
// plain run's (timings.json aside). It also checks that a shard needs less
// memory than the whole run, and that the merge refuses broken sets of
// shards without writing anything.
func TestShardedRunsIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the example studies in 1 to 4 shards")
	}
	tmp := t.TempDir()
	bin := realBinary(t)
	exe := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = testdata.RepoRoot()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	short := shortTransit(t, tmp)
	for _, study := range []struct {
		name, cfg string
		ns        []int
	}{
		{"delaware-tracts", "datasets/delaware/tracts.yaml", []int{1, 2, 3, 4}},
		// The estimate (no census layer): each shard reads the whole map.
		{"delaware-example", "datasets/delaware/study.yaml", []int{1, 2, 3, 4}},
		// Porto Alegre's two 2-hour windows route every hexagon 240 times:
		// the example itself in 4 shards, and N = 1 to 4 on the same data
		// with trips of up to 20 minutes, whose shards also leave out trips
		// (a sixth of the routing time).
		{"porto-alegre", "datasets/porto-alegre/study.yaml", []int{4}},
		{"porto-alegre-20min", short, []int{1, 2, 3, 4}},
	} {
		t.Run(study.name, func(t *testing.T) {
			// The two studies side by side, and the shards of each N two
			// at a time: one study's serial stages (reading, writing) fill
			// the cores while the other routes.
			t.Parallel()
			dir := filepath.Join(tmp, study.name)
			plain := filepath.Join(dir, "plain")
			if out, err := exe("run", "--quiet", "--out", plain, study.cfg); err != nil {
				t.Fatalf("plain run: %v\n%s", err, out)
			}
			wholePeak := peakOf(t, filepath.Join(plain, "timings.json"))
			for _, n := range study.ns {
				dirs := make([]string, n)
				errs := make([]error, n)
				var wg sync.WaitGroup
				slots := make(chan struct{}, 2)
				for i := range n {
					dirs[i] = filepath.Join(dir, fmt.Sprintf("n%d", n), fmt.Sprint(i))
					wg.Add(1)
					go func() {
						defer wg.Done()
						slots <- struct{}{}
						defer func() { <-slots }()
						if out, err := exe("run", "--quiet", "--shard", fmt.Sprintf("%d/%d", i, n), "--out", dirs[i], study.cfg); err != nil {
							errs[i] = fmt.Errorf("shard %d/%d: %v\n%s", i, n, err, out)
						}
					}()
				}
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
				merged := filepath.Join(dir, fmt.Sprintf("merged%d", n))
				// The folders in reverse order: the merge orders them itself.
				rev := append([]string(nil), dirs...)
				sort.Sort(sort.Reverse(sort.StringSlice(rev)))
				if out, err := exe(append([]string{"merge", "--quiet", "--out", merged}, rev...)...); err != nil {
					t.Fatalf("merge of %d: %v\n%s", n, err, out)
				}
				sameFolders(t, plain, merged)
				if n == 4 && strings.HasPrefix(study.name, "delaware") {
					for _, sd := range dirs {
						h, err := shard.ReadHeader(sd)
						if err != nil {
							t.Fatal(err)
						}
						if h.Stats.PeakRSSMiB >= wholePeak {
							t.Errorf("shard %d of 4 peaked at %.0f MiB, the whole run at %.0f MiB", h.Shard, h.Stats.PeakRSSMiB, wholePeak)
						}
						if h.Clip == nil {
							t.Errorf("shard %d read the whole map, want a clipped part", h.Shard)
						}
					}
				}
				if study.name == "porto-alegre-20min" && n == 4 {
					dropped := 0
					for _, sd := range dirs {
						h, err := shard.ReadHeader(sd)
						if err != nil {
							t.Fatal(err)
						}
						if h.FeedTrips == 0 || h.TransitTrips > h.FeedTrips {
							t.Errorf("shard %d kept %d of %d trips", h.Shard, h.TransitTrips, h.FeedTrips)
						}
						dropped += h.FeedTrips - h.TransitTrips
					}
					if dropped == 0 {
						t.Error("no shard left out a trip: the cut feeds were not tested")
					}
				}
				if n == 2 && study.name == "delaware-tracts" {
					refusals(t, exe, dir, dirs)
				}
			}
		})
	}
}

// TestShardedRunsWithEmptyParts splits a study of three towns' people
// (points on the Delaware map) into more shards than it has origins, as a
// user who picks N for a region and runs it on a small one would: the
// shards without anyone must still finish, and the merge of all of them
// must give the plain run's bytes.
func TestShardedRunsWithEmptyParts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a study in 5 shards")
	}
	dir := t.TempDir()
	// Wilmington, Dover and Lewes (town centres from OpenStreetMap).
	people := "name,lat,lon,population\nWilmington,39.7459,-75.5466,1200\nDover,39.1582,-75.5244,800\nLewes,38.7746,-75.1393,300\n"
	cfg := `name: Three towns
inputs:
  osm: gomod:github.com/paulmach/osm@v0.8.0/testdata/delaware-latest.osm.pbf
  population: {path: people.csv, id_field: name, name_field: name, pop_field: population}
study_area: {osm_name: Delaware, admin_level: "4"}
output: {dir: out}
`
	for name, text := range map[string]string{"people.csv": people, "study.yaml": cfg} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := realBinary(t)
	exe := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("commonground %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	study := filepath.Join(dir, "study.yaml")
	plain := filepath.Join(dir, "plain")
	exe("run", "--quiet", "--out", plain, study)
	const n = 5
	dirs := make([]string, n)
	empty := 0
	for i := range n {
		dirs[i] = filepath.Join(dir, fmt.Sprint("shard", i))
		exe("run", "--quiet", "--shard", fmt.Sprintf("%d/%d", i, n), "--out", dirs[i], study)
		h, err := shard.ReadHeader(dirs[i])
		if err != nil {
			t.Fatal(err)
		}
		if h.Origins == 0 {
			empty++
		}
	}
	if empty < n-3 {
		t.Fatalf("%d of %d shards hold no origin, want at least %d: three origins in %d parts", empty, n, n-3, n)
	}
	merged := filepath.Join(dir, "merged")
	exe(append([]string{"merge", "--quiet", "--out", merged}, dirs...)...)
	sameFolders(t, plain, merged)
}

// shortTransit writes the Porto Alegre example with transit trips of up to
// 20 minutes (walks of up to 8) into dir, its inputs by absolute path, and
// returns its path.
func shortTransit(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata.RepoRoot(), "datasets", "porto-alegre", "study.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	shared := filepath.Dir(testdata.Shared(t, "porto-alegre")) + "/"
	cfg := string(b)
	for _, r := range [][2]string{
		{"../../../shared/datasets/", shared},
		{"max_trip_minutes: 120", "max_trip_minutes: 20"},
		{"max_walk_minutes: 15", "max_walk_minutes: 8"},
		{"thresholds: {urban: 30, rural: 45, remote: 60}", "thresholds: {urban: 10, rural: 15, remote: 20}"},
	} {
		if !strings.Contains(cfg, r[0]) {
			t.Fatalf("datasets/porto-alegre/study.yaml no longer holds %q", r[0])
		}
		cfg = strings.ReplaceAll(cfg, r[0], r[1])
	}
	path := filepath.Join(dir, "porto-alegre-20min.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func peakOf(t *testing.T, path string) float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Peak float64 `json:"peak_rss_mib"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Peak <= 0 {
		t.Fatalf("%s: peak memory %v (%v)", path, v.Peak, err)
	}
	return v.Peak
}

// sameFolders checks that two output folders hold the same files with the
// same bytes, timings.json aside.
func sameFolders(t *testing.T, a, b string) {
	t.Helper()
	list := func(d string) []string {
		es, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			if e.Name() != "timings.json" {
				out = append(out, e.Name())
			}
		}
		return out
	}
	na, nb := list(a), list(b)
	if strings.Join(na, ",") != strings.Join(nb, ",") {
		t.Fatalf("%s holds %v, %s holds %v", a, na, b, nb)
	}
	if len(na) < 8 {
		t.Fatalf("%s holds only %v", a, na)
	}
	for _, n := range na {
		x, _ := os.ReadFile(filepath.Join(a, n))
		y, _ := os.ReadFile(filepath.Join(b, n))
		if !bytes.Equal(x, y) {
			k := 0
			for k < len(x) && k < len(y) && x[k] == y[k] {
				k++
			}
			t.Errorf("%s differs from the plain run's (%d and %d bytes, first difference at byte %d)", filepath.Join(b, n), len(x), len(y), k)
		}
	}
}

// refusals breaks a good pair of shard folders in the ways the issue lists
// and checks that the merge says which folder and what, and writes nothing.
func refusals(t *testing.T, exe func(...string) (string, error), dir string, good []string) {
	copyShard := func(name, from string) string {
		to := filepath.Join(dir, "bad", name)
		if err := os.MkdirAll(to, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range shard.Names {
			b, err := os.ReadFile(filepath.Join(from, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(to, f), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return to
	}
	editHeader := func(d string, edit func(*shard.Header)) {
		h, err := shard.ReadHeader(d)
		if err != nil {
			t.Fatal(err)
		}
		edit(h)
		b, _ := json.Marshal(h)
		if err := os.WriteFile(filepath.Join(d, shard.HeaderFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	failed := copyShard("failed", good[1])
	os.Remove(filepath.Join(failed, shard.HeaderFile))
	otherCfg := copyShard("other-config", good[1])
	editHeader(otherCfg, func(h *shard.Header) { h.ConfigSHA256 = strings.Repeat("ab", 32) })
	otherInput := copyShard("other-input", good[1])
	editHeader(otherInput, func(h *shard.Header) { h.Inputs[1].SHA256 = strings.Repeat("cd", 32) })
	cut := copyShard("cut-short", good[1])
	if err := os.Truncate(filepath.Join(cut, shard.DataFile), 1000); err != nil {
		t.Fatal(err)
	}
	cutTrips := copyShard("trips-cut-short", good[1])
	if err := os.Truncate(filepath.Join(cutTrips, shard.TripsFile), 1000); err != nil {
		t.Fatal(err)
	}
	ofThree := copyShard("of-three", good[1])
	editHeader(ofThree, func(h *shard.Header) { h.Of = 3 })
	tests := []struct {
		name string
		dirs []string
		want string
	}{
		{"missing shard", good[:1], "shard 1 of 2 is missing"},
		{"the same shard twice", []string{good[0], good[0]}, "shard 0 of 2 again"},
		{"failed shard", []string{good[0], failed}, failed + ": no shard.json, so the shard did not finish"},
		{"another config", []string{good[0], otherCfg}, otherCfg + ": ran config"},
		{"other inputs", []string{good[0], otherInput}, otherInput + ": its population polygons"},
		{"data cut short", []string{good[0], cut}, cut + ": shard.gob does not match the checksum"},
		{"trips cut short", []string{good[0], cutTrips}, cutTrips + ": trips.bin does not match the checksum"},
		{"split differently", []string{good[0], ofThree}, ofThree + ": shard 1 of 3, but"},
		{"not a folder", []string{good[0], filepath.Join(dir, "nowhere")}, "nowhere: no such file or directory"},
	}
	for _, tc := range tests {
		out := filepath.Join(dir, "refused")
		msg, err := exe(append([]string{"merge", "--quiet", "--out", out}, tc.dirs...)...)
		if err == nil {
			t.Errorf("%s: merge succeeded", tc.name)
			continue
		}
		if lines := strings.Split(strings.TrimSpace(msg), "\n"); len(lines) != 1 || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: merge said %q, want one line containing %q", tc.name, msg, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: the refused merge wrote %s", tc.name, out)
		}
	}
}
