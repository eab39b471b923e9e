package osmread

import (
	"encoding/binary"
	"os"
	"slices"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
)

// The relations and ways passes, like the nodes pass, read their blocks
// themselves on all cores (https://wiki.openstreetmap.org/wiki/PBF_Format
// and osmformat.proto: message Way has id 1, packed keys 2 and vals 3 into
// the string table, packed delta-coded refs 8; message Relation has id 1,
// keys 2, vals 3, roles_sid 8, delta-coded memids 9, types 10). The ways
// pass also works out what each way is for on the worker (readWay). What
// they keep is then taken in file order, as osmpbf's scan would give it.
// A block they do not handle, or a header they do not read, makes the read
// start again without the index (errStaleIndex), and osmpbf then reads
// every pass and names what is wrong.

// wayPasses counts the ways and relations passes made here, for the tests.
var wayPasses, relationPasses atomic.Int64

// capabilities are the required_features of a header a read can meet, as
// osmpbf v0.8.0 lists them.
var capabilities = map[string]bool{"OsmSchema-V0.6": true, "DenseNodes": true, "HistoricalInformation": true}

// scanRelationsDense is the relations pass on the block index, with the
// file's header; ok is false without an index.
func (r *reader) scanRelationsDense() (ok bool, err error) {
	blocks := r.blocksOf(kindRelation)
	if blocks == nil {
		return false, nil
	}
	h, ok := r.readHeader()
	if !ok {
		return false, errStaleIndex // osmpbf reads it, without the index
	}
	out := make([][]*osm.Relation, len(blocks))
	if err := r.eachBlock(blocks, func(k int, b *primBlock) error {
		var err error
		out[k], err = relationBlock(b)
		return err
	}); err != nil {
		return false, err
	}
	r.ex.Timestamp = h.timestamp
	if h.bounds != nil {
		r.ex.Bounds, r.headerBounds = *h.bounds, true
	}
	inOrder(r, "relations", out, func(rel *osm.Relation) { r.relation(rel) })
	relationPasses.Add(1)
	return true, nil
}

// pbfHeader is what a read takes from the file's HeaderBlock.
type pbfHeader struct {
	timestamp time.Time
	bounds    *orb.Bound
}

// readHeader reads the HeaderBlock (osmformat.proto: bbox 1, a HeaderBBox
// of sint64 nanodegrees left 1, right 2, top 3, bottom 4; required_features
// 4; osmosis_replication_timestamp 32, in seconds), with osmpbf's
// arithmetic for the box. ok is false for anything unusual.
func (r *reader) readHeader() (h pbfHeader, ok bool) {
	f, err := os.Open(r.path)
	if err != nil {
		return h, false
	}
	defer f.Close()
	buf := r.bufs.get()
	defer r.bufs.put(buf)
	raw, err := readFrame(f, r.index.header, buf)
	if err != nil {
		return h, false
	}
	ok = true
	err = fields(raw, func(num int, v uint64, payload []byte) bool {
		switch num {
		case 1:
			var box [5]int64
			var seen [5]bool
			if fields(payload, func(num int, v uint64, _ []byte) bool {
				if num >= 1 && num <= 4 {
					box[num], seen[num] = unzigzag(v), true
				}
				return true
			}) != nil || !seen[1] || !seen[2] || !seen[3] || !seen[4] {
				ok = false
				return false
			}
			h.bounds = &orb.Bound{
				Min: orb.Point{1e-9 * float64(box[1]), 1e-9 * float64(box[4])},
				Max: orb.Point{1e-9 * float64(box[2]), 1e-9 * float64(box[3])},
			}
		case 4:
			if !capabilities[string(payload)] {
				ok = false
				return false
			}
		case 32:
			h.timestamp = time.Unix(int64(v), 0).UTC()
		}
		return true
	})
	return h, ok && err == nil
}

// relationBlock reads the tagged relations of one block.
func relationBlock(b *primBlock) ([]*osm.Relation, error) {
	var out []*osm.Relation
	for _, g := range b.groups {
		bad := false
		err := fields(g, func(num int, _ uint64, m []byte) bool {
			if num != 4 {
				return true // nodes and ways are other passes' work
			}
			rel, ok := readRelationMsg(m, b)
			if !ok {
				bad = true
				return false
			}
			if len(rel.Tags) > 0 {
				out = append(out, rel)
			}
			return true
		})
		if err != nil || bad {
			return nil, errFallBack
		}
	}
	return out, nil
}

// readRelationMsg decodes a Relation message: id, tags and members (the
// member types as osmpbf v0.8.0 maps them: 0 node, 1 way, 2 relation).
func readRelationMsg(m []byte, b *primBlock) (*osm.Relation, bool) {
	var keys, vals, roles, memids, types []byte
	var f packedSet
	f[2], f[3], f[8], f[9], f[10] = &keys, &vals, &roles, &memids, &types
	id, ok := f.read(m)
	if !ok {
		return nil, false
	}
	rel := &osm.Relation{ID: osm.RelationID(id), Visible: true}
	if rel.Tags, ok = readTags(keys, vals, b, nil); !ok {
		return nil, false
	}
	if len(rel.Tags) == 0 {
		return rel, true // the pass keeps only tagged relations
	}
	count := 0
	for _, c := range types {
		if c < 0x80 {
			count++
		}
	}
	rel.Members = make(osm.Members, 0, count)
	var ref int64
	for len(roles) > 0 {
		ro, n1 := binary.Uvarint(roles)
		d, n2 := binary.Uvarint(memids)
		t, n3 := binary.Uvarint(types)
		if n1 <= 0 || n2 <= 0 || n3 <= 0 {
			return nil, false
		}
		roles, memids, types = roles[n1:], memids[n2:], types[n3:]
		role, ok := b.string(uint64(uint32(ro)))
		if !ok {
			return nil, false
		}
		ref += unzigzag(d)
		mem := osm.Member{Ref: ref, Role: role}
		switch t {
		case 0:
			mem.Type = osm.TypeNode
		case 1:
			mem.Type = osm.TypeWay
		case 2:
			mem.Type = osm.TypeRelation
		}
		rel.Members = append(rel.Members, mem)
	}
	if len(memids) > 0 || len(types) > 0 {
		return nil, false
	}
	return rel, true
}

// scanWaysDense is the ways pass on the block index; ok is false without
// an index.
func (r *reader) scanWaysDense() (ok bool, err error) {
	blocks := r.blocksOf(kindWay)
	if blocks == nil {
		return false, nil
	}
	out := make([][]keptWay, len(blocks))
	if err := r.eachBlock(blocks, func(k int, b *primBlock) error {
		var err error
		out[k], err = r.wayBlock(b)
		return err
	}); err != nil {
		return false, err
	}
	streets, shapes := 0, 0
	for _, ways := range out {
		for _, w := range ways {
			if w.street {
				streets++
			}
			if w.shape != nil {
				shapes++
			}
		}
	}
	r.streets = slices.Grow(r.streets, streets)
	r.shapes = slices.Grow(r.shapes, shapes)
	inOrder(r, "ways", out, r.keepWay)
	wayPasses.Add(1)
	return true, nil
}

// wayBlock reads the ways of one block and keeps those readWay keeps.
func (r *reader) wayBlock(b *primBlock) ([]keptWay, error) {
	var out []keptWay
	err := eachWayMsg(b, func(id int64, tags osm.Tags, refs []int64) {
		if _, member := r.memberWays[id]; !member && len(tags) == 0 {
			return
		}
		k := r.readWay(id, tags, refs)
		if k.member || k.street || k.shape != nil {
			k.nodes = slices.Clone(refs)
			if k.shape != nil {
				k.shape.nodes = k.nodes
			}
			out = append(out, k)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachWayMsg calls fn with each way of block b: its id, tags and node ids,
// lent for the call only (what is kept of them must be copied). It returns
// errFallBack for anything osmpbf should read instead.
func eachWayMsg(b *primBlock, fn func(id int64, tags osm.Tags, refs []int64)) error {
	var tags osm.Tags // one way's, reused
	var refs []int64  // likewise
	for _, g := range b.groups {
		bad := false
		err := fields(g, func(num int, _ uint64, w []byte) bool {
			if num != 3 {
				return true // nodes and relations are other passes' work
			}
			var id int64
			var ok bool
			if id, tags, refs, ok = readWayMsg(w, b, tags[:0], refs[:0]); !ok {
				bad = true
				return false
			}
			fn(id, tags, refs)
			return true
		})
		if err != nil || bad {
			return errFallBack
		}
	}
	return nil
}

// readWayMsg decodes a Way message: its id, tags (appended to tags) and
// node ids (appended to refs). ok is false for anything osmpbf should
// read instead: damage, or a field not packed as the format says.
func readWayMsg(w []byte, b *primBlock, tags osm.Tags, refs []int64) (id int64, _ osm.Tags, _ []int64, ok bool) {
	var keys, vals, deltas []byte
	var f packedSet
	f[2], f[3], f[8] = &keys, &vals, &deltas
	if id, ok = f.read(w); !ok {
		return 0, tags, refs, false
	}
	if tags, ok = readTags(keys, vals, b, tags); !ok {
		return 0, tags, refs, false
	}
	var ref int64
	for len(deltas) > 0 {
		d, n := binary.Uvarint(deltas)
		if n <= 0 {
			return 0, tags, refs, false
		}
		deltas = deltas[n:]
		ref += unzigzag(d)
		refs = append(refs, ref)
	}
	return id, tags, refs, true
}

// readTags appends to tags the tags of packed keys and vals (indices into
// the string table).
func readTags(keys, vals []byte, b *primBlock, tags osm.Tags) (osm.Tags, bool) {
	for len(keys) > 0 || len(vals) > 0 {
		k, n := binary.Uvarint(keys)
		v, m := binary.Uvarint(vals)
		if n <= 0 || m <= 0 {
			return tags, false
		}
		keys, vals = keys[n:], vals[m:]
		ks, ok1 := b.string(k)
		vs, ok2 := b.string(v)
		if !ok1 || !ok2 {
			return tags, false
		}
		tags = append(tags, osm.Tag{Key: ks, Value: vs})
	}
	return tags, true
}

// inOrder keeps what each block gave, in file order, letting go of each
// block's list once kept.
func inOrder[T any](r *reader, stage string, out [][]T, keep func(T)) {
	for k, items := range out {
		for _, it := range items {
			keep(it)
		}
		out[k] = nil
		if r.opt.Progress != nil {
			r.opt.Progress(stage, int64(k+1), int64(len(out)))
		}
	}
}
