package measure

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
)

// Inequality statistics of access across people: each origin's access x_i
// counts once per person living there (weight w_i, its population). They
// return NaN when the lengths differ, a weight or value is negative or not
// finite, or there is nobody to compare, rather than a number that looks
// meaningful.

// valid reports whether x and w can be summarised, and the total weight.
func valid(x, w []float64) (float64, bool) {
	if len(x) != len(w) {
		return 0, false
	}
	total := 0.0
	for i := range x {
		if !(x[i] >= 0) || math.IsInf(x[i], 0) || !(w[i] >= 0) || math.IsInf(w[i], 0) {
			return 0, false
		}
		total += w[i]
	}
	return total, total > 0
}

// byAccess returns the indexes of x in increasing order, ties in index
// order, so the curve is the same on every run.
func byAccess(x []float64) []int {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	// (access, index) orders them totally, so an unstable sort gives the
	// stable order.
	slices.SortFunc(idx, func(a, b int) int {
		if x[a] != x[b] {
			if x[a] < x[b] {
				return -1
			}
			return 1
		}
		return a - b
	})
	return idx
}

// LorenzPoint is one point of a Lorenz curve: the poorest-served Pop share
// of people hold the Access share of total access.
type LorenzPoint struct {
	Pop, Access float64
}

// Lorenz returns the Lorenz curve of access across people, for plotting:
// (0, 0), then one point per origin with people, ranked by access, ending
// at (1, 1). Within an origin everyone has the same access, so the curve is
// exactly linear between points. Nil when invalid or total access is 0.
func Lorenz(x, w []float64) []LorenzPoint {
	total, ok := valid(x, w)
	if !ok {
		return nil
	}
	return lorenz(x, w, total, byAccess(x))
}

// lorenz is Lorenz of valid x and w, total weight total, with x's order.
func lorenz(x, w []float64, total float64, order []int) []LorenzPoint {
	sum := 0.0
	for i := range x {
		sum += x[i] * w[i]
	}
	if sum == 0 {
		return nil
	}
	pts := []LorenzPoint{{0, 0}}
	cp, ca := 0.0, 0.0
	for _, i := range order {
		if w[i] == 0 {
			continue
		}
		cp += w[i]
		ca += x[i] * w[i]
		pts = append(pts, LorenzPoint{cp / total, ca / sum})
	}
	pts[len(pts)-1] = LorenzPoint{1, 1}
	return pts
}

// Gini returns the population-weighted Gini index of access:
// G = 1 - sum_k p_k (L_{k-1} + L_k), with origins ranked by access, p_k the
// population share of origin k and L_k the cumulative access share (the
// trapezoids under the Lorenz curve, as IPEA accessibility gini_index
// computes it). It equals sum_ij w_i w_j |x_i - x_j| / (2 W² μ). 0 when
// everyone has the same access; (N-1)/N when one of N equally weighted
// origins holds all of it. NaN when total access is 0.
func Gini(x, w []float64) float64 {
	total, ok := valid(x, w)
	if !ok {
		return math.NaN()
	}
	return gini(x, w, total, byAccess(x))
}

// gini is Gini of valid x and w, total weight total, with x's order.
func gini(x, w []float64, total float64, order []int) float64 {
	sum := 0.0
	for i := range x {
		sum += x[i] * w[i]
	}
	if sum == 0 {
		return math.NaN()
	}
	area, prev, ca := 0.0, 0.0, 0.0
	for _, i := range order {
		ca += x[i] * w[i]
		l := ca / sum
		area += (prev + l) * (w[i] / total) / 2
		prev = l
	}
	return 1 - 2*area
}

// lorenzAt interpolates the Lorenz curve at population share p.
func lorenzAt(pts []LorenzPoint, p float64) float64 {
	for k := 1; k < len(pts); k++ {
		a, b := pts[k-1], pts[k]
		if p <= b.Pop {
			if b.Pop == a.Pop {
				return b.Access
			}
			return a.Access + (b.Access-a.Access)*(p-a.Pop)/(b.Pop-a.Pop)
		}
	}
	return 1
}

// Palma returns the Palma ratio of access with people ranked by access: the
// share of total access held by the best-served 10% of people divided by the
// share held by the worst-served 40% (Cobham & Sumner's income definition
// applied to access), (1 - L(0.9)) / L(0.4) on the Lorenz curve, splitting an
// origin that straddles a boundary. Equal access gives 0.1/0.4 = 0.25; +Inf
// when the worst-served 40% have no access. IPEA's palma_ratio ranks people
// by income instead and divides average access: see PalmaIncome.
func Palma(x, w []float64) float64 { return palma(Lorenz(x, w)) }

// palma is Palma from the Lorenz curve.
func palma(pts []LorenzPoint) float64 {
	if pts == nil {
		return math.NaN()
	}
	return (1 - lorenzAt(pts, 0.9)) / lorenzAt(pts, 0.4)
}

// PalmaIncome is IPEA accessibility palma_ratio: the population-weighted
// mean access of the richest 10% (income above the weighted 90th
// percentile) divided by that of the poorest 40% (income at or below the
// weighted 40th percentile), the percentiles computed as Hmisc wtd.quantile
// does (see WeightedQuantile). Origins with missing (NaN) income are in
// neither group. Equal access gives 1. NaN when a group is empty.
func PalmaIncome(x, w, income []float64) float64 {
	if _, ok := valid(x, w); !ok || len(income) != len(x) {
		return math.NaN()
	}
	q := WeightedQuantile(income, w, 0.4, 0.9)
	var rich, richW, poor, poorW float64
	for i := range x {
		switch {
		case math.IsNaN(income[i]):
		case income[i] <= q[0]:
			poor += x[i] * w[i]
			poorW += w[i]
		case income[i] > q[1]:
			rich += x[i] * w[i]
			richW += w[i]
		}
	}
	return (rich / richW) / (poor / poorW)
}

// WeightedQuantile returns quantiles of x with frequency weights w exactly
// as R's Hmisc::wtd.quantile(type = "quantile", normwt = FALSE), which IPEA's
// palma_ratio uses: pairs with NaN or zero weight are dropped, weights of
// equal values summed, n = sum of weights, and quantile p interpolates
// between the order statistics floor(1 + (n-1)p) and the next, each the
// smallest value whose cumulative weight reaches it.
func WeightedQuantile(x, w []float64, probs ...float64) []float64 {
	out := make([]float64, len(probs))
	type vw struct{ v, w float64 }
	var pts []vw
	if len(x) == len(w) {
		for i := range x {
			if !math.IsNaN(x[i]) && !math.IsNaN(w[i]) && w[i] != 0 {
				pts = append(pts, vw{x[i], w[i]})
			}
		}
	}
	if len(pts) == 0 {
		for k := range out {
			out[k] = math.NaN()
		}
		return out
	}
	sort.SliceStable(pts, func(a, b int) bool { return pts[a].v < pts[b].v })
	var xs, cum []float64
	for _, p := range pts {
		if len(xs) > 0 && xs[len(xs)-1] == p.v {
			cum[len(cum)-1] += p.w
			continue
		}
		xs = append(xs, p.v)
		cum = append(cum, p.w)
	}
	for k := 1; k < len(cum); k++ {
		cum[k] += cum[k-1]
	}
	n := cum[len(cum)-1]
	at := func(v float64) float64 { // approx(cum, xs, v, "constant", f = 1, rule = 2)
		k := sort.SearchFloat64s(cum, v)
		if k >= len(xs) {
			k = len(xs) - 1
		}
		return xs[k]
	}
	for k, p := range probs {
		order := 1 + (n-1)*p
		low := max(math.Floor(order), 1)
		high := min(low+1, n)
		frac := order - math.Floor(order)
		out[k] = (1-frac)*at(low) + frac*at(high)
	}
	return out
}

// Theil is the Theil T index of access and, when groups are given, its
// exact decomposition into inequality between and within groups.
type Theil struct {
	T, Between, Within float64
	Groups             []TheilGroup // sorted by name, numerically when names are numbers (deciles 1..10)
}

// groupLess orders group names, numbers by value first ("2" before "10"),
// then text.
func groupLess(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	switch {
	case errA == nil && errB == nil && x != y:
		return x < y
	case (errA == nil) != (errB == nil):
		return errA == nil
	}
	return a < b
}

// TheilGroup is one group's part of the decomposition.
type TheilGroup struct {
	Name   string
	People float64
	Mean   float64 // population-weighted mean access
	T      float64 // Theil T within the group
	Share  float64 // the group's share of total access (weight of T in Within)
}

// ZeroAccess says how Theil T counts people who have no access at all,
// where x ln x has no value and a convention must decide.
type ZeroAccess int

const (
	// ZeroDropped is IPEA accessibility theil_t (without socioeconomic
	// groups; R/theil_t.R, theil_without_groups): origins with zero access
	// are dropped from the sum and the population weights renormalised over
	// the origins that remain, T = sum_{x_i>0} w_i (x_i/μ) ln(x_i/μ) /
	// sum_{x_i>0} w_i, while the mean μ stays the mean over everyone. It
	// equals ZeroLimit's T times W / W_+ (W_+ the people with access).
	ZeroDropped ZeroAccess = iota
	// ZeroLimit counts everyone, with 0 ln 0 = 0 (the limit; Theil 1967),
	// T = sum_i (w_i/W)(x_i/μ) ln(x_i/μ); Between + Within = T exactly.
	ZeroLimit
)

// String names the convention as the command line flag does.
func (z ZeroAccess) String() string {
	if z == ZeroLimit {
		return "limit"
	}
	return "ipea"
}

// TheilT returns the population-weighted Theil T index of access as IPEA
// accessibility theil_t computes it (ZeroDropped); see TheilTWith.
func TheilT(x, w []float64, groups []string) Theil {
	return TheilTWith(x, w, groups, ZeroDropped)
}

// TheilTWith returns the population-weighted Theil T index of access,
// T = sum_i (w_i/W) (x_i/μ) ln(x_i/μ), with origins of zero access treated
// as zeros says. Both conventions agree when every origin with people has
// some access. groups (nil for none) gives each origin's group; "" is a
// group of its own, named "NA". The decomposition always counts everyone
// with 0 ln 0 = 0: Between = sum_g (W_g/W)(μ_g/μ) ln(μ_g/μ) and Within =
// sum_g s_g T_g with s_g the group's access share, so Between + Within is
// ZeroLimit's T. (IPEA's theil_t with socioeconomic groups drops no origin
// and so yields NaN for a group with a zero-access origin: 0·log 0 is NaN
// in R.) Groups without people are left out.
func TheilTWith(x, w []float64, groups []string, zeros ZeroAccess) Theil {
	nan := Theil{T: math.NaN(), Between: math.NaN(), Within: math.NaN()}
	total, ok := valid(x, w)
	if !ok || (groups != nil && len(groups) != len(x)) {
		return nan
	}
	sum := 0.0
	for i := range x {
		sum += x[i] * w[i]
	}
	if sum == 0 {
		return nan
	}
	mu := sum / total
	xlnx := func(r float64) float64 {
		if r == 0 {
			return 0
		}
		return r * math.Log(r)
	}
	res := Theil{}
	t, withAccess := 0.0, 0.0
	for i := range x {
		t += w[i] * xlnx(x[i]/mu)
		if x[i] > 0 {
			withAccess += w[i]
		}
	}
	res.T = t / total
	if zeros == ZeroDropped {
		res.T = t / withAccess
	}
	if groups == nil {
		res.Between, res.Within = math.NaN(), math.NaN()
		return res
	}
	type agg struct{ w, xw float64 }
	by := map[string]*agg{}
	name := func(i int) string {
		if groups[i] == "" {
			return "NA"
		}
		return groups[i]
	}
	for i := range x {
		a := by[name(i)]
		if a == nil {
			a = &agg{}
			by[name(i)] = a
		}
		a.w += w[i]
		a.xw += x[i] * w[i]
	}
	names := make([]string, 0, len(by))
	for g, a := range by {
		if a.w > 0 {
			names = append(names, g)
		}
	}
	sort.Slice(names, func(a, b int) bool { return groupLess(names[a], names[b]) })
	tg := map[string]float64{}
	for i := range x {
		if a := by[name(i)]; a.w > 0 && a.xw > 0 {
			tg[name(i)] += w[i] / a.w * xlnx(x[i]/(a.xw/a.w))
		}
	}
	for _, g := range names {
		a := by[g]
		grp := TheilGroup{Name: g, People: a.w, Mean: a.xw / a.w, T: tg[g], Share: a.xw / sum}
		if a.xw == 0 {
			grp.T = math.NaN() // no access in the group: its T is undefined, its weight 0
		} else {
			res.Within += grp.Share * grp.T
		}
		res.Between += a.w / total * xlnx(grp.Mean/mu)
		res.Groups = append(res.Groups, grp)
	}
	return res
}

// Ties says how the concentration index orders origins of equal rank
// (equal income), which moves their fractional ranks.
type Ties int

const (
	// TiesInOrder keeps origins of equal rank in the order given, as IPEA
	// accessibility concentration_index does (R/concentration_index.R: a
	// stable data.table::setorderv by income over its access data, which
	// cumulative_cutoff and the other measures return sorted by id).
	TiesInOrder Ties = iota
	// TiesByPopulation orders them by increasing population (an earlier
	// draft of IPEA's function sorted by income, then population).
	TiesByPopulation
)

// String names the convention as the command line flag does.
func (t Ties) String() string {
	if t == TiesByPopulation {
		return "population"
	}
	return "ipea"
}

// Range says over which origins the corrected concentration index takes
// the bounds max x - min x of access.
type Range int

const (
	// RangeAll takes them over every origin given, with people or not, as
	// IPEA accessibility concentration_index does (max and min over all
	// rows of its access data).
	RangeAll Range = iota
	// RangePopulated takes them over the origins that enter the index
	// (with people and a rank) only.
	RangePopulated
)

// String names the convention as the command line flag does.
func (r Range) String() string {
	if r == RangePopulated {
		return "populated"
	}
	return "ipea"
}

// Concentration returns the standard and corrected concentration indexes of
// access by a ranking variable such as income with IPEA accessibility
// concentration_index's conventions (TiesInOrder, RangeAll); see
// ConcentrationWith.
func Concentration(x, w, rank []float64) (ci, corrected float64) {
	return ConcentrationWith(x, w, rank, TiesInOrder, RangeAll)
}

// ConcentrationWith returns the concentration index of access by a ranking
// variable such as income (Wagstaff, van Doorslaer & Watanabe 1991;
// O'Donnell et al. 2008, weighted form; IPEA accessibility
// concentration_index type "standard"): with origins sorted by rank (ties
// as ties says), the fractional rank R_i = sum_{k<i} p_k + p_i/2 of the
// population shares p (van Doorslaer & Koolman 2004, eq. 4) and mean access
// μ,
//
//	CI = (2/μ) sum_i p_i (x_i - μ)(R_i - 1/2),
//
// and Erreygers' 2009 corrected index CIc = 4 μ CI / (max x - min x)
// (IPEA's type "corrected", observed bounds over the origins rng says).
// Origins with no people add nothing to either sum. Origins with a NaN rank
// are left out of the sums (IPEA's setorderv sorts a missing income first,
// so it would rank such people as the poorest); RangeAll still counts them
// in the bounds. Positive values mean access favours the higher-ranked
// (richer).
func ConcentrationWith(x, w, rank []float64, ties Ties, rng Range) (ci, corrected float64) {
	if _, ok := valid(x, w); !ok || len(rank) != len(x) {
		return math.NaN(), math.NaN()
	}
	var idx []int
	for i := range x {
		if w[i] > 0 && !math.IsNaN(rank[i]) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		i, j := idx[a], idx[b]
		if rank[i] != rank[j] || ties != TiesByPopulation {
			return rank[i] < rank[j]
		}
		return w[i] < w[j]
	})
	total, mu := 0.0, 0.0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, i := range idx {
		total += w[i]
	}
	for _, i := range idx {
		mu += w[i] / total * x[i]
		lo, hi = min(lo, x[i]), max(hi, x[i])
	}
	if len(idx) == 0 || mu == 0 {
		return math.NaN(), math.NaN()
	}
	if rng == RangeAll {
		for i := range x {
			lo, hi = min(lo, x[i]), max(hi, x[i])
		}
	}
	s, before := 0.0, 0.0
	for _, i := range idx {
		p := w[i] / total
		s += p * (x[i] - mu) * (before + p/2 - 0.5)
		before += p
	}
	ci = 2 * s / mu
	return ci, 4 * mu * ci / (hi - lo)
}

// DefaultPovertyShare is the share of the population-weighted mean access
// that makes the poverty line when none is given: half the mean, a relative
// line (incdist's fgt with mean = TRUE and its default fraction 0.5; convey's
// svyfgt type_thresh "relm"). Income poverty lines are more often half or
// 60% of the median, but access is zero-inflated: on foot, more than half
// the residents often reach nothing, the median is 0, and a median line
// would call nobody poor. IPEA's fgt_poverty has no default: the line is an
// argument.
const DefaultPovertyShare = 0.5

// RelativeLine returns share times the population-weighted mean of access x
// (0 when nobody has any). NaN when there is nobody to weigh.
func RelativeLine(x, w []float64, share float64) float64 {
	total, ok := valid(x, w)
	if !ok {
		return math.NaN()
	}
	sum := 0.0
	for i := range x {
		sum += x[i] * w[i]
	}
	return share * sum / total
}

// FGT returns the Foster-Greer-Thorbecke (1984) poverty measures FGT0, FGT1
// and FGT2 of access x weighted by population w for poverty line z, as IPEA
// accessibility fgt_poverty computes them (R/fgt_poverty.R): each origin's
// normalised shortfall g_i = (z - x_i)/z when x_i < z, else 0 (an origin
// exactly on the line is not poor), and
//
//	FGT_a = sum_i w_i g_i^a / sum_i w_i,  a = 0, 1, 2
//
// (stats::weighted.mean over every origin). FGT0 is the share of people
// below the line (headcount), FGT1 the mean shortfall as a share of the
// line (poverty gap), FGT2 the mean squared shortfall (severity). All are
// 0 for z = 0. NaN when the input is invalid or z is negative or not
// finite.
func FGT(x, w []float64, z float64) [3]float64 {
	nan := [3]float64{math.NaN(), math.NaN(), math.NaN()}
	total, ok := valid(x, w)
	if !ok || !(z >= 0) || math.IsInf(z, 0) {
		return nan
	}
	var out [3]float64
	for i := range x {
		if x[i] < z {
			g := (z - x[i]) / z
			out[0] += w[i]
			out[1] += w[i] * g
			out[2] += w[i] * g * g
		}
	}
	for a := range out {
		out[a] /= total
	}
	return out
}

// Summary is the inequality of one access measure across people.
type Summary struct {
	People, Mean             float64
	Gini, Palma              float64
	PalmaIncome              float64 // NaN without income
	Theil                    Theil
	Concentration, Corrected float64 // by income; NaN without income
	Lorenz                   []LorenzPoint
	// PovertyLine is the access below which a person counts as poor, and
	// FGT the poverty measures FGT0, FGT1, FGT2 at that line (see FGT).
	PovertyLine float64
	FGT         [3]float64
}

// Options chooses the poverty line and, where conventions differ, how the
// statistics treat ties and zeros. The zero value follows IPEA's
// accessibility package throughout, with the default poverty line.
type Options struct {
	// PovertyLine is the access below which a person counts as poor in
	// FGT; 0 means RelativeLine(x, w, DefaultPovertyShare), half the
	// population-weighted mean.
	PovertyLine float64
	Ties        Ties       // concentration index ties in rank
	Range       Range      // corrected concentration index bounds
	Zeros       ZeroAccess // Theil T with zero-access origins
}

// Summarize computes every inequality statistic of access x weighted by
// population w, as IPEA's accessibility package defines them (the zero
// Options); income (optional, nil) ranks people for PalmaIncome and the
// concentration indexes, groups (optional) decomposes Theil T.
func Summarize(x, w, income []float64, groups []string) (*Summary, error) {
	return SummarizeWith(x, w, income, groups, Options{})
}

// SummarizeWith is Summarize with the poverty line and conventions of opt.
func SummarizeWith(x, w, income []float64, groups []string, opt Options) (*Summary, error) {
	if len(w) != len(x) || (income != nil && len(income) != len(x)) || (groups != nil && len(groups) != len(x)) {
		return nil, fmt.Errorf("measure: inequality of %d values with %d weights, %d incomes, %d groups", len(x), len(w), len(income), len(groups))
	}
	total, ok := valid(x, w)
	if !ok {
		return nil, fmt.Errorf("measure: inequality needs access and population that are finite numbers >= 0, with someone living somewhere")
	}
	if opt.PovertyLine < 0 || math.IsNaN(opt.PovertyLine) || math.IsInf(opt.PovertyLine, 0) {
		return nil, fmt.Errorf("measure: poverty line %v; want a finite number >= 0", opt.PovertyLine)
	}
	// One ranking of the origins serves the Gini index, the Lorenz curve
	// and the Palma ratio.
	order := byAccess(x)
	pts := lorenz(x, w, total, order)
	s := &Summary{People: total, Gini: gini(x, w, total, order), Palma: palma(pts), Theil: TheilTWith(x, w, groups, opt.Zeros), Lorenz: pts,
		PalmaIncome: math.NaN(), Concentration: math.NaN(), Corrected: math.NaN(), PovertyLine: opt.PovertyLine}
	for i := range x {
		s.Mean += x[i] * w[i] / total
	}
	if s.PovertyLine == 0 {
		s.PovertyLine = RelativeLine(x, w, DefaultPovertyShare)
	}
	s.FGT = FGT(x, w, s.PovertyLine)
	if income != nil {
		s.PalmaIncome = PalmaIncome(x, w, income)
		s.Concentration, s.Corrected = ConcentrationWith(x, w, income, opt.Ties, opt.Range)
	}
	return s, nil
}
