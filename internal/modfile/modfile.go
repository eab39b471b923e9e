// Package modfile finds data files that ship inside Go modules, such as the
// Delaware OpenStreetMap extract in github.com/paulmach/osm, so an example
// study works on a fresh machine that has only Go and the module proxy.
package modfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Scheme prefixes a config path that names a file inside a Go module:
// "gomod:github.com/paulmach/osm@v0.8.0/testdata/delaware-latest.osm.pbf".
const Scheme = "gomod:"

// ErrNoVersion is returned for a module reference without an exact version;
// the module proxy serves exact versions only.
var ErrNoVersion = errors.New("modfile: module reference needs an exact version (module@vX.Y.Z)")

var (
	mu    sync.Mutex
	cache = map[string]string{} // module@version -> directory
)

// IsRef reports whether a path is a module file reference.
func IsRef(p string) bool { return strings.HasPrefix(p, Scheme) }

// Split parses "gomod:module@version/path/in/module" into module@version and
// the path inside the module.
func Split(ref string) (modVersion, rel string, err error) {
	s := strings.TrimPrefix(ref, Scheme)
	at := strings.Index(s, "@")
	if at < 0 {
		return "", "", fmt.Errorf("%q: %w", ref, ErrNoVersion)
	}
	slash := strings.Index(s[at:], "/")
	if slash < 0 {
		return "", "", fmt.Errorf("%q: no file named after the module version", ref)
	}
	modVersion, rel = s[:at+slash], s[at+slash+1:]
	if modVersion[at+1:] == "latest" || modVersion[at+1:] == "" {
		return "", "", fmt.Errorf("%q: %w", ref, ErrNoVersion)
	}
	return modVersion, rel, nil
}

// Resolve turns a module file reference into a path on this machine,
// downloading the module through the Go module proxy when it is not in the
// module cache yet. A path that is not a reference is returned unchanged.
func Resolve(ref string) (string, error) {
	if !IsRef(ref) {
		return ref, nil
	}
	modVersion, rel, err := Split(ref)
	if err != nil {
		return "", err
	}
	dir, err := Dir(modVersion)
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("module %s has no file %s: %w", modVersion, rel, err)
	}
	return p, nil
}

// Dir returns the module cache directory of module@version, downloading it
// with `go mod download` if needed.
func Dir(modVersion string) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	if d, ok := cache[modVersion]; ok {
		return d, nil
	}
	// Fast path: the module cache already holds it.
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		d := filepath.Join(strings.TrimSpace(string(out)), escape(modVersion))
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			cache[modVersion] = d
			return d, nil
		}
	}
	cmd := exec.Command("go", "mod", "download", "-json", modVersion)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil || info.Dir == "" {
		msg := strings.TrimSpace(info.Error)
		if msg == "" {
			msg = strings.TrimSpace(stderr.String())
		}
		if msg == "" && runErr != nil {
			msg = runErr.Error()
		}
		return "", fmt.Errorf("download Go module %s (is Go installed and the module proxy reachable?): %s", modVersion, msg)
	}
	cache[modVersion] = info.Dir
	return info.Dir, nil
}

// escape applies the module cache's case encoding: an upper-case letter
// becomes '!' and its lower-case form.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			b.WriteRune(r + ('a' - 'A'))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
