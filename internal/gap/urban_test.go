package gap

import (
	"math"
	"reflect"
	"testing"
)

func TestUrbanRuleConstants(t *testing.T) {
	// 1,000 per sq mi = 386.10 per km²; 500 = 193.05 (2010).
	if math.Abs(USCensus2010.CoreDensity-386.102) > 1e-3 || math.Abs(USCensus2010.RingDensity-193.051) > 1e-3 {
		t.Errorf("2010: %v, %v", USCensus2010.CoreDensity, USCensus2010.RingDensity)
	}
	// 425 housing units per sq mi × 2.3591 people = 1,002.6 per sq mi =
	// 387.1 per km²; 2,000 units = 4,718 people (2020).
	if math.Abs(USCensus2020.CoreDensity-387.1) > 0.1 || math.Abs(USCensus2020.MinPop-4718.2) > 0.1 {
		t.Errorf("2020: %v, %v", USCensus2020.CoreDensity, USCensus2020.MinPop)
	}
}

func TestUrbanClustersByHand(t *testing.T) {
	// Five origins 250 m apart on a line, linked when at most 260 m apart:
	//   density 500 450 300 150 450 people/km²
	//   people 1000 900 700 400 600
	// plus a sixth far away at 300/km² with 10,000 people: dense enough
	// only for a ring, and next to no core.
	x := []float64{0, 250, 500, 750, 1000, 50000}
	y := make([]float64, len(x))
	pop := []float64{1000, 900, 700, 400, 600, 10000}
	dens := []float64{500, 450, 300, 150, 450, 300}
	cases := []struct {
		rule  UrbanRule
		urban []bool
		label string
	}{
		// 2010: core >= 386.1 (origins 0, 1, 4), ring >= 193.1 (2, 5).
		// Cluster {0,1,2}: 2,600 >= 2,500, an urban cluster; {4}: 600, not
		// urban; origin 3 (150) breaks the line.
		{USCensus2010, []bool{true, true, true, false, false, false}, "urban cluster"},
		// Statistics Canada: 400/km², no ring: {0,1} 1,900 >= 1,000, a
		// small population centre; {4} 600 too small.
		{StatCanPopCentre, []bool{true, true, false, false, false, false}, "small population centre"},
		// 2020: core 387.1, ring 182.2: {0,1,2} 2,600 < 4,718: not urban.
		{USCensus2020, []bool{false, false, false, false, false, false}, ""},
	}
	for _, c := range cases {
		t.Run(c.rule.Name, func(t *testing.T) {
			urban, clusters := UrbanClusters(x, y, pop, dens, 260, c.rule)
			if !reflect.DeepEqual(urban, c.urban) {
				t.Fatalf("urban %v, want %v", urban, c.urban)
			}
			if len(clusters) != 2 {
				t.Fatalf("%d clusters: %+v", len(clusters), clusters)
			}
			if clusters[0].Label != c.label {
				t.Errorf("label %q, want %q", clusters[0].Label, c.label)
			}
		})
	}
	// The 2010 cluster's population-weighted centre: (0·1000 + 250·900 +
	// 500·700)/2600 = 221.15 m.
	_, cl := UrbanClusters(x, y, pop, dens, 260, USCensus2010)
	if math.Abs(cl[0].X-221.1538) > 1e-3 || cl[0].Pop != 2600 {
		t.Errorf("cluster %+v", cl[0])
	}
	// Only the urban cluster becomes a centre.
	cs := ClusterCentres(cl, func(x, y float64) (float64, float64) { return x / 1000, y / 1000 })
	if len(cs) != 1 || cs[0].Name != "urban cluster 1" || cs[0].Pop != 2600 || math.Abs(cs[0].Lon-0.2211538) > 1e-6 {
		t.Errorf("centres %+v", cs)
	}
}

func TestSchemeRegistry(t *testing.T) {
	for _, s := range Schemes() {
		got, err := Scheme(s.Name)
		if err != nil || got != s {
			t.Errorf("%s: %v %v", s.Name, got, err)
		}
		switch s.Kind {
		case UrbanKind:
			r, err := UrbanRuleByName(s.Name)
			if err != nil || r.Name != s.Name {
				t.Errorf("%s: %v %v", s.Name, r.Name, err)
			}
		case RemoteKind:
			r, err := RemotenessByName(s.Name)
			if err != nil || r.Name() != s.Name {
				t.Errorf("%s: %v", s.Name, err)
			}
		}
	}
	_, err := Scheme("aria")
	want := `unknown classification scheme "aria" (known: us-census-2010, us-census-2020, statcan-popctr, statcan-ir, aria-plus, usda-far, official)`
	if err == nil || err.Error() != want {
		t.Errorf("error %v", err)
	}
	if _, err := UrbanRuleByName("usda-far"); err == nil {
		t.Error("usda-far accepted as an urban rule")
	}
	if _, err := RemotenessByName("statcan-popctr"); err == nil {
		t.Error("statcan-popctr accepted as a remoteness scheme")
	}
}
