package siting_test

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"commonground/internal/access"
	"commonground/internal/config"
	"commonground/internal/network"
	"commonground/internal/progress"
	"commonground/internal/siting"
	"commonground/internal/street"
	"commonground/internal/study"
	"commonground/internal/testdata"
)

// delaware is the census-tract study of Delaware turned into a library siting
// instance: every populated cell a demand, with its class's standard (walk
// 15 minutes urban, drive 15 rural, 30 remote) and its trip today to the
// nearest library in that mode; and every cell with at least minCellPop
// people a candidate site.
type delaware struct {
	res      *study.Result
	ways     []street.Way // the run's streets, read again (Result.Streets)
	walk     *network.Graph
	drive    *network.Graph
	demands  []siting.Demand
	cands    []siting.Candidate
	links    []siting.Link
	in       *siting.Instance
	under    float64 // people underserved for libraries, as the study counts them
	linkTime time.Duration
	// points and driveLimit: the demands' points and drive limits
	points     []orb.Point
	driveLimit []float64
}

const minCellPop = 50

var (
	deOnce sync.Once
	deData *delaware
	deErr  error
)

func loadDelaware(tb testing.TB) *delaware {
	tb.Helper()
	if testing.Short() {
		tb.Skip("the Delaware run takes a while; skipped under -short")
	}
	deOnce.Do(func() { deData, deErr = buildDelaware(tb) })
	if deErr != nil {
		tb.Fatal(deErr)
	}
	return deData
}

func buildDelaware(tb testing.TB) (*delaware, error) {
	s, err := config.Load(filepath.Join(testdata.RepoRoot(), "datasets", "delaware", "tracts.yaml"))
	if err != nil {
		return nil, err
	}
	r, err := study.Run(context.Background(), s, progress.New(io.Discard, true))
	if err != nil {
		return nil, err
	}
	de := &delaware{res: r}
	ways, err := r.Streets(context.Background())
	if err != nil {
		return nil, err
	}
	de.ways = ways
	if de.walk, _, err = network.Build(ways, network.WalkProfile(s.Travel.WalkKmh)); err != nil {
		return nil, err
	}
	if de.drive, _, err = network.Build(ways, network.DriveProfile(s.Travel.WalkKmh, s.Travel.DriveSpeeds)); err != nil {
		return nil, err
	}
	lib := -1
	for i, g := range r.Groups {
		if g.Name == "library" {
			lib = i
		}
	}
	cells := r.Alloc.Cells
	points := make([]orb.Point, len(cells))
	walkLimit, driveLimit := make([]float64, len(cells)), make([]float64, len(cells))
	de.demands = make([]siting.Demand, len(cells))
	for i, c := range cells {
		points[i] = c.Center
		th := s.ThresholdFor(r.Class[i].String())
		d := siting.Demand{Weight: c.Pop, Limit: th.Minutes, Current: r.Walk[lib][i]}
		walkLimit[i], driveLimit[i] = th.Minutes, math.NaN()
		if th.Mode == "drive" {
			d.Current = r.Drive[lib][i]
			walkLimit[i], driveLimit[i] = math.NaN(), th.Minutes
		}
		de.demands[i] = d
		if r.Under[lib][i] {
			de.under += c.Pop
		}
	}
	de.cands = siting.FromCells(cells, minCellPop)
	sites := make([]orb.Point, len(de.cands))
	for i, c := range de.cands {
		sites[i] = c.Point
	}
	// As in a study run, drive searches sweep a contraction hierarchy.
	de.drive.PrepareSweeps()
	de.points, de.driveLimit = points, driveLimit
	start := time.Now()
	opt := siting.ReachOptions{SnapMax: s.Travel.SnapMax}
	de.links = append(siting.Reach(de.walk, sites, points, walkLimit, opt), siting.Reach(de.drive, sites, points, driveLimit, opt)...)
	de.linkTime = time.Since(start)
	de.in, err = siting.New(de.demands, de.cands, de.links, siting.Options{})
	return de, err
}

// siting.TestDelawareLibraries chooses 1 to 10 new library sites for Delaware and
// reports coverage, the gap to the upper bound, and the marginal curve.
func TestDelawareLibraries(t *testing.T) {
	de := loadDelaware(t)
	in := de.in
	t.Logf("%d demand cells, %d candidate cells (>= %d people), %d links within each cell's standard, built in %v",
		len(de.demands), len(de.cands), minCellPop, len(de.links), de.linkTime.Round(time.Millisecond))
	if len(de.cands) < 5000 {
		t.Fatalf("%d candidates, want at least 5,000", len(de.cands))
	}
	// The people the covering model counts as not served today must be the
	// study's underserved people for libraries: same standard, same trips.
	open := 0.0
	for _, d := range de.demands {
		if !(d.Current <= d.Limit) {
			open += d.Weight
		}
	}
	if math.Abs(open-de.under) > 1e-6*de.under {
		t.Fatalf("people not served today %.0f, study says %.0f underserved", open, de.under)
	}
	prev := 0.0
	for k := 1; k <= 10; k++ {
		sol, err := in.Cover(k)
		if err != nil {
			t.Fatal(err)
		}
		classic := sol.Greedy / (1 - math.Pow(1-1/float64(k), float64(k)))
		t.Logf("k=%2d: %7.0f people newly covered (%4.1f%% of %.0f underserved); greedy %7.0f, %d swaps; upper bound %7.0f (gap %4.1f%%; classic greedy bound %7.0f)",
			k, sol.Value, 100*sol.Value/open, open, sol.Greedy, sol.Swaps, sol.Bound, 100*(sol.Bound-sol.Value)/sol.Bound, classic)
		if sol.Value < prev || sol.Value < sol.Greedy || sol.Bound < sol.Value || sol.Bound > classic*(1+1e-12) || sol.Value > open {
			t.Fatalf("k=%d: value %v (k-1: %v), greedy %v, bound %v, classic %v, open %v", k, sol.Value, prev, sol.Greedy, sol.Bound, classic, open)
		}
		if len(sol.Sites) != k {
			t.Fatalf("k=%d: %d sites", k, len(sol.Sites))
		}
		// The reported coverage, recomputed from the raw links.
		if got := coverFromLinks(de, sol.Sites); math.Abs(got-sol.Value) > 1e-6*sol.Value {
			t.Fatalf("k=%d: value %v, links say %v", k, sol.Value, got)
		}
		if k == 10 {
			for i, s := range sol.Steps {
				c := de.cands[s.Site]
				t.Logf("  site %2d %-11s (%.4f, %.4f): +%6.0f people, %5d cells, total %7.0f", i+1, c.ID, c.Point[1], c.Point[0], s.Gain, len(s.Catchment), s.Value)
			}
		}
		prev = sol.Value
	}
}

// TestDelawareBudgetAndMedian: with no costs every site costs 1, so a budget
// of 5 must pick what greedy covering picks for k = 5; and five sites chosen
// for the p-median must cut people-minutes. The links here reach only each
// cell's standard, so this p-median credits only trips within it.
func TestDelawareBudgetAndMedian(t *testing.T) {
	de := loadDelaware(t)
	cover, err := de.in.Cover(5)
	if err != nil {
		t.Fatal(err)
	}
	budget, err := de.in.Budget(5)
	if err != nil {
		t.Fatal(err)
	}
	if budget.Value != cover.Greedy || budget.Cost != 5 || budget.Bound < budget.Value {
		t.Errorf("budget 5: value %v cost %v bound %v; greedy covering for k=5 gives %v", budget.Value, budget.Cost, budget.Bound, cover.Greedy)
	}
	const penalty = 60
	today := 0.0
	for _, d := range de.demands {
		trip := float64(penalty)
		if d.Current < trip { // false for NaN: no library reachable
			trip = d.Current
		}
		today += d.Weight * trip
	}
	med, err := de.in.Median(5, penalty)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("p-median k=5: %.0f people-minutes today, %.0f with the sites (greedy %.0f, %d swaps), lower bound %.0f", today, med.Value, med.Greedy, med.Swaps, med.Bound)
	if !(med.Value < today && med.Value <= med.Greedy && med.Bound <= med.Value) {
		t.Errorf("median: today %v, value %v, greedy %v, bound %v", today, med.Value, med.Greedy, med.Bound)
	}
}

// coverFromLinks recomputes coverage from the link list alone.
func coverFromLinks(de *delaware, sites []int) float64 {
	chosen := map[int32]bool{}
	for _, s := range sites {
		chosen[int32(s)] = true
	}
	covered := make([]bool, len(de.demands))
	for _, l := range de.links {
		d := de.demands[l.Demand]
		if chosen[l.Candidate] && float64(l.Minutes) <= d.Limit && !(d.Current <= d.Limit) {
			covered[l.Demand] = true
		}
	}
	v := 0.0
	for i, c := range covered {
		if c {
			v += de.demands[i].Weight
		}
	}
	return v
}

// siting.TestDelawareReachMatchesAccess checks the bounded searches against the
// access engine's whole-graph search: for a few candidate sites, a cell is
// linked exactly when its drive (or walk) to that site alone is within its
// limit, at the same time.
func TestDelawareReachMatchesAccess(t *testing.T) {
	de := loadDelaware(t)
	s := de.res.Study
	cells := de.res.Alloc.Cells
	origins := make([]orb.Point, len(cells))
	for i, c := range cells {
		origins[i] = c.Center
	}
	eng := access.NewEngine(de.walk, de.drive, s.Travel.WalkKmh/3.6, s.Travel.SnapMax, origins)
	byCand := map[int32]map[int32]float32{}
	for _, l := range de.links {
		if byCand[l.Candidate] == nil {
			byCand[l.Candidate] = map[int32]float32{}
		}
		byCand[l.Candidate][l.Demand] = l.Minutes
	}
	for _, c := range []int{0, len(de.cands) / 3, len(de.cands) / 2, len(de.cands) - 1} {
		walk, _ := eng.Nearest(access.Walk, []access.Dest{{Point: de.cands[c].Point}})
		drive, _ := eng.Nearest(access.Drive, []access.Dest{{Point: de.cands[c].Point}})
		linked := 0
		for i := range cells {
			th := s.ThresholdFor(de.res.Class[i].String())
			want := walk[i]
			if th.Mode == "drive" {
				want = drive[i]
			}
			got, ok := byCand[int32(c)][int32(i)]
			inReach := want <= th.Minutes
			if ok != inReach || (ok && math.Abs(float64(got)-want) > 1e-4) {
				t.Fatalf("candidate %s, cell %d (%s): linked %v at %v min; access engine says %v min (limit %v)", de.cands[c].ID, i, de.res.Class[i], ok, got, want, th.Minutes)
			}
			if ok {
				linked++
			}
		}
		t.Logf("candidate %s: %d cells within their standard, all matching the access engine", de.cands[c].ID, linked)
	}
}

// BenchmarkDelawareCover10 chooses 10 library sites among the Delaware
// candidate cells; building the links is not timed (see the test's log).
func BenchmarkDelawareCover10(b *testing.B) {
	de := loadDelaware(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := de.in.Cover(10); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDelawareMedian10 is the p-median counterpart (penalty 60 minutes
// over the same links, so only trips within each cell's standard count).
func BenchmarkDelawareMedian10(b *testing.B) {
	de := loadDelaware(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := de.in.Median(10, 60); err != nil {
			b.Fatal(err)
		}
	}
}

// siting.BenchmarkDelawareLinks times building the candidate to cell list itself.
func BenchmarkDelawareLinks(b *testing.B) {
	de := loadDelaware(b)
	s := de.res.Study
	cells := de.res.Alloc.Cells
	points := make([]orb.Point, len(cells))
	limit := make([]float64, len(cells))
	for i, c := range cells {
		points[i] = c.Center
		limit[i] = math.NaN()
		if th := s.ThresholdFor(de.res.Class[i].String()); th.Mode == "drive" {
			limit[i] = th.Minutes
		}
	}
	sites := make([]orb.Point, len(de.cands))
	for i, c := range de.cands {
		sites[i] = c.Point
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		siting.Reach(de.drive, sites, points, limit, siting.ReachOptions{SnapMax: s.Travel.SnapMax})
	}
}

// TestReachSweepsMatchSearches lists the drive links of every tenth
// candidate twice: by sweeps on the hierarchy (as the study does) and by one
// bounded search per site on the same streets without one. The lists must
// be the same, link for link and to the last bit of each time.
func TestReachSweepsMatchSearches(t *testing.T) {
	de := loadDelaware(t)
	s := de.res.Study
	plain, _, err := network.Build(de.ways, network.DriveProfile(s.Travel.WalkKmh, s.Travel.DriveSpeeds))
	if err != nil {
		t.Fatal(err)
	}
	if plain.SweepsPrepared() || !de.drive.SweepsPrepared() {
		t.Fatal("want one graph with sweeps and one without")
	}
	var sites []orb.Point
	for i := 0; i < len(de.cands); i += 10 {
		sites = append(sites, de.cands[i].Point)
	}
	opt := siting.ReachOptions{SnapMax: s.Travel.SnapMax}
	swept := siting.Reach(de.drive, sites, de.points, de.driveLimit, opt)
	searched := siting.Reach(plain, sites, de.points, de.driveLimit, opt)
	t.Logf("%d sites, %d links", len(sites), len(swept))
	if len(searched) < 1000 {
		t.Fatalf("only %d links: the comparison tests little", len(searched))
	}
	if len(swept) != len(searched) {
		t.Fatalf("%d links by sweeps, %d by searches", len(swept), len(searched))
	}
	for k := range swept {
		if swept[k] != searched[k] {
			t.Fatalf("link %d: %+v by sweeps, %+v by searches", k, swept[k], searched[k])
		}
	}
}
