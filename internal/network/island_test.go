package network

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/street"
)

// islandFixture lays out, near the equator (0.001 degree = deg metres):
//
//	main: a residential street along y=0 from x=0 to x=0.06, cut into 60
//	      ways of 0.001 degree, so 61 vertices (the largest piece);
//	small island: a 3-vertex footway along y=0.0006 from x=0.004 to
//	      x=0.006, touching nothing (under MinIsland, so removed);
//	large island: a 41-vertex street along y=0.01 from x=0 to x=0.04,
//	      touching nothing (MinIsland or more, so kept);
//	cul-de-sac: a spur of 3 vertices north of x=0.03, entered from the
//	      main street by a one-way way and left by none, so for cars it is
//	      a strongly connected piece of its own (and removed), while walkers,
//	      who ignore oneway, reach it.
func islandFixture() []street.Way {
	var ways []street.Way
	id := int64(0)
	add := func(tg string, pts ...orb.Point) {
		id++
		w := street.Way{ID: id, Tags: tags(tg)}
		for _, p := range pts {
			// Node ids from coordinates in 0.0001-degree steps: pieces that
			// share a point share a node.
			w.Nodes = append(w.Nodes, int64(math.Round(p[0]*1e4))*100000+int64(math.Round(p[1]*1e4)))
			w.Points = append(w.Points, p)
		}
		ways = append(ways, w)
	}
	for i := 0; i < 60; i++ {
		add("highway=residential", orb.Point{float64(i) * 0.001, 0}, orb.Point{float64(i+1) * 0.001, 0})
	}
	add("highway=footway", orb.Point{0.004, 0.0006}, orb.Point{0.005, 0.0006})
	add("highway=footway", orb.Point{0.005, 0.0006}, orb.Point{0.006, 0.0006})
	for i := 0; i < 40; i++ {
		add("highway=residential", orb.Point{float64(i) * 0.001, 0.01}, orb.Point{float64(i+1) * 0.001, 0.01})
	}
	add("highway=residential oneway=yes", orb.Point{0.03, 0}, orb.Point{0.03, 0.001})
	add("highway=residential", orb.Point{0.03, 0.001}, orb.Point{0.03, 0.002})
	add("highway=residential", orb.Point{0.03, 0.002}, orb.Point{0.03, 0.003})
	return ways
}

// TestIslandRule checks what Build keeps and counts: every piece under
// MinIsland vertices but the largest goes, larger pieces stay and are named.
func TestIslandRule(t *testing.T) {
	ways := islandFixture()
	tests := []struct {
		name string
		p    Profile
		want Stats // the counted fields only
	}{
		// Walk: main (61) + cul-de-sac (3 more, joined) = 64 vertices; the
		// small island (3 vertices, 2 ways) goes; the large island stays.
		{"walk", WalkProfile(3.6), Stats{Components: 3, IslandsDropped: 1, IslandsKept: 1,
			Nodes: 64 + 41, NodesDropped: 3, Edges: 63 + 40, EdgesDropped: 2, WaysDropped: 2}},
		// Drive: the footway is not drivable; the cul-de-sac's three
		// vertices are a piece of their own (a car cannot get back out),
		// removed with the one-way entry and the two spur ways.
		{"drive", DriveProfile(3.6, nil), Stats{Components: 3, IslandsDropped: 1, IslandsKept: 1,
			Nodes: 61 + 41, NodesDropped: 3, Edges: 60 + 40, EdgesDropped: 3, WaysDropped: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, st := mustBuild(t, ways, tc.p)
			got := Stats{Components: st.Components, IslandsDropped: st.IslandsDropped, IslandsKept: st.IslandsKept,
				Nodes: st.Nodes, NodesDropped: st.NodesDropped, Edges: st.Edges, EdgesDropped: st.EdgesDropped, WaysDropped: st.WaysDropped}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("stats %+v,\nwant %+v", got, tc.want)
			}
			if g.NodeCount() != st.Nodes || g.EdgeCount() != st.Edges {
				t.Errorf("graph has %d vertices, %d edges; stats say %d, %d", g.NodeCount(), g.EdgeCount(), st.Nodes, st.Edges)
			}
			// The kept island is named by its first way (the 63rd: after
			// 60 main and 2 footway ways), once.
			items := st.Problems.Items()
			if len(items) != 1 || items[0].Feature != "way/63" || !strings.Contains(items[0].Message, "41 junctions") {
				t.Errorf("problems %v, want one warning naming way/63 and its 41 junctions", items)
			}
		})
	}
}

// TestOriginBesideSmallIslandJoinsMain: an origin 11 m from the small
// footway island and 78 m from the main street joins the main street, at
// the foot of the perpendicular, and its trip to a place at the main
// street's west end is that 78 m walked plus 5 street segments. An origin
// beside the large kept island joins the island and reaches nothing on the
// main network; by car, an origin at the one-way cul-de-sac's tip joins the
// main street instead.
func TestOriginBesideSmallIslandJoinsMain(t *testing.T) {
	ways := islandFixture()
	tests := []struct {
		name     string
		p        Profile
		origin   orb.Point
		wantAt   orb.Point // where the origin joins the street
		wantLeg  float64   // metres of snap leg
		wantTrip float64   // seconds (1 m/s) to the place; NaN: unreachable
	}{
		{"walk, beside the removed footway", WalkProfile(3.6), orb.Point{0.005, 0.0007}, orb.Point{0.005, 0}, 0.7 * deg, 0.7*deg + 5*deg},
		{"walk, beside the kept island", WalkProfile(3.6), orb.Point{0.0205, 0.0095}, orb.Point{0.0205, 0.01}, 0.5 * deg, math.NaN()},
		// On foot the cul-de-sac is part of the main network: its tip is
		// 3 segments up the spur and 30 along the street.
		{"walk, at the cul-de-sac's tip", WalkProfile(3.6), orb.Point{0.0301, 0.003}, orb.Point{0.03, 0.003}, 0.1 * deg, 0.1*deg + 3*deg + 30*deg},
		// By car the spur is gone: the tip is 0.3 km from the main street
		// at (0.0301, 0), whence 30.1 segments to the place.
		{"drive, at the cul-de-sac's tip", DriveProfile(3.6, map[string]float64{"residential": 3.6}), orb.Point{0.0301, 0.003}, orb.Point{0.0301, 0}, 3 * deg, 3*deg + 30.1*deg},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := mustBuild(t, ways, tc.p)
			place, ok := g.Snap(orb.Point{0, -0.00001}, 10)
			if !ok {
				t.Fatal("the place did not snap")
			}
			field := g.Nearest([]Source{{At: place, Label: 7}})
			s, ok := g.Snap(tc.origin, 2000)
			if !ok {
				t.Fatal("origin did not snap within 2 km")
			}
			if !near(s.Dist, tc.wantLeg, 1e-3) || !near(s.Point[0], tc.wantAt[0], 1e-9) || !near(s.Point[1], tc.wantAt[1], 1e-9) {
				t.Errorf("joined at %v, %.3f m away; want %v, %.3f m", s.Point, s.Dist, tc.wantAt, tc.wantLeg)
			}
			cost, label, ok := field.At(s)
			if math.IsNaN(tc.wantTrip) {
				if ok {
					t.Errorf("reached the place in %.1f s, want unreachable from the island", cost)
				}
				return
			}
			if !ok || label != 7 || !near(cost+s.Dist/tc.p.WalkSpeed, tc.wantTrip, 1e-3) {
				t.Errorf("trip %.3f s (label %d, %v), want %.3f s", cost+s.Dist/tc.p.WalkSpeed, label, ok, tc.wantTrip)
			}
		})
	}
}
