package gap

import (
	"math"
	"testing"
)

func TestSpearmanByHand(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		want float64
	}{
		{"identical order", []float64{1, 2, 3, 4}, []float64{10, 20, 30, 40}, 1},
		{"reversed", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1},
		// Ranks x 1 2 3 4 5, y 2 1 4 3 5: d² = 1+1+1+1+0 = 4,
		// rho = 1 - 6*4/(5*24) = 0.8.
		{"two swaps", []float64{1, 2, 3, 4, 5}, []float64{2, 1, 4, 3, 5}, 0.8},
		// Ties: x ranks 1.5 1.5 3 4, y ranks 1 2 3 4. Pearson of the ranks:
		// mean 2.5; dx -1 -1 .5 1.5, dy -1.5 -.5 .5 1.5; sxy = 1.5+.5+.25+2.25 = 4.5,
		// sxx = 1+1+.25+2.25 = 4.5, syy = 2.25+.25+.25+2.25 = 5; rho = 4.5/sqrt(22.5).
		{"ties", []float64{7, 7, 8, 9}, []float64{1, 2, 3, 4}, 4.5 / math.Sqrt(22.5)},
		{"no variation either side", []float64{3, 3}, []float64{1, 1}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Spearman(tc.x, tc.y); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("Spearman = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRerankByHand(t *testing.T) {
	// Three areas, one cell each, all urban. Walk minutes to the ranking
	// category: A 12, B 18, C 25; people A 1000, B 500, C 100.
	in := RankInput{
		Walk:    []float64{12, 18, 25},
		Drive:   []float64{2, 3, 4},
		Class:   []Class{Urban, Urban, Urban},
		Members: [][]Member{{{Area: 0, Pop: 1000}}, {{Area: 1, Pop: 500}}, {{Area: 2, Pop: 100}}},
		NAreas:  3,
	}
	walk := func(m float64) Setting {
		return Setting{{Minutes: m}, {Drive: true, Minutes: 15}, {Drive: true, Minutes: 30}}
	}
	// Baseline 15 min: B (500) and C (100) underserved; top 1 = B.
	// At 10 min all three: A (1000) leads. At 20 min only C. At 30 none:
	// the order falls to ties on 0 people, broken by index (A, B, C).
	res := Rerank(in, []Setting{walk(15), walk(10), walk(20), walk(30)}, 1)
	if len(res.Top) != 1 || res.Top[0] != 1 {
		t.Fatalf("baseline top = %v, want [1]", res.Top)
	}
	// B is top only in the baseline: 1 of 4 settings.
	if res.StayShare[0] != 0.25 || res.Overlap != 0.25 {
		t.Errorf("stay %v overlap %v, want 0.25", res.StayShare, res.Overlap)
	}
	// Spearman of each setting's underserved counts with the baseline's
	// (A 0, B 500, C 100): baseline 1; at 10 min (1000, 500, 100) -> ranks
	// (3,2,1) vs (1,3,2): rho = -0.5; at 20 min (0, 0, 100) -> ranks
	// (1.5,1.5,3) vs (1,3,2): 0; at 30 min no variation: 0.
	want := (1 - 0.5 + 0 + 0) / 4
	if math.Abs(res.SpearmanMean-want) > 1e-12 || res.SpearmanMin != -0.5 {
		t.Errorf("Spearman mean %v min %v, want %v and -0.5", res.SpearmanMean, res.SpearmanMin, want)
	}
}
