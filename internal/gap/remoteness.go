package gap

import (
	"math"
	"sort"
)

// Centre is a population centre: a cluster of contiguous urban cells, the
// places where services concentrate. Cells are 8-connected on the grid.
type Centre struct {
	Cells []int // indexes into the cell arrays given to Centres
	Pop   float64
}

// Centres clusters urban cells into population centres of at least minPop
// people, largest first. gridIndex[i] is cell i's index on a grid of cols
// columns (index = row*cols + col). Mirroring how Statistics Canada's
// population centres and Australia's urban centres are built from
// contiguous dense blocks, a centre is a connected patch of cells that meet
// the urban density rule.
func Centres(gridIndex []int, cols int, pop []float64, urban []bool, minPop float64) []Centre {
	at := map[int]int{}
	for i, g := range gridIndex {
		if urban[i] {
			at[g] = i
		}
	}
	parent := make([]int, len(gridIndex))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i, g := range gridIndex {
		if !urban[i] {
			continue
		}
		r, c := g/cols, g%cols
		for dr := -1; dr <= 1; dr++ {
			for dc := -1; dc <= 1; dc++ {
				if dr == 0 && dc == 0 || c+dc < 0 || c+dc >= cols {
					continue
				}
				if j, ok := at[(r+dr)*cols+c+dc]; ok {
					a, b := find(i), find(j)
					if a != b {
						parent[max(a, b)] = min(a, b)
					}
				}
			}
		}
	}
	groups := map[int]*Centre{}
	for i := range gridIndex {
		if !urban[i] {
			continue
		}
		root := find(i)
		c, ok := groups[root]
		if !ok {
			c = &Centre{}
			groups[root] = c
		}
		c.Cells = append(c.Cells, i)
		c.Pop += pop[i]
	}
	var out []Centre
	for _, c := range groups {
		if c.Pop >= minPop {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pop != out[j].Pop {
			return out[i].Pop > out[j].Pop
		}
		return out[i].Cells[0] < out[j].Cells[0]
	})
	return out
}

// ARIACategories are the lower population bounds of the five service-centre
// categories of ARIA+ (A: 250,000 or more; B: 48,000; C: 18,000; D: 5,000;
// E: 1,000), from the Accessibility/Remoteness Index of Australia (GISCA,
// University of Adelaide; ARIA Review Report, Department of Health 2011).
var ARIACategories = [5]float64{250000, 48000, 18000, 5000, 1000}

// ARIA computes an ARIA+-style remoteness score for every cell, following the
// method of the Accessibility/Remoteness Index of Australia: for each of the
// five centre categories, the travel cost from the cell to the nearest
// centre of at least that category's size (a larger centre offers what a
// smaller one does) is divided by a reference cost for the category and
// capped at 3; the five ratios are summed, giving 0 (most accessible) to 15
// (most remote).
//
// ARIA+ uses road distance and Australia-wide means as references. Here the
// cost is drive time in minutes (the fastest route, not the shortest), and a
// reference of 0 or less means "the mean over this study's cells", which
// makes scores relative to the study region; give fixed references to
// compare regions. A category with no centre reachable counts the cap, 3.
// times[k][i] is the minutes from cell i to the nearest category-k centre
// (NaN when none is reachable).
func ARIA(times [5][]float64, ref [5]float64) (score []float64, used [5]float64) {
	n := len(times[0])
	score = make([]float64, n)
	for k := 0; k < 5; k++ {
		used[k] = ref[k]
		if used[k] <= 0 {
			var s float64
			var m int
			for _, t := range times[k] {
				if !math.IsNaN(t) {
					s += t
					m++
				}
			}
			if m > 0 {
				used[k] = s / float64(m)
			}
		}
		for i, t := range times[k] {
			switch {
			case math.IsNaN(t) || used[k] <= 0 && t > 0:
				score[i] += 3
			case used[k] <= 0: // every reachable cell is inside such a centre
			default:
				score[i] += math.Min(3, t/used[k])
			}
		}
	}
	return score, used
}

// ARIA+ score cut-offs of the Australian remoteness areas: Major Cities up
// to 0.2, Inner Regional up to 2.4, Outer Regional up to 5.92, Remote up to
// 10.53, Very Remote above (ABS Remoteness Structure).
const (
	ARIAInnerRegional = 0.2
	ARIAOuterRegional = 2.4
	ARIARemote        = 5.92
	ARIAVeryRemote    = 10.53
)

// RemotenessIndex computes a remoteness index in the manner of Statistics
// Canada's Index of Remoteness (Alasia et al. 2017, "Measuring remoteness
// and accessibility: a set of indices for Canadian communities", catalogue
// 18-001-X): a gravity-model accessibility to population centres,
// A_i = sum over centres j within radius minutes of P_j / t_ij, rescaled to
// 0..1 over the study's cells and reversed, so 0 is the least remote cell
// and 1 the most. Trips shorter than one minute count as one minute (a cell
// inside a centre would otherwise divide by zero). times[j][i] is minutes
// from cell i to centre j (NaN when unreachable).
func RemotenessIndex(centrePop []float64, times [][]float64, radius float64) []float64 {
	if len(times) == 0 {
		return nil
	}
	n := len(times[0])
	acc := make([]float64, n)
	for j, tj := range times {
		for i, t := range tj {
			if !math.IsNaN(t) && t <= radius {
				acc[i] += centrePop[j] / math.Max(t, 1)
			}
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, a := range acc {
		lo, hi = math.Min(lo, a), math.Max(hi, a)
	}
	out := make([]float64, n)
	for i, a := range acc {
		if hi > lo {
			out[i] = 1 - (a-lo)/(hi-lo)
		}
	}
	return out
}
