package gap

import (
	"fmt"
	"math"
	"sort"
)

// SqMiKm2 is one square mile in km² (exactly 2.589988110336).
const SqMiKm2 = 2.589988110336

// UrbanRule is a published density rule for urban areas, applied to
// clusters of contiguous dense origins: origins at CoreDensity or more
// seed clusters, origins at RingDensity or more next to a cluster join it,
// and a cluster of at least MinPop people is urban.
type UrbanRule struct {
	Name        string
	CoreDensity float64 // people per km²
	RingDensity float64 // people per km²; 0 means no ring (only the core rule)
	MinPop      float64 // people a cluster needs to be urban
	// Label names a cluster of this many people in the standard's terms.
	Label func(pop float64) string
}

// USCensus2010 is the US Census Bureau's urban area rule of 2010 ("Urban
// Area Criteria for the 2010 Census", Federal Register 76 FR 53030, 24
// August 2011): a core of census blocks (and tracts) of at least 1,000
// people per square mile (386.1 per km²), blocks of at least 500 per
// square mile (193.1 per km²) next to it added, and at least 2,500 people
// for an urban area: an urbanized area from 50,000, an urban cluster below.
// The Bureau's jumps and hops across low-density gaps (up to 2.5 miles)
// are not applied.
var USCensus2010 = UrbanRule{
	Name:        "us-census-2010",
	CoreDensity: 1000 / SqMiKm2,
	RingDensity: 500 / SqMiKm2,
	MinPop:      2500,
	Label: func(p float64) string {
		if p >= 50000 {
			return "urbanized area"
		}
		return "urban cluster"
	},
}

// PersonsPerHousingUnit converts the 2020 rule's housing-unit densities to
// people: the 2020 Census counted 331,449,281 residents in 140,498,736
// housing units, 2.36 per unit. The study knows people, not housing units.
const PersonsPerHousingUnit = 331449281.0 / 140498736.0

// USCensus2020 is the US Census Bureau's urban area rule of 2020 ("Urban
// Area Criteria for the 2020 Census — Final Criteria", Federal Register
// 87 FR 16706, 24 March 2022): a core of blocks of at least 425 housing
// units per square mile, blocks of at least 200 next to it added, and at
// least 2,000 housing units or 5,000 people for an urban area. Housing
// units are converted to people at PersonsPerHousingUnit (425 units per
// square mile ≈ 387 people per km²; 2,000 units ≈ 4,718 people, below
// 5,000, so that is the minimum).
var USCensus2020 = UrbanRule{
	Name:        "us-census-2020",
	CoreDensity: 425 * PersonsPerHousingUnit / SqMiKm2,
	RingDensity: 200 * PersonsPerHousingUnit / SqMiKm2,
	MinPop:      min(5000, 2000*PersonsPerHousingUnit),
	Label:       func(float64) string { return "urban area" },
}

// StatCanPopCentre is Statistics Canada's population centre (Census
// Dictionary 2021, "Population centre (POPCTR)"): contiguous dissemination
// blocks of at least 400 people per km² with at least 1,000 people in all;
// small from 1,000 to 29,999, medium from 30,000 to 99,999, large urban
// from 100,000.
var StatCanPopCentre = UrbanRule{
	Name:        "statcan-popctr",
	CoreDensity: 400,
	MinPop:      1000,
	Label: func(p float64) string {
		switch {
		case p >= 100000:
			return "large urban population centre"
		case p >= 30000:
			return "medium population centre"
		}
		return "small population centre"
	},
}

// Cluster is a group of contiguous dense origins.
type Cluster struct {
	Members []int   // origin indexes, ascending
	Pop     float64 // their people
	Urban   bool    // at least the rule's MinPop
	Label   string  // the rule's name for it; "" when not urban
	X, Y    float64 // population-weighted centre, in the origins' metres
}

// UrbanClusters applies an urban rule to origins at projected points x, y
// (metres) with their people and density (people per km² around each
// origin, e.g. from Density or the origin's own polygon). Two origins are
// contiguous when at most link metres apart: for grid cells of side s use
// s·√2 (the eight neighbours), for points about twice their usual
// spacing. It returns which origins are urban and every cluster, largest
// first. An origin's result depends only on origins linked to it, so
// adding origins far away changes nothing.
func UrbanClusters(x, y, pop, density []float64, link float64, r UrbanRule) ([]bool, []Cluster) {
	n := len(x)
	if !(link > 0) {
		link = 1e-9 // no link: every dense origin is a cluster of its own
	}
	ring := r.RingDensity
	if ring <= 0 || ring > r.CoreDensity {
		ring = r.CoreDensity
	}
	// Candidates are origins dense enough for the ring (or the core).
	type key struct{ i, j int64 }
	cellOf := func(k int) key {
		return key{int64(math.Floor(x[k] / link)), int64(math.Floor(y[k] / link))}
	}
	buckets := map[key][]int{}
	for k := 0; k < n; k++ {
		if density[k] >= ring {
			buckets[cellOf(k)] = append(buckets[cellOf(k)], k)
		}
	}
	neighbours := func(k int, visit func(m int)) {
		c := cellOf(k)
		for di := int64(-1); di <= 1; di++ {
			for dj := int64(-1); dj <= 1; dj++ {
				for _, m := range buckets[key{c.i + di, c.j + dj}] {
					dx, dy := x[m]-x[k], y[m]-y[k]
					if m != k && dx*dx+dy*dy <= link*link {
						visit(m)
					}
				}
			}
		}
	}
	// Grow each cluster from its core origins, breadth first, through
	// core and ring origins; a ring origin alone never starts one.
	member := make([]int, n)
	for k := range member {
		member[k] = -1
	}
	var clusters []Cluster
	for k := 0; k < n; k++ {
		if member[k] >= 0 || density[k] < r.CoreDensity {
			continue
		}
		id := len(clusters)
		c := Cluster{}
		queue := []int{k}
		member[k] = id
		for len(queue) > 0 {
			m := queue[0]
			queue = queue[1:]
			c.Members = append(c.Members, m)
			neighbours(m, func(o int) {
				if member[o] < 0 {
					member[o] = id
					queue = append(queue, o)
				}
			})
		}
		sort.Ints(c.Members)
		for _, m := range c.Members {
			c.Pop += pop[m]
			c.X += pop[m] * x[m]
			c.Y += pop[m] * y[m]
		}
		if c.Pop > 0 {
			c.X /= c.Pop
			c.Y /= c.Pop
		}
		c.Urban = c.Pop >= r.MinPop
		if c.Urban && r.Label != nil {
			c.Label = r.Label(c.Pop)
		}
		clusters = append(clusters, c)
	}
	urban := make([]bool, n)
	for _, c := range clusters {
		for _, m := range c.Members {
			urban[m] = c.Urban
		}
	}
	sort.SliceStable(clusters, func(i, j int) bool { return clusters[i].Pop > clusters[j].Pop })
	return urban, clusters
}

// ClusterCentres turns the urban clusters into population centres for the
// remoteness schemes, named "<label> <n>" in order of size, at each
// cluster's population-weighted centre (lonLat converts the origins'
// metres back to degrees). Clusters are what the Census Bureau's urban
// areas and Statistics Canada's population centres are, so they suit FAR
// and the Index of Remoteness better than municipal populations; those cut
// by the edge of the study count only the people inside it.
func ClusterCentres(clusters []Cluster, lonLat func(x, y float64) (lon, lat float64)) []PopCentre {
	var out []PopCentre
	for _, c := range clusters {
		if !c.Urban {
			continue
		}
		lon, lat := lonLat(c.X, c.Y)
		out = append(out, PopCentre{Name: fmt.Sprintf("%s %d", c.Label, len(out)+1), Lat: lat, Lon: lon, Pop: c.Pop})
	}
	return out
}
