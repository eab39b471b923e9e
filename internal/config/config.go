// Package config reads a study's YAML config: its inputs, gathering-place
// categories, travel speeds, area classes, thresholds and output folder. It
// fills defaults and checks every value, and its errors name the config file,
// the key and what to change.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"commonground/internal/modfile"
	"commonground/internal/place"
)

// Study is one analysis: everything a run needs, read from one file.
type Study struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`

	Inputs     Inputs           `yaml:"inputs" json:"inputs"`
	Grid       Grid             `yaml:"grid" json:"grid"`
	Categories []place.Category `yaml:"categories,omitempty" json:"categories"`
	// Combinations are further groups of categories measured together, as
	// "any" and "secular" always are (say, everything but parks).
	Combinations []Combination `yaml:"combinations,omitempty" json:"combinations,omitempty"`
	// Area is the study area: a boundary, inside which people are counted
	// and ranked, and a buffer in which streets and places still count.
	// Without it, the study area is every origin the population input gives
	// (or, for an estimate, the whole extract).
	Area   *StudyArea `yaml:"study_area,omitempty" json:"study_area,omitempty"`
	Travel Travel     `yaml:"travel" json:"travel"`
	// Checks are the plausibility checks made before the analysis, with
	// thresholds a study with a deliberate exception can raise.
	Checks     Checks     `yaml:"checks" json:"checks"`
	Classes    Classes    `yaml:"classes" json:"classes"`
	Thresholds Thresholds `yaml:"thresholds" json:"thresholds"`
	Ranking    Ranking    `yaml:"ranking" json:"ranking"`
	// Transit adds scheduled public transport (GTFS) as a mode; nil without.
	Transit *Transit `yaml:"transit,omitempty" json:"transit,omitempty"`
	// Scenario names a scenario file (YAML) of places added, closed or
	// changed; the run reports the difference from the baseline.
	Scenario string `yaml:"scenario,omitempty" json:"scenario,omitempty"`
	// Siting chooses where new places would help most; nil skips it.
	Siting *Siting `yaml:"siting,omitempty" json:"siting,omitempty"`
	// Measures sets the standard access measures computed for every cell.
	Measures Measures `yaml:"measures" json:"measures"`
	// Sensitivity lists the other thresholds, in minutes, under which the
	// ranking is recomputed to show how robust it is.
	Sensitivity Sensitivity `yaml:"sensitivity" json:"sensitivity"`
	Output      Output      `yaml:"output" json:"output"`

	// Path is the config file's path; relative input paths are resolved
	// against its folder.
	Path string `yaml:"-" json:"-"`
}

// Combination is a named set of categories measured as one.
type Combination struct {
	Name       string   `yaml:"name" json:"name"`
	Label      string   `yaml:"label" json:"label"`
	Categories []string `yaml:"categories" json:"categories"`
}

// Inputs names the data a study reads.
type Inputs struct {
	// OSM is the .osm.pbf extract: a path, or "gomod:module@version/path" for
	// a file shipped inside a Go module.
	OSM string `yaml:"osm" json:"osm"`
	// Population is the census polygon layer; when absent, population is
	// estimated from residential street length scaled to Estimate.Total.
	Population *Population `yaml:"population,omitempty" json:"population,omitempty"`
	Estimate   *Estimate   `yaml:"estimate,omitempty" json:"estimate,omitempty"`
	// Facilities are municipal or agency lists of facilities that add to, or
	// replace, OpenStreetMap for a category.
	Facilities []Facilities `yaml:"facilities,omitempty" json:"facilities,omitempty"`
	// AdminLevels are the OSM boundary admin_levels summarised as areas, with
	// a label each (in the US, 6 = county, 8 = municipality).
	AdminLevels []AdminLevel `yaml:"admin_levels,omitempty" json:"admin_levels"`
}

// Population is a census polygon layer (GeoJSON or Shapefile).
type Population struct {
	Path      string `yaml:"path" json:"path"`
	IDField   string `yaml:"id_field,omitempty" json:"id_field,omitempty"`
	NameField string `yaml:"name_field,omitempty" json:"name_field,omitempty"`
	PopField  string `yaml:"pop_field" json:"pop_field"`
	// LatField and LonField name the coordinate columns of a CSV of
	// population at points (default lat, lon).
	LatField string `yaml:"lat_field,omitempty" json:"lat_field,omitempty"`
	LonField string `yaml:"lon_field,omitempty" json:"lon_field,omitempty"`
	// Source and Vintage describe the data for the report's methods section.
	Source  string `yaml:"source,omitempty" json:"source,omitempty"`
	Vintage string `yaml:"vintage,omitempty" json:"vintage,omitempty"`
	// AreaLabel names what one polygon is ("census tract").
	AreaLabel string `yaml:"area_label,omitempty" json:"area_label,omitempty"`
	// Origins says where accessibility is measured from: "points" (each
	// point of a CSV is an origin at its own coordinates, the default for
	// points), "grid" (people spread onto grid cells; the default for
	// polygons, and for points aggregates them by cell) or "polygons" (one
	// origin per polygon, at its population-weighted point).
	Origins string `yaml:"origins,omitempty" json:"origins,omitempty"`
	// IncomeField names a field of income (per person or household) used to
	// rank people for the concentration index of access; optional.
	IncomeField string `yaml:"income_field,omitempty" json:"income_field,omitempty"`
	// Groups are population fields of groups (seniors, youth, low income,
	// racial or ethnic groups) to report access for, each with an optional
	// need weight.
	Groups []Group `yaml:"groups,omitempty" json:"groups,omitempty"`
}

// Group is one population group counted by a field of the census layer.
type Group struct {
	Field string `yaml:"field" json:"field"`
	Label string `yaml:"label" json:"label"`
	// NeedWeight is how much one person of the group counts in the
	// need-weighted underserved count (0 leaves the group out of it).
	NeedWeight float64 `yaml:"need_weight,omitempty" json:"need_weight,omitempty"`
}

// Facilities is one facility list: a CSV with latitude and longitude
// columns, or a GeoJSON of points.
type Facilities struct {
	Path     string `yaml:"path" json:"path"`
	Category string `yaml:"category" json:"category"`
	// Mode is "add" (merge with OSM, duplicates kept once) or "replace"
	// (use the list instead of OSM for the category).
	Mode      string `yaml:"mode" json:"mode"`
	IDField   string `yaml:"id_field,omitempty" json:"id_field,omitempty"`
	NameField string `yaml:"name_field,omitempty" json:"name_field,omitempty"`
	LatField  string `yaml:"lat_field,omitempty" json:"lat_field,omitempty"`
	LonField  string `yaml:"lon_field,omitempty" json:"lon_field,omitempty"`
}

// StudyArea names the study's boundary: an OpenStreetMap administrative
// boundary of the extract, by name and admin_level, or a GeoJSON polygon
// file.
type StudyArea struct {
	OSMName    string `yaml:"osm_name,omitempty" json:"osm_name,omitempty"`
	AdminLevel string `yaml:"admin_level,omitempty" json:"admin_level,omitempty"`
	Path       string `yaml:"path,omitempty" json:"path,omitempty"`
	// BufferKm is how far beyond the boundary streets and places still
	// count; 0 takes the default, the straight-line reach of the longest
	// standard trip (see DefaultBufferKm).
	BufferKm float64 `yaml:"buffer_km,omitempty" json:"buffer_km,omitempty"`
}

// Checks sets the plausibility checks run on the inputs before any route is
// searched, so that wrong but parseable input (swapped coordinates, the
// wrong region, an impossible head count) stops the run with a message
// instead of becoming a confident report.
type Checks struct {
	// MaxOffNetworkShare is the largest share of people that may live
	// farther than travel.snap_max from any street (default 0.05).
	MaxOffNetworkShare float64 `yaml:"max_off_network_share" json:"max_off_network_share"`
	// MaxDensity is the most people per km² a zone (or 1 km around a
	// point) may hold (default 100,000: about twice the densest city
	// districts on Earth, Manila's and Dhaka's, in UN-Habitat figures).
	MaxDensity float64 `yaml:"max_density_per_km2" json:"max_density_per_km2"`
	// PlacesOutside is what a facility list's place outside the study
	// area and its buffer gets: error (the default) or drop.
	PlacesOutside string `yaml:"places_outside" json:"places_outside"`
}

// BufferDriveKmh is the speed at which a drive standard's minutes become the
// default buffer distance: 80 km/h, a rural arterial's speed and the speed
// Statistics Canada's Index of Remoteness assumes where road speeds are
// unknown (Alasia et al. 2017). A trip of the standard's length rarely goes
// farther than that in a straight line.
const BufferDriveKmh = 80.0

// DefaultBufferKm is the straight-line reach of the longest trip any
// standard or measure of the study considers: its minutes at walking speed
// for walk standards and at BufferDriveKmh for drive ones (and for the
// measures' longest drive).
func (s *Study) DefaultBufferKm() float64 {
	km := s.Measures.MaxMinutes / 60 * BufferDriveKmh
	for _, t := range []Threshold{s.Thresholds.Urban, s.Thresholds.Rural, s.Thresholds.Remote} {
		v := float64(BufferDriveKmh)
		if t.Mode == "walk" {
			v = s.Travel.WalkKmh
		}
		km = max(km, t.Minutes/60*v)
	}
	return km
}

// BufferKm is the study area's buffer in km: as configured, else the default.
func (s *Study) BufferKm() float64 {
	if s.Area != nil && s.Area.BufferKm > 0 {
		return s.Area.BufferKm
	}
	return s.DefaultBufferKm()
}

// Estimate is the street-based population estimate used without a census layer.
type Estimate struct {
	Total   float64 `yaml:"total" json:"total"`
	Source  string  `yaml:"source,omitempty" json:"source,omitempty"`
	Vintage string  `yaml:"vintage,omitempty" json:"vintage,omitempty"`
}

// AdminLevel is one level of OSM administrative boundaries to summarise by.
type AdminLevel struct {
	Level string `yaml:"level" json:"level"`
	Label string `yaml:"label" json:"label"`
}

// Grid sets the origin cells people are counted in.
type Grid struct {
	CellSize float64 `yaml:"cell_size" json:"cell_size"` // metres
}

// Travel sets speeds and search limits.
type Travel struct {
	WalkKmh     float64            `yaml:"walk_kmh" json:"walk_kmh"`
	DriveSpeeds map[string]float64 `yaml:"drive_speeds,omitempty" json:"drive_speeds,omitempty"` // km/h by highway class, where maxspeed is absent
	SnapMax     float64            `yaml:"snap_max" json:"snap_max"`                             // metres; cells further from any street are unreachable
	SnapSlack   *float64           `yaml:"snap_slack,omitempty" json:"-"`                        // removed: any value is an error (origins join the nearest street)
	NearbyWalk  float64            `yaml:"nearby_walk_minutes" json:"nearby_walk_minutes"`       // "places within an N-minute walk"
}

// Classes sets the rule that classes each cell urban, rural or remote.
type Classes struct {
	// Urban names the published urban density rule applied to clusters of
	// contiguous dense origins: us-census-2010 (the default), us-census-2020
	// or statcan-popctr (see internal/gap, urban.go).
	Urban string `yaml:"urban" json:"urban"`
	// DensityRadius is the radius, in metres, of the neighbourhood whose
	// people per km² an origin's density is (grid cells and points; a
	// per-polygon origin takes its polygon's own density).
	DensityRadius float64 `yaml:"density_radius" json:"density_radius"`
	// Remote names the remoteness scheme that decides the remote class:
	// usda-far (the default), statcan-ir or aria-plus. Each has fixed
	// national references, so no part of a study is remote by construction.
	Remote string `yaml:"remote" json:"remote"`
	// Also lists further remoteness schemes computed and reported beside
	// the one that decides, for comparison.
	Also []string `yaml:"also,omitempty" json:"also,omitempty"`
	// FARRemoteLevel is the USDA FAR level from which an origin is remote
	// (1, the default: an hour or more from an urban area of 50,000; up to 4).
	FARRemoteLevel int `yaml:"far_remote_level" json:"far_remote_level"`
	// ARIAMeansKm are the national mean road distances, in km, to the
	// nearest service centre of ARIA+ categories A to E, which aria-plus
	// needs (the University of Adelaide's Hugo Centre publishes them with
	// each edition).
	ARIAMeansKm []float64 `yaml:"aria_means_km,omitempty" json:"aria_means_km,omitempty"`
	// Centres is a CSV of population centres (name, lat, lon, population),
	// such as the urban areas around the study; centres beyond the study
	// area count as much as those inside it.
	Centres string `yaml:"centres,omitempty" json:"centres,omitempty"`
	// OSMCentres uses the extract's place nodes (city, town, village) with
	// a population tag that lie outside the study area as centres too
	// (default true).
	OSMCentres *bool `yaml:"osm_centres,omitempty" json:"osm_centres,omitempty"`
	// Official is a table of official classes by area (USDA RUCA codes by
	// census tract, Statistics Canada's Index of Remoteness by census
	// subdivision, any code table) that decides the class when given; the
	// computed class is reported beside it with their agreement.
	Official *Official `yaml:"official,omitempty" json:"official,omitempty"`
}

// Official is an area-level table of official classes, joined to the
// population zones by id.
type Official struct {
	Path      string `yaml:"path" json:"path"`
	IDField   string `yaml:"id_field" json:"id_field"`
	CodeField string `yaml:"code_field" json:"code_field"`
	// Mapping turns codes into classes: ruca (USDA rural-urban commuting
	// area codes), statcan-ir (the Index of Remoteness, 0..1, by the
	// classes of Subedi et al. 2020) or codes (the Codes map).
	Mapping string            `yaml:"mapping" json:"mapping"`
	Codes   map[string]string `yaml:"codes,omitempty" json:"codes,omitempty"`
	// Source describes the table for the report.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
}

// UseOSMCentres reports whether the extract's place nodes count as centres.
func (c Classes) UseOSMCentres() bool { return c.OSMCentres == nil || *c.OSMCentres }

// Threshold is the longest acceptable trip to a gathering place in one class.
type Threshold struct {
	Mode    string  `yaml:"mode" json:"mode"` // walk or drive
	Minutes float64 `yaml:"minutes" json:"minutes"`
}

// Thresholds holds the underserved threshold of each area class.
type Thresholds struct {
	Urban  Threshold `yaml:"urban" json:"urban"`
	Rural  Threshold `yaml:"rural" json:"rural"`
	Remote Threshold `yaml:"remote" json:"remote"`
}

// Ranking says how areas are ranked by need.
type Ranking struct {
	// Category ranks areas by people underserved for it: a category name, or
	// "any" (any gathering place) or "secular" (any but places of worship).
	Category string `yaml:"category" json:"category"`
	Top      int    `yaml:"top" json:"top"`
}

// Siting sets the search for new sites.
type Siting struct {
	// Category is the kind of place to add: a category name, "any" or
	// "secular". Existing places of every kind stay where they are.
	Category string `yaml:"category" json:"category"`
	K        int    `yaml:"k" json:"k"` // how many new sites
	// Sources of candidate sites: osm (schools, town halls, community
	// halls, libraries, places of worship), cells (the centre of every cell
	// with at least MinCellPopulation people) and stops (transit stops).
	Sources           []string `yaml:"sources" json:"sources"`
	Files             []string `yaml:"files,omitempty" json:"files,omitempty"` // CSV (id,lat,lon[,name,cost]) or GeoJSON lists
	MinCellPopulation float64  `yaml:"min_cell_population" json:"min_cell_population"`
	// IncludeFaith lets places of worship be candidates.
	IncludeFaith bool `yaml:"include_faith" json:"include_faith"`
	// NeedWeighted weighs each cell's people by the need weights of their
	// population groups (inputs.population.groups) instead of counting
	// everyone once.
	NeedWeighted bool `yaml:"need_weighted,omitempty" json:"need_weighted,omitempty"`
	// Budget, when above 0, also chooses the sites that cover most people
	// for that total cost (costs from the lists; 1 per site otherwise).
	Budget float64 `yaml:"budget,omitempty" json:"budget,omitempty"`
	// For says whose access the sites are chosen for: all (everyone, the
	// default), ranked (people in the ranking's top areas, so the choice
	// serves the worst-served areas the report lists) or rural (people in
	// rural and remote areas).
	For string `yaml:"for,omitempty" json:"for,omitempty"`
}

// SitingHostCategory is the hidden category osm candidate sites are read
// into; it is matched after every real category.
const SitingHostCategory = "siting_host"

// Transit sets walk-plus-transit routing over departure windows.
type Transit struct {
	Feeds []string `yaml:"feeds" json:"feeds"` // GTFS zips or folders, combined
	Date  string   `yaml:"date" json:"date"`   // YYYY-MM-DD, within the feeds' service
	// Windows are departure windows; travel times are summarised over a
	// departure every StepMinutes within each.
	Windows []Window `yaml:"windows" json:"windows"`
	// StepMinutes between departures (1, as R5, by default).
	StepMinutes    float64 `yaml:"step_minutes" json:"step_minutes"`
	MaxWalkMinutes float64 `yaml:"max_walk_minutes" json:"max_walk_minutes"` // access, egress and each transfer
	MaxTransfers   int     `yaml:"max_transfers" json:"max_transfers"`
	MaxTripMinutes float64 `yaml:"max_trip_minutes" json:"max_trip_minutes"`
	// Percentile of the travel times over the window that is reported
	// (50: the median, as R5 reports by default).
	Percentile float64 `yaml:"percentile" json:"percentile"`
	// ExtraPercentiles are also written to cells.csv (default 25 and 75,
	// as R5 users often report the spread around the median).
	ExtraPercentiles []float64 `yaml:"extra_percentiles" json:"extra_percentiles"`
	// Thresholds are the longest acceptable trip by transit per class.
	Thresholds struct {
		Urban  float64 `yaml:"urban" json:"urban"`
		Rural  float64 `yaml:"rural" json:"rural"`
		Remote float64 `yaml:"remote" json:"remote"`
	} `yaml:"thresholds" json:"thresholds"`
	// BoardSlackSeconds is the least time between reaching a stop and
	// boarding there (R5's BOARD_SLACK, 60 s, by default).
	BoardSlackSeconds int `yaml:"board_slack_seconds" json:"board_slack_seconds"`
	// StrictDates makes a feed without service on a window's date an error
	// instead of a warning.
	StrictDates bool `yaml:"strict_dates" json:"strict_dates"`
	// MonteCarloDraws is how many sets of random start offsets are drawn
	// for frequency-based trips without exact times (exact_times=0), per
	// departure minute (r5r's draws_per_minute, 5 by default). Ignored when
	// no such trip runs.
	MonteCarloDraws int `yaml:"monte_carlo_draws" json:"monte_carlo_draws"`
	// Seed seeds the random offsets, so reruns are identical (default 1).
	Seed int64 `yaml:"seed" json:"seed"`
	// DriveAccess, when set, lets residents drive to a stop and park
	// (park-and-ride) as well as walk to one; egress stays on foot.
	DriveAccess *DriveAccess `yaml:"drive_access,omitempty" json:"drive_access,omitempty"`
}

// DriveAccess is driving to transit: the longest drive to a stop, the time
// to park and walk to the platform, and which stops have parking.
type DriveAccess struct {
	MaxMinutes  float64 `yaml:"max_minutes" json:"max_minutes"`   // default 15
	ParkMinutes float64 `yaml:"park_minutes" json:"park_minutes"` // default 5, an assumption to set locally
	// RouteTypes limits parking to stops served by these GTFS route types
	// (say [1, 2] for metro and rail); empty allows every stop.
	RouteTypes []int `yaml:"route_types,omitempty" json:"route_types,omitempty"`
}

// UnmarshalYAML presets the transit defaults whose zero is a meaningful
// choice (max_transfers: 0 allows direct trips only; a boarding slack of 0
// is allowed), so that leaving a key out gives the documented default.
func (t *Transit) UnmarshalYAML(n *yaml.Node) error {
	type plain Transit
	p := plain{MaxTransfers: 2, BoardSlackSeconds: 60}
	if err := n.Decode(&p); err != nil {
		return err
	}
	*t = Transit(p)
	return nil
}

// Window is one named departure window, "HH:MM" to "HH:MM".
type Window struct {
	Name  string `yaml:"name" json:"name"`
	Start string `yaml:"start" json:"start"`
	End   string `yaml:"end" json:"end"`
	// Date, YYYY-MM-DD, when the window runs on another day than
	// transit.date (a Saturday or Sunday window).
	Date string `yaml:"date,omitempty" json:"date,omitempty"`
}

// Measures sets the access measures: cumulative opportunities within a
// cutoff, gravity with negative exponential decay, and the two-step
// floating catchment area (2SFCA), on foot and by car.
type Measures struct {
	MaxMinutes  float64 `yaml:"max_minutes" json:"max_minutes"`   // trips longer than this are not counted at all
	Cutoff      float64 `yaml:"cutoff" json:"cutoff"`             // cumulative opportunities within this many minutes
	GravityBeta float64 `yaml:"gravity_beta" json:"gravity_beta"` // exp(-beta * minutes)
	Catchment   float64 `yaml:"catchment" json:"catchment"`       // 2SFCA catchment, minutes
	// Supply says what a place offers in the measures, per category: count
	// (each place counts 1, the default) or area (square metres of its
	// outline, for parks).
	Supply map[string]string `yaml:"supply,omitempty" json:"supply,omitempty"`
}

// Sensitivity holds the alternative thresholds of each class; every
// combination is tried (the modes stay those of thresholds).
type Sensitivity struct {
	Urban  []float64 `yaml:"urban_minutes" json:"urban_minutes"`
	Rural  []float64 `yaml:"rural_minutes" json:"rural_minutes"`
	Remote []float64 `yaml:"remote_minutes" json:"remote_minutes"`
	// GravityBetas are decay parameters under which areas are also ranked
	// by gravity access (least first), to compare with the ranking.
	GravityBetas []float64 `yaml:"gravity_betas" json:"gravity_betas"`
}

// Output names where results go.
type Output struct {
	Dir string `yaml:"dir" json:"dir"`
}

// Composite category names: every analysis also runs for "any gathering
// place" and for "any gathering place that is not a place of worship".
const (
	AnyCategory     = "any"
	SecularCategory = "secular"
)

// Defaults returns the values a study gets for every key it leaves out.
func Defaults() Study {
	return Study{
		Grid:   Grid{CellSize: 250},
		Inputs: Inputs{AdminLevels: []AdminLevel{{Level: "6", Label: "county"}, {Level: "8", Label: "municipality"}}},
		Checks: Checks{MaxOffNetworkShare: 0.05, MaxDensity: 100000, PlacesOutside: "error"},
		Travel: Travel{
			// 4.8 km/h (1.33 m/s): the walking speed OSMnx and r5 use by default
			// (r5 walkSpeed 1.3 m/s); elderly walkers are slower, so it is a setting.
			WalkKmh:    4.8,
			SnapMax:    2000,
			NearbyWalk: 15,
		},
		Classes: Classes{
			// The US Census Bureau's 2010 urban area rule and the USDA's
			// Frontier and Remote areas: see internal/gap.
			Urban:          "us-census-2010",
			DensityRadius:  1000,
			Remote:         "usda-far",
			FARRemoteLevel: 1,
		},
		Thresholds: Thresholds{
			Urban:  Threshold{Mode: "walk", Minutes: 15},
			Rural:  Threshold{Mode: "drive", Minutes: 15},
			Remote: Threshold{Mode: "drive", Minutes: 30},
		},
		Ranking:  Ranking{Category: SecularCategory, Top: 20},
		Measures: Measures{MaxMinutes: 30, Cutoff: 15, GravityBeta: 0.1, Catchment: 30},
		Sensitivity: Sensitivity{
			Urban:        []float64{10, 15, 20},
			Rural:        []float64{10, 15, 20, 30},
			Remote:       []float64{20, 30, 45},
			GravityBetas: []float64{0.05, 0.1, 0.2},
		},
	}
}

// Load reads, completes and checks a study config.
func Load(path string) (*Study, error) {
	raw, err := readBounded(path, MaxYAMLBytes)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, raw)
}

// Parse reads a config from bytes; path is used for messages and to resolve
// relative input paths.
func Parse(path string, raw []byte) (*Study, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return nil, fmt.Errorf("config %s: %s", path, cleanYAMLError(err))
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("config %s: the file is empty", path)
	}
	if err := checkKeys(root.Content[0], reflect.TypeOf(Study{}), ""); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	s := Defaults()
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("config %s: %s", path, cleanYAMLError(err))
	}
	if s.Categories == nil { // the key was left out: the default categories
		s.Categories = place.DefaultCategories()
	}
	s.Path = path
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return &s, nil
}

// Resolve returns an input path as the run opens it: module references are
// located in the Go module cache (downloaded if needed), and relative paths
// are taken from the config file's folder.
func (s *Study) Resolve(p string) (string, error) {
	if modfile.IsRef(p) {
		return modfile.Resolve(p)
	}
	if filepath.IsAbs(p) || s.Path == "" {
		return p, nil
	}
	return filepath.Join(filepath.Dir(s.Path), p), nil
}

// Estimated reports whether population comes from the street-length
// estimate rather than a census layer.
func (s *Study) Estimated() bool { return s.Inputs.Population == nil }

// ThresholdFor returns the threshold of a class name (urban, rural, remote).
func (s *Study) ThresholdFor(class string) Threshold {
	switch class {
	case "urban":
		return s.Thresholds.Urban
	case "rural":
		return s.Thresholds.Rural
	default:
		return s.Thresholds.Remote
	}
}

func (s *Study) validate() error {
	var errs []string
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("key %s: %s", key, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(s.Name) == "" {
		bad("name", "missing: give the study a name, for example name: Delaware gathering places")
	}
	if s.Inputs.OSM == "" {
		bad("inputs.osm", "missing: name the OpenStreetMap extract (.osm.pbf)")
	} else if err := s.checkFile("inputs.osm", s.Inputs.OSM); err != nil {
		errs = append(errs, err.Error())
	}
	switch {
	case s.Inputs.Population != nil:
		p := s.Inputs.Population
		if p.Path == "" {
			bad("inputs.population.path", "missing: name the census polygon file (GeoJSON or Shapefile)")
		} else if err := s.checkFile("inputs.population.path", p.Path); err != nil {
			errs = append(errs, err.Error())
		}
		if p.PopField == "" {
			bad("inputs.population.pop_field", "missing: name the field that holds each polygon's population")
		}
		for i, g := range p.Groups {
			key := fmt.Sprintf("inputs.population.groups[%d]", i)
			if g.Field == "" {
				bad(key+".field", "missing: name the population field of the group")
			}
			if g.Label == "" {
				bad(key+".label", "missing: give the group a name for the report")
			}
			if g.NeedWeight < 0 || g.NeedWeight > 100 {
				bad(key+".need_weight", "must be between 0 and 100, got %v", g.NeedWeight)
			}
		}
		isCSV := strings.HasSuffix(strings.ToLower(p.Path), ".csv")
		switch p.Origins {
		case "":
			p.Origins = "grid"
			if isCSV {
				p.Origins = "points"
			}
		case "grid":
		case "points":
			if !isCSV {
				bad("inputs.population.origins", "points needs population points (a .csv); for polygons use grid or polygons")
			}
		case "polygons":
			if isCSV {
				bad("inputs.population.origins", "polygons needs census polygons (.geojson or .shp); for points use points or grid")
			}
		default:
			bad("inputs.population.origins", "unknown value %q: use points, grid or polygons", p.Origins)
		}
		if s.Inputs.Estimate != nil {
			bad("inputs.estimate", "give either inputs.population (census polygons) or inputs.estimate (street-based estimate), not both")
		}
	case s.Inputs.Estimate != nil:
		if !(s.Inputs.Estimate.Total > 0) {
			bad("inputs.estimate.total", "must be a population above 0, got %v", s.Inputs.Estimate.Total)
		}
	default:
		bad("inputs.population", "missing: give census polygons (inputs.population) or a total population to spread along residential streets (inputs.estimate.total)")
	}
	for i, a := range s.Inputs.AdminLevels {
		if a.Level == "" || a.Label == "" {
			bad(fmt.Sprintf("inputs.admin_levels[%d]", i), "needs both level and label, for example {level: \"8\", label: municipality}")
		}
	}
	if a := s.Area; a != nil {
		switch {
		case a.Path != "" && (a.OSMName != "" || a.AdminLevel != ""):
			bad("study_area", "give either path (a GeoJSON polygon) or osm_name with admin_level, not both")
		case a.Path != "":
			if err := s.checkFile("study_area.path", a.Path); err != nil {
				errs = append(errs, err.Error())
			}
		case a.OSMName == "" || a.AdminLevel == "":
			bad("study_area", "name the boundary: osm_name and admin_level of an OpenStreetMap boundary (for example {osm_name: Delaware, admin_level: \"4\"}), or path to a GeoJSON polygon")
		}
		if a.BufferKm < 0 || a.BufferKm > 500 || math.IsNaN(a.BufferKm) {
			bad("study_area.buffer_km", "must be between 0 (the default) and 500 km, got %v", a.BufferKm)
		}
	}
	if c := s.Checks; !(c.MaxOffNetworkShare > 0 && c.MaxOffNetworkShare <= 1) {
		bad("checks.max_off_network_share", "must be a share above 0 and at most 1, got %v", c.MaxOffNetworkShare)
	}
	if c := s.Checks; !(c.MaxDensity > 0) || math.IsInf(c.MaxDensity, 0) {
		bad("checks.max_density_per_km2", "must be above 0 people per km², got %v", c.MaxDensity)
	}
	if p := s.Checks.PlacesOutside; p != "error" && p != "drop" {
		bad("checks.places_outside", "must be error or drop, got %q", p)
	}
	if s.Grid.CellSize < 50 || s.Grid.CellSize > 5000 {
		bad("grid.cell_size", "must be between 50 and 5000 metres, got %v", s.Grid.CellSize)
	}
	if len(s.Categories) == 0 {
		bad("categories", "the list is empty: remove the key to use the default categories")
	}
	seen := map[string]bool{}
	for i, c := range s.Categories {
		key := fmt.Sprintf("categories[%d]", i)
		if c.Name == AnyCategory || c.Name == SecularCategory || c.Name == SitingHostCategory {
			bad(key+".name", "%q is reserved for the combined category; choose another name", c.Name)
		}
		if seen[c.Name] {
			bad(key+".name", "%q is used twice", c.Name)
		}
		seen[c.Name] = true
		if err := c.Validate(); err != nil {
			bad(key, "%v", err)
		}
	}
	for i, c := range s.Combinations {
		key := fmt.Sprintf("combinations[%d]", i)
		if c.Name == "" || c.Name == AnyCategory || c.Name == SecularCategory || seen[c.Name] {
			bad(key+".name", "give a name not used by a category or another combination (nor any or secular), got %q", c.Name)
		}
		if len(c.Categories) == 0 {
			bad(key+".categories", "list the categories it combines")
		}
		for _, m := range c.Categories {
			if !seen[m] {
				bad(key+".categories", "%q is not a category", m)
			}
		}
	}
	for _, c := range s.Combinations {
		seen[c.Name] = true // rankable and sitable by name
	}
	if len(s.Categories)+len(s.Combinations) > 30 {
		bad("categories", "at most 30 categories, got %d", len(s.Categories))
	}
	if s.Travel.WalkKmh < 1 || s.Travel.WalkKmh > 10 {
		bad("travel.walk_kmh", "must be between 1 and 10 km/h, got %v", s.Travel.WalkKmh)
	}
	for _, k := range sortedKeys(s.Travel.DriveSpeeds) {
		if v := s.Travel.DriveSpeeds[k]; v < 5 || v > 150 {
			bad("travel.drive_speeds."+k, "must be between 5 and 150 km/h, got %v", v)
		}
	}
	if s.Travel.SnapMax < 10 || s.Travel.SnapMax > 50000 {
		bad("travel.snap_max", "must be between 10 and 50000 metres, got %v", s.Travel.SnapMax)
	}
	if s.Travel.SnapSlack != nil {
		bad("travel.snap_slack", "no longer used: every origin now joins its nearest street once small street islands are removed, as R5 and OSMnx do; delete the key")
	}
	if s.Travel.NearbyWalk < 1 || s.Travel.NearbyWalk > 120 {
		bad("travel.nearby_walk_minutes", "must be between 1 and 120 minutes, got %v", s.Travel.NearbyWalk)
	}
	if s.Classes.DensityRadius < 100 || s.Classes.DensityRadius > 20000 {
		bad("classes.density_radius", "must be between 100 and 20000 metres, got %v", s.Classes.DensityRadius)
	}
	if l := s.Classes.FARRemoteLevel; l < 1 || l > 4 {
		bad("classes.far_remote_level", "must be a FAR level from 1 to 4, got %v", l)
	}
	if n := len(s.Classes.ARIAMeansKm); n != 0 && n != 5 {
		bad("classes.aria_means_km", "give five national mean distances (categories A to E), got %d", n)
	}
	if c := s.Classes.Centres; c != "" {
		if err := s.checkFile("classes.centres", c); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if o := s.Classes.Official; o != nil {
		if o.Path == "" || o.IDField == "" || o.CodeField == "" {
			bad("classes.official", "needs path, id_field and code_field")
		} else if err := s.checkFile("classes.official.path", o.Path); err != nil {
			errs = append(errs, err.Error())
		}
		switch o.Mapping {
		case "ruca", "statcan-ir":
		case "codes":
			if len(o.Codes) == 0 {
				bad("classes.official.codes", "mapping codes needs a codes table, for example {\"1\": urban, \"2\": rural}")
			}
			for _, k := range sortedStrKeys(o.Codes) {
				if v := o.Codes[k]; v != "urban" && v != "rural" && v != "remote" {
					bad("classes.official.codes."+k, "must be urban, rural or remote, got %q", v)
				}
			}
		default:
			bad("classes.official.mapping", "must be ruca, statcan-ir or codes, got %q", o.Mapping)
		}
		if s.Inputs.Population == nil {
			bad("classes.official", "an official class table joins to census zones by id: give inputs.population")
		}
	}
	for _, tc := range []struct {
		key string
		t   Threshold
	}{{"thresholds.urban", s.Thresholds.Urban}, {"thresholds.rural", s.Thresholds.Rural}, {"thresholds.remote", s.Thresholds.Remote}} {
		if tc.t.Mode != "walk" && tc.t.Mode != "drive" {
			bad(tc.key+".mode", "must be walk or drive, got %q", tc.t.Mode)
		}
		if tc.t.Minutes <= 0 || tc.t.Minutes > 600 {
			bad(tc.key+".minutes", "must be between 0 and 600, got %v", tc.t.Minutes)
		}
	}
	for i, f := range s.Inputs.Facilities {
		key := fmt.Sprintf("inputs.facilities[%d]", i)
		if f.Path == "" {
			bad(key+".path", "missing: name the facility list (CSV with lat/lon columns, or GeoJSON points)")
		} else if err := s.checkFile(key+".path", f.Path); err != nil {
			errs = append(errs, err.Error())
		}
		if !seen[f.Category] {
			bad(key+".category", "%q is not a category; use one of %s", f.Category, strings.Join(s.CategoryNames(), ", "))
		}
		if f.Mode != "add" && f.Mode != "replace" {
			bad(key+".mode", "must be add (merge with OpenStreetMap) or replace (use the list instead), got %q", f.Mode)
		}
	}
	if r := s.Ranking.Category; r != AnyCategory && r != SecularCategory && !seen[r] {
		bad("ranking.category", "%q is not a category; use one of %s", r, strings.Join(append(s.CategoryNames(), AnyCategory, SecularCategory), ", "))
	}
	if s.Ranking.Top < 1 || s.Ranking.Top > 1000 {
		bad("ranking.top", "must be between 1 and 1000, got %d", s.Ranking.Top)
	}
	if s.Scenario != "" {
		if err := s.checkFile("scenario", s.Scenario); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if st := s.Siting; st != nil {
		if st.K == 0 {
			st.K = 5
		}
		if len(st.Sources) == 0 && len(st.Files) == 0 {
			st.Sources = []string{"osm", "cells"}
		}
		if st.MinCellPopulation == 0 {
			st.MinCellPopulation = 50
		}
		if r := st.Category; r != AnyCategory && r != SecularCategory && !seen[r] {
			bad("siting.category", "%q is not a category; use one of %s", r, strings.Join(append(s.CategoryNames(), AnyCategory, SecularCategory), ", "))
		}
		if st.K < 1 || st.K > 100 {
			bad("siting.k", "must be between 1 and 100 sites, got %d", st.K)
		}
		for _, src := range st.Sources {
			if src != "osm" && src != "cells" && src != "stops" {
				bad("siting.sources", "%q is not a source; use osm, cells or stops", src)
			}
		}
		for i, f := range st.Files {
			if err := s.checkFile(fmt.Sprintf("siting.files[%d]", i), f); err != nil {
				errs = append(errs, err.Error())
			}
		}
		if st.NeedWeighted {
			weighted := false
			if p := s.Inputs.Population; p != nil {
				for _, g := range p.Groups {
					weighted = weighted || g.NeedWeight > 0
				}
			}
			if !weighted {
				bad("siting.need_weighted", "needs population groups with need weights (inputs.population.groups[].need_weight)")
			}
		}
		switch st.For {
		case "":
			st.For = "all"
		case "all", "ranked", "rural":
		default:
			bad("siting.for", "must be all, ranked or rural, got %q", st.For)
		}
		if st.Budget < 0 {
			bad("siting.budget", "must be 0 (none) or more, got %v", st.Budget)
		}
	}
	if t := s.Transit; t != nil {
		s.transitDefaults()
		if len(t.Feeds) == 0 {
			bad("transit.feeds", "name at least one GTFS feed (zip or folder)")
		}
		for i, f := range t.Feeds {
			if err := s.checkPath(fmt.Sprintf("transit.feeds[%d]", i), f); err != nil {
				errs = append(errs, err.Error())
			}
		}
		if _, err := time.Parse("2006-01-02", t.Date); err != nil {
			bad("transit.date", "must be a date YYYY-MM-DD within the feeds' service, got %q", t.Date)
		}
		if len(t.Windows) == 0 {
			bad("transit.windows", "give at least one departure window, for example {name: weekday evening, start: \"18:00\", end: \"20:00\"}")
		}
		for i, w := range t.Windows {
			key := fmt.Sprintf("transit.windows[%d]", i)
			a, e1 := ParseClock(w.Start)
			b, e2 := ParseClock(w.End)
			if e1 != nil || e2 != nil || b <= a {
				bad(key, "start and end must be times HH:MM with end after start, got %q to %q", w.Start, w.End)
			}
			if w.Name == "" {
				bad(key+".name", "missing: name the window, for example weekday evening")
			}
			if w.Date != "" {
				if _, err := time.Parse("2006-01-02", w.Date); err != nil {
					bad(key+".date", "must be a date YYYY-MM-DD, got %q", w.Date)
				}
			}
		}
		if t.StepMinutes < 1 || t.StepMinutes > 60 {
			bad("transit.step_minutes", "must be between 1 and 60, got %v", t.StepMinutes)
		}
		if t.MaxWalkMinutes <= 0 || t.MaxWalkMinutes > 60 {
			bad("transit.max_walk_minutes", "must be between 0 and 60, got %v", t.MaxWalkMinutes)
		}
		if t.MaxTransfers < 0 || t.MaxTransfers > 8 {
			bad("transit.max_transfers", "must be between 0 and 8, got %v", t.MaxTransfers)
		}
		if t.BoardSlackSeconds < 0 || t.BoardSlackSeconds > 1800 {
			bad("transit.board_slack_seconds", "must be between 0 and 1800, got %v", t.BoardSlackSeconds)
		}
		if t.MonteCarloDraws < 1 || t.MonteCarloDraws > 100 {
			bad("transit.monte_carlo_draws", "must be between 1 and 100, got %v", t.MonteCarloDraws)
		}
		if d := t.DriveAccess; d != nil && (d.MaxMinutes < 0 || d.MaxMinutes > 120 || d.ParkMinutes < 0 || d.ParkMinutes > 60) {
			bad("transit.drive_access", "max_minutes must be between 0 and 120 and park_minutes between 0 and 60, got %v and %v", d.MaxMinutes, d.ParkMinutes)
		}
		if t.MaxTripMinutes <= 0 || t.MaxTripMinutes > 360 {
			bad("transit.max_trip_minutes", "must be between 0 and 360, got %v", t.MaxTripMinutes)
		}
		if t.Percentile <= 0 || t.Percentile > 100 {
			bad("transit.percentile", "must be between 0 and 100, got %v", t.Percentile)
		}
		for _, p := range t.ExtraPercentiles {
			if p <= 0 || p > 100 {
				bad("transit.extra_percentiles", "every value must be between 0 and 100, got %v", p)
			}
		}
		for _, th := range []struct {
			k string
			v float64
		}{{"urban", t.Thresholds.Urban}, {"rural", t.Thresholds.Rural}, {"remote", t.Thresholds.Remote}} {
			if th.v <= 0 || th.v > t.MaxTripMinutes {
				bad("transit.thresholds."+th.k, "must be above 0 and at most transit.max_trip_minutes (%v), got %v", t.MaxTripMinutes, th.v)
			}
		}
	}
	m := s.Measures
	if m.MaxMinutes <= 0 || m.MaxMinutes > 240 {
		bad("measures.max_minutes", "must be between 0 and 240 minutes, got %v", m.MaxMinutes)
	}
	if m.Cutoff <= 0 || m.Cutoff > m.MaxMinutes {
		bad("measures.cutoff", "must be above 0 and at most measures.max_minutes (%v), got %v", m.MaxMinutes, m.Cutoff)
	}
	if m.Catchment <= 0 || m.Catchment > m.MaxMinutes {
		bad("measures.catchment", "must be above 0 and at most measures.max_minutes (%v), got %v", m.MaxMinutes, m.Catchment)
	}
	if m.GravityBeta <= 0 || m.GravityBeta > 10 {
		bad("measures.gravity_beta", "must be between 0 and 10 per minute, got %v", m.GravityBeta)
	}
	for _, k := range sortedStrKeys(m.Supply) {
		if !seen[k] {
			bad("measures.supply."+k, "%q is not a category", k)
		}
		if v := m.Supply[k]; v != "count" && v != "area" {
			bad("measures.supply."+k, "must be count or area, got %q", v)
		}
	}
	for _, sc := range []struct {
		key string
		v   []float64
	}{{"sensitivity.urban_minutes", s.Sensitivity.Urban}, {"sensitivity.rural_minutes", s.Sensitivity.Rural}, {"sensitivity.remote_minutes", s.Sensitivity.Remote}} {
		for _, m := range sc.v {
			if m <= 0 || m > 600 {
				bad(sc.key, "every value must be between 0 and 600 minutes, got %v", m)
			}
		}
	}
	for _, b := range s.Sensitivity.GravityBetas {
		if b <= 0 || b > 10 {
			bad("sensitivity.gravity_betas", "every value must be between 0 and 10 per minute, got %v", b)
		}
	}
	if n := max(1, len(s.Sensitivity.Urban)) * max(1, len(s.Sensitivity.Rural)) * max(1, len(s.Sensitivity.Remote)); n > 1000 {
		bad("sensitivity", "%d combinations of thresholds is too many; give at most 1000", n)
	}
	if s.Output.Dir == "" {
		bad("output.dir", "missing: name the folder the report is written to")
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// CategoryNames lists the configured category names in order.
func (s *Study) CategoryNames() []string {
	out := make([]string, len(s.Categories))
	for i, c := range s.Categories {
		out[i] = c.Name
	}
	return out
}

func (s *Study) checkFile(key, p string) error {
	if modfile.IsRef(p) {
		if _, _, err := modfile.Split(p); err != nil {
			return fmt.Errorf("key %s: %v", key, err)
		}
		return nil // located (and perhaps downloaded) when the run starts
	}
	full, _ := s.Resolve(p)
	st, err := os.Stat(full)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("key %s: file %s does not exist", key, full)
		}
		return fmt.Errorf("key %s: %v", key, err)
	}
	if st.IsDir() {
		return fmt.Errorf("key %s: %s is a folder, not a file", key, full)
	}
	return nil
}

// checkKeys walks the YAML tree against the struct's yaml tags so an unknown
// or misspelt key is reported with its full path, its line and the nearest
// known key.
func checkKeys(n *yaml.Node, t reflect.Type, prefix string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch n.Kind {
	case yaml.MappingNode:
		if t.Kind() == reflect.Map {
			for i := 1; i < len(n.Content); i += 2 {
				if err := checkKeys(n.Content[i], t.Elem(), join(prefix, n.Content[i-1].Value)); err != nil {
					return err
				}
			}
			return nil
		}
		if t.Kind() != reflect.Struct {
			return nil // a type error; the decoder reports it with its line
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if name == "" || name == "-" {
				continue
			}
			fields[name] = f.Type
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			ft, ok := fields[k.Value]
			if !ok {
				known := make([]string, 0, len(fields))
				for name := range fields {
					known = append(known, name)
				}
				sort.Strings(known)
				msg := fmt.Sprintf("line %d: unknown key %q", k.Line, join(prefix, k.Value))
				if s := nearest(k.Value, known); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", join(prefix, s))
				} else {
					msg += fmt.Sprintf(" (known keys here: %s)", strings.Join(known, ", "))
				}
				return errors.New(msg)
			}
			if err := checkKeys(n.Content[i+1], ft, join(prefix, k.Value)); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		if err := checkWhole(n, t, prefix); err != nil {
			return err
		}
	case yaml.SequenceNode:
		if t.Kind() == reflect.Slice {
			for i, c := range n.Content {
				if err := checkKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", prefix, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// nearest returns the known key closest to k by edit distance when it is a
// plausible typo (at most a third of the letters differ).
func nearest(k string, known []string) string {
	best, bestD := "", len(k)/3+1
	for _, c := range known {
		if d := editDistance(k, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// cleanYAMLError turns yaml.v3's multi-line messages into one line that
// speaks of keys and values rather than Go types.
func cleanYAMLError(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	msg = strings.TrimPrefix(msg, "yaml: ")
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		l = strings.ReplaceAll(l, "cannot unmarshal !!str", "expected a number or list, got the text")
		l = strings.ReplaceAll(l, "cannot unmarshal !!seq", "expected a single value, got a list")
		l = strings.ReplaceAll(l, "cannot unmarshal !!map", "expected a single value, got a section")
		if j := strings.Index(l, " into "); j >= 0 {
			l = l[:j]
		}
		lines[i] = l
	}
	return strings.Join(lines, "; ")
}

func sortedKeys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedStrKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// transitDefaults fills what the transit section leaves out: R5's usual
// settings (a departure every minute, the median) and thresholds of 30, 45
// and 60 minutes for urban, rural and remote cells.
func (s *Study) transitDefaults() {
	t := s.Transit
	if t.StepMinutes == 0 {
		t.StepMinutes = 1
	}
	if t.MaxWalkMinutes == 0 {
		t.MaxWalkMinutes = 15
	}
	if t.MaxTripMinutes == 0 {
		t.MaxTripMinutes = 120
	}
	if t.Percentile == 0 {
		t.Percentile = 50
	}
	if t.ExtraPercentiles == nil {
		t.ExtraPercentiles = []float64{25, 75}
	}
	if t.Thresholds.Urban == 0 {
		t.Thresholds.Urban = 30
	}
	if t.Thresholds.Rural == 0 {
		t.Thresholds.Rural = 45
	}
	if t.Thresholds.Remote == 0 {
		t.Thresholds.Remote = 60
	}
	if t.MonteCarloDraws == 0 {
		t.MonteCarloDraws = 5
	}
	if d := t.DriveAccess; d != nil {
		if d.MaxMinutes == 0 {
			d.MaxMinutes = 15
		}
		if d.ParkMinutes == 0 {
			d.ParkMinutes = 5
		}
	}
	if t.Seed == 0 {
		t.Seed = 1
	}
}

// ParseClock reads "HH:MM" (or "HH:MM:SS") as seconds after midnight.
func ParseClock(s string) (int, error) {
	var h, m, sec int
	n, err := fmt.Sscanf(s, "%d:%d:%d", &h, &m, &sec)
	if n < 2 {
		if _, err2 := fmt.Sscanf(s, "%d:%d", &h, &m); err2 != nil {
			return 0, fmt.Errorf("time %q is not HH:MM: %v", s, err)
		}
	}
	if h < 0 || h > 47 || m < 0 || m > 59 || sec < 0 || sec > 59 {
		return 0, fmt.Errorf("time %q is out of range", s)
	}
	return h*3600 + m*60 + sec, nil
}

// checkPath checks that an input file or folder exists (GTFS feeds may be
// either).
func (s *Study) checkPath(key, p string) error {
	full, _ := s.Resolve(p)
	if _, err := os.Stat(full); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("key %s: %s does not exist", key, full)
		}
		return fmt.Errorf("key %s: %v", key, err)
	}
	return nil
}

// checkWhole rejects a fraction given to an integer key (yaml.v3 would
// silently truncate ranking.top: 20.5 to 20).
func checkWhole(n *yaml.Node, t reflect.Type, key string) error {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
	default:
		return nil
	}
	if n.ShortTag() != "!!float" {
		return nil
	}
	v := n.Value
	if len(v) > 20 {
		v = v[:20] + "..."
	}
	return fmt.Errorf("line %d: key %s must be a whole number, got %s", n.Line, key, v)
}

// MaxYAMLBytes bounds a YAML file (study config or scenario) read from
// outside; real ones are a few kilobytes.
const MaxYAMLBytes = 4 << 20

// DecodeYAML decodes a YAML document strictly into v (a pointer to a struct)
// with the checks the study config gets: an unknown key names its line and
// the nearest known key, a fraction given to an integer key is refused, and
// decoder errors become one line that speaks of values rather than Go types.
// Errors do not name the file; the caller adds it.
func DecodeYAML(raw []byte, v any) error {
	if len(raw) > MaxYAMLBytes {
		return fmt.Errorf("%d bytes is more than the %d MiB a YAML file may hold", len(raw), MaxYAMLBytes>>20)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return errors.New(cleanYAMLError(err))
	}
	if len(root.Content) == 0 {
		return errors.New("the file is empty")
	}
	if err := checkKeys(root.Content[0], reflect.TypeOf(v), ""); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return errors.New(cleanYAMLError(err))
	}
	return nil
}

// readBounded reads a whole file of at most max bytes.
func readBounded(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: larger than the %d MiB a YAML file may hold", path, max>>20)
	}
	return b, nil
}

// ReadYAML reads a YAML file of at most MaxYAMLBytes and decodes it with
// DecodeYAML; errors name the file.
func ReadYAML(path, what string, v any) error {
	raw, err := readBounded(path, MaxYAMLBytes)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := DecodeYAML(raw, v); err != nil {
		return fmt.Errorf("%s %s: %w", what, path, err)
	}
	return nil
}
