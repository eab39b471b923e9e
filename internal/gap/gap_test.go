package gap

import (
	"math"
	"testing"
)

func TestDensityByHand(t *testing.T) {
	// Three points on a line 600 m apart, radius 1000 m. Point 0 sees itself
	// and point 1 (600 m); point 1 sees all three; point 2 sees 1 and itself.
	x := []float64{0, 600, 1200}
	y := []float64{0, 0, 0}
	pop := []float64{100, 200, 300}
	area := math.Pi // km² of a 1 km circle
	want := []float64{300 / area, 600 / area, 500 / area}
	got := Density(x, y, pop, 1000)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9 {
			t.Errorf("density[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestDensityMatchesBruteForce(t *testing.T) {
	// An independent O(n²) count over a scattered set must agree exactly.
	var x, y, pop []float64
	for i := 0; i < 400; i++ {
		x = append(x, math.Mod(float64(i)*7919.0, 9000)-4500)
		y = append(y, math.Mod(float64(i)*104729.0, 7000)-3500)
		pop = append(pop, float64(i%17))
	}
	got := Density(x, y, pop, 800)
	for k := range x {
		var s float64
		for m := range x {
			if math.Hypot(x[m]-x[k], y[m]-y[k]) <= 800 {
				s += pop[m]
			}
		}
		want := s / (math.Pi * 0.64)
		if math.Abs(got[k]-want) > 1e-9 {
			t.Fatalf("point %d: %v, brute force %v", k, got[k], want)
		}
	}
}

func TestUnderserved(t *testing.T) {
	walk15 := Standard{Minutes: 15}
	drive30 := Standard{Drive: true, Minutes: 30}
	tests := []struct {
		name        string
		walk, drive float64
		s           Standard
		want        bool
	}{
		{"walk within", 14.9, 3, walk15, false},
		{"walk exactly at the threshold is served", 15, 3, walk15, false},
		{"walk over", 15.01, 3, walk15, true},
		{"drive judged by drive time", 100, 29, drive30, false},
		{"drive over", 5, 31, drive30, true},
		{"unreachable", math.NaN(), math.NaN(), walk15, true},
		{"infinite", math.Inf(1), 10, walk15, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Underserved(tc.walk, tc.drive, tc.s); got != tc.want {
				t.Errorf("Underserved = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestByAreaAndRank(t *testing.T) {
	areas := []Area{{Name: "North"}, {Name: "South"}, {Name: "Empty"}}
	// Cell 0 lies wholly in North; cell 1 is split 30/70 between North and
	// South; cell 2 is in South.
	members := [][]Member{
		{{Area: 0, Pop: 100}},
		{{Area: 0, Pop: 30}, {Area: 1, Pop: 70}},
		{{Area: 1, Pop: 50}},
	}
	under := [][]bool{
		{false, true, true}, // category 0
		{true, false, false},
	}
	res := ByArea(3, members, under)
	check := func(a int, pop, u0, u1 float64) {
		t.Helper()
		r := res[a]
		if r.Population != pop || r.Underserved[0] != u0 || r.Underserved[1] != u1 {
			t.Errorf("area %s = %+v, want pop %v under %v %v", areas[a].Name, r, pop, u0, u1)
		}
	}
	check(0, 130, 30, 100)
	check(1, 120, 120, 0)
	check(2, 0, 0, 0)
	ranked := Rank(res, areas, 0)
	if len(ranked) != 2 || areas[ranked[0].Area].Name != "South" || areas[ranked[1].Area].Name != "North" {
		t.Errorf("rank by category 0 = %+v", ranked)
	}
	ranked = Rank(res, areas, 1)
	if areas[ranked[0].Area].Name != "North" {
		t.Errorf("rank by category 1 starts with %s", areas[ranked[0].Area].Name)
	}
}
