// Package osmread streams an OpenStreetMap .osm.pbf extract and keeps what an
// access study needs: streets, gathering places, transit stops, towns and
// administrative boundaries.
//
// The file is read three times with a streaming scanner, never loaded whole:
// relations first (to learn which ways are parts of place areas and
// boundaries), then ways (streets, area places, relation members; noting the
// nodes they use), then nodes (coordinates of the noted nodes, plus point
// places, stops and towns). Memory grows with the streets and places kept,
// not with the size of the file.
//
// Large-area rule: a place whose area exceeds Options.LargeAreaM2 (default
// 2 ha) is entered at its edge, not its centre: its Access points lie along
// its outer boundary every Options.EdgeSpacing metres (default 100), plus the
// boundary's corners when it has fewer corners than spaced points. Smaller
// places and nodes are entered at their representative Point. A large park's
// centre can be a kilometre from any gate, and measuring to it would call
// people who live beside the park far from it.
//
// Problems in the data (unclosed rings, missing nodes, repaired polygons)
// are recorded in Extract.Problems and the read goes on; only a file that
// cannot be read at all is an error.
package osmread

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"

	"commonground/internal/geo"
	"commonground/internal/par"
	"commonground/internal/place"
	"commonground/internal/problem"
	"commonground/internal/street"
)

// Options says what to keep from the extract. The zero value is usable:
// every zero field takes its documented default.
type Options struct {
	Categories  []place.Category // default place.DefaultCategories()
	AdminLevels []string         // admin_level values kept as boundaries; default {"6","8"} (US county, municipality)
	LargeAreaM2 float64          // default 20000 (2 ha): bigger areas get edge access points
	EdgeSpacing float64          // metres between edge access points, default 100
	// Progress, if set, hears how far each stage ("relations", "ways",
	// "nodes": bytes of the file; "geometry": features) has got, at most
	// about every 100 ms and once at the end of each stage.
	Progress func(stage string, done, total int64)
	// Clip, when set, keeps only what a part of the map needs (lon/lat):
	// streets, places, stops and water with at least one node inside it
	// (whole, nodes outside included). Boundaries, towns and relations are
	// kept whole wherever they lie. A sharded run reads its part plus a
	// buffer this way, so its memory follows its part, not the whole file.
	// It costs one more pass over the file's nodes.
	Clip *orb.Bound
}

// Stop is a transit stop, station or platform, kept so maps can show where
// transit serves even when no timetable is given.
type Stop struct {
	OSMType string // "node" or "way"
	OSMID   int64
	Name    string
	Kind    string // the tag that made it a stop, e.g. "highway=bus_stop"
	Point   orb.Point
}

// Town is a named settlement, kept to label maps and tell planners where
// results are.
type Town struct {
	OSMType    string
	OSMID      int64
	Name       string
	Kind       string // city, town or village
	Point      orb.Point
	Population int // from the population tag, 0 if none
}

// Boundary is an administrative area (county, municipality) for summing
// results by the units planners answer to.
type Boundary struct {
	OSMID      int64
	Name       string
	AdminLevel string
	Geom       orb.MultiPolygon // made valid with GEOS
}

// Extract is what Read keeps of a file.
type Extract struct {
	Path       string
	Timestamp  time.Time     // from the pbf header (replication timestamp); zero if absent
	Bounds     orb.Bound     // header bbox if present, else bbox of all nodes read
	Places     []place.Place // sorted by category order, then node/way/relation, then OSM id; ID = index
	Ways       []street.Way  // every way with a highway tag, sorted by id
	Stops      []Stop        // sorted by type (node, way), then id
	Towns      []Town        // sorted by name, kind, type, id
	Boundaries []Boundary    // sorted by admin level (numeric), then id
	// Water is the ways that draw water on a map (lakes, ponds, riverbanks,
	// rivers, canals, the coastline), sorted by id; relations (large
	// multipolygon lakes and bays) are not kept.
	Water    []Water
	Problems problem.List
}

// Water is one way of water for a base map: an area (Area true, a closed
// ring) or a line. Kind is "water" (natural=water), "riverbank",
// "river", "canal" or "coastline".
type Water struct {
	OSMID int64
	Kind  string
	Area  bool
	Line  orb.LineString
}

// waterKind names the water a way draws, or "" for none. Streams and
// drains are left out: too many and too small for a regional base map.
func waterKind(tags osm.Tags) (kind string, area bool) {
	switch {
	case tags.Find("natural") == "water":
		return "water", true
	case tags.Find("waterway") == "riverbank":
		return "riverbank", true
	case tags.Find("waterway") == "river":
		return "river", false
	case tags.Find("waterway") == "canal":
		return "canal", false
	case tags.Find("natural") == "coastline":
		return "coastline", false
	}
	return "", false
}

// townKinds are the place values kept as towns; hamlets and neighbourhoods
// are too many and too small to label a regional map.
var townKinds = map[string]bool{"city": true, "town": true, "village": true}

// stopKinds are the tags that make a transit stop, in the order that names
// its Kind.
var stopKinds = [][2]string{
	{"highway", "bus_stop"},
	{"public_transport", "platform"},
	{"public_transport", "stop_position"},
	{"public_transport", "station"},
	{"railway", "station"},
	{"railway", "halt"},
	{"railway", "tram_stop"},
	{"amenity", "bus_station"},
}

func stopKind(tags osm.Tags) string {
	for _, k := range stopKinds {
		if tags.Find(k[0]) == k[1] {
			return k[0] + "=" + k[1]
		}
	}
	return ""
}

// areaRel is a relation whose geometry is needed: a place area, an
// administrative boundary, a town area, or several at once.
type areaRel struct {
	id         int64
	name       string
	outer      []int64 // member way ids
	inner      []int64
	placeCat   int // -1 when not a place
	placeTags  map[string]string
	boundary   string // admin level, "" when not a kept boundary
	townKind   string
	population string
}

// pendingWay is a way kept for its shape, waiting for node coordinates.
type pendingWay struct {
	id        int64
	nodes     []int64
	placeCat  int
	placeTags map[string]string
	stop      string
	name      string
	townKind  string
	pop       string
	water     string
	waterArea bool
}

type reader struct {
	bufs  *blockBufs
	ctx   context.Context
	path  string
	size  int64
	opt   Options
	cats  []place.Category
	match *place.Matcher
	ex    *Extract
	procs int

	rels       []*areaRel
	memberWays map[int64][]int64 // way id -> node ids (nil until read)
	relOuter   map[int64]int     // outer member way of a place relation -> its category
	streets    []street.Way
	shapes     []pendingWay
	needed     []int64 // sorted unique node ids whose coordinates are needed
	coords     []orb.Point
	have       []bool
	nodeBound  orb.Bound
	anyNode    bool
	// headerBounds is set when the file's header gave a bounding box.
	headerBounds bool
	nodeTowns    []Town
	// inside lists, sorted, the nodes within Options.Clip (nil without).
	inside []int64
	filter func(*osm.Node) bool // the node filter of the clip pass
	// index is where each kind's blocks lie, so each pass reads only its
	// own; nil: every pass reads the whole file.
	index *blockIndex
}

// Read streams the extract at path. Errors name the file and say whether it
// is missing, empty, or damaged (not a PBF, truncated, corrupt); problems in
// the data itself go to Extract.Problems.
func Read(ctx context.Context, path string, opt Options) (*Extract, error) {
	if opt.Categories == nil {
		opt.Categories = place.DefaultCategories()
	}
	if opt.AdminLevels == nil {
		opt.AdminLevels = []string{"6", "8"}
	}
	if opt.LargeAreaM2 == 0 {
		opt.LargeAreaM2 = 20000
	}
	if opt.EdgeSpacing == 0 {
		opt.EdgeSpacing = 100
	}
	if opt.LargeAreaM2 < 0 || opt.EdgeSpacing < 0 || math.IsNaN(opt.LargeAreaM2) || math.IsNaN(opt.EdgeSpacing) {
		return nil, fmt.Errorf("read %s: LargeAreaM2 (%g) and EdgeSpacing (%g) must be positive", path, opt.LargeAreaM2, opt.EdgeSpacing)
	}
	m, err := place.NewMatcher(opt.Categories)
	if err != nil {
		return nil, fmt.Errorf("read %s: categories: %w", path, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("read %s: is a folder, not an OSM PBF file", path)
	}
	if fi.Size() == 0 {
		return nil, fmt.Errorf("read %s: file is empty, not an OSM PBF file", path)
	}
	ex, err := read(ctx, path, fi.Size(), opt, m, useIndex)
	if errors.Is(err, errStaleIndex) {
		staleReads.Add(1)
		// A block the block decoders did not handle, or one with groups
		// of kinds its first did not show: osmpbf reads the whole file in
		// every pass, and names any damage.
		ex, err = read(ctx, path, fi.Size(), opt, m, false)
	}
	return ex, err
}

// staleReads counts the reads made again without the index, for the tests.
var staleReads atomic.Int64

// read is one attempt at Read, with or without the block index.
func read(ctx context.Context, path string, size int64, opt Options, m *place.Matcher, index bool) (*Extract, error) {
	r := &reader{
		ctx: ctx, path: path, size: size, opt: opt,
		cats: m.Categories(), match: m,
		ex:         &Extract{Path: path},
		procs:      min(runtime.GOMAXPROCS(0), 8),
		bufs:       newBlockBufs(),
		memberWays: map[int64][]int64{},
		relOuter:   map[int64]int{},
		nodeBound:  orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}},
	}
	if index {
		r.indexBlocks()
	}
	if ok, err := r.scanRelationsDense(); err != nil {
		return nil, err
	} else if !ok {
		if err := r.scan("relations", true, true, false, r.relation); err != nil {
			return nil, err
		}
	}
	if opt.Clip != nil {
		if err := r.scanInside(); err != nil {
			return nil, err
		}
	}
	if ok, err := r.scanWaysDense(); err != nil {
		return nil, err
	} else if !ok {
		if err := r.scan("ways", true, false, true, r.way); err != nil {
			return nil, err
		}
	}
	r.prepareNodes()
	if ok, err := r.scanNodesDense(); err != nil {
		return nil, err
	} else if !ok {
		if err := r.scan("nodes", false, true, true, r.node); err != nil {
			return nil, err
		}
	}
	// Without a bounding box in the header (osmium extracts often have
	// none) the bounds are those of the nodes read. The zero Bound is not
	// "empty" to orb, so the header's box is tracked by a flag.
	if !r.headerBounds && r.anyNode {
		r.ex.Bounds = r.nodeBound
	}
	r.finish()
	return r.ex, nil
}

// useIndex is false only in tests that compare reads with and without
// the block index.
var useIndex = true

// indexBlocks notes which kinds of element each block of the file holds
// (see blockIndex); on any trouble it leaves r.index nil and every pass
// reads the whole file.
func (r *reader) indexBlocks() {
	f, err := os.Open(r.path)
	if err != nil {
		return
	}
	defer f.Close()
	r.index, _ = indexBlocks(f, r.bufs)
}

// scanInside lists the nodes inside Options.Clip. Only their ids are kept;
// the decoder drops every other node.
func (r *reader) scanInside() error {
	clip := *r.opt.Clip
	if ok, err := r.scanInsideDense(clip); err != nil {
		return err
	} else if ok {
		slices.Sort(r.inside)
		r.inside = slices.Compact(r.inside)
		return nil
	}
	r.inside = []int64{}
	r.filter = func(n *osm.Node) bool { return clip.Contains(orb.Point{n.Lon, n.Lat}) }
	defer func() { r.filter = nil }()
	err := r.scan("clip", false, true, true, func(o osm.Object) {
		if n, ok := o.(*osm.Node); ok {
			r.inside = append(r.inside, int64(n.ID))
		}
	})
	slices.Sort(r.inside)
	r.inside = slices.Compact(r.inside)
	return err
}

// kept says whether a way or tagged node belongs to the clipped part: always
// without Options.Clip, else when one of its nodes lies inside.
func (r *reader) kept(nodes []int64) bool {
	if r.inside == nil {
		return true
	}
	for _, id := range nodes {
		if _, ok := slices.BinarySearch(r.inside, id); ok {
			return true
		}
	}
	return false
}

// scan runs one streaming pass over the file, calling fn for each element
// the skips let through.
func (r *reader) scan(stage string, skipNodes, skipWays, skipRels bool, fn func(osm.Object)) error {
	f, err := os.Open(r.path)
	if err != nil {
		return fmt.Errorf("read %s: %w", r.path, err)
	}
	defer f.Close()
	// Only a read without the block index gets here: the whole file.
	size := r.size
	s := osmpbf.New(r.ctx, f, r.procs)
	defer s.Close()
	s.SkipNodes, s.SkipWays, s.SkipRelations = skipNodes, skipWays, skipRels
	if !skipNodes {
		// Untagged nodes no kept way uses can be dropped inside the
		// decoder, which then reuses their memory (the bounds of a file
		// without a header box then come from the nodes kept). The filter runs on
		// decoder goroutines and only reads r.needed, fixed by now. It
		// must be set before Header starts the decoders.
		s.FilterNode = func(n *osm.Node) bool { return len(n.Tags) > 0 || r.neededIndex(int64(n.ID)) >= 0 }
		if r.filter != nil {
			s.FilterNode = r.filter
		}
	}
	h, err := s.Header()
	if err != nil {
		return r.damaged(stage, err)
	}
	if h != nil && stage == "relations" {
		r.ex.Timestamp = h.ReplicationTimestamp
		if b := h.Bounds; b != nil {
			r.ex.Bounds = orb.Bound{Min: orb.Point{b.MinLon, b.MinLat}, Max: orb.Point{b.MaxLon, b.MaxLat}}
			r.headerBounds = true
		}
	}
	last := time.Now()
	for s.Scan() {
		fn(s.Object())
		if r.opt.Progress != nil && time.Since(last) >= 100*time.Millisecond {
			last = time.Now()
			r.opt.Progress(stage, s.FullyScannedBytes(), size)
		}
	}
	if err := s.Err(); err != nil {
		return r.damaged(stage, err)
	}
	if r.opt.Progress != nil {
		r.opt.Progress(stage, size, size)
	}
	return nil
}

func (r *reader) damaged(stage string, err error) error {
	if cerr := r.ctx.Err(); cerr != nil {
		return fmt.Errorf("read %s: %w", r.path, cerr)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("read %s: %w", r.path, err)
	}
	return fmt.Errorf("read %s: file is damaged or truncated, not a complete OSM PBF file (reading %s): %w", r.path, stage, err)
}

func (r *reader) addProblem(sev problem.Severity, typ string, id int64, field, value, msg string, args ...any) {
	r.ex.Problems.Add(problem.Problem{
		Severity: sev, File: r.path, Feature: typ + "/" + strconv.FormatInt(id, 10),
		Field: field, Value: value, Message: fmt.Sprintf(msg, args...),
	})
}

// classify returns the place category of tags, or -1, building a tag map
// only when some tag could meet a rule.
func (r *reader) classify(tags osm.Tags) (int, map[string]string) {
	for _, t := range tags {
		if r.match.Relevant(t.Key, t.Value) {
			cat, kept, ok := r.match.Classify(tags.Map())
			if !ok {
				return -1, nil
			}
			return cat, kept
		}
	}
	return -1, nil
}

func (r *reader) relation(o osm.Object) {
	rel, ok := o.(*osm.Relation)
	if !ok || len(rel.Tags) == 0 {
		return
	}
	typ := rel.Tags.Find("type")
	cat, kept := r.classify(rel.Tags)
	a := &areaRel{id: int64(rel.ID), name: rel.Tags.Find("name"), placeCat: cat, placeTags: kept}
	if rel.Tags.Find("boundary") == "administrative" {
		lvl := rel.Tags.Find("admin_level")
		for _, want := range r.opt.AdminLevels {
			if lvl == want {
				a.boundary = lvl
			}
		}
	}
	if k := rel.Tags.Find("place"); townKinds[k] {
		a.townKind = k
		a.population = rel.Tags.Find("population")
	}
	if cat < 0 && a.boundary == "" && a.townKind == "" {
		return
	}
	if typ != "multipolygon" && typ != "boundary" {
		if cat >= 0 {
			r.addProblem(problem.Skipped, "relation", a.id, "type", typ,
				"relation tagged as a %s place is not a multipolygon, so it has no area to place it by", r.cats[cat].Name)
		}
		return
	}
	for _, mem := range rel.Members {
		if mem.Type != osm.TypeWay {
			continue
		}
		switch mem.Role {
		case "inner":
			a.inner = append(a.inner, mem.Ref)
		case "outer", "":
			a.outer = append(a.outer, mem.Ref)
			if cat >= 0 {
				r.relOuter[mem.Ref] = cat
			}
		default:
			continue
		}
		r.memberWays[mem.Ref] = nil
	}
	r.rels = append(r.rels, a)
}

func wayNodes(w *osm.Way) []int64 {
	ids := make([]int64, len(w.Nodes))
	for i, n := range w.Nodes {
		ids[i] = int64(n.ID)
	}
	return ids
}

func (r *reader) way(o osm.Object) {
	w, ok := o.(*osm.Way)
	if !ok {
		return
	}
	if _, member := r.memberWays[int64(w.ID)]; !member && len(w.Tags) == 0 {
		return
	}
	r.keepWay(r.readWay(int64(w.ID), w.Tags, wayNodes(w)))
}

// keptWay is what the ways pass keeps of one way.
type keptWay struct {
	id     int64
	nodes  []int64
	member bool // some relation lists it: its nodes are its shape there
	street bool
	tags   street.Tags // a street's
	shape  *pendingWay // kept for its shape, or nil
}

// readWay works out what to keep of a way. It only reads the reader's
// state (relation members, the clip, the categories), so it may run on any
// goroutine during the ways pass.
func (r *reader) readWay(id int64, tags osm.Tags, nodes []int64) keptWay {
	k := keptWay{id: id, nodes: nodes}
	_, k.member = r.memberWays[id]
	if len(tags) == 0 {
		return k
	}
	in := r.kept(nodes)
	if tags.Find("highway") != "" && in {
		k.street, k.tags = true, make(street.Tags, len(tags))
		for i, t := range tags {
			k.tags[i] = street.Tag{Key: t.Key, Value: t.Value}
		}
	}
	p := pendingWay{id: id, placeCat: -1, name: tags.Find("name")}
	p.placeCat, p.placeTags = r.classify(tags)
	if c, ok := r.relOuter[id]; ok && c == p.placeCat {
		p.placeCat, p.placeTags = -1, nil // old-style multipolygon: the relation is the place
	}
	p.stop = stopKind(tags)
	if k := tags.Find("place"); townKinds[k] {
		p.townKind, p.pop = k, tags.Find("population")
	}
	p.water, p.waterArea = waterKind(tags)
	if !in {
		// Outside the clipped part only towns count (as population
		// centres and control totals, wherever they are).
		p.placeCat, p.placeTags, p.stop, p.water = -1, nil, "", ""
	}
	if p.placeCat >= 0 || p.stop != "" || p.townKind != "" || p.water != "" {
		p.nodes = nodes
		k.shape = &p
	}
	return k
}

// keepWay records a way, in file order.
func (r *reader) keepWay(k keptWay) {
	if k.member {
		r.memberWays[k.id] = k.nodes
	}
	if k.street {
		r.streets = append(r.streets, street.Way{ID: k.id, Tags: k.tags, Nodes: k.nodes})
	}
	if k.shape != nil {
		r.shapes = append(r.shapes, *k.shape)
	}
}

// prepareNodes lists, sorted and without repeats, the nodes whose
// coordinates the kept ways need.
func (r *reader) prepareNodes() {
	n := 0
	for _, w := range r.streets {
		n += len(w.Nodes)
	}
	for _, p := range r.shapes {
		n += len(p.nodes)
	}
	for _, nodes := range r.memberWays {
		n += len(nodes)
	}
	ids := make([]int64, 0, n)
	for _, w := range r.streets {
		ids = append(ids, w.Nodes...)
	}
	for _, p := range r.shapes {
		ids = append(ids, p.nodes...)
	}
	for _, nodes := range r.memberWays {
		ids = append(ids, nodes...)
	}
	sortIDs(ids)
	r.needed = slices.Compact(ids)
	r.coords = make([]orb.Point, len(r.needed))
	r.have = make([]bool, len(r.needed))
}

// neededIndex returns the index of node id in r.needed, or -1.
func (r *reader) neededIndex(id int64) int {
	i, ok := slices.BinarySearch(r.needed, id)
	if !ok {
		return -1
	}
	return i
}

func (r *reader) node(o osm.Object) {
	n, ok := o.(*osm.Node)
	if !ok {
		return
	}
	pt := orb.Point{n.Lon, n.Lat}
	r.anyNode = true
	r.nodeBound = r.nodeBound.Extend(pt)
	id := int64(n.ID)
	if i := r.neededIndex(id); i >= 0 {
		r.coords[i], r.have[i] = pt, true
	}
	if len(n.Tags) == 0 {
		return
	}
	in := r.opt.Clip == nil || r.opt.Clip.Contains(pt)
	if cat, kept := r.classify(n.Tags); cat >= 0 && in {
		c := r.cats[cat]
		r.ex.Places = append(r.ex.Places, place.Place{
			Source: "osm", OSMType: "node", OSMID: id, Name: n.Tags.Find("name"),
			Category: c.Name, Faith: c.Faith, Point: pt, Access: []orb.Point{pt}, Tags: kept,
		})
	}
	if k := stopKind(n.Tags); k != "" && in {
		r.ex.Stops = append(r.ex.Stops, Stop{OSMType: "node", OSMID: id, Name: n.Tags.Find("name"), Kind: k, Point: pt})
	}
	if k := n.Tags.Find("place"); townKinds[k] {
		r.addTown("node", id, n.Tags.Find("name"), k, n.Tags.Find("population"), pt)
	}
}

func (r *reader) addTown(typ string, id int64, name, kind, pop string, pt orb.Point) {
	if name == "" {
		r.addProblem(problem.Skipped, typ, id, "name", "", "place=%s without a name cannot label a map", kind)
		return
	}
	t := Town{OSMType: typ, OSMID: id, Name: name, Kind: kind, Point: pt}
	if pop != "" {
		clean := strings.NewReplacer(",", "", " ", "", "_", "", ".", "").Replace(pop)
		if v, err := strconv.Atoi(clean); err == nil && v >= 0 {
			t.Population = v
		} else {
			r.addProblem(problem.Warning, typ, id, "population", pop, "population is not a whole number; taken as 0")
		}
	}
	if typ == "node" {
		r.nodeTowns = append(r.nodeTowns, t)
	}
	r.ex.Towns = append(r.ex.Towns, t)
}

// points resolves node ids to coordinates, dropping nodes the file lacks.
func (r *reader) points(ids []int64) (orb.LineString, int) {
	ls := make(orb.LineString, 0, len(ids))
	missing := 0
	at := nextNeeded{needed: r.needed}
	for _, id := range ids {
		if i := at.index(id); i >= 0 && r.have[i] {
			ls = append(ls, r.coords[i])
		} else {
			missing++
		}
	}
	return ls, missing
}

func (r *reader) finish() {
	r.finishStreets()
	total := int64(len(r.shapes) + len(r.rels))
	var done int64
	last := time.Now()
	tick := func() {
		done++
		if r.opt.Progress != nil && (time.Since(last) >= 100*time.Millisecond || done == total) {
			last = time.Now()
			r.opt.Progress("geometry", done, total)
		}
	}
	// The geometry (coordinates, rings, GEOS's repairs and points on the
	// surface) on all cores, each worker with its own GEOS context; what
	// comes of it is then recorded in order.
	shapes := make([]shapeGeom, len(r.shapes))
	rels := make([]shapeGeom, len(r.rels))
	shapers := make(chan *shaper, runtime.GOMAXPROCS(0))
	par.Each(len(shapes)+len(rels), func(k int) {
		var sh *shaper
		select {
		case sh = <-shapers:
		default:
			sh = newShaper()
		}
		if k < len(shapes) {
			shapes[k] = r.wayGeom(r.shapes[k], sh)
		} else {
			rels[k-len(shapes)] = r.relationGeom(r.rels[k-len(shapes)], sh)
		}
		select {
		case shapers <- sh:
		default:
		}
	})
	for i, p := range r.shapes {
		r.finishWay(p, &shapes[i])
		shapes[i] = shapeGeom{}
		tick()
	}
	for i, a := range r.rels {
		r.finishRelation(a, &rels[i])
		rels[i] = shapeGeom{}
		tick()
	}
	r.dedupeTowns()
	place.Sort(r.ex.Places, r.cats)
	sort.Slice(r.ex.Stops, func(i, j int) bool {
		a, b := r.ex.Stops[i], r.ex.Stops[j]
		if a.OSMType != b.OSMType {
			return a.OSMType == "node"
		}
		return a.OSMID < b.OSMID
	})
	sort.Slice(r.ex.Towns, func(i, j int) bool {
		a, b := r.ex.Towns[i], r.ex.Towns[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.OSMType != b.OSMType {
			return a.OSMType < b.OSMType
		}
		return a.OSMID < b.OSMID
	})
	sort.Slice(r.ex.Water, func(i, j int) bool { return r.ex.Water[i].OSMID < r.ex.Water[j].OSMID })
	sort.Slice(r.ex.Boundaries, func(i, j int) bool {
		a, b := r.ex.Boundaries[i], r.ex.Boundaries[j]
		la, _ := strconv.Atoi(a.AdminLevel)
		lb, _ := strconv.Atoi(b.AdminLevel)
		if la != lb {
			return la < lb
		}
		return a.OSMID < b.OSMID
	})
}

func (r *reader) finishStreets() {
	// In file order, which in a sorted file is already by id.
	if !slices.IsSortedFunc(r.streets, func(a, b street.Way) int { return cmp.Compare(a.ID, b.ID) }) {
		sort.Slice(r.streets, func(i, j int) bool { return r.streets[i].ID < r.streets[j].ID })
	}
	r.ex.Ways = make([]street.Way, 0, len(r.streets))
	// The lookups, on all cores (they only read); the rest in order. Each
	// node found keeps its coordinates and its place in r.needed, which
	// numbers it for the graph builder (street.Way.Refs).
	type resolved struct {
		pts     orb.LineString
		refs    []int32
		kept    []int64 // the nodes found, when some are missing
		missing int
	}
	res := make([]resolved, len(r.streets))
	par.Chunks(len(r.streets), 4096, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ids := r.streets[i].Nodes
			rs := resolved{pts: make(orb.LineString, 0, len(ids)), refs: make([]int32, 0, len(ids))}
			// A way's nodes often have near ids (drawn at one time):
			// each is looked for from the last one's place.
			at := nextNeeded{needed: r.needed}
			for j, id := range ids {
				k := at.index(id)
				if k < 0 || !r.have[k] {
					if rs.missing == 0 {
						rs.kept = append(rs.kept, ids[:j]...)
					}
					rs.missing++
					continue
				}
				rs.pts = append(rs.pts, r.coords[k])
				rs.refs = append(rs.refs, int32(k))
				if rs.missing > 0 {
					rs.kept = append(rs.kept, id)
				}
			}
			res[i] = rs
		}
	})
	for k, w := range r.streets {
		pts, missing := res[k].pts, res[k].missing
		w.Refs = res[k].refs
		if missing == 0 && len(pts) < 2 {
			r.addProblem(problem.Skipped, "way", w.ID, "highway", w.Highway(), "street has only %d node", len(pts))
			continue
		}
		if missing > 0 {
			w.Nodes = res[k].kept
			if len(pts) < 2 {
				r.addProblem(problem.Skipped, "way", w.ID, "highway", w.Highway(),
					"street has %d of its %d nodes in the file; fewer than 2 left", len(pts), len(pts)+missing)
				continue
			}
			r.addProblem(problem.Warning, "way", w.ID, "highway", w.Highway(),
				"%d of the street's %d nodes are missing from the file; dropped them", missing, len(pts)+missing)
		}
		w.Points = []orb.Point(pts)
		r.ex.Ways = append(r.ex.Ways, w)
	}
	r.streets = nil
}

// areaInfo is the shape summary a place, stop or town takes from an area.
type areaInfo struct {
	point  orb.Point
	geom   orb.MultiPolygon
	areaM2 float64
}

// surface makes mp valid and measures it, recording what went wrong.
// shapeGeom is what a worker makes of a way kept for its shape (wayGeom)
// or of an area relation (relationGeom), for finishWay and finishRelation
// to record in order.
type shapeGeom struct {
	ls      orb.LineString // a way's points
	missing int            // a way's nodes not in the file
	absent  int            // a relation's member ways not in the file
	err     error          // a relation's rings cannot be assembled
	orphans int            // inner rings in no outer ring
	surf    surfaced       // the area, when there is one
}

// surfaced is an area made valid, with a point on its surface and its
// size, or the error that stopped GEOS.
type surfaced struct {
	valid    orb.MultiPolygon
	pt       orb.Point
	areaM2   float64
	repaired bool
	err      error
}

func (s *shaper) surfaced(mp orb.MultiPolygon) surfaced {
	var out surfaced
	out.valid, out.pt, out.repaired, out.err = s.surface(mp)
	if out.err == nil {
		out.areaM2 = areaM2(out.valid)
	}
	return out
}

// takeSurface records what became of an area and returns its summary.
func (r *reader) takeSurface(typ string, id int64, s *surfaced) (areaInfo, bool) {
	if s.err != nil {
		r.addProblem(problem.Skipped, typ, id, "", "", "bad area: %v", s.err)
		return areaInfo{}, false
	}
	if s.repaired {
		r.addProblem(problem.Warning, typ, id, "", "", "invalid polygon repaired with make-valid")
	}
	return areaInfo{point: s.pt, geom: s.valid, areaM2: s.areaM2}, true
}

// wayGeom looks up a shape's points and, for a closed way that finishWay
// will take as an area, makes its surface. It only reads the reader.
func (r *reader) wayGeom(p pendingWay, sh *shaper) shapeGeom {
	var g shapeGeom
	g.ls, g.missing = r.points(p.nodes)
	if p.water != "" && p.placeCat < 0 && p.stop == "" && p.townKind == "" {
		return g // water only: drawn as it is
	}
	if ls := g.ls; len(ls) >= 4 && ls[0] == ls[len(ls)-1] {
		g.surf = sh.surfaced(orb.MultiPolygon{{orb.Ring(ls)}})
	}
	return g
}

func (r *reader) finishWay(p pendingWay, g *shapeGeom) {
	ls, missing := g.ls, g.missing
	if p.water != "" {
		// Water only draws the base map: a way cut at the extract's edge
		// is drawn as far as it goes (an area only when still closed),
		// and is no problem of the data.
		closed := len(ls) >= 4 && ls[0] == ls[len(ls)-1]
		if len(ls) > 1 && (closed || !p.waterArea) {
			r.ex.Water = append(r.ex.Water, Water{OSMID: p.id, Kind: p.water, Area: p.waterArea, Line: ls})
		}
		if p.placeCat < 0 && p.stop == "" && p.townKind == "" {
			return
		}
	}
	if missing > 0 {
		r.addProblem(problem.Warning, "way", p.id, "", "", "%d of the way's %d nodes are missing from the file; dropped them", missing, len(p.nodes))
	}
	if len(ls) == 0 {
		r.addProblem(problem.Skipped, "way", p.id, "", "", "none of the way's nodes are in the file")
		return
	}
	closed := len(ls) >= 4 && ls[0] == ls[len(ls)-1]
	info := areaInfo{point: ls[0]}
	if closed {
		var ok bool
		if info, ok = r.takeSurface("way", p.id, &g.surf); !ok {
			return
		}
	} else if len(ls) > 1 {
		info.point = lineMiddle(ls)
	}
	if p.placeCat >= 0 {
		c := r.cats[p.placeCat]
		if !closed {
			r.addProblem(problem.Warning, "way", p.id, "", "",
				"way tagged as a %s place is not a closed area; placed at the middle of the line", c.Name)
		}
		r.ex.Places = append(r.ex.Places, r.newPlace("way", p.id, p.name, c, p.placeTags, info))
	}
	if p.stop != "" {
		r.ex.Stops = append(r.ex.Stops, Stop{OSMType: "way", OSMID: p.id, Name: p.name, Kind: p.stop, Point: info.point})
	}
	if p.townKind != "" {
		r.addTown("way", p.id, p.name, p.townKind, p.pop, info.point)
	}
}

func (r *reader) newPlace(typ string, id int64, name string, c place.Category, tags map[string]string, info areaInfo) place.Place {
	pl := place.Place{
		Source: "osm", OSMType: typ, OSMID: id, Name: name, Category: c.Name, Faith: c.Faith,
		Point: info.point, Access: []orb.Point{info.point}, AreaM2: info.areaM2, Tags: tags,
	}
	if info.areaM2 > r.opt.LargeAreaM2 && len(info.geom) > 0 {
		pl.Access = edgePoints(info.geom, r.opt.EdgeSpacing)
	}
	return pl
}

// relationGeom assembles a relation's rings and makes its surface. It
// only reads the reader.
func (r *reader) relationGeom(a *areaRel, sh *shaper) shapeGeom {
	var g shapeGeom
	rings := func(wayIDs []int64) ([]orb.Ring, error) {
		var ways [][]int64
		for _, id := range wayIDs {
			if nodes := r.memberWays[id]; nodes != nil {
				ways = append(ways, nodes)
			} else {
				g.absent++
			}
		}
		ids, err := assembleRings(ways)
		if err != nil {
			return nil, err
		}
		var out []orb.Ring
		for _, ring := range ids {
			ls, missing := r.points(ring)
			if missing > 0 {
				return nil, fmt.Errorf("%d nodes of a ring are missing from the file", missing)
			}
			out = append(out, orb.Ring(ls))
		}
		return out, nil
	}
	outers, err := rings(a.outer)
	var inners []orb.Ring
	if err == nil {
		inners, err = rings(a.inner)
	}
	if err == nil && len(outers) == 0 {
		err = errors.New("no outer ring")
	}
	if g.err = err; err != nil {
		return g
	}
	var mp orb.MultiPolygon
	mp, g.orphans = buildMultiPolygon(outers, inners)
	g.surf = sh.surfaced(mp)
	return g
}

func (r *reader) finishRelation(a *areaRel, g *shapeGeom) {
	if g.err != nil {
		r.addProblem(problem.Skipped, "relation", a.id, "name", a.name,
			"area cannot be assembled: %v (%d of %d member ways are not in the file; the extract probably cut it at its edge)",
			g.err, g.absent, len(a.outer)+len(a.inner))
		return
	}
	if g.orphans > 0 {
		r.addProblem(problem.Warning, "relation", a.id, "name", a.name, "%d inner rings lie in no outer ring; ignored them", g.orphans)
	}
	info, ok := r.takeSurface("relation", a.id, &g.surf)
	if !ok {
		return
	}
	if a.placeCat >= 0 {
		r.ex.Places = append(r.ex.Places, r.newPlace("relation", a.id, a.name, r.cats[a.placeCat], a.placeTags, info))
	}
	if a.boundary != "" {
		r.ex.Boundaries = append(r.ex.Boundaries, Boundary{OSMID: a.id, Name: a.name, AdminLevel: a.boundary, Geom: info.geom})
	}
	if a.townKind != "" {
		r.addTown("relation", a.id, a.name, a.townKind, a.population, info.point)
	}
}

// dedupeTowns drops a way or relation town when a node of the same name lies
// within 5 km: the node is the settlement's own label point, while the area's
// point-on-surface can fall anywhere inside it. Kinds are not compared: real
// data disagree with themselves (Delaware 2016 tags the Milford relation
// place=city and its node place=town), and one settlement must not be
// labelled twice.
func (r *reader) dedupeTowns() {
	out := r.ex.Towns[:0]
	for _, t := range r.ex.Towns {
		dup := false
		if t.OSMType != "node" {
			for _, n := range r.nodeTowns {
				if n.Name == t.Name && geo.Distance(n.Point, t.Point) <= 5000 {
					dup = true
					break
				}
			}
		}
		if !dup {
			out = append(out, t)
		}
	}
	r.ex.Towns = out
}

// MaxWayValue returns the largest value parse gives to tag key of any
// highway way in the file (0 when none parses): one pass over the ways,
// keeping nothing. A sharded run uses it to bound how far a car can go.
func MaxWayValue(ctx context.Context, path, key string, parse func(string) (float64, bool)) (float64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	r := &reader{ctx: ctx, path: path, size: fi.Size(), ex: &Extract{Path: path}, procs: min(runtime.GOMAXPROCS(0), 8), bufs: newBlockBufs()}
	// On the block index, the way blocks on all cores; osmpbf's pass over
	// the whole file without one, or when a block is not as the decoders
	// expect.
	if useIndex {
		r.indexBlocks()
	}
	if blocks := r.blocksOf(kindWay); blocks != nil {
		bests := make([]float64, len(blocks))
		err := r.eachBlock(blocks, func(k int, b *primBlock) error {
			return eachWayMsg(b, func(_ int64, tags osm.Tags, _ []int64) {
				if tags.Find("highway") == "" {
					return
				}
				if v, ok := parse(tags.Find(key)); ok && v > bests[k] {
					bests[k] = v
				}
			})
		})
		if err == nil {
			return slices.Max(append(bests, 0)), nil
		}
		if !errors.Is(err, errStaleIndex) {
			return 0, err
		}
	}
	best := 0.0
	err = r.scan("ways", true, false, true, func(o osm.Object) {
		w, ok := o.(*osm.Way)
		if !ok || w.Tags.Find("highway") == "" {
			return
		}
		if v, ok := parse(w.Tags.Find(key)); ok && v > best {
			best = v
		}
	})
	return best, err
}
