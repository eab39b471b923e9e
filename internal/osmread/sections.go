package osmread

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"os"

	"commonground/internal/par"
)

// A .osm.pbf file is a sequence of blocks: a 4-byte big-endian length, a
// BlobHeader message (its type, "OSMHeader" or "OSMData", and the size of
// the Blob that follows), then the Blob, usually zlib-compressed; a data
// Blob holds a PrimitiveBlock: a string table, then PrimitiveGroups, each
// of one kind of element (https://wiki.openstreetmap.org/wiki/PBF_Format).
// Read makes three passes (relations, ways, nodes), and each used to
// decompress the whole file. indexBlocks decompresses the start of every
// block and notes which kinds it holds, so each pass decompresses only its
// own blocks: in a file sorted by type, as extracts are, the ways are a
// tenth of the blocks (in Delaware's extract, 40% of the bytes) and the
// relations a block or two.

// Kinds of elements, as bits of block.kinds.
const (
	kindNode uint8 = 1 << iota
	kindWay
	kindRelation
)

// span is a byte range [from, to) of the file.
type span struct{ from, to int64 }

// block is one data block of the file and the kinds of element it holds.
type block struct {
	span
	kinds uint8
}

// blockIndex is where the file's header block and data blocks lie.
type blockIndex struct {
	header span
	blocks []block
}

// maxBlobHeader and maxBlob are the format's limits (64 KiB, 32 MiB).
const (
	maxBlobHeader = 64 << 10
	maxBlob       = 32 << 20
)

// indexBlocks reads the block framing of the file at path and the kinds of
// element each data block holds, decompressing the blocks on all cores.
// ok is false when anything about the file is unusual (damage,
// a compression other than zlib): Read then makes full passes, which
// report damage in the decoder's words.
func indexBlocks(f *os.File, bufs *blockBufs) (x *blockIndex, ok bool) {
	type frame struct {
		at, data, size int64 // block start, Blob start, Blob size
	}
	var frames []frame
	var at int64
	var head [4]byte
	r := bufio.NewReaderSize(io.NewSectionReader(f, 0, 1<<62), 64<<10)
	for {
		if _, err := io.ReadFull(r, head[:]); err == io.EOF {
			break
		} else if err != nil {
			return nil, false
		}
		n := int64(binary.BigEndian.Uint32(head[:]))
		if n <= 0 || n > maxBlobHeader {
			return nil, false
		}
		hb := make([]byte, n)
		if _, err := io.ReadFull(r, hb); err != nil {
			return nil, false
		}
		typ, size, err := blobHeader(hb)
		if err != nil || size <= 0 || size > maxBlob {
			return nil, false
		}
		if (len(frames) == 0) != (typ == "OSMHeader") || (len(frames) > 0 && typ != "OSMData") {
			return nil, false
		}
		frames = append(frames, frame{at: at, data: at + 4 + n, size: size})
		at += 4 + n + size
		if _, err := r.Discard(int(size)); err != nil {
			return nil, false
		}
	}
	if len(frames) < 2 {
		return nil, false
	}
	x = &blockIndex{header: span{0, frames[1].at}, blocks: make([]block, len(frames)-1)}
	bad := make([]bool, len(x.blocks))
	par.Each(len(x.blocks), func(k int) {
		fr := frames[k+1]
		buf := bufs.get()
		defer bufs.put(buf)
		blob := grow(&buf.frame, int(fr.size))
		if _, err := f.ReadAt(blob, fr.data); err != nil {
			bad[k] = true
			return
		}
		kinds, err := blockKind(blob, buf)
		x.blocks[k] = block{span: span{fr.at, fr.data + fr.size}, kinds: kinds}
		bad[k] = err != nil
	})
	for _, b := range bad {
		if b {
			return nil, false
		}
	}
	// A block's later groups, in a file sorted by type (nodes, ways,
	// relations), are of its first group's kind or of a kind up to the
	// next block's first: where the kinds change, a block may hold the
	// end of one and the start of the next (Delaware's extract does, twice).
	// The last block may hold anything after its first kind. An unsorted
	// file shows itself to the passes (readBlock) and is read again
	// without the index.
	for k := range x.blocks {
		first := x.blocks[k].kinds
		if first == 0 {
			continue
		}
		next := uint8(kindRelation)
		for j := k + 1; j < len(x.blocks); j++ {
			if x.blocks[j].kinds != 0 {
				next = lowest(x.blocks[j].kinds)
				break
			}
		}
		if next > first {
			x.blocks[k].kinds |= (next<<1 - 1) &^ (first - 1)
		}
	}
	return x, true
}

// lowest is the lowest kind among kinds.
func lowest(kinds uint8) uint8 { return kinds & -kinds }

// blockKind returns the kind of a data Blob's first PrimitiveGroup. A
// zlib Blob is inflated only as far as that group's first field: past the
// string table, which the writers put first, but not through the groups,
// most of a block. What kinds its later groups may be, indexBlocks works
// out from the blocks after it; the passes that read a block whole check
// (readBlock), and a read whose index was wrong is made again without it.
func blockKind(blob []byte, buf *blockBuf) (uint8, error) {
	var raw, zdata []byte
	if err := fields(blob, func(num int, v uint64, payload []byte) bool {
		switch num {
		case 1:
			raw = payload
		case 3:
			zdata = payload
		}
		return true
	}); err != nil {
		return 0, err
	}
	var r *bufio.Reader
	switch {
	case raw != nil:
		r = bufio.NewReader(bytes.NewReader(raw))
	case zdata != nil:
		if buf.zr == nil {
			zr, err := zlib.NewReader(bytes.NewReader(zdata))
			if err != nil {
				return 0, err
			}
			buf.zr = zr
		} else if err := buf.zr.(zlib.Resetter).Reset(bytes.NewReader(zdata), nil); err != nil {
			return 0, err
		}
		if buf.br == nil {
			buf.br = bufio.NewReaderSize(buf.zr, 4096)
		} else {
			buf.br.Reset(buf.zr)
		}
		r = buf.br
	default:
		return 0, errors.New("osm.pbf blob: no raw or zlib data")
	}
	for {
		key, err := binary.ReadUvarint(r)
		if err == io.EOF {
			return 0, nil // no groups
		} else if err != nil {
			return 0, err
		}
		switch key & 7 {
		case 0:
			_, err = binary.ReadUvarint(r)
		case 1:
			_, err = r.Discard(8)
		case 5:
			_, err = r.Discard(4)
		case 2:
			var l uint64
			if l, err = binary.ReadUvarint(r); err != nil {
				return 0, err
			}
			if key>>3 == 2 && l > 0 {
				gk, err := binary.ReadUvarint(r)
				if err != nil {
					return 0, err
				}
				return groupKind(gk >> 3), nil
			}
			if l > maxBlob {
				return 0, errors.New("protobuf: bad length")
			}
			_, err = r.Discard(int(l))
		default:
			return 0, errors.New("protobuf: unknown wire type")
		}
		if err != nil {
			return 0, err
		}
	}
}

// groupKind is the kind of a PrimitiveGroup whose first field is num:
// nodes 1, dense nodes 2, ways 3, relations 4 (changesets 5 are not kept).
func groupKind(num uint64) uint8 {
	switch num {
	case 1, 2:
		return kindNode
	case 3:
		return kindWay
	case 4:
		return kindRelation
	}
	return 0
}

// blobHeader parses a BlobHeader: type (field 1) and datasize (field 3).
func blobHeader(b []byte) (typ string, size int64, err error) {
	err = fields(b, func(num int, v uint64, payload []byte) bool {
		switch num {
		case 1:
			typ = string(payload)
		case 3:
			size = int64(v)
		}
		return true
	})
	return typ, size, err
}

// fields walks the top-level fields of a protobuf message, handing fn each
// field's number and its varint value or length-delimited payload, until
// fn returns false. Wire types other than varint, length-delimited and
// fixed 32/64 are an error.
func fields(b []byte, fn func(num int, v uint64, payload []byte) bool) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("protobuf: bad field key")
		}
		b = b[n:]
		num := int(key >> 3)
		var v uint64
		var payload []byte
		switch key & 7 {
		case 0:
			v, n = binary.Uvarint(b)
			if n <= 0 {
				return errors.New("protobuf: bad varint")
			}
			b = b[n:]
		case 1:
			if len(b) < 8 {
				return errors.New("protobuf: short fixed64")
			}
			b = b[8:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return errors.New("protobuf: bad length")
			}
			payload = b[n : n+int(l)]
			b = b[n+int(l):]
		case 5:
			if len(b) < 4 {
				return errors.New("protobuf: short fixed32")
			}
			b = b[4:]
		default:
			return errors.New("protobuf: unknown wire type")
		}
		if !fn(num, v, payload) {
			return nil
		}
	}
	return nil
}
