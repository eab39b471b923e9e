// Package shard splits a study into spatial parts that separate processes
// compute, and reads and writes what each part hands on to the merge.
//
// A part is a box of longitude and latitude, half-open (a point on a cut
// belongs to the part on its east or north side), and the parts tile the
// whole plane: every origin falls in exactly one part, wherever it lies.
// The cuts follow recursive coordinate bisection (Berger & Bokhari 1987,
// "A partitioning strategy for nonuniform problems on multiprocessors", IEEE
// Transactions on Computers C-36(5)): the points' longer side is cut where
// the weights on either side match the number of parts each side gets.
package shard

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Part is one shard's box: Min inclusive, Max exclusive; the outer sides
// are infinite.
type Part struct {
	Min, Max orb.Point
}

// Contains reports whether p lies in the part.
func (q Part) Contains(p orb.Point) bool {
	return p[0] >= q.Min[0] && p[0] < q.Max[0] && p[1] >= q.Min[1] && p[1] < q.Max[1]
}

// Plan cuts the plane into n parts, each with about the same total weight
// of pts (lon/lat). The cuts depend only on the points, their weights and
// their order, so every shard and the merge compute the same plan.
func Plan(pts []orb.Point, weights []float64, n int) ([]Part, error) {
	if n < 1 {
		return nil, fmt.Errorf("the number of shards must be at least 1, got %d", n)
	}
	if len(weights) != len(pts) {
		return nil, fmt.Errorf("plan shards: %d points but %d weights", len(pts), len(weights))
	}
	idx := make([]int, 0, len(pts))
	for i, p := range pts {
		if !(weights[i] >= 0) || math.IsInf(weights[i], 0) || math.IsNaN(p[0]) || math.IsNaN(p[1]) {
			return nil, fmt.Errorf("plan shards: point %d has weight %v at %v", i, weights[i], p)
		}
		idx = append(idx, i)
	}
	whole := Part{Min: orb.Point{math.Inf(-1), math.Inf(-1)}, Max: orb.Point{math.Inf(1), math.Inf(1)}}
	out := make([]Part, 0, n)
	var cut func(box Part, idx []int, n int)
	cut = func(box Part, idx []int, n int) {
		if n == 1 {
			out = append(out, box)
			return
		}
		axis := longerAxis(pts, idx)
		sorted := slices.Clone(idx)
		slices.SortFunc(sorted, func(a, b int) int {
			if c := cmp.Compare(pts[a][axis], pts[b][axis]); c != 0 {
				return c
			}
			if c := cmp.Compare(pts[a][1-axis], pts[b][1-axis]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		left := n / 2
		var total float64
		for _, i := range sorted {
			total += weights[i] + 1 // every origin costs something, even without people
		}
		goal := total * float64(left) / float64(n)
		// The cut goes midway between the last point of the low side and
		// the first of the high side, at the first coordinate change after
		// the low side's weight reaches its share, so equal coordinates
		// stay on one side.
		var acc float64
		k := 0
		for k < len(sorted) && acc+weights[sorted[k]]+1 <= goal {
			acc += weights[sorted[k]] + 1
			k++
		}
		for k > 0 && k < len(sorted) && pts[sorted[k]][axis] == pts[sorted[k-1]][axis] {
			k++
		}
		var at float64
		switch {
		case len(sorted) == 0:
			at = 0
		case k == 0:
			at = pts[sorted[0]][axis]
		case k >= len(sorted):
			at = math.Nextafter(pts[sorted[len(sorted)-1]][axis], math.Inf(1))
		default:
			at = (pts[sorted[k-1]][axis] + pts[sorted[k]][axis]) / 2
			if at <= pts[sorted[k-1]][axis] {
				at = pts[sorted[k]][axis]
			}
		}
		at = min(max(at, box.Min[axis]), box.Max[axis])
		lo, hi := box, box
		lo.Max[axis], hi.Min[axis] = at, at
		cut(lo, sorted[:k], left)
		cut(hi, sorted[k:], n-left)
	}
	cut(whole, idx, n)
	return out, nil
}

// longerAxis is 0 when the points spread farther east-west than
// north-south (longitude shrunk by the cosine of the mean latitude), else 1.
func longerAxis(pts []orb.Point, idx []int) int {
	if len(idx) == 0 {
		return 0
	}
	b := orb.Bound{Min: pts[idx[0]], Max: pts[idx[0]]}
	for _, i := range idx {
		b = b.Extend(pts[i])
	}
	dx := (b.Max[0] - b.Min[0]) * math.Cos((b.Min[1]+b.Max[1])/2*math.Pi/180)
	if dx >= b.Max[1]-b.Min[1] {
		return 0
	}
	return 1
}

// Locate returns the part that holds p.
func Locate(parts []Part, p orb.Point) int {
	for i, q := range parts {
		if q.Contains(p) {
			return i
		}
	}
	return -1
}
