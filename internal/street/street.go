// Package street holds street ways as read from a map source, before any
// routing profile has decided which of them a walker or a driver may use.
//
// It sits between the readers and the network: osmread produces ways, the
// network builds graphs from them and population weighs residential streets.
package street

import "github.com/paulmach/orb"

// Way is one street way: its OSM id, its tags, and its nodes in order. Nodes
// shared between ways are junctions, so node IDs are kept beside coordinates.
type Way struct {
	ID     int64
	Tags   map[string]string
	Nodes  []int64     // OSM node ids, in way order
	Points []orb.Point // lon/lat of each node, same length as Nodes
	// Refs, when set, numbers each node as its reader did, the same
	// number for the same node in every way and from 0 up: a graph
	// builder can then look nodes up in an array instead of hashing ids.
	// nil when the reader did not number them.
	Refs []int32
}

// Highway returns the way's highway tag, or "" when it has none.
func (w Way) Highway() string { return w.Tags["highway"] }

// Residential reports whether the way is a street people live along
// (highway=residential or living_street). Population allocation spreads
// people along these.
func (w Way) Residential() bool {
	switch w.Tags["highway"] {
	case "residential", "living_street":
		return true
	}
	return false
}
