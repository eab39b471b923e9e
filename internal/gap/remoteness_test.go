package gap

import (
	"math"
	"testing"
)

func TestCentresByHand(t *testing.T) {
	// A 6-column grid; index = row*6 + col.
	//   X: (0,0) (0,1) (1,1)          100 + 200 + 300 = 600
	//   Y: (3,3) (4,4) diagonal, (3,5) touching (4,4): 400 + 500 + 700 = 1600
	//   (4,0): 800 alone. Index 24 follows (3,5) = 23 but starts the next
	//          row, so it must not join Y.
	//   (0,4): 50 alone, below the 60 minimum, dropped.
	//   (5,5): not urban.
	grid := []int{0, 1, 7, 21, 28, 23, 24, 4, 35}
	pop := []float64{100, 200, 300, 400, 500, 700, 800, 50, 5}
	urban := []bool{true, true, true, true, true, true, true, true, false}
	got := Centres(grid, 6, pop, urban, 60)
	want := []float64{1600, 800, 600}
	if len(got) != len(want) {
		t.Fatalf("%d centres: %+v", len(got), got)
	}
	for k := range want {
		if got[k].Pop != want[k] {
			t.Errorf("centre %d: %v people, want %v (%+v)", k, got[k].Pop, want[k], got[k])
		}
	}
}

func TestARIAByHand(t *testing.T) {
	nan := math.NaN()
	// Two cells. Category minutes: A (60, 180), B (30, 90), C (10, 30),
	// D (0, 20), E (0, nan: none reachable).
	times := [5][]float64{{60, 180}, {30, 90}, {10, 30}, {0, 20}, {0, nan}}
	score, used := ARIA(times, [5]float64{})
	// Means: A 120, B 60, C 20, D 10, E 0 (only the cell inside a centre).
	// Cell 0: 0.5 + 0.5 + 0.5 + 0 + 0 = 1.5.
	// Cell 1: 1.5 + 1.5 + 1.5 + 2 + 3 (unreachable) = 9.5.
	if used != [5]float64{120, 60, 20, 10, 0} {
		t.Errorf("references %v", used)
	}
	if math.Abs(score[0]-1.5) > 1e-12 || math.Abs(score[1]-9.5) > 1e-12 {
		t.Errorf("scores %v, want [1.5 9.5]", score)
	}
	// Fixed references and the cap of 3 per category.
	score, _ = ARIA(times, [5]float64{30, 30, 30, 30, 30})
	// Cell 1: min(3, 6) + 3 + 1 + 2/3 + 3 = 10.6667.
	if math.Abs(score[1]-(3+3+1+20.0/30+3)) > 1e-12 {
		t.Errorf("capped score %v", score[1])
	}
}

func TestRemotenessIndexByHand(t *testing.T) {
	nan := math.NaN()
	// Centres of 10,000 and 1,000 people; three cells.
	pop := []float64{10000, 1000}
	times := [][]float64{
		{0.5, 20, 200}, // cell 0 inside centre 0 (counts 1 minute); cell 2 beyond the radius
		{10, nan, 50},
	}
	got := RemotenessIndex(pop, times, 120)
	// A = 10000/1 + 1000/10 = 10100; 10000/20 = 500; 1000/50 = 20.
	// Rescaled: 1 - (A - 20)/(10100 - 20).
	want := []float64{0, 1 - 480.0/10080, 1}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("cell %d: %v, want %v", i, got[i], want[i])
		}
	}
}
