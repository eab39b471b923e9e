package measure

import (
	"fmt"
	"testing"

	"commonground/internal/testdata"
)

// synthetic returns a full n x n matrix with costs spread over 0-120
// minutes by a fixed linear congruential sequence, and supply, population
// and categories for it.
func synthetic(n int) (origins, dests []string, pairs []Pair, pop, supply []float64, cat []string) {
	origins, dests = make([]string, n), make([]string, n)
	pop, supply, cat = make([]float64, n), make([]float64, n), make([]string, n)
	for i := range origins {
		origins[i] = fmt.Sprintf("o%d", i)
		dests[i] = fmt.Sprintf("d%d", i)
		pop[i] = float64(i % 500)
		supply[i] = float64(i % 7)
		cat[i] = fmt.Sprintf("c%d", i%9)
	}
	x := uint64(42)
	pairs = make([]Pair, 0, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			x = x*6364136223846793005 + 1442695040888963407
			pairs = append(pairs, Pair{From: i, To: j, Cost: float64(x>>40%12000) / 100})
		}
	}
	return
}

// allMeasures runs every measure the measure subcommand's --measure all does.
func allMeasures(b *testing.B, m *Matrix, pop, supply []float64, cat []string) {
	must := func(v []float64, err error) []float64 {
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	must(m.Nearest(supply))
	must(m.NthNearest(supply, 3))
	must(m.CostToReach(supply, 20))
	cum := must(m.Cumulative(supply, 30))
	must(m.CumulativeInterval(supply, 20, 40, Median))
	must(m.Gravity(supply, Exponential(0.1)))
	must(m.Diversity(cat, 30))
	must(m.Passive(pop, Binary(30)))
	for _, f := range []struct {
		method Method
		d      Decay
	}{{TwoStep, Binary(30)}, {TwoStep, LuoQi(30)}, {ThreeStep, LuoQi(30)}, {Balanced, Binary(30)}} {
		if _, err := m.FCA(f.method, pop, supply, f.d, FCAOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := Summarize(cum, pop, supply, cat); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAllMeasures1M: every measure on a 1000 x 1000 matrix (1 million
// pairs), the matrix built outside the loop.
func BenchmarkAllMeasures1M(b *testing.B) {
	o, d, pairs, pop, supply, cat := synthetic(1000)
	m, err := New(o, d, pairs, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		allMeasures(b, m, pop, supply, cat)
	}
}

// BenchmarkNew1M: building the compressed matrix from 1 million pairs.
func BenchmarkNew1M(b *testing.B) {
	o, d, pairs, _, _, _ := synthetic(1000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := New(o, d, pairs, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadBH: parsing the 29 MB Belo Horizonte matrix (748,437 pairs)
// with its land-use table.
func BenchmarkReadBH(b *testing.B) {
	matrix := testdata.Shared(b, "belo-horizonte/travel_matrix.csv")
	tab, err := ReadTable(testdata.Shared(b, "belo-horizonte/land_use_data.csv"), "id")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ReadMatrix(matrix, MatrixOptions{Origins: tab, Dests: tab}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDemandDelaware: 2SFCA's exact demand sums in the shape of the
// Delaware example's drive matrix: 24,000 cells with fractional people,
// 95 of 362 places each within the catchment (2.3 million pairs).
func BenchmarkDemandDelaware(b *testing.B) {
	const nO, nD, per = 24000, 362, 95
	origins, dests := make([]string, nO), make([]string, nD)
	pop := make([]float64, nO)
	x := uint64(42)
	next := func() uint64 { x = x*6364136223846793005 + 1442695040888963407; return x >> 11 }
	for i := range origins {
		origins[i] = fmt.Sprintf("o%d", i)
		pop[i] = float64(next()%100000) / 997 // areal weighting leaves fractions
	}
	for j := range dests {
		dests[j] = fmt.Sprintf("d%d", j)
	}
	pairs := make([]Pair, 0, nO*per)
	for i := range nO {
		for k := range per {
			pairs = append(pairs, Pair{From: i, To: (i*7 + k*13) % nD, Cost: float64(next()%3000) / 100})
		}
	}
	m, err := New(origins, dests, pairs, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Demand(pop, Binary(30)); err != nil {
			b.Fatal(err)
		}
	}
}
