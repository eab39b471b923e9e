package measure

import (
	"fmt"
	"math"
	"slices"
)

// checkValues rejects per-origin or per-destination inputs a measure cannot
// use: the wrong length, or a value that is not a finite number >= 0 (a
// missing value must be decided by the caller, e.g. read as 0 with a warning).
func checkValues(what string, v []float64, ids []string) error {
	if len(v) != len(ids) {
		return fmt.Errorf("measure: %d %s values for %d ids", len(v), what, len(ids))
	}
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return fmt.Errorf("measure: %s of %q is %v; want a finite number >= 0", what, ids[i], x)
		}
	}
	return nil
}

// Nearest returns, per origin, the cost to the nearest destination with
// opportunities > 0 (IPEA accessibility cost_to_closest with n = 1), and
// +Inf when no such destination is reachable (IPEA fills those with Inf).
func (m *Matrix) Nearest(opp []float64) ([]float64, error) { return m.NthNearest(opp, 1) }

// NthNearest returns, per origin, the cost to its n-th nearest destination
// with opportunities > 0, counting destinations (two at the same cost count
// as two), and +Inf when fewer than n are reachable. IPEA's cost_to_closest
// with n > 1 counts opportunities instead: that is CostToReach.
func (m *Matrix) NthNearest(opp []float64, n int) ([]float64, error) {
	if err := checkValues("opportunity", opp, m.Dests); err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("measure: nth nearest with n = %d; want n >= 1", n)
	}
	out := make([]float64, len(m.Origins))
	for i := range out {
		out[i] = math.Inf(1)
		ds, cs := m.Row(i)
		seen := 0
		for k, d := range ds {
			if opp[d] > 0 {
				if seen++; seen == n {
					out[i] = cs[k]
					break
				}
			}
		}
	}
	return out, nil
}

// CostToReach returns, per origin, the minimum cost at which at least n
// opportunities are reachable: destinations sorted by cost, opportunities
// summed, the cost where the sum first reaches n (IPEA accessibility
// cost_to_closest with n opportunities). For n = 1 IPEA takes the nearest
// destination with opportunities > 0, so a fractional count below 1 still
// counts; this follows it. +Inf when the origin cannot reach n.
func (m *Matrix) CostToReach(opp []float64, n float64) ([]float64, error) {
	if n == 1 {
		return m.Nearest(opp)
	}
	if err := checkValues("opportunity", opp, m.Dests); err != nil {
		return nil, err
	}
	if math.IsNaN(n) || math.IsInf(n, 0) || n < 1 {
		return nil, fmt.Errorf("measure: cost to reach n = %v opportunities; want n >= 1", n)
	}
	out := make([]float64, len(m.Origins))
	for i := range out {
		out[i] = math.Inf(1)
		ds, cs := m.Row(i)
		sum := 0.0
		for k, d := range ds {
			if opp[d] > 0 {
				if sum += opp[d]; sum >= n {
					out[i] = cs[k]
					break
				}
			}
		}
	}
	return out, nil
}

// Cumulative returns, per origin, the opportunities at destinations reached
// at cost <= cutoff (IPEA accessibility cumulative_cutoff: travel_time <=
// cutoff counts, so a cost exactly equal to the cutoff is in). Unreachable
// destinations count nothing; an origin reaching nothing gets 0.
func (m *Matrix) Cumulative(opp []float64, cutoff float64) ([]float64, error) {
	if err := checkValues("opportunity", opp, m.Dests); err != nil {
		return nil, err
	}
	out := make([]float64, len(m.Origins))
	for i := range out {
		ds, cs := m.Row(i)
		sum := 0.0
		for k, d := range ds {
			if cs[k] > cutoff {
				break
			}
			sum += opp[d]
		}
		out[i] = sum
	}
	return out, nil
}

// Stat is the summary statistic of CumulativeInterval.
type Stat int

const (
	// Median is IPEA's default summary_function (stats::median).
	Median Stat = iota
	// Mean is the average over the cutoffs.
	Mean
)

// String returns "median" or "mean".
func (s Stat) String() string {
	if s == Mean {
		return "mean"
	}
	return "median"
}

// CumulativeInterval returns, per origin, the median or mean of the
// cumulative opportunities over the cutoffs lo, lo+1, ..., up to hi (both
// ends included when hi - lo is whole), truncated to a whole number as IPEA
// accessibility cumulative_interval does with as.integer (Tomasiello et al.
// 2023: you cannot reach 2.8 opportunities, only 2). With an even number of
// cutoffs the median is the mean of the middle two, then truncated.
func (m *Matrix) CumulativeInterval(opp []float64, lo, hi float64, stat Stat) ([]float64, error) {
	if err := checkValues("opportunity", opp, m.Dests); err != nil {
		return nil, err
	}
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(hi, 0) || lo < 0 || hi <= lo {
		return nil, fmt.Errorf("measure: cumulative interval [%v, %v]; want 0 <= start < end", lo, hi)
	}
	cutoffs := IntervalCutoffs(lo, hi)
	out := make([]float64, len(m.Origins))
	acc := make([]float64, len(cutoffs))
	for i := range out {
		ds, cs := m.Row(i)
		k, sum := 0, 0.0
		for c, cut := range cutoffs {
			for k < len(cs) && cs[k] <= cut {
				sum += opp[ds[k]]
				k++
			}
			acc[c] = sum
		}
		out[i] = math.Trunc(summarise(acc, stat))
	}
	return out, nil
}

// IntervalCutoffs returns the cutoffs of CumulativeInterval: R's
// seq.int(lo, hi, by = 1).
func IntervalCutoffs(lo, hi float64) []float64 {
	n := int(math.Floor(hi-lo+1e-10)) + 1
	c := make([]float64, n)
	for k := range c {
		c[k] = lo + float64(k)
	}
	return c
}

// summarise returns the median or mean of v; it reorders v.
func summarise(v []float64, stat Stat) float64 {
	if stat == Mean {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// Gravity returns, per origin, sum_j O_j f(c_ij) over reachable destinations
// (IPEA accessibility gravity; Hansen 1959). Unreachable pairs weigh 0.
func (m *Matrix) Gravity(opp []float64, d Decay) ([]float64, error) {
	if err := checkValues("opportunity", opp, m.Dests); err != nil {
		return nil, err
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	out := make([]float64, len(m.Origins))
	forRows(m.start, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ds, cs := m.Row(i)
			sum := 0.0
			for k, j := range ds {
				// A destination without opportunities adds exactly +0:
				// skip weighing it.
				if o := opp[j]; o != 0 {
					sum += o * d.Weight(cs[k])
				}
			}
			out[i] = sum
		}
	})
	return out, nil
}

// Passive returns, per destination, sum_i P_i f(c_ij): the people (or any
// origin quantity) that can reach it, weighted by decay (IPEA accessibility
// with active = FALSE). Binary(cutoff) gives the people within the cutoff.
func (m *Matrix) Passive(pop []float64, d Decay) ([]float64, error) {
	if err := checkValues("population", pop, m.Origins); err != nil {
		return nil, err
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	out := make([]float64, len(m.Dests))
	for i, p := range pop {
		ds, cs := m.Row(i)
		for k, j := range ds {
			out[j] += p * d.Weight(cs[k])
		}
	}
	return out, nil
}

// Diversity returns, per origin, the number of distinct destination
// categories (e.g. library, park, place of worship) reachable at cost <=
// cutoff. Destinations with an empty category are not counted.
func (m *Matrix) Diversity(category []string, cutoff float64) ([]float64, error) {
	if len(category) != len(m.Dests) {
		return nil, fmt.Errorf("measure: %d categories for %d destinations", len(category), len(m.Dests))
	}
	code := make([]int32, len(category))
	codes := map[string]int32{}
	for j, c := range category {
		if c == "" {
			code[j] = -1
			continue
		}
		k, ok := codes[c]
		if !ok {
			k = int32(len(codes))
			codes[c] = k
		}
		code[j] = k
	}
	stamp := make([]int32, len(codes))
	out := make([]float64, len(m.Origins))
	for i := range out {
		ds, cs := m.Row(i)
		n := 0
		for k, j := range ds {
			if cs[k] > cutoff {
				break
			}
			if c := code[j]; c >= 0 && stamp[c] != int32(i+1) {
				stamp[c] = int32(i + 1)
				n++
			}
		}
		out[i] = float64(n)
	}
	return out, nil
}
