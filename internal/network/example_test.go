package network_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"commonground/internal/network"
	"commonground/internal/street"
)

// A library at one end of a 1.1 km street; a home 0.6 of the way along,
// 44 m off the street. Walking at 4.8 km/h (80 m a minute), 44 m of snap
// leg plus 0.6 x 1,111 m of street take 8.9 minutes.
func Example() {
	ways := []street.Way{{
		ID: 1, Tags: street.TagsOf(map[string]string{"highway": "residential"}),
		Nodes:  []int64{1, 2, 3},
		Points: []orb.Point{{-75.55, 39.74}, {-75.545, 39.74}, {-75.537, 39.74}},
	}}
	g, st, err := network.Build(ways, network.WalkProfile(4.8))
	if err != nil {
		fmt.Println(err)
		return
	}
	library, _ := g.Snap(orb.Point{-75.55, 39.7401}, 100)
	field := g.Nearest([]network.Source{{At: library, Label: 1}})

	home, _ := g.Snap(orb.Point{-75.5422, 39.7404}, 100)
	street, label, _ := field.At(home)
	walk := g.Profile().WalkSpeed
	fmt.Printf("graph: %d vertices, %d edge, %.2f km\n", st.Nodes, st.Edges, st.KM)
	fmt.Printf("home snaps %.0f m off the street, %.2f along it\n", home.Dist, home.Frac)
	fmt.Printf("to library %d: %.1f min\n", label, (street+home.Dist/walk)/60)
	// Output:
	// graph: 2 vertices, 1 edge, 1.11 km
	// home snaps 44 m off the street, 0.60 along it
	// to library 1: 8.9 min
}
