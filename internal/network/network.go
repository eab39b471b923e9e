// Package network turns OSM street ways into compact routing graphs for
// walking and driving, snaps points onto the street geometry, and answers the
// two questions the access measures ask of a graph: how far is every place
// from its nearest source (Nearest), and which origins lie within a time
// budget of one source (Reach).
//
// # Walk filter (WalkAllowed)
//
// OSMnx's "walk" network type (osmnx/_overpass.py, _get_osm_filter) keeps ways
// with a highway tag and drops: area=yes; access~private (settings
// default_access); highway matching the unanchored regex
// abandoned|bus_guideway|construction|cycleway|motor|no|planned|platform|
// proposed|raceway|razed ("motor" removes motorway and motorway_link, trunk is
// kept); foot~no; service~private; and, since OSMnx 2.0, roads whose sidewalks
// are tagged sidewalk*=separate. This package keeps the same ways, except:
//
//   - area=yes is kept: the outline of a pedestrian square or plaza becomes
//     walkable edges, so people can cross into it and places on it snap to it.
//   - trunk roads are kept (as in OSMnx) unless foot=no or motorroad=yes: in
//     rural Delaware US-13 and US-113 are trunk roads with shoulders and are
//     often the only road, so dropping them would cut farms off the network.
//   - roads with sidewalk=separate are kept (unlike OSMnx 2.x): walking along
//     the road stands in for a mapped sidewalk that may be incomplete.
//   - an explicit foot=yes|designated|permissive|destination wins over
//     access=no|private and service=private (a gated park path open to
//     walkers), and lets a walker onto a cycleway or a motorway, which are
//     otherwise dropped. OSMnx ignores foot permissions.
//   - access=no is dropped too (OSMnx drops only private), and foot=private.
//   - highway=disused, rest_area and services are dropped: they are disused
//     roads or site outlines, not paths.
//
// Sidewalks (highway=footway, footway=sidewalk), steps, paths, tracks,
// pedestrian streets, corridors and service roads (driveways, parking aisles,
// alleys: you can walk them) are all kept. Walking ignores oneway tags.
//
// # Drive filter (DriveAllowed)
//
// Kept: highway motorway, trunk, primary, secondary, tertiary (and their
// _link roads), unclassified, residential, living_street, road and service,
// except service=driveway|parking_aisle|parking|emergency_access|private|
// drive-through: these end at a private lot and would only bloat the graph
// (the last metres are the walking snap leg). Unlike OSMnx's "drive" type,
// service roads and alleys are kept, since in US towns alleys are public
// streets. Dropped: area=yes, and ways closed to cars by the most specific of
// motorcar, motor_vehicle, vehicle, access (no, private, agricultural,
// forestry, delivery, emergency, military).
//
// # Graph
//
// Vertices are the OSM nodes where used ways end or meet; the nodes between
// are kept only as edge geometry, so snapping lands on the true street line
// while searches touch junctions only. Islands, connected pieces of fewer
// than MinIsland (40) vertices that are not the largest, are removed, as R5
// does (strongly connected pieces for driving, so a car can always get back
// out); larger pieces stay, and Build lists them as warnings. Costs are
// seconds, in whole ticks of 2^-24 s so that their sums are exact (see
// onTick). A Graph is read-only after Build: any number of goroutines may
// search it at once.
package network

import (
	"commonground/internal/street"
	"math"
	"strconv"
	"strings"
)

// Mode says who travels on a graph; it decides the way filter, whether oneway
// tags apply, and how edge costs are computed.
type Mode uint8

const (
	// Walk: two-way everywhere, cost = length / walking speed.
	Walk Mode = iota
	// Drive: oneway respected, cost = length / (maxspeed or class speed).
	Drive
)

// String names the mode as configuration files and reports spell it.
func (m Mode) String() string {
	switch m {
	case Walk:
		return "walk"
	case Drive:
		return "drive"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// Profile holds the speeds a graph is built with. WalkSpeed is needed by every
// mode because callers time the snap leg between a point and the street on
// foot.
type Profile struct {
	Mode        Mode
	WalkSpeed   float64            // metres per second
	DriveSpeeds map[string]float64 // km/h by highway class, when maxspeed is absent or not understood
}

// WalkProfile returns a walking profile at kmh kilometres per hour (4.8 km/h
// is a common planning figure for adults; 3.6 km/h suits older walkers).
func WalkProfile(kmh float64) Profile {
	return Profile{Mode: Walk, WalkSpeed: kmh / 3.6}
}

// DriveProfile returns a driving profile whose snap legs are walked at
// walkKmh. speeds overrides DefaultDriveSpeeds class by class; nil keeps the
// defaults.
func DriveProfile(walkKmh float64, speeds map[string]float64) Profile {
	all := DefaultDriveSpeeds()
	for k, v := range speeds {
		all[k] = v
	}
	return Profile{Mode: Drive, WalkSpeed: walkKmh / 3.6, DriveSpeeds: all}
}

// DefaultDriveSpeeds returns km/h by highway class for ways without a usable
// maxspeed tag. OSMnx (add_edge_speeds) instead imputes the mean maxspeed of
// the graph's own edges of the same class; that needs many tagged edges, and
// in the 2016 Delaware extract few residential streets carry maxspeed. These
// fixed figures follow typical US posted limits instead: 65 mph interstates
// (105), 55 mph divided highways (90), 45 mph arterials (70), 35-40 mph
// collectors (60, 50), 25 mph local streets less junction delay (40, 35),
// and walking-pace living streets (15) and service roads (20). Ramps
// (_link) are a little slower than their road because they curve and merge.
// "road" (class unknown) is treated as unclassified.
func DefaultDriveSpeeds() map[string]float64 {
	return map[string]float64{
		"motorway": 105, "motorway_link": 80,
		"trunk": 90, "trunk_link": 70,
		"primary": 70, "primary_link": 60,
		"secondary": 60, "secondary_link": 50,
		"tertiary": 50, "tertiary_link": 40,
		"unclassified": 40, "road": 40,
		"residential":   35,
		"living_street": 15,
		"service":       20,
	}
}

// Access values: deny closes a way to the mode, allow opens it whatever a less
// specific key says; any other value leaves the decision to the next key.
var (
	accessDeny = map[string]bool{"no": true, "private": true, "agricultural": true,
		"forestry": true, "delivery": true, "emergency": true, "military": true}
	accessAllow = map[string]bool{"yes": true, "designated": true, "permissive": true,
		"destination": true, "customers": true, "public": true, "official": true}
)

// access returns +1 (allowed), -1 (denied) or 0 (undecided) from the most
// specific of keys that gives a known value.
func access(tags street.Tags, keys ...string) int {
	for _, k := range keys {
		v := tags.Get(k)
		switch {
		case accessDeny[v]:
			return -1
		case accessAllow[v]:
			return +1
		}
	}
	return 0
}

// WalkAllowed reports whether a pedestrian may use a way; the package
// comment compares it with OSMnx's walk filter.
func WalkAllowed(tags street.Tags) bool {
	hw := tags.Get("highway")
	footOK := accessAllow[tags.Get("foot")]
	switch hw {
	case "", "abandoned", "bus_guideway", "construction", "disused", "no", "planned",
		"platform", "proposed", "raceway", "razed", "rest_area", "services":
		return false
	case "motorway", "motorway_link", "cycleway":
		if !footOK {
			return false
		}
	}
	if tags.Get("motorroad") == "yes" && !footOK {
		return false
	}
	if a := access(tags, "foot", "access"); a < 0 {
		return false
	}
	if tags.Get("service") == "private" && !footOK {
		return false
	}
	return true
}

// driveClass lists the highway classes a car may use.
var driveClass = map[string]bool{
	"motorway": true, "motorway_link": true, "trunk": true, "trunk_link": true,
	"primary": true, "primary_link": true, "secondary": true, "secondary_link": true,
	"tertiary": true, "tertiary_link": true, "unclassified": true, "residential": true,
	"living_street": true, "service": true, "road": true,
}

// DriveAllowed reports whether a car may use a way; the package comment
// explains the choices.
func DriveAllowed(tags street.Tags) bool {
	if !driveClass[tags.Get("highway")] || tags.Get("area") == "yes" {
		return false
	}
	switch tags.Get("service") {
	case "driveway", "parking_aisle", "parking", "emergency_access", "private", "drive-through":
		return false
	}
	return access(tags, "motorcar", "motor_vehicle", "vehicle", "access") >= 0
}

// Oneway returns 0 when a way may be driven both ways, +1 when only in the
// direction of its nodes and -1 when only against it. An explicit oneway=no
// overrides what junction=roundabout|circular or highway=motorway imply.
// oneway=reversible|alternating (direction changes by time of day) counts as
// two-way, as in OSMnx.
func Oneway(tags street.Tags) int {
	switch tags.Get("oneway") {
	case "yes", "true", "1":
		return +1
	case "-1", "reverse":
		return -1
	case "no", "false", "0":
		return 0
	}
	switch tags.Get("junction") {
	case "roundabout", "circular":
		return +1
	}
	if tags.Get("highway") == "motorway" {
		return +1
	}
	return 0
}

// maxspeedWords are maxspeed values that are valid OSM but carry no number;
// Build falls back to the class speed for them without a warning.
var maxspeedWords = map[string]bool{"none": true, "signals": true, "variable": true, "walk": true}

// ParseMaxspeed reads an OSM maxspeed value into km/h: "50", "40 km/h",
// "55 mph", "55mph", "10 knots". Several values ("50;40", per lane or per time)
// give the lowest, the speed a driver can count on whatever the order of the
// list. Words ("none", "signals", "walk"), zone codes ("US:urban"),
// non-positive numbers and typos above 300 km/h give ok=false, so the class
// default applies.
func ParseMaxspeed(s string) (kmh float64, ok bool) {
	kmh = math.Inf(1)
	for _, part := range strings.Split(s, ";") {
		if v, good := parseOneSpeed(part); good && v < kmh {
			kmh, ok = v, true
		}
	}
	if !ok {
		return 0, false
	}
	return kmh, true
}

func parseOneSpeed(s string) (float64, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	factor := 1.0
	for _, u := range []struct {
		suffix string
		factor float64
	}{{"mph", 1.609344}, {"km/h", 1}, {"kmh", 1}, {"kph", 1}, {"knots", 1.852}} {
		if strings.HasSuffix(s, u.suffix) {
			s = strings.TrimSpace(strings.TrimSuffix(s, u.suffix))
			factor = u.factor
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) || v*factor > 300 {
		return 0, false
	}
	return v * factor, true
}
