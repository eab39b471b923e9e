package measure_test

import (
	"fmt"

	"commonground/internal/measure"
)

// Two neighbourhoods share a library: the 2SFCA gives each person the
// library's seats per person who can reach it.
func ExampleMatrix_FCA() {
	m, err := measure.New([]string{"north", "south"}, []string{"library"},
		[]measure.Pair{{From: 0, To: 0, Cost: 8}, {From: 1, To: 0, Cost: 25}}, nil)
	if err != nil {
		panic(err)
	}
	pop := []float64{300, 700}
	seats := []float64{50}
	r, _ := m.FCA(measure.TwoStep, pop, seats, measure.Binary(15), measure.FCAOptions{})
	fmt.Printf("seats per person: north %.3f, south %.3f\n", r.Access[0], r.Access[1])
	cum, _ := m.Cumulative(seats, 30)
	fmt.Println("seats within 30 minutes:", cum)
	// Output:
	// seats per person: north 0.167, south 0.000
	// seats within 30 minutes: [50 50]
}
