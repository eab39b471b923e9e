package osmread

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync/atomic"

	"github.com/datadog/czlib"
	"github.com/paulmach/orb"
	"github.com/paulmach/osm"

	"commonground/internal/par"
)

// The nodes pass is most of a read: a state's extract holds hundreds of
// thousands of nodes, nearly all untagged points of ways. osmpbf decodes
// each into an osm.Node before the filter drops most; denseNodes instead
// reads the DenseNodes groups of the node blocks straight from the
// PrimitiveBlock (https://wiki.openstreetmap.org/wiki/PBF_Format), on all
// cores, and makes an osm.Node only of the tagged ones. Coordinates follow
// osmpbf's arithmetic exactly, 1e-9 * (offset + granularity * value), so
// both give the same bits. A block it does not handle (plain, non-dense
// nodes, say) makes the whole pass fall back to osmpbf.

// densePasses counts the nodes passes denseNodes made, so that tests can
// tell it ran rather than fell back.
var densePasses atomic.Int64

// errFallBack says a block needs osmpbf's decoder.
var errFallBack = errors.New("osmread: block needs the general decoder")

// nodeBlock is what one block gives the nodes pass, in file order.
type nodeBlock struct {
	hits   []nodeHit   // nodes some kept way or relation needs
	tagged []*osm.Node // tagged nodes
	bound  orb.Bound
	any    bool
}

type nodeHit struct {
	i  int32 // index in r.needed
	pt orb.Point
}

// scanNodesDense is the nodes pass on the block index; ok is false
// without an index (osmpbf then reads the file).
func (r *reader) scanNodesDense() (ok bool, err error) {
	blocks := r.blocksOf(kindNode)
	if blocks == nil {
		return false, nil
	}
	out := make([]nodeBlock, len(blocks))
	if err := r.eachBlock(blocks, func(k int, b *primBlock) error { return r.denseBlock(b, &out[k]) }); err != nil {
		return false, err
	}
	for k := range out {
		b := &out[k]
		if b.any {
			r.anyNode = true
			r.nodeBound = r.nodeBound.Extend(b.bound.Min).Extend(b.bound.Max)
		}
		for _, h := range b.hits {
			r.coords[h.i], r.have[h.i] = h.pt, true
		}
		for _, n := range b.tagged {
			r.node(n)
		}
		out[k] = nodeBlock{}
		if r.opt.Progress != nil {
			r.opt.Progress("nodes", int64(k+1), int64(len(out)))
		}
	}
	densePasses.Add(1)
	return true, nil
}

// blocksOf lists the blocks of the index that hold elements of kind, or
// nil without an index.
func (r *reader) blocksOf(kind uint8) []block {
	if r.index == nil {
		return nil
	}
	blocks := []block{}
	for _, b := range r.index.blocks {
		if b.kinds&kind != 0 {
			blocks = append(blocks, b)
		}
	}
	return blocks
}

// eachBlock reads, inflates and splits each of blocks on all cores and
// hands it to decode with its place in blocks. When some block is not as
// the decoders expect (decode returned errFallBack, or a group is of a kind
// the index did not note), it returns errStaleIndex: the read starts again
// without the index, and osmpbf names any damage.
func (r *reader) eachBlock(blocks []block, decode func(k int, b *primBlock) error) error {
	f, err := os.Open(r.path)
	if err != nil {
		return fmt.Errorf("read %s: %w", r.path, err)
	}
	defer f.Close()
	errs := make([]error, len(blocks))
	par.Each(len(blocks), func(k int) {
		if r.ctx.Err() != nil {
			errs[k] = r.ctx.Err()
			return
		}
		buf := r.bufs.get()
		defer r.bufs.put(buf)
		b, err := readBlock(f, blocks[k], buf)
		if err == nil {
			err = decode(k, &b)
		}
		errs[k] = err
	})
	for _, e := range errs {
		if e != nil {
			if cerr := r.ctx.Err(); cerr != nil {
				return fmt.Errorf("read %s: %w", r.path, cerr)
			}
			return errStaleIndex
		}
	}
	return nil
}

// errStaleIndex makes Read start again without the block index: a block
// held a group of a kind the index did not note, or a pass had to fall
// back to osmpbf, which would read by the index's spans.
var errStaleIndex = errors.New("osmread: the block index does not fit the file")

// primBlock is a PrimitiveBlock split into its parts: the string table,
// the groups still encoded, and the coordinates' scale. Its slices point
// into the worker's buffers: nothing kept may hold them.
type primBlock struct {
	buf                         *blockBuf
	strs                        [][]byte
	groups                      [][]byte
	granularity, latOff, lonOff int64
	// str caches the strings made of strs, so that a key such as
	// "highway" is one string however many elements carry it.
	str []string
	has []bool
}

// string returns entry i of the string table; ok is false out of range.
func (b *primBlock) string(i uint64) (string, bool) {
	if i >= uint64(len(b.strs)) {
		return "", false
	}
	if b.str == nil {
		b.str, b.has = make([]string, len(b.strs)), make([]bool, len(b.strs))
	}
	if !b.has[i] {
		b.str[i], b.has[i] = string(b.strs[i]), true
	}
	return b.str[i], true
}

// readBlock reads the block at sp (the 4-byte length, the BlobHeader, the
// Blob) into buf, inflates it and splits it.
func readBlock(f *os.File, sp block, buf *blockBuf) (primBlock, error) {
	b := primBlock{buf: buf, granularity: 100}
	raw, err := readFrame(f, sp.span, buf)
	if err != nil {
		return b, err
	}
	stale := false
	err = fields(raw, func(num int, v uint64, payload []byte) bool {
		switch num {
		case 1:
			err := fields(payload, func(num int, _ uint64, s []byte) bool {
				if num == 1 {
					b.strs = append(b.strs, s)
				}
				return true
			})
			return err == nil
		case 2:
			if key, n := binary.Uvarint(payload); n > 0 && groupKind(key>>3)&^sp.kinds != 0 {
				stale = true // a group the index does not know of
				return false
			}
			b.groups = append(b.groups, payload)
		case 17:
			b.granularity = int64(int32(v))
		case 19:
			b.latOff = int64(v)
		case 20:
			b.lonOff = int64(v)
		}
		return true
	})
	if stale {
		return b, errStaleIndex
	}
	return b, err
}

// readFrame reads the block at sp (a 4-byte length, the BlobHeader, the
// Blob) into buf and returns its data, inflated.
func readFrame(f *os.File, sp span, buf *blockBuf) ([]byte, error) {
	frame := grow(&buf.frame, int(sp.to-sp.from))
	if _, err := f.ReadAt(frame, sp.from); err != nil {
		return nil, err
	}
	if len(frame) < 4 {
		return nil, errFallBack
	}
	hl := int(binary.BigEndian.Uint32(frame))
	if hl > len(frame)-4 {
		return nil, errFallBack
	}
	return inflateBlob(frame[4+hl:], &buf.raw)
}

// denseBlock reads one block's dense nodes: the untagged ones only where
// needed (their coordinates), the tagged ones in full.
func (r *reader) denseBlock(b *primBlock, nb *nodeBlock) error {
	return eachDense(b, func(dense []byte) error { return r.denseGroup(dense, b, nb) })
}

// eachDense calls fn with each DenseNodes message of a block; a group of
// plain nodes makes it fall back to osmpbf.
func eachDense(b *primBlock, fn func(dense []byte) error) error {
	for _, g := range b.groups {
		var dense []byte
		bad := false
		if err := fields(g, func(num int, _ uint64, payload []byte) bool {
			switch {
			case num == 2 && payload != nil:
				dense = payload
			case num == 1:
				bad = true // plain nodes: osmpbf's decoder reads them
			}
			return !bad // ways and relations are other passes' work
		}); err != nil || bad {
			return errFallBack
		}
		if dense == nil {
			continue
		}
		if err := fn(dense); err != nil {
			return err
		}
	}
	return nil
}

// insidePasses counts the clip passes scanInsideDense made, for the tests.
var insidePasses atomic.Int64

// scanInsideDense lists the nodes inside clip, as scanInside does, on the
// block index; ok is false without an index.
func (r *reader) scanInsideDense(clip orb.Bound) (ok bool, err error) {
	blocks := r.blocksOf(kindNode)
	if blocks == nil {
		return false, nil
	}
	out := make([][]int64, len(blocks))
	if err := r.eachBlock(blocks, func(k int, b *primBlock) error {
		return eachDense(b, func(dense []byte) error {
			var err error
			out[k], err = denseInside(dense, b, clip, out[k])
			return err
		})
	}); err != nil {
		return false, err
	}
	n := 0
	for _, ids := range out {
		n += len(ids)
	}
	r.inside = make([]int64, 0, n)
	for _, ids := range out {
		r.inside = append(r.inside, ids...)
	}
	insidePasses.Add(1)
	return true, nil
}

// denseInside appends to ids those of a DenseNodes message's nodes that
// lie inside clip, their coordinates worked out as in denseGroup.
func denseInside(b []byte, blk *primBlock, clip orb.Bound, ids []int64) ([]int64, error) {
	var idb, lats, lons []byte
	var f packedSet
	f[1], f[8], f[9] = &idb, &lats, &lons
	if _, ok := f.read(b); !ok {
		return ids, errFallBack
	}
	var id, lat, lon int64
	for len(idb) > 0 {
		d, n := binary.Uvarint(idb)
		if n <= 0 {
			return ids, errFallBack
		}
		idb = idb[n:]
		id += unzigzag(d)
		if d, n = binary.Uvarint(lats); n <= 0 {
			return ids, errFallBack
		}
		lats = lats[n:]
		lat += unzigzag(d)
		if d, n = binary.Uvarint(lons); n <= 0 {
			return ids, errFallBack
		}
		lons = lons[n:]
		lon += unzigzag(d)
		pt := orb.Point{1e-9 * float64(blk.lonOff+blk.granularity*lon), 1e-9 * float64(blk.latOff+blk.granularity*lat)}
		if clip.Contains(pt) {
			ids = append(ids, id)
		}
	}
	if len(lats) != 0 || len(lons) != 0 {
		return ids, errFallBack
	}
	return ids, nil
}

// denseGroup decodes one DenseNodes message: ids (field 1), lats (8),
// lons (9), packed and delta-coded as zigzag varints, and keys_vals (10):
// string indices, key then value, each node's list ended by 0.
func (r *reader) denseGroup(b []byte, blk *primBlock, nb *nodeBlock) error {
	scratch := blk.buf
	scratch.hits = scratch.hits[:0]
	granularity, latOff, lonOff := blk.granularity, blk.latOff, blk.lonOff
	var ids, lats, lons, kv []byte
	var f packedSet
	f[1], f[8], f[9], f[10] = &ids, &lats, &lons, &kv
	if _, ok := f.read(b); !ok {
		return errFallBack
	}
	var id, lat, lon int64
	// Ids rise through a block in a sorted file, and so does their place
	// in r.needed: each is looked for from the last one's place onwards.
	at := nextNeeded{needed: r.needed}
	for len(ids) > 0 {
		d, n := binary.Uvarint(ids)
		if n <= 0 {
			return errFallBack
		}
		ids = ids[n:]
		id += unzigzag(d)
		if d, n = binary.Uvarint(lats); n <= 0 {
			return errFallBack
		}
		lats = lats[n:]
		lat += unzigzag(d)
		if d, n = binary.Uvarint(lons); n <= 0 {
			return errFallBack
		}
		lons = lons[n:]
		lon += unzigzag(d)
		tags := scratch.tags[:0]
		if len(kv) > 0 {
			for {
				k, n := binary.Uvarint(kv)
				if n <= 0 {
					return errFallBack
				}
				kv = kv[n:]
				if k == 0 {
					break
				}
				v, n := binary.Uvarint(kv)
				if n <= 0 {
					return errFallBack
				}
				kv = kv[n:]
				ks, ok1 := blk.string(k)
				vs, ok2 := blk.string(v)
				if !ok1 || !ok2 {
					return errFallBack
				}
				tags = append(tags, osm.Tag{Key: ks, Value: vs})
				scratch.tags = tags
			}
		}
		i := at.index(id)
		if len(tags) == 0 && i < 0 {
			continue // osmpbf's FilterNode in scan drops these too
		}
		pt := orb.Point{1e-9 * float64(lonOff+granularity*lon), 1e-9 * float64(latOff+granularity*lat)}
		if nb.any {
			nb.bound = nb.bound.Extend(pt)
		} else {
			nb.bound, nb.any = orb.Bound{Min: pt, Max: pt}, true
		}
		switch {
		case r.nodeMatters(tags):
			// r.node records the coordinates of a needed tagged node.
			nb.tagged = append(nb.tagged, &osm.Node{ID: osm.NodeID(id), Lat: pt[1], Lon: pt[0], Tags: slices.Clone(tags), Visible: true})
		case i >= 0:
			scratch.hits = append(scratch.hits, nodeHit{int32(i), pt})
		}
		// Other tagged nodes (addresses, shops of no category) count only
		// for the bounds, as in r.node: no need to hold them.
	}
	if len(lats) != 0 || len(lons) != 0 {
		return errFallBack
	}
	// One allocation of the right size, not a slice grown by doubling.
	nb.hits = append(slices.Grow(nb.hits, len(scratch.hits)), scratch.hits...)
	return nil
}

// nextNeeded finds ids in a sorted list of needed ids, quickly when the
// ids asked for rise: galloping from where the last one was found
// (Bentley and Yao 1976), and by plain binary search when an id is lower
// than the one before.
type nextNeeded struct {
	needed []int64
	from   int // needed[:from] are below the last id asked for
	last   int64
	begun  bool
}

// index is id's index in needed, or -1.
func (n *nextNeeded) index(id int64) int {
	lo := 0
	if n.begun && id >= n.last {
		lo = n.from
	}
	n.begun, n.last = true, id
	// Gallop: the first power-of-two step past lo whose id is not below
	// id bounds the search.
	hi, step := lo, 1
	for hi < len(n.needed) && n.needed[hi] < id {
		lo = hi + 1
		hi += step
		step *= 2
	}
	hi = min(hi+1, len(n.needed))
	k, found := slices.BinarySearch(n.needed[lo:hi], id)
	k += lo
	n.from = k
	if !found {
		return -1
	}
	return k
}

// nodeMatters says whether r.node could make anything of a node's tags: a
// place of some category, a stop or a town. It reads only what r.node
// reads, so it may run on any goroutine.
func (r *reader) nodeMatters(tags osm.Tags) bool {
	if len(tags) == 0 {
		return false
	}
	for _, t := range tags {
		if r.match.Relevant(t.Key, t.Value) {
			return true
		}
	}
	return stopKind(tags) != "" || townKinds[tags.Find("place")]
}

func unzigzag(v uint64) int64 { return int64(v>>1) ^ -int64(v&1) }

// blockBuf is a worker's memory for a block: the block as read and as
// inflated, and a DenseNodes group's scratch (the nodes it needs, copied
// out at the end, and one node's tags, copied only when the node is kept).
// Nothing kept from a block points into it (tags are copied out as
// strings).
type blockBuf struct {
	frame, raw []byte
	zr         io.ReadCloser // the index's inflater and its reader
	br         *bufio.Reader
	hits       []nodeHit
	tags       osm.Tags
}

// blockBufs lends the workers their blockBufs, reused from block to block
// and from pass to pass of one read. (A sync.Pool would drop them at every
// collection, and at a megabyte or more each, making them anew costs more
// than what is in them.)
type blockBufs struct{ free chan *blockBuf }

func newBlockBufs() *blockBufs {
	return &blockBufs{free: make(chan *blockBuf, runtime.GOMAXPROCS(0))}
}

func (b *blockBufs) get() *blockBuf {
	select {
	case x := <-b.free:
		return x
	default:
		return new(blockBuf)
	}
}

func (b *blockBufs) put(x *blockBuf) {
	select {
	case b.free <- x:
	default:
	}
}

// grow returns (*b)[:n], reallocating *b when it is too small.
func grow(b *[]byte, n int) []byte {
	if cap(*b) < n {
		*b = make([]byte, n)
	}
	return (*b)[:n]
}

// inflateBlob returns a Blob's data: raw (field 1) or zlib (field 3, its
// size in field 2), inflated into *buf.
func inflateBlob(blob []byte, buf *[]byte) ([]byte, error) {
	var raw, zdata []byte
	var rawSize int64 = -1
	err := fields(blob, func(num int, v uint64, payload []byte) bool {
		switch num {
		case 1:
			raw = payload
		case 2:
			rawSize = int64(v)
		case 3:
			zdata = payload
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	switch {
	case raw != nil:
		return raw, nil
	case zdata != nil && rawSize >= 0 && rawSize <= maxBlob:
		z, err := czlib.NewReader(bytes.NewReader(zdata))
		if err != nil {
			return nil, err
		}
		defer z.Close()
		out := grow(buf, int(rawSize))
		if _, err := io.ReadFull(z, out); err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, errors.New("osm.pbf blob: no raw or zlib data")
}

// sortIDs sorts node ids, as slices.Sort does, by least significant digit
// radix sort (Knuth, TAOCP vol. 3, 5.2.5) on 16-bit digits: four linear
// passes instead of a comparison sort's n log n, for the half million ids
// of a state's ways. Ids may be negative (files edited offline use them):
// flipping the sign bit orders them as unsigned numbers.
func sortIDs(ids []int64) {
	if len(ids) < 1<<12 {
		slices.Sort(ids)
		return
	}
	const flip = uint64(1) << 63
	src := ids
	dst := make([]int64, len(ids))
	var count [1 << 16]int
	for shift := uint(0); shift < 64; shift += 16 {
		clear(count[:])
		for _, id := range src {
			count[(uint64(id)^flip)>>shift&0xffff]++
		}
		if count[(uint64(src[0])^flip)>>shift&0xffff] == len(src) {
			continue // every id has this digit: the pass would change nothing
		}
		at := 0
		for d, c := range count {
			count[d] = at
			at += c
		}
		for _, id := range src {
			d := (uint64(id) ^ flip) >> shift & 0xffff
			dst[count[d]] = id
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &ids[0] {
		copy(ids, src)
	}
}

// packedSet names, by field number, where read puts the payloads of a
// message's packed repeated fields.
type packedSet [11]*[]byte

// read walks message m: each field of the set gets its payload, and field
// 1, when not in the set, is the id. ok is false for damage, or for a
// field of the set written unpacked (osmpbf reads those).
func (f *packedSet) read(m []byte) (id int64, ok bool) {
	if m == nil {
		return 0, false
	}
	ok = true
	err := fields(m, func(num int, v uint64, payload []byte) bool {
		switch {
		case num < len(f) && f[num] != nil:
			if payload == nil {
				ok = false
				return false
			}
			*f[num] = payload
		case num == 1:
			id = int64(v)
		}
		return true
	})
	return id, ok && err == nil
}
