// Package street holds street ways as read from a map source, before any
// routing profile has decided which of them a walker or a driver may use.
//
// It sits between the readers and the network: osmread produces ways, the
// network builds graphs from them and population weighs residential streets.
package street

import (
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// Way is one street way: its OSM id, its tags, and its nodes in order. Nodes
// shared between ways are junctions, so node IDs are kept beside coordinates.
type Way struct {
	ID     int64
	Tags   Tags
	Nodes  []int64     // OSM node ids, in way order
	Points []orb.Point // lon/lat of each node, same length as Nodes
	// Refs, when set, numbers each node as its reader did, the same
	// number for the same node in every way and from 0 up: a graph
	// builder can then look nodes up in an array instead of hashing ids.
	// nil when the reader did not number them.
	Refs []int32
}

// Highway returns the way's highway tag, or "" when it has none.
func (w Way) Highway() string { return w.Tags.Get("highway") }

// Residential reports whether the way is a street people live along
// (highway=residential or living_street). Population allocation spreads
// people along these.
func (w Way) Residential() bool {
	switch w.Tags.Get("highway") {
	case "residential", "living_street":
		return true
	}
	return false
}

// Tags are a way's tags as its reader gave them. A street has a handful:
// looking one up along a short list is as quick as hashing, and the list
// takes a twentieth of a map's memory, for every street of a study.
type Tags []Tag

// Tag is one key and its value.
type Tag struct{ Key, Value string }

// Get returns the value of key, or "" when the way has no such tag. Were a
// key given twice, the last would count, as when a map is filled in order.
func (t Tags) Get(key string) string {
	v, _ := t.Lookup(key)
	return v
}

// Lookup returns the value of key and whether the way has it.
func (t Tags) Lookup(key string) (string, bool) {
	for i := len(t) - 1; i >= 0; i-- {
		if t[i].Key == key {
			return t[i].Value, true
		}
	}
	return "", false
}

// TagsOf lists the tags of a map, by key.
func TagsOf(m map[string]string) Tags {
	t := make(Tags, 0, len(m))
	for k, v := range m {
		t = append(t, Tag{k, v})
	}
	slices.SortFunc(t, func(a, b Tag) int { return strings.Compare(a.Key, b.Key) })
	return t
}
