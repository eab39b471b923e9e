package measure

import (
	"bufio"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"commonground/internal/problem"
	"commonground/internal/testdata"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// bh is the Belo Horizonte data of IPEA's accessibility package, read twice:
// once by the package, once by the plain dense reader below.
type bh struct {
	m                       *Matrix
	pop, jobs, schools, inc []float64
	decile                  []string
	dense                   [][]float64 // dense[i][j] travel time, NaN when absent
	pairs                   int
}

var (
	bhOnce sync.Once
	bhData *bh
	bhErr  error
)

func loadBH(tb testing.TB) *bh {
	tb.Helper()
	matrix := testdata.Shared(tb, "belo-horizonte/travel_matrix.csv")
	land := testdata.Shared(tb, "belo-horizonte/land_use_data.csv")
	bhOnce.Do(func() {
		d := &bh{}
		t, err := ReadTable(land, "id")
		if err != nil {
			bhErr = err
			return
		}
		var probs problem.List
		if d.m, err = ReadMatrix(matrix, MatrixOptions{Origins: t, Dests: t}, &probs); err != nil {
			bhErr = err
			return
		}
		for _, c := range []struct {
			name string
			dst  *[]float64
		}{{"population", &d.pop}, {"jobs", &d.jobs}, {"schools", &d.schools}, {"income_per_capita", &d.inc}} {
			if *c.dst, err = t.Numbers(c.name, nil, &probs); err != nil {
				bhErr = err
				return
			}
		}
		d.decile, _ = t.Strings("income_decile", nil)
		d.dense, d.pairs, bhErr = readDense(matrix, t.IDs)
		bhData = d
	})
	if bhErr != nil {
		tb.Fatal(bhErr)
	}
	return bhData
}

// readDense reads the matrix CSV with plain string splitting into a dense
// table, independently of ParseMatrix.
func readDense(path string, ids []string) ([][]float64, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	idx := map[string]int{}
	for i, id := range ids {
		idx[id] = i
	}
	dense := make([][]float64, len(ids))
	for i := range dense {
		dense[i] = make([]float64, len(ids))
		for j := range dense[i] {
			dense[i][j] = math.NaN()
		}
	}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	n := 0
	for sc.Scan() {
		parts := strings.Split(sc.Text(), ",")
		c, err := strconv.ParseFloat(parts[2], 64)
		if err != nil {
			return nil, 0, err
		}
		dense[idx[strings.Trim(parts[0], `"`)]][idx[strings.Trim(parts[1], `"`)]] = c
		n++
	}
	return dense, n, sc.Err()
}

// relEqual compares to 1e-9 relative (exact for infinities and zeros).
func relEqual(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

func compare(t *testing.T, name string, got, want []float64, ids []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	bad := 0
	for i := range want {
		if !relEqual(got[i], want[i]) {
			if bad++; bad <= 3 {
				t.Errorf("%s[%s] = %.17g, dense loops give %.17g", name, ids[i], got[i], want[i])
			}
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d of %d values differ", name, bad, len(want))
	}
}

// TestPublishedIPEAValues: the package reproduces the outputs IPEA publishes
// in the accessibility package's README and inequality vignette for this
// very data set (the first six ids each example prints).
func TestPublishedIPEAValues(t *testing.T) {
	d := loadBH(t)
	at := map[string]int{}
	for i, id := range d.m.Origins {
		at[id] = i
	}
	first := []string{"89a881a5a2bffff", "89a881a5a2fffff", "89a881a5a67ffff", "89a881a5a6bffff", "89a881a5a6fffff", "89a881a5b03ffff"}
	second := []string{"89a88cdb57bffff", "89a88cdb597ffff", "89a88cdb5b3ffff", "89a88cdb5cfffff", "89a88cd909bffff", "89a88cd90b7ffff"}
	nearest, _ := d.m.Nearest(d.schools)
	cum, _ := d.m.Cumulative(d.jobs, 30)
	interval, _ := d.m.CumulativeInterval(d.jobs, 20, 30, Median)
	grav, _ := d.m.Gravity(d.schools, Exponential(0.2))
	fca, err := d.m.FCA(TwoStep, d.pop, d.jobs, Binary(50), FCAOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		ids    []string
		got    []float64
		want   []float64
		digits float64 // printed precision
	}{
		{"cost_to_closest schools", first, nearest, []float64{29, 24, 28, 33, 32, 17}, 0},
		{"cumulative_cutoff jobs 30", first, cum, []float64{14561, 29452, 16647, 10700, 6669, 37029}, 0},
		{"cumulative_interval jobs 20-30", second, interval, []float64{7649, 21990, 22282, 26841, 14421, 25699}, 0},
		{"gravity schools exp 0.2", second, grav, []float64{0.03041853, 1.15549493, 0.56519126, 0.19852152, 0.41378042, 0.95737555}, 5e-9},
		{"2sfca jobs binary 50", second, fca.Access, []float64{0.4278111, 0.3863614, 0.4501725, 0.5366707, 0.4280401, 0.5176583}, 5e-8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, id := range tc.ids {
				if got := tc.got[at[id]]; math.Abs(got-tc.want[k]) > tc.digits {
					t.Errorf("%s = %.10g, IPEA prints %v", id, got, tc.want[k])
				}
			}
		})
	}
	t.Run("inequality of cumulative jobs 30", func(t *testing.T) {
		s, err := Summarize(cum, d.pop, d.inc, d.decile)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name           string
			got, want, tol float64 // tol: half a unit of the last printed digit
		}{
			{"gini_index", s.Gini, 0.4715251, 5e-8},
			{"palma_ratio", s.PalmaIncome, 3.800465, 5e-7},
			{"theil_t", s.Theil.T, 0.3616631, 5e-8},
			{"theil between_group", s.Theil.Between, 0.1280753, 5e-8},
			{"theil within_group", s.Theil.Within, 0.2335878, 5e-8},
		} {
			if math.Abs(c.got-c.want) > c.tol {
				t.Errorf("%s = %.10g, IPEA prints %v", c.name, c.got, c.want)
			}
		}
		// IPEA's vignette prints 0.3346494 for the corrected index (income
		// ties in input order, bounds over every cell); the earlier
		// convention (ties by population, bounds over populated cells), kept
		// as an option, gives 0.33464764.
		if math.Abs(s.Corrected-0.3346494) > 5e-8 {
			t.Errorf("corrected concentration index = %.10g, IPEA prints 0.3346494", s.Corrected)
		}
		old, err := SummarizeWith(cum, d.pop, d.inc, d.decile, Options{Ties: TiesByPopulation, Range: RangePopulated})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(old.Corrected-0.33464764) > 5e-9 {
			t.Errorf("corrected concentration index, ties by population over populated cells = %.10g, want 0.33464764", old.Corrected)
		}
	})
}

// TestIndependentScript: FGT, the concentration indexes and Theil T with
// zero-access origins on Belo Horizonte equal what an independent Python
// script (standard library only, written from the published formulas)
// prints. The values below were printed by
//
//	python3 internal/measure/testdata/ipea_inequality.py ../shared/datasets/belo-horizonte
//
// run from the repository root (Python 3; it takes a few seconds).
func TestIndependentScript(t *testing.T) {
	d := loadBH(t)
	cum := func(cut float64) []float64 {
		x, err := d.m.Cumulative(d.jobs, cut)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	x30 := cum(30)
	check := func(t *testing.T, name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12*math.Max(math.Abs(want), 1e-300) {
			t.Errorf("%s = %.17g, the script prints %.17g", name, got, want)
		}
	}
	t.Run("FGT", func(t *testing.T) {
		for _, c := range []struct {
			line float64
			want [3]float64
		}{
			// 95368 is the line of IPEA's fgt_poverty example on this data.
			{95368, [3]float64{0.5745378044115772, 0.32773830683714456, 0.22187690343769312}},
			{20000, [3]float64{0.0863838242169238, 0.0378311181945684, 0.022917128530249915}},
		} {
			s, err := SummarizeWith(x30, d.pop, d.inc, nil, Options{PovertyLine: c.line})
			if err != nil {
				t.Fatal(err)
			}
			for a := range c.want {
				check(t, "FGT"+strconv.Itoa(a)+" at "+strconv.FormatFloat(c.line, 'g', -1, 64), s.FGT[a], c.want[a])
			}
		}
	})
	t.Run("concentration", func(t *testing.T) {
		ci, cic := Concentration(x30, d.pop, d.inc)
		check(t, "CI (IPEA)", ci, 0.28650126701932266)
		check(t, "CIc (IPEA)", cic, 0.3346494401461462)
		ci, cic = ConcentrationWith(x30, d.pop, d.inc, TiesByPopulation, RangePopulated)
		check(t, "CI (ties by population)", ci, 0.28649745253569564)
		check(t, "CIc (ties by population, populated range)", cic, 0.3346476423292832)
	})
	t.Run("Theil T with zero access", func(t *testing.T) {
		for _, c := range []struct {
			cut         float64
			zeros       int // populated cells without access, as the script counts them
			ipea, limit float64
		}{
			{10, 8, 0.813286387886874, 0.8122693046294652},
			{15, 2, 0.8163119157745031, 0.8162260484621846},
		} {
			x := cum(c.cut)
			n := 0
			for i := range x {
				if x[i] == 0 && d.pop[i] > 0 {
					n++
				}
			}
			if n != c.zeros {
				t.Errorf("cutoff %v: %d populated cells without access, the script counts %d", c.cut, n, c.zeros)
			}
			check(t, "Theil T (IPEA) at "+strconv.FormatFloat(c.cut, 'g', -1, 64), TheilT(x, d.pop, nil).T, c.ipea)
			check(t, "Theil T (limit) at "+strconv.FormatFloat(c.cut, 'g', -1, 64), TheilTWith(x, d.pop, nil, ZeroLimit).T, c.limit)
		}
	})
}

// TestAgainstDenseLoops: every measure on the real Belo Horizonte matrix
// equals a straightforward dense implementation to 1e-9 relative.
func TestAgainstDenseLoops(t *testing.T) {
	d := loadBH(t)
	m, ids := d.m, d.m.Origins
	if m.Len() != 748437 || d.pairs != 748437 || len(ids) != 898 {
		t.Fatalf("read %d pairs (dense %d) among %d cells, want 748,437 among 898", m.Len(), d.pairs, len(ids))
	}
	n := len(ids)
	for i := 0; i < n; i++ {
		ds, cs := m.Row(i)
		if len(ds) != countReachable(d.dense[i]) {
			t.Fatalf("row %s has %d pairs, dense %d", ids[i], len(ds), countReachable(d.dense[i]))
		}
		for k, j := range ds {
			if cs[k] != d.dense[i][j] {
				t.Fatalf("cost %s -> %s = %v, dense %v", ids[i], ids[j], cs[k], d.dense[i][j])
			}
		}
	}
	t.Run("nearest and nth", func(t *testing.T) {
		for _, nth := range []int{1, 2, 5} {
			got, _ := m.NthNearest(d.schools, nth)
			compare(t, "nth "+strconv.Itoa(nth), got, denseNth(d.dense, d.schools, nth), ids)
		}
	})
	t.Run("cost to reach", func(t *testing.T) {
		for _, k := range []float64{1, 10, 1000} {
			got, _ := m.CostToReach(d.jobs, k)
			compare(t, "reach", got, denseReach(d.dense, d.jobs, k), ids)
		}
	})
	t.Run("cumulative", func(t *testing.T) {
		for _, cut := range []float64{0, 15, 30, 47.5, 90} {
			got, _ := m.Cumulative(d.jobs, cut)
			compare(t, "cumulative", got, denseGravity(d.dense, d.jobs, func(c float64) float64 { return b2f(c <= cut) }), ids)
		}
	})
	t.Run("interval", func(t *testing.T) {
		for _, stat := range []Stat{Median, Mean} {
			for _, iv := range [][2]float64{{20, 30}, {40, 80}, {15.5, 25}} {
				got, _ := m.CumulativeInterval(d.jobs, iv[0], iv[1], stat)
				compare(t, "interval "+stat.String(), got, denseInterval(d.dense, d.jobs, iv[0], iv[1], stat), ids)
			}
		}
	})
	decays := []struct {
		d Decay
		f func(c float64) float64
	}{
		{Binary(30), func(c float64) float64 { return b2f(c <= 30) }},
		{Linear(45), func(c float64) float64 { return math.Max(0, 1-c/45) }},
		{Exponential(0.1), func(c float64) float64 { return math.Exp(-0.1 * c) }},
		{Power(1.5), func(c float64) float64 { return math.Min(1, math.Pow(c, -1.5)) }},
		{Gaussian(20), func(c float64) float64 { return math.Exp(-c * c / 800) }},
		{Gaussian(20).Within(40), func(c float64) float64 { return b2f(c <= 40) * math.Exp(-c*c/800) }},
		{Logistic(40, 10), func(c float64) float64 {
			g := func(x float64) float64 { return 1 + math.Exp((x-40)*math.Pi/(10*math.Sqrt(3))) }
			return g(0) / g(c)
		}},
		{Stepped([]float64{15, 30, 45}, []float64{0.6, 0.3, 0}), func(c float64) float64 {
			switch {
			case c < 15:
				return 1
			case c < 30:
				return 0.6
			case c < 45:
				return 0.3
			}
			return 0
		}},
		{LuoQi(30), func(c float64) float64 {
			switch {
			case c <= 10:
				return 1
			case c <= 20:
				return 0.68
			case c <= 30:
				return 0.22
			}
			return 0
		}},
	}
	for _, dc := range decays {
		t.Run("gravity "+dc.d.String(), func(t *testing.T) {
			got, err := m.Gravity(d.jobs, dc.d)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, "gravity", got, denseGravity(d.dense, d.jobs, dc.f), ids)
		})
		for _, method := range []Method{TwoStep, ThreeStep, Balanced} {
			for _, all := range []bool{false, true} {
				name := method.String() + " " + dc.d.String()
				if all {
					name += " all destinations"
				}
				t.Run(name, func(t *testing.T) {
					r, err := m.FCA(method, d.pop, d.jobs, dc.d, FCAOptions{AllDestinations: all})
					if err != nil {
						t.Fatal(err)
					}
					access, ratio := denseFCA(method, d.dense, d.pop, d.jobs, dc.f, all)
					compare(t, "access", r.Access, access, ids)
					compare(t, "ratio", r.Ratio, ratio, ids)
				})
			}
		}
	}
	t.Run("passive", func(t *testing.T) {
		got, _ := m.Passive(d.pop, Exponential(0.05))
		want := make([]float64, n)
		for j := range want {
			for i := range d.dense {
				if c := d.dense[i][j]; !math.IsNaN(c) {
					want[j] += d.pop[i] * math.Exp(-0.05*c)
				}
			}
		}
		compare(t, "passive", got, want, ids)
	})
	t.Run("diversity", func(t *testing.T) {
		got, _ := m.Diversity(d.decile, 25)
		want := make([]float64, n)
		for i, row := range d.dense {
			seen := map[string]bool{}
			for j, c := range row {
				if c <= 25 && d.decile[j] != "" {
					seen[d.decile[j]] = true
				}
			}
			want[i] = float64(len(seen))
		}
		compare(t, "diversity", got, want, ids)
	})
	t.Run("inequality", func(t *testing.T) {
		for _, cut := range []float64{10, 20, 45} {
			x, _ := m.Cumulative(d.jobs, cut)
			for _, opt := range []Options{{}, {Ties: TiesByPopulation, Range: RangePopulated, Zeros: ZeroLimit, PovertyLine: 50000}} {
				s, err := SummarizeWith(x, d.pop, d.inc, d.decile, opt)
				if err != nil {
					t.Fatal(err)
				}
				want := denseInequality(x, d.pop, d.inc, d.decile, opt)
				got := []float64{s.Gini, s.Palma, s.Theil.T, s.Theil.Between, s.Theil.Within, s.Concentration, s.Corrected, s.FGT[0], s.FGT[1], s.FGT[2]}
				compare(t, "inequality", got, want, []string{"gini", "palma", "theil", "between", "within", "ci", "cic", "fgt0", "fgt1", "fgt2"})
			}
		}
	})
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func countReachable(row []float64) int {
	n := 0
	for _, c := range row {
		if !math.IsNaN(c) {
			n++
		}
	}
	return n
}

func denseNth(dense [][]float64, opp []float64, nth int) []float64 {
	out := make([]float64, len(dense))
	for i, row := range dense {
		var cs []float64
		for j, c := range row {
			if !math.IsNaN(c) && opp[j] > 0 {
				cs = append(cs, c)
			}
		}
		sort.Float64s(cs)
		out[i] = math.Inf(1)
		if len(cs) >= nth {
			out[i] = cs[nth-1]
		}
	}
	return out
}

func denseReach(dense [][]float64, opp []float64, k float64) []float64 {
	out := make([]float64, len(dense))
	for i, row := range dense {
		out[i] = math.Inf(1)
		var js []int
		for j, c := range row {
			if !math.IsNaN(c) && opp[j] > 0 {
				js = append(js, j)
			}
		}
		sort.SliceStable(js, func(a, b int) bool { return row[js[a]] < row[js[b]] })
		sum := 0.0
		for _, j := range js {
			sum += opp[j]
			if sum >= k || (k == 1 && opp[j] > 0) {
				out[i] = row[j]
				break
			}
		}
	}
	return out
}

func denseGravity(dense [][]float64, opp []float64, f func(float64) float64) []float64 {
	out := make([]float64, len(dense))
	for i, row := range dense {
		for j, c := range row {
			if !math.IsNaN(c) {
				out[i] += opp[j] * f(c)
			}
		}
	}
	return out
}

func denseInterval(dense [][]float64, opp []float64, lo, hi float64, stat Stat) []float64 {
	out := make([]float64, len(dense))
	for i := range dense {
		var v []float64
		for cut := lo; cut <= hi+1e-9; cut++ {
			s := 0.0
			for j, c := range dense[i] {
				if c <= cut {
					s += opp[j]
				}
			}
			v = append(v, s)
		}
		sort.Float64s(v)
		var x float64
		switch {
		case stat == Mean:
			for _, a := range v {
				x += a
			}
			x /= float64(len(v))
		case len(v)%2 == 1:
			x = v[len(v)/2]
		default:
			x = (v[len(v)/2-1] + v[len(v)/2]) / 2
		}
		out[i] = math.Trunc(x)
	}
	return out
}

// denseFCA follows the formulas of Luo & Wang (2SFCA), Wan et al. (3SFCA) and
// Paez et al. (BFCA) with full matrices.
func denseFCA(method Method, dense [][]float64, pop, supply []float64, f func(float64) float64, all bool) (access, ratio []float64) {
	n, nd := len(dense), len(supply)
	W := make([][]float64, n)
	for i := range W {
		W[i] = make([]float64, nd)
		for j, c := range dense[i] {
			if !math.IsNaN(c) && (method == TwoStep || all || supply[j] > 0) {
				W[i][j] = f(c)
			}
		}
	}
	rowSum, colSum := make([]float64, n), make([]float64, nd)
	for i := range W {
		for j := range W[i] {
			rowSum[i] += W[i][j]
			colSum[j] += W[i][j]
		}
	}
	demandW := func(i, j int) float64 { // weight of P_i in D_j
		switch method {
		case ThreeStep:
			return W[i][j] / rowSum[i] * W[i][j]
		case Balanced:
			return W[i][j] / rowSum[i]
		}
		return W[i][j]
	}
	accessW := func(i, j int) float64 { // weight of R_j in A_i
		switch method {
		case ThreeStep:
			return W[i][j] / rowSum[i] * W[i][j]
		case Balanced:
			return W[i][j] / colSum[j]
		}
		return W[i][j]
	}
	ratio = make([]float64, nd)
	for j := 0; j < nd; j++ {
		D := 0.0
		for i := 0; i < n; i++ {
			if W[i][j] > 0 {
				D += pop[i] * demandW(i, j)
			}
		}
		if D > 0 {
			ratio[j] = supply[j] / D
		}
	}
	access = make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < nd; j++ {
			if W[i][j] > 0 {
				access[i] += ratio[j] * accessW(i, j)
			}
		}
	}
	return access, ratio
}

// denseInequality computes the statistics from their textbook forms: Gini by
// pairwise differences, Palma by filling the bottom 40% and top 10% of
// people, Theil and its decomposition by direct sums, the concentration index
// as twice the weighted covariance of access and fractional income rank over
// the mean, FGT by counting people below the line (half the mean access
// when opt gives none).
func denseInequality(x, w, inc []float64, groups []string, opt Options) []float64 {
	W, S := 0.0, 0.0
	for i := range x {
		W += w[i]
		S += w[i] * x[i]
	}
	mu := S / W
	pair := 0.0
	for i := range x {
		for j := range x {
			pair += w[i] * w[j] * math.Abs(x[i]-x[j])
		}
	}
	gini := pair / (2 * W * W * mu)

	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	share := func(from, to float64) float64 { // access of people ranked in [from, to) of W
		s, before := 0.0, 0.0
		for _, i := range idx {
			lo, hi := math.Max(before, from), math.Min(before+w[i], to)
			if hi > lo {
				s += (hi - lo) * x[i]
			}
			before += w[i]
		}
		return s / S
	}
	palma := share(0.9*W, W) / share(0, 0.4*W)

	theil, wPlus := 0.0, 0.0
	gW, gS := map[string]float64{}, map[string]float64{}
	for i := range x {
		if x[i] > 0 {
			theil += w[i] * x[i] / mu * math.Log(x[i]/mu)
			wPlus += w[i]
		}
		g := groups[i]
		if g == "" {
			g = "NA"
		}
		gW[g] += w[i]
		gS[g] += w[i] * x[i]
	}
	between, within := 0.0, 0.0
	for g := range gW {
		if gW[g] == 0 {
			continue
		}
		mg := gS[g] / gW[g]
		between += gW[g] / W * mg / mu * math.Log(mg/mu)
		tg := 0.0
		for i := range x {
			gi := groups[i]
			if gi == "" {
				gi = "NA"
			}
			if gi == g && x[i] > 0 {
				tg += w[i] / gW[g] * x[i] / mg * math.Log(x[i]/mg)
			}
		}
		within += gS[g] / S * tg
	}
	if opt.Zeros == ZeroLimit {
		theil /= W
	} else {
		theil /= wPlus // IPEA: zero-access origins dropped, weights renormalised
	}

	var keep []int
	for i := range x {
		if w[i] > 0 && !math.IsNaN(inc[i]) {
			keep = append(keep, i)
		}
	}
	sort.SliceStable(keep, func(a, b int) bool {
		i, j := keep[a], keep[b]
		if inc[i] != inc[j] || opt.Ties == TiesInOrder {
			return inc[i] < inc[j]
		}
		return w[i] < w[j]
	})
	kw, ks, lo, hi := 0.0, 0.0, math.Inf(1), math.Inf(-1)
	for _, i := range keep {
		kw += w[i]
		ks += w[i] * x[i]
		lo, hi = math.Min(lo, x[i]), math.Max(hi, x[i])
	}
	if opt.Range == RangeAll {
		for i := range x {
			lo, hi = math.Min(lo, x[i]), math.Max(hi, x[i])
		}
	}
	kmu := ks / kw
	var sxr, sr, cum float64
	for _, i := range keep {
		r := (cum + w[i]/2) / kw
		sxr += w[i] / kw * x[i] * r
		sr += w[i] / kw * r
		cum += w[i]
	}
	ci := 2 * (sxr - kmu*sr) / kmu

	line := opt.PovertyLine
	if line == 0 {
		line = mu / 2
	}
	var fgt [3]float64
	for i := range x {
		if x[i] < line {
			g := 1 - x[i]/line
			fgt[0] += w[i] / W
			fgt[1] += w[i] / W * g
			fgt[2] += w[i] / W * math.Pow(g, 2)
		}
	}
	return []float64{gini, palma, theil, between, within, ci, 4 * kmu * ci / (hi - lo), fgt[0], fgt[1], fgt[2]}
}
