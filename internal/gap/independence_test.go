package gap

import (
	"math"
	"math/rand"
	"reflect"
	"testing"
)

// studyOrigins builds n origins on a grid of the given spacing from (x0,
// y0), with up to scale people each drawn from rng, and their drive trips to centres at 60 km/h in a
// straight line (only the trips matter to the schemes, not how they were
// routed).
func studyOrigins(rng *rand.Rand, n int, x0, y0, spacing, scale float64, centreXY [][2]float64) (x, y, pop []float64, trips [][]Trip) {
	side := int(math.Ceil(math.Sqrt(float64(n))))
	for k := 0; k < n; k++ {
		x = append(x, x0+float64(k%side)*spacing)
		y = append(y, y0+float64(k/side)*spacing)
		pop = append(pop, math.Round(rng.Float64()*rng.Float64()*scale))
		var ts []Trip
		for c, xy := range centreXY {
			d := math.Hypot(x[k]-xy[0], y[k]-xy[1]) / 1000
			if d < 200 { // the search reaches 200 km
				ts = append(ts, Trip{Centre: c, Minutes: d, Km: d * 1.2})
			}
		}
		trips = append(trips, ts)
	}
	return x, y, pop, trips
}

// classify runs the whole classification: density within 1 km, the urban
// rule on clusters, the remoteness scheme per origin.
func classify(x, y, pop []float64, trips [][]Trip, centres []PopCentre, rule UrbanRule, rem Remoteness) ([]Class, []Assessment) {
	dens := Density(x, y, pop, 1000)
	urban, _ := UrbanClusters(x, y, pop, dens, 250*math.Sqrt2*1.01, rule)
	as := make([]Assessment, len(x))
	for i := range x {
		as[i] = rem.Assess(trips[i], centres)
	}
	return Combine(urban, as), as
}

// TestNoSchemeIsRelativeToTheStudy adds far-away, remote origins (and a
// far-away dense town) to a study: no class or score of the original
// origins may change, under every urban rule and remoteness scheme. The
// old study-relative ARIA score and remoteness index do change, which is
// the bug these schemes replace.
func TestNoSchemeIsRelativeToTheStudy(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	centres := []PopCentre{{Name: "City", Pop: 400000}, {Name: "Town", Pop: 30000}, {Name: "Village", Pop: 3000}, {Name: "Hamlet", Pop: 1200}}
	centreXY := [][2]float64{{0, 0}, {40000, 5000}, {9000, -3000}, {2000, 2500}}
	x, y, pop, trips := studyOrigins(rng, 400, -2000, -2000, 250, 400, centreXY)
	// A dense core so that the urban rules find something.
	for k := 0; k < 60; k++ {
		pop[k] += 900
	}
	// Sparse origins 2 km apart about 150 km from the city, within the
	// 200 km search, and a dense far town of 25 cells 250 m apart beyond it.
	fx, fy, fpop, ftrips := studyOrigins(rng, 150, 120000, 90000, 2000, 40, centreXY)
	tx, ty, tpop, ttrips := studyOrigins(rng, 25, 300000, 300000, 250, 400, centreXY)
	for k := range tpop {
		tpop[k] += 400
	}
	fx, fy, fpop, ftrips = append(fx, tx...), append(fy, ty...), append(fpop, tpop...), append(ftrips, ttrips...)
	ax := append(append([]float64{}, x...), fx...)
	ay := append(append([]float64{}, y...), fy...)
	apop := append(append([]float64{}, pop...), fpop...)
	atrips := append(append([][]Trip{}, trips...), ftrips...)

	schemes := []Remoteness{StatCanIR2021(), &ARIAPlus{Means: [5]float64{150, 80, 50, 30, 15}}, FAR{RemoteLevel: 1}}
	n := len(x)
	for _, rule := range []UrbanRule{USCensus2010, USCensus2020, StatCanPopCentre} {
		for _, rem := range schemes {
			before, ab := classify(x, y, pop, trips, centres, rule, rem)
			after, aa := classify(ax, ay, apop, atrips, centres, rule, rem)
			if !reflect.DeepEqual(before, after[:n]) || !reflect.DeepEqual(ab, aa[:n]) {
				t.Errorf("%s + %s: classes of the study's origins changed", rule.Name, rem.Name())
			}
			var counts [NumClasses]int
			for _, c := range after[n:] {
				counts[c]++
			}
			// The test must add remote origins and an urban town.
			if rem.Name() == "usda-far" && (counts[Remote] < 150 || counts[Urban] != 25) {
				t.Errorf("%s + %s: the far origins are %v urban/rural/remote; want 25 urban, the rest remote", rule.Name, rem.Name(), counts)
			}
		}
	}
}
