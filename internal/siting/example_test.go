package siting_test

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"commonground/internal/siting"
)

// Greedy takes the site covering most people first and then cannot reach
// the best pair; one swap mends it. Four groups of people nobody serves
// today, three candidate sites.
func Example() {
	none := math.NaN() // no place reachable today
	demands := []siting.Demand{
		{Weight: 400, Limit: 15, Current: none},
		{Weight: 300, Limit: 15, Current: none},
		{Weight: 400, Limit: 15, Current: none},
		{Weight: 300, Limit: 15, Current: 25}, // 25 minutes today: over the limit
	}
	cands := []siting.Candidate{
		{ID: "west hall", Point: orb.Point{-75.60, 39.70}},
		{ID: "east school", Point: orb.Point{-75.50, 39.70}},
		{ID: "middle lot", Point: orb.Point{-75.55, 39.70}},
	}
	links := []siting.Link{ // minutes from each demand to each site, within reach
		{Candidate: 0, Demand: 0, Minutes: 6}, {Candidate: 0, Demand: 1, Minutes: 9},
		{Candidate: 1, Demand: 2, Minutes: 7}, {Candidate: 1, Demand: 3, Minutes: 12},
		{Candidate: 2, Demand: 0, Minutes: 14}, {Candidate: 2, Demand: 2, Minutes: 13},
	}
	in, err := siting.New(demands, cands, links, siting.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	sol, _ := in.Cover(2)
	fmt.Printf("greedy %.0f, after %d swap %.0f of at most %.0f people\n", sol.Greedy, sol.Swaps, sol.Value, sol.Bound)
	for _, s := range sol.Steps {
		fmt.Printf("%-11s +%.0f -> %.0f, serving demands %v\n", cands[s.Site].ID, s.Gain, s.Value, s.Catchment)
	}
	// Output:
	// greedy 1100, after 1 swap 1400 of at most 1400 people
	// west hall   +700 -> 700, serving demands [0 1]
	// east school +700 -> 1400, serving demands [2 3]
}
