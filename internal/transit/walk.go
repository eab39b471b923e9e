package transit

import (
	"math"
	"slices"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
	"commonground/internal/network"
	"commonground/internal/par"
)

// DefaultDetour is the factor by which a walk is assumed longer than the
// straight line when no street network can measure it. Studies of urban
// street grids put the ratio of network to straight-line distance near 1.2
// to 1.4; 1.3 is a middle value.
const DefaultDetour = 1.3

// StraightTransfers links every pair of stops within maxMeters of each other
// (great-circle distance) by a footpath timed as distance x detour at speed
// metres per second. It is the fallback when no street network is at hand.
func StraightTransfers(stops []Stop, maxMeters, speed, detour float64) [][]Transfer {
	out := make([][]Transfer, len(stops))
	pts := make([]orb.Point, len(stops))
	for i, s := range stops {
		pts[i] = s.Point
	}
	g := newGrid(pts, maxMeters)
	for i := range stops {
		g.near(pts[i], maxMeters, func(j int, d float64) {
			if j != i {
				out[i] = append(out[i], Transfer{To: StopID(j), Seconds: ceilSeconds(d * detour / speed)})
			}
		})
	}
	return out
}

// Walker measures walks between points and stops on a street network. Every
// walk is the snap leg from the point to its nearest street, the walk along
// the streets, and the snap leg from the street to the stop, all at the
// graph's walking speed; so no walk is shorter than the straight line.
type Walker struct {
	g         *network.Graph
	speed     float64 // m/s
	snapMax   float64
	stops     []Stop
	stopSnaps []network.Snap
	targets   *network.Targets
	// Unsnapped counts stops farther than snapMax from any street; they get
	// straight-line transfers and no access or egress.
	Unsnapped int
}

// NewWalker snaps the stops to the walk graph; a stop more than snapMax
// metres from any street is left unsnapped.
func NewWalker(g *network.Graph, stops []Stop, snapMax float64) *Walker {
	w := &Walker{g: g, speed: g.Profile().WalkSpeed, snapMax: snapMax, stops: stops, stopSnaps: make([]network.Snap, len(stops))}
	par.Each(len(stops), func(i int) {
		if stops[i].Station {
			// Stations, entrances and nodes are not boarding stops:
			// riders walk to their platforms (GTFS location_type).
			w.stopSnaps[i] = network.NoSnap
			return
		}
		w.stopSnaps[i], _ = g.Snap(stops[i].Point, snapMax)
	})
	for i, s := range w.stopSnaps {
		if s.Edge < 0 && !stops[i].Station {
			w.Unsnapped++
		}
	}
	w.targets = g.NewTargets(w.stopSnaps)
	return w
}

// Stops returns, for every point, the stops it can walk to within maxSeconds
// and how long each walk takes, in stop order. Walking ignores one-way
// streets, so the same lists serve as access (point to stop) and egress
// (stop to point). A point farther than snapMax from any street gets none.
func (w *Walker) Stops(pts []orb.Point, maxSeconds float64) [][]StopWalk {
	out := make([][]StopWalk, len(pts))
	par.Each(len(pts), func(i int) {
		sn, ok := w.g.Snap(pts[i], w.snapMax)
		if !ok {
			return
		}
		w.g.Reach(network.Source{At: sn, Start: sn.Dist / w.speed}, maxSeconds, w.targets, func(t int32, c float64) {
			if c += w.stopSnaps[t].Dist / w.speed; c <= maxSeconds {
				out[i] = append(out[i], StopWalk{Stop: StopID(t), Seconds: c})
			}
		})
	})
	return out
}

// Transfers returns footpaths between stops within maxSeconds of walking on
// the street network. Pairs involving an unsnapped stop fall back to the
// straight line x detour, so a stop just off the mapped streets (in a
// station, say) still connects to its neighbours.
func (w *Walker) Transfers(maxSeconds, detour float64) [][]Transfer {
	out := make([][]Transfer, len(w.stops))
	par.Each(len(w.stops), func(i int) {
		sn := w.stopSnaps[i]
		if sn.Edge < 0 {
			return
		}
		w.g.Reach(network.Source{At: sn, Start: sn.Dist / w.speed}, maxSeconds, w.targets, func(t int32, c float64) {
			if c += w.stopSnaps[t].Dist / w.speed; int(t) != i && c <= maxSeconds {
				out[i] = append(out[i], Transfer{To: StopID(t), Seconds: ceilSeconds(c)})
			}
		})
	})
	if w.Unsnapped == 0 {
		return out
	}
	maxMeters := maxSeconds * w.speed / detour
	pts := make([]orb.Point, len(w.stops))
	for i, s := range w.stops {
		pts[i] = s.Point
	}
	g := newGrid(pts, maxMeters)
	for i := range w.stops {
		g.near(pts[i], maxMeters, func(j int, d float64) {
			if j != i && (w.stopSnaps[i].Edge < 0 || w.stopSnaps[j].Edge < 0) && !w.stops[i].Station && !w.stops[j].Station {
				out[i] = append(out[i], Transfer{To: StopID(j), Seconds: ceilSeconds(d * detour / w.speed)})
			}
		})
	}
	return out
}

// Direct returns the walk in seconds from every point of from to every
// point of to, +Inf beyond maxSeconds or when either point is farther than
// snapMax from a street: the walk-only alternative Range compares transit
// against.
func (w *Walker) Direct(from, to []orb.Point, maxSeconds float64) [][]float64 {
	out := make([][]float64, len(from))
	for i := range out {
		out[i] = make([]float64, len(to))
		for j := range out[i] {
			out[i][j] = math.Inf(1)
		}
	}
	snaps := make([]network.Snap, len(from))
	par.Each(len(from), func(i int) { snaps[i], _ = w.g.Snap(from[i], w.snapMax) })
	targets := w.g.NewTargets(snaps)
	par.Each(len(to), func(j int) {
		sn, ok := w.g.Snap(to[j], w.snapMax)
		if !ok {
			return
		}
		w.g.Reach(network.Source{At: sn, Start: sn.Dist / w.speed}, maxSeconds, targets, func(t int32, c float64) {
			if c += snaps[t].Dist / w.speed; c <= maxSeconds {
				out[t][j] = c // each goroutine writes its own column j
			}
		})
	})
	return out
}

// grid buckets points in cells about cell metres wide, for neighbour
// searches without comparing every pair.
type grid struct {
	pts     []orb.Point
	cellLat float64 // degrees
	cellLon float64
	cells   map[[2]int32][]int32
	lat0    float64
}

func newGrid(pts []orb.Point, cell float64) *grid {
	g := &grid{pts: pts, cells: map[[2]int32][]int32{}}
	if len(pts) == 0 || !(cell > 0) {
		return g
	}
	// Use the latitude farthest from the equator so cells are never
	// narrower (in metres) than cell.
	for _, p := range pts {
		if math.Abs(p[1]) > math.Abs(g.lat0) {
			g.lat0 = p[1]
		}
	}
	g.cellLat = cell / (geo.EarthRadius * math.Pi / 180)
	g.cellLon = g.cellLat / max(math.Cos(g.lat0*math.Pi/180), 0.01)
	for i, p := range pts {
		k := g.key(p)
		g.cells[k] = append(g.cells[k], int32(i))
	}
	return g
}

func (g *grid) key(p orb.Point) [2]int32 {
	return [2]int32{int32(math.Floor(p[0] / g.cellLon)), int32(math.Floor(p[1] / g.cellLat))}
}

// near calls fn for every point within maxMeters of p, in index order
// within each cell and cells in a fixed order.
func (g *grid) near(p orb.Point, maxMeters float64, fn func(j int, d float64)) {
	if g.cellLat == 0 {
		return
	}
	k := g.key(p)
	for dy := int32(-1); dy <= 1; dy++ {
		for dx := int32(-1); dx <= 1; dx++ {
			for _, j := range g.cells[[2]int32{k[0] + dx, k[1] + dy}] {
				if d := geo.Distance(p, g.pts[j]); d <= maxMeters {
					fn(int(j), d)
				}
			}
		}
	}
}

// MergeAccess adds drive-and-park access legs to walking ones, origin by
// origin: drives[i] are origin i's drives to stops (seconds); a drive counts
// only to a stop where allowed (nil allows every stop) and takes park
// seconds more to park and walk to the platform. Each stop keeps its
// quicker leg; the lists come out in stop order.
func MergeAccess(walks, drives [][]StopWalk, allowed []bool, park float64) [][]StopWalk {
	out := make([][]StopWalk, len(walks))
	for i := range walks {
		best := map[StopID]float64{}
		for _, w := range walks[i] {
			if b, ok := best[w.Stop]; !ok || w.Seconds < b {
				best[w.Stop] = w.Seconds
			}
		}
		if i < len(drives) {
			for _, d := range drives[i] {
				if allowed != nil && !allowed[d.Stop] {
					continue
				}
				s := d.Seconds + park
				if b, ok := best[d.Stop]; !ok || s < b {
					best[d.Stop] = s
				}
			}
		}
		for s, sec := range best {
			out[i] = append(out[i], StopWalk{Stop: s, Seconds: sec})
		}
		slices.SortFunc(out[i], func(a, b StopWalk) int { return int(a.Stop) - int(b.Stop) })
	}
	return out
}
