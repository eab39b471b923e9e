package measure

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// sparseRows turns synthetic pairs into compressed rows, keeping those at
// most maxCost, in the order an origin-then-destination list has them.
func sparseRows(n int, maxCost float64) (origins, dests []string, pairs []Pair, start []int, dest []int32, cost []float64, pop []float64, supplies [][]float64) {
	o, d, all, p, supply, _ := synthetic(n)
	origins, dests, pop = o, d, p
	start = make([]int, n+1)
	for _, q := range all {
		if q.Cost <= maxCost {
			pairs = append(pairs, q)
			dest = append(dest, int32(q.To))
			cost = append(cost, q.Cost)
			start[q.From+1]++
		}
	}
	for i := 0; i < n; i++ {
		start[i+1] += start[i]
	}
	// Groups of destinations: each residue class of 3, and all of them.
	for g := 0; g < 4; g++ {
		s := make([]float64, n)
		for j := range s {
			if g == 3 || j%3 == g {
				s[j] = supply[j]
			}
		}
		supplies = append(supplies, s)
	}
	return
}

func sameBits(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("%s[%d] = %v, want %v (bit for bit)", what, i, got[i], want[i])
		}
	}
}

// TestRowsMatchPairs checks that a matrix from rows, and the measures of
// several vectors at once, equal the matrix from pairs and the one-vector
// measures to the last bit: the run's outputs must not change with them.
func TestRowsMatchPairs(t *testing.T) {
	origins, dests, pairs, start, dest, cost, pop, supplies := sparseRows(3000, 40)
	want, err := New(origins, dests, pairs, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewRows(origins, dests, start, dest, cost, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.start) != len(want.start) || len(m.dest) != len(want.dest) {
		t.Fatalf("rows give %d pairs, pairs give %d", len(m.dest), len(want.dest))
	}
	for k := range want.dest {
		if m.dest[k] != want.dest[k] || math.Float64bits(m.cost[k]) != math.Float64bits(want.cost[k]) {
			t.Fatalf("pair %d: rows give (%d, %v), pairs give (%d, %v)", k, m.dest[k], m.cost[k], want.dest[k], want.cost[k])
		}
	}
	cums, err := m.Cumulatives(supplies, 15)
	if err != nil {
		t.Fatal(err)
	}
	gravs, err := m.Gravities(supplies, Exponential(0.1))
	if err != nil {
		t.Fatal(err)
	}
	fcas, err := m.FCAs(TwoStep, pop, supplies, Binary(30), FCAOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for g, s := range supplies {
		c, _ := want.Cumulative(s, 15)
		sameBits(t, "cumulative", cums[g], c)
		gr, _ := want.Gravity(s, Exponential(0.1))
		sameBits(t, "gravity", gravs[g], gr)
		// Gravity before it skipped destinations without supply.
		slow := make([]float64, len(origins))
		for i := range slow {
			ds, cs := want.Row(i)
			for k, j := range ds {
				slow[i] += s[j] * Exponential(0.1).Weight(cs[k])
			}
		}
		sameBits(t, "gravity (every pair weighed)", gr, slow)
		f, _ := want.FCA(TwoStep, pop, s, Binary(30), FCAOptions{})
		sameBits(t, "2SFCA access", fcas[g].Access, f.Access)
		sameBits(t, "2SFCA ratio", fcas[g].Ratio, f.Ratio)
		sameBits(t, "2SFCA demand", fcas[g].Demand, f.Demand)
	}
	three, err := m.FCAs(ThreeStep, pop, supplies[:1], LuoQi(30), FCAOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := want.FCA(ThreeStep, pop, supplies[0], LuoQi(30), FCAOptions{})
	sameBits(t, "3SFCA access", three[0].Access, f.Access)
}

func TestNewRowsRejects(t *testing.T) {
	ids := []string{"a", "b"}
	for _, tc := range []struct {
		name  string
		start []int
		dest  []int32
		cost  []float64
		want  string
	}{
		{"repeated pair", []int{0, 2, 2}, []int32{1, 1}, []float64{3, 4}, `matrix pair 2: from "a" to "b" repeats pair 1`},
		{"negative cost", []int{0, 1, 2}, []int32{0, 1}, []float64{3, -1}, `matrix pair 2 (from "b" to "b"): travel cost -1 is negative`},
		{"NaN cost", []int{0, 1, 1}, []int32{0}, []float64{math.NaN()}, "not a finite number"},
		{"destination outside", []int{0, 0, 1}, []int32{2}, []float64{1}, "destination index 2 is outside the 2 destinations"},
		{"short rows", []int{0, 1}, []int32{0}, []float64{1}, "row starts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRows(ids, ids, tc.start, tc.dest, tc.cost, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestNewRowsRejectsFirst: on a matrix large enough to be checked on all
// cores in runs, the fault reported is the one a single pass in order
// reports: a destination out of range anywhere first, then the earliest
// bad cost, then the earliest repeated pair, whichever run finds them.
func TestNewRowsRejectsFirst(t *testing.T) {
	const n = 20000 // origins, two pairs each
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprint("o", i)
	}
	dests := []string{"x", "y", "z"}
	type fault struct {
		row  int
		kind string // "outside", "cost", "repeat"
	}
	build := func(faults ...fault) error {
		start := make([]int, n+1)
		dest := make([]int32, 2*n)
		cost := make([]float64, 2*n)
		for i := range n {
			start[i+1] = 2 * (i + 1)
			dest[2*i], dest[2*i+1] = 0, 1
			cost[2*i], cost[2*i+1] = 1, 2
		}
		for _, f := range faults {
			switch f.kind {
			case "outside":
				dest[2*f.row+1] = 7
			case "cost":
				cost[2*f.row+1] = -3
			case "repeat":
				dest[2*f.row+1] = 0
			}
		}
		_, err := NewRows(ids, dests, start, dest, cost, nil)
		return err
	}
	for _, tc := range []struct {
		faults []fault
		want   string
	}{
		{[]fault{{100, "repeat"}, {15000, "cost"}, {19000, "outside"}}, "matrix pair 38002: destination index 7"},
		{[]fault{{100, "repeat"}, {15000, "cost"}, {3000, "cost"}}, `matrix pair 6002 (from "o3000" to "y"): travel cost -3`},
		{[]fault{{18000, "repeat"}, {500, "repeat"}, {9000, "repeat"}}, `matrix pair 1002: from "o500" to "x" repeats pair 1001`},
	} {
		err := build(tc.faults...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("faults %v: error %v, want one containing %q", tc.faults, err, tc.want)
		}
	}
	if err := build(); err != nil {
		t.Fatalf("a good matrix refused: %v", err)
	}
}

// BenchmarkNewRows1M: building the compressed matrix from rows of 1 million
// pairs (the rows are copied outside the timer, since NewRows sorts them in
// place).
func BenchmarkNewRows1M(b *testing.B) {
	origins, dests, _, start, dest, cost, _, _ := sparseRows(1000, 1e9)
	d, c := make([]int32, len(dest)), make([]float64, len(cost))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		copy(d, dest)
		copy(c, cost)
		b.StartTimer()
		if _, err := NewRows(origins, dests, start, d, c, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGroupMeasures1M: cumulative, gravity and 2SFCA access of four
// groups of places on a 1000 x 1000 matrix, as a study measures each kind
// of place, at once.
func BenchmarkGroupMeasures1M(b *testing.B) {
	origins, dests, _, start, dest, cost, pop, supplies := sparseRows(1000, 1e9)
	m, err := NewRows(origins, dests, start, dest, cost, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Cumulatives(supplies, 15); err != nil {
			b.Fatal(err)
		}
		if _, err := m.Gravities(supplies, Exponential(0.1)); err != nil {
			b.Fatal(err)
		}
		if _, err := m.FCAs(TwoStep, pop, supplies, Binary(30), FCAOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGroupMeasuresOneByOne1M is BenchmarkGroupMeasures1M one group
// and one measure at a time, for comparison.
func BenchmarkGroupMeasuresOneByOne1M(b *testing.B) {
	origins, dests, _, start, dest, cost, pop, supplies := sparseRows(1000, 1e9)
	m, err := NewRows(origins, dests, start, dest, cost, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range supplies {
			if _, err := m.Cumulative(s, 15); err != nil {
				b.Fatal(err)
			}
			if _, err := m.Gravity(s, Exponential(0.1)); err != nil {
				b.Fatal(err)
			}
			if _, err := m.FCA(TwoStep, pop, s, Binary(30), FCAOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
