// Package output writes a run's files safely: the whole output folder is
// replaced as one unit only when the run is complete, so a failed or killed
// run never leaves a half-written report, a mix of two runs, or destroys an
// earlier one.
package output

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Set collects a run's output files in memory and writes them all at the end.
// Nothing touches the output folder until Commit, so an error anywhere in the
// pipeline leaves the folder as it was.
type Set struct {
	names   []string
	data    map[string][]byte
	pending []*pending // files Go is still rendering, in the order added
}

// pending is a file being rendered on its own goroutine.
type pending struct {
	name string
	done chan struct{}
	data []byte
	err  error
}

// Go renders one file with fn on its own goroutine, so files that do not
// depend on each other are written on all cores; fn must only read what it
// shares with the other renderers. The file takes its place in the set's
// order now, and its content once Wait returns.
func (s *Set) Go(name string, fn func(w io.Writer) error) {
	p := &pending{name: name, done: make(chan struct{})}
	s.pending = append(s.pending, p)
	if !s.has(name) {
		s.names = append(s.names, name)
	}
	go func() {
		defer close(p.done)
		var buf bytes.Buffer
		if err := fn(&buf); err != nil {
			p.err = fmt.Errorf("write %s: %w", name, err)
			return
		}
		p.data = buf.Bytes()
	}()
}

// has reports whether name is already in the set's order.
func (s *Set) has(name string) bool {
	for _, n := range s.names {
		if n == name {
			return true
		}
	}
	return false
}

// Wait waits for every file Go started and keeps them; it returns the error
// of the first one (in the order added) that failed.
func (s *Set) Wait() error {
	var first error
	for _, p := range s.pending {
		<-p.done
		if p.err != nil {
			if first == nil {
				first = p.err
			}
			continue
		}
		if s.data == nil {
			s.data = map[string][]byte{}
		}
		s.data[p.name] = p.data
	}
	s.pending = nil
	return first
}

// Add renders one file with fn and keeps it for Commit.
func (s *Set) Add(name string, fn func(w io.Writer) error) error {
	return s.AddSized(name, 0, fn)
}

// AddSized is Add for a file whose size is known beforehand: its buffer is
// made that size at once, not grown by doubling and copying (for a file of
// tens of megabytes, most of the cost of writing it).
func (s *Set) AddSized(name string, size int, fn func(w io.Writer) error) error {
	var buf bytes.Buffer
	buf.Grow(size)
	if err := fn(&buf); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if s.data == nil {
		s.data = map[string][]byte{}
	}
	if !s.has(name) {
		s.names = append(s.names, name)
	}
	s.data[name] = buf.Bytes()
	return nil
}

// Names returns the file names in the order they were added.
func (s *Set) Names() []string { return append([]string(nil), s.names...) }

// Bytes returns a file's content.
// Files Go started must be waited for first (Wait).
func (s *Set) Bytes(name string) []byte { return s.data[name] }

// Commit replaces the output folder dir with the files of the set, as one
// unit: all are written into a staging folder beside dir, which then takes
// dir's place in one atomic exchange (see commit.go). Readers, and a run
// killed at any moment, see either the previous run or this one, never a mix
// and never an earlier run's file this run did not write.
func (s *Set) Commit(dir string) error {
	if err := s.Wait(); err != nil {
		return err
	}
	return commitDir(dir, s.names, s.Bytes)
}

// WriteFile writes one file atomically.
func WriteFile(path string, data []byte) error {
	t, err := writeTemp(filepath.Dir(path), filepath.Base(path), data)
	if err != nil {
		return err
	}
	if err := os.Rename(t, path); err != nil {
		os.Remove(t)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func writeTemp(dir, name string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	return f.Name(), nil
}

// HashFile returns a file's SHA-256 in hex and its size.
func HashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// HashBytes returns the SHA-256 of b in hex.
func HashBytes(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Thousands rounds v to a whole number and groups its digits: 897,934.
func Thousands(v float64) string {
	s := Num(v, 0)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Num formats a number for CSV with a fixed number of decimals, trimming
// trailing zeros; NaN and infinities (unreachable) become an empty field.
func Num(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if decimals > 0 {
		for s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// Round rounds v to the given decimals (NaN stays NaN).
func Round(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}

// Input is one input file as the manifest records it.
type Input struct {
	Role   string `json:"role"`
	Path   string `json:"path"` // as given in the config
	Opened string `json:"opened,omitempty"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// File is one output file as the manifest records it.
type File struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

// Manifest lets a researcher rerun the analysis exactly: the inputs with
// checksums, the fully resolved config, versions, warnings and outputs. It
// holds no clock times, so two runs of one config give identical manifests.
type Manifest struct {
	Tool    string            `json:"tool"`
	Version string            `json:"version"`
	Go      string            `json:"go"`
	Modules map[string]string `json:"modules"`
	Config  string            `json:"config"`
	Study   any               `json:"study"`
	// Methods names how people were placed and classed (origins, urban
	// rule, remoteness scheme, official table), so two runs made by
	// different methods are never compared as if alike.
	Methods  map[string]string `json:"methods,omitempty"`
	Inputs   []Input           `json:"inputs"`
	OSMDate  string            `json:"osm_date,omitempty"`
	Counts   map[string]any    `json:"counts"`
	Warnings []string          `json:"warnings"`
	Problems any               `json:"problems,omitempty"`
	Outputs  []File            `json:"outputs"`
	Rerun    string            `json:"rerun"`
}

// JSON encodes v indented, with sorted map keys and a final newline.
func JSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Describe fills Outputs from the files of a set (all but the manifest itself).
func (m *Manifest) Describe(s *Set) {
	m.Outputs = m.Outputs[:0]
	for _, n := range s.Names() {
		m.Outputs = append(m.Outputs, File{Name: n, SHA256: HashBytes(s.Bytes(n)), Bytes: len(s.Bytes(n))})
	}
	sort.Slice(m.Outputs, func(i, j int) bool { return m.Outputs[i].Name < m.Outputs[j].Name })
}

// ReadManifest reads the manifest of an earlier run (at most 64 MiB).
func ReadManifest(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var m Manifest
	if err := json.NewDecoder(io.LimitReader(f, 64<<20)).Decode(&m); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &m, nil
}
