package study

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/paulmach/orb"

	"commonground/internal/access"
	"commonground/internal/config"
	"commonground/internal/gtfs"
	"commonground/internal/measure"
	"commonground/internal/network"
	"commonground/internal/osmread"
	"commonground/internal/output"
	"commonground/internal/place"
	"commonground/internal/population"
	"commonground/internal/progress"
	"commonground/internal/shard"
	"commonground/internal/version"
)

// A sharded run splits the study's origins into N spatial parts (see
// package shard). Shard I reads the population input and, of the map, only
// its part plus a buffer as wide as the longest trip the bounded searches
// make and, in a transit study, as far as its transit trips can get
// (transitClip); it places people exactly as the whole run would (each
// census zone's people go to its own cells, so the zones touching the part
// are enough; an estimate reads the whole map to place them, planEstimate),
// and computes for its own origins the work that grows with origins times
// reach: the trips within measures.max_minutes on foot and by car, the
// places within the nearby walk, and transit routing. Of the trips it hands
// on what the measures need: each origin's sums over its own trips
// (cumulative, gravity), each place's partial 2SFCA demand as an exact sum,
// and the trips within the catchment. The merge reads the whole map once,
// recomputes what is cheap and whole-study (nearest-place times, classes,
// gaps, rankings, siting, the report), adds the partial demands up to the
// same bits as one run (measure.Sum), and streams the shards' trips a run
// of origins at a time for the second step of 2SFCA (fcaAccess), so it
// never holds the study's trips, and writes the same bytes as a plain run.

// shardRun is the state of shard I of N during its run.
type shardRun struct {
	i, n   int
	parts  []shard.Part
	zones  []population.Zone // the population input, read before the map
	points bool
	clip   *orb.Bound // the map's box this shard reads; nil: the whole map
	empty  bool       // no zone touches the part: nothing to compute
	data   *shard.Data
	trips  *shard.Trips
	// feed: a transit study's feeds without the trips the shard's origins
	// cannot use (transitClip); feedTrips and transitTrips count the
	// trips before and after.
	feed                    *gtfs.Feed
	feedTrips, transitTrips int
	origins                 *orb.Bound // where transitClip took the origins to lie
}

// merged holds the shards' results, mapped onto the merge's own origins
// and places once those are known.
type merged struct {
	dirs    []string
	headers []*shard.Header
	count   []int32
	kinds   []uint32
	transit []shard.Window
	// modes: the shards' sums, added up; origin[k] and place[k] map shard
	// k's origins and places to the merge's.
	modes  []*modeSums
	origin [][]int32
	place  [][]int32
}

// ShardMarginM is what a shard reads beyond the reach of its longest trip:
// room for a place's or origin's link to its street (travel.snap_max is at
// most a few hundred metres) and for street pieces that a cut near the
// reach's edge would turn into islands.
const ShardMarginM = 5000

// RunShard computes shard i (0-based) of n of the study s.
func RunShard(ctx context.Context, s *config.Study, rep *progress.Reporter, i, n int) (*shard.Header, *shard.Data, *shard.Trips, error) {
	if n < 1 || i < 0 || i >= n {
		return nil, nil, nil, fmt.Errorf("--shard %d/%d: the index must be from 0 to %d (shards are numbered from 0)", i, n, n-1)
	}
	r := &Result{Study: s, shard: &shardRun{i: i, n: n, data: &shard.Data{}, trips: &shard.Trips{}}}
	if err := r.run(ctx, rep); err != nil {
		return nil, nil, nil, err
	}
	raw, err := os.ReadFile(s.Path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("config %s: %w", s.Path, err)
	}
	d := r.shard.data
	abs, _ := filepath.Abs(s.Path)
	h := &shard.Header{
		Format: shard.Format, Tool: "commonground", Version: version.Version,
		Shard: i, Of: n, Config: s.Path, ConfigAbs: abs, ConfigSHA256: output.HashBytes(raw),
		Inputs: r.Inputs, Part: r.shard.parts[i].Bound(),
		Origins: len(d.Origins), Places: len(d.Places),
	}
	h.Ways = r.StreetWays
	h.FeedTrips, h.TransitTrips = r.shard.feedTrips, r.shard.transitTrips
	if c := r.shard.clip; c != nil {
		h.Clip = &[4]float64{c.Min[0], c.Min[1], c.Max[0], c.Max[1]}
	}
	return h, d, r.shard.trips, nil
}

// planShard reads the population input, cuts the study into parts by its
// people, and works out the box of the map this shard needs.
func (r *Result) planShard(ctx context.Context, popPath, osmPath string) error {
	sh := r.shard
	if r.Study.Inputs.Population == nil {
		// The estimate spreads one total over the whole study area's
		// streets, so the shard reads the whole map and plans once the
		// people are placed (planEstimate).
		return nil
	}
	zones, points, err := r.readZones(popPath)
	if err != nil {
		return err
	}
	sh.zones, sh.points = zones, points
	if sh.parts, err = planParts(zones, sh.n); err != nil {
		return err
	}
	part := sh.parts[sh.i]
	// The zones that can put people in the part's cells: those whose box
	// meets the part widened by a cell. Their streets must all be read,
	// since a zone's people are shared by its whole street length.
	cellDeg := r.Study.Grid.CellSize / 110000 * 2
	wide := shard.Part{Min: orb.Point{part.Min[0] - cellDeg, part.Min[1] - cellDeg}, Max: orb.Point{part.Max[0] + cellDeg, part.Max[1] + cellDeg}}
	var clip orb.Bound
	any := false
	for _, z := range zones {
		b := zoneBound(z)
		if !(b.Max[0] >= wide.Min[0] && b.Min[0] < wide.Max[0] && b.Max[1] >= wide.Min[1] && b.Min[1] < wide.Max[1]) {
			continue
		}
		if !any {
			clip, any = b, true
		}
		clip = clip.Union(b)
	}
	if !any {
		sh.empty = true // no one lives in this part
		return nil
	}
	// The part's origins lie in its box, and within a cell of the zones'
	// (a cell's centre is less than a cell from the streets that give it
	// people).
	zonesBox := padMetres(clip, r.Study.Grid.CellSize)
	origins := orb.Bound{Min: orb.Point{max(part.Min[0], zonesBox.Min[0]), max(part.Min[1], zonesBox.Min[1])},
		Max: orb.Point{min(part.Max[0], zonesBox.Max[0]), min(part.Max[1], zonesBox.Max[1])}}
	return r.setClip(ctx, osmPath, clip, origins)
}

// setClip sets the box of the map the shard keeps: base (what its
// origins' people come from) widened by the longest bounded search and
// ShardMarginM, and for a transit study the box its trips from origins can
// reach (transitClip), whose origins must then lie in origins (keepPart).
func (r *Result) setClip(ctx context.Context, osmPath string, base, origins orb.Bound) error {
	sh := r.shard
	kmh, err := r.fastestKmh(ctx, osmPath)
	if err != nil {
		return err
	}
	clip := padMetres(base, r.shardReachM(kmh)+ShardMarginM)
	if r.Study.Transit != nil {
		box, err := r.transitClip(origins, kmh)
		if err != nil {
			return err
		}
		clip = clip.Union(box)
		sh.origins = &origins
	}
	sh.clip = &clip
	return nil
}

// planEstimate plans an estimate's shard once the people are placed on the
// whole map: the parts cut the cells by their people, as the zones cut a
// census study, and of the streets read, the shard keeps those with a point
// within the longest bounded search (and its transit trips' reach) of its
// part's cells, plus ShardMarginM: the streets a read clipped to that box
// would give, so its networks and searches follow its part. It keeps every
// place: one beyond the box is beyond every search's reach.
func (r *Result) planEstimate(ctx context.Context, osmPath string) error {
	sh := r.shard
	var err error
	if sh.parts, err = r.planOf(sh.n); err != nil {
		return err
	}
	part := sh.parts[sh.i]
	var mine orb.MultiPoint
	for _, c := range r.Alloc.Cells {
		if part.Contains(c.Center) {
			mine = append(mine, c.Center)
		}
	}
	if len(mine) == 0 {
		sh.empty = true
		return nil
	}
	box := mine.Bound()
	if err := r.setClip(ctx, osmPath, box, box); err != nil {
		return err
	}
	clip := *sh.clip
	ways := r.Extract.Ways[:0]
	for _, w := range r.Extract.Ways {
		if slices.ContainsFunc(w.Points, clip.Contains) {
			ways = append(ways, w)
		}
	}
	clear(r.Extract.Ways[len(ways):])
	r.Extract.Ways = ways
	return nil
}

// planOf cuts the study into n parts: by the census zones' people, or for
// an estimate by the cells' (the whole study's, before a shard keeps its
// part's). Every shard and the merge make the same plan.
func (r *Result) planOf(n int) ([]shard.Part, error) {
	if r.Study.Inputs.Population != nil {
		return planParts(r.inputZones, n)
	}
	pts := make([]orb.Point, len(r.Alloc.Cells))
	w := make([]float64, len(r.Alloc.Cells))
	for k, c := range r.Alloc.Cells {
		pts[k], w[k] = c.Center, c.Pop
	}
	return shard.Plan(pts, w, n)
}

// planParts cuts the plane into n parts of about equal people, by each
// zone's point (a polygon's box centre).
func planParts(zones []population.Zone, n int) ([]shard.Part, error) {
	pts := make([]orb.Point, len(zones))
	w := make([]float64, len(zones))
	for k, z := range zones {
		pts[k], w[k] = z.Point, z.Pop
		if len(z.Geom) > 0 {
			pts[k] = z.Geom.Bound().Center()
		}
	}
	return shard.Plan(pts, w, n)
}

func zoneBound(z population.Zone) orb.Bound {
	if len(z.Geom) > 0 {
		return z.Geom.Bound()
	}
	return orb.Bound{Min: z.Point, Max: z.Point}
}

// padMetres widens a lon/lat box by m metres on every side, erring wide: a
// degree of latitude is at least 110.5 km, and longitude degrees are taken
// at the box's latitude farthest from the equator.
func padMetres(b orb.Bound, m float64) orb.Bound {
	dlat := m / 110500
	lat := min(89, max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))+dlat)
	dlon := min(180, m/(110500*math.Cos(lat*math.Pi/180)))
	return orb.Bound{Min: orb.Point{b.Min[0] - dlon, max(-90, b.Min[1]-dlat)}, Max: orb.Point{b.Max[0] + dlon, min(90, b.Max[1]+dlat)}}
}

// fastestKmh is the fastest a car may go on any street of the extract: the
// fastest class speed or the fastest maxspeed tag, whichever is higher (one
// pass over the ways' tags).
func (r *Result) fastestKmh(ctx context.Context, osmPath string) (float64, error) {
	s := r.Study
	prof := network.DriveProfile(s.Travel.WalkKmh, s.Travel.DriveSpeeds)
	kmh := 0.0
	for _, v := range prof.DriveSpeeds {
		kmh = max(kmh, v)
	}
	tagged, err := osmread.MaxWayValue(ctx, osmPath, "maxspeed", network.ParseMaxspeed)
	if err != nil {
		return 0, err
	}
	return max(kmh, tagged), nil
}

// shardReachM is the straight-line reach of the longest bounded search a
// shard makes, with cars at kmh at most: measures.max_minutes on foot and
// by car, the nearby walk.
func (r *Result) shardReachM(kmh float64) float64 {
	s := r.Study
	walk := max(s.Measures.MaxMinutes, s.Travel.NearbyWalk) / 60 * s.Travel.WalkKmh * 1000
	drive := s.Measures.MaxMinutes / 60 * kmh * 1000
	return max(walk, drive)
}

// keepPart keeps, of the origins the population gave, those in this
// shard's part.
func (r *Result) keepPart() error {
	part := r.shard.parts[r.shard.i]
	cells := r.Alloc.Cells[:0:0]
	for _, c := range r.Alloc.Cells {
		if part.Contains(c.Center) {
			cells = append(cells, c)
			// The transit clip bounded trips from this box: an origin
			// outside it would route on a map cut too close.
			if b := r.shard.origins; b != nil && !b.Contains(c.Center) {
				return fmt.Errorf("shard %d of %d: origin %s at %v lies outside the box %v its transit reach was planned from: please report this", r.shard.i, r.shard.n, c.ID, c.Center, *b)
			}
		}
	}
	r.Alloc.Cells = cells
	return nil
}

// placeKey names a place the same way in every shard and the merge.
func placeKey(p place.Place) string {
	return p.Source + "/" + p.OSMType + "/" + strconv.FormatInt(p.OSMID, 10) + "/" + p.Category + "/" +
		strconv.FormatUint(math.Float64bits(p.Point[0]), 16) + "/" + strconv.FormatUint(math.Float64bits(p.Point[1]), 16) + "/" + p.Name
}

// placeKeys lists every place's key; a key met again gets "#k" added, so
// duplicates keep their order.
func placeKeys(places []place.Place) []string {
	seen := map[string]int{}
	out := make([]string, len(places))
	for j, p := range places {
		k := placeKey(p)
		if n := seen[k]; n > 0 {
			seen[k] = n + 1
			k += "#" + strconv.Itoa(n)
		} else {
			seen[k] = 1
		}
		out[j] = k
	}
	return out
}

// shardAccess computes the shard's share of the bounded searches, exactly
// as the whole run does them, and what the measures take from them: each
// origin's sums over its own trips, each place's partial 2SFCA demand, and
// the trips of non-zero catchment weight, which the merge needs again once
// it knows every place's ratio.
func (r *Result) shardAccess(ctx context.Context, eng *access.Engine, walkG, driveG *network.Graph) error {
	s := r.Study
	d, trips := r.shard.data, r.shard.trips
	for _, c := range r.Alloc.Cells {
		d.Origins = append(d.Origins, c.ID)
		d.People = append(d.People, c.Pop)
	}
	d.Places = placeKeys(r.Extract.Places)
	d.Areas = make([]float64, len(d.Places))
	for j := range d.Areas {
		d.Areas[j] = math.NaN()
	}
	reached := func(j int32) { d.Areas[j] = r.Extract.Places[j].AreaM2 }
	all := r.dests(Group{Categories: allCats(len(s.Categories))})
	catch := r.catchment()
	pop, supplies := r.populations(), r.supplies()
	originIDs := make([]string, len(d.Origins))
	copy(originIDs, d.Origins)
	destIDs := placeIDs(len(d.Places))
	for _, mode := range []access.Mode{access.Walk, access.Drive} {
		m, n, err := travelMatrix(ctx, eng, mode, all, s.Measures.MaxMinutes, originIDs, destIDs)
		if err != nil {
			return err
		}
		// The trips the merge needs again, from the matrix's rows.
		keep := make([]shard.Pair, 0, m.Len())
		for i := range originIDs {
			ds, cs := m.Row(i)
			for k, j := range ds {
				reached(j)
				if catch.Weight(cs[k]) != 0 {
					keep = append(keep, shard.Pair{Origin: int32(i), Place: j, Minutes: cs[k]})
				}
			}
		}
		if mode == access.Walk {
			trips.Walk = keep
		} else {
			trips.Drive = keep
		}
		ms, err := r.sumMode(m, mode.String(), mode, n, pop, supplies)
		if err != nil {
			return err
		}
		d.Modes = append(d.Modes, ms.shardMode())
	}
	var err error
	d.Count, d.Kinds, err = eng.Nearby(ctx, all, r.placeKind(), s.Travel.NearbyWalk, nil)
	if err != nil {
		return err
	}
	if s.Transit == nil {
		return nil
	}
	if err := r.transitAccess(ctx, walkG, driveG, eng, nil); err != nil {
		return err
	}
	// The merge needs a window's trips within the catchment for 2SFCA and
	// those within the longest transit threshold for the places residents
	// reach (see transitAccess).
	t := s.Transit
	longest := max(t.Thresholds.Urban, t.Thresholds.Rural, t.Thresholds.Remote) * 60
	for w := range d.Transit {
		win := &d.Transit[w]
		var mp []measure.Pair
		var keep []shard.TransitPair
		for _, p := range win.Pairs {
			cost := p.Seconds / 60
			within := cost <= s.Measures.MaxMinutes
			if within {
				mp = append(mp, measure.Pair{From: int(p.Origin), To: int(p.Place), Cost: cost})
				reached(p.Place)
			}
			if (within && catch.Weight(cost) != 0) || p.Seconds <= longest {
				keep = append(keep, p)
			}
		}
		trips.Transit = append(trips.Transit, keep)
		win.Pairs = nil // handed on in trips
		ms, err := r.windowSums(win.Name, originIDs, destIDs, mp, pop, supplies)
		if err != nil {
			return err
		}
		d.Modes = append(d.Modes, ms.shardMode())
	}
	return nil
}

// shardMode is what a shard hands on of a mode's sums.
func (ms *modeSums) shardMode() shard.Mode {
	out := shard.Mode{Name: ms.name, Pairs: ms.pairs, Cumulative: ms.cums, Gravity: ms.gravs, Sensitivity: ms.sens, Demand: make([][]float64, len(ms.demand))}
	for j, sum := range ms.demand {
		out.Demand[j] = sum.Parts()
	}
	return out
}

// clip is the box of the map a shard reads; nil (the whole map) otherwise.
func (r *Result) clip() *orb.Bound {
	if r.shard == nil {
		return nil
	}
	return r.shard.clip
}

// placeKind is the nearby count's bit of a place: its category.
func (r *Result) placeKind() func(l int32) uint32 {
	return func(l int32) uint32 { return 1 << uint(r.catIndex(r.Extract.Places[l].Category)) }
}

// ReadShards checks and reads the shard folders of a merge and loads the
// config they ran: by the path they were given when it names the same
// bytes from here, else by its absolute path.
func ReadShards(dirs []string) (*config.Study, *merged, error) {
	hs, err := shard.Check(dirs)
	if err != nil {
		return nil, nil, err
	}
	h := hs[0]
	dirOf := map[int]string{}
	for _, dir := range dirs {
		hh, _ := shard.ReadHeader(dir)
		dirOf[hh.Shard] = dir
	}
	path := h.Config
	raw, err := os.ReadFile(path)
	if err != nil || output.HashBytes(raw) != h.ConfigSHA256 {
		if h.ConfigAbs != "" {
			path = h.ConfigAbs
			raw, err = os.ReadFile(path)
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("shard folder %s: its config %s: %w", dirOf[0], h.Config, err)
	}
	if output.HashBytes(raw) != h.ConfigSHA256 {
		return nil, nil, fmt.Errorf("config %s has changed since the shards ran (SHA-256 %.12s…, the shards ran %.12s…): run the shards again", path, output.HashBytes(raw), h.ConfigSHA256)
	}
	s, err := config.Parse(path, raw)
	if err != nil {
		return nil, nil, err
	}
	// The data are checked now, before the merge's own work, and read
	// one shard at a time later, when the merge's origins are known.
	m := &merged{headers: hs}
	for k := range hs {
		dir := dirOf[k]
		if err := shard.Verify(dir, hs[k]); err != nil {
			return nil, nil, err
		}
		m.dirs = append(m.dirs, dir)
	}
	return s, m, nil
}

// Merge runs the study from its shards' results (see ReadShards): the
// same Result a plain run gives.
func Merge(ctx context.Context, s *config.Study, m *merged, rep *progress.Reporter) (*Result, error) {
	r := &Result{Study: s, pre: m}
	if err := r.run(ctx, rep); err != nil {
		return nil, err
	}
	for k, h := range m.headers {
		if err := shard.SameInputs(h.Inputs, r.Inputs, "the merge"); err != nil {
			return nil, fmt.Errorf("shard folder %s: %v: an input changed since the shard ran; run the shards again", m.dirs[k], err)
		}
	}
	return r, nil
}

// resolve maps the shards' origins and places onto the merge's own and
// checks that together the shards computed every origin once, in the part
// the plan gives it, with the same people.
func (m *merged) resolve(r *Result) error {
	cells := r.Alloc.Cells
	parts, err := r.planOf(len(m.dirs))
	if err != nil {
		return err
	}
	idx := make(map[string]int32, len(cells))
	for i, c := range cells {
		idx[c.ID] = int32(i)
	}
	keys := placeKeys(r.Extract.Places)
	pidx := make(map[string]int32, len(keys))
	for j, k := range keys {
		pidx[k] = int32(j)
	}
	from := make([]int, len(cells))
	for i := range from {
		from[i] = -1
	}
	m.count = make([]int32, len(cells))
	m.kinds = make([]uint32, len(cells))
	ng := len(r.Groups)
	if t := r.Study.Transit; t != nil {
		m.transit = make([]shard.Window, len(t.Windows))
		for w := range m.transit {
			m.transit[w].Name = t.Windows[w].Name
			m.transit[w].Minutes = nanRows(ng, len(cells))
			m.transit[w].Extra = make([][][]float64, len(t.ExtraPercentiles))
			for e := range m.transit[w].Extra {
				m.transit[w].Extra[e] = nanRows(ng, len(cells))
			}
		}
	}
	// Each shard's sums, added into the merge's: the per-origin measures
	// copied to the merge's origins, the partial demands added exactly.
	nm := 2
	if t := r.Study.Transit; t != nil {
		nm += len(t.Windows)
	}
	m.modes = make([]*modeSums, nm)
	m.origin = make([][]int32, len(m.dirs))
	m.place = make([][]int32, len(m.dirs))
	for mi := range m.modes {
		ms := &modeSums{mode: access.Walk, demand: make([]measure.Sum, len(keys)),
			cums: make([][]float64, ng), gravs: make([][]float64, ng)}
		switch mi {
		case 0:
			ms.name = access.Walk.String()
		case 1:
			ms.name, ms.mode = access.Drive.String(), access.Drive
			ms.sens = make([][]float64, len(r.Study.Sensitivity.GravityBetas))
		default:
			ms.name = windowName(r.Study.Transit.Windows[mi-2].Name)
		}
		for _, rows := range [][][]float64{ms.cums, ms.gravs, ms.sens} {
			for g := range rows {
				rows[g] = make([]float64, len(cells))
			}
		}
		m.modes[mi] = ms
	}
	for k, dir := range m.dirs {
		_, d, err := shard.Read(dir)
		if err != nil {
			return err
		}
		if t := r.Study.Transit; t != nil && len(d.Origins) > 0 && len(d.Transit) != len(t.Windows) {
			return fmt.Errorf("shard folder %s: holds %d transit windows, the config has %d", dir, len(d.Transit), len(t.Windows))
		}
		if len(d.Origins) > 0 && len(d.Modes) != nm {
			return fmt.Errorf("shard folder %s: holds measures for %d modes, the config has %d", dir, len(d.Modes), nm)
		}
		oi := make([]int32, len(d.Origins))
		for a, id := range d.Origins {
			i, ok := idx[id]
			switch {
			case !ok:
				return fmt.Errorf("shard folder %s: origin %s is not among the study's origins: the shard placed people differently from this merge (different inputs or version?)", dir, id)
			case from[i] >= 0:
				return fmt.Errorf("shard folder %s: origin %s was computed by shard %d too", dir, id, from[i])
			case math.Float64bits(d.People[a]) != math.Float64bits(cells[i].Pop):
				return fmt.Errorf("shard folder %s: origin %s has %v people there, %v here: the shard placed people differently from this merge", dir, id, d.People[a], cells[i].Pop)
			case !parts[k].Contains(cells[i].Center):
				return fmt.Errorf("shard folder %s: origin %s lies outside the shard's part", dir, id)
			}
			from[i], oi[a] = k, i
			m.count[i], m.kinds[i] = d.Count[a], d.Kinds[a]
		}
		pi := make([]int32, len(d.Places))
		for a, key := range d.Places {
			j, ok := pidx[key]
			if !ok {
				return fmt.Errorf("shard folder %s: place %s is not among the study's places: the shard read the map differently from this merge", dir, key)
			}
			// Rows of the travel matrix are ordered by cost, then place, and
			// measures sum in that order: the shard's places must come in
			// the merge's order for its sums to be the merge's.
			if a > 0 && j <= pi[a-1] {
				return fmt.Errorf("shard folder %s: place %s comes after %s there, before it here: the shard read the map differently from this merge", dir, key, d.Places[a-1])
			}
			if area := d.Areas[a]; !math.IsNaN(area) && math.Float64bits(area) != math.Float64bits(r.Extract.Places[j].AreaM2) {
				return fmt.Errorf("shard folder %s: place %s measures %v m² there, %v m² here: the shard read the map differently from this merge", dir, key, area, r.Extract.Places[j].AreaM2)
			}
			pi[a] = j
		}
		m.origin[k], m.place[k] = oi, pi
		for mi, md := range d.Modes {
			ms := m.modes[mi]
			if md.Name != ms.name || len(md.Cumulative) != ng || len(md.Gravity) != ng || len(md.Sensitivity) != len(ms.sens) {
				return fmt.Errorf("shard folder %s: mode %s with %d groups and %d sensitivity betas, the study's %s has %d and %d", dir, md.Name, len(md.Gravity), len(md.Sensitivity), ms.name, ng, len(ms.sens))
			}
			ms.pairs += md.Pairs
			for _, rows := range [][2][][]float64{{ms.cums, md.Cumulative}, {ms.gravs, md.Gravity}, {ms.sens, md.Sensitivity}} {
				for g, row := range rows[1] {
					for a, v := range row {
						rows[0][g][oi[a]] = v
					}
				}
			}
			for a, parts := range md.Demand {
				if len(parts) > 0 {
					ms.demand[pi[a]].AddSum(measure.SumOf(parts))
				}
			}
		}
		for w, win := range d.Transit {
			tw := &m.transit[w]
			if len(win.Minutes) != ng || len(win.Extra) != len(tw.Extra) {
				return fmt.Errorf("shard folder %s: transit window %s has %d groups and %d extra percentiles, the study %d and %d", dir, win.Name, len(win.Minutes), len(win.Extra), ng, len(tw.Extra))
			}
			for g := range win.Minutes {
				for a, v := range win.Minutes[g] {
					tw.Minutes[g][oi[a]] = v
				}
				for e := range win.Extra {
					for a, v := range win.Extra[e][g] {
						tw.Extra[e][g][oi[a]] = v
					}
				}
			}
		}
	}
	for i, k := range from {
		if k < 0 {
			owner := shard.Locate(parts, cells[i].Center)
			return fmt.Errorf("shard folder %s: origin %s lies in shard %d's part but is not in its results: the shard placed people differently from this merge", m.dirs[owner], cells[i].ID, owner)
		}
	}
	return nil
}

// mergeRun is how many of a shard's trips the merge reads at a time, at
// least (see shard.EachTrips): 262,144 trips, about 10 MiB with their
// matrix. Each run also checks the study's place ids once (measure.NewRows),
// so runs much shorter would add that work per run at a province's tens of
// thousands of places.
const mergeRun = 1 << 18

// fcaAccess is 2SFCA's second step in a merge: given every place's ratio
// ([mode][group][place]), each origin's sum of the ratios within its
// catchment, [mode][group][origin], from the shards' trips, read a run of
// origins' trips at a time. The same pass marks the places residents reach by transit
// within their threshold (TransitWindow.Reached), which needs the origins'
// classes that only the merge knows.
func (m *merged) fcaAccess(r *Result, ratios [][][]float64) ([][][]float64, error) {
	cells := r.Alloc.Cells
	s := r.Study
	catch := r.catchment()
	out := make([][][]float64, len(ratios))
	for mi := range out {
		out[mi] = make([][]float64, len(ratios[mi]))
		for g := range out[mi] {
			out[mi][g] = make([]float64, len(cells))
		}
	}
	destIDs := placeIDs(len(r.Extract.Places))
	for k, dir := range m.dirs {
		oi, pi := m.origin[k], m.place[k]
		if len(oi) == 0 {
			continue
		}
		ids := make([]string, len(oi))
		for a, i := range oi {
			ids[a] = cells[i].ID
		}
		// Each run of trips holds its origins' trips whole, so 2SFCA runs
		// on those origins alone and copies their sums to the merge's: the
		// merge holds one run of a shard's trips at a time, not the shard's
		// all.
		err := shard.EachTrips(dir, m.headers[k], len(out)-2, mergeRun, func(mi int, run []shard.Pair) error {
			lo := run[0].Origin
			sub := ids[lo : run[len(run)-1].Origin+1]
			var mat *measure.Matrix
			var err error
			if mi < 2 {
				for a := range run {
					run[a].Origin -= lo
					run[a].Place = pi[run[a].Place] // the merge's numbering
				}
				mat, err = matrixRows(sub, destIDs, run, shardPair)
			} else {
				tw := &r.Transit.Windows[mi-2]
				mp := make([]measure.Pair, 0, len(run))
				for _, p := range run {
					i, j, secs := oi[p.Origin], pi[p.Place], p.Minutes // seconds in a window's trips
					if cells[i].Pop > 0 && secs <= transitThreshold(s.Transit, r.Class[i])*60 {
						tw.Reached[j] = true
					}
					if cost := secs / 60; cost <= s.Measures.MaxMinutes {
						mp = append(mp, measure.Pair{From: int(p.Origin - lo), To: int(j), Cost: cost})
					}
				}
				if mat, err = measure.New(sub, destIDs, mp, nil); err != nil {
					err = fmt.Errorf("transit window %s: %w", tw.Name, err)
				}
			}
			if err != nil {
				return fmt.Errorf("shard folder %s: %w", dir, err)
			}
			acc := mat.TwoStepAccess(ratios[mi], catch)
			for g := range acc {
				for a, v := range acc[g] {
					out[mi][g][oi[int(lo)+a]] = v
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func byTransitPlace(a, b shard.TransitPair) int { return cmp.Compare(a.Place, b.Place) }

func byTransitPair(a, b shard.TransitPair) int {
	return cmp.Or(cmp.Compare(a.Origin, b.Origin), byTransitPlace(a, b))
}

func nanRows(rows, n int) [][]float64 {
	out := make([][]float64, rows)
	for g := range out {
		out[g] = make([]float64, n)
		for i := range out[g] {
			out[g][i] = math.NaN()
		}
	}
	return out
}
