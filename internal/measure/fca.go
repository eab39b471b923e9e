package measure

import "fmt"

// Method is a floating catchment area (FCA) measure: accessibility that
// accounts for competition, supply divided among the people who can reach it.
type Method int

const (
	// TwoStep is the 2SFCA of Luo & Wang 2003, generalised to any decay as
	// in IPEA accessibility floating_catchment_area(method = "2sfca"):
	//   R_j = S_j / sum_i P_i W_ij,  A_i = sum_j R_j W_ij.
	// With Binary(d0) it is the original; with LuoQi(d0) or
	// Gaussian(σ).Within(d0) it is the enhanced 2SFCA of Luo & Qi 2009.
	TwoStep Method = iota
	// ThreeStep is the 3SFCA of Wan, Zou & Sternberg 2012: people choose
	// among the facilities they reach with selection weights
	// G_ij = W_ij / sum_k W_ik (k over facilities in i's catchment), then
	//   R_j = S_j / sum_i G_ij W_ij P_i,  A_i = sum_j G_ij W_ij R_j
	// (PySAL access three_stage_fca).
	ThreeStep
	// Balanced is the balanced FCA of Paez, Higgins & Vivona 2019 (named
	// BFCA by Pereira et al. 2021; IPEA method = "bfca"): population is
	// allocated to facilities with W^i_ij = W_ij / sum_k W_ik and supply to
	// origins with W^j_ij = W_ij / sum_k W_kj, so neither is counted twice:
	//   R_j = S_j / sum_i P_i W^i_ij,  A_i = sum_j R_j W^j_ij.
	Balanced
)

// String returns "2sfca", "3sfca" or "bfca".
func (m Method) String() string {
	switch m {
	case TwoStep:
		return "2sfca"
	case ThreeStep:
		return "3sfca"
	case Balanced:
		return "bfca"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// FCAOptions adjusts a floating catchment computation.
type FCAOptions struct {
	// AllDestinations makes destinations without supply count as
	// alternatives when 3SFCA and BFCA share people and supply among
	// destinations, as IPEA's floating_catchment_area does with every
	// destination of the matrix. By default only facilities (supply > 0)
	// share, as in Wan et al. and Paez et al., where j ranges over
	// facilities. 2SFCA results do not depend on it.
	AllDestinations bool
}

// FCAResult is the outcome of a floating catchment measure.
type FCAResult struct {
	// Access per origin: supply per person available to someone living there.
	Access []float64
	// Ratio per destination: supply per (weighted or allocated) person, R_j;
	// 0 for a facility nobody with population reaches (its demand is 0).
	Ratio []float64
	// Demand per destination: the weighted (2SFCA, 3SFCA) or allocated
	// (BFCA) population competing for it.
	Demand []float64
	// Supply per origin for BFCA: sum_j S_j W^j_ij, the supply allocated to
	// the origin (it sums to the supply of every facility someone reaches).
	// Nil for the other methods.
	Supply []float64
}

// FCA computes a floating catchment measure. pop is per origin (demand),
// supply per destination (capacity, opportunities), and d the weight
// W_ij = f(c_ij); unreachable pairs weigh 0.
//
// Edge cases, stated because the papers divide by zero there:
//   - A facility whose demand is 0 (nobody with population reaches it) has
//     R_j = 0 and adds nothing to anyone's access. IPEA gives Inf to the
//     zero-population origins that alone reach such a facility.
//   - An origin with zero population still gets the access a person living
//     there would have; it just adds no demand.
//   - Hence, for 2SFCA and 3SFCA, sum_i P_i A_i equals the total supply of
//     facilities with demand > 0 (Luo & Wang's property), and for BFCA the
//     demand sums to the population of origins that reach a facility and
//     Supply sums to the supply of facilities that some origin reaches.
func (m *Matrix) FCA(method Method, pop, supply []float64, d Decay, opt FCAOptions) (*FCAResult, error) {
	if err := checkValues("population", pop, m.Origins); err != nil {
		return nil, err
	}
	if err := checkValues("supply", supply, m.Dests); err != nil {
		return nil, err
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	if method < TwoStep || method > Balanced {
		return nil, fmt.Errorf("measure: unknown floating catchment method %d", int(method))
	}
	// w[k] is W_ij of stored pair k, 0 for non-facilities where they do not
	// compete.
	// sel[i] scales W_ij on the demand side: 1, or 1/sum_k W_ik (3SFCA's
	// G_ij = W_ij sel_i, BFCA's W^i_ij = W_ij sel_i). Rows are independent:
	// runs of them on all cores.
	w := make([]float64, len(m.cost))
	sel := make([]float64, len(m.Origins))
	onlyFacilities := method != TwoStep && !opt.AllDestinations
	forRows(m.start, func(lo, hi int) {
		for k := m.start[lo]; k < m.start[hi]; k++ {
			if onlyFacilities && supply[m.dest[k]] == 0 {
				continue
			}
			w[k] = d.Weight(m.cost[k])
		}
		for i := lo; i < hi; i++ {
			if method == TwoStep {
				sel[i] = 1
				continue
			}
			s := 0.0
			for k := m.start[i]; k < m.start[i+1]; k++ {
				s += w[k]
			}
			if s > 0 {
				sel[i] = 1 / s
			}
		}
	})
	res := &FCAResult{Access: make([]float64, len(m.Origins))}
	// Step 1: demand at each destination, summed exactly (see Sum), as
	// Demand does, so FCAs and the shards of a run give the same bits.
	demand := exactSums(m.start, len(m.Dests), func(lo, hi int, add func(int32, float64)) {
		for i := lo; i < hi; i++ {
			p := pop[i]
			for k := m.start[i]; k < m.start[i+1]; k++ {
				var v float64
				switch method {
				case TwoStep:
					v = p * w[k]
				case ThreeStep:
					v = p * (w[k] * sel[i]) * w[k]
				case Balanced:
					v = p * (w[k] * sel[i])
				}
				if v != 0 {
					add(m.dest[k], v)
				}
			}
		}
	})
	res.Demand = Totals(demand)
	res.Ratio = Ratios(supply, res.Demand)
	// BFCA allocates supply by column-normalised weights.
	var colInv []float64
	if method == Balanced {
		colSum := exactSums(m.start, len(m.Dests), func(lo, hi int, add func(int32, float64)) {
			for k := m.start[lo]; k < m.start[hi]; k++ {
				if w[k] != 0 {
					add(m.dest[k], w[k])
				}
			}
		})
		colInv = make([]float64, len(m.Dests))
		for j := range colSum {
			if s := colSum[j].Float64(); s > 0 {
				colInv[j] = 1 / s
			}
		}
		res.Supply = make([]float64, len(m.Origins))
	}
	// Step 2: access at each origin.
	forRows(m.start, func(lo, hi int) {
		fcaAccess(m, method, lo, hi, w, sel, supply, colInv, res)
	})
	return res, nil
}

// fcaAccess is FCA's second step for origins lo to hi.
func fcaAccess(m *Matrix, method Method, lo, hi int, w, sel, supply, colInv []float64, res *FCAResult) {
	for i := lo; i < hi; i++ {
		a, s := 0.0, 0.0
		for k := m.start[i]; k < m.start[i+1]; k++ {
			j := m.dest[k]
			switch method {
			case TwoStep:
				a += res.Ratio[j] * w[k]
			case ThreeStep:
				a += (w[k] * sel[i]) * w[k] * res.Ratio[j]
			case Balanced:
				wj := w[k] * colInv[j]
				a += res.Ratio[j] * wj
				s += supply[j] * wj
			}
		}
		res.Access[i] = a
		if res.Supply != nil {
			res.Supply[i] = s
		}
	}
}
