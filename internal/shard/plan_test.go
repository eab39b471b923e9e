package shard

import (
	"bufio"
	"bytes"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/output"
)

// The parts tile the plane (each point in exactly one part, points far
// outside the data too) and hold about equal weight.
func TestPlanTilesAndBalances(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pts := make([]orb.Point, 2000)
	w := make([]float64, len(pts))
	for i := range pts {
		// A dense town and a sparse countryside, longer north-south.
		if i%4 == 0 {
			pts[i] = orb.Point{-75.5 + rng.Float64()*0.05, 39.7 + rng.Float64()*0.05}
		} else {
			pts[i] = orb.Point{-75.8 + rng.Float64()*0.6, 38.4 + rng.Float64()*1.5}
		}
		w[i] = float64(rng.Intn(3000))
	}
	for n := 1; n <= 8; n++ {
		parts, err := Plan(pts, w, n)
		if err != nil {
			t.Fatal(err)
		}
		if len(parts) != n {
			t.Fatalf("n=%d: %d parts", n, len(parts))
		}
		sum := make([]float64, n)
		var total float64
		for i, p := range pts {
			k := -1
			for j, q := range parts {
				if q.Contains(p) {
					if k >= 0 {
						t.Fatalf("n=%d: point %v in parts %d and %d", n, p, k, j)
					}
					k = j
				}
			}
			if k < 0 {
				t.Fatalf("n=%d: point %v in no part", n, p)
			}
			sum[k] += w[i] + 1
			total += w[i] + 1
		}
		for _, far := range []orb.Point{{-180, -90}, {179.9, 89.9}, {0, 0}, {-75.5, 39.7}} {
			if c := count(parts, far); c != 1 {
				t.Errorf("n=%d: %v lies in %d parts", n, far, c)
			}
		}
		for k, s := range sum {
			if share := s / total * float64(n); math.Abs(share-1) > 0.05 {
				t.Errorf("n=%d: part %d holds %.3f of its fair share of the weight", n, k, share)
			}
		}
		again, _ := Plan(pts, w, n)
		for k := range parts {
			if parts[k] != again[k] {
				t.Errorf("n=%d: the plan changed between two calls", n)
			}
		}
	}
}

func count(parts []Part, p orb.Point) int {
	c := 0
	for _, q := range parts {
		if q.Contains(p) {
			c++
		}
	}
	return c
}

// Points sharing a coordinate stay on one side of a cut, so a plan of many
// identical points still gives every point one part.
func TestPlanTies(t *testing.T) {
	pts := []orb.Point{{1, 1}, {1, 1}, {1, 1}, {2, 1}}
	parts, err := Plan(pts, []float64{1, 1, 1, 1}, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pts {
		if c := count(parts, p); c != 1 {
			t.Errorf("%v in %d parts", p, c)
		}
	}
	if _, err := Plan(pts, []float64{1, 1, math.NaN(), 1}, 2); err == nil {
		t.Error("a NaN weight was accepted")
	}
	if _, err := Plan(pts, []float64{1, 1, 1, 1}, 0); err == nil {
		t.Error("0 parts accepted")
	}
}

// readAll reads a trips file whole, in runs of runSize.
func readAll(b []byte, size int64, places int32, runSize int) (*Trips, [][]Pair, error) {
	tr, err := newTripReader(bufio.NewReader(bytes.NewReader(b)), size, 10, places)
	if err != nil {
		return nil, nil, err
	}
	out := &Trips{Transit: make([][]TransitPair, len(tr.counts)-2)}
	var runs [][]Pair
	err = tr.each(runSize, func(sec int, run []Pair) error {
		runs = append(runs, append([]Pair(nil), run...))
		switch sec {
		case 0:
			out.Walk = append(out.Walk, run...)
		case 1:
			out.Drive = append(out.Drive, run...)
		default:
			for _, p := range run {
				out.Transit[sec-2] = append(out.Transit[sec-2], TransitPair{p.Origin, p.Place, p.Minutes})
			}
		}
		return nil
	})
	return out, runs, err
}

// TestTripsRoundTrip: trips come back as written, in runs that keep each
// origin's trips together; a file whose counts do not fill it exactly,
// that is cut short, or whose trips are not grouped by origin, is refused.
func TestTripsRoundTrip(t *testing.T) {
	in := &Trips{
		Walk:    []Pair{{0, 1, 2.5}, {0, 2, 3}, {3, 4, 0}, {3, 1, 1}, {3, 2, 2}, {4, 0, 1}, {6, 1, 1}},
		Drive:   []Pair{{5, 6, 29.999999999}},
		Transit: [][]TransitPair{{{7, 8, 3600}}, nil},
	}
	var buf bytes.Buffer
	if err := in.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if want := 8 + 8*5 + 16*9; len(b) != want || in.Size() != want {
		t.Fatalf("%d bytes, Size says %d, want %d", len(b), in.Size(), want)
	}
	out, runs, err := readAll(b, int64(len(b)), 10, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in.Walk, out.Walk) || !reflect.DeepEqual(in.Drive, out.Drive) || len(out.Transit) != 2 ||
		!reflect.DeepEqual(in.Transit[0], out.Transit[0]) || len(out.Transit[1]) != 0 {
		t.Fatalf("read back %+v, wrote %+v", out, in)
	}
	// Runs of at least 2 trips, cut only where the origin changes.
	want := [][]Pair{in.Walk[:2], in.Walk[2:5], in.Walk[5:], in.Drive, {{7, 8, 3600}}}
	if !reflect.DeepEqual(runs, want) {
		t.Errorf("runs %v, want %v", runs, want)
	}
	ungrouped := &Trips{Walk: []Pair{{1, 1, 1}, {0, 1, 1}}}
	buf.Reset()
	if err := ungrouped.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		name   string
		b      []byte
		size   int64
		places int32
	}{
		{"cut short", b[:len(b)-5], int64(len(b)), 10},
		{"a size the counts do not fill", b, int64(len(b)) + 16, 10},
		{"not a trips file", append([]byte("GARBAGE!"), b[8:]...), int64(len(b)), 10},
		{"a place beyond the shard's", b, int64(len(b)), 5},
		{"not grouped by origin", buf.Bytes(), int64(buf.Len()), 10},
	} {
		if _, _, err := readAll(bad.b, bad.size, bad.places, 1); err == nil {
			t.Errorf("%s: read without error", bad.name)
		}
	}
}

// TestEachTrips reads a shard folder's trips file as the merge does: whole
// and in order, and refused, with the checksum named, when a byte changed
// after the shard ran, even where the change breaks the file's layout too.
func TestEachTrips(t *testing.T) {
	in := &Trips{
		Walk:    []Pair{{0, 1, 2.5}, {2, 0, 1}},
		Drive:   []Pair{{0, 0, 3}, {1, 2, 4}, {2, 1, 5}},
		Transit: [][]TransitPair{{{1, 1, 600}}},
	}
	var buf bytes.Buffer
	if err := in.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(b []byte) *Header {
		if err := os.WriteFile(filepath.Join(dir, TripsFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
		return &Header{Shard: 3, Origins: 3, Places: 3,
			Trips: output.File{Name: TripsFile, SHA256: output.HashBytes(buf.Bytes()), Bytes: buf.Len()}}
	}
	h := write(buf.Bytes())
	var got []Pair
	var sections []int
	if err := EachTrips(dir, h, 1, 1, func(sec int, run []Pair) error {
		got = append(got, run...)
		sections = append(sections, sec)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := append(append(slices.Clone(in.Walk), in.Drive...), Pair{1, 1, 600})
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(sections, []int{0, 0, 1, 1, 1, 2}) {
		t.Errorf("read %v in sections %v, want %v", got, sections, want)
	}
	if err := EachTrips(dir, h, 2, 1, func(int, []Pair) error { return nil }); err == nil || !strings.Contains(err.Error(), "holds 1 transit windows, the config has 2") {
		t.Errorf("a config with 2 windows: %v", err)
	}
	// An origin number past the shard's: a decoding error, but the file
	// also fails its checksum, which is what the merge must say.
	bad := slices.Clone(buf.Bytes())
	bad[len(bad)-16] = 9
	write(bad)
	err := EachTrips(dir, h, 1, 1, func(int, []Pair) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "does not match the checksum") || !strings.Contains(err.Error(), "run shard 3 again") {
		t.Errorf("a changed byte: %v", err)
	}
}
