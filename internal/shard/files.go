package shard

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"commonground/internal/output"
)

// The files of a shard folder. The folder is committed as a whole (see
// output.Set.Commit), so a shard that failed or was killed leaves no
// HeaderFile behind, and the merge refuses the folder.
const (
	HeaderFile = "shard.json"
	DataFile   = "shard.gob"
	TripsFile  = "trips.bin"
	// Format is the version of the files' layout; a merge refuses others.
	Format = 3
)

// Names lists the files a shard writes (for output.Prepare).
var Names = []string{HeaderFile, DataFile, TripsFile, "timings.json"}

// Header describes one shard: which part of which study it computed, from
// which inputs, and the checksum of its data.
type Header struct {
	Format  int    `json:"format"`
	Tool    string `json:"tool"`
	Version string `json:"version"`
	Shard   int    `json:"shard"` // 0-based
	Of      int    `json:"of"`
	// Config is the config's path as the run was given it; ConfigSHA256 its
	// bytes' checksum.
	Config       string         `json:"config"`
	ConfigAbs    string         `json:"config_abs"`
	ConfigSHA256 string         `json:"config_sha256"`
	Inputs       []output.Input `json:"inputs"`
	// Part is the shard's box (lon/lat, west south east north; infinite
	// sides written as null); Clip the box of the map it read.
	Part    [4]*float64 `json:"part"`
	Clip    *[4]float64 `json:"clip,omitempty"`
	Origins int         `json:"origins"`
	Places  int         `json:"places"`
	Ways    int         `json:"street_ways"` // streets of the map it read
	// FeedTrips counts the trips of a transit study's feeds; TransitTrips
	// those the shard kept, the others calling only at stops its origins
	// cannot reach within transit.max_trip_minutes.
	FeedTrips    int          `json:"feed_trips,omitempty"`
	TransitTrips int          `json:"transit_trips,omitempty"`
	Data         output.File  `json:"data"`
	Trips        output.File  `json:"trips"`
	Stats        *HeaderStats `json:"stats,omitempty"`
}

// HeaderStats records what the shard cost; the merge ignores it.
type HeaderStats struct {
	Seconds    float64 `json:"seconds"`
	PeakRSSMiB float64 `json:"peak_rss_mib"`
}

// Pair is a trip from one of the shard's origins to one of its places, both
// by their index in Data.
type Pair struct {
	Origin, Place int32
	Minutes       float64
}

// TransitPair is a transit trip time in seconds (the window's percentile).
type TransitPair struct {
	Origin, Place int32
	Seconds       float64
}

// Window is one transit departure window's results for the shard's
// origins: [group][origin] minutes and [extra percentile][group][origin].
// Pairs, every reachable origin-place trip, is for the shard's own use: the
// merge gets what it needs of them in Trips.
type Window struct {
	Name    string
	Minutes [][]float64
	Extra   [][][]float64
	Pairs   []TransitPair `gob:"-"`
}

// Mode is what the shard's origins add to one mode's access measures (walk,
// drive, then each transit window): the measures that are sums over an
// origin's own trips, and the origins' partial 2SFCA demand per place.
type Mode struct {
	Name  string
	Pairs int // trips within measures.max_minutes
	// [group][origin]
	Cumulative [][]float64
	Gravity    [][]float64
	// Sensitivity is the ranking group's gravity under each of
	// sensitivity.gravity_betas, [beta][origin]; by car only.
	Sensitivity [][]float64
	// Demand is per place the exact partials (measure.Sum) of the weighted
	// population of these origins that competes for it; empty for none.
	Demand [][]float64
}

// Trips is the second file of a shard: the trips the merge needs once it
// knows every place's 2SFCA ratio, streamed a run at a time. Each mode's
// trips are those of non-zero catchment weight; a transit window's also
// every trip within the longest transit threshold.
type Trips struct {
	Walk, Drive []Pair
	Transit     [][]TransitPair
}

// The trips file is binary, not gob: gob spends about half a microsecond
// on each of a shard's millions of trips. Layout, all little-endian: the
// 8 bytes "CGTRIPS1"; uint64 counts of walk trips, drive trips and transit
// windows, then one uint64 count per window; then every trip as 16 bytes:
// int32 origin, int32 place, float64 minutes (seconds for transit), walk
// trips first, then drive, then each window's.
const (
	tripsMagic  = "CGTRIPS1"
	tripRecord  = 16
	maxWindows  = 1 << 16
	tripsBuffer = 1 << 16
)

// Size is the number of bytes Encode writes.
func (t *Trips) Size() int {
	n := len(t.Walk) + len(t.Drive)
	for _, ps := range t.Transit {
		n += len(ps)
	}
	return len(tripsMagic) + 8*(3+len(t.Transit)) + tripRecord*n
}

// Encode writes t in the shard trips format.
func (t *Trips) Encode(w io.Writer) error {
	bw := bufio.NewWriterSize(w, tripsBuffer)
	head := []uint64{uint64(len(t.Walk)), uint64(len(t.Drive)), uint64(len(t.Transit))}
	for _, ps := range t.Transit {
		head = append(head, uint64(len(ps)))
	}
	bw.WriteString(tripsMagic)
	var rec [tripRecord]byte
	for _, n := range head {
		binary.LittleEndian.PutUint64(rec[:8], n)
		bw.Write(rec[:8])
	}
	put := func(o, p int32, v float64) {
		binary.LittleEndian.PutUint32(rec[0:], uint32(o))
		binary.LittleEndian.PutUint32(rec[4:], uint32(p))
		binary.LittleEndian.PutUint64(rec[8:], math.Float64bits(v))
		bw.Write(rec[:])
	}
	for _, ps := range [][]Pair{t.Walk, t.Drive} {
		for _, p := range ps {
			put(p.Origin, p.Place, p.Minutes)
		}
	}
	for _, ps := range t.Transit {
		for _, p := range ps {
			put(p.Origin, p.Place, p.Seconds)
		}
	}
	return bw.Flush()
}

// tripReader reads what Encode wrote from a file of size bytes, which the
// counts must account for exactly, for a shard of the given numbers of
// origins and places, which every trip must name: first the counts, then
// the trips in order (each).
type tripReader struct {
	br              *bufio.Reader
	counts          []uint64 // walk, drive, then each window's
	origins, places int32
}

func newTripReader(br *bufio.Reader, size int64, origins, places int32) (*tripReader, error) {
	var b [8]byte
	if _, err := io.ReadFull(br, b[:]); err != nil || string(b[:]) != tripsMagic {
		return nil, fmt.Errorf("not a trips file (it should start with %s)", tripsMagic)
	}
	word := func() (uint64, error) {
		_, err := io.ReadFull(br, b[:])
		return binary.LittleEndian.Uint64(b[:]), err
	}
	var head [3]uint64
	for k := range head {
		v, err := word()
		if err != nil {
			return nil, err
		}
		head[k] = v
	}
	if head[2] > maxWindows {
		return nil, fmt.Errorf("%d transit windows", head[2])
	}
	counts := []uint64{head[0], head[1]}
	total := head[0] + head[1]
	for range head[2] {
		v, err := word()
		if err != nil {
			return nil, err
		}
		counts = append(counts, v)
		total += v
	}
	// Counts that overflow or do not fill the file exactly are refused
	// before anything is allocated from them.
	headLen := uint64(8 + 8*(3+head[2]))
	if head[0] > uint64(size) || head[1] > uint64(size) || total > uint64(size) || headLen+tripRecord*total != uint64(size) {
		return nil, fmt.Errorf("its counts (%d walk, %d drive, %v transit trips) do not match its %d bytes", head[0], head[1], counts[2:], size)
	}
	return &tripReader{br: br, counts: counts, origins: origins, places: places}, nil
}

// each calls fn with the trips of section 0 (walk), 1 (drive), then 2+w
// (transit window w, whose Minutes are seconds), in runs of at least
// runSize trips (fewer at a section's end) that each hold all the trips of
// their origins: a section's trips come grouped by origin, in increasing
// order, as a shard writes them, and are refused otherwise. fn may change
// a run but not keep it.
func (t *tripReader) each(runSize int, fn func(section int, run []Pair) error) error {
	var b [tripRecord]byte
	run := make([]Pair, 0, min(runSize, 1<<20)+1)
	for sec, n := range t.counts {
		run = run[:0]
		last := int32(-1)
		for range n {
			if _, err := io.ReadFull(t.br, b[:]); err != nil {
				return err
			}
			o, p := int32(binary.LittleEndian.Uint32(b[0:])), int32(binary.LittleEndian.Uint32(b[4:]))
			if o < 0 || o >= t.origins || p < 0 || p >= t.places {
				return fmt.Errorf("a trip names origin %d or place %d, beyond the %d origins and %d places", o, p, t.origins, t.places)
			}
			if o < last {
				return fmt.Errorf("trips of origin %d come after those of origin %d: they are not grouped by origin", o, last)
			}
			if o != last && len(run) >= runSize {
				if err := fn(sec, run); err != nil {
					return err
				}
				run = run[:0]
			}
			last = o
			run = append(run, Pair{Origin: o, Place: p, Minutes: math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))})
		}
		if len(run) > 0 {
			if err := fn(sec, run); err != nil {
				return err
			}
		}
	}
	return nil
}

// EachTrips reads a shard folder's trips a run at a time (see
// tripReader.each), so that a merge holds no more of them than a run:
// windows is the number of transit windows the config has, which the file
// must hold. The file is checked against the header's checksum as it is
// read; fn may have seen runs of a file that fails it, so a caller keeps
// nothing of fn's work when EachTrips returns an error.
func EachTrips(dir string, h *Header, windows, runSize int, fn func(section int, run []Pair) error) error {
	f, err := os.Open(filepath.Join(dir, h.Trips.Name))
	if err != nil {
		return fmt.Errorf("shard folder %s: %w", dir, err)
	}
	defer f.Close()
	sum := sha256.New()
	in := bufio.NewReaderSize(io.TeeReader(f, sum), tripsBuffer)
	t, readErr := newTripReader(in, int64(h.Trips.Bytes), int32(h.Origins), int32(h.Places))
	var fnErr error
	if readErr == nil && len(t.counts)-2 != windows {
		readErr = fmt.Errorf("holds %d transit windows, the config has %d", len(t.counts)-2, windows)
	}
	if readErr == nil {
		readErr = t.each(runSize, func(section int, run []Pair) error {
			fnErr = fn(section, run)
			return fnErr
		})
	}
	// A file that does not match its checksum says so, whatever else went
	// wrong with it: the rest is read for the sum.
	_, err = io.Copy(io.Discard, in)
	read, _ := f.Seek(0, io.SeekCurrent)
	if err != nil || hex.EncodeToString(sum.Sum(nil)) != h.Trips.SHA256 || read != int64(h.Trips.Bytes) {
		return fmt.Errorf("shard folder %s: %s does not match the checksum in %s (changed or cut short after the shard ran): run shard %d again", dir, h.Trips.Name, HeaderFile, h.Shard)
	}
	if fnErr != nil {
		return fnErr
	}
	if readErr != nil {
		return fmt.Errorf("shard folder %s: %s: %w", dir, h.Trips.Name, readErr)
	}
	return nil
}

// Data is what a shard hands on besides its trips: for each of its origins
// (by id, with its people, to check against the merge's own) the nearby
// count, the transit windows' times and each mode's sums (Mode).
// Places are named by key (see study's placeKey), since a shard reads only
// part of the map and numbers its places its own way.
type Data struct {
	Origins []string
	People  []float64
	Places  []string
	// Areas is each place's area in square metres where a trip of the shard
	// reaches it, NaN elsewhere: the merge checks the shard measured the
	// same supply.
	Areas   []float64
	Count   []int32
	Kinds   []uint32
	Transit []Window
	Modes   []Mode
}

// Encode writes d in the shard data format.
func (d *Data) Encode(w io.Writer) error { return gob.NewEncoder(w).Encode(d) }

// Bound turns a part into the header's form.
func (q Part) Bound() [4]*float64 {
	var out [4]*float64
	for k, v := range []float64{q.Min[0], q.Min[1], q.Max[0], q.Max[1]} {
		if !isInf(v) {
			out[k] = &v
		}
	}
	return out
}

func isInf(v float64) bool { return v > 1e308 || v < -1e308 }

// Read reads a shard folder's header and data, checking the data against
// the header's checksum. Every error names the folder.
func Read(dir string) (*Header, *Data, error) {
	h, err := ReadHeader(dir)
	if err != nil {
		return nil, nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, h.Data.Name))
	if err != nil {
		return nil, nil, fmt.Errorf("shard folder %s: %w", dir, err)
	}
	if got := output.HashBytes(b); got != h.Data.SHA256 || len(b) != h.Data.Bytes {
		return nil, nil, fmt.Errorf("shard folder %s: %s does not match the checksum in %s (changed or cut short after the shard ran): run shard %d again", dir, h.Data.Name, HeaderFile, h.Shard)
	}
	var d Data
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&d); err != nil {
		return nil, nil, fmt.Errorf("shard folder %s: %s: %w", dir, h.Data.Name, err)
	}
	n := len(d.Origins)
	if len(d.People) != n || len(d.Count) != n || len(d.Kinds) != n || n != h.Origins || len(d.Places) != h.Places {
		return nil, nil, fmt.Errorf("shard folder %s: %s holds %d origins and %d places, its header says %d and %d", dir, h.Data.Name, n, len(d.Places), h.Origins, h.Places)
	}
	if len(d.Areas) != len(d.Places) {
		return nil, nil, fmt.Errorf("shard folder %s: %s holds %d places but %d areas", dir, h.Data.Name, len(d.Places), len(d.Areas))
	}
	for _, m := range d.Modes {
		if len(m.Demand) != len(d.Places) {
			return nil, nil, fmt.Errorf("shard folder %s: mode %s has demand for %d places, not %d", dir, m.Name, len(m.Demand), len(d.Places))
		}
		for _, rows := range [][][]float64{m.Cumulative, m.Gravity, m.Sensitivity} {
			for _, row := range rows {
				if len(row) != n {
					return nil, nil, fmt.Errorf("shard folder %s: mode %s has a measure for %d origins, not %d", dir, m.Name, len(row), n)
				}
			}
		}
	}
	return h, &d, nil
}

// Verify checks a shard's data and trips files against its header's
// checksums without keeping them.
func Verify(dir string, h *Header) error {
	for _, file := range []output.File{h.Data, h.Trips} {
		if err := verify(dir, h, file); err != nil {
			return err
		}
	}
	return nil
}

func verify(dir string, h *Header, file output.File) error {
	f, err := os.Open(filepath.Join(dir, file.Name))
	if err != nil {
		return fmt.Errorf("shard folder %s: %w", dir, err)
	}
	defer f.Close()
	sum := sha256.New()
	n, err := io.Copy(sum, f)
	if err != nil {
		return fmt.Errorf("shard folder %s: %s: %w", dir, file.Name, err)
	}
	if hex.EncodeToString(sum.Sum(nil)) != file.SHA256 || n != int64(file.Bytes) {
		return fmt.Errorf("shard folder %s: %s does not match the checksum in %s (changed or cut short after the shard ran): run shard %d again", dir, file.Name, HeaderFile, h.Shard)
	}
	return nil
}

// ReadHeader reads a shard folder's header only.
func ReadHeader(dir string) (*Header, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("shard folder %s: %w", dir, errors.Unwrap(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("shard folder %s: not a folder", dir)
	}
	b, err := os.ReadFile(filepath.Join(dir, HeaderFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("shard folder %s: no %s, so the shard did not finish (it failed, was stopped, or is still running): run it again", dir, HeaderFile)
	}
	if err != nil {
		return nil, fmt.Errorf("shard folder %s: %w", dir, err)
	}
	if len(b) > 64<<20 {
		return nil, fmt.Errorf("shard folder %s: %s is %d bytes, too large for a shard header", dir, HeaderFile, len(b))
	}
	var h Header
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("shard folder %s: %s: %w", dir, HeaderFile, err)
	}
	if h.Format != Format {
		return nil, fmt.Errorf("shard folder %s: written in shard format %d, this commonground reads format %d: run the shards again with this version", dir, h.Format, Format)
	}
	if h.Of < 1 || h.Shard < 0 || h.Shard >= h.Of {
		return nil, fmt.Errorf("shard folder %s: %s says shard %d of %d", dir, HeaderFile, h.Shard, h.Of)
	}
	if h.Data.Name != DataFile || h.Trips.Name != TripsFile {
		return nil, fmt.Errorf("shard folder %s: %s names data files %q and %q, want %s and %s", dir, HeaderFile, h.Data.Name, h.Trips.Name, DataFile, TripsFile)
	}
	return &h, nil
}

// Check reads the headers of a merge's shard folders and checks that they
// are the N shards of one run: the same config and inputs by checksum, the
// same N, every index once. The headers come back in shard order.
func Check(dirs []string) ([]*Header, error) {
	if len(dirs) == 0 {
		return nil, fmt.Errorf("merge needs the shard folders: commonground merge --out DIR SHARD_DIR...")
	}
	hs := make([]*Header, len(dirs))
	byIndex := map[int]string{}
	for k, dir := range dirs {
		h, err := ReadHeader(dir)
		if err != nil {
			return nil, err
		}
		hs[k] = h
		first, firstDir := hs[0], dirs[0]
		switch {
		case h.Of != first.Of:
			return nil, fmt.Errorf("shard folder %s: shard %d of %d, but %s is shard %d of %d: the shards come from runs split differently", dir, h.Shard, h.Of, firstDir, first.Shard, first.Of)
		case h.ConfigSHA256 != first.ConfigSHA256:
			return nil, fmt.Errorf("shard folder %s: ran config %s (SHA-256 %.12s…), but %s ran %s (%.12s…): the shards come from different configs", dir, h.Config, h.ConfigSHA256, firstDir, first.Config, first.ConfigSHA256)
		case h.Config != first.Config:
			return nil, fmt.Errorf("shard folder %s: ran config %s, but %s ran %s: give the shards the same config path", dir, h.Config, firstDir, first.Config)
		case h.Version != first.Version:
			return nil, fmt.Errorf("shard folder %s: made by commonground %s, but %s by %s", dir, h.Version, firstDir, first.Version)
		}
		if err := SameInputs(h.Inputs, first.Inputs, firstDir); err != nil {
			return nil, fmt.Errorf("shard folder %s: %v: the shards read different inputs", dir, err)
		}
		if other, dup := byIndex[h.Shard]; dup {
			return nil, fmt.Errorf("shard folder %s: shard %d of %d again (also %s)", dir, h.Shard, h.Of, other)
		}
		byIndex[h.Shard] = dir
	}
	n := hs[0].Of
	for i := 0; i < n; i++ {
		if _, ok := byIndex[i]; !ok {
			return nil, fmt.Errorf("shard %d of %d is missing: the merge got %d shard folders (%s first); give all %d", i, n, len(dirs), dirs[0], n)
		}
	}
	out := make([]*Header, n)
	for _, h := range hs {
		out[h.Shard] = h
	}
	return out, nil
}

// SameInputs compares two lists of inputs by role, path and checksum: nil
// when every input both name has the same bytes, else an error naming the
// first that differs and what other calls the second list.
func SameInputs(a, b []output.Input, other string) error {
	sum := map[[2]string]output.Input{}
	for _, in := range b {
		sum[[2]string{in.Role, in.Path}] = in
	}
	for _, in := range a {
		o, ok := sum[[2]string{in.Role, in.Path}]
		if ok && o.SHA256 != in.SHA256 {
			return fmt.Errorf("its %s %s has SHA-256 %.12s…, %s's has %.12s…", in.Role, in.Path, in.SHA256, other, o.SHA256)
		}
	}
	return nil
}
