// Package testdata locates the real data sets tests and benchmarks read: the
// shared open-data folder beside the repository, and data shipped in Go
// modules. Tests fail, not skip, when the data are missing: a test that
// silently skipped its real-data check would prove nothing.
package testdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"commonground/internal/modfile"
)

// DelawarePBFRef is the module reference of the Delaware OSM extract (2016-08-10).
const DelawarePBFRef = "gomod:github.com/paulmach/osm@v0.8.0/testdata/delaware-latest.osm.pbf"

// RepoRoot returns the repository's root folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Shared returns the path of a file under ../shared/datasets, failing tb if
// it is not there.
func Shared(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(RepoRoot(), "..", "shared", "datasets", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("shared data set missing: %v", err)
	}
	return p
}

// DelawarePBF returns the path of the Delaware OSM extract.
func DelawarePBF(tb testing.TB) string {
	tb.Helper()
	p, err := modfile.Resolve(DelawarePBFRef)
	if err != nil {
		tb.Fatalf("Delaware extract: %v", err)
	}
	return p
}
