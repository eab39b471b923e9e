package gpkg

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// box is one spatial-index entry: a feature's fid and envelope.
type box struct {
	id                     int64
	minX, maxX, minY, maxY float64
}

// rtreeMaxCells is RTREE_MAXCELLS of SQLite's R-tree module (ext/rtree/rtree.c):
// a node holds at most 51 cells, and a new 2-D index's nodes are
// 4 + 51 * 24 bytes long.
const rtreeMaxCells = 51

// bulkLoad fills the layer's R-tree by writing its three shadow tables
// directly, as GDAL also does, instead of inserting the entries one by one
// through the virtual table, which re-balances the tree after each and took
// most of the time of writing a GeoPackage. The tree is packed
// Sort-Tile-Recursive (Leutenegger, Lopez and Edgington, "STR: a simple and
// efficient algorithm for R-tree packing", ICDE 1997): entries sorted into
// vertical slices by x, each slice by y, cut into full nodes; the same again
// for the nodes of each level up to the root. The layout follows rtree.c:
//
//   - %_node(nodeno, data): the root is node 1. data is the node: a 2-byte
//     big-endian depth (read only at the root: 0 when the root is a leaf),
//     a 2-byte cell count, then cells of an 8-byte big-endian rowid (a fid
//     in a leaf, a child's nodeno above) and minX, maxX, minY, maxY as
//     big-endian 32-bit floats, rounded outwards as the module does;
//   - %_rowid(rowid, nodeno): the leaf holding each fid;
//   - %_parent(nodeno, parentnode): the parent of every node but the root.
//
// SQLite's rtreecheck() verifies the result in the tests.
func (l *Layer) bulkLoad() error {
	if len(l.boxes) == 0 {
		return nil
	}
	c := l.w.c
	name := "rtree_" + l.name + "_geom"
	// The node size is that of the root the module made with the table.
	size, err := c.queryInt("SELECT length(data) FROM " + quote(name+"_node") + " WHERE nodeno = 1")
	if err != nil {
		return err
	}
	perNode := min((int(size)-4)/24, rtreeMaxCells)
	if perNode < 2 {
		return fmt.Errorf("r-tree node of %d bytes is too small", size)
	}
	node, err := c.prepare("INSERT OR REPLACE INTO " + quote(name+"_node") + " VALUES (?, ?)")
	if err != nil {
		return err
	}
	defer node.finalize()
	rowid, err := c.prepare("INSERT INTO " + quote(name+"_rowid") + " (rowid, nodeno) VALUES (?, ?)")
	if err != nil {
		return err
	}
	defer rowid.finalize()
	parent, err := c.prepare("INSERT INTO " + quote(name+"_parent") + " VALUES (?, ?)")
	if err != nil {
		return err
	}
	defer parent.finalize()

	level := l.boxes
	next := int64(2) // node numbers below the root
	data := make([]byte, size)
	for depth := 0; ; depth++ {
		groups := strPack(level, perNode)
		root := len(groups) == 1
		up := make([]box, 0, len(groups))
		for _, g := range groups {
			no := int64(1)
			if !root {
				no = next
				next++
			}
			clear(data)
			if root {
				binary.BigEndian.PutUint16(data, uint16(depth))
			}
			binary.BigEndian.PutUint16(data[2:], uint16(len(g)))
			b := box{id: no, minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
			for k, e := range g {
				cell := data[4+24*k:]
				binary.BigEndian.PutUint64(cell, uint64(e.id))
				binary.BigEndian.PutUint32(cell[8:], math.Float32bits(down(e.minX)))
				binary.BigEndian.PutUint32(cell[12:], math.Float32bits(up32(e.maxX)))
				binary.BigEndian.PutUint32(cell[16:], math.Float32bits(down(e.minY)))
				binary.BigEndian.PutUint32(cell[20:], math.Float32bits(up32(e.maxY)))
				b.minX, b.maxX = min(b.minX, e.minX), max(b.maxX, e.maxX)
				b.minY, b.maxY = min(b.minY, e.minY), max(b.maxY, e.maxY)
				if depth == 0 {
					rowid.bindInt(1, e.id)
					rowid.bindInt(2, no)
					if err := rowid.step(); err != nil {
						return err
					}
				} else {
					parent.bindInt(1, e.id)
					parent.bindInt(2, no)
					if err := parent.step(); err != nil {
						return err
					}
				}
			}
			node.bindInt(1, no)
			node.blob(2, data)
			if err := node.step(); err != nil {
				return err
			}
			up = append(up, b)
		}
		if root {
			return nil
		}
		level = up
	}
}

// strPack cuts entries into groups of at most n, Sort-Tile-Recursive: into
// ceil(sqrt(P)) vertical slices by centre x, where P is the number of groups,
// each slice sorted by centre y and cut into groups of n. It reorders es.
func strPack(es []box, n int) [][]box {
	groups := (len(es) + n - 1) / n
	if groups <= 1 {
		return [][]box{es}
	}
	strips := int(math.Ceil(math.Sqrt(float64(groups))))
	per := strips * n // entries per slice
	// Stable sorts by centre: the order of sort.SliceStable with "<", by
	// generics rather than reflection.
	byX := func(a, b box) int { return order(a.minX+a.maxX, b.minX+b.maxX) }
	byY := func(a, b box) int { return order(a.minY+a.maxY, b.minY+b.maxY) }
	slices.SortStableFunc(es, byX)
	out := make([][]box, 0, groups)
	for s := 0; s < len(es); s += per {
		sl := es[s:min(s+per, len(es))]
		slices.SortStableFunc(sl, byY)
		for k := 0; k < len(sl); k += n {
			out = append(out, sl[k:min(k+n, len(sl))])
		}
	}
	return out
}

// down and up32 round a coordinate to a 32-bit float no greater, or no
// less, than it, so a node's box always holds the exact envelope (rtree.c
// rtreeValueDown and rtreeValueUp).
func down(x float64) float32 {
	f := float32(x)
	if float64(f) > x {
		f = math.Nextafter32(f, float32(math.Inf(-1)))
	}
	return f
}

func up32(x float64) float32 {
	f := float32(x)
	if float64(f) < x {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}

// order compares as "<" does: values neither below the other are equal.
func order(a, b float64) int {
	switch {
	case a < b:
		return -1
	case b < a:
		return 1
	}
	return 0
}
