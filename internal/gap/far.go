package gap

import "fmt"

// FAR bands of the USDA Economic Research Service's Frontier and Remote
// Area codes (2010-based; ERS, "Frontier and Remote Area Codes",
// documentation; methodology in HRSA's notice "Methodology for Designation
// of Frontier and Remote Areas", 77 FR 66471, 5 November 2012, and its
// final response, 79 FR 25599, 5 May 2014). An area is
//
//	FAR level 1: 60 minutes or more by car from urban areas of 50,000 or more;
//	FAR level 2: that, and 45 minutes or more from urban areas of 25,000-49,999;
//	FAR level 3: that, and 30 minutes or more from urban areas of 10,000-24,999;
//	FAR level 4: that, and 15 minutes or more from urban areas of 2,500-9,999.
//
// ERS measures the time by car to the edge of the nearest Census urban area
// of each size (urbanized areas and urban clusters).
var (
	FARPopulations = [4]float64{50000, 25000, 10000, 2500}
	FARMinutes     = [4]float64{60, 45, 30, 15}
)

// FAR is the USDA ERS Frontier and Remote classification. An origin's
// level is the highest L (0 to 4) such that, for every band k up to L, its
// drive to the nearest centre of at least FARPopulations[k] people takes
// FARMinutes[k] or more. Bands are cumulative as in ERS's definition: a
// centre of 60,000 people 40 minutes away also counts as a centre of
// 25,000 or more. A centre of a band with no trip counts as out of reach,
// so the caller must reach every centre within 60 minutes.
type FAR struct {
	// RemoteLevel is the lowest FAR level classed remote: 1 (ERS's most
	// inclusive definition, 12.2 million residents in 2010) to 4 (the most
	// restrictive, 2.3 million).
	RemoteLevel int
}

// Name returns "usda-far".
func (FAR) Name() string { return "usda-far" }

// Level returns the FAR level, 0 to 4, of an origin with these trips.
func (FAR) Level(trips []Trip, centres []PopCentre) int {
	near := nearestByBand(trips, centres, FARPopulations[:], func(t Trip) float64 { return t.Minutes })
	level := 0
	for k := range FARPopulations {
		if near[k] < FARMinutes[k] {
			break
		}
		level = k + 1
	}
	return level
}

// Assess returns the FAR level as the score, "FAR level N" or "not FAR" as
// the label, and remote when the level is at least RemoteLevel.
func (f FAR) Assess(trips []Trip, centres []PopCentre) Assessment {
	l := f.Level(trips, centres)
	min := f.RemoteLevel
	if min < 1 {
		min = 1
	}
	a := Assessment{Score: float64(l), Remote: l >= min, Label: "not FAR"}
	if l > 0 {
		a.Label = fmt.Sprintf("FAR level %d", l)
	}
	return a
}
