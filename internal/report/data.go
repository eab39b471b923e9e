// Package report writes the single, self-contained HTML file planners open
// from disk: findings in plain sentences, an interactive map, charts, ranked
// areas and the methods behind every number. The page loads nothing from the
// network; Leaflet, ECharts and the data are inlined.
package report

// Data is everything a report shows. The pipeline fills it; Render only
// formats, so every number in the page can be traced back to one field here.
type Data struct {
	Title, Subtitle string
	ToolVersion     string
	// Estimate marks population as estimated from street length, which the
	// page must say prominently because it changes how far numbers can be trusted.
	Estimate       bool
	PopulationNote string
	Categories     []Category
	Classes        []Class
	CellSize       float64 // metres, side of a grid cell
	// Origins says what the origins are, so the map draws each as what it
	// is: "grid" (squares of CellSize), "points" (the user's points) or
	// "polygons" (one per census polygon, at its population-weighted
	// point); points and polygons are drawn as circles whose area grows
	// with their people, the largest OriginRadius metres across.
	Origins      string
	OriginRadius float64
	Cells        Cells
	Places       []Place
	Roads        []Road // major roads, the map's only base layer (no tile server)
	Stops        []Stop // transit stops tagged in OSM, an optional layer
	Thresholds   []Threshold
	Summary      []CategoryRow
	ClassRows    []ClassRow
	Areas        []AreaRow // ranked worst first
	// RankCategory is the category (index into Categories) whose
	// underserved residents rank the areas; -1 means underserved for at
	// least one category.
	RankCategory int
	// Groups is access by population group (empty when the population layer
	// has no group fields); NeedUnderserved is the need-weighted count of
	// underserved people per category, with NeedNote saying how it weighs.
	Groups          []GroupRow
	NeedUnderserved []float64
	NeedNote        string
	// Inequality summarises how unequally access is spread across people,
	// per category and mode; Lorenz holds population-weighted Lorenz curves
	// to plot. MeasureNote says which measure they are of.
	Inequality  []InequalityRow
	Lorenz      []LorenzSeries
	MeasureNote string
	// Scenario compares a changed set of places with today; nil without.
	Scenario *ScenarioData
	// Invest is where new places would help most; nil without siting.
	Invest *InvestData
	// Transit is nil when the study has no public transport.
	Transit *TransitData
	// Completeness lists areas where far fewer places of a kind are mapped
	// than the study-wide rate per person predicts, worst first.
	Completeness []CompletenessRow
	// Sensitivity says how the ranking holds up when the thresholds change;
	// nil when it was not computed.
	Sensitivity *Sensitivity
	// TimeBands labels the columns of WalkShare and DriveShare, e.g. "0–5",
	// "5–10", ..., "60+", "unreachable". The upper bounds of "a–b" labels
	// also become the map's colour breaks.
	TimeBands             []string
	WalkShare, DriveShare [][]float64 // [category][band] share of population (0..1)
	Inputs                []Input
	OSMDate               string
	PopulationSource      string
	Parameters            []Param
	Caveats               []string
	Warnings              []string
	// Towns label the map: cities, towns and villages from the OSM extract.
	Towns []Town
	// Water is drawn under everything for orientation: lakes and
	// riverbanks as areas, rivers, canals and the coastline as lines.
	Water []Water
	// Files lists every file the run writes beside the report, so a reader
	// can go from the page to the data; Rerun is the exact command that
	// writes them again and ConfigSHA256 the checksum of its config file.
	Files        []OutputFile
	Rerun        string
	ConfigSHA256 string
}

// Town is a place name on the map. Kind is the OSM place value (city, town
// or village); Population, from the OSM population tag, decides from which
// zoom the label shows (0 when untagged).
type Town struct {
	Name, Kind string
	Lon, Lat   float64
	Population int
}

// Water is one simplified water shape of the base map: a closed ring
// when Area, else a line (lon, lat).
type Water struct {
	Area   bool
	Coords [][2]float64
}

// OutputFile is one file of a run, named relative to the report, with a
// line on what it holds.
type OutputFile struct {
	Name, About string
}

// Category is one kind of gathering place. Faith marks places of worship,
// which the page explains separately because not everyone uses them.
type Category struct {
	Name, Label string
	Faith       bool
	Color       string // hex, e.g. "#0072b2"
	// Composite marks a combination of other categories ("any gathering
	// place"): it is measured like the others but holds no places of its own,
	// so the map has no place layer for it.
	Composite bool
	// Members are the indexes of the categories a combination joins; when
	// its minutes are the least of theirs in every cell, the page derives
	// them instead of carrying them.
	Members []int
}

// Class is a settlement class (urban, rural, remote); Rule says in plain
// words how a cell earns it, so a planner can check the classing.
type Class struct {
	Name, Label, Rule, Color string
}

// Cells is the population grid in columns: every slice has one value per cell
// (Walk and Drive one row per category), which keeps 40,000 cells compact.
type Cells struct {
	Lon, Lat []float64 // cell centres
	// ID is each origin's id from the input (hexagon, block, tract), for
	// points and per-polygon origins; nil for grid cells.
	ID    []string
	Pop   []float64
	Class []uint8 // index into Data.Classes
	// Walk and Drive are [category][cell] minutes to the nearest place of that
	// category; NaN or negative means unreachable.
	Walk, Drive [][]float32
	Under       []uint32 // bit c set: underserved for category c
	Count15     []uint16 // gathering places within a 15-minute walk
	Kinds15     []uint8  // distinct categories within a 15-minute walk
	Area        []int32  // index into AreaNames (the cell's main area), -1 none
	// Gained and Lost: bit c set when the scenario brings the cell within
	// (Gained) or takes it beyond (Lost) its standard for category c.
	Gained, Lost []uint32
	// Remote is the ARIA-style remoteness score, 0 (accessible) to 15
	// (remote); empty when not computed.
	Remote    []float64
	AreaNames []string
}

// Len returns the number of cells.
func (c *Cells) Len() int { return len(c.Lon) }

// Place is one gathering place shown on the map. OSM is the element id as
// text ("way/123") so a planner can look it up or fix it in OpenStreetMap.
type Place struct {
	Lon, Lat float64
	Name     string
	Category int // index into Data.Categories
	OSM      string
	Tags     map[string]string
}

// Road is one major road drawn as orientation on the map.
type Road struct {
	Class  string       // OSM highway value, e.g. "motorway"
	Coords [][2]float64 // lon, lat
}

// Stop is a transit stop: tagged in OSM, or from the GTFS feeds when the
// study has transit. PerHour gives departures per hour in each transit
// window (empty for OSM stops).
type Stop struct {
	Lon, Lat   float64
	Name, Kind string
	PerHour    []float64
}

// TransitData is access by scheduled public transport with walking.
type TransitData struct {
	Summary string // feeds, service date, settings, in words
	Windows []TransitWindow
	Routes  [][][2]float64 // one line per stop pattern, lon/lat
}

// TransitWindow is one departure window's results.
type TransitWindow struct {
	Name string // e.g. "weekday evening, 18:00–20:00"
	// Minutes[c][cell]: the reported percentile of the trip to the nearest
	// place of category c; negative when unreachable.
	Minutes [][]float32
	Within  []float64 // per category: residents within their class's transit standard
	Under   []float64 // per category: residents beyond it
	// Unreached names the places no resident reaches within the standard.
	Unreached []string
}

// Threshold is the standard a class is held to: the longest acceptable trip
// to the nearest place of each category.
type Threshold struct {
	Class   string // Class.Name
	Mode    string // "walk" or "drive"
	Minutes float64
}

// CategoryRow summarises one category over the whole study area.
type CategoryRow struct {
	Category         int // index into Data.Categories
	Places           int
	PopWalk15        float64   // people within a 15-minute walk of one
	Underserved      float64   // people beyond their class's standard
	UnderservedShare float64   // Underserved / total population (0..1)
	ByClass          []float64 // underserved people per class index
}

// ClassRow summarises one settlement class.
type ClassRow struct {
	Class      int // index into Data.Classes
	Cells      int
	Population float64
}

// AreaRow is one administrative area (tract, county...) in the ranking.
// Underserved counts residents underserved for Data.RankCategory (for at
// least one category when it is -1); Share is Underserved / Population;
// ByCategory holds underserved residents per category index.
type AreaRow struct {
	Name, Level                    string
	ID                             string // the area's id in its source (census GEOID, OSM relation), "" when none
	Population, Underserved, Share float64
	ByCategory                     []float64
	// Stay is the share of threshold settings (0..1) under which the area
	// stays in the top Sensitivity.TopN; negative when not computed.
	Stay float64
}

// Sensitivity summarises the ranking recomputed under other thresholds.
type Sensitivity struct {
	Settings int    // threshold settings tried, the baseline included
	TopN     int    // size of the top list compared
	Varied   string // what was varied, in words
	// Overlap is the mean share of the baseline's top N found in the other
	// settings' top N; SpearmanMean and SpearmanMin summarise the rank
	// correlation of every setting's ranking with the baseline's.
	Overlap, SpearmanMean, SpearmanMin float64
	// Decay compares the ranking with rankings by gravity access under
	// other decay parameters.
	Decay []DecayRow
}

// DecayRow is the ranking by gravity access under one decay parameter.
type DecayRow struct {
	Beta, Overlap, Spearman float64
}

// Input is one file the run read, with its checksum so a reader can tell
// whether a later run used the same data.
type Input struct {
	Role, Path, SHA256 string
	Bytes              int64
	Note               string
}

// Param is one run parameter as the user would write it.
type Param struct {
	Key, Value string
}

// GroupRow is one population group's access, per category.
type GroupRow struct {
	Label       string
	Population  float64
	NeedWeight  float64
	Underserved []float64 // people of the group underserved, per category
	MeanWalk    []float64 // population-weighted mean minutes on foot (NaN: none reach)
	MeanDrive   []float64
}

// CompletenessRow flags one area and kind of place where mapping may be
// incomplete.
type CompletenessRow struct {
	Area, Level, Category string
	Mapped                int
	Expected              float64 // at the study-wide rate per person
}

// InequalityRow is the inequality of one access measure across people.
type InequalityRow struct {
	Category int    // index into Categories
	Mode     string // "walk" or "drive"
	Mean     float64
	Gini     float64 // 0 equal .. 1 all with one person
	Palma    float64 // share of access of the best-served 10% over the worst-served 40%
	Theil    float64
	// BetweenShare is the share of Theil inequality between area classes
	// (urban, rural, remote) rather than within them.
	BetweenShare float64
	// Concentration is the concentration index by income (negative: access
	// concentrated among the poor); NaN without an income field.
	Concentration float64
	// PovertyLine is the access below which a resident counts as poor, and
	// FGT the Foster-Greer-Thorbecke measures at that line: FGT0 the share
	// of residents below it, FGT1 the poverty gap, FGT2 its severity.
	PovertyLine float64
	FGT         [3]float64
}

// LorenzSeries is one Lorenz curve: points (share of people, share of access).
type LorenzSeries struct {
	Name   string
	Color  string
	Points [][2]float64
}

// InvestData is the outcome of choosing sites for new places.
type InvestData struct {
	Category    string  // label of the kind of place added
	Underserved float64 // people underserved for it today
	Candidates  int
	Method      string // how sites were chosen, in words
	Sites       []SiteRow
	// Bound is an upper bound on the people any k sites could newly cover.
	Bound float64
	// MedianSites and MedianMinutes: the p-median choice and the
	// people-minutes of travel it saves.
	MedianSites   []string
	MedianMinutes float64
	BudgetNote    string // the budget variant in words; empty without
	HasCosts      bool   // some candidate has a cost of its own
}

// SiteRow is one chosen site, in the order the sites were added.
type SiteRow struct {
	Name, Kind, ID string
	Lon, Lat       float64
	Gain           float64 // people it newly brings within their standard
	Total          float64 // people newly covered by it and the sites before
	Cells          int     // cells in its catchment
	Cost           float64
	Areas          string // the areas it serves most, in words
	// AreaList names every area its catchment reaches, most people first,
	// so the page can relate the site to the ranking of worst-served areas.
	AreaList []string
}

// ScenarioData is a scenario against the baseline.
type ScenarioData struct {
	Name    string
	Changes []string
	// Per category: people gaining and losing access, per class index.
	Gain, Lose [][]float64
	// Groups: people of each population group gaining and losing access to
	// the ranking category.
	Groups []ScenarioGroup
	// Opened and Closed are the places the scenario adds and removes, drawn
	// on the change map.
	Opened, Closed []Place
}

// ScenarioGroup is one population group's gains and losses.
type ScenarioGroup struct {
	Label      string
	Gain, Lose float64
}
