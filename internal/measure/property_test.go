package measure

import (
	"math"
	"testing"
)

// TestLuoWangProperty: for 2SFCA (and 3SFCA, which keeps it), the access of
// all people adds up to the supply they share: sum_i P_i A_i equals the total
// supply of facilities with demand > 0, i.e. reached with positive weight
// by at least one origin with people. Facilities that nobody with people
// reaches (there are some at a 10-minute catchment) are left out of the
// total, not spread over anyone.
func TestLuoWangProperty(t *testing.T) {
	d := loadBH(t)
	for _, method := range []Method{TwoStep, ThreeStep} {
		for _, decay := range []Decay{Binary(10), Binary(45), LuoQi(30), Gaussian(15).Within(40), Exponential(0.1)} {
			t.Run(method.String()+" "+decay.String(), func(t *testing.T) {
				r, err := d.m.FCA(method, d.pop, d.jobs, decay, FCAOptions{})
				if err != nil {
					t.Fatal(err)
				}
				access, reached, unreached := 0.0, 0.0, 0
				for i, a := range r.Access {
					access += d.pop[i] * a
				}
				for j, s := range d.jobs {
					if r.Demand[j] > 0 {
						reached += s
					} else if s > 0 {
						unreached++
					}
				}
				if math.Abs(access-reached) > 1e-9*reached {
					t.Errorf("sum P_i A_i = %.12g, want the supply of facilities with demand %.12g", access, reached)
				}
				if decay.String() == "binary10" && unreached == 0 {
					t.Errorf("want some facilities unreached at 10 minutes, to test that case")
				}
			})
		}
	}
}

// TestBFCATotals: BFCA allocates people and supply without double counting
// (Paez et al. 2019): demand sums to the people of origins that reach some
// facility, and allocated supply to the supply of facilities some origin
// reaches.
func TestBFCATotals(t *testing.T) {
	d := loadBH(t)
	for _, decay := range []Decay{Binary(10), Binary(45), Exponential(0.1), Logistic(30, 8)} {
		t.Run(decay.String(), func(t *testing.T) {
			r, err := d.m.FCA(Balanced, d.pop, d.jobs, decay, FCAOptions{})
			if err != nil {
				t.Fatal(err)
			}
			reaches := make([]bool, len(d.m.Origins))
			reached := make([]bool, len(d.m.Dests))
			for i := range d.m.Origins {
				ds, cs := d.m.Row(i)
				for k, j := range ds {
					if d.jobs[j] > 0 && decay.Weight(cs[k]) > 0 {
						reaches[i], reached[j] = true, true
					}
				}
			}
			var people, wantPeople, supply, wantSupply float64
			for j, v := range r.Demand {
				people += v
				if reached[j] {
					wantSupply += d.jobs[j]
				}
			}
			for i, v := range r.Supply {
				supply += v
				if reaches[i] {
					wantPeople += d.pop[i]
				}
			}
			if math.Abs(people-wantPeople) > 1e-9*wantPeople {
				t.Errorf("allocated people = %.12g, want %.12g", people, wantPeople)
			}
			if math.Abs(supply-wantSupply) > 1e-9*wantSupply {
				t.Errorf("allocated supply = %.12g, want %.12g", supply, wantSupply)
			}
		})
	}
}

// TestMonotone: gravity with exponential decay never grows with beta, and
// cumulative opportunities never shrink with the cutoff, for every origin.
func TestMonotone(t *testing.T) {
	d := loadBH(t)
	t.Run("gravity in beta", func(t *testing.T) {
		var prev []float64
		for _, beta := range []float64{0, 0.01, 0.05, 0.1, 0.2, 0.5, 1, 5} {
			g, err := d.m.Gravity(d.jobs, Exponential(beta))
			if err != nil {
				t.Fatal(err)
			}
			for i := range prev {
				if g[i] > prev[i] {
					t.Fatalf("beta %v: origin %s has %v, more than %v at a smaller beta", beta, d.m.Origins[i], g[i], prev[i])
				}
			}
			prev = g
		}
		// beta = 0 weighs everything 1: every reachable job counts.
		all, _ := d.m.Cumulative(d.jobs, math.Inf(1))
		g0, _ := d.m.Gravity(d.jobs, Exponential(0))
		for i := range all {
			if !relEqual(all[i], g0[i]) {
				t.Fatalf("gravity beta 0 = %v, want all reachable jobs %v", g0[i], all[i])
			}
		}
	})
	t.Run("cumulative in cutoff", func(t *testing.T) {
		var prev []float64
		for cut := 0.0; cut <= 150; cut += 5 {
			c, _ := d.m.Cumulative(d.jobs, cut)
			for i := range prev {
				if c[i] < prev[i] {
					t.Fatalf("cutoff %v: origin %s has %v, less than %v at a smaller cutoff", cut, d.m.Origins[i], c[i], prev[i])
				}
			}
			prev = c
		}
	})
}
