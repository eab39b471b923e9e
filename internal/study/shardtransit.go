package study

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"commonground/internal/config"
	"commonground/internal/geo"
	"commonground/internal/gtfs"
	"commonground/internal/transit"
)

// transitClip reads a transit study's feeds for a shard and works out what
// of them and of the map the shard's origins, which lie in box, can use
// within transit.max_trip_minutes: the stops some journey from box may
// reach in that time (transit.LowerBounds, from straight-line walks and
// drives to the stops near it and the quickest scheduled hops), box as far
// as the walk-only trip and the drive to a park-and-ride stop go, and the
// walks from those stops to places and other stops. It returns that box,
// widened by ShardMarginM, and keeps the feeds without the trips that call
// at none of those stops for transitAccess.
//
// Every journey the router records stays within the box: a stop reached
// later than the bound allows is past max_trip_minutes, so no arrival
// there, or from there, is recorded, and cutting it, its trips and the
// streets around it changes no result.
func (r *Result) transitClip(box orb.Bound, driveKmh float64) (orb.Bound, error) {
	s, t := r.Study, r.Study.Transit
	var paths []string
	for _, f := range t.Feeds {
		p, _ := s.Resolve(f)
		paths = append(paths, p)
	}
	feed, err := gtfs.ReadAll(paths, gtfs.Options{})
	if err != nil {
		return orb.Bound{}, err
	}
	walk := s.Travel.WalkKmh / 3.6 // m/s, as network.WalkProfile
	drive := max(walk, driveKmh/3.6)
	maxWalkM := t.MaxWalkMinutes * 60 * walk
	limit := t.MaxTripMinutes * 60
	start := make([]float64, len(feed.Stops))
	for i, st := range feed.Stops {
		d := distToBox(orb.Point{st.Lon, st.Lat}, box)
		start[i] = math.Inf(1)
		if d <= maxWalkM {
			start[i] = d / walk
		}
		if da := t.DriveAccess; da != nil && d <= da.MaxMinutes*60*drive {
			start[i] = min(start[i], d/drive)
		}
	}
	lb := transit.LowerBounds(feed, start, walk, maxWalkM, limit)
	keep := make([]bool, len(lb))
	var reached orb.MultiPoint
	for i, v := range lb {
		if keep[i] = v <= limit; keep[i] {
			reached = append(reached, orb.Point{feed.Stops[i].Lon, feed.Stops[i].Lat})
		}
	}
	// The part, as far as the walk-only trip (up to max_trip_minutes on
	// foot) and the drive to a park-and-ride stop go.
	reach := limit * walk
	if da := t.DriveAccess; da != nil {
		reach = max(reach, da.MaxMinutes*60*drive)
	}
	clip := padMetres(box, reach)
	if len(reached) > 0 {
		clip = clip.Union(padMetres(reached.Bound(), maxWalkM))
	}
	// The dates the windows route: no cut may leave one without trips.
	var dates []gtfs.Date
	for _, w := range append([]config.Window{{Date: t.Date}}, t.Windows...) {
		if w.Date == "" {
			continue
		}
		d, err := gtfs.ParseDate(w.Date)
		if err != nil {
			return orb.Bound{}, fmt.Errorf("transit window %q date: %w", w.Name, err)
		}
		dates = append(dates, d)
	}
	kept, dropped := transit.KeepTrips(feed, keep, dates)
	r.shard.feed = kept
	r.shard.feedTrips, r.shard.transitTrips = len(feed.Trips), len(feed.Trips)-dropped
	return padMetres(clip, ShardMarginM), nil
}

// distToBox is a lower bound on the distance in metres from p to the
// nearest point of the lon/lat box b: the great-circle distance to p
// clamped into the box, less 1% for the gap between a parallel and a
// great circle (second order in the distance: far below 1% at any
// distance a shard's buffer spans).
func distToBox(p orb.Point, b orb.Bound) float64 {
	q := orb.Point{min(max(p[0], b.Min[0]), b.Max[0]), min(max(p[1], b.Min[1]), b.Max[1])}
	return 0.99 * geo.Distance(p, q)
}
