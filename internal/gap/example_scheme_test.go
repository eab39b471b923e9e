package gap_test

import (
	"fmt"

	"commonground/internal/gap"
)

// An origin 70 minutes (95 km) from a city of 120,000 and 10 minutes
// (11 km) from a town of 3,000, under two remoteness schemes. FAR: 70 >= 60
// minutes from 50,000+, and the city is also the nearest of 25,000+ (70 >=
// 45) and 10,000+ (70 >= 30), but the town is 10 < 15 minutes: level 3.
// Index of Remoteness: costs $15 (95 × 0.16 = 15.2) and $3 (the minimum),
// A = 8,000 + 1,000, IR = (14.32 − ln 9,000)/13.465 = 0.387.
func ExampleRemoteness() {
	centres := []gap.PopCentre{{Name: "City", Pop: 120000}, {Name: "Town", Pop: 3000}}
	trips := []gap.Trip{{Centre: 0, Minutes: 70, Km: 95}, {Centre: 1, Minutes: 10, Km: 11}}
	for _, name := range []string{"usda-far", "statcan-ir"} {
		s, err := gap.RemotenessByName(name)
		if err != nil {
			fmt.Println(err)
			continue
		}
		a := s.Assess(trips, centres)
		fmt.Printf("%s: %s (%.3f), remote %v\n", name, a.Label, a.Score, a.Remote)
	}
	_, err := gap.Scheme("aria")
	fmt.Println(err)
	// Output:
	// usda-far: FAR level 3 (3.000), remote true
	// statcan-ir: less accessible (0.387), remote false
	// unknown classification scheme "aria" (known: us-census-2010, us-census-2020, statcan-popctr, statcan-ir, aria-plus, usda-far, official)
}
