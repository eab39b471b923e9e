package measure

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"

	"commonground/internal/par"
	"commonground/internal/problem"
)

// NewRows builds a matrix from compressed rows, as a router that searches
// destination by destination can hand them over without a list of pairs:
// origin i's pairs are dest[start[i]:start[i+1]] with costs
// cost[start[i]:start[i+1]], in any order within the row. It checks what New
// checks (pair k counts from 1 along the rows, for error messages) and takes
// ownership of start, dest and cost, sorting each row in place, so a large
// matrix is never held twice.
func NewRows(origins, dests []string, start []int, dest []int32, cost []float64, probs *problem.List) (*Matrix, error) {
	if err := uniqueIDs(origins, "origin"); err != nil {
		return nil, err
	}
	if err := uniqueIDs(dests, "destination"); err != nil {
		return nil, err
	}
	if len(start) != len(origins)+1 || start[0] != 0 || start[len(origins)] != len(dest) || len(dest) != len(cost) {
		return nil, fmt.Errorf("matrix rows: %d row starts and %d destinations and %d costs for %d origins", len(start), len(dest), len(cost), len(origins))
	}
	for i := range origins {
		if start[i] > start[i+1] {
			return nil, fmt.Errorf("matrix rows: row %d starts at %d, after its end %d", i+1, start[i], start[i+1])
		}
	}
	if err := checkRows(origins, dests, start, dest, cost); err != nil {
		return nil, err
	}
	m := &Matrix{Origins: origins, Dests: dests, start: start, dest: dest, cost: cost}
	// Rows sort independently; (cost, destination) is a total order within a
	// row, so the result does not depend on how the work is split.
	forRows(start, func(lo, hi int) {
		var buf []entry
		for i := lo; i < hi; i++ {
			a, b := start[i], start[i+1]
			buf = buf[:0]
			for k := a; k < b; k++ {
				buf = append(buf, entry{cost: cost[k], to: dest[k]})
			}
			slices.SortFunc(buf, byCostDest)
			for k, e := range buf {
				dest[a+k], cost[a+k] = e.to, e.cost
			}
		}
	})
	m.noteAbsent("", probs)
	return m, nil
}

// checkRows finds the first bad pair of compressed rows, as one pass in
// order would: a destination out of range anywhere comes first, then a bad
// cost, then a pair repeated within its row. Runs of rows are checked on
// all cores, each noting its first fault of each kind.
func checkRows(origins, dests []string, start []int, dest []int32, cost []float64) error {
	const kinds = 3
	type fault struct {
		k   int // pair index, from 0; -1 when none
		err error
	}
	var mu sync.Mutex
	first := [kinds]fault{{k: -1}, {k: -1}, {k: -1}}
	note := func(kind, k int, err error) {
		mu.Lock()
		if first[kind].k < 0 || k < first[kind].k {
			first[kind] = fault{k, err}
		}
		mu.Unlock()
	}
	forRows(start, func(lo, hi int) {
		for k := start[lo]; k < start[hi]; k++ {
			if j := dest[k]; j < 0 || int(j) >= len(dests) {
				note(0, k, fmt.Errorf("matrix pair %d: destination index %d is outside the %d destinations", k+1, j, len(dests)))
				return
			}
		}
	costs:
		for i := lo; i < hi; i++ {
			for k := start[i]; k < start[i+1]; k++ {
				if err := checkCost(cost[k]); err != nil {
					note(1, k, fmt.Errorf("matrix pair %d (from %q to %q): %w", k+1, origins[i], dests[dest[k]], err))
					break costs
				}
			}
		}
		seen := make([]int32, len(dests)) // row+1 that last saw the destination
		at := make([]int32, len(dests))   // pair where it was seen
		for i := lo; i < hi; i++ {
			for k := start[i]; k < start[i+1]; k++ {
				j := dest[k]
				if seen[j] == int32(i+1) {
					note(2, k, fmt.Errorf("matrix pair %d: from %q to %q repeats pair %d", k+1, origins[i], dests[j], at[j]))
					return
				}
				seen[j], at[j] = int32(i+1), int32(k+1)
			}
		}
	})
	for _, f := range first {
		if f.err != nil {
			return f.err
		}
	}
	return nil
}

// byCostDest orders a row's entries as Matrix stores them.
func byCostDest(a, b entry) int {
	if a.cost != b.cost {
		if a.cost < b.cost {
			return -1
		}
		return 1
	}
	return int(a.to) - int(b.to)
}

// noteAbsent records in probs how many pairs the matrix lacks.
func (m *Matrix) noteAbsent(file string, probs *problem.List) {
	all := len(m.Origins) * len(m.Dests)
	if len(m.cost) >= all || probs == nil {
		return
	}
	empty := 0
	for i := range m.Origins {
		if m.start[i] == m.start[i+1] {
			empty++
		}
	}
	msg := fmt.Sprintf("%d of %d origin-destination pairs are absent from the matrix and are treated as unreachable", all-len(m.cost), all)
	if empty > 0 {
		msg += fmt.Sprintf("; %d origins reach no destination at all", empty)
	}
	probs.Add(problem.Problem{Severity: problem.Warning, File: file, Message: msg})
}

// forRows splits the rows of a matrix, whose row i holds pairs start[i] to
// start[i+1]-1, into contiguous runs of about equal work (pairs plus rows)
// and calls fn(lo, hi) for each on all cores, a few runs per core taken as
// cores finish: rows near a city hold many more pairs than rural ones, so
// runs of equal rows would leave a core idle. Every measure writes each
// origin's result from that origin's row alone, so results are the same
// however the rows are split. Below 2048 rows and pairs together (too
// little to share out) it calls fn(0, n) alone.
func forRows(start []int, fn func(lo, hi int)) {
	n := len(start) - 1
	workers := runtime.GOMAXPROCS(0)
	if n < 2 || start[n]+n < 2048 || workers == 1 {
		fn(0, n)
		return
	}
	runs := 4 * workers
	work := start[n] + n
	cut := []int{0}
	for r := 1; r < runs; r++ {
		i := sort.Search(n, func(i int) bool { return start[i]+i >= work*r/runs })
		if i > cut[len(cut)-1] {
			cut = append(cut, i)
		}
	}
	cut = append(cut, n)
	par.Each(len(cut)-1, func(k int) { fn(cut[k], cut[k+1]) })
}

// Cumulatives is Cumulative for several opportunity vectors at once, in one
// pass over the matrix: out[g] equals Cumulative(opps[g], cutoff).
func (m *Matrix) Cumulatives(opps [][]float64, cutoff float64) ([][]float64, error) {
	for _, opp := range opps {
		if err := checkValues("opportunity", opp, m.Dests); err != nil {
			return nil, err
		}
	}
	out := make([][]float64, len(opps))
	for g := range out {
		out[g] = make([]float64, len(m.Origins))
	}
	forRows(m.start, func(lo, hi int) {
		sum := make([]float64, len(opps))
		for i := lo; i < hi; i++ {
			ds, cs := m.Row(i)
			clear(sum)
			for k, j := range ds {
				if cs[k] > cutoff {
					break
				}
				for g, opp := range opps {
					sum[g] += opp[j]
				}
			}
			for g := range out {
				out[g][i] = sum[g]
			}
		}
	})
	return out, nil
}

// Gravities is Gravity for several opportunity vectors at once, weighing
// each pair once: out[g] equals Gravity(opps[g], d), to the last bit, since
// each sum adds the same products in the same order.
func (m *Matrix) Gravities(opps [][]float64, d Decay) ([][]float64, error) {
	for _, opp := range opps {
		if err := checkValues("opportunity", opp, m.Dests); err != nil {
			return nil, err
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	out := make([][]float64, len(opps))
	for g := range out {
		out[g] = make([]float64, len(m.Origins))
	}
	// Destinations no vector offers anything at are skipped: they add
	// exactly +0 to every sum.
	offered := make([]bool, len(m.Dests))
	for _, opp := range opps {
		for j, o := range opp {
			offered[j] = offered[j] || o != 0
		}
	}
	forRows(m.start, func(lo, hi int) {
		sum := make([]float64, len(opps))
		for i := lo; i < hi; i++ {
			ds, cs := m.Row(i)
			clear(sum)
			for k, j := range ds {
				if !offered[j] {
					continue
				}
				w := d.Weight(cs[k])
				for g, opp := range opps {
					sum[g] += opp[j] * w
				}
			}
			for g := range out {
				out[g][i] = sum[g]
			}
		}
	})
	return out, nil
}

// FCAs is FCA for several supply vectors sharing one population and decay,
// as when each kind of place is measured against the same people: the
// weights, and for 2SFCA the demand, are computed once. out[g] equals
// FCA(method, pop, supplies[g], d, opt) to the last bit.
func (m *Matrix) FCAs(method Method, pop []float64, supplies [][]float64, d Decay, opt FCAOptions) ([]*FCAResult, error) {
	if method != TwoStep {
		out := make([]*FCAResult, len(supplies))
		for g, s := range supplies {
			r, err := m.FCA(method, pop, s, d, opt)
			if err != nil {
				return nil, err
			}
			out[g] = r
		}
		return out, nil
	}
	if err := checkValues("population", pop, m.Origins); err != nil {
		return nil, err
	}
	for _, s := range supplies {
		if err := checkValues("supply", s, m.Dests); err != nil {
			return nil, err
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	demand, err := m.Demand(pop, d)
	if err != nil {
		return nil, err
	}
	ratios := make([][]float64, len(supplies))
	out := make([]*FCAResult, len(supplies))
	dem := Totals(demand)
	for g, supply := range supplies {
		ratios[g] = Ratios(supply, dem)
		out[g] = &FCAResult{Ratio: ratios[g], Demand: append([]float64(nil), dem...)}
	}
	acc := m.TwoStepAccess(ratios, d)
	for g := range out {
		out[g].Access = acc[g]
	}
	return out, nil
}

// Demand is 2SFCA's first step without the supply: for each destination
// the weighted population that competes for it, sum_i P_i W_ij, as an exact
// Sum. Exact sums are what let parts of the origins (the shards of a run)
// be summed apart and added up to the same bits as the whole.
func (m *Matrix) Demand(pop []float64, d Decay) ([]Sum, error) {
	if err := checkValues("population", pop, m.Origins); err != nil {
		return nil, err
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	terms := func(lo, hi int, add func(j int32, v float64)) {
		for i := lo; i < hi; i++ {
			p := pop[i]
			if p == 0 {
				continue // adds exactly 0
			}
			for k := m.start[i]; k < m.start[i+1]; k++ {
				if w := d.Weight(m.cost[k]); w != 0 {
					add(m.dest[k], p*w)
				}
			}
		}
	}
	return exactSums(m.start, len(m.Dests), terms), nil
}

// Ratios is 2SFCA's supply per person, R_j = S_j / D_j, and 0 where the
// demand D_j is 0 (see FCA).
func Ratios(supply, demand []float64) []float64 {
	out := make([]float64, len(supply))
	for j, dj := range demand {
		if dj > 0 {
			out[j] = supply[j] / dj
		}
	}
	return out
}

// TwoStepAccess is 2SFCA's second step for several ratio vectors at once:
// out[g][i] = sum_j ratios[g][j] W_ij over origin i's row, in the row's
// order (cost, then destination). Pairs of weight 0 add exactly +0 and may
// be absent from the matrix without changing a bit.
func (m *Matrix) TwoStepAccess(ratios [][]float64, d Decay) [][]float64 {
	out := make([][]float64, len(ratios))
	for g := range out {
		out[g] = make([]float64, len(m.Origins))
	}
	forRows(m.start, func(lo, hi int) {
		acc := make([]float64, len(ratios))
		for i := lo; i < hi; i++ {
			clear(acc)
			for k := m.start[i]; k < m.start[i+1]; k++ {
				j, wk := m.dest[k], d.Weight(m.cost[k])
				if wk == 0 {
					continue
				}
				for g, ratio := range ratios {
					acc[g] += ratio[j] * wk
				}
			}
			for g := range out {
				out[g][i] = acc[g]
			}
		}
	})
	return out
}
