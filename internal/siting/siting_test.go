package siting

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/problem"
)

var nan = math.NaN()

// cands makes candidates named by letters, spaced apart so none collide.
func cands(ids string, costs ...float64) []Candidate {
	out := make([]Candidate, len(ids))
	for i, r := range ids {
		out[i] = Candidate{ID: string(r), Point: orb.Point{-75 + 0.01*float64(i), 39}}
		if i < len(costs) {
			out[i].Cost = costs[i]
		}
	}
	return out
}

func mustNew(t *testing.T, d []Demand, c []Candidate, l []Link) *Instance {
	t.Helper()
	in, err := New(d, c, l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

type stepWant struct {
	site       int
	gain, val  float64
	catchments []int32
}

func checkSteps(t *testing.T, sol *Solution, want []stepWant) {
	t.Helper()
	if len(sol.Steps) != len(want) {
		t.Fatalf("%d steps %+v, want %d", len(sol.Steps), sol.Steps, len(want))
	}
	for i, w := range want {
		s := sol.Steps[i]
		if s.Site != w.site || s.Gain != w.gain || s.Value != w.val || !reflect.DeepEqual(s.Catchment, w.catchments) {
			t.Errorf("step %d: %+v, want %+v", i+1, s, w)
		}
		if sol.Sites[i] != w.site {
			t.Errorf("Sites[%d] = %d, want %d", i, sol.Sites[i], w.site)
		}
	}
}

// TestCoverByHand: five cells, four candidate sites.
//
//	demand  people  limit  today        served today?
//	d0      100     15     unreachable  no
//	d1       50     15     20           no
//	d2       80     15     10           yes: adds nothing
//	d3       30     30     unreachable  no (a remote cell)
//	d4       60     15     unreachable  no
//
//	A (0): d0 10, d1 14, d2 5    covers d0+d1       = 150
//	B (1): d1 12, d3 25, d4 16   covers d1+d3       =  80 (d4: 16 > 15)
//	C (2): d0 15, d3 31, d4 15   covers d0+d4       = 160 (15 is within 15; d3: 31 > 30)
//	D (3): d0 20, d4 5           covers d4          =  60
//
// k=1: C (160). k=2: after C, A adds d1 = 50, B adds d1+d3 = 80, D nothing:
// B, 240; every pair checked: A+B 180, A+C 210, A+D 210, B+C 240, B+D 140,
// C+D 160. k=3: nothing adds to B+C, which covers all 240 coverable people.
func TestCoverByHand(t *testing.T) {
	d := []Demand{{100, 15, nan}, {50, 15, 20}, {80, 15, 10}, {30, 30, math.Inf(1)}, {60, 15, nan}}
	l := []Link{
		{0, 0, 10}, {0, 1, 14}, {0, 2, 5},
		{1, 1, 12}, {1, 3, 25}, {1, 4, 16},
		{2, 3, 31}, {2, 4, 15}, {2, 0, 15}, // unsorted on purpose
		{3, 0, 20}, {3, 4, 5},
	}
	in := mustNew(t, d, cands("ABCD"), l)
	tests := []struct {
		name  string
		k     int
		value float64
		steps []stepWant
		warn  string
	}{
		{"k=1", 1, 160, []stepWant{{2, 160, 160, []int32{0, 4}}}, ""},
		{"k=2", 2, 240, []stepWant{{2, 160, 160, []int32{0, 4}}, {1, 80, 240, []int32{1, 3}}}, ""},
		{"k=3 stops when nothing adds", 3, 240, []stepWant{{2, 160, 160, []int32{0, 4}}, {1, 80, 240, []int32{1, 3}}}, "only 2 of the 3 sites asked for add anything"},
		{"k=5 above candidates", 5, 240, []stepWant{{2, 160, 160, []int32{0, 4}}, {1, 80, 240, []int32{1, 3}}}, "asked for 5 sites but only 4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sol, err := in.Cover(tc.k)
			if err != nil {
				t.Fatal(err)
			}
			if sol.Value != tc.value {
				t.Errorf("value %v, want %v", sol.Value, tc.value)
			}
			checkSteps(t, sol, tc.steps)
			if sol.Bound < sol.Value || sol.Bound > 240 {
				t.Errorf("bound %v, want within [%v, 240]", sol.Bound, sol.Value)
			}
			if got := problemText(sol.Problems); !strings.Contains(got, tc.warn) || (tc.warn == "") != (got == "") {
				t.Errorf("problems %q, want %q", got, tc.warn)
			}
		})
	}
	if _, err := in.Cover(0); err == nil {
		t.Error("k = 0 should be an error")
	}
}

func problemText(l problem.List) string {
	var s []string
	for _, p := range l.Items() {
		s = append(s, p.String())
	}
	return strings.Join(s, "; ")
}

// TestCoverSwap is the textbook case where greedy goes wrong and one swap
// mends it. People: a 4, b 3, c 4, d 3, all unserved.
//
//	L (0) covers a, b  = 7
//	R (1) covers c, d  = 7
//	M (2) covers a, c  = 8
//
// Greedy takes M (8), then L and R each add 3 (tie: L, the lower index):
// 11. Putting R in M's place covers all four: 14, the optimum. Steps then
// order L and R (7 each, tie to L). Bound: the empty set gives 8 + 7 = 15,
// after M 8 + 3 + 3 = 14, so 14.
func TestCoverSwap(t *testing.T) {
	d := []Demand{{4, 15, nan}, {3, 15, nan}, {4, 15, nan}, {3, 15, nan}}
	l := []Link{{0, 0, 1}, {0, 1, 1}, {1, 2, 1}, {1, 3, 1}, {2, 0, 1}, {2, 2, 1}}
	sol, err := mustNew(t, d, cands("LRM"), l).Cover(2)
	if err != nil {
		t.Fatal(err)
	}
	if sol.Greedy != 11 || sol.Value != 14 || sol.Swaps != 1 || sol.Bound != 14 {
		t.Errorf("greedy %v value %v swaps %d bound %v, want 11, 14, 1, 14", sol.Greedy, sol.Value, sol.Swaps, sol.Bound)
	}
	checkSteps(t, sol, []stepWant{{0, 7, 7, []int32{0, 1}}, {1, 7, 14, []int32{2, 3}}})
}

// TestMedianByHand: penalty 60 minutes.
//
//	demand  people  today
//	d0      10      30
//	d1      20      unreachable: 60
//	d2       5       8
//
// Today: 10x30 + 20x60 + 5x8 = 300 + 1200 + 40 = 1540 people-minutes.
//
//	A (0): d0 10, d1 40, d2 9   saves 10x20 + 20x20      = 600 (d2: 9 > 8)
//	B (1): d1 20                saves 20x40              = 800
//	C (2): d0 5, d2 2, d1 70    saves 10x25 + 5x6        = 280 (d1: 70 > 60)
//
// k=1: B, 1540 - 800 = 740. k=2: after B, A saves 10x20 = 200 and C 280: C,
// 460. Pairs: A+B 540, A+C 860, B+C 460, so 460 is optimal; it is also
// everyone at their quickest (5x10 + 20x20 + 2x5), so the bound is 460.
func TestMedianByHand(t *testing.T) {
	d := []Demand{{10, 15, 30}, {20, 15, nan}, {5, 15, 8}}
	l := []Link{{0, 0, 10}, {0, 1, 40}, {0, 2, 9}, {1, 1, 20}, {2, 0, 5}, {2, 2, 2}, {2, 1, 70}}
	in := mustNew(t, d, cands("ABC"), l)
	tests := []struct {
		name         string
		k            int
		value, bound float64
		steps        []stepWant
	}{
		{"k=1", 1, 740, 0, []stepWant{{1, 800, 740, []int32{1}}}},
		{"k=2", 2, 460, 460, []stepWant{{1, 800, 740, []int32{1}}, {2, 280, 460, []int32{0, 2}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sol, err := in.Median(tc.k, 60)
			if err != nil {
				t.Fatal(err)
			}
			if sol.Value != tc.value {
				t.Errorf("value %v, want %v", sol.Value, tc.value)
			}
			if sol.Bound > sol.Value || (tc.bound != 0 && sol.Bound != tc.bound) {
				t.Errorf("lower bound %v, want %v and at most %v", sol.Bound, tc.bound, sol.Value)
			}
			checkSteps(t, sol, tc.steps)
		})
	}
	for _, p := range []float64{0, -1, nan, math.Inf(1)} {
		if _, err := in.Median(1, p); err == nil {
			t.Errorf("penalty %v should be an error", p)
		}
	}
}

// TestBudgetByHand: all demands unserved with a 15-minute limit.
//
//	A (0) cost 10 covers d0 (100)  100 per 10 = 10
//	B (1) cost  3 covers d1 (60)    60 per 3  = 20
//	C (2) cost  3 covers d2 (50)    50 per 3  = 16.7
//	D (3) cost  1 covers d3 (10)    10 per 1  = 10
//	X (4) cost  1 covers d4 (2)      2 per 1  =  2
//	Y (5) cost 10 covers d5 (10)    10 per 10 =  1 (only in the second set)
//
// Budget 7: B (3), C (6), A does not fit, D (7): 120; best single B 60.
// Budget 10: B, C, D, then X (8): 122; best single A 100.
// Budget 10 over X and Y alone: greedy X (2) then Y does not fit: 2; the
// best single site Y covers 10, which Khuller-Moss-Naor then choose.
func TestBudgetByHand(t *testing.T) {
	d := []Demand{{100, 15, nan}, {60, 15, nan}, {50, 15, nan}, {10, 15, nan}, {2, 15, nan}, {10, 15, nan}}
	l := []Link{{0, 0, 5}, {1, 1, 5}, {2, 2, 5}, {3, 3, 5}, {4, 4, 5}, {5, 5, 5}}
	all := mustNew(t, d, cands("ABCDX", 10, 3, 3, 1, 1), l[:5])
	xy := mustNew(t, d, []Candidate{{ID: "X", Cost: 1}, {ID: "Y", Cost: 10, Point: orb.Point{1, 1}}}, []Link{{0, 4, 5}, {1, 5, 5}})
	tests := []struct {
		name                string
		in                  *Instance
		budget              float64
		value, greedy, cost float64
		sites               []int
		warn                string
	}{
		{"budget 7", all, 7, 120, 120, 7, []int{1, 2, 3}, ""},
		{"budget 10", all, 10, 122, 122, 8, []int{1, 2, 3, 4}, ""},
		{"single site wins", xy, 10, 10, 2, 10, []int{1}, ""},
		{"budget below every cost", all, 0.5, 0, 0, 0, nil, `warning: feature candidate D: field "cost" = "1": the budget 0.5 is less than the cheapest site's cost: nothing can be chosen`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sol, err := tc.in.Budget(tc.budget)
			if err != nil {
				t.Fatal(err)
			}
			if sol.Value != tc.value || sol.Greedy != tc.greedy || sol.Cost != tc.cost || !reflect.DeepEqual(sol.Sites, tc.sites) {
				t.Errorf("value %v greedy %v cost %v sites %v, want %v %v %v %v", sol.Value, sol.Greedy, sol.Cost, sol.Sites, tc.value, tc.greedy, tc.cost, tc.sites)
			}
			if sol.Bound < sol.Value {
				t.Errorf("bound %v below value %v", sol.Bound, sol.Value)
			}
			if got := problemText(sol.Problems); !strings.Contains(got, tc.warn) || (tc.warn == "") != (got == "") {
				t.Errorf("problems %q, want %q", got, tc.warn)
			}
		})
	}
	// Budget 7: the LP knapsack over B, C, D fills exactly, so the bound is 120.
	if sol, _ := all.Budget(7); sol.Bound != 120 {
		t.Errorf("budget 7 bound %v, want 120", sol.Bound)
	}
	if _, err := all.Budget(0); err == nil {
		t.Error("budget 0 should be an error")
	}
}

// TestCandidateProblems checks that New names the candidates it leaves out.
func TestCandidateProblems(t *testing.T) {
	area := orb.MultiPolygon{{{{-76, 38}, {-75, 38}, {-75, 40}, {-76, 40}, {-76, 38}}}}
	c := []Candidate{
		{ID: "a", Point: orb.Point{-75.5, 39}, File: "sites.csv", Row: 2},
		{ID: "a", Point: orb.Point{-75.4, 39}, File: "sites.csv", Row: 3},
		{ID: "b", Point: orb.Point{-75.5, 39.00000001}, File: "sites.csv", Row: 4},
		{ID: "c", Point: orb.Point{-74.5, 39}, File: "sites.csv", Row: 5},
		{ID: "d", Point: orb.Point{-75.3, 39}, Cost: -2, File: "sites.csv", Row: 6},
		{ID: "", Point: orb.Point{-75.2, 39}},
		{ID: "e", Point: orb.Point{-75.1, 39}},
	}
	in, err := New([]Demand{{1, 15, nan}}, c, []Link{{1, 0, 1}, {6, 0, 2}}, Options{Area: area})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`skipped: feature candidate 6 of 7: field "id": the candidate has no id`,
		`skipped: sites.csv:3: feature candidate a: field "id" = "a": same id as candidate "a" (sites.csv row 2); the first is kept`,
		`skipped: sites.csv:4: feature candidate b: field "point" = "39.0000000 -75.5000000": same place as candidate "a" (sites.csv row 2); the first is kept`,
		`skipped: sites.csv:5: feature candidate c: field "point" = "39.0000000 -74.5000000": outside the study area`,
		`skipped: sites.csv:6: feature candidate d: field "cost" = "-2": cost must be a non-negative number`,
	}
	var got []string
	for _, p := range in.Problems.Items() {
		got = append(got, p.String())
	}
	if len(got) != len(want) {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("problem %d: %q, want %q", i, got[i], want[i])
		}
	}
	usable := []bool{true, false, false, false, false, false, true}
	for i, u := range usable {
		if in.Usable(i) != u {
			t.Errorf("candidate %d usable %v, want %v", i, in.Usable(i), u)
		}
	}
	// The link of the left-out duplicate is ignored: only e can cover.
	sol, _ := in.Cover(1)
	if !reflect.DeepEqual(sol.Sites, []int{6}) {
		t.Errorf("sites %v, want [6]", sol.Sites)
	}
}

func TestNewRejectsBadLinks(t *testing.T) {
	d := []Demand{{1, 15, nan}}
	tests := []struct {
		name string
		d    []Demand
		l    []Link
		want string
	}{
		{"demand out of range", d, []Link{{0, 1, 1}}, "link 0: candidate 0 or demand 1 out of range"},
		{"negative time", d, []Link{{0, 0, -1}}, "time -1 is not a non-negative number"},
		{"NaN time", d, []Link{{0, 0, float32(nan)}}, "time NaN"},
		{"negative weight", []Demand{{-1, 15, nan}}, nil, "demand 0: weight -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.d, cands("A"), tc.l, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := New(d, []Candidate{{ID: ""}}, nil, Options{}); err != ErrNoCandidates {
		t.Errorf("no usable candidate: error %v, want ErrNoCandidates", err)
	}
}
