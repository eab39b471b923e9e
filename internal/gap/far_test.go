package gap

import "testing"

// farCentres are five centres, one per FAR band and one below all bands.
var farCentres = []PopCentre{
	{Name: "Big", Pop: 120000},
	{Name: "Mid", Pop: 30000},
	{Name: "Town", Pop: 12000},
	{Name: "Village", Pop: 3000},
	{Name: "Hamlet", Pop: 800},
}

func TestFARByHand(t *testing.T) {
	trip := func(c int, min float64) Trip { return Trip{Centre: c, Minutes: min} }
	cases := []struct {
		name  string
		trips []Trip
		level int
	}{
		// 70 >= 60 from 50,000+; nearest 25,000+ is Mid at 50 >= 45;
		// nearest 10,000+ is Town at 35 >= 30; nearest 2,500+ is Village
		// at 20 >= 15: all four conditions hold.
		{"level 4", []Trip{trip(0, 70), trip(1, 50), trip(2, 35), trip(3, 20)}, 4},
		// Exactly on every threshold: "60 minutes or more" holds.
		{"on the thresholds", []Trip{trip(0, 60), trip(1, 45), trip(2, 30), trip(3, 15)}, 4},
		// Village 10 < 15 fails level 4 only.
		{"level 3", []Trip{trip(0, 90), trip(1, 50), trip(2, 35), trip(3, 10), trip(4, 1)}, 3},
		// Town 28 < 30 fails level 3; the Hamlet (800) is in no band.
		{"level 2", []Trip{trip(0, 70), trip(1, 50), trip(2, 28), trip(3, 20), trip(4, 2)}, 2},
		// Mid 40 < 45.
		{"level 1", []Trip{trip(0, 70), trip(1, 40)}, 1},
		// Big 59 < 60: not FAR at all.
		{"not FAR", []Trip{trip(0, 59)}, 0},
		// A big centre close by counts for every smaller band: 20 minutes
		// to 120,000 people is 20 minutes to 25,000+ too.
		{"big centre near", []Trip{trip(0, 20)}, 0},
		// Nothing reached within the search: every band out of reach.
		{"no centre", nil, 4},
	}
	far := FAR{RemoteLevel: 1}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := far.Level(c.trips, farCentres); got != c.level {
				t.Fatalf("level %d, want %d", got, c.level)
			}
			a := far.Assess(c.trips, farCentres)
			if a.Remote != (c.level >= 1) || a.Score != float64(c.level) {
				t.Errorf("assessment %+v for level %d", a, c.level)
			}
			if c.level == 2 && a.Label != "FAR level 2" || c.level == 0 && a.Label != "not FAR" {
				t.Errorf("label %q", a.Label)
			}
		})
	}
	// ERS's most restrictive definition: only level 4 is remote.
	strict := FAR{RemoteLevel: 4}
	if strict.Assess(cases[2].trips, farCentres).Remote {
		t.Error("level 3 remote under RemoteLevel 4")
	}
}
