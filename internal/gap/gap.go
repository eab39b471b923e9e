// Package gap finds who is underserved: it classes each origin cell urban,
// rural or remote, judges each cell's travel times against the standard of
// its class, and sums underserved people by category, class and area.
package gap

import (
	"math"
	"sort"
)

// Class is a settlement class. Each class has its own yardstick: a city
// dweller is expected to walk, a rural or remote one to drive.
type Class uint8

// The classes, in report order.
const (
	Urban Class = iota
	Rural
	Remote
	NumClasses
)

// Names of the classes as they appear in config keys and outputs.
var classNames = [...]string{"urban", "rural", "remote"}

// String returns the class's config name.
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "unknown"
}

// Density returns, for each point, the people within radius metres (summing
// the pop of every point within it, itself included) per km² of the circle.
// A bucket grid of radius-sized squares keeps it linear in the number of
// points times their neighbours.
func Density(x, y, pop []float64, radius float64) []float64 {
	n := len(x)
	out := make([]float64, n)
	if n == 0 {
		return out
	}
	type key struct{ i, j int64 }
	buckets := map[key][]int32{}
	for k := 0; k < n; k++ {
		b := key{int64(math.Floor(x[k] / radius)), int64(math.Floor(y[k] / radius))}
		buckets[b] = append(buckets[b], int32(k))
	}
	r2 := radius * radius
	areaKm2 := math.Pi * r2 / 1e6
	for k := 0; k < n; k++ {
		bi, bj := int64(math.Floor(x[k]/radius)), int64(math.Floor(y[k]/radius))
		var sum float64
		for di := int64(-1); di <= 1; di++ {
			for dj := int64(-1); dj <= 1; dj++ {
				for _, m := range buckets[key{bi + di, bj + dj}] {
					dx, dy := x[m]-x[k], y[m]-y[k]
					if dx*dx+dy*dy <= r2 {
						sum += pop[m]
					}
				}
			}
		}
		out[k] = sum / areaKm2
	}
	return out
}

// Standard is the longest acceptable trip for one class.
type Standard struct {
	Drive   bool    // judge by drive time, else walk time
	Minutes float64 // served when the trip takes at most this long
}

// Underserved reports whether a cell with the given walk and drive minutes
// to the nearest place misses its class's standard. A trip of exactly the
// threshold is served (the threshold is "within N minutes", inclusive, as in
// IPEA accessibility's cumulative_cutoff, which counts travel_time <= cutoff).
// No reachable place (NaN or +Inf) is underserved.
func Underserved(walk, drive float64, s Standard) bool {
	t := walk
	if s.Drive {
		t = drive
	}
	if math.IsNaN(t) || math.IsInf(t, 1) {
		return true
	}
	return t > s.Minutes
}

// Share is a count of people and the share of a total it is.
type Share struct {
	People float64
	Share  float64 // 0..1; 0 when the total is 0
}

// Area is a named area (a census tract, county or municipality) that cells'
// people belong to.
type Area struct {
	Name  string
	Level string // "census tract", "county", ...
	// ID is the area's id in its source: the census zone's id, or the OSM
	// relation of an admin boundary ("relation/162110"); "" for the
	// remainder outside every area of a level.
	ID string
}

// Member says that some of a cell's people live in an area.
type Member struct {
	Area int32
	Pop  float64
}

// AreaResult is one area's people and underserved people per category.
type AreaResult struct {
	Area        int
	Population  float64
	Underserved []float64 // per category
}

// ByArea sums, for every area, its population and its people underserved per
// category. members[i] lists which areas cell i's people live in; under[c][i]
// says whether cell i is underserved for category c.
func ByArea(nAreas int, members [][]Member, under [][]bool) []AreaResult {
	out := make([]AreaResult, nAreas)
	for a := range out {
		out[a] = AreaResult{Area: a, Underserved: make([]float64, len(under))}
	}
	for i, ms := range members {
		for _, m := range ms {
			r := &out[m.Area]
			r.Population += m.Pop
			for c := range under {
				if under[c][i] {
					r.Underserved[c] += m.Pop
				}
			}
		}
	}
	return out
}

// Rank orders areas by people underserved in category c, most first; ties
// go to the larger share, then the name, so the order is reproducible.
// Areas with no people are left out.
func Rank(results []AreaResult, areas []Area, c int) []AreaResult {
	out := make([]AreaResult, 0, len(results))
	for _, r := range results {
		if r.Population > 0 {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Underserved[c] != b.Underserved[c] {
			return a.Underserved[c] > b.Underserved[c]
		}
		sa, sb := a.Underserved[c]/a.Population, b.Underserved[c]/b.Population
		if sa != sb {
			return sa > sb
		}
		return areas[a.Area].Name < areas[b.Area].Name
	})
	return out
}
