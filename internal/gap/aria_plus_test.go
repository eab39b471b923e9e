package gap

import (
	"errors"
	"math"
	"testing"
)

func TestARIAPlusByHand(t *testing.T) {
	// Means for the test only (not Australia's): A 100, B 50, C 40, D 30,
	// E 20 km.
	a := &ARIAPlus{Means: [5]float64{100, 50, 40, 30, 20}}
	centres := []PopCentre{
		{Name: "A", Pop: 300000}, {Name: "B", Pop: 60000}, {Name: "C", Pop: 20000},
		{Name: "D", Pop: 6000}, {Name: "E", Pop: 1500}, {Name: "tiny", Pop: 400},
	}
	cases := []struct {
		name  string
		trips []Trip
		score float64
		label string
	}{
		// A 150 km: 1.5. B 40 km: 0.8. C: the C centre is 60 km but B
		// (60,000 >= 18,000) is 40 km: 40/40 = 1. D 10 km: 0.3333.
		// E 5 km: 0.25. The 400-person place is in no category.
		// Sum 3.8833: Outer Regional (2.4 < s <= 5.92).
		{"five categories",
			[]Trip{{Centre: 0, Km: 150}, {Centre: 1, Km: 40}, {Centre: 2, Km: 60}, {Centre: 3, Km: 10}, {Centre: 4, Km: 5}, {Centre: 5, Km: 0.5}},
			3.8833333, "Outer Regional"},
		// Only A, 400 km away: it is the nearest of every category;
		// 400/100 = 4 capped at 3, and 3 for each other category: 15.
		{"one far city", []Trip{{Centre: 0, Km: 400}}, 15, "Very Remote"},
		// Minutes without km: 30 min at 80 km/h = 40 km to A. Every
		// category's nearest is A at 40 km: 0.4 + 0.8 + 1 + 1.3333 + 2 =
		// 5.5333: Outer Regional.
		{"minutes only", []Trip{{Centre: 0, Minutes: 30}}, 5.5333333, "Outer Regional"},
		// Inside A: 0 km everywhere, Major Cities.
		{"in the city", []Trip{{Centre: 0, Km: 0}}, 0, "Major Cities"},
		{"nothing reached", nil, 15, "Very Remote"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := a.Assess(c.trips, centres)
			if math.Abs(got.Score-c.score) > 1e-6 || got.Label != c.label {
				t.Fatalf("%v %q, want %v %q", got.Score, got.Label, c.score, c.label)
			}
			if got.Remote != (c.score > 5.92) {
				t.Errorf("remote %v at %v", got.Remote, got.Score)
			}
		})
	}
	if err := (&ARIAPlus{}).Validate(); !errors.Is(err, ErrARIAMeans) {
		t.Errorf("no means: %v", err)
	}
	if err := a.Validate(); err != nil {
		t.Error(err)
	}
}

func TestARIAClassBounds(t *testing.T) {
	for _, c := range []struct {
		s    float64
		want string
	}{{0.2, "Major Cities"}, {0.21, "Inner Regional"}, {2.4, "Inner Regional"}, {5.92, "Outer Regional"},
		{5.93, "Remote"}, {10.53, "Remote"}, {10.54, "Very Remote"}} {
		if got := ARIAClass(c.s); got != c.want {
			t.Errorf("%v: %q, want %q", c.s, got, c.want)
		}
	}
}

func TestARIAPlusWithoutMeans(t *testing.T) {
	got := (&ARIAPlus{}).Assess([]Trip{{Centre: 0, Km: 10}}, []PopCentre{{Pop: 300000}})
	if !math.IsNaN(got.Score) || got.Remote || got.Label != "no national means" {
		t.Errorf("%+v", got)
	}
}
