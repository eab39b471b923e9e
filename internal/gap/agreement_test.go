package gap

import (
	"math"
	"testing"
)

func TestAgreeByHand(t *testing.T) {
	computed := []Class{Urban, Urban, Rural, Rural, Remote, Urban}
	official := []Class{Urban, Rural, Rural, Remote, Remote, Remote}
	known := []bool{true, true, true, true, true, false}
	pop := []float64{100, 50, 30, 10, 10, 999}
	a := Agree(computed, official, known, pop)
	// Known people 200; agreeing 100 + 30 + 10 = 140: 70%.
	if a.People != 200 || a.Agree != 140 || a.Share != 0.7 {
		t.Fatalf("%+v", a)
	}
	if a.Table[Urban][Rural] != 50 || a.Table[Rural][Remote] != 10 || a.Table[Urban][Remote] != 0 {
		t.Errorf("table %v", a.Table)
	}
	// Row shares (computed): urban 150/200, rural 40/200, remote 10/200.
	// Column shares (official): urban 100/200, rural 80/200, remote 20/200.
	// Chance = .75·.5 + .2·.4 + .05·.1 = .46; kappa = (.7 − .46)/(1 − .46)
	// = 0.44444.
	if math.Abs(a.Kappa-0.24/0.54) > 1e-12 {
		t.Errorf("kappa %v", a.Kappa)
	}
	if b := Agree(computed, official, make([]bool, 6), pop); b.People != 0 || !math.IsNaN(b.Kappa) {
		t.Errorf("nothing known: %+v", b)
	}
}
