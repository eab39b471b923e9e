package study

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb"

	"commonground/internal/access"
	"commonground/internal/config"
	"commonground/internal/gap"
	"commonground/internal/geo"
	"commonground/internal/network"
	"commonground/internal/output"
	"commonground/internal/population"
)

// Remoteness is one remoteness scheme's view of every origin.
type Remoteness struct {
	Name     string // config name, e.g. usda-far
	Standard string // the publication that defines it
	Decides  bool   // this scheme decides the remote class
	Assess   []gap.Assessment
}

// Official is the class an official table gives each origin (through the
// population zone most of its people live in), beside the computed one.
type Official struct {
	Source    string
	Class     []gap.Class // per origin; meaningful where Known
	Label     []string
	Known     []bool
	Computed  []gap.Class // the class the schemes computed, for comparison
	Agreement gap.Agreement
	NoRow     []string // zone ids the table has no row for
	NoValue   []string // zone ids whose row has no value
	Unmatched []string // table ids that match no zone
}

// Centre is a population centre the remoteness schemes measure travel to,
// and where it came from.
type Centre struct {
	gap.PopCentre
	Source string // "urban cluster", "centres list", "OpenStreetMap"
	// Estimated says the drive to it is partly estimated: it lies beyond the
	// drive network, so the trip ends with a straight-line leg.
	Estimated bool
	members   []int // the origins of an urban cluster
}

// maxCentres bounds how many centres (the largest) are searched from, one
// drive search each.
const maxCentres = 200

// Beyond the drive network, a trip to a centre is finished along a straight
// line at BeyondKmh after multiplying its length by Circuity: road distance
// is about 1.4 times straight-line distance on average in the United States
// (Boscoe, Henry & Zdeb 2012, "A nationwide comparison of driving distance
// versus straight-line distance to hospitals", Professional Geographer
// 64(2):188-196), and 80 km/h is the speed Statistics Canada's Index of
// Remoteness assumes (Alasia et al. 2017).
const (
	Circuity  = 1.4
	BeyondKmh = 80.0
)

// sameCentreM: a listed or OSM centre this close to an urban origin of the
// study is the study's own urban cluster under another name, and is not
// counted twice.
const sameCentreM = 2000

// classify classes every origin urban, rural or remote by published
// standards with fixed references (see internal/gap): urban by a density
// rule applied to clusters of contiguous dense origins, remote by a
// remoteness scheme from drive times to population centres, inside the
// study or beyond it; an official table, when given, decides instead.
func (r *Result) classify(eng *access.Engine, drive *network.Graph) error {
	s := r.Study
	cells := r.Alloc.Cells
	n := len(cells)
	xs, ys, pops := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, c := range cells {
		xs[i], ys[i], pops[i] = r.XY[i][0], r.XY[i][1], c.Pop
	}
	r.Density = r.originDensity(xs, ys, pops)
	rule, err := gap.UrbanRuleByName(s.Classes.Urban)
	if err != nil {
		return fmt.Errorf("classes.urban: %w", err)
	}
	var clusters []gap.Cluster
	r.Urban, clusters = gap.UrbanClusters(xs, ys, pops, r.Density, r.linkDistance(), rule)
	r.UrbanRule = rule
	proj := r.Alloc.Grid.Proj
	// ClusterCentres keeps the order of the urban clusters, so the k-th
	// centre is the k-th urban cluster: it keeps its members.
	var urbanClusters []gap.Cluster
	for _, c := range clusters {
		if c.Urban {
			urbanClusters = append(urbanClusters, c)
		}
	}
	for k, pc := range gap.ClusterCentres(clusters, func(x, y float64) (float64, float64) {
		p := proj.Inverse(orb.Point{x, y})
		return p[0], p[1]
	}) {
		r.Centres = append(r.Centres, Centre{PopCentre: pc, Source: "urban cluster", members: urbanClusters[k].Members})
	}
	r.nameClusters(xs, ys)
	if err := r.outsideCentres(xs, ys); err != nil {
		return err
	}
	sort.SliceStable(r.Centres, func(i, j int) bool { return r.Centres[i].Pop > r.Centres[j].Pop })
	if len(r.Centres) > maxCentres {
		r.note("the remoteness schemes count the %d largest of %d population centres", maxCentres, len(r.Centres))
		r.Centres = r.Centres[:maxCentres]
	}

	// Drive minutes from every origin to every centre.
	trips := make([][]gap.Trip, n)
	// Each centre's search is independent: gather them, then run them on
	// all cores.
	sets := make([][]access.Dest, len(r.Centres))
	offsets := make([]float64, len(r.Centres))
	var searched []int
	for j, c := range r.Centres {
		if members := c.members; len(members) > 0 {
			ds := make([]access.Dest, len(members))
			for k, i := range members {
				ds[k] = access.Dest{Point: cells[i].Center, Label: int32(j)}
			}
			sets[j] = ds
		} else {
			pt := orb.Point{c.Lon, c.Lat}
			sn, ok := drive.Snap(pt, math.Inf(1))
			if !ok {
				continue
			}
			if sn.Dist > s.Travel.SnapMax {
				offsets[j] = sn.Dist / 1000 * Circuity / BeyondKmh * 60
				r.Centres[j].Estimated = true
				pt = sn.Point
			}
			sets[j] = []access.Dest{{Point: pt, Label: int32(j)}}
		}
		searched = append(searched, j)
	}
	found := make([][]access.Dest, len(searched))
	for k, j := range searched {
		found[k] = sets[j]
	}
	allTimes := eng.NearestMinutes(access.Drive, found)
	count, total := make([]int, len(trips)), 0
	for k, j := range searched {
		times := allTimes[k]
		for _, i := range r.Centres[j].members {
			times[i] = 0 // inside the centre: no trip to make
		}
		for i, t := range times {
			if !math.IsNaN(t) && !math.IsInf(t, 0) {
				count[i]++
				total++
			}
		}
	}
	// Each origin's trips are a piece of one slab, not a list grown by
	// doubling.
	slab := make([]gap.Trip, 0, total)
	for i, n := range count {
		trips[i], slab = slab[:0:n], slab[n:n]
	}
	for k, j := range searched {
		times, offset := allTimes[k], offsets[j]
		for i, t := range times {
			if !math.IsNaN(t) && !math.IsInf(t, 0) {
				trips[i] = append(trips[i], gap.Trip{Centre: j, Minutes: t + offset})
			}
		}
	}
	// An origin not joined to the drive network, or joined to a piece of
	// it that reaches no centre (an island whose bridge the extract lacks,
	// a gated estate), would have no trip to any centre and so come out as
	// remote as can be: a network artefact. Its trips are estimated along
	// straight lines instead, like the legs beyond the network above.
	estimated := 0
	for i := range trips {
		if len(trips[i]) > 0 || len(r.Centres) == 0 {
			continue
		}
		estimated++
		trips[i] = trips[i][:0]
		for j, c := range r.Centres {
			km := geo.Distance(cells[i].Center, orb.Point{c.Lon, c.Lat}) / 1000
			trips[i] = append(trips[i], gap.Trip{Centre: j, Minutes: km * Circuity / BeyondKmh * 60})
		}
	}
	if estimated > 0 {
		r.note("%d origins reach no population centre by the drive network (not joined to it, or on a piece of it cut off from the rest); their drives to centres are estimated along straight lines (x%.1f at %.0f km/h)", estimated, Circuity, BeyondKmh)
	}
	pcs := make([]gap.PopCentre, len(r.Centres))
	for j, c := range r.Centres {
		pcs[j] = c.PopCentre
	}

	// Remoteness by the deciding scheme and those shown beside it.
	schemes, err := remotenessSchemes(s)
	if err != nil {
		return err
	}
	for k, sch := range schemes {
		info, _ := gap.Scheme(sch.Name())
		rm := Remoteness{Name: sch.Name(), Standard: info.Standard, Decides: k == 0, Assess: make([]gap.Assessment, n)}
		for i := range trips {
			rm.Assess[i] = sch.Assess(trips[i], pcs)
		}
		r.Remoteness = append(r.Remoteness, rm)
	}
	r.Class = gap.Combine(r.Urban, r.Remoteness[0].Assess)
	if len(r.Centres) == 0 {
		r.note("no population centre was found in or around the study: every non-urban origin is as far from one as the schemes allow; give classes.centres")
	}
	return r.officialClasses()
}

// originDensity is each origin's people per km²: the people within the
// density radius for grid cells and points, the polygon's own density for
// per-polygon origins.
func (r *Result) originDensity(xs, ys, pops []float64) []float64 {
	if r.Alloc.Origins != population.PolygonOrigins {
		return gap.Density(xs, ys, pops, r.Study.Classes.DensityRadius)
	}
	out := make([]float64, len(pops))
	proj := r.Alloc.Grid.Proj
	for i, c := range r.Alloc.Cells {
		if m2 := zoneAreaM2(r.Zones[c.Parts[0].Zone].Geom, proj); m2 > 0 {
			out[i] = c.Pop / (m2 / 1e6)
		}
	}
	return out
}

// linkDistance is how far apart two origins may be and still be contiguous
// for the urban rule: the diagonal of a grid cell (its eight neighbours),
// or, for points and polygons, twice the median distance from an origin to
// its nearest neighbour (the hexagons of a regular lattice touch their six
// neighbours at that spacing).
func (r *Result) linkDistance() float64 {
	if r.Alloc.Origins == population.GridOrigins {
		return r.Alloc.Grid.Size*math.Sqrt2 + 1
	}
	n := len(r.XY)
	if n < 2 {
		return 1
	}
	// Nearest neighbours through a bucket grid of 1 km squares, widened
	// until a neighbour is found.
	type key struct{ i, j int64 }
	const cell = 1000.0
	buckets := map[key][]int{}
	for k, p := range r.XY {
		b := key{int64(math.Floor(p[0] / cell)), int64(math.Floor(p[1] / cell))}
		buckets[b] = append(buckets[b], k)
	}
	nn := make([]float64, 0, n)
	for k, p := range r.XY {
		bi, bj := int64(math.Floor(p[0]/cell)), int64(math.Floor(p[1]/cell))
		best := math.Inf(1)
		for ring := int64(1); ring <= 50 && math.IsInf(best, 1); ring++ {
			for di := -ring; di <= ring; di++ {
				for dj := -ring; dj <= ring; dj++ {
					for _, m := range buckets[key{bi + di, bj + dj}] {
						if m != k {
							best = min(best, math.Hypot(r.XY[m][0]-p[0], r.XY[m][1]-p[1]))
						}
					}
				}
			}
		}
		if !math.IsInf(best, 1) {
			nn = append(nn, best)
		}
	}
	if len(nn) == 0 {
		return 1
	}
	sort.Float64s(nn)
	return 2 * nn[len(nn)/2]
}

// nameClusters names each urban cluster after the most populous OSM town
// (city, town or village) whose point lies within a kilometre of one of its
// origins, keeping the standard's label beside it: "Wilmington (urbanized
// area 1)".
func (r *Result) nameClusters(xs, ys []float64) {
	const near = 1000.0
	type key struct{ i, j int64 }
	owner := map[int]int{} // origin -> centre
	buckets := map[key][]int{}
	for j, c := range r.Centres {
		for _, m := range c.members {
			owner[m] = j
			k := key{int64(math.Floor(xs[m] / near)), int64(math.Floor(ys[m] / near))}
			buckets[k] = append(buckets[k], m)
		}
	}
	best := make([]int, len(r.Centres))
	name := make([]string, len(r.Centres))
	proj := r.Alloc.Grid.Proj
	for _, t := range r.Extract.Towns {
		if t.Name == "" {
			continue
		}
		q := proj.Forward(t.Point)
		bi, bj := int64(math.Floor(q[0]/near)), int64(math.Floor(q[1]/near))
		found := -1
		for di := int64(-1); di <= 1 && found < 0; di++ {
			for dj := int64(-1); dj <= 1 && found < 0; dj++ {
				for _, m := range buckets[key{bi + di, bj + dj}] {
					if math.Hypot(xs[m]-q[0], ys[m]-q[1]) <= near {
						found = owner[m]
						break
					}
				}
			}
		}
		if found >= 0 && (name[found] == "" || t.Population > best[found]) {
			best[found], name[found] = t.Population, t.Name
		}
	}
	for j := range r.Centres {
		if name[j] != "" {
			r.Centres[j].Name = name[j] + " (" + r.Centres[j].Name + ")"
		}
	}
}

// outsideCentres adds the listed centres and, with classes.osm_centres, the
// extract's towns with a population tag that lie outside the study area,
// except those within sameCentreM of an urban origin (the study's own
// cluster under another name).
func (r *Result) outsideCentres(xs, ys []float64) error {
	s := r.Study
	var cand []Centre
	if s.Classes.Centres != "" {
		path, _ := s.Resolve(s.Classes.Centres)
		if err := r.addInput("population centres", s.Classes.Centres, path); err != nil {
			return err
		}
		zones, err := population.ReadPoints(path, population.Fields{ID: "name", Name: "name", Pop: "population"}, "lat", "lon", nil)
		if err != nil {
			return fmt.Errorf("classes.centres: %w", err)
		}
		for _, z := range zones {
			cand = append(cand, Centre{PopCentre: gap.PopCentre{Name: z.Name, Lon: z.Point[0], Lat: z.Point[1], Pop: z.Pop}, Source: "centres list"})
		}
	}
	if s.Classes.UseOSMCentres() {
		for _, t := range r.Extract.Towns {
			if t.Population <= 0 || r.Area == nil || r.Area.Contains(t.Point) {
				continue
			}
			cand = append(cand, Centre{PopCentre: gap.PopCentre{Name: t.Name, Lon: t.Point[0], Lat: t.Point[1], Pop: float64(t.Population)}, Source: "OpenStreetMap"})
		}
	}
	proj := r.Alloc.Grid.Proj
	type key struct{ i, j int64 }
	buckets := map[key]bool{}
	for i := range xs {
		if r.Urban[i] {
			buckets[key{int64(math.Floor(xs[i] / sameCentreM)), int64(math.Floor(ys[i] / sameCentreM))}] = true
		}
	}
	near := func(p orb.Point) bool {
		q := proj.Forward(p)
		bi, bj := int64(math.Floor(q[0]/sameCentreM)), int64(math.Floor(q[1]/sameCentreM))
		for di := int64(-1); di <= 1; di++ {
			for dj := int64(-1); dj <= 1; dj++ {
				if buckets[key{bi + di, bj + dj}] {
					// Close enough to check exactly.
					for i := range xs {
						if r.Urban[i] && math.Hypot(xs[i]-q[0], ys[i]-q[1]) <= sameCentreM {
							return true
						}
					}
					return false
				}
			}
		}
		return false
	}
	skipped := 0
	for _, c := range cand {
		if near(orb.Point{c.Lon, c.Lat}) {
			skipped++
			continue
		}
		r.Centres = append(r.Centres, c)
	}
	if skipped > 0 {
		r.note("%d listed or OpenStreetMap centres lie within %s km of the study's own urban origins and are counted once, as its urban clusters", skipped, output.Num(sameCentreM/1000, 0))
	}
	return nil
}

// officialClasses joins an official class table to the population zones and
// lets it decide each origin's class (by the zone most of its people live
// in), keeping the computed class beside it.
func (r *Result) officialClasses() error {
	o := r.Study.Classes.Official
	if o == nil {
		return nil
	}
	path, _ := r.Study.Resolve(o.Path)
	if err := r.addInput("official classes", o.Path, path); err != nil {
		return err
	}
	t, err := gap.ReadOfficial(path, o.IDField, o.CodeField)
	if err != nil {
		return fmt.Errorf("classes.official: %w", err)
	}
	var m gap.Mapping
	switch o.Mapping {
	case "ruca":
		m = gap.RUCA{}
	case "statcan-ir":
		m = gap.Subedi{}
	default:
		m = gap.CodeMap(o.Codes)
	}
	ids := make([]string, len(r.Zones))
	for i, z := range r.Zones {
		ids[i] = z.ID
	}
	j, err := t.Join(ids, m)
	if err != nil {
		return fmt.Errorf("classes.official: %w", err)
	}
	if len(j.NoRow)+len(j.NoValue) == len(ids) {
		return fmt.Errorf("classes.official: %s: no id of the table matches a population zone (%d zones, first %q; %d table ids, first %q): is id_field the zones' id?",
			o.Path, len(ids), ids[0], len(t.IDs), first(t.IDs))
	}
	n := len(r.Alloc.Cells)
	off := &Official{Source: o.Source, Class: make([]gap.Class, n), Label: make([]string, n), Known: make([]bool, n),
		Computed: append([]gap.Class(nil), r.Class...), NoRow: j.NoRow, NoValue: j.NoValue, Unmatched: j.Unmatched}
	if off.Source == "" {
		off.Source = o.Path
	}
	pops := make([]float64, n)
	for i, c := range r.Alloc.Cells {
		pops[i] = c.Pop
		best, bestPop := int32(-1), -1.0
		for _, p := range c.Parts {
			if p.Pop > bestPop {
				best, bestPop = p.Zone, p.Pop
			}
		}
		if best >= 0 && j.Known[best] {
			off.Class[i], off.Label[i], off.Known[i] = j.Class[best], j.Label[best], true
			r.Class[i] = j.Class[best]
		}
	}
	off.Agreement = gap.Agree(off.Computed, off.Class, off.Known, pops)
	r.Official = off
	if k := len(j.NoRow) + len(j.NoValue); k > 0 {
		r.note("the official class table %s has no class for %d population zones (%s): they keep the computed class", o.Path, k, listSome(append(append([]string(nil), j.NoRow...), j.NoValue...), 8))
	}
	if len(j.Unmatched) > 0 {
		r.note("%d ids of the official class table %s match no population zone (%s)", len(j.Unmatched), o.Path, listSome(j.Unmatched, 8))
	}
	return nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// listSome joins up to k items, saying how many more there are.
func listSome(items []string, k int) string {
	if len(items) <= k {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:k], ", ") + fmt.Sprintf(" and %d more", len(items)-k)
}

// zoneAreaM2 is a lon/lat polygon's area in m² on the study's equal-area
// projection.
func zoneAreaM2(mp orb.MultiPolygon, proj geo.Projection) float64 {
	var m2 float64
	for _, poly := range mp {
		for k, ring := range poly {
			a := 0.0
			for j := 0; j+1 < len(ring); j++ {
				p, q := proj.Forward(ring[j]), proj.Forward(ring[j+1])
				a += p[0]*q[1] - q[0]*p[1]
			}
			a = math.Abs(a) / 2
			if k == 0 {
				m2 += a
			} else {
				m2 -= a
			}
		}
	}
	return m2
}

// schemeColumns names the per-origin columns of the classification: a
// score and a class label per remoteness scheme, then the official class
// when a table was given.
func (r *Result) schemeColumns() []string {
	var out []string
	for _, rm := range r.Remoteness {
		n := strings.ReplaceAll(rm.Name, "-", "_")
		out = append(out, n+"_score", n+"_class")
	}
	if r.Official != nil {
		out = append(out, "computed_class", "official_class", "official_label")
	}
	return out
}

// schemeValues are origin i's values of schemeColumns.
func (r *Result) schemeValues(i int) []string {
	var out []string
	for _, rm := range r.Remoteness {
		a := rm.Assess[i]
		out = append(out, output.Num(a.Score, 4), a.Label)
	}
	if o := r.Official; o != nil {
		official, label := "", ""
		if o.Known[i] {
			official, label = o.Class[i].String(), o.Label[i]
		}
		out = append(out, o.Computed[i].String(), official, label)
	}
	return out
}

// classRules says in plain words, per class, the rule that gave it.
func (r *Result) classRules() []string {
	s := r.Study
	rm := r.Remoteness[0]
	urban := fmt.Sprintf("Part of an urban area by the %s rule (%s): a cluster of contiguous origins with at least %s people per km² (%s m around each), neighbours of at least %s per km² added, %s people or more in all.",
		r.UrbanRule.Name, urbanStandard(r.UrbanRule.Name), output.Num(r.UrbanRule.CoreDensity, 0), output.Num(s.Classes.DensityRadius, 0), output.Num(max(r.UrbanRule.RingDensity, 0), 0), output.Num(r.UrbanRule.MinPop, 0))
	remote := fmt.Sprintf("Not urban, and remote by %s (%s), measured by drive time to %d population centres in and around the study.", rm.Name, rm.Standard, len(r.Centres))
	if rm.Name == "usda-far" {
		remote = fmt.Sprintf("Not urban, and at FAR level %d or above (%s): an hour or more by car from an urban area of 50,000 people (level 1), and farther from smaller ones at higher levels, measured to %d population centres in and around the study.", s.Classes.FARRemoteLevel, rm.Standard, len(r.Centres))
	}
	remote += " " + r.centresText()
	rules := []string{urban, "Neither urban nor remote: " + rm.Name + " does not class it remote.", remote}
	if o := r.Official; o != nil {
		agree := fmt.Sprintf(" An official class table (%s) decides where it has a class for the origin's zone; the computed class agrees with it for %s%% of the %s people both cover (Cohen's kappa %s).",
			o.Source, output.Num(100*o.Agreement.Share, 1), output.Thousands(o.Agreement.People), output.Num(o.Agreement.Kappa, 2))
		for c := range rules {
			rules[c] += agree
		}
	}
	return rules
}

// urbanStandard names the publication of an urban rule.
func urbanStandard(name string) string {
	info, err := gap.Scheme(name)
	if err != nil {
		return name
	}
	return info.Standard
}

// Methods names how this run placed people and classed them, for the
// manifest and for compare.
func (r *Result) Methods() map[string]string {
	s := r.Study
	m := map[string]string{
		"origins":    string(r.Alloc.Origins),
		"urban_rule": s.Classes.Urban,
		"remoteness": s.Classes.Remote,
		"study_area": "the population input's extent",
	}
	if r.Area != nil {
		m["study_area"] = r.Area.Name
	}
	if s.Estimated() {
		m["population"] = "estimate from residential streets"
	} else {
		m["population"] = "census " + string(r.Alloc.Origins)
	}
	if o := s.Classes.Official; o != nil {
		m["official_classes"] = o.Mapping + " table " + o.Path
	}
	return m
}

// checkSchemes checks the classification scheme names of the config before
// anything is read, so a misspelt name costs no time.
func checkSchemes(s *config.Study) error {
	if _, err := gap.UrbanRuleByName(s.Classes.Urban); err != nil {
		return fmt.Errorf("%s: classes.urban: %w", s.Path, err)
	}
	if _, err := remotenessSchemes(s); err != nil {
		return fmt.Errorf("%s: %w", s.Path, err)
	}
	return nil
}

// remotenessSchemes returns the deciding remoteness scheme, then those
// shown beside it (a name listed twice once), set up from the config: the
// FAR level from which an origin is remote, ARIA+'s national means.
func remotenessSchemes(s *config.Study) ([]gap.Remoteness, error) {
	var out []gap.Remoteness
	seen := map[string]bool{}
	for k, name := range append([]string{s.Classes.Remote}, s.Classes.Also...) {
		if seen[name] {
			continue
		}
		seen[name] = true
		key := "classes.remote"
		if k > 0 {
			key = fmt.Sprintf("classes.also[%d]", k-1)
		}
		sch, err := gap.RemotenessByName(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		switch v := sch.(type) {
		case gap.FAR:
			v.RemoteLevel = s.Classes.FARRemoteLevel
			sch = v
		case *gap.ARIAPlus:
			copy(v.Means[:], s.Classes.ARIAMeansKm)
			if err := v.Validate(); err != nil {
				return nil, fmt.Errorf("%s: aria-plus needs the national mean road distances to centres of categories A to E: set classes.aria_means_km", key)
			}
		}
		out = append(out, sch)
	}
	return out, nil
}

// centresText names the population centres used, largest first (at most
// 15), with their people and where each came from.
func (r *Result) centresText() string {
	if len(r.Centres) == 0 {
		return "No population centre was found in or around the study."
	}
	var parts []string
	for j, c := range r.Centres {
		if j == 15 {
			parts = append(parts, fmt.Sprintf("and %d smaller ones", len(r.Centres)-15))
			break
		}
		src := c.Source
		if c.Estimated {
			src += ", beyond the streets: the last leg estimated"
		}
		parts = append(parts, fmt.Sprintf("%s (%s people; %s)", c.Name, output.Thousands(c.Pop), src))
	}
	return "Centres: " + strings.Join(parts, "; ") + "."
}
