package measure

import (
	"math"
	"testing"

	"commonground/internal/problem"
)

// The hand-worked case: 3 origins, 2 facilities, asymmetric costs (minutes);
// C cannot reach Y at all (absent pair).
//
//	      X (supply 10, library)   Y (supply 5, park)
//	A (100 people)     5                 30
//	B (200 people)    20                 10
//	C  (50 people)    40                  -
func handMatrix(t *testing.T) (*Matrix, []float64, []float64) {
	t.Helper()
	var probs problem.List
	m, err := New([]string{"A", "B", "C"}, []string{"X", "Y"}, []Pair{
		{From: 2, To: 0, Cost: 40}, {From: 0, To: 1, Cost: 30}, {From: 0, To: 0, Cost: 5},
		{From: 1, To: 1, Cost: 10}, {From: 1, To: 0, Cost: 20},
	}, &probs)
	if err != nil {
		t.Fatal(err)
	}
	if probs.Len() != 1 || probs.Items()[0].Message != "1 of 6 origin-destination pairs are absent from the matrix and are treated as unreachable" {
		t.Errorf("problems = %v, want one warning about 1 absent pair", probs.Items())
	}
	return m, []float64{100, 200, 50}, []float64{10, 5}
}

const tol = 1e-12

func near(a, b float64) bool {
	if math.IsInf(a, 0) || math.IsInf(b, 0) || math.IsNaN(a) || math.IsNaN(b) {
		return a == b || (math.IsNaN(a) && math.IsNaN(b))
	}
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func checkSlice(t *testing.T, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d values %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if !near(got[i], want[i]) {
			t.Errorf("[%d] = %.15g, want %.15g (all: %v)", i, got[i], want[i], got)
		}
	}
}

func TestHandMeasures(t *testing.T) {
	m, pop, supply := handMatrix(t)
	inf := math.Inf(1)
	e := math.Exp
	tests := []struct {
		name string
		run  func() ([]float64, error)
		want []float64
	}{
		// Nearest facility with supply > 0: A 5 (X), B 10 (Y), C 40 (X).
		{"nearest", func() ([]float64, error) { return m.Nearest(supply) }, []float64{5, 10, 40}},
		// Second nearest: A Y at 30, B X at 20, C has only one.
		{"2nd nearest", func() ([]float64, error) { return m.NthNearest(supply, 2) }, []float64{30, 20, inf}},
		// A zero-opportunity destination is skipped: with Y empty, A's nearest is still X.
		{"nearest skips empty", func() ([]float64, error) { return m.Nearest([]float64{0, 5}) }, []float64{30, 10, inf}},
		// 12 opportunities: A 10 at 5, +5 at 30 -> 30; B 5 at 10, +10 at 20 -> 20; C only 10 -> Inf.
		{"cost to reach 12", func() ([]float64, error) { return m.CostToReach(supply, 12) }, []float64{30, 20, inf}},
		// Within 30 (<= counts): A 10+5 (Y at exactly 30), B 10+5, C none (X at 40).
		{"cumulative 30", func() ([]float64, error) { return m.Cumulative(supply, 30) }, []float64{15, 15, 0}},
		// Just under 30, A loses Y.
		{"cumulative 29.5", func() ([]float64, error) { return m.Cumulative(supply, 29.5) }, []float64{10, 15, 0}},
		// Cutoffs 28, 29, 30, 31: A 10, 10, 15, 15 -> median (10+15)/2 = 12.5 -> 12; B 15 x4; C 0.
		{"interval median", func() ([]float64, error) { return m.CumulativeInterval(supply, 28, 31, Median) }, []float64{12, 15, 0}},
		// Mean of A: 50/4 = 12.5 -> 12. Cutoffs 27..30: A 10,10,10,15 -> mean 11.25 -> 11, median 10.
		{"interval mean", func() ([]float64, error) { return m.CumulativeInterval(supply, 27, 30, Mean) }, []float64{11, 15, 0}},
		{"interval median 27-30", func() ([]float64, error) { return m.CumulativeInterval(supply, 27, 30, Median) }, []float64{10, 15, 0}},
		// exp(-0.1 c): A 10e^-0.5 + 5e^-3, B 10e^-2 + 5e^-1, C 10e^-4.
		{"gravity exp", func() ([]float64, error) { return m.Gravity(supply, Exponential(0.1)) },
			[]float64{10*e(-0.5) + 5*e(-3), 10*e(-2) + 5*e(-1), 10 * e(-4)}},
		// c^-1: A 10/5 + 5/30, B 10/20 + 5/10, C 10/40.
		{"gravity power", func() ([]float64, error) { return m.Gravity(supply, Power(1)) },
			[]float64{2 + 5.0/30, 0.5 + 0.5, 0.25}},
		// 1 - c/30: A 10(25/30) + 5·0, B 10(10/30) + 5(20/30), C 0 (40 > 30).
		{"gravity linear", func() ([]float64, error) { return m.Gravity(supply, Linear(30)) },
			[]float64{250.0 / 30, 100.0/30 + 100.0/30, 0}},
		// Binary 20: A X, B X (20 <= 20) and Y, C nothing.
		{"gravity binary", func() ([]float64, error) { return m.Gravity(supply, Binary(20)) }, []float64{10, 15, 0}},
		// Stepped (IPEA): 1 below 10, 0.5 from 10, 0 from 30: A 10·1 + 5·0, B 10·0.5 + 5·0.5, C 0.
		{"gravity stepped", func() ([]float64, error) { return m.Gravity(supply, Stepped([]float64{10, 30}, []float64{0.5, 0})) },
			[]float64{10, 7.5, 0}},
		// Passive within 30: X is reached by A and B (300), Y by A (at 30) and B.
		{"passive", func() ([]float64, error) { return m.Passive(pop, Binary(30)) }, []float64{300, 300}},
		// Categories within 25: A library; B library and park; C none.
		{"diversity 25", func() ([]float64, error) { return m.Diversity([]string{"library", "park"}, 25) }, []float64{1, 2, 0}},
		{"diversity ignores empty", func() ([]float64, error) { return m.Diversity([]string{"", "park"}, 30) }, []float64{1, 1, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.run()
			if err != nil {
				t.Fatal(err)
			}
			checkSlice(t, got, tc.want)
		})
	}
}

func TestHandFCA(t *testing.T) {
	m, pop, supply := handMatrix(t)
	tests := []struct {
		name           string
		method         Method
		decay          Decay
		access, ratio  []float64
		demand, supply []float64
	}{
		{
			// Catchment 25: A-X, B-X, B-Y (A-Y at 30 and C-X at 40 are out).
			// D_X = 100 + 200 = 300, R_X = 10/300; D_Y = 200, R_Y = 5/200.
			// A_A = 1/30; A_B = 1/30 + 1/40; A_C = 0.
			// Check: 100/30 + 200(1/30 + 1/40) = 15 = total supply.
			name: "2SFCA", method: TwoStep, decay: Binary(25),
			access: []float64{1.0 / 30, 1.0/30 + 1.0/40, 0}, ratio: []float64{10.0 / 300, 5.0 / 200}, demand: []float64{300, 200},
		},
		{
			// Luo & Qi zones 0-10:1, 10-20:0.68, 20-30:0.22.
			// W: A-X 1, A-Y 0.22 (30 is in the last zone), B-X 0.68 (20), B-Y 1 (10), C-X 0.
			// D_X = 100 + 200·0.68 = 236; D_Y = 100·0.22 + 200 = 222.
			// A_A = 10/236 + 0.22·5/222; A_B = 0.68·10/236 + 5/222.
			name: "E2SFCA", method: TwoStep, decay: LuoQi(30),
			access: []float64{10.0/236 + 0.22*5/222, 0.68*10/236 + 5.0/222, 0}, ratio: []float64{10.0 / 236, 5.0 / 222}, demand: []float64{236, 222},
		},
		{
			// Same W. Selection weights: A sums 1.22 -> G_AX = 1/1.22, G_AY = 0.22/1.22;
			// B sums 1.68 -> G_BX = 0.68/1.68, G_BY = 1/1.68.
			// D_X = 100·(1/1.22)·1 + 200·(0.68/1.68)·0.68
			// D_Y = 100·(0.22/1.22)·0.22 + 200·(1/1.68)·1
			// A_A = (1/1.22)·1·R_X + (0.22/1.22)·0.22·R_Y; A_B = (0.68/1.68)·0.68·R_X + (1/1.68)·R_Y.
			name: "3SFCA", method: ThreeStep, decay: LuoQi(30),
			access: func() []float64 {
				rx, ry := 10/d3x, 5/d3y
				return []float64{1/1.22*rx + 0.22/1.22*0.22*ry, 0.68/1.68*0.68*rx + 1/1.68*ry, 0}
			}(),
			ratio: []float64{10 / d3x, 5 / d3y}, demand: []float64{d3x, d3y},
		},
		{
			// Catchment 25: W A-X, B-X, B-Y = 1.
			// Row-normalised (people): A all to X; B half to X, half to Y.
			// Column-normalised (supply): X half to A, half to B; Y all to B.
			// D_X = 100 + 100 = 200, D_Y = 100 (sum 300 = people of A and B; C reaches nothing).
			// R_X = 10/200, R_Y = 5/100. A_A = 0.05·0.5; A_B = 0.05·0.5 + 0.05·1.
			// Supply: A 10·0.5 = 5; B 10·0.5 + 5 = 10 (sum 15).
			name: "BFCA", method: Balanced, decay: Binary(25),
			access: []float64{0.025, 0.075, 0}, ratio: []float64{0.05, 0.05}, demand: []float64{200, 100}, supply: []float64{5, 10, 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := m.FCA(tc.method, pop, supply, tc.decay, FCAOptions{})
			if err != nil {
				t.Fatal(err)
			}
			checkSlice(t, r.Access, tc.access)
			checkSlice(t, r.Ratio, tc.ratio)
			checkSlice(t, r.Demand, tc.demand)
			if tc.supply != nil {
				checkSlice(t, r.Supply, tc.supply)
			}
			// Luo & Wang's property holds in every one of these (all facilities have demand).
			if tc.method != Balanced {
				total := 0.0
				for i, a := range r.Access {
					total += pop[i] * a
				}
				if !near(total, 15) {
					t.Errorf("sum P_i A_i = %.15g, want total supply 15", total)
				}
			}
		})
	}
}

// 3SFCA demands of the hand case.
var (
	d3x = 100*(1/1.22)*1 + 200*(0.68/1.68)*0.68
	d3y = 100*(0.22/1.22)*0.22 + 200*(1/1.68)*1
)

// TestFCAEdgeCases: a zero-population origin alone reaching a facility, and
// a facility nobody reaches.
func TestFCAEdgeCases(t *testing.T) {
	// P reaches X (5); Q has no people and is the only one to reach Y (5); Z is out of everyone's reach.
	m, err := New([]string{"P", "Q"}, []string{"X", "Y", "Z"}, []Pair{
		{From: 0, To: 0, Cost: 5}, {From: 1, To: 0, Cost: 5}, {From: 1, To: 1, Cost: 5}, {From: 0, To: 2, Cost: 50},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pop, supply := []float64{10, 0}, []float64{4, 6, 8}
	for _, method := range []Method{TwoStep, ThreeStep, Balanced} {
		t.Run(method.String(), func(t *testing.T) {
			r, err := m.FCA(method, pop, supply, Binary(30), FCAOptions{})
			if err != nil {
				t.Fatal(err)
			}
			// X: 4 for the 10 people of P -> 0.4; Y (only Q, nobody) and Z (nobody) -> 0.
			checkSlice(t, r.Ratio, []float64{0.4, 0, 0})
			if method == Balanced {
				// Q's allocation splits over X and Y, but it has no people: D_X = 10 all the same.
				checkSlice(t, r.Demand, []float64{10, 0, 0})
				// X's supply is split between P and Q (4/2 each); Y's 6 goes to Q; Z's 8 to nobody.
				checkSlice(t, r.Supply, []float64{2, 8})
				// A_P = 0.4·(1/2); A_Q = 0.4·(1/2) + 0·1.
				checkSlice(t, r.Access, []float64{0.2, 0.2})
				return
			}
			// A person living at Q would share X with P's people: Q's access is X's ratio
			// (3SFCA: Q's selection splits 1/2 to X, so 0.5·0.4).
			q := 0.4
			if method == ThreeStep {
				q = 0.2
			}
			checkSlice(t, r.Access, []float64{0.4, q})
			// Sum P_i A_i = 4: the supply of facilities with demand, X only.
			if got := pop[0]*r.Access[0] + pop[1]*r.Access[1]; !near(got, 4) {
				t.Errorf("sum P_i A_i = %v, want 4", got)
			}
		})
	}
}

func TestHandInequality(t *testing.T) {
	// Access 1, 2, 3 for 1, 1, 2 people; mean μ = (1 + 2 + 6)/4 = 2.25.
	x, w := []float64{1, 2, 3}, []float64{1, 1, 2}
	// Gini: sum_ij w_i w_j |x_i - x_j| = 2(1·1·1 + 1·2·2 + 1·2·1) = 14; G = 14/(2·4²·2.25) = 14/72.
	if g := Gini(x, w); !near(g, 14.0/72) {
		t.Errorf("Gini = %v, want 14/72", g)
	}
	// Lorenz: total access 9; points (0,0), (1/4, 1/9), (1/2, 3/9), (1, 1).
	pts := Lorenz(x, w)
	want := []LorenzPoint{{0, 0}, {0.25, 1.0 / 9}, {0.5, 3.0 / 9}, {1, 1}}
	if len(pts) != len(want) {
		t.Fatalf("Lorenz = %v, want %v", pts, want)
	}
	for k := range want {
		if !near(pts[k].Pop, want[k].Pop) || !near(pts[k].Access, want[k].Access) {
			t.Errorf("Lorenz[%d] = %v, want %v", k, pts[k], want[k])
		}
	}
	// Palma: L(0.4) = 1/9 + (2/9)(0.15/0.25) = 11/45; L(0.9) = 1/3 + (2/3)(0.4/0.5) = 13/15;
	// (1 - 13/15)/(11/45) = (6/45)/(11/45) = 6/11.
	if p := Palma(x, w); !near(p, 6.0/11) {
		t.Errorf("Palma = %v, want 6/11", p)
	}
	// Theil T = sum (w/W)(x/μ)ln(x/μ).
	r := func(v float64) float64 { return v / 2.25 * math.Log(v/2.25) }
	theil := 0.25*r(1) + 0.25*r(2) + 0.5*r(3)
	// Groups {1,2} (μ 1.5, 2 people) and {3} (μ 3, 2 people):
	// between = 0.5(1.5/2.25)ln(1.5/2.25) + 0.5(3/2.25)ln(3/2.25);
	// within = (3/9)·T_a with T_a = 0.5(1/1.5)ln(1/1.5) + 0.5(2/1.5)ln(2/1.5), T_b = 0.
	between := 0.5*r(1.5) + 0.5*r(3)
	ta := 0.5*(1/1.5)*math.Log(1/1.5) + 0.5*(2/1.5)*math.Log(2/1.5)
	th := TheilT(x, w, []string{"a", "a", "b"})
	if !near(th.T, theil) || !near(th.Between, between) || !near(th.Within, ta/3) || !near(th.Between+th.Within, th.T) {
		t.Errorf("Theil = %+v, want T %v, between %v, within %v", th, theil, between, ta/3)
	}
	if len(th.Groups) != 2 || th.Groups[0].Name != "a" || !near(th.Groups[0].T, ta) || !near(th.Groups[0].Share, 1.0/3) || th.Groups[1].T != 0 {
		t.Errorf("Theil groups = %+v", th.Groups)
	}
	// Concentration by income 3, 1, 2: order is origin 1 (x 2, p 1/4), 2 (x 3, p 1/2), 0 (x 1, p 1/4);
	// fractional ranks 1/8, 1/2, 7/8.
	// sum p(x-μ)(R-1/2) = 0.25(-0.25)(-0.375) + 0 + 0.25(-1.25)(0.375) = -0.09375;
	// CI = 2(-0.09375)/2.25 = -1/12; CIc = 4·2.25·(-1/12)/(3-1) = -0.375.
	ci, cic := Concentration(x, w, []float64{3, 1, 2})
	if !near(ci, -1.0/12) || !near(cic, -0.375) {
		t.Errorf("Concentration = %v, %v; want -1/12, -0.375", ci, cic)
	}
}

func TestWeightedQuantile(t *testing.T) {
	tests := []struct {
		name    string
		x, w    []float64
		p, want []float64
	}{
		// n = 4: order 1 + 3p. p 0.4: 2.2 -> 2 + 0.2(3-2); p 0.9: 3.7 -> 3 + 0.7. R's type 7.
		{"equal weights", []float64{4, 1, 3, 2}, []float64{1, 1, 1, 1}, []float64{0.4, 0.9}, []float64{2.2, 3.7}},
		// 10 ×3, 20 ×1: cum 3, 4. p 0.4: order 2.2, both order statistics 10;
		// p 0.9: order 3.7 -> 0.3·10 + 0.7·20 = 17.
		{"weights", []float64{10, 20}, []float64{3, 1}, []float64{0.4, 0.9}, []float64{10, 17}},
		// Equal values merge; NaN value and zero weight are dropped.
		{"ties and missing", []float64{5, 5, math.NaN(), 7}, []float64{1, 1, 9, 0}, []float64{0.5}, []float64{5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkSlice(t, WeightedQuantile(tc.x, tc.w, tc.p...), tc.want)
		})
	}
}

func TestPalmaIncome(t *testing.T) {
	// Ten origins of one person, income and access 1..10. Weighted 40th percentile:
	// order 1 + 9·0.4 = 4.6 -> 4.6, so the poorest are incomes 1-4 (mean access 2.5);
	// 90th: order 9.1 -> 9.1, the richest is income 10 (access 10). Palma = 10/2.5 = 4.
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	w := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	if p := PalmaIncome(x, w, x); !near(p, 4) {
		t.Errorf("PalmaIncome = %v, want 4", p)
	}
	eq := []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 3}
	if p := PalmaIncome(eq, w, x); !near(p, 1) {
		t.Errorf("PalmaIncome of equal access = %v, want 1", p)
	}
}

func TestInequalityLimits(t *testing.T) {
	for _, n := range []int{2, 5, 100} {
		equal, one, w := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range w {
			equal[i], w[i] = 7, 1
		}
		one[n-1] = 42
		if g := Gini(equal, w); !near(g, 0) {
			t.Errorf("n=%d: Gini of equal access = %v, want 0", n, g)
		}
		if g := Gini(one, w); !near(g, float64(n-1)/float64(n)) {
			t.Errorf("n=%d: Gini of one holding all = %v, want (N-1)/N = %v", n, g, float64(n-1)/float64(n))
		}
		if th := TheilT(equal, w, nil); !near(th.T, 0) {
			t.Errorf("n=%d: Theil of equal access = %v, want 0", n, th.T)
		}
		// One of N holds all: counting everyone, T = (1/N)·N·ln N = ln N (the
		// upper bound); IPEA drops the N-1 without access and renormalises
		// over the one left, T = N·ln N (μ stays the mean over everyone).
		if th := TheilTWith(one, w, nil, ZeroLimit); !near(th.T, math.Log(float64(n))) {
			t.Errorf("n=%d: Theil (limit) of one holding all = %v, want ln N", n, th.T)
		}
		if th := TheilT(one, w, nil); !near(th.T, float64(n)*math.Log(float64(n))) {
			t.Errorf("n=%d: Theil (IPEA) of one holding all = %v, want N ln N", n, th.T)
		}
		if n >= 5 {
			if p := Palma(equal, w); !near(p, 0.25) {
				t.Errorf("n=%d: Palma of equal access = %v, want 0.25", n, p)
			}
			if p := Palma(one, w); !math.IsInf(p, 1) {
				t.Errorf("n=%d: Palma when the bottom 40%% have nothing = %v, want +Inf", n, p)
			}
		}
		rank := make([]float64, n)
		for i := range rank {
			rank[i] = float64(i)
		}
		if ci, _ := Concentration(equal, w, rank); !near(ci, 0) {
			t.Errorf("n=%d: concentration of equal access = %v, want 0", n, ci)
		}
	}
	if g := Gini([]float64{0, 0}, []float64{1, 1}); !math.IsNaN(g) {
		t.Errorf("Gini with no access at all = %v, want NaN", g)
	}
	if g := Gini([]float64{1, 2}, []float64{1}); !math.IsNaN(g) {
		t.Errorf("Gini with mismatched lengths = %v, want NaN", g)
	}
}

func TestDecayWeights(t *testing.T) {
	tests := []struct {
		name  string
		d     Decay
		costs []float64
		want  []float64
	}{
		{"binary counts the cutoff", Binary(30), []float64{0, 30, 30.0001}, []float64{1, 1, 0}},
		{"linear", Linear(30), []float64{0, 15, 30, 45}, []float64{1, 0.5, 0, 0}},
		{"exponential", Exponential(0.2), []float64{0, 10}, []float64{1, math.Exp(-2)}},
		// IPEA caps c^-beta at 1: costs below 1, and 0, weigh 1.
		{"power capped at 1", Power(2), []float64{0, 0.5, 1, 4}, []float64{1, 1, 1, 1.0 / 16}},
		// PySAL gaussian(σ=20): 1, e^-0.5 at 20, e^-2 at 40.
		{"gaussian", Gaussian(20), []float64{0, 20, 40}, []float64{1, math.Exp(-0.5), math.Exp(-2)}},
		// Logistic with f(0) = 1; at the inflection point g(0)/g(m) = (1 + e^(-mπ/(sd√3)))/2.
		{"logistic", Logistic(30, 10), []float64{0, 30}, []float64{1, (1 + math.Exp(-30*math.Pi/(10*math.Sqrt(3)))) / 2}},
		// IPEA decay_stepped(c(10, 20, 30, 40), c(0.75, 0.5, 0.25, 0)): the weight changes at each step.
		{"stepped", Stepped([]float64{10, 20, 30, 40}, []float64{0.75, 0.5, 0.25, 0}),
			[]float64{0, 5, 10, 25, 35, 40, 45}, []float64{1, 1, 0.75, 0.5, 0.25, 0, 0}},
		// PySAL step_fn({20: 1, 40: 0.68, 60: 0.22}): 0..20 -> 1, 30 and 40 -> 0.68, 50 and 60 -> 0.22, 70 -> 0.
		{"zones", Zones([]float64{20, 40, 60}, []float64{1, 0.68, 0.22}),
			[]float64{0, 10, 20, 30, 40, 50, 60, 70}, []float64{1, 1, 1, 0.68, 0.68, 0.22, 0.22, 0}},
		{"within a catchment", Gaussian(10).Within(30), []float64{30, 30.5}, []float64{math.Exp(-4.5), 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.d.Err(); err != nil {
				t.Fatal(err)
			}
			got := make([]float64, len(tc.costs))
			for k, c := range tc.costs {
				got[k] = tc.d.Weight(c)
			}
			checkSlice(t, got, tc.want)
		})
	}
}

func TestDecayErrors(t *testing.T) {
	tests := []struct {
		name string
		d    Decay
		want string
	}{
		{"zero value", Decay{}, "no decay function"},
		{"negative beta", Exponential(-1), "beta is -1"},
		{"zero sigma", Gaussian(0), "sigma is 0"},
		{"logistic sd", Logistic(30, 0), "standard deviation is 0"},
		{"steps not increasing", Stepped([]float64{20, 10}, []float64{0.5, 0}), "step 2 is 10"},
		{"weights missing", Zones([]float64{10, 20}, []float64{1}), "as many weights as steps"},
		{"stepped weight above 1", Stepped([]float64{10}, []float64{2}), "weight 1 is 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.d.Err()
			if err == nil || !contains(err.Error(), tc.want) {
				t.Errorf("Err() = %v, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestFGTByHand(t *testing.T) {
	// Access 0, 2, 4, 10 for 1, 2, 1, 1 people (W = 5), poverty line 4:
	// shortfalls g = 1 (access 0), 0.5 (access 2); access 4 is on the line,
	// not below it, so not poor. FGT0 = (1+2)/5 = 0.6; FGT1 = (1·1 + 2·0.5)/5
	// = 0.4; FGT2 = (1·1 + 2·0.25)/5 = 0.3.
	x := []float64{0, 2, 4, 10}
	w := []float64{1, 2, 1, 1}
	f4 := FGT(x, w, 4)
	checkSlice(t, f4[:], []float64{0.6, 0.4, 0.3})
	// Line 20: everyone poor. g = 1, 0.9, 0.8, 0.5. FGT0 = 1;
	// FGT1 = (1 + 1.8 + 0.8 + 0.5)/5 = 0.82; FGT2 = (1 + 2·0.81 + 0.64 + 0.25)/5 = 0.702.
	f20 := FGT(x, w, 20)
	checkSlice(t, f20[:], []float64{1, 0.82, 0.702})
	// Line 0: nobody has less than nothing.
	f0 := FGT(x, w, 0)
	checkSlice(t, f0[:], []float64{0, 0, 0})
	if f := FGT(x, w, -1); !math.IsNaN(f[0]) {
		t.Errorf("FGT at a negative line = %v, want NaN", f)
	}
	// Default line: half the mean, (0 + 2·2 + 4 + 10)/5 / 2 = 3.6/2 = 1.8.
	// Only access 0 is below: g = 1 for 1 person of 5, so FGT0 = FGT1 =
	// FGT2 = 0.2.
	s, err := Summarize(x, w, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !near(s.PovertyLine, 1.8) {
		t.Errorf("default poverty line = %v, want 1.8", s.PovertyLine)
	}
	checkSlice(t, s.FGT[:], []float64{0.2, 0.2, 0.2})
	if _, err := SummarizeWith(x, w, nil, nil, Options{PovertyLine: math.NaN()}); err == nil {
		t.Error("a NaN poverty line is accepted")
	}
}

func TestConcentrationConventionsByHand(t *testing.T) {
	// Origins 0 and 1 tie at income 5 with 2 and 1 people; origin 2 is the
	// poorest (income 1); origin 3 has nobody and the most access.
	// W = 4, μ = (2·1 + 1·3 + 1·2)/4 = 1.75.
	x := []float64{1, 3, 2, 6}
	w := []float64{2, 1, 1, 0}
	inc := []float64{5, 5, 1, 9}
	// IPEA, ties in input order: 2 (p 1/4, R 1/8), 0 (p 1/2, R 1/2), 1 (p 1/4, R 7/8).
	// sum p(x-μ)(R-1/2) = 0.25·0.25·(-0.375) + 0 + 0.25·1.25·0.375 = 0.09375;
	// CI = 2·0.09375/1.75 = 3/28. Bounds over every cell: 6 - 1 = 5, so
	// CIc = 4·1.75·(3/28)/5 = 0.15; over populated cells 3 - 1 = 2: 0.375.
	// Ties by population: 2 (R 1/8), 1 (p 1/4, R 3/8), 0 (p 1/2, R 3/4):
	// sum = -0.0234375 + 0.25·1.25·(-0.125) + 0.5·(-0.75)·0.25 = -0.15625;
	// CI = -0.3125/1.75 = -5/28; CIc = 4·1.75·(-5/28)/5 = -0.25 or /2 = -0.625.
	tests := []struct {
		name          string
		ties          Ties
		rng           Range
		wantCI, wantC float64
	}{
		{"ipea", TiesInOrder, RangeAll, 3.0 / 28, 0.15},
		{"input order, populated range", TiesInOrder, RangePopulated, 3.0 / 28, 0.375},
		{"ties by population, full range", TiesByPopulation, RangeAll, -5.0 / 28, -0.25},
		{"ties by population, populated range", TiesByPopulation, RangePopulated, -5.0 / 28, -0.625},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ci, cic := ConcentrationWith(x, w, inc, tc.ties, tc.rng)
			if !near(ci, tc.wantCI) || !near(cic, tc.wantC) {
				t.Errorf("concentration = %v, %v; want %v, %v", ci, cic, tc.wantCI, tc.wantC)
			}
		})
	}
	if ci, cic := Concentration(x, w, inc); !near(ci, 3.0/28) || !near(cic, 0.15) {
		t.Errorf("Concentration (IPEA by default) = %v, %v; want 3/28, 0.15", ci, cic)
	}
	// A populated origin without income (access 0, 5 people) is left out of
	// the sums, but its access still widens IPEA's bounds to 6 - 0:
	// CIc = 0.75/6 = 0.125; over the ranked, populated origins it stays 0.375.
	x2, w2, inc2 := append(x, 0), append(w, 5), append(inc, math.NaN())
	if ci, cic := Concentration(x2, w2, inc2); !near(ci, 3.0/28) || !near(cic, 0.125) {
		t.Errorf("Concentration with a missing income = %v, %v; want 3/28, 0.125", ci, cic)
	}
	if _, cic := ConcentrationWith(x2, w2, inc2, TiesInOrder, RangePopulated); !near(cic, 0.375) {
		t.Errorf("corrected over populated cells with a missing income = %v, want 0.375", cic)
	}
}

func TestTheilZeroAccessByHand(t *testing.T) {
	// Access 0, 1, 3 for 1, 1, 2 people: W = 4, μ = 7/4.
	// Counting everyone (0 ln 0 = 0): T = [1·r(1) + 2·r(3)]/4 with
	// r(v) = (v/μ)ln(v/μ): r(1) = -0.31978045, r(3) = 0.92399400, T = 0.38205189.
	// IPEA drops the origin without access and divides by the 3 people left,
	// keeping μ = 7/4: T = [r(1) + 2·r(3)]/3 = 0.50940252.
	x := []float64{0, 1, 3}
	w := []float64{1, 1, 2}
	r := func(v float64) float64 { return v / 1.75 * math.Log(v/1.75) }
	limit, ipea := (r(1)+2*r(3))/4, (r(1)+2*r(3))/3
	if math.Abs(limit-0.38205189) > 1e-8 || math.Abs(ipea-0.50940252) > 1e-8 {
		t.Fatalf("worked values %v, %v disagree with the comment", limit, ipea)
	}
	if th := TheilTWith(x, w, nil, ZeroLimit); !near(th.T, limit) {
		t.Errorf("Theil (limit) = %v, want %v", th.T, limit)
	}
	if th := TheilT(x, w, nil); !near(th.T, ipea) {
		t.Errorf("Theil (IPEA) = %v, want %v", th.T, ipea)
	}
	// Groups {0, 1} and {3}: the decomposition counts everyone either way,
	// so Between + Within is the limit T under both conventions.
	for _, z := range []ZeroAccess{ZeroDropped, ZeroLimit} {
		th := TheilTWith(x, w, []string{"a", "a", "b"}, z)
		if !near(th.Between+th.Within, limit) {
			t.Errorf("%v: between %v + within %v, want %v", z, th.Between, th.Within, limit)
		}
	}
	// With access everywhere the conventions agree.
	y := []float64{1, 2, 3}
	if a, b := TheilT(y, w, nil).T, TheilTWith(y, w, nil, ZeroLimit).T; !near(a, b) {
		t.Errorf("Theil with access everywhere: IPEA %v, limit %v", a, b)
	}
}
