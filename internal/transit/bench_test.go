package transit

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"commonground/internal/geo"
	"commonground/internal/gtfs"
	"commonground/internal/modfile"
)

// BenchmarkPOAWindow is the whole Porto Alegre transit access run: every
// hexagon to every point of interest, each minute of a two-hour window.
// Street network, feeds, walks and the router are built outside the loop
// (BenchmarkPOASetup times them).
func BenchmarkPOAWindow(b *testing.B) {
	p := loadPOA(b)
	for _, w := range []struct {
		name     string
		from, to Time
	}{
		{"07-09_rail_only", hms(7, 0, 0), hms(9, 0, 0)},
		{"13-15_bus_and_rail", hms(13, 0, 0), hms(15, 0, 0)},
	} {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				err := p.router.RangeEach(context.Background(), p.access, w.from, w.to, 60, p.eg, DenseDirect(p.direct), func(int, *Result) {})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(p.origins)), "origins")
		})
	}
}

// BenchmarkPOASetup times what a run does before routing: the timetable of
// the day, snapping stops, transfers, access and egress walks, direct walks
// and compiling the router (the street network and feeds are read once).
func BenchmarkPOASetup(b *testing.B) {
	p := loadPOA(b)
	b.ReportAllocs()
	for b.Loop() {
		tt, _, err := FromFeed(p.feed, poaDate)
		if err != nil {
			b.Fatal(err)
		}
		w := NewWalker(p.walk, tt.Stops, poaSnapMax)
		tt.Transfers = w.Transfers(poaTransferM/p.speedMps, DefaultDetour)
		acc := w.Stops(p.origins, poaMaxWalk)
		eg := w.Stops(p.dests, poaMaxWalk)
		w.Direct(p.origins, p.dests, 7200)
		r, err := NewRouter(tt, DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.NewEgress(eg); err != nil {
			b.Fatal(err)
		}
		_ = acc
	}
}

// BenchmarkTriMetOrigin is one origin's two-hour window on the TriMet feed
// (Portland: 6,759 stops, 1.85 M stop times). No street network is at hand,
// so access, egress and transfers are straight lines x DefaultDetour at
// 4.8 km/h, within 800 m (access, egress) and 400 m (transfers). Each
// iteration routes a different random origin to 20 random destinations.
func BenchmarkTriMetOrigin(b *testing.B) {
	path, err := modfile.Resolve("gomod:github.com/interline-io/transitland-lib@v0.18.0/testdata/external/trimet.zip")
	if err != nil {
		b.Fatal(err)
	}
	f, err := gtfs.Read(path, gtfs.Options{})
	if err != nil {
		b.Fatal(err)
	}
	first, last, _ := f.DateRange()
	day := first
	for day.Weekday() != time.Wednesday && day.Before(last) {
		day = day.AddDays(1)
	}
	tt, d, err := FromFeed(f, day)
	if err != nil {
		b.Fatal(err)
	}
	speed := 4.8 / 3.6
	tt.Transfers = StraightTransfers(tt.Stops, 400, speed, DefaultDetour)
	r, err := NewRouter(tt, DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("TriMet %v: %d trips (%d frequency, %d previous day), %d patterns", day, len(tt.Trips), d.Frequency, d.PreviousDay, r.Patterns())
	near := func(s StopID, max float64) []StopWalk {
		var out []StopWalk
		for j := range tt.Stops {
			if d := geo.Distance(tt.Stops[s].Point, tt.Stops[j].Point); d <= max {
				out = append(out, StopWalk{StopID(j), d * DefaultDetour / speed})
			}
		}
		return out
	}
	rng := rand.New(rand.NewPCG(7, 8))
	var egress [][]StopWalk
	for range 20 {
		egress = append(egress, near(StopID(rng.IntN(len(tt.Stops))), 800))
	}
	eg, err := r.NewEgress(egress)
	if err != nil {
		b.Fatal(err)
	}
	origins := make([][]StopWalk, 64)
	for i := range origins {
		origins[i] = near(StopID(rng.IntN(len(tt.Stops))), 800)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := r.Range(origins[i%len(origins)], hms(7, 0, 0), hms(9, 0, 0), 60, eg, nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkLowerBoundsPOA is a transit shard's planning on the Porto Alegre
// feeds: the bound on every stop from a quarter of the city within two
// hours (the example's max_trip_minutes), and the trips it keeps.
func BenchmarkLowerBoundsPOA(b *testing.B) {
	p := loadPOA(b)
	start := make([]float64, len(p.feed.Stops))
	maxWalkM := poaMaxWalk * p.speedMps
	centre := p.origins[len(p.origins)/2]
	for i, s := range p.feed.Stops {
		start[i] = math.Inf(1)
		if d := geo.Distance(orb.Point{s.Lon, s.Lat}, centre); d <= 3000+maxWalkM {
			start[i] = max(0, d-3000) / p.speedMps
		}
	}
	b.ReportAllocs()
	kept := 0
	for b.Loop() {
		lb := LowerBounds(p.feed, start, p.speedMps, maxWalkM, 7200)
		keep := make([]bool, len(lb))
		kept = 0
		for i, v := range lb {
			if keep[i] = v <= 7200; keep[i] {
				kept++
			}
		}
		KeepTrips(p.feed, keep, []gtfs.Date{poaDate})
	}
	b.ReportMetric(float64(kept), "stops-kept")
}
