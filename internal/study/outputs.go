package study

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"

	"commonground/internal/config"
	"commonground/internal/gap"
	"commonground/internal/measure"
	"commonground/internal/osmread"
	"commonground/internal/output"
	"commonground/internal/place"
	"commonground/internal/population"
	"commonground/internal/report"
	"commonground/internal/siting"
	"commonground/internal/street"
	"commonground/internal/version"
)

// File names of a run's outputs.
const (
	ReportFile   = "report.html"
	CellsFile    = "cells.csv"
	AreasFile    = "areas.csv"
	PlacesFile   = "places.geojson"
	MeasuresFile = "measures.csv"
	SitesFile    = "sites.csv"
	ManifestFile = "manifest.json"
	TimingsFile  = "timings.json"
)

// Outputs renders every output file of a run into a set, manifest last. The
// files hold no clock times: two runs of one config give identical bytes.
func (r *Result) Outputs() (*output.Set, error) {
	var set output.Set
	// The data files only read the result: render them side by side (the
	// GeoPackage is the longest) while the report is put together.
	r.mainAreaNames() // computed once, before the renderers share it
	set.Go(CellsFile, r.writeCells)
	set.Go(AreasFile, r.writeAreas)
	set.Go(PlacesFile, r.writePlaces)
	set.Go(MeasuresFile, r.writeMeasures)
	if r.Siting != nil {
		set.Go(SitesFile, r.writeSites)
	}
	set.Go(GeoPackageFile, r.writeGeoPackage)
	set.Go(OriginsParquetFile, r.writeOriginsParquet)
	data := r.ReportData()
	data.Files = r.outputFiles(data)
	if err := set.Add(ReportFile, func(w io.Writer) error { return report.Render(w, data) }); err != nil {
		return nil, err
	}
	for _, t := range tableFiles(data) {
		if err := set.Add(t.name, t.write); err != nil {
			return nil, err
		}
	}
	if err := set.Wait(); err != nil {
		return nil, err
	}
	m := r.Manifest()
	m.Describe(&set)
	b, err := output.JSON(m)
	if err != nil {
		return nil, err
	}
	if err := set.Add(ManifestFile, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return nil, err
	}
	return &set, nil
}

// writeCells writes one row per populated cell: where it is, how many
// people, its class, and per group its walk and drive minutes and whether it
// is underserved.
func (r *Result) writeCells(w io.Writer) error {
	cw := output.NewCSVWriter(w)
	head := []string{"origin_id", "origin_kind", "lon", "lat", "population", "population_method", "class", "density_per_km2", "urban_cluster"}
	head = append(head, r.schemeColumns()...)
	head = append(head, "places_within_walk", "kinds_within_walk", "area")
	for _, g := range r.Groups {
		head = append(head, "walk_min_"+g.Name, "drive_min_"+g.Name, "underserved_"+g.Name)
	}
	if r.Transit != nil {
		for k := range r.Transit.Windows {
			for _, g := range r.Groups {
				head = append(head, fmt.Sprintf("transit%d_min_%s", k+1, g.Name), fmt.Sprintf("transit%d_underserved_%s", k+1, g.Name))
				for _, p := range r.Study.Transit.ExtraPercentiles {
					head = append(head, fmt.Sprintf("transit%d_p%s_min_%s", k+1, output.Num(p, 1), g.Name))
				}
			}
		}
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	areaName := r.mainAreaNames()
	for i, c := range r.Alloc.Cells {
		row := []string{
			c.ID, string(r.Alloc.Origins), output.Num(c.Center[0], 6), output.Num(c.Center[1], 6),
			output.Num(c.Pop, 3), r.popMethod(i), r.Class[i].String(), output.Num(r.Density[i], 1), boolStr(r.Urban[i]),
		}
		row = append(row, r.schemeValues(i)...)
		row = append(row, strconv.Itoa(int(r.Count[i])), strconv.Itoa(popcount(r.Kinds[i])), areaName[i])
		for gi := range r.Groups {
			row = append(row, output.Num(r.Walk[gi][i], 2), output.Num(r.Drive[gi][i], 2), boolStr(r.Under[gi][i]))
		}
		if r.Transit != nil {
			for _, tw := range r.Transit.Windows {
				for gi := range r.Groups {
					row = append(row, output.Num(tw.Minutes[gi][i], 2), boolStr(tw.Under[gi][i]))
					for k := range tw.Extra {
						row = append(row, output.Num(tw.Extra[k][gi][i], 2))
					}
				}
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// popMethod says how cell i got its people: "estimate" (street length scaled
// to a total, no census), or the method of the census polygon that gave it
// most of them: "streets" (by residential street length) or "area".
func (r *Result) popMethod(i int) string {
	c := r.Alloc.Cells[i]
	if len(c.Parts) == 0 || len(r.Alloc.ZoneMethod) == 0 {
		return "estimate"
	}
	best := c.Parts[0]
	for _, p := range c.Parts[1:] {
		if p.Pop > best.Pop {
			best = p
		}
	}
	return string(r.Alloc.ZoneMethod[best.Zone])
}

// mainAreaNames names each cell's area of the ranking level: the one most of
// its people live in.
func (r *Result) mainAreaNames() []string {
	if r.mainNames != nil {
		return r.mainNames
	}
	out := make([]string, len(r.Alloc.Cells))
	for i, ms := range r.Members {
		best, bestPop := int32(-1), -1.0
		for _, m := range ms {
			if r.Areas[m.Area].Level == r.RankLevel && m.Pop > bestPop {
				best, bestPop = m.Area, m.Pop
			}
		}
		if best >= 0 {
			out[i] = r.Areas[best].Name
		}
	}
	r.mainNames = out
	return out
}

func (r *Result) writeAreas(w io.Writer) error {
	cw := output.NewCSVWriter(w)
	head := []string{"level", "area", "area_id", "population", "population_estimated"}
	ids := r.areaIDs()
	for _, g := range r.Groups {
		head = append(head, "underserved_"+g.Name, "underserved_share_"+g.Name)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	rows := append([]gap.AreaResult(nil), r.AreaResult...)
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := r.Areas[rows[i].Area], r.Areas[rows[j].Area]
		if a.Level != b.Level {
			return a.Level < b.Level
		}
		return a.Name < b.Name
	})
	for _, a := range rows {
		row := []string{r.Areas[a.Area].Level, r.Areas[a.Area].Name, ids[a.Area], output.Num(a.Population, 1), boolStr(r.Study.Estimated())}
		for gi := range r.Groups {
			share := 0.0
			if a.Population > 0 {
				share = a.Underserved[gi] / a.Population
			}
			row = append(row, output.Num(a.Underserved[gi], 1), output.Num(share, 4))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// areaIDs returns each summary area's id, in the order of r.Areas: the
// population file's id for census zones, "relation/ID" for OSM admin
// boundaries, "" for the "outside any ..." remainder.
func (r *Result) areaIDs() []string {
	ids := make([]string, len(r.Areas))
	for k, a := range r.Areas {
		ids[k] = a.ID
	}
	return ids
}

// writePlaces writes the gathering places as a GeoJSON FeatureCollection of
// points, properties in a fixed order.
func (r *Result) writePlaces(w io.Writer) error {
	type feature struct {
		Type     string          `json:"type"`
		Geometry json.RawMessage `json:"geometry"`
		Props    json.RawMessage `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: []feature{}}
	for _, p := range r.Extract.Places {
		geom := fmt.Sprintf(`{"type":"Point","coordinates":[%s,%s]}`, output.Num(p.Point[0], 7), output.Num(p.Point[1], 7))
		props := orderedJSON([][2]any{
			{"id", int(p.ID)}, {"osm", p.OSMType + "/" + strconv.FormatInt(p.OSMID, 10)}, {"name", p.Name},
			{"category", p.Category}, {"faith", p.Faith}, {"area_m2", math.Round(p.AreaM2)}, {"access_points", len(p.Access)},
		}, p.Tags)
		fc.Features = append(fc.Features, feature{Type: "Feature", Geometry: json.RawMessage(geom), Props: props})
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// orderedJSON renders fixed properties in order, then tags sorted by key.
func orderedJSON(fixed [][2]any, tags map[string]string) json.RawMessage {
	var b strings.Builder
	b.WriteByte('{')
	for i, kv := range fixed {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv[0])
		v, _ := json.Marshal(kv[1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kb, _ := json.Marshal("tag:" + k)
		vb, _ := json.Marshal(tags[k])
		b.WriteByte(',')
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return json.RawMessage(b.String())
}

func popcount(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// Colours: Okabe and Ito's colour-blind-safe palette (Okabe & Ito 2008,
// "Color Universal Design"), one per category in order.
var palette = []string{"#0072B2", "#E69F00", "#CC79A7", "#009E73", "#D55E00", "#56B4E9", "#F0E442", "#000000"}

// comboPalette colours user-defined combinations of categories, apart from
// the categories' own colours.
var comboPalette = []string{"#8C510A", "#01665E", "#762A83", "#B2182B"}

// TimeBands are the travel-time bands of the charts, in minutes.
var TimeBands = []struct {
	Label    string
	Lo, Hi   float64
	Unreachd bool
}{
	{"0–5", 0, 5, false}, {"5–10", 5, 10, false}, {"10–15", 10, 15, false}, {"15–20", 15, 20, false},
	{"20–30", 20, 30, false}, {"30–45", 30, 45, false}, {"45–60", 45, 60, false},
	{"60+", 60, math.Inf(1), false}, {"unreachable", 0, 0, true},
}

func band(minutes float64) int {
	if math.IsNaN(minutes) || math.IsInf(minutes, 1) {
		return len(TimeBands) - 1
	}
	for i, b := range TimeBands[:len(TimeBands)-1] {
		if minutes < b.Hi || (b.Hi == math.Inf(1)) {
			return i
		}
	}
	return len(TimeBands) - 2
}

// ReportData gathers what the HTML report shows.
func (r *Result) ReportData() *report.Data {
	s := r.Study
	d := &report.Data{
		Title:       s.Name,
		Subtitle:    s.Description,
		ToolVersion: "commonground " + version.Version,
		Estimate:    s.Estimated(),
		CellSize:    s.Grid.CellSize,
		Origins:     string(r.Alloc.Origins),
	}
	total := r.Population()
	combo := 0
	for gi, g := range r.Groups {
		col := palette[gi%len(palette)]
		if c, ok := map[string]string{config.AnyCategory: "#444444", config.SecularCategory: "#7F7F7F"}[g.Name]; ok {
			col = c
		} else if g.Composite {
			col = comboPalette[combo%len(comboPalette)]
			combo++
		}
		d.Categories = append(d.Categories, report.Category{Name: g.Name, Label: g.Label, Faith: g.Faith, Color: col, Composite: g.Composite})
		if g.Composite {
			d.Categories[len(d.Categories)-1].Members = g.Categories
		}
	}
	classRules := r.classRules()
	classCols := []string{"#7B3294", "#A6DBA0", "#008837"}
	for c := gap.Class(0); c < gap.NumClasses; c++ {
		d.Classes = append(d.Classes, report.Class{Name: c.String(), Label: strings.ToUpper(c.String()[:1]) + c.String()[1:], Rule: classRules[c], Color: classCols[c]})
		t := s.ThresholdFor(c.String())
		d.Thresholds = append(d.Thresholds, report.Threshold{Class: c.String(), Mode: t.Mode, Minutes: t.Minutes})
	}

	// Cells.
	n := len(r.Alloc.Cells)
	cs := &d.Cells
	cs.Lon, cs.Lat, cs.Pop = make([]float64, n), make([]float64, n), make([]float64, n)
	cs.Class, cs.Under, cs.Count15, cs.Kinds15, cs.Area = make([]uint8, n), make([]uint32, n), make([]uint16, n), make([]uint8, n), make([]int32, n)
	cs.Walk, cs.Drive = make([][]float32, len(r.Groups)), make([][]float32, len(r.Groups))
	for gi := range r.Groups {
		cs.Walk[gi], cs.Drive[gi] = make([]float32, n), make([]float32, n)
	}
	if r.Alloc.Origins != population.GridOrigins {
		cs.ID = make([]string, n)
		for i, c := range r.Alloc.Cells {
			cs.ID[i] = c.ID
		}
		// The most populous origin's circle is as wide as the usual
		// spacing between origins, so neighbours touch but rarely overlap.
		d.OriginRadius = r.linkDistance() / 4
	}
	cs.Remote = make([]float64, n)
	for i, a := range r.Remoteness[0].Assess {
		cs.Remote[i] = a.Score
	}
	names := r.mainAreaNames()
	areaIdx := map[string]int32{}
	for i, c := range r.Alloc.Cells {
		cs.Lon[i], cs.Lat[i], cs.Pop[i], cs.Class[i] = c.Center[0], c.Center[1], c.Pop, uint8(r.Class[i])
		cs.Count15[i] = uint16(min(int(r.Count[i]), math.MaxUint16))
		cs.Kinds15[i] = uint8(popcount(r.Kinds[i]))
		for gi := range r.Groups {
			cs.Walk[gi][i], cs.Drive[gi][i] = float32(nanToNeg(r.Walk[gi][i])), float32(nanToNeg(r.Drive[gi][i]))
			if r.Under[gi][i] {
				cs.Under[i] |= 1 << uint(gi)
			}
		}
		cs.Area[i] = -1
		if names[i] != "" {
			k, ok := areaIdx[names[i]]
			if !ok {
				k = int32(len(cs.AreaNames))
				areaIdx[names[i]] = k
				cs.AreaNames = append(cs.AreaNames, names[i])
			}
			cs.Area[i] = k
		}
	}

	// Places, roads and stops.
	for _, p := range r.Extract.Places {
		d.Places = append(d.Places, report.Place{Lon: p.Point[0], Lat: p.Point[1], Name: p.Name, Category: r.catIndex(p.Category),
			OSM: p.OSMType + "/" + strconv.FormatInt(p.OSMID, 10), Tags: p.Tags})
	}
	d.Roads = r.roads
	if r.Transit != nil {
		r.transitReport(d)
	} else {
		for _, st := range r.Extract.Stops {
			d.Stops = append(d.Stops, report.Stop{Lon: st.Point[0], Lat: st.Point[1], Name: st.Name, Kind: st.Kind})
		}
	}

	// Summaries.
	for gi, g := range r.Groups {
		row := report.CategoryRow{Category: gi, ByClass: make([]float64, gap.NumClasses)}
		for _, p := range r.Extract.Places {
			if contains(g.Categories, r.catIndex(p.Category)) {
				row.Places++
			}
		}
		for i, c := range r.Alloc.Cells {
			if w := r.Walk[gi][i]; !math.IsNaN(w) && w <= s.Travel.NearbyWalk {
				row.PopWalk15 += c.Pop
			}
			if r.Under[gi][i] {
				row.Underserved += c.Pop
				row.ByClass[r.Class[i]] += c.Pop
			}
		}
		if total > 0 {
			row.UnderservedShare = row.Underserved / total
		}
		d.Summary = append(d.Summary, row)
	}
	for c := gap.Class(0); c < gap.NumClasses; c++ {
		row := report.ClassRow{Class: int(c)}
		for i, cell := range r.Alloc.Cells {
			if r.Class[i] == c {
				row.Cells++
				row.Population += cell.Pop
			}
		}
		d.ClassRows = append(d.ClassRows, row)
	}
	rg := r.RankGroup()
	d.RankCategory = rg
	stay := map[int]float64{}
	if r.Sens.Settings > 0 {
		d.Sensitivity = &report.Sensitivity{Settings: r.Sens.Settings, TopN: r.Sens.TopN, Varied: r.SensVaried,
			Overlap: r.Sens.Overlap, SpearmanMean: r.Sens.SpearmanMean, SpearmanMin: r.Sens.SpearmanMin}
		for k, a := range r.Sens.Top {
			stay[a] = r.Sens.StayShare[k]
		}
		for _, dc := range r.DecayChecks {
			d.Sensitivity.Decay = append(d.Sensitivity.Decay, report.DecayRow{Beta: dc.Beta, Overlap: dc.Overlap, Spearman: dc.Spearman})
		}
	}
	areaIDs := r.areaIDs()
	for k, a := range r.Ranked {
		if k >= s.Ranking.Top {
			break
		}
		row := report.AreaRow{Name: r.Areas[a.Area].Name, Level: r.Areas[a.Area].Level, ID: areaIDs[a.Area], Population: a.Population,
			Underserved: a.Underserved[rg], ByCategory: append([]float64(nil), a.Underserved...), Stay: -1}
		if v, ok := stay[a.Area]; ok {
			row.Stay = v
		}
		if a.Population > 0 {
			row.Share = a.Underserved[rg] / a.Population
		}
		d.Areas = append(d.Areas, row)
	}
	for _, b := range TimeBands {
		d.TimeBands = append(d.TimeBands, b.Label)
	}
	d.WalkShare, d.DriveShare = make([][]float64, len(r.Groups)), make([][]float64, len(r.Groups))
	for gi := range r.Groups {
		d.WalkShare[gi], d.DriveShare[gi] = make([]float64, len(TimeBands)), make([]float64, len(TimeBands))
		for i, c := range r.Alloc.Cells {
			d.WalkShare[gi][band(r.Walk[gi][i])] += c.Pop
			d.DriveShare[gi][band(r.Drive[gi][i])] += c.Pop
		}
		for b := range TimeBands {
			if total > 0 {
				d.WalkShare[gi][b] /= total
				d.DriveShare[gi][b] /= total
			}
		}
	}

	// Measures and inequality.
	if len(r.Measures) > 0 {
		d.MeasureNote = fmt.Sprintf("gravity access: the places within reach, each weighted by exp(−%s × minutes of travel), so a place 10 minutes away counts %s",
			output.Num(s.Measures.GravityBeta, 3), output.Num(math.Exp(-10*s.Measures.GravityBeta), 2))
		for _, mm := range r.Measures {
			for gi, sum := range mm.Inequality {
				row := report.InequalityRow{Category: gi, Mode: mm.Name, Mean: sum.Mean, Gini: sum.Gini, Palma: sum.Palma,
					Theil: sum.Theil.T, Concentration: sum.Concentration, PovertyLine: sum.PovertyLine, FGT: sum.FGT}
				if sum.Theil.T > 0 {
					row.BetweenShare = sum.Theil.Between / sum.Theil.T
				}
				d.Inequality = append(d.Inequality, row)
				if mm.Name == "drive" && !r.Groups[gi].Composite && len(sum.Lorenz) > 1 {
					d.Lorenz = append(d.Lorenz, report.LorenzSeries{Name: r.Groups[gi].Label + " (by car)", Color: d.Categories[gi].Color, Points: thinLorenz(sum.Lorenz, 101)})
				}
			}
		}
	}

	if r.Siting != nil {
		r.investReport(d)
	}
	if r.Scenario != nil {
		r.scenarioReport(d)
	}

	// Completeness.
	for _, f := range r.Flags {
		c := s.Categories[f.Category]
		label := c.Label
		if label == "" {
			label = c.Name
		}
		d.Completeness = append(d.Completeness, report.CompletenessRow{Area: r.Areas[f.Area].Name, Level: r.Areas[f.Area].Level,
			Category: label, Mapped: f.Mapped, Expected: f.Expected})
	}

	// Groups.
	for _, g := range r.GroupRes {
		d.Groups = append(d.Groups, report.GroupRow{Label: g.Label, Population: g.Population, NeedWeight: g.NeedWeight,
			Underserved: g.Underserved, MeanWalk: g.MeanWalk, MeanDrive: g.MeanDrive})
	}
	if len(r.GroupRes) > 0 {
		d.NeedUnderserved = r.NeedUnder
		var ws []string
		for _, g := range r.GroupRes {
			if g.NeedWeight > 0 {
				ws = append(ws, fmt.Sprintf("%s × %s", g.Label, output.Num(g.NeedWeight, 2)))
			}
		}
		if len(ws) > 0 {
			d.NeedNote = "Need-weighted underserved people count each underserved resident by the need weight of their group (" + strings.Join(ws, "; ") + "); residents of other groups count 0. The weights come from the study config."
		} else {
			d.NeedNote = "No group has a need weight, so the need-weighted count is the plain count of underserved residents."
		}
	}

	// Methods.
	for _, in := range r.Inputs {
		d.Inputs = append(d.Inputs, report.Input{Role: in.Role, Path: in.Path, SHA256: in.SHA256, Bytes: in.Bytes})
	}
	if !r.Extract.Timestamp.IsZero() {
		d.OSMDate = r.Extract.Timestamp.UTC().Format("2006-01-02")
	}
	d.PopulationSource, d.PopulationNote = r.populationSource()
	d.Parameters = r.parameters()
	d.Caveats = r.Caveats()
	d.Warnings = append(append([]string(nil), r.Notes...), r.Problems.Summary()...)
	r.reportLinks(d)
	return d
}

// reportLinks fills what leads from the page to the data: the map's town
// labels, the rerun command and the config file's checksum.
func (r *Result) reportLinks(d *report.Data) {
	for _, t := range r.Extract.Towns {
		if t.Name != "" {
			d.Towns = append(d.Towns, report.Town{Name: t.Name, Kind: t.Kind, Lon: t.Point[0], Lat: t.Point[1], Population: t.Population})
		}
	}
	d.Water = baseWater(r.Extract.Water)
	d.Rerun = "commonground run " + r.Study.Path
	if b, err := os.ReadFile(r.Study.Path); err == nil {
		d.ConfigSHA256 = fmt.Sprintf("%x", sha256.Sum256(b))
	}
}

// baseWater simplifies the extract's water for the report's base map and
// leaves out what would not show at a regional scale: areas under about
// 300 m across. Douglas-Peucker at 0.0003° (about 30 m) keeps shapes
// recognisable at the zooms the report opens at while keeping it small.
func baseWater(ws []osmread.Water) []report.Water {
	var out []report.Water
	dp := simplify.DouglasPeucker(0.0003)
	for _, w := range ws {
		b := w.Line.Bound()
		if w.Area && math.Hypot(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]) < 0.003 {
			continue
		}
		ls := dp.LineString(append(orb.LineString(nil), w.Line...))
		if len(ls) < 2 || w.Area && len(ls) < 4 {
			continue
		}
		rw := report.Water{Area: w.Area}
		for _, p := range ls {
			rw.Coords = append(rw.Coords, [2]float64{p[0], p[1]})
		}
		out = append(out, rw)
	}
	return out
}

// outputFiles lists the files a run writes, in the order a reader would
// open them, each with a line on what it holds.
func (r *Result) outputFiles(d *report.Data) []report.OutputFile {
	out := []report.OutputFile{
		{Name: ReportFile, About: "this report"},
		{Name: CellsFile, About: "one row per populated cell: residents, type of area, walk and drive minutes to the nearest place of each kind, underserved flags"},
		{Name: AreasFile, About: "residents and underserved residents per area, with each area's id"},
		{Name: PlacesFile, About: "every gathering place found, with its kind and the tags that matter (GeoJSON)"},
		{Name: MeasuresFile, About: "per cell and mode: cumulative opportunities, gravity access and 2SFCA supply per person"},
	}
	if r.Siting != nil {
		out = append(out, report.OutputFile{Name: SitesFile, About: "the chosen sites of every objective, what each adds and the areas it serves"})
	}
	out = append(out, report.OutputFile{Name: GeoPackageFile, About: "cells, places, areas and sites for QGIS or ArcGIS (GeoPackage)"})
	about := map[string]string{
		"summary.csv":      "the summary table by kind of place",
		"groups.csv":       "access by population group",
		"inequality.csv":   "the inequality table",
		"completeness.csv": "areas where the map may be incomplete",
		"transit.csv":      "access by public transport, per window",
	}
	for _, t := range tableFiles(d) {
		out = append(out, report.OutputFile{Name: t.name, About: about[t.name]})
	}
	return append(out,
		report.OutputFile{Name: ManifestFile, About: "inputs with SHA-256, the fully resolved config, versions, counts and warnings"},
		report.OutputFile{Name: TimingsFile, About: "how long each stage took"})
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func nanToNeg(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return -1
	}
	return v
}

func (r *Result) populationSource() (source, note string) {
	s := r.Study
	if p := s.Inputs.Population; p != nil {
		source = p.Source
		if source == "" {
			source = p.Path
		}
		if p.Vintage != "" {
			source += " (" + p.Vintage + ")"
		}
		switch r.Alloc.Origins {
		case population.PointOrigins:
			note = fmt.Sprintf("Census counts at %d points, each an origin at its own coordinates with its own id and people (as r5r and r5py take origins); nothing is moved to a grid.", len(r.Zones))
		case population.PolygonOrigins:
			note = fmt.Sprintf("Census counts from %d polygons, one origin per polygon at its population-weighted point (the people-weighted centre of its residential streets on a %s m grid), with the polygon's id and whole count.", len(r.Zones), output.Num(s.Grid.CellSize, 0))
		default:
			if len(r.Zones) > 0 && len(r.Zones[0].Geom) == 0 {
				note = fmt.Sprintf("Census counts at %d points, summed into the %s m grid cell that holds each point (population.origins: grid).", len(r.Zones), output.Num(s.Grid.CellSize, 0))
			} else {
				note = fmt.Sprintf("Census counts from %d polygons, spread onto %s m cells in proportion to the length of residential street in each part of a polygon (by area where a polygon has no residential street).", len(r.Zones), output.Num(s.Grid.CellSize, 0))
			}
		}
		if r.Area != nil {
			note += " Only zones inside the study area (" + r.Area.Name + ") are counted."
		}
		return source, note
	}
	e := s.Inputs.Estimate
	source = e.Source
	if source == "" {
		source = "a configured total"
	}
	if e.Vintage != "" {
		source += " (" + e.Vintage + ")"
	}
	where := "the whole extract"
	if r.Area != nil {
		where = "the study area (" + r.Area.Name + ")"
	}
	towns := ""
	if r.controlTowns > 0 {
		towns = fmt.Sprintf(" %d towns whose population tag and municipal boundary are in OpenStreetMap keep that count; the rest of the total is spread outside them.", r.controlTowns)
	}
	note = fmt.Sprintf("Population is an ESTIMATE: a total of %s people (%s) spread along the residential streets OpenStreetMap maps in %s, onto %s m cells.%s Where streets are mapped incompletely, people are missing; where streets are not homes, people are misplaced. Use a census layer for real counts.", output.Thousands(e.Total), source, where, output.Num(s.Grid.CellSize, 0), towns)
	return source, note
}

// parameters lists every setting the run used, as the config would say it.
func (r *Result) parameters() []report.Param {
	s := r.Study
	p := []report.Param{
		{Key: "grid.cell_size", Value: output.Num(s.Grid.CellSize, 1) + " m"},
		{Key: "travel.walk_kmh", Value: output.Num(s.Travel.WalkKmh, 2) + " km/h"},
		{Key: "travel.snap_max", Value: output.Num(s.Travel.SnapMax, 0) + " m"},
		{Key: "travel.nearby_walk_minutes", Value: output.Num(s.Travel.NearbyWalk, 1) + " min"},
		{Key: "classes.urban", Value: s.Classes.Urban},
		{Key: "classes.density_radius", Value: output.Num(s.Classes.DensityRadius, 0) + " m"},
		{Key: "classes.remote", Value: s.Classes.Remote},
		{Key: "classes.also", Value: strings.Join(s.Classes.Also, ", ")},
		{Key: "classes.far_remote_level", Value: strconv.Itoa(s.Classes.FARRemoteLevel)},
		{Key: "classes.centres", Value: s.Classes.Centres},
		{Key: "classes.osm_centres", Value: strconv.FormatBool(s.Classes.UseOSMCentres())},
		{Key: "study_area.buffer_km", Value: output.Num(s.BufferKm(), 1) + " km"},
		{Key: "thresholds.urban", Value: s.Thresholds.Urban.Mode + " " + output.Num(s.Thresholds.Urban.Minutes, 1) + " min"},
		{Key: "thresholds.rural", Value: s.Thresholds.Rural.Mode + " " + output.Num(s.Thresholds.Rural.Minutes, 1) + " min"},
		{Key: "thresholds.remote", Value: s.Thresholds.Remote.Mode + " " + output.Num(s.Thresholds.Remote.Minutes, 1) + " min"},
		{Key: "ranking.category", Value: s.Ranking.Category},
		{Key: "ranking.top", Value: strconv.Itoa(s.Ranking.Top)},
	}
	keys := make([]string, 0, len(s.Travel.DriveSpeeds))
	for k := range s.Travel.DriveSpeeds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p = append(p, report.Param{Key: "travel.drive_speeds." + k, Value: output.Num(s.Travel.DriveSpeeds[k], 1) + " km/h"})
	}
	for i, c := range s.Categories {
		faith := ""
		if c.Faith {
			faith = " (faith)"
		}
		p = append(p, report.Param{Key: fmt.Sprintf("categories[%d] %s%s", i, c.Name, faith), Value: strings.Join(c.Match, " | ")})
	}
	for _, a := range s.Inputs.AdminLevels {
		p = append(p, report.Param{Key: "inputs.admin_levels " + a.Level, Value: a.Label})
	}
	return p
}

// Typical densities used to judge whether OSM mapping looks complete.
const (
	// About 350,000 to 380,000 congregations serve some 330 million people in
	// the United States (National Congregations Study; Hartford Institute for
	// Religion Research), roughly 11 per 10,000 people.
	typicalWorshipPer10k = 11.0
	// About 17,000 public library outlets (IMLS Public Libraries Survey, FY2019)
	// for the same population: roughly 0.5 per 10,000 people.
	typicalLibraryPer10k = 0.5
)

// Caveats says where the data are likely incomplete, in plain words.
func (r *Result) Caveats() []string {
	var out []string
	total := r.Population()
	if total <= 0 {
		return out
	}
	count := map[string]int{}
	for _, p := range r.Extract.Places {
		count[p.Category]++
	}
	for _, c := range r.Study.Categories {
		per10k := float64(count[c.Name]) / total * 1e4
		switch {
		case c.Faith && per10k < typicalWorshipPer10k/3:
			out = append(out, fmt.Sprintf("Places of worship: OpenStreetMap has %d here, %.1f per 10,000 people; the United States has roughly %.0f per 10,000. Most congregations are probably not mapped, so gaps for this category are likely mapping gaps, not real ones.", count[c.Name], per10k, typicalWorshipPer10k))
		case c.Name == "library" && per10k < typicalLibraryPer10k/3:
			out = append(out, fmt.Sprintf("Libraries: OpenStreetMap has %d here, %.2f per 10,000 people, against roughly %.1f per 10,000 nationally; some branches are probably not mapped.", count[c.Name], per10k, typicalLibraryPer10k))
		case count[c.Name] == 0:
			out = append(out, fmt.Sprintf("%s: none are mapped in OpenStreetMap here, so everyone counts as underserved for this category. This says more about the map than about the place.", c.Label))
		}
	}
	unnamed := 0
	for _, p := range r.Extract.Places {
		if p.Name == "" {
			unnamed++
		}
	}
	if n := len(r.Extract.Places); n > 0 && unnamed*4 > n {
		out = append(out, fmt.Sprintf("%d of %d gathering places have no name in OpenStreetMap, a sign of sparse mapping.", unnamed, n))
	}
	if !r.Extract.Timestamp.IsZero() {
		out = append(out, fmt.Sprintf("The OpenStreetMap extract dates from %s; places opened or closed since then are not reflected.", r.Extract.Timestamp.UTC().Format("2 January 2006")))
	}
	out = append(out, "Travel times assume walking at a steady pace on mapped streets and paths, and driving at the posted or typical speed with no traffic; they do not account for hills, crossings, opening hours or whether a place welcomes everyone.")
	return out
}

// Manifest records what a researcher needs to rerun the analysis exactly.
func (r *Result) Manifest() *output.Manifest {
	s := r.Study
	counts := map[string]any{
		"cells":                 len(r.Alloc.Cells),
		"population":            output.Round(r.Population(), 3),
		"places":                len(r.Extract.Places),
		"street_ways":           r.StreetWays,
		"walk_graph_nodes":      r.WalkStat.Nodes,
		"drive_graph_nodes":     r.DrvStat.Nodes,
		"transit_stops_tagged":  len(r.Extract.Stops),
		"admin_boundaries":      len(r.Extract.Boundaries),
		"towns":                 len(r.Extract.Towns),
		"population_estimated":  s.Estimated(),
		"input_problems_logged": r.Problems.Len(),
	}
	perCat := map[string]int{}
	for _, p := range r.Extract.Places {
		perCat[p.Category]++
	}
	counts["places_by_category"] = perCat
	osmDate := ""
	if !r.Extract.Timestamp.IsZero() {
		osmDate = r.Extract.Timestamp.UTC().Format("2006-01-02T15:04:05Z")
	}
	warnings := append(append([]string{}, r.Notes...), r.Problems.Summary()...)
	return &output.Manifest{
		Tool:     "commonground",
		Version:  version.Version,
		Go:       version.Go(),
		Modules:  version.Modules(),
		Config:   s.Path,
		Study:    s,
		Methods:  r.Methods(),
		Inputs:   r.Inputs,
		OSMDate:  osmDate,
		Counts:   counts,
		Warnings: warnings,
		Problems: r.Problems.Items(),
		Rerun:    "commonground run " + s.Path,
	}
}

// thinLorenz keeps at most n points of a Lorenz curve, evenly by population
// share, always with its ends.
func thinLorenz(pts []measure.LorenzPoint, n int) [][2]float64 {
	out := [][2]float64{{0, 0}}
	next := 1.0 / float64(n-1)
	for _, p := range pts {
		if p.Pop >= next || p.Pop >= 1 {
			out = append(out, [2]float64{p.Pop, p.Access})
			for next <= p.Pop {
				next += 1.0 / float64(n-1)
			}
		}
	}
	if last := pts[len(pts)-1]; out[len(out)-1] != [2]float64{last.Pop, last.Access} {
		out = append(out, [2]float64{last.Pop, last.Access})
	}
	return out
}

// writeMeasures writes the standard access measures of every cell: per mode
// and group of places, cumulative opportunities within measures.cutoff,
// gravity access and 2SFCA supply per person.
func (r *Result) writeMeasures(w io.Writer) error {
	cw := output.NewCSVWriter(w)
	head := []string{"cell", "lon", "lat", "population"}
	for _, mm := range r.Measures {
		for _, g := range r.Groups {
			m := strings.NewReplacer(", ", "_", " ", "_").Replace(mm.Name)
			head = append(head, m+"_cumulative_"+g.Name, m+"_gravity_"+g.Name, m+"_2sfca_"+g.Name)
		}
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for i, c := range r.Alloc.Cells {
		row := []string{strconv.Itoa(c.Index), output.Num(c.Center[0], 6), output.Num(c.Center[1], 6), output.Num(c.Pop, 3)}
		for _, mm := range r.Measures {
			for gi := range r.Groups {
				row = append(row, output.Num(mm.Cumulative[gi][i], 3), output.Num(mm.Gravity[gi][i], 6), output.Num(mm.FCA[gi][i], 9))
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// transitReport fills the report's public transport parts.
func (r *Result) transitReport(d *report.Data) {
	t := r.Study.Transit
	tr := r.Transit
	first, last, _ := tr.Feed.DateRange()
	d.Transit = &report.TransitData{Summary: fmt.Sprintf(
		"Trips combine walking (up to %s minutes to, from and between stops) with the scheduled buses and trains of %d GTFS feed(s) (%s stops, %s trips running on %s; the feeds run from %s to %s), with at most %d transfers. For every departure minute in each window the quickest trip is found (range RAPTOR, as the R5 router does); the %s percentile of those trip times is reported, waiting at the first stop included. A cell is within the standard when that time is at most %s minutes in urban areas, %s in rural and %s in remote ones.",
		output.Num(t.MaxWalkMinutes, 0), len(t.Feeds), output.Num(float64(len(tr.Stops)), 0), output.Num(float64(tr.Day.Scheduled+tr.Day.Frequency+tr.Day.PreviousDay), 0), t.Date,
		first, last, t.MaxTransfers, ordinal(t.Percentile), output.Num(t.Thresholds.Urban, 0), output.Num(t.Thresholds.Rural, 0), output.Num(t.Thresholds.Remote, 0))}
	for _, line := range tr.Routes {
		l := make([][2]float64, len(line))
		for k, p := range line {
			l[k] = [2]float64{p[0], p[1]}
		}
		d.Transit.Routes = append(d.Transit.Routes, l)
	}
	for k, st := range tr.Stops {
		stop := report.Stop{Lon: st.Point[0], Lat: st.Point[1], Name: st.Name, Kind: "GTFS"}
		for _, tw := range tr.Windows {
			stop.PerHour = append(stop.PerHour, tw.StopTrips[k])
		}
		d.Stops = append(d.Stops, stop)
	}
	for _, tw := range tr.Windows {
		w := report.TransitWindow{Name: fmt.Sprintf("%s, %s %s–%s", tw.Name, tw.Date, clock(tw.From), clock(tw.To))}
		for gi := range r.Groups {
			row := make([]float32, len(tw.Minutes[gi]))
			var within, under float64
			for i, m := range tw.Minutes[gi] {
				row[i] = float32(nanToNeg(m))
				if tw.Under[gi][i] {
					under += r.Alloc.Cells[i].Pop
				} else {
					within += r.Alloc.Cells[i].Pop
				}
			}
			w.Minutes = append(w.Minutes, row)
			w.Within = append(w.Within, within)
			w.Under = append(w.Under, under)
		}
		for j, ok := range tw.Reached {
			if !ok {
				p := r.Extract.Places[j]
				name := p.Name
				if name == "" {
					name = p.OSMType + "/" + strconv.FormatInt(p.OSMID, 10)
				}
				w.Unreached = append(w.Unreached, name)
			}
		}
		d.Transit.Windows = append(d.Transit.Windows, w)
	}
}

func clock(sec int) string { return fmt.Sprintf("%02d:%02d", sec/3600, sec%3600/60) }

func ordinal(p float64) string {
	if p == 50 {
		return "median (50th)"
	}
	return output.Num(p, 0) + "th"
}

// siteRows describes the chosen sites of a solution, in step order.
func (r *Result) siteRows(sol *siting.Solution) []report.SiteRow {
	var out []report.SiteRow
	names := r.mainAreaNames()
	for _, st := range sol.Steps {
		served := map[string]float64{}
		for _, i := range st.Catchment {
			if names[i] != "" {
				served[names[i]] += r.Alloc.Cells[i].Pop
			}
		}
		var areas []string
		for a := range served {
			areas = append(areas, a)
		}
		sort.Slice(areas, func(x, y int) bool {
			if served[areas[x]] != served[areas[y]] {
				return served[areas[x]] > served[areas[y]]
			}
			return areas[x] < areas[y]
		})
		all := append([]string(nil), areas...)
		if len(areas) > 3 {
			areas = append(areas[:3], fmt.Sprintf("and %d more", len(areas)-3))
		}
		c := r.Siting.Candidates[st.Site]
		name := c.Name
		if name == "" {
			name = c.ID
		}
		cost := c.Cost
		if cost == 0 {
			cost = 1
		}
		out = append(out, report.SiteRow{Name: name, Kind: strings.ReplaceAll(c.Kind, "_", " "), ID: c.ID, Lon: c.Point[0], Lat: c.Point[1],
			Gain: st.Gain, Total: st.Value, Cells: len(st.Catchment), Cost: cost, Areas: strings.Join(areas, "; "), AreaList: all})
	}
	return out
}

// investReport fills the report's "Where to invest" section.
func (r *Result) investReport(d *report.Data) {
	si := r.Siting
	g := r.Groups[si.Group]
	label := g.Label
	if si.NeedWeighted {
		label += " (counted by need weight)"
	}
	switch r.Study.Siting.For {
	case "ranked":
		label += fmt.Sprintf(", chosen for the people of the %d worst-served areas only", r.Study.Ranking.Top)
	case "rural":
		label += ", chosen for people in rural and remote areas only"
	}
	inv := &report.InvestData{Category: label, Underserved: si.Underserved, Candidates: len(si.Candidates),
		Sites: r.siteRows(si.Cover), Bound: si.Cover.Bound,
		Method: fmt.Sprintf("The sites were chosen among %s candidates (%s) one at a time, each where it brings the most people newly within their standard, then improved by swapping a chosen site for an unchosen one while that helps (%d swaps made); existing places stay where they are.",
			output.Num(float64(len(si.Candidates)), 0), strings.Join(r.Study.Siting.Sources, ", "), si.Cover.Swaps)}
	for _, c := range si.Candidates {
		inv.HasCosts = inv.HasCosts || c.Cost > 0
	}
	if si.Median != nil {
		for _, row := range r.siteRows(si.Median) {
			inv.MedianSites = append(inv.MedianSites, row.Name)
		}
		if len(si.Median.Steps) > 0 {
			inv.MedianMinutes = si.Median.Steps[0].Value + si.Median.Steps[0].Gain - si.Median.Value
		}
	}
	if b := si.Budget; b != nil {
		var names []string
		for _, row := range r.siteRows(b) {
			names = append(names, row.Name)
		}
		inv.BudgetNote = fmt.Sprintf("With a budget of %s, the best set found costs %s and brings %s people within their standard: %s.",
			output.Num(r.Study.Siting.Budget, 2), output.Num(b.Cost, 2), output.Num(b.Value, 0), strings.Join(names, ", "))
	}
	d.Invest = inv
}

// gainUnit says what a siting objective's gain and cumulative columns
// count: people newly within their standard for the covering and budget
// choices, person-minutes of travel saved for the p-median one.
func gainUnit(objective string) string {
	if objective == "median" {
		return "person-minutes saved"
	}
	return "people newly within standard"
}

// writeSites writes the chosen sites of every objective, with what each adds.
func (r *Result) writeSites(w io.Writer) error {
	cw := output.NewCSVWriter(w)
	if err := cw.Write([]string{"objective", "order", "id", "name", "kind", "lon", "lat", "gain", "cumulative", "cells_served", "areas_served", "cost", "cost_per_person", "gain_unit"}); err != nil {
		return err
	}
	for _, obj := range []struct {
		name string
		sol  *siting.Solution
	}{{"cover", r.Siting.Cover}, {"median", r.Siting.Median}, {"budget", r.Siting.Budget}} {
		if obj.sol == nil {
			continue
		}
		for k, row := range r.siteRows(obj.sol) {
			per := ""
			if obj.name != "median" && row.Gain > 0 {
				per = output.Num(row.Cost/row.Gain, 6)
			}
			if err := cw.Write([]string{obj.name, strconv.Itoa(k + 1), row.ID, row.Name, row.Kind, output.Num(row.Lon, 7), output.Num(row.Lat, 7),
				output.Num(row.Gain, 3), output.Num(row.Total, 3), strconv.Itoa(row.Cells), row.Areas, output.Num(row.Cost, 4), per, gainUnit(obj.name)}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// scenarioReport fills the scenario section and the map's change colouring.
func (r *Result) scenarioReport(d *report.Data) {
	sc := &report.ScenarioData{Name: r.Scenario.Name, Changes: r.Scenario.Changes}
	for _, ch := range r.ScenarioChanges() {
		sc.Gain = append(sc.Gain, ch.Gain[:])
		sc.Lose = append(sc.Lose, ch.Lose[:])
	}
	n := len(r.Alloc.Cells)
	d.Cells.Gained, d.Cells.Lost = make([]uint32, n), make([]uint32, n)
	for gi := range r.Groups {
		for i := 0; i < n; i++ {
			was, now := r.Under[gi][i], r.Scenario.Under[gi][i]
			if was && !now {
				d.Cells.Gained[i] |= 1 << uint(gi)
			}
			if !was && now {
				d.Cells.Lost[i] |= 1 << uint(gi)
			}
		}
	}
	if pops := r.cellGroupPops(); pops != nil {
		rg := r.RankGroup()
		for g, gp := range pops {
			row := report.ScenarioGroup{Label: r.GroupRes[g].Label}
			for i := 0; i < n; i++ {
				was, now := r.Under[rg][i], r.Scenario.Under[rg][i]
				if was && !now {
					row.Gain += gp[i]
				}
				if !was && now {
					row.Lose += gp[i]
				}
			}
			sc.Groups = append(sc.Groups, row)
		}
	}
	sc.Opened, sc.Closed = r.scenarioPlaceChanges()
	d.Scenario = sc
}

// scenarioPlaceChanges returns the places the scenario opens and closes,
// matched by kind, name and position between the two sets of places.
func (r *Result) scenarioPlaceChanges() (opened, closed []report.Place) {
	key := func(p place.Place) string {
		return fmt.Sprintf("%s|%s|%.6f|%.6f", p.Category, p.Name, p.Point[0], p.Point[1])
	}
	count := map[string]int{}
	for _, p := range r.Extract.Places {
		count[key(p)]++
	}
	for _, p := range r.Scenario.Places {
		k := key(p)
		if count[k] > 0 {
			count[k]--
			continue
		}
		opened = append(opened, report.Place{Lon: p.Point[0], Lat: p.Point[1], Name: p.Name, Category: r.catIndex(p.Category)})
	}
	left := map[string]int{}
	for _, p := range r.Scenario.Places {
		left[key(p)]++
	}
	for _, p := range r.Extract.Places {
		k := key(p)
		if left[k] > 0 {
			left[k]--
			continue
		}
		closed = append(closed, report.Place{Lon: p.Point[0], Lat: p.Point[1], Name: p.Name, Category: r.catIndex(p.Category),
			OSM: p.OSMType + "/" + strconv.FormatInt(p.OSMID, 10)})
	}
	return opened, closed
}

// tableFile is one of the report's tables as CSV.
type tableFile struct {
	name  string
	write func(w io.Writer) error
}

// tableFiles writes the report's tables as CSV from the same data the page
// shows, so the numbers agree to the digit.
func tableFiles(d *report.Data) []tableFile {
	writeRows := func(head []string, rows [][]string) func(io.Writer) error {
		return func(w io.Writer) error {
			cw := output.NewCSVWriter(w)
			if err := cw.Write(head); err != nil {
				return err
			}
			if err := cw.WriteAll(rows); err != nil {
				return err
			}
			cw.Flush()
			return cw.Error()
		}
	}
	var out []tableFile
	// Summary by kind of place.
	head := []string{"kind", "label", "places", "residents_within_walk", "underserved", "underserved_share"}
	for _, c := range d.Classes {
		head = append(head, "underserved_"+c.Name)
	}
	var rows [][]string
	for _, s := range d.Summary {
		c := d.Categories[s.Category]
		row := []string{c.Name, c.Label, strconv.Itoa(s.Places), output.Num(s.PopWalk15, 1), output.Num(s.Underserved, 1), output.Num(s.UnderservedShare, 4)}
		for _, v := range s.ByClass {
			row = append(row, output.Num(v, 1))
		}
		rows = append(rows, row)
	}
	out = append(out, tableFile{"summary.csv", writeRows(head, rows)})
	if len(d.Groups) > 0 {
		head := []string{"group", "residents"}
		for _, c := range d.Categories {
			head = append(head, "underserved_"+c.Name, "mean_walk_min_"+c.Name, "mean_drive_min_"+c.Name)
		}
		var rows [][]string
		for _, g := range d.Groups {
			row := []string{g.Label, output.Num(g.Population, 1)}
			for k := range d.Categories {
				row = append(row, output.Num(g.Underserved[k], 1), output.Num(g.MeanWalk[k], 2), output.Num(g.MeanDrive[k], 2))
			}
			rows = append(rows, row)
		}
		row := []string{"need-weighted", ""}
		for k := range d.Categories {
			row = append(row, output.Num(d.NeedUnderserved[k], 1), "", "")
		}
		rows = append(rows, row)
		out = append(out, tableFile{"groups.csv", writeRows(head, rows)})
	}
	if len(d.Inequality) > 0 {
		var rows [][]string
		for _, q := range d.Inequality {
			rows = append(rows, []string{d.Categories[q.Category].Name, q.Mode, output.Num(q.Mean, 6), output.Num(q.Gini, 4), output.Num(q.Palma, 4),
				output.Num(q.Theil, 4), output.Num(q.BetweenShare, 4), output.Num(q.Concentration, 4),
				output.Num(q.PovertyLine, 6), output.Num(q.FGT[0], 4), output.Num(q.FGT[1], 4), output.Num(q.FGT[2], 4)})
		}
		out = append(out, tableFile{"inequality.csv", writeRows([]string{"kind", "mode", "mean_gravity_access", "gini", "palma", "theil", "theil_between_classes_share", "concentration_by_income",
			"poverty_line", "fgt0", "fgt1", "fgt2"}, rows)})
	}
	if len(d.Completeness) > 0 {
		var rows [][]string
		for _, c := range d.Completeness {
			rows = append(rows, []string{c.Level, c.Area, c.Category, strconv.Itoa(c.Mapped), output.Num(c.Expected, 2)})
		}
		out = append(out, tableFile{"completeness.csv", writeRows([]string{"level", "area", "kind", "mapped", "expected_at_overall_rate"}, rows)})
	}
	if d.Transit != nil {
		var rows [][]string
		for _, w := range d.Transit.Windows {
			for k, c := range d.Categories {
				rows = append(rows, []string{w.Name, c.Name, output.Num(w.Within[k], 1), output.Num(w.Under[k], 1)})
			}
		}
		out = append(out, tableFile{"transit.csv", writeRows([]string{"window", "kind", "residents_within_standard", "residents_beyond"}, rows)})
	}
	return out
}

// mapRoads is the report map's road layer: the major roads (motorway to
// secondary), simplified to about 20 m.
func mapRoads(ways []street.Way) []report.Road {
	major := map[string]bool{"motorway": true, "trunk": true, "primary": true, "secondary": true}
	var roads []report.Road
	for _, w := range ways {
		if !major[w.Highway()] {
			continue
		}
		ls := simplify.DouglasPeucker(0.0002).LineString(append(orb.LineString(nil), w.Points...))
		road := report.Road{Class: w.Highway()}
		for _, p := range ls {
			road.Coords = append(road.Coords, [2]float64{p[0], p[1]})
		}
		roads = append(roads, road)
	}
	return roads
}
