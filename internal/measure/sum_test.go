package measure

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
)

// exactRound is the exact sum of xs rounded to nearest-even, computed
// independently with math/big at a precision that holds any sum of these
// values exactly.
func exactRound(xs []float64) float64 {
	acc := new(big.Float).SetPrec(4096).SetMode(big.ToNearestEven)
	for _, x := range xs {
		acc.Add(acc, new(big.Float).SetPrec(4096).SetFloat64(x))
	}
	f, _ := acc.Float64()
	return f
}

func TestSumExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := [][]float64{
		{},
		{1, 1e100, 1, -1e100},
		{0.1, 0.2, 0.3},
		{1, 0x1p-53},            // a tie: stays 1
		{1, 0x1p-53, 0x1p-106},  // just above the tie: rounds up
		{1, 0x1p-53, -0x1p-106}, // just below: stays 1
		{1 + 0x1p-52, 0x1p-53},  // a tie to even: rounds up
		{3.5, -3.5, 1e-300, 1e-300},
	}
	for n := 0; n < 300; n++ {
		xs := make([]float64, 1+rng.IntN(400))
		for k := range xs {
			// Populations times weights: a wide spread of magnitudes, some
			// negative to make cancellation.
			xs[k] = math.Ldexp(rng.Float64(), rng.IntN(80)-40)
			if n%3 == 0 && rng.IntN(2) == 0 {
				xs[k] = -xs[k]
			}
		}
		cases = append(cases, xs)
	}
	for c, xs := range cases {
		want := exactRound(xs)
		got := SumOf(xs).Float64()
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("case %d (%d terms): Sum gives %v, the exact sum rounds to %v", c, len(xs), got, want)
		}
		// Any order, and any split into parts added together, gives the
		// same bits: what the shards of a run rely on.
		sh := append([]float64(nil), xs...)
		rng.Shuffle(len(sh), func(a, b int) { sh[a], sh[b] = sh[b], sh[a] })
		var whole Sum
		parts := make([]Sum, 1+rng.IntN(4))
		for k, x := range sh {
			parts[k%len(parts)].Add(x)
		}
		for _, p := range parts {
			whole.AddSum(SumOf(p.Parts()))
		}
		if got := whole.Float64(); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("case %d: %d parts added in another order give %v, want %v", c, len(parts), got, want)
		}
	}
	// Plain addition in order does differ on such data: the test can fail.
	naive := 0.0
	for _, x := range cases[2] {
		naive += x
	}
	if naive == SumOf(cases[2]).Float64() {
		t.Fatalf("0.1+0.2+0.3 added in order is %v, the same as the exact sum: the check above proves nothing", naive)
	}
}

// TestDemandOfParts: the 2SFCA demand of a matrix's origins split into
// parts, each summed on its own matrix and the parts' sums added, has the
// same bits as the demand of the whole, and FCAs on the whole gives those
// same demands and ratios. A sharded run relies on both.
func TestDemandOfParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const nO, nD = 400, 30
	origins, dests := make([]string, nO), make([]string, nD)
	for i := range origins {
		origins[i] = "o" + strconv.Itoa(i)
	}
	for j := range dests {
		dests[j] = "d" + strconv.Itoa(j)
	}
	pop := make([]float64, nO)
	for i := range pop {
		pop[i] = rng.Float64() * 300 // fractional people, as areal weighting gives
	}
	var pairs []Pair
	for i := range nO {
		for j := range nD {
			if rng.IntN(3) > 0 {
				pairs = append(pairs, Pair{From: i, To: j, Cost: rng.Float64() * 40})
			}
		}
	}
	whole, err := New(origins, dests, pairs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []Decay{Binary(30), Exponential(0.1)} {
		want, err := whole.Demand(pop, d)
		if err != nil {
			t.Fatal(err)
		}
		supply := make([]float64, nD)
		for j := range supply {
			supply[j] = float64(1 + j%3)
		}
		fcas, err := whole.FCAs(TwoStep, pop, [][]float64{supply}, d, FCAOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for parts := 1; parts <= 4; parts++ {
			sums := make([]Sum, nD)
			for k := range parts {
				// Origins k, k+parts, ...: each part its own matrix.
				var ids []string
				var ps []Pair
				var pp []float64
				local := map[int]int{}
				for i := k; i < nO; i += parts {
					local[i] = len(ids)
					ids = append(ids, origins[i])
					pp = append(pp, pop[i])
				}
				for _, p := range pairs {
					if a, ok := local[p.From]; ok {
						ps = append(ps, Pair{From: a, To: p.To, Cost: p.Cost})
					}
				}
				m, err := New(ids, dests, ps, nil)
				if err != nil {
					t.Fatal(err)
				}
				part, err := m.Demand(pp, d)
				if err != nil {
					t.Fatal(err)
				}
				for j := range part {
					sums[j].AddSum(SumOf(part[j].Parts()))
				}
			}
			for j := range sums {
				got, w := sums[j].Float64(), want[j].Float64()
				if math.Float64bits(got) != math.Float64bits(w) {
					t.Fatalf("%v, %d parts: place %d demand %v, the whole's %v", d, parts, j, got, w)
				}
				if math.Float64bits(fcas[0].Demand[j]) != math.Float64bits(w) {
					t.Fatalf("%v: FCAs demand at place %d is %v, Demand gives %v", d, j, fcas[0].Demand[j], w)
				}
			}
		}
	}
}

// TestFixedSums: the 128-bit fixed-point sums give the same bits as Sum
// (and so as the exact sum, rounded once), and refuse terms whose range
// they cannot hold exactly.
func TestFixedSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for c := 0; c < 200; c++ {
		rows, dests := 1+rng.IntN(3000), 1+rng.IntN(40)
		spread := 1 + rng.IntN(60) // binary orders of magnitude among terms
		type term struct {
			j int32
			v float64
		}
		byRow := make([][]term, rows)
		for i := range byRow {
			for range rng.IntN(6) {
				v := math.Ldexp(rng.Float64(), rng.IntN(spread)-spread/2)
				byRow[i] = append(byRow[i], term{int32(rng.IntN(dests)), v})
			}
		}
		terms := func(lo, hi int, add func(int32, float64)) {
			for i := lo; i < hi; i++ {
				for _, tm := range byRow[i] {
					add(tm.j, tm.v)
				}
			}
		}
		got, ok := fixedSums(evenRows(rows), dests, terms)
		if !ok {
			t.Fatalf("case %d: refused terms spread over 2^%d", c, spread)
		}
		want := make([]Sum, dests)
		terms(0, rows, func(j int32, v float64) { want[j].Add(v) })
		for j := range want {
			if g, w := got[j].Float64(), want[j].Float64(); math.Float64bits(g) != math.Float64bits(w) {
				t.Fatalf("case %d, destination %d: fixed point gives %v, Sum %v", c, j, g, w)
			}
		}
	}
	wide := func(lo, hi int, add func(int32, float64)) {
		add(0, 1e-300)
		add(0, 1e300)
	}
	if _, ok := fixedSums(evenRows(1), 1, wide); ok {
		t.Error("fixedSums took terms from 1e-300 to 1e300, which 128 bits cannot hold exactly")
	}
	if _, ok := fixedSums(evenRows(1), 1, func(lo, hi int, add func(int32, float64)) { add(0, -1) }); ok {
		t.Error("fixedSums took a negative term")
	}
}

// evenRows is the row starts of rows rows of one pair each, for terms that
// do not come from a matrix.
func evenRows(rows int) []int {
	start := make([]int, rows+1)
	for i := range start {
		start[i] = i
	}
	return start
}
