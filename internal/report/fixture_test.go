package report

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
)

// nastyName is a place name that would break the page if anything reached
// the HTML unescaped.
const nastyName = `St. Mary's </script><script>alert("x")</script> & <b>Hall</b>`

// wilmington builds a realistic report around Wilmington, Delaware: side×side
// cells of 250 m on an equal-area grid, places of six kinds, straight-line
// travel times, classes by distance from downtown and every summary computed
// from the cells, so the page's numbers can be checked against this builder.
func wilmington(side int) *Data {
	const cellSize = 250.0
	centre := orb.Point{-75.5466, 39.7447}
	proj := geo.NewProjection(centre[0], centre[1])
	rng := rand.New(rand.NewPCG(1, 2))

	d := &Data{
		RankCategory: -1, // areas ranked by residents underserved for at least one kind
		Title:        "Places to gather: Wilmington, Delaware (test)",
		Subtitle:     "Who lives far from libraries, community centres and other places to gather",
		ToolVersion:  "v0.0.0-test",
		Estimate:     true,
		// As long as a real estimate's note (the Delaware example's), so
		// that the layout checks see the banner as a real report has it.
		PopulationNote: "Population is an ESTIMATE: a total of 70,851 people (US Census count for Wilmington (2010)) spread along the residential streets OpenStreetMap maps in the study area (Wilmington (OpenStreetMap relation 123456, admin_level 8)), onto 250 m cells. 3 towns whose population tag and municipal boundary are in OpenStreetMap keep that count; the rest of the total is spread outside them. Where streets are mapped incompletely, people are missing; where streets are not homes, people are misplaced. Use a census layer for real counts.",
		CellSize:       cellSize,
		Categories: []Category{
			{Name: "library", Label: "Library", Color: "#0072b2"},
			{Name: "community", Label: "Community centre", Color: "#e69f00"},
			{Name: "faith", Label: "Place of worship", Faith: true, Color: "#cc79a7"},
			{Name: "culture", Label: "Arts & culture", Color: "#009e73"},
			{Name: "public", Label: "Public space", Color: "#56b4e9"},
			{Name: "youth_senior", Label: "Youth & senior centre", Color: "#f0e442"},
		},
		Classes: []Class{
			{Name: "urban", Label: "Urban", Rule: "at least 1,000 people per km² within 1 km", Color: "#7b3294"},
			{Name: "rural", Label: "Rural", Rule: "fewer than 1,000 people per km² but within 10 km of a town", Color: "#a6dba0"},
			{Name: "remote", Label: "Remote", Rule: "more than 10 km from any town", Color: "#008837"},
		},
		Thresholds: []Threshold{
			{Class: "urban", Mode: "walk", Minutes: 15},
			{Class: "rural", Mode: "drive", Minutes: 15},
			{Class: "remote", Mode: "drive", Minutes: 30},
		},
		TimeBands:        []string{"0–5", "5–10", "10–15", "15–20", "20–30", "30–45", "45–60", "60+", "unreachable"},
		OSMDate:          "2016-08-10",
		PopulationSource: "US Census 2010, tracts",
		Inputs: []Input{
			{Role: "OpenStreetMap extract", Path: "gomod:github.com/paulmach/osm@v0.8.0/testdata/delaware-latest.osm.pbf", SHA256: "3f1c0e6f2d5b8a7c9e4d1b2a3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f", Bytes: 7812345},
			{Role: "Population", Path: "../shared/datasets/delaware/de_tract_2010.geojson", SHA256: "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9", Bytes: 1234567, Note: "218 tracts"},
		},
		Parameters: []Param{{"cell-size", "250 m"}, {"walk-speed", "4.8 km/h"}, {"drive-speed", "from OSM maxspeed, else by road class"}},
		Caveats:    []string{"Test data: places and times are synthetic."},
		Warnings:   []string{"warning: way/123 highway=primary has no nodes; skipped", "skipped: node/456 amenity=library has no name"},
	}
	K := len(d.Categories)

	// Places: 8 per kind, scattered over the grid; one with a hostile name.
	half := float64(side) * cellSize / 2
	type pl struct {
		xy  orb.Point
		cat int
	}
	var places []pl
	for c := 0; c < K; c++ {
		for j := 0; j < 8; j++ {
			xy := orb.Point{(rng.Float64()*2 - 1) * half * 0.8, (rng.Float64()*2 - 1) * half * 0.8}
			ll := proj.Inverse(xy)
			name := fmt.Sprintf("%s %d", d.Categories[c].Label, j+1)
			tags := map[string]string{"opening_hours": "Mo-Fr 09:00-17:00", "wheelchair": "yes"}
			if c == 2 {
				tags = map[string]string{"religion": "christian", "denomination": "methodist"}
			}
			if c == 2 && j == 0 {
				name = nastyName
			}
			if j == 7 {
				name = "" // unnamed place
			}
			d.Places = append(d.Places, Place{Lon: ll[0], Lat: ll[1], Name: name, Category: c, OSM: fmt.Sprintf("node/%d", 1000+c*10+j), Tags: tags})
			places = append(places, pl{xy, c})
		}
	}

	// Cells.
	n := side * side
	cl := &d.Cells
	cl.Walk = make([][]float32, K)
	cl.Drive = make([][]float32, K)
	for c := range cl.Walk {
		cl.Walk[c] = make([]float32, n)
		cl.Drive[c] = make([]float32, n)
	}
	cl.AreaNames = []string{}
	for r := 0; r < 3; r++ {
		for c := 0; c < 3; c++ {
			cl.AreaNames = append(cl.AreaNames, fmt.Sprintf("Census Tract %d", 100+r*3+c))
		}
	}
	i := 0
	for r := 0; r < side; r++ {
		for q := 0; q < side; q++ {
			xy := orb.Point{-half + (float64(q)+0.5)*cellSize, -half + (float64(r)+0.5)*cellSize}
			ll := proj.Inverse(xy)
			dist := math.Hypot(xy[0], xy[1])
			cl.Lon = append(cl.Lon, ll[0])
			cl.Lat = append(cl.Lat, ll[1])
			cl.Pop = append(cl.Pop, math.Round(2000*math.Exp(-dist/2500)*10)/10+1)
			cls := uint8(0)
			switch {
			case dist > 4500:
				cls = 2
			case dist > 2500:
				cls = 1
			}
			cl.Class = append(cl.Class, cls)
			var under uint32
			var count uint16
			var kinds uint8
			for c := 0; c < K; c++ {
				best := math.Inf(1)
				for _, p := range places {
					if p.cat != c {
						continue
					}
					dm := math.Hypot(p.xy[0]-xy[0], p.xy[1]-xy[1]) * 1.3
					best = math.Min(best, dm)
					if dm/80 <= 15 {
						count++
					}
				}
				walk, drive := float32(best/80), float32(best/600+2)
				if r == 0 && q < 5 { // an island with no route
					walk, drive = float32(math.NaN()), -1
				}
				cl.Walk[c][i], cl.Drive[c][i] = walk, drive
				if walk <= 15 {
					kinds++
				}
				bad := false
				switch cls {
				case 0:
					bad = !(walk <= 15)
				case 1:
					bad = !(drive >= 0 && drive <= 15)
				default:
					bad = !(drive >= 0 && drive <= 30)
				}
				if bad {
					under |= 1 << c
				}
			}
			cl.Under = append(cl.Under, under)
			cl.Count15 = append(cl.Count15, count)
			cl.Kinds15 = append(cl.Kinds15, kinds)
			cl.Area = append(cl.Area, int32(r*3/side*3+q*3/side))
			i++
		}
	}
	cl.Area[side-1] = -1 // one cell outside every area

	// Summaries from the cells.
	var total float64
	classPop := make([]float64, len(d.Classes))
	classCells := make([]int, len(d.Classes))
	for j := 0; j < n; j++ {
		total += cl.Pop[j]
		classPop[cl.Class[j]] += cl.Pop[j]
		classCells[cl.Class[j]]++
	}
	for k := range d.Classes {
		d.ClassRows = append(d.ClassRows, ClassRow{Class: k, Cells: classCells[k], Population: classPop[k]})
	}
	bands := []float64{5, 10, 15, 20, 30, 45, 60}
	bandOf := func(m float32) int {
		if !(m >= 0) {
			return len(bands) + 1
		}
		for b, hi := range bands {
			if float64(m) <= hi {
				return b
			}
		}
		return len(bands)
	}
	for c := 0; c < K; c++ {
		row := CategoryRow{Category: c, Places: 8, ByClass: make([]float64, len(d.Classes))}
		walk := make([]float64, len(d.TimeBands))
		drive := make([]float64, len(d.TimeBands))
		for j := 0; j < n; j++ {
			p := cl.Pop[j]
			if cl.Walk[c][j] <= 15 {
				row.PopWalk15 += p
			}
			if cl.Under[j]>>c&1 == 1 {
				row.Underserved += p
				row.ByClass[cl.Class[j]] += p
			}
			walk[bandOf(cl.Walk[c][j])] += p / total
			drive[bandOf(cl.Drive[c][j])] += p / total
		}
		row.UnderservedShare = row.Underserved / total
		d.Summary = append(d.Summary, row)
		d.WalkShare = append(d.WalkShare, walk)
		d.DriveShare = append(d.DriveShare, drive)
	}
	areas := make([]AreaRow, len(cl.AreaNames))
	for a := range areas {
		areas[a] = AreaRow{Name: cl.AreaNames[a], Level: "Tract", ID: fmt.Sprintf("100030%05d", 100+a), ByCategory: make([]float64, K)}
	}
	for j := 0; j < n; j++ {
		a := cl.Area[j]
		if a < 0 {
			continue
		}
		areas[a].Population += cl.Pop[j]
		if cl.Under[j] != 0 {
			areas[a].Underserved += cl.Pop[j]
		}
		for c := 0; c < K; c++ {
			if cl.Under[j]>>c&1 == 1 {
				areas[a].ByCategory[c] += cl.Pop[j]
			}
		}
	}
	for a := range areas {
		areas[a].Share = ratio(areas[a].Underserved, areas[a].Population)
	}
	// Rank worst first (insertion sort keeps ties in input order).
	for a := 1; a < len(areas); a++ {
		for b := a; b > 0 && areas[b].Share > areas[b-1].Share; b-- {
			areas[b], areas[b-1] = areas[b-1], areas[b]
		}
	}
	d.Areas = areas

	// Roads: a motorway across, a primary ring and some secondaries.
	line := func(cls string, pts ...orb.Point) {
		var cs [][2]float64
		for _, p := range pts {
			ll := proj.Inverse(p)
			cs = append(cs, [2]float64{ll[0], ll[1]})
		}
		d.Roads = append(d.Roads, Road{Class: cls, Coords: cs})
	}
	line("motorway", orb.Point{-half, -half * 0.9}, orb.Point{0, -half * 0.1}, orb.Point{half, half * 0.8})
	var ring []orb.Point
	for a := 0; a <= 36; a++ {
		t := float64(a) / 36 * 2 * math.Pi
		ring = append(ring, orb.Point{math.Cos(t) * half * 0.5, math.Sin(t) * half * 0.5})
	}
	line("primary", ring...)
	for k := -2; k <= 2; k++ {
		x := float64(k) * half / 3
		line("secondary", orb.Point{x, -half}, orb.Point{x + 300, half})
		line("residential", orb.Point{-half, x}, orb.Point{half, x - 200})
	}
	for k := 0; k < 12; k++ {
		ll := proj.Inverse(orb.Point{(rng.Float64()*2 - 1) * half, (rng.Float64()*2 - 1) * half})
		d.Stops = append(d.Stops, Stop{Lon: ll[0], Lat: ll[1], Name: fmt.Sprintf("Stop %d", k+1), Kind: "bus_stop"})
	}
	return d
}

// wilmingtonFull is wilmington with everything the page can show on top:
// a scenario that opens a community centre and closes a library, two
// proposed sites and town labels. Gains and losses are worked from the
// cells: within 800 m of the opened place, cells underserved for community
// centres gain; within 800 m of the closed library, cells served gain
// nothing and those within the walk standard lose.
func wilmingtonFull(side int) *Data {
	d := wilmington(side)
	centre := orb.Point{-75.5466, 39.7447}
	proj := geo.NewProjection(centre[0], centre[1])
	K, n := len(d.Categories), d.Cells.Len()
	openXY := orb.Point{600, 300}
	openLL := proj.Inverse(openXY)
	closed := d.Places[0] // Library 1
	closedXY := proj.Forward(orb.Point{closed.Lon, closed.Lat})
	sc := &ScenarioData{Name: "A hall opens, a library closes", Changes: []string{"opens: Test hall", "closes: Library 1"},
		Opened: []Place{{Lon: openLL[0], Lat: openLL[1], Name: "Test hall", Category: 1}},
		Closed: []Place{closed}}
	sc.Gain, sc.Lose = make([][]float64, K), make([][]float64, K)
	for k := range sc.Gain {
		sc.Gain[k], sc.Lose[k] = make([]float64, len(d.Classes)), make([]float64, len(d.Classes))
	}
	d.Cells.Gained, d.Cells.Lost = make([]uint32, n), make([]uint32, n)
	for i := 0; i < n; i++ {
		xy := proj.Forward(orb.Point{d.Cells.Lon[i], d.Cells.Lat[i]})
		cls := d.Cells.Class[i]
		if math.Hypot(xy[0]-openXY[0], xy[1]-openXY[1]) < 800 && d.Cells.Under[i]>>1&1 == 1 {
			d.Cells.Gained[i] |= 1 << 1
			sc.Gain[1][cls] += d.Cells.Pop[i]
		}
		if math.Hypot(xy[0]-closedXY[0], xy[1]-closedXY[1]) < 800 && d.Cells.Under[i]&1 == 0 {
			d.Cells.Lost[i] |= 1
			sc.Lose[0][cls] += d.Cells.Pop[i]
		}
	}
	d.Scenario = sc
	site := func(k int, name string) SiteRow {
		i := k * n / 3
		return SiteRow{Name: name, Kind: "school", ID: fmt.Sprintf("node/%d", 9000+k), Lon: d.Cells.Lon[i], Lat: d.Cells.Lat[i],
			Gain: 100 * float64(3-k), Cells: 12, Areas: d.Cells.AreaNames[0], AreaList: []string{d.Cells.AreaNames[0], d.Areas[0].Name}}
	}
	s1, s2 := site(1, "north_side_school"), site(2, "Elm School")
	s1.Total, s2.Total = s1.Gain, s1.Gain+s2.Gain
	d.Invest = &InvestData{Category: "Community centres", Underserved: 5000, Candidates: 40, Method: "Greedy, then swaps.",
		Sites: []SiteRow{s1, s2}, Bound: 400}
	// "Any gathering place": its minutes are the least of the six kinds',
	// so the page rebuilds them rather than carry them; a cell is
	// underserved for it when it is for every kind.
	anyK := len(d.Categories)
	d.Categories = append(d.Categories, Category{Name: "any", Label: "Any gathering place", Color: "#444444", Composite: true, Members: []int{0, 1, 2, 3, 4, 5}})
	for _, rows := range []*[][]float32{&d.Cells.Walk, &d.Cells.Drive} {
		row := make([]float32, n)
		for i := range row {
			best := float32(-1)
			for k := 0; k < K; k++ {
				if y := (*rows)[k][i]; y >= 0 && (best < 0 || y < best) {
					best = y
				}
			}
			row[i] = best
		}
		*rows = append(*rows, row)
	}
	anyRow := CategoryRow{Category: anyK, Places: len(d.Places), ByClass: make([]float64, len(d.Classes))}
	var total float64
	for i := 0; i < n; i++ {
		total += d.Cells.Pop[i]
		if d.Cells.Under[i]&(1<<K-1) == 1<<K-1 {
			d.Cells.Under[i] |= 1 << anyK
			anyRow.Underserved += d.Cells.Pop[i]
			anyRow.ByClass[d.Cells.Class[i]] += d.Cells.Pop[i]
		}
	}
	anyRow.UnderservedShare = anyRow.Underserved / total
	d.Summary = append(d.Summary, anyRow)
	d.WalkShare, d.DriveShare = nil, nil
	sc.Gain = append(sc.Gain, make([]float64, len(d.Classes)))
	sc.Lose = append(sc.Lose, make([]float64, len(d.Classes)))
	d.Towns = []Town{
		{Name: "Wilmington", Kind: "city", Lon: centre[0], Lat: centre[1], Population: 70851},
		{Name: "Elsmere", Kind: "town", Lon: centre[0] - 0.03, Lat: centre[1] - 0.01},
		{Name: "Newport", Kind: "village", Lon: centre[0] - 0.04, Lat: centre[1] - 0.03},
	}
	d.Water = []Water{
		{Area: true, Coords: [][2]float64{{centre[0] + 0.01, centre[1] + 0.01}, {centre[0] + 0.02, centre[1] + 0.01}, {centre[0] + 0.02, centre[1] + 0.02}, {centre[0] + 0.01, centre[1] + 0.01}}},
		{Coords: [][2]float64{{centre[0] - 0.05, centre[1] - 0.04}, {centre[0] + 0.05, centre[1] + 0.03}}},
	}
	d.Files = []OutputFile{{Name: "report.html", About: "this report"}, {Name: "cells.csv", About: "one row per cell"}}
	d.Rerun = "commonground run datasets/delaware/tracts.yaml"
	d.ConfigSHA256 = "5e0c2a3a3b8c1f9a0f3f4f3a5b6c7d8e9f00112233445566778899aabbccddee"
	return d
}
