package osmread

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"

	"commonground/internal/testdata"
	"os/exec"
	"strconv"
	"strings"
)

// TestBlockIndex checks the kinds the index gives each block of the
// Delaware extract against what the osmpbf decoder finds in that block
// alone, and that the index finds what a sorted extract should: nodes in
// most blocks, ways in a tenth of them, relations at the end.
func TestBlockIndex(t *testing.T) {
	f, x := delawareIndex(t, testdata.DelawarePBF(t))
	count := map[uint8]int{}
	for k, b := range x.blocks {
		// The header block and this block alone, through the decoder.
		in := io.MultiReader(io.NewSectionReader(f, x.header.from, x.header.to-x.header.from), io.NewSectionReader(f, b.from, b.to-b.from))
		s := osmpbf.New(context.Background(), in, 1)
		var want uint8
		for s.Scan() {
			switch s.Object().(type) {
			case *osm.Node:
				want |= kindNode
			case *osm.Way:
				want |= kindWay
			case *osm.Relation:
				want |= kindRelation
			}
		}
		if err := s.Err(); err != nil {
			t.Fatalf("block %d: %v", k, err)
		}
		s.Close()
		if b.kinds != want {
			t.Errorf("block %d at byte %d: index says kinds %03b, the decoder finds %03b", k, b.from, b.kinds, want)
		}
		for _, kind := range []uint8{kindNode, kindWay, kindRelation} {
			if b.kinds&kind != 0 {
				count[kind]++
			}
		}
	}
	if len(x.blocks) != 100 || count[kindNode] != 91 || count[kindWay] != 10 || count[kindRelation] != 1 {
		t.Errorf("%d blocks, %d with nodes, %d with ways, %d with relations; the decoder, block by block, found 100 data blocks, 91, 10 and 1 when this test was written", len(x.blocks), count[kindNode], count[kindWay], count[kindRelation])
	}
	if sp := x.spans(kindWay); len(sp) != 1 || sp[0].to-sp[0].from >= (x.blocks[len(x.blocks)-1].to)/2 {
		t.Errorf("ways lie in %v: want one run of blocks, under half the file", sp)
	}
}

// TestReadWithoutIndex: reading only each pass's own blocks gives the same
// extract as reading the whole file in every pass, whole and clipped.
func TestReadWithoutIndex(t *testing.T) {
	path := testdata.DelawarePBF(t)
	box := orb.Bound{Min: orb.Point{-75.60, 39.10}, Max: orb.Point{-75.45, 39.20}}
	for _, opt := range []Options{{}, {Clip: &box}} {
		passes, wpasses, rpasses, ipasses := densePasses.Load(), wayPasses.Load(), relationPasses.Load(), insidePasses.Load()
		with, err := Read(context.Background(), path, opt)
		if err != nil {
			t.Fatal(err)
		}
		clipped := int64(0)
		if opt.Clip != nil {
			clipped = 1
		}
		if densePasses.Load() != passes+1 || wayPasses.Load() != wpasses+1 || relationPasses.Load() != rpasses+1 || insidePasses.Load() != ipasses+clipped {
			t.Fatalf("clip %v: the nodes, ways, relations or clip pass fell back to osmpbf's decoder; the block decoders are what this compares", opt.Clip)
		}
		useIndex = false
		without, err := Read(context.Background(), path, opt)
		useIndex = true
		if err != nil {
			t.Fatal(err)
		}
		if len(with.Ways) < 1000 || len(with.Places) == 0 {
			t.Fatalf("clip %v: %d ways, %d places: the read found almost nothing", opt.Clip, len(with.Ways), len(with.Places))
		}
		if !reflect.DeepEqual(with, without) {
			t.Errorf("clip %v: the read with the block index differs from the full passes' (%d and %d ways, %d and %d places)", opt.Clip, len(with.Ways), len(without.Ways), len(with.Places), len(without.Places))
		}
	}
}

// TestNextNeeded: the galloping lookup finds what binary search finds, for
// ids rising, falling back, repeated and beyond either end of the list.
func TestNextNeeded(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	for c := range 50 {
		var needed []int64
		for id := int64(rng.IntN(20)); len(needed) < rng.IntN(300); id += 1 + int64(rng.IntN(40)) {
			needed = append(needed, id)
		}
		n := nextNeeded{needed: needed}
		id := int64(rng.IntN(10)) - 5
		for range 400 {
			if rng.IntN(10) == 0 {
				id -= int64(rng.IntN(200)) // a fall back
			} else {
				id += int64(rng.IntN(25))
			}
			want, ok := slices.BinarySearch(needed, id)
			if !ok {
				want = -1
			}
			if got := n.index(id); got != want {
				t.Fatalf("case %d: id %d at %d, want %d", c, id, got, want)
			}
		}
	}
}

// TestSortIDs: the radix sort orders ids as slices.Sort does: negative and
// positive, repeated, all sharing their high digits, and short lists.
func TestSortIDs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 3))
	for c := range 30 {
		n := rng.IntN(20000)
		ids := make([]int64, n)
		for i := range ids {
			switch c % 3 {
			case 0:
				ids[i] = rng.Int64() - rng.Int64()
			case 1:
				ids[i] = 4_000_000_000 + rng.Int64N(1_000_000) // high digits shared
			default:
				ids[i] = rng.Int64N(50) - 25 // repeats, both signs
			}
		}
		want := slices.Clone(ids)
		slices.Sort(want)
		sortIDs(ids)
		if !slices.Equal(ids, want) {
			t.Fatalf("case %d (%d ids): not in slices.Sort's order", c, n)
		}
	}
}

// TestReadStaleIndex: a file whose blocks are out of type order, with the
// Delaware extract's block of nodes and ways moved to the front, where the
// index (which knows a block by its first group and its neighbours) takes
// it for nodes only. The nodes pass meets its ways group and the read is
// made again without the index: the extract is the one of full passes.
func TestReadStaleIndex(t *testing.T) {
	src := testdata.DelawarePBF(t)
	f, x := delawareIndex(t, src)
	mixed := -1
	for k, b := range x.blocks {
		if b.kinds == kindNode|kindWay {
			mixed = k
		}
	}
	if mixed < 1 {
		t.Fatal("the Delaware extract has no block of nodes and ways after its first")
	}
	copyRange := func(w io.Writer, sp span) {
		if _, err := io.Copy(w, io.NewSectionReader(f, sp.from, sp.to-sp.from)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "reordered.osm.pbf")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	copyRange(out, x.header)
	copyRange(out, x.blocks[mixed].span)
	for k, b := range x.blocks {
		if k != mixed {
			copyRange(out, b.span)
		}
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	stale := staleReads.Load()
	with, err := Read(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if staleReads.Load() != stale+1 {
		t.Fatal("the read did not find the index stale; this test needs it to")
	}
	useIndex = false
	without, err := Read(context.Background(), path, Options{})
	useIndex = true
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(with, without) {
		t.Errorf("the read again without the index differs from the full passes' (%d and %d ways)", len(with.Ways), len(without.Ways))
	}
	orig, err := Read(context.Background(), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(with.Ways) != len(orig.Ways) || len(with.Places) != len(orig.Places) {
		t.Errorf("the reordered file gives %d streets and %d places, the original %d and %d", len(with.Ways), len(with.Places), len(orig.Ways), len(orig.Places))
	}
}

// delawareIndex opens the extract at path (closed when the test ends) and
// indexes its blocks.
func delawareIndex(t *testing.T, path string) (*os.File, *blockIndex) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	x, ok := indexBlocks(f, newBlockBufs())
	if !ok {
		t.Fatal("no block index for the Delaware extract")
	}
	return f, x
}

// spans lists the byte ranges of the blocks that hold kind, in file order,
// neighbours joined.
func (x *blockIndex) spans(kind uint8) []span {
	var out []span
	for _, b := range x.blocks {
		if b.kinds&kind == 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].to == b.from {
			out[n-1].to = b.to
		} else {
			out = append(out, b.span)
		}
	}
	return out
}

// TestMaxWayValue compares the largest numeric maxspeed of Delaware's
// highway ways, read on the block index, with osmpbf's pass and with
// osmium's listing of the same ways.
func TestMaxWayValue(t *testing.T) {
	path := testdata.DelawarePBF(t)
	num := func(s string) (float64, bool) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, " mph"), 64)
		return v, err == nil
	}
	with, err := MaxWayValue(context.Background(), path, "maxspeed", num)
	if err != nil {
		t.Fatal(err)
	}
	useIndex = false
	without, err := MaxWayValue(context.Background(), path, "maxspeed", num)
	useIndex = true
	if err != nil {
		t.Fatal(err)
	}
	if with != without {
		t.Errorf("maxspeed %v on the block index, %v by osmpbf", with, without)
	}
	if _, err := exec.LookPath("osmium"); err != nil {
		t.Skip("osmium not installed (make deps-test)")
	}
	out, err := exec.Command("osmium", "cat", "-t", "way", "-f", "opl", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		var tags string
		for _, x := range f {
			if strings.HasPrefix(x, "T") {
				tags = x[1:]
			}
		}
		kv := map[string]string{}
		for _, p := range strings.Split(tags, ",") {
			if k, v, ok := strings.Cut(p, "="); ok {
				kv[k] = strings.ReplaceAll(v, "%20%", " ")
			}
		}
		if kv["highway"] == "" {
			continue
		}
		if v, ok := num(kv["maxspeed"]); ok {
			want = max(want, v)
		}
	}
	t.Logf("largest maxspeed of a highway way: %v", with)
	if with != want || want == 0 {
		t.Errorf("maxspeed %v, osmium's listing gives %v", with, want)
	}
}
