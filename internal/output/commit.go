package output

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// The output folder changes as one unit. Commit writes every file of a run
// into a staging folder beside it (".NAME.staging-*", same file system), syncs
// it, then swaps it with the previous run's folder in one atomic
// renameat2(RENAME_EXCHANGE) and removes the old run. A kill -9 at any moment
// therefore leaves NAME holding exactly the previous run or exactly the new
// one; what it may leave beside it (a staging folder) is removed by Prepare at
// the next start. Where the file system cannot exchange (EINVAL), NAME is
// renamed to ".NAME.old-*" and the staging folder into its place; a kill
// between those two renames is repaired by Prepare, which puts the old run
// back.

// TimingsFile is written beside the manifest but not listed in it (clock
// times differ run to run); Prepare treats it as part of a run.
const timingsFile = "timings.json"

// killAt names a point of Commit at which the process kills itself with
// SIGKILL, for the test that checks the folder after a kill during the
// commit. It is read from COMMONGROUND_TEST_KILL_AT and empty in normal use.
var killAt = os.Getenv("COMMONGROUND_TEST_KILL_AT")

// noExchange forces the two-rename fallback (for its test).
var noExchange = os.Getenv("COMMONGROUND_TEST_NO_EXCHANGE") != ""

func checkpoint(name string) {
	if killAt != "" && killAt == name {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
}

func stagingPrefix(dir string) string { return "." + filepath.Base(dir) + ".staging-" }
func oldPrefix(dir string) string     { return "." + filepath.Base(dir) + ".old-" }

// InputFile is one input of a run as Prepare checks it: the config key that
// names it and its path as the run opens it.
type InputFile struct {
	Key  string
	Path string
}

// Prepare checks the output folder before the analysis starts, so that a
// run cannot spend minutes and then fail to write, or overwrite its own
// inputs. It removes what a killed run left (staging folders, temporary
// files of earlier versions) and puts back a previous run a kill left aside;
// then it checks that the folder can be created and written, that no input
// lies inside it (by path, after resolving links), that no file in it is an
// input under another name (same file, or same SHA-256 as an input), and
// that it holds nothing but a previous run's files (those its manifest lists,
// or any of names, the files a run may write), since a commit replaces the
// folder as a whole.
func Prepare(dir string, inputs []InputFile, names []string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	parent := filepath.Dir(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("output folder %s: cannot create its parent folder: %w", dir, err)
	}
	if err := recoverLeftovers(abs); err != nil {
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	if st, err := os.Stat(abs); err == nil && !st.IsDir() {
		return fmt.Errorf("output folder %s is a file, not a folder", dir)
	}
	// Writable: the commit creates a staging folder beside dir and renames it.
	probe, err := os.MkdirTemp(parent, stagingPrefix(abs))
	if err != nil {
		return fmt.Errorf("output folder %s: cannot write beside it in %s: %w", dir, parent, err)
	}
	err = os.WriteFile(filepath.Join(probe, "probe"), []byte("x"), 0o644)
	os.RemoveAll(probe)
	if err != nil {
		return fmt.Errorf("output folder %s: cannot write in %s: %w", dir, parent, err)
	}

	real := realPath(abs)
	for _, in := range inputs {
		p, err := filepath.Abs(in.Path)
		if err != nil {
			continue
		}
		rp := realPath(p)
		if within(rp, real) {
			return fmt.Errorf("output folder %s holds the input %s (%s): a run replaces the whole folder, so choose another output.dir", dir, in.Path, in.Key)
		}
		if st, err := os.Stat(rp); err == nil && st.IsDir() && within(real, rp) {
			return fmt.Errorf("output folder %s lies inside the input folder %s (%s): choose another output.dir", dir, in.Path, in.Key)
		}
	}
	entries, err := os.ReadDir(abs)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	known := previousRun(abs)
	for _, n := range names {
		known[n] = true
	}
	var foreign []string
	for _, e := range entries {
		name := e.Name()
		p := filepath.Join(abs, name)
		if e.Type().IsRegular() {
			if in, how := sameAsInput(p, inputs); how != "" {
				return fmt.Errorf("output folder %s: %s is the input %s (%s; %s): a run would overwrite it, so choose another output.dir", dir, name, in.Path, in.Key, how)
			}
		}
		if !known[name] {
			foreign = append(foreign, name)
		}
	}
	if len(foreign) > 0 {
		sort.Strings(foreign)
		list := strings.Join(foreign, ", ")
		if len(foreign) > 5 {
			list = strings.Join(foreign[:5], ", ") + fmt.Sprintf(" and %d more", len(foreign)-5)
		}
		return fmt.Errorf("output folder %s holds files no earlier run wrote (%s): a run replaces the whole folder, so choose a new or empty folder, or move them", dir, list)
	}
	return nil
}

// sameAsInput reports which input the file p is, if any: the same file
// (hard link, bind mount) or a file of the same size and SHA-256.
func sameAsInput(p string, inputs []InputFile) (InputFile, string) {
	st, err := os.Stat(p)
	if err != nil {
		return InputFile{}, ""
	}
	var sum string
	for _, in := range inputs {
		ist, err := os.Stat(in.Path)
		if err != nil || ist.IsDir() {
			continue
		}
		if os.SameFile(st, ist) {
			return in, "the same file"
		}
		if ist.Size() != st.Size() {
			continue
		}
		if sum == "" {
			if sum, _, err = HashFile(p); err != nil {
				return InputFile{}, ""
			}
		}
		if h, _, err := HashFile(in.Path); err == nil && h == sum {
			return in, "same SHA-256"
		}
	}
	return InputFile{}, ""
}

// previousRun returns the names a previous run wrote into dir: its manifest,
// the files the manifest lists, and timings.json.
func previousRun(dir string) map[string]bool {
	known := map[string]bool{ManifestFile: true, timingsFile: true}
	if m, err := ReadManifest(filepath.Join(dir, ManifestFile)); err == nil {
		for _, f := range m.Outputs {
			known[f.Name] = true
		}
	}
	return known
}

// ManifestFile is the name of a run's manifest.
const ManifestFile = "manifest.json"

// realPath resolves symbolic links as far as the path exists.
func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	dir, base := filepath.Split(p)
	if dir == p || dir == "" {
		return p
	}
	return filepath.Join(realPath(filepath.Clean(dir)), base)
}

// within reports whether p is dir or lies inside it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// recoverLeftovers undoes what a killed commit left beside dir: if dir is
// missing and an old run was set aside (the two-rename fallback), the old run
// goes back; every staging folder and set-aside old run is removed; so are
// temporary files of earlier versions (".NAME.tmp-*") inside dir.
func recoverLeftovers(dir string) error {
	parent := filepath.Dir(dir)
	olds, _ := filepath.Glob(filepath.Join(parent, globEscape(oldPrefix(dir))+"*"))
	stagings, _ := filepath.Glob(filepath.Join(parent, globEscape(stagingPrefix(dir))+"*"))
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) && len(olds) > 0 {
		sort.Strings(olds)
		if err := os.Rename(olds[len(olds)-1], dir); err != nil {
			return fmt.Errorf("put back the previous run %s: %w", olds[len(olds)-1], err)
		}
		olds = olds[:len(olds)-1]
	}
	for _, p := range append(olds, stagings...) {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("remove what a stopped run left: %w", err)
		}
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	for _, p := range tmps {
		os.Remove(p)
	}
	return nil
}

func globEscape(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(s)
}

// commitDir writes files (in order) into a staging folder beside dir and
// swaps it in as a whole.
func commitDir(dir string, names []string, data func(string) []byte) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	parent := filepath.Dir(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	stage, err := os.MkdirTemp(parent, stagingPrefix(abs))
	if err != nil {
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	if err := os.Chmod(stage, 0o755); err != nil {
		os.RemoveAll(stage)
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	for i, name := range names {
		if err := writeSynced(filepath.Join(stage, name), data(name)); err != nil {
			os.RemoveAll(stage)
			return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
		}
		checkpoint(fmt.Sprintf("staged-%d", i+1))
	}
	if err := syncDir(stage); err != nil {
		os.RemoveAll(stage)
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	checkpoint("before-swap")
	if _, err := os.Lstat(abs); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(stage, abs); err != nil {
			os.RemoveAll(stage)
			return fmt.Errorf("output folder %s: %w", dir, err)
		}
		return syncDir(parent)
	}
	err = errNoExchange
	if !noExchange {
		err = exchange(stage, abs)
	}
	if err == nil {
		checkpoint("after-swap")
		syncDir(parent)
		// stage now holds the previous run.
		removeAll(stage)
		return nil
	}
	if !errors.Is(err, errNoExchange) {
		os.RemoveAll(stage)
		return fmt.Errorf("output folder %s: replace the previous run: %w", dir, err)
	}
	old := filepath.Join(parent, oldPrefix(abs)+strings.TrimPrefix(filepath.Base(stage), stagingPrefix(abs)))
	if err := os.Rename(abs, old); err != nil {
		os.RemoveAll(stage)
		return fmt.Errorf("output folder %s: set the previous run aside: %w", dir, err)
	}
	checkpoint("between-renames")
	if err := os.Rename(stage, abs); err != nil {
		os.Rename(old, abs)
		os.RemoveAll(stage)
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	checkpoint("after-swap")
	syncDir(parent)
	removeAll(old)
	return nil
}

// removeAll removes a set-aside run file by file, so the kill test can stop
// it half-way ("removing").
func removeAll(dir string) {
	entries, _ := os.ReadDir(dir)
	for i, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
		if i == 0 {
			checkpoint("removing")
		}
	}
	os.RemoveAll(dir)
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

var errNoExchange = errors.New("output: the file system cannot exchange two folders")
