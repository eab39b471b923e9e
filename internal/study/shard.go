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
// make, places people exactly as the whole run would (each census zone's
// people go to its own cells, so the zones touching the part are enough),
// and computes for its own origins the work that grows with origins times
// reach: the trips within measures.max_minutes on foot and by car, the
// places within the nearby walk, and transit routing. The merge reads the
// whole map once, recomputes what is cheap and whole-study (nearest-place
// times, classes, gaps, rankings, FCA ratios, siting, the report), takes
// the shards' trips in place of its own searches, and so writes the same
// bytes as a plain run.

// shardRun is the state of shard I of N during its run.
type shardRun struct {
	i, n   int
	parts  []shard.Part
	zones  []population.Zone // the population input, read before the map
	points bool
	clip   *orb.Bound // the map's box this shard reads; nil: the whole map
	empty  bool       // no zone touches the part: nothing to compute
	data   *shard.Data
}

// merged holds the shards' results, mapped onto the merge's own origins
// and places once those are known.
type merged struct {
	dirs    []string
	headers []*shard.Header
	walk    []access.Pair
	drive   []access.Pair
	count   []int32
	kinds   []uint32
	transit []shard.Window
}

// ShardMarginM is what a shard reads beyond the reach of its longest trip:
// room for a place's or origin's link to its street (travel.snap_max is at
// most a few hundred metres) and for street pieces that a cut near the
// reach's edge would turn into islands.
const ShardMarginM = 5000

// RunShard computes shard i (0-based) of n of the study s.
func RunShard(ctx context.Context, s *config.Study, rep *progress.Reporter, i, n int) (*shard.Header, *shard.Data, error) {
	if n < 1 || i < 0 || i >= n {
		return nil, nil, fmt.Errorf("--shard %d/%d: the index must be from 0 to %d (shards are numbered from 0)", i, n, n-1)
	}
	if s.Inputs.Population == nil {
		return nil, nil, fmt.Errorf("%s: a sharded run needs inputs.population (census polygons or points): the estimate spreads one total over the whole study area, which no part can do alone", s.Path)
	}
	r := &Result{Study: s, shard: &shardRun{i: i, n: n, data: &shard.Data{}}}
	if err := r.run(ctx, rep); err != nil {
		return nil, nil, err
	}
	raw, err := os.ReadFile(s.Path)
	if err != nil {
		return nil, nil, fmt.Errorf("config %s: %w", s.Path, err)
	}
	d := r.shard.data
	abs, _ := filepath.Abs(s.Path)
	h := &shard.Header{
		Format: shard.Format, Tool: "commonground", Version: version.Version,
		Shard: i, Of: n, Config: s.Path, ConfigAbs: abs, ConfigSHA256: output.HashBytes(raw),
		Inputs: r.Inputs, Part: r.shard.parts[i].Bound(),
		Origins: len(d.Origins), Places: len(d.Places),
	}
	if r.Extract != nil {
		h.Ways = len(r.Extract.Ways)
	}
	if c := r.shard.clip; c != nil {
		h.Clip = &[4]float64{c.Min[0], c.Min[1], c.Max[0], c.Max[1]}
	}
	return h, d, nil
}

// planShard reads the population input, cuts the study into parts by its
// people, and works out the box of the map this shard needs.
func (r *Result) planShard(ctx context.Context, popPath, osmPath string) error {
	sh := r.shard
	zones, points, err := r.readZones(popPath)
	if err != nil {
		return err
	}
	sh.zones, sh.points = zones, points
	if sh.parts, err = planParts(zones, sh.n); err != nil {
		return err
	}
	if r.Study.Transit != nil {
		// A transit trip rides anywhere the feeds go and walks from any
		// stop: a transit shard reads the whole map (its saving is in
		// routing only its own origins).
		return nil
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
	reach, err := r.shardReachM(ctx, osmPath)
	if err != nil {
		return err
	}
	clip = padMetres(clip, reach+ShardMarginM)
	sh.clip = &clip
	return nil
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
	lat := math.Min(89, math.Max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))+dlat)
	dlon := math.Min(180, m/(110500*math.Cos(lat*math.Pi/180)))
	return orb.Bound{Min: orb.Point{b.Min[0] - dlon, math.Max(-90, b.Min[1]-dlat)}, Max: orb.Point{b.Max[0] + dlon, math.Min(90, b.Max[1]+dlat)}}
}

// shardReachM is the straight-line reach of the longest bounded search a
// shard makes: measures.max_minutes on foot and by car, the nearby walk.
// The car's speed is the fastest any street of the extract may get: the
// fastest class speed or the fastest maxspeed tag, whichever is higher
// (one pass over the ways' tags).
func (r *Result) shardReachM(ctx context.Context, osmPath string) (float64, error) {
	s := r.Study
	prof := network.DriveProfile(s.Travel.WalkKmh, s.Travel.DriveSpeeds)
	kmh := 0.0
	for _, v := range prof.DriveSpeeds {
		kmh = math.Max(kmh, v)
	}
	tagged, err := osmread.MaxWayValue(ctx, osmPath, "maxspeed", network.ParseMaxspeed)
	if err != nil {
		return 0, err
	}
	kmh = math.Max(kmh, tagged)
	walk := math.Max(s.Measures.MaxMinutes, s.Travel.NearbyWalk) / 60 * s.Travel.WalkKmh * 1000
	drive := s.Measures.MaxMinutes / 60 * kmh * 1000
	return math.Max(walk, drive), nil
}

// keepPart keeps, of the origins the population gave, those in this
// shard's part.
func (r *Result) keepPart() {
	part := r.shard.parts[r.shard.i]
	cells := r.Alloc.Cells[:0:0]
	for _, c := range r.Alloc.Cells {
		if part.Contains(c.Center) {
			cells = append(cells, c)
		}
	}
	r.Alloc.Cells = cells
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
// as the whole run does them, and keeps them for the merge.
func (r *Result) shardAccess(ctx context.Context, eng *access.Engine, walkG, driveG *network.Graph) error {
	s := r.Study
	d := r.shard.data
	for _, c := range r.Alloc.Cells {
		d.Origins = append(d.Origins, c.ID)
		d.People = append(d.People, c.Pop)
	}
	d.Places = placeKeys(r.Extract.Places)
	all := r.dests(Group{Categories: allCats(len(s.Categories))})
	for _, mode := range []access.Mode{access.Walk, access.Drive} {
		pairs, err := eng.Matrix(ctx, mode, all, s.Measures.MaxMinutes)
		if err != nil {
			return err
		}
		out := make([]shard.Pair, len(pairs))
		for k, p := range pairs {
			out[k] = shard.Pair{Origin: p.Origin, Place: p.Label, Minutes: p.Minutes}
		}
		if mode == access.Walk {
			d.Walk = out
		} else {
			d.Drive = out
		}
	}
	var err error
	d.Count, d.Kinds, err = eng.Nearby(ctx, all, r.placeKind(), s.Travel.NearbyWalk, nil)
	if err != nil {
		return err
	}
	if s.Transit != nil {
		if err := r.transitAccess(ctx, walkG, driveG, eng, nil); err != nil {
			return err
		}
	}
	return nil
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
	parts, err := planParts(r.inputZones, len(m.dirs))
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
	// Each shard's trips, renumbered; put in (origin, place) order at the
	// end without a sort of the whole: each origin's trips come from one
	// shard.
	var walkParts, driveParts [][]access.Pair
	transitParts := make([][][]shard.TransitPair, len(m.transit))
	for k, dir := range m.dirs {
		_, d, err := shard.Read(dir)
		if err != nil {
			return err
		}
		if t := r.Study.Transit; t != nil && len(d.Transit) != len(t.Windows) {
			return fmt.Errorf("shard folder %s: holds %d transit windows, the config has %d", dir, len(d.Transit), len(t.Windows))
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
			pi[a] = j
		}
		renumber := func(ps []shard.Pair) []access.Pair {
			out := make([]access.Pair, len(ps))
			for a, p := range ps {
				out[a] = access.Pair{Origin: oi[p.Origin], Label: pi[p.Place], Minutes: p.Minutes}
			}
			return out
		}
		walkParts = append(walkParts, renumber(d.Walk))
		driveParts = append(driveParts, renumber(d.Drive))
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
			out := make([]shard.TransitPair, len(win.Pairs))
			for a, p := range win.Pairs {
				out[a] = shard.TransitPair{Origin: oi[p.Origin], Place: pi[p.Place], Seconds: p.Seconds}
			}
			transitParts[w] = append(transitParts[w], out)
		}
	}
	for i, k := range from {
		if k < 0 {
			owner := shard.Locate(parts, cells[i].Center)
			return fmt.Errorf("shard folder %s: origin %s lies in shard %d's part but is not in its results: the shard placed people differently from this merge", m.dirs[owner], cells[i].ID, owner)
		}
	}
	pairOrigin := func(p access.Pair) int32 { return p.Origin }
	byLabel := func(a, b access.Pair) int { return cmp.Compare(a.Label, b.Label) }
	m.walk = byOrigin(walkParts, len(cells), pairOrigin, byLabel)
	m.drive = byOrigin(driveParts, len(cells), pairOrigin, byLabel)
	for w := range m.transit {
		m.transit[w].Pairs = byOrigin(transitParts[w], len(cells), func(p shard.TransitPair) int32 { return p.Origin }, byTransitPlace)
	}
	return nil
}

// byOrigin joins the shards' trips into one slice ordered by origin and,
// within an origin, by cmpPlace: a counting sort by origin (each origin's
// trips come from one shard, in that shard's order), then a sort of each
// origin's few trips where they are out of order.
func byOrigin[P any](parts [][]P, origins int, origin func(P) int32, cmpPlace func(a, b P) int) []P {
	start := make([]int, origins+1)
	for _, part := range parts {
		for _, p := range part {
			start[origin(p)+1]++
		}
	}
	for i := range origins {
		start[i+1] += start[i]
	}
	out := make([]P, start[origins])
	next := slices.Clone(start[:origins])
	for _, part := range parts {
		for _, p := range part {
			o := origin(p)
			out[next[o]] = p
			next[o]++
		}
	}
	for i := range origins {
		if seg := out[start[i]:start[i+1]]; !slices.IsSortedFunc(seg, cmpPlace) {
			slices.SortFunc(seg, cmpPlace)
		}
	}
	return out
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

// matrix is the sparse travel matrix within maxMinutes: the engine's, or
// in a merge the shards'. The shards' pairs are handed over once, so the
// merge does not hold them beside the matrix built from them.
func (r *Result) matrix(ctx context.Context, eng *access.Engine, mode access.Mode, dests []access.Dest, maxMinutes float64) ([]access.Pair, error) {
	if r.pre != nil && maxMinutes == r.Study.Measures.MaxMinutes {
		switch mode {
		case access.Walk:
			if p := r.pre.walk; p != nil {
				r.pre.walk = nil
				return p, nil
			}
		case access.Drive:
			if p := r.pre.drive; p != nil {
				r.pre.drive = nil
				return p, nil
			}
		}
	}
	return eng.Matrix(ctx, mode, dests, maxMinutes)
}
