// Package version reports which commonground and which libraries produced a
// run, for the manifest and the report's methods section.
package version

import (
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
)

// Version is commonground's release. Change it when outputs change meaning.
const Version = "0.1.0"

// Go returns the Go version the binary was built with.
func Go() string { return runtime.Version() }

// Modules returns the versions of the libraries that shape results (geometry,
// OSM decoding, GEOS bindings, charts), keyed by module path.
func Modules() map[string]string {
	out := map[string]string{}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return out
	}
	for _, d := range bi.Deps {
		if strings.HasPrefix(d.Path, "github.com/paulmach/") || strings.HasPrefix(d.Path, "github.com/twpayne/go-geos") ||
			strings.HasPrefix(d.Path, "github.com/go-echarts/") || d.Path == "gopkg.in/yaml.v3" {
			out[d.Path] = d.Version
		}
	}
	return out
}

// ModuleList renders Modules as "path version" lines in sorted order.
func ModuleList() []string {
	m := Modules()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + " " + m[k]
	}
	return out
}
