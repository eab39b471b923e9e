// Package study runs one study from its config: it reads the inputs, builds
// the networks and the population grid, measures access, finds gaps and
// prepares every output file. The command line and the integration tests
// both enter here.
package study

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"commonground/internal/access"
	"commonground/internal/config"
	"commonground/internal/gap"
	"commonground/internal/network"
	"commonground/internal/osmread"
	"commonground/internal/output"
	"commonground/internal/place"
	"commonground/internal/population"
	"commonground/internal/problem"
	"commonground/internal/progress"
	"commonground/internal/region"
	"commonground/internal/report"
	"commonground/internal/siting"
)

// Group is a set of places measured together: one category, or a combined
// set ("any gathering place", "any but places of worship").
type Group struct {
	Name, Label string
	Faith       bool  // a category of places of worship
	Composite   bool  // a combination of categories
	Categories  []int // member category indexes (one for a plain category)
}

// Result is everything a run computed, before it is written out.
type Result struct {
	Study  *config.Study
	Inputs []output.Input
	// Extract is what was read of the map. Its Ways are let go once the
	// networks are built (the searches use the graphs); StreetWays counts
	// them and roads keeps the major ones the report's map draws.
	Extract    *osmread.Extract
	StreetWays int
	roads      []report.Road
	WalkStat   network.Stats
	DrvStat    network.Stats
	Alloc      *population.Allocation
	Zones      []population.Zone
	// Area is the study area's boundary and buffer; nil when the config
	// names none (the origins then make the study area).
	Area   *region.Area
	Groups []Group

	// Per cell, in Alloc.Cells order.
	XY      []orb.Point // projected centres, metres
	Walk    [][]float64 // [group][cell] minutes, NaN unreachable
	Drive   [][]float64
	WalkTo  [][]int32 // [group][cell] nearest place ID on foot, -1 none
	Centres []Centre  // population centres the remoteness schemes use, largest first
	// Urban says which origins the urban rule makes urban (clusters of
	// contiguous dense origins of at least the rule's population).
	Urban     []bool
	UrbanRule gap.UrbanRule
	// Remoteness holds each remoteness scheme's assessment of every
	// origin; the first decides the remote class.
	Remoteness []Remoteness
	Official   *Official // nil without an official class table
	Count      []int32   // places within the nearby walk
	Kinds      []uint32  // bit c: a place of category c within the nearby walk
	Class      []gap.Class
	Density    []float64
	Under      [][]bool // [group][cell]

	Areas       []gap.Area
	Members     [][]gap.Member // [cell] area memberships
	AreaResult  []gap.AreaResult
	RankLevel   string
	Ranked      []gap.AreaResult
	Sens        gap.Sensitivity
	SensVaried  string
	DecayChecks []DecayCheck

	Flags    []Flag // areas where mapping looks incomplete
	Measures []ModeMeasures
	Transit  *Transit    // nil without a transit section
	Siting   *Siting     // nil without a siting section
	Scenario *Scenario   // nil without a scenario
	areaGeom []areaShape // outlines of the areas, for placing points in them
	// controlTowns counts the towns whose tagged population the estimate
	// kept as control totals (0 without).
	controlTowns int
	mainNames    []string // each cell's main area of the ranking level, once computed
	// inputZones is the population input as read, before the study area
	// keeps its part: what shards are planned on.
	inputZones []population.Zone
	shard      *shardRun // set in a shard's run
	pre        *merged   // set in a merge: the shards' results
	// matrices delivers the walk and drive travel matrices of the access
	// measures, computed while the nearest-place searches run.
	matrices chan matricesResult

	GroupRes  []GroupResult
	NeedUnder []float64 // need-weighted underserved people per group of places

	Problems problem.List
	Notes    []string // run-level warnings in plain words
}

// Run executes the study. It writes nothing: Outputs turns the result into
// files, and the caller commits them.
func Run(ctx context.Context, s *config.Study, rep *progress.Reporter) (*Result, error) {
	r := &Result{Study: s}
	if err := r.run(ctx, rep); err != nil {
		return nil, err
	}
	return r, nil
}

// run is the whole run, a shard of it (r.shard set) or its merge (r.pre
// set): one code path, so that a merge can give the same bytes.
func (r *Result) run(ctx context.Context, rep *progress.Reporter) error {
	s := r.Study
	if err := checkSchemes(s); err != nil {
		return err
	}
	if err := CheckInputs(s); err != nil {
		return err
	}

	// Inputs: resolve, check they can be opened, and record checksums.
	rep.Start("check inputs")
	osmPath, err := s.Resolve(s.Inputs.OSM)
	if err != nil {
		return fmt.Errorf("inputs.osm: %w", err)
	}
	if err := r.addInput("OpenStreetMap extract", s.Inputs.OSM, osmPath); err != nil {
		return err
	}
	var popPath string
	if p := s.Inputs.Population; p != nil {
		popPath, _ = s.Resolve(p.Path)
		if err := r.addInput("population polygons", p.Path, popPath); err != nil {
			return err
		}
		for _, side := range []string{".dbf", ".shx", ".prj"} {
			if strings.HasSuffix(strings.ToLower(popPath), ".shp") {
				sp := popPath[:len(popPath)-4] + side
				if err := r.addInput("population polygons ("+side+")", p.Path[:len(p.Path)-4]+side, sp); err != nil && side == ".dbf" {
					return err
				}
			}
		}
	}
	rep.Done("")
	if r.shard != nil {
		rep.Start("plan shards")
		if err := r.planShard(ctx, popPath, osmPath); err != nil {
			return err
		}
		detail := fmt.Sprintf("shard %d of %d", r.shard.i, r.shard.n)
		if s.Inputs.Population == nil {
			detail += ": the whole map is read to place people, then the part is cut"
		}
		rep.Done(detail)
		if r.shard.empty {
			return nil // no one lives in this part
		}
	}

	// OpenStreetMap.
	rep.Start("read OpenStreetMap")
	levels := make([]string, len(s.Inputs.AdminLevels))
	for i, a := range s.Inputs.AdminLevels {
		levels[i] = a.Level
	}
	if s.Area != nil && s.Area.AdminLevel != "" {
		levels = append(levels, s.Area.AdminLevel)
	}
	readCats := s.Categories
	if s.Siting != nil {
		readCats = append(append([]place.Category(nil), s.Categories...), hostCategory())
	}
	ex, err := osmread.Read(ctx, osmPath, osmread.Options{
		Categories:  readCats,
		AdminLevels: levels,
		Clip:        r.clip(),
		Progress:    func(_ string, done, total int64) { rep.Update(done, total) },
	})
	if err != nil {
		return err
	}
	r.Extract = ex
	r.Problems.Merge(ex.Problems)
	if err := r.studyArea(); err != nil {
		return err
	}
	var hosts []siting.Feature
	if s.Siting != nil {
		hosts = r.splitHosts()
	}
	if err := r.facilities(); err != nil {
		return err
	}
	if err := r.checkListedPlaces(); err != nil {
		return err
	}
	if err := r.checkScenarioSites(); err != nil {
		return err
	}
	rep.Done(fmt.Sprintf("%d places, %d street ways, %d stops, %d boundaries", len(ex.Places), len(ex.Ways), len(ex.Stops), len(ex.Boundaries)))
	if len(ex.Ways) == 0 {
		return fmt.Errorf("%s: the extract has no streets (no ways tagged highway=*): is it the right file, or filtered to something else?", osmPath)
	}

	// Networks and population are independent: build them side by side.
	// An estimate's shard places people first: its plan, and so the
	// streets it keeps, follow from where they live.
	rep.Start("build networks and population grid")
	estimateShard := r.shard != nil && s.Inputs.Population == nil
	if estimateShard {
		if err := r.population(popPath); err != nil {
			return err
		}
		if err := r.planEstimate(ctx, osmPath); err != nil {
			return err
		}
		if r.shard.empty {
			return nil // no one lives in this part
		}
	}
	var walkG, driveG *network.Graph
	var walkErr, driveErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		walkG, r.WalkStat, walkErr = network.Build(ex.Ways, network.WalkProfile(s.Travel.WalkKmh))
	}()
	go func() {
		defer wg.Done()
		driveG, r.DrvStat, driveErr = network.Build(ex.Ways, network.DriveProfile(s.Travel.WalkKmh, s.Travel.DriveSpeeds))
		if driveErr == nil && len(ex.Places) >= access.MinSweepLabels && r.pre == nil {
			// The drive matrix will search on a contraction hierarchy:
			// building it now fills the cores the stages until then
			// leave idle. A merge has no matrix to search (its shards
			// did), and holding the hierarchy would raise its peak
			// memory, which is what limits merges at scale.
			driveG.PrepareSweeps()
		}
	}()
	var popErr error
	if !estimateShard {
		popErr = r.population(popPath)
	}
	wg.Wait()
	for _, err := range []error{popErr, walkErr, driveErr} {
		if err != nil {
			return err
		}
	}
	r.Problems.Merge(r.WalkStat.Problems)
	r.Problems.Merge(r.DrvStat.Problems)
	// The networks hold what the searches need; of the ways themselves
	// only the report's major roads are used from here on. Letting the
	// rest go lowers the peak of every later stage, a merge's most.
	r.StreetWays, r.roads = len(ex.Ways), mapRoads(ex.Ways)
	ex.Ways = nil
	if r.shard != nil {
		if err := r.keepPart(); err != nil {
			return err
		}
	}
	if len(r.Alloc.Cells) == 0 && r.shard == nil {
		return fmt.Errorf("the study area is empty: no grid cell received any population (do the population polygons overlap the OSM extract %s?)", osmPath)
	}
	if r.shard == nil {
		// Checks of the whole study: a merge makes them, not its shards.
		if err := r.checkPopulation(); err != nil {
			return err
		}
	}
	if walkG.NodeCount() == 0 || driveG.NodeCount() == 0 {
		return fmt.Errorf("%s: no walkable or drivable streets left after filtering", osmPath)
	}
	rep.Done(fmt.Sprintf("%d cells with people; walk graph %d nodes, drive graph %d nodes", len(r.Alloc.Cells), walkG.NodeCount(), driveG.NodeCount()))

	// Access.
	rep.Start("measure access")
	cells := r.Alloc.Cells
	origins := make([]orb.Point, len(cells))
	r.XY = make([]orb.Point, len(cells))
	for i, c := range cells {
		origins[i] = c.Center
		r.XY[i] = r.Alloc.Grid.Proj.Forward(c.Center)
	}
	walkSpeed := s.Travel.WalkKmh / 3.6
	eng := access.NewEngine(walkG, driveG, walkSpeed, s.Travel.SnapMax, origins)
	if r.shard != nil {
		r.Groups = groups(s.Categories, s.Combinations)
		return r.shardAccess(ctx, eng, walkG, driveG)
	}
	if err := r.checkSnapped(eng); err != nil {
		return err
	}
	if n := eng.Unsnapped[access.Walk]; n > 0 {
		r.note("%d cells are more than %.0f m from any walkable street; they count as unable to reach any place on foot", n, s.Travel.SnapMax)
	}
	if n := eng.Unsnapped[access.Drive]; n > 0 {
		r.note("%d cells are more than %.0f m from any drivable road; they count as unable to reach any place by car", n, s.Travel.SnapMax)
	}
	r.Groups = groups(s.Categories, s.Combinations)
	if r.pre != nil {
		if err := r.pre.resolve(r); err != nil {
			return err
		}
	}
	if r.pre == nil {
		// A merge has the shards' sums instead.
		r.startMatrices(ctx, eng)
	}
	ng := len(r.Groups)
	steps := int64(2*ng + 2)
	var step int64
	sets := make([][]access.Dest, ng)
	for gi, g := range r.Groups {
		sets[gi] = r.dests(g)
	}
	r.Walk, r.WalkTo = eng.NearestEach(access.Walk, sets)
	step += int64(ng)
	rep.Update(step, steps)
	if err := ctx.Err(); err != nil {
		return err
	}
	// On foot first: the drive searches may wait for the drive graph's
	// hierarchy (PrepareSweeps), still being built.
	if r.pre != nil {
		r.Count, r.Kinds = r.pre.count, r.pre.kinds
	} else {
		all := r.dests(Group{Categories: allCats(len(s.Categories))})
		r.Count, r.Kinds, err = eng.Nearby(ctx, all, r.placeKind(), s.Travel.NearbyWalk, nil)
		if err != nil {
			return err
		}
	}
	step++
	rep.Update(step, steps)
	r.Drive = eng.NearestMinutes(access.Drive, sets)
	step += int64(ng)
	rep.Update(step, steps)
	if err := r.classify(eng, driveG); err != nil {
		return err
	}
	rep.Done(fmt.Sprintf("%d categories × walk and drive", ng))
	if s.Transit != nil {
		rep.Start("public transport (RAPTOR)")
		if err := r.transitAccess(ctx, walkG, driveG, eng, rep.Update); err != nil {
			return err
		}
		rep.Done(fmt.Sprintf("%d windows, %d stops, %d trips on %s", len(r.Transit.Windows), len(r.Transit.Stops), r.Transit.Day.Scheduled+r.Transit.Day.Frequency+r.Transit.Day.PreviousDay, s.Transit.Date))
	}
	rep.Start("access measures")
	if err := r.measures(ctx, eng, rep.Update); err != nil {
		return err
	}
	rep.Done(fmt.Sprintf("%s walk and %s drive cell-place pairs", output.Num(float64(r.Measures[0].Pairs), 0), output.Num(float64(r.Measures[1].Pairs), 0)))

	// Gaps.
	rep.Start("find gaps")
	r.Under = make([][]bool, ng)
	for gi := range r.Groups {
		r.Under[gi] = make([]bool, len(cells))
		for i := range cells {
			r.Under[gi][i] = gap.Underserved(r.Walk[gi][i], r.Drive[gi][i], standard(s, r.Class[i]))
		}
	}
	if err := r.areas(); err != nil {
		return err
	}
	r.AreaResult = gap.ByArea(len(r.Areas), r.Members, r.Under)
	r.rank()
	r.sensitivity()
	r.decaySensitivity()
	r.groupAccess()
	if err := r.completeness(); err != nil {
		return err
	}
	rep.Done("")
	if s.Siting != nil {
		rep.Start("choose new sites")
		if err := r.site(walkG, driveG, hosts); err != nil {
			return err
		}
		rep.Done(fmt.Sprintf("%d of %s candidates (%s links): %s more people within their standard", len(r.Siting.Cover.Sites), output.Num(float64(len(r.Siting.Candidates)), 0), output.Num(float64(r.Siting.Links), 0), output.Num(r.Siting.Cover.Value, 0)))
	}
	if s.Scenario != "" {
		rep.Start("scenario")
		path, _ := s.Resolve(s.Scenario)
		if err := r.addInput("scenario", s.Scenario, path); err != nil {
			return err
		}
		if err := r.scenario(eng, path); err != nil {
			return err
		}
		rep.Done(strings.Join(r.Scenario.Changes, "; "))
	}
	return nil
}

func (r *Result) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

func (r *Result) addInput(role, given, path string) error {
	h, n, err := output.HashFile(path)
	if err != nil {
		return fmt.Errorf("%s %s: %w", role, path, err)
	}
	r.Inputs = append(r.Inputs, output.Input{Role: role, Path: given, Opened: path, SHA256: h, Bytes: n})
	return nil
}

// population reads census zones and allocates them to the grid, or
// estimates population from residential streets without a census layer.
func (r *Result) population(path string) error {
	s := r.Study
	var res []orb.LineString
	for _, w := range r.Extract.Ways {
		if w.Residential() {
			res = append(res, orb.LineString(w.Points))
		}
	}
	if s.Inputs.Population == nil {
		b := r.Extract.Bounds
		var inside orb.MultiPolygon
		if r.Area != nil {
			b, inside = r.Area.Bound(), r.Area.Boundary
		}
		g := population.NewGrid(b, s.Grid.CellSize)
		controls, err := r.controlZones(s.Inputs.Estimate.Total)
		if err != nil {
			return err
		}
		r.controlTowns = max(len(controls)-1, 0)
		var a *population.Allocation
		if controls != nil {
			a, err = population.Allocate(g, controls, res, &r.Problems)
			if a != nil {
				for i := range a.Cells {
					a.Cells[i].Parts = nil // an estimate: no census zone stands behind a cell
				}
				a.ZoneMethod = []population.Method{population.MethodEstimate}
			}
		} else {
			a, err = population.Estimate(g, res, s.Inputs.Estimate.Total, inside)
		}
		if err != nil {
			return err
		}
		r.Alloc = a
		where := "the whole extract"
		if r.Area != nil {
			where = "the study area"
		}
		r.note("population is an estimate: %s people spread along the residential streets of %s, not counted by census", output.Num(s.Inputs.Estimate.Total, 0), where)
		return nil
	}
	p := s.Inputs.Population
	zones, points, err := r.readZones(path)
	if err != nil {
		return err
	}
	r.inputZones = zones
	if points {
		if zones, err = r.keepInside(zones); err != nil {
			return err
		}
		r.Zones = zones
		g := population.NewGrid(population.PointBound(zones).Pad(0.01), s.Grid.CellSize)
		if p.Origins == "grid" {
			r.Alloc, err = population.AllocatePoints(g, zones)
			return err
		}
		r.Alloc = population.Points(g, zones)
		return nil
	}
	if zones, err = r.keepInside(zones); err != nil {
		return err
	}
	r.Zones = zones
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, z := range zones {
		b = b.Union(z.Geom.Bound())
	}
	g := population.NewGrid(b, s.Grid.CellSize)
	a, err := population.Allocate(g, zones, res, &r.Problems)
	if err != nil {
		return err
	}
	r.Alloc = a
	if p.Origins == "polygons" {
		r.Alloc = population.PerPolygon(a, zones)
	}
	return nil
}

// readZones reads the population input: points (a CSV) or polygons. A
// shard reads it before the map, to plan its part, and keeps it for later.
func (r *Result) readZones(path string) (zones []population.Zone, points bool, err error) {
	if r.shard != nil && r.shard.zones != nil {
		return r.shard.zones, r.shard.points, nil
	}
	p := r.Study.Inputs.Population
	fields := population.Fields{ID: p.IDField, Name: p.NameField, Pop: p.PopField}
	if strings.HasSuffix(strings.ToLower(path), ".csv") {
		lat, lon := p.LatField, p.LonField
		if lat == "" {
			lat = "lat"
		}
		if lon == "" {
			lon = "lon"
		}
		zones, err = population.ReadPoints(path, fields, lat, lon, &r.Problems)
		return zones, true, err
	}
	zones, err = population.ReadZones(path, fields, &r.Problems)
	return zones, false, err
}

// groups lists the categories, then "any" and "secular", then the
// configured combinations.
func groups(cats []place.Category, combos []config.Combination) []Group {
	var out []Group
	var secular []int
	for i, c := range cats {
		label := c.Label
		if label == "" {
			label = c.Name
		}
		out = append(out, Group{Name: c.Name, Label: label, Faith: c.Faith, Categories: []int{i}})
		if !c.Faith {
			secular = append(secular, i)
		}
	}
	out = append(out, Group{Name: config.AnyCategory, Label: "Any gathering place", Composite: true, Categories: allCats(len(cats))})
	out = append(out, Group{Name: config.SecularCategory, Label: "Any gathering place except places of worship", Composite: true, Categories: secular})
	for _, c := range combos {
		g := Group{Name: c.Name, Label: c.Label, Composite: true}
		if g.Label == "" {
			g.Label = c.Name
		}
		for _, m := range c.Categories {
			for i, cat := range cats {
				if cat.Name == m {
					g.Categories = append(g.Categories, i)
					g.Faith = g.Faith || cat.Faith && len(c.Categories) == 1
				}
			}
		}
		out = append(out, g)
	}
	return out
}

func allCats(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func (r *Result) catIndex(name string) int {
	for i, c := range r.Study.Categories {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// dests lists every access point of the group's places, labelled by place ID.
func (r *Result) dests(g Group) []access.Dest {
	in := map[string]bool{}
	for _, c := range g.Categories {
		in[r.Study.Categories[c].Name] = true
	}
	var out []access.Dest
	for _, p := range r.Extract.Places {
		if !in[p.Category] {
			continue
		}
		pts := p.Access
		if len(pts) == 0 {
			pts = []orb.Point{p.Point}
		}
		for _, pt := range pts {
			out = append(out, access.Dest{Point: pt, Label: int32(p.ID)})
		}
	}
	return out
}

func standard(s *config.Study, c gap.Class) gap.Standard {
	t := s.ThresholdFor(c.String())
	return gap.Standard{Drive: t.Mode == "drive", Minutes: t.Minutes}
}

// areas builds the summary areas: census zones, whose people the allocation
// already split exactly, then each admin level, to which a cell belongs by
// its centre.
func (r *Result) areas() error {
	cells := r.Alloc.Cells
	r.Members = make([][]gap.Member, len(cells))
	if len(r.Zones) > 0 {
		label := r.Study.Inputs.Population.AreaLabel
		if label == "" {
			label = "census area"
		}
		for _, z := range r.Zones {
			name := z.Name
			if name == "" {
				name = z.ID
			}
			if len(z.Geom) > 0 {
				r.areaGeom = append(r.areaGeom, areaShape{area: int32(len(r.Areas)), level: label, geom: z.Geom})
			}
			r.Areas = append(r.Areas, gap.Area{Name: name, Level: label, ID: z.ID})
		}
		for i, c := range cells {
			for _, p := range c.Parts {
				r.Members[i] = append(r.Members[i], gap.Member{Area: p.Zone, Pop: p.Pop})
			}
		}
		r.RankLevel = label
	}
	for _, lvl := range r.Study.Inputs.AdminLevels {
		var bs []osmread.Boundary
		for _, b := range r.Extract.Boundaries {
			if b.AdminLevel == lvl.Level {
				bs = append(bs, b)
			}
		}
		if len(bs) == 0 {
			r.note("the extract has no complete admin_level=%s boundaries, so there is no summary by %s", lvl.Level, lvl.Label)
			continue
		}
		sort.Slice(bs, func(i, j int) bool {
			if bs[i].Name != bs[j].Name {
				return bs[i].Name < bs[j].Name
			}
			return bs[i].OSMID < bs[j].OSMID
		})
		first := int32(len(r.Areas))
		for _, b := range bs {
			r.areaGeom = append(r.areaGeom, areaShape{area: int32(len(r.Areas)), level: lvl.Label, geom: b.Geom})
			r.Areas = append(r.Areas, gap.Area{Name: b.Name, Level: lvl.Label, ID: "relation/" + strconv.FormatInt(b.OSMID, 10)})
		}
		outside := int32(-1)
		mps := make([]orb.MultiPolygon, len(bs))
		for i, b := range bs {
			mps[i] = b.Geom
		}
		rg, err := region.NewSet(mps)
		if err != nil {
			return err
		}
		for i, c := range cells {
			found := int32(-1)
			if k := rg.Locate(c.Center); k >= 0 {
				found = first + int32(k)
			}
			if found < 0 {
				if outside < 0 {
					outside = int32(len(r.Areas))
					r.Areas = append(r.Areas, gap.Area{Name: outsidePrefix + lvl.Label, Level: lvl.Label})
				}
				found = outside
			}
			r.Members[i] = append(r.Members[i], gap.Member{Area: found, Pop: c.Pop})
		}
		rg.Destroy()
		if r.RankLevel == "" || len(r.Zones) == 0 {
			r.RankLevel = lvl.Label // the finest admin level ranks when there is no census layer
		}
	}
	return nil
}

// rank orders the areas of the ranking level by need.
func (r *Result) rank() {
	var level []gap.AreaResult
	for _, a := range r.AreaResult {
		if r.rankable(a.Area) {
			level = append(level, a)
		}
	}
	r.Ranked = gap.Rank(level, r.Areas, r.RankGroup())
}

// rankable reports whether area a takes part in the ranking: an area of the
// ranking level, not the "outside any ..." remainder.
func (r *Result) rankable(a int) bool {
	return r.Areas[a].Level == r.RankLevel && !strings.HasPrefix(r.Areas[a].Name, outsidePrefix)
}

// outsidePrefix names the remainder area of an admin level.
const outsidePrefix = "outside any "

// RankGroup returns the index of the group areas are ranked by.
func (r *Result) RankGroup() int { return r.groupIndex(r.Study.Ranking.Category) }

// groupIndex returns the index of the group of places with the given name
// (a category, "any", "secular" or a combination); config validation makes
// sure it exists, and 0 stands in otherwise.
func (r *Result) groupIndex(name string) int {
	for i, g := range r.Groups {
		if g.Name == name {
			return i
		}
	}
	return 0
}

// Population returns the total population of the cells.
func (r *Result) Population() float64 {
	var t float64
	for _, c := range r.Alloc.Cells {
		t += c.Pop
	}
	return t
}

// sensitivity recomputes the ranking under every combination of the
// configured alternative thresholds, the baseline first.
func (r *Result) sensitivity() {
	s := r.Study
	base := gap.Setting{standard(s, gap.Urban), standard(s, gap.Rural), standard(s, gap.Remote)}
	alts := [gap.NumClasses][]float64{s.Sensitivity.Urban, s.Sensitivity.Rural, s.Sensitivity.Remote}
	for c := range alts {
		if len(alts[c]) == 0 {
			alts[c] = []float64{base[c].Minutes}
		}
	}
	settings := []gap.Setting{base}
	for _, u := range alts[gap.Urban] {
		for _, ru := range alts[gap.Rural] {
			for _, re := range alts[gap.Remote] {
				st := base
				st[gap.Urban].Minutes, st[gap.Rural].Minutes, st[gap.Remote].Minutes = u, ru, re
				if st != base {
					settings = append(settings, st)
				}
			}
		}
	}
	rg := r.RankGroup()
	in := gap.RankInput{
		Walk: r.Walk[rg], Drive: r.Drive[rg], Class: r.Class, Members: r.Members, NAreas: len(r.Areas),
		Keep: r.rankable,
	}
	r.Sens = gap.Rerank(in, settings, s.Ranking.Top)
	words := func(c gap.Class, v []float64) string {
		t := s.ThresholdFor(c.String())
		parts := make([]string, len(v))
		for i, m := range v {
			parts[i] = output.Num(m, 1)
		}
		return fmt.Sprintf("%s %s of %s minutes", c, t.Mode, strings.Join(parts, ", "))
	}
	r.SensVaried = words(gap.Urban, alts[gap.Urban]) + "; " + words(gap.Rural, alts[gap.Rural]) + "; " + words(gap.Remote, alts[gap.Remote])
}

// facilities merges the configured facility lists into the places.
func (r *Result) facilities() error {
	s := r.Study
	for _, f := range s.Inputs.Facilities {
		path, _ := s.Resolve(f.Path)
		if err := r.addInput("facility list ("+f.Category+")", f.Path, path); err != nil {
			return err
		}
		l := place.FacilityList{Path: path, Category: f.Category, Replace: f.Mode == "replace",
			IDField: f.IDField, NameField: f.NameField, LatField: f.LatField, LonField: f.LonField}
		for _, c := range s.Categories {
			if c.Name == f.Category {
				l.Faith = c.Faith
			}
		}
		list, err := place.ReadFacilities(l)
		if err != nil {
			return err
		}
		var rep place.MergeReport
		r.Extract.Places, rep = place.Merge(r.Extract.Places, list, l, s.Categories, &r.Problems)
		if l.Replace {
			r.note("facility list %s replaced %d OpenStreetMap places of category %s with its %d", f.Path, rep.Replaced, f.Category, rep.Added)
		} else {
			r.note("facility list %s added %d places of category %s; %d were already in OpenStreetMap", f.Path, rep.Added, f.Category, rep.Duplicates)
		}
	}
	return nil
}
