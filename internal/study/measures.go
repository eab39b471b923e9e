package study

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"

	"commonground/internal/access"
	"commonground/internal/gap"
	"commonground/internal/measure"
	"commonground/internal/par"
	"commonground/internal/shard"
)

// ModeMeasures holds the standard access measures of every cell for one
// mode of travel, per group of places (categories, then "any", "secular").
type ModeMeasures struct {
	Mode  access.Mode
	Name  string // "walk", "drive", or "transit, WINDOW"
	Pairs int    // cell-place pairs within measures.max_minutes
	// Matrix is the cell x place travel matrix the measures were computed
	// on; nil in a merge, which streams its shards' trips (fcaAccess).
	Matrix *measure.Matrix
	// [group][cell]
	Cumulative [][]float64 // supply within measures.cutoff (IPEA cumulative_cutoff)
	Gravity    [][]float64 // sum of supply * exp(-beta t) (IPEA gravity, decay_exponential)
	FCA        [][]float64 // 2SFCA supply per person within measures.catchment (Luo & Wang 2003)
	// Sensitivity is, by car only, the ranking group's gravity under each
	// of sensitivity.gravity_betas: [beta][cell].
	Sensitivity [][]float64
	// Inequality of gravity access across people, per group.
	Inequality []*measure.Summary
}

// DropMatrices lets go of the travel matrices (ModeMeasures.Matrix),
// which no output uses: the largest thing a run holds, and the outputs
// allocate much while they render side by side.
func (r *Result) DropMatrices() {
	for k := range r.Measures {
		r.Measures[k].Matrix = nil
	}
}

// modeSums is what one mode's measures take from its trips before any
// 2SFCA ratio is known: the measures that are sums over each origin's own
// trips, and per place the exact 2SFCA demand (see measure.Sum). A shard
// computes these for its origins; the merge adds them up.
type modeSums struct {
	name   string
	mode   access.Mode
	pairs  int
	matrix *measure.Matrix // nil in a merge, which has no trips of its own
	cums   [][]float64     // [group][origin]
	gravs  [][]float64     // [group][origin]
	sens   [][]float64     // [beta][origin], by car
	demand []measure.Sum   // [place]
}

// catchment is the 2SFCA weight: 1 within measures.catchment, else 0.
func (r *Result) catchment() measure.Decay { return measure.Binary(r.Study.Measures.Catchment) }

// sumMode computes a mode's sums on its travel matrix.
func (r *Result) sumMode(m *measure.Matrix, name string, mode access.Mode, pairs int, pop []float64, supplies [][]float64) (*modeSums, error) {
	s := r.Study
	ms := &modeSums{name: name, mode: mode, pairs: pairs, matrix: m}
	var err error
	if ms.cums, err = m.Cumulatives(supplies, s.Measures.Cutoff); err != nil {
		return nil, err
	}
	if ms.gravs, err = m.Gravities(supplies, measure.Exponential(s.Measures.GravityBeta)); err != nil {
		return nil, err
	}
	if mode == access.Drive {
		supply := supplies[r.RankGroup()]
		for _, beta := range s.Sensitivity.GravityBetas {
			g, err := m.Gravity(supply, measure.Exponential(beta))
			if err != nil {
				return nil, err
			}
			ms.sens = append(ms.sens, g)
		}
	}
	if ms.demand, err = m.Demand(pop, r.catchment()); err != nil {
		return nil, err
	}
	return ms, nil
}

// populations is each cell's people.
func (r *Result) populations() []float64 {
	pop := make([]float64, len(r.Alloc.Cells))
	for i, c := range r.Alloc.Cells {
		pop[i] = c.Pop
	}
	return pop
}

// supplies is what each place offers each group (see supply).
func (r *Result) supplies() [][]float64 {
	out := make([][]float64, len(r.Groups))
	for gi, g := range r.Groups {
		out[gi] = r.supply(g)
	}
	return out
}

// modeSums computes every mode's sums from the travel matrices: walk,
// drive, then each transit window.
func (r *Result) modeSums(ctx context.Context, eng *access.Engine) ([]*modeSums, error) {
	s := r.Study
	pop, supplies := r.populations(), r.supplies()
	if r.matrices == nil {
		r.startMatrices(ctx, eng)
	}
	mr := <-r.matrices
	r.matrices = nil
	if mr.err != nil {
		return nil, mr.err
	}
	var out []*modeSums
	for _, mode := range []access.Mode{access.Walk, access.Drive} {
		ms, err := r.sumMode(mr.m[mode], mode.String(), mode, mr.n[mode], pop, supplies)
		if err != nil {
			return nil, err
		}
		out = append(out, ms)
	}
	if r.Transit == nil {
		return out, nil
	}
	// Transit is a mode of every measure too: the reported percentile of
	// each cell-place trip in each window, within measures.max_minutes.
	originIDs, destIDs := mr.m[access.Walk].Origins, mr.m[access.Walk].Dests
	for _, tw := range r.Transit.Windows {
		var mp []measure.Pair
		for _, p := range tw.Pairs {
			if p.Cost <= s.Measures.MaxMinutes {
				mp = append(mp, p)
			}
		}
		ms, err := r.windowSums(tw.Name, originIDs, destIDs, mp, pop, supplies)
		if err != nil {
			return nil, err
		}
		out = append(out, ms)
	}
	return out, nil
}

// windowName is a transit window's name as a mode of the measures.
func windowName(window string) string { return "transit, " + window }

// windowSums computes a transit window's sums from its trips within
// measures.max_minutes.
func (r *Result) windowSums(window string, originIDs, destIDs []string, within []measure.Pair, pop []float64, supplies [][]float64) (*modeSums, error) {
	name := windowName(window)
	m, err := measure.New(originIDs, destIDs, within, nil)
	if err != nil {
		return nil, fmt.Errorf("build the %s travel matrix: %w", name, err)
	}
	return r.sumMode(m, name, access.Walk, len(within), pop, supplies)
}

// placeIDs names places by their index, as the travel matrices do.
func placeIDs(n int) []string {
	out := make([]string, n)
	for j := range out {
		out[j] = strconv.Itoa(j)
	}
	return out
}

// measures computes the standard access measures of every cell, per mode
// and group, with the measure package, which follows the published
// definitions: from sparse cell x place travel matrices of bounded network
// searches, or in a merge from its shards' sums and trips.
func (r *Result) measures(ctx context.Context, eng *access.Engine, progress func(done, total int64)) error {
	cells := r.Alloc.Cells
	pop := r.populations()
	classNames := make([]string, len(cells))
	for i, c := range r.Class {
		classNames[i] = c.String()
	}
	income := r.cellIncome()
	r.Measures = nil
	var modes []*modeSums
	if r.pre != nil {
		modes = r.pre.modes
	} else {
		var err error
		if modes, err = r.modeSums(ctx, eng); err != nil {
			return err
		}
	}
	if progress != nil {
		progress(2, 3)
	}
	// 2SFCA: each place's supply per person competing for it, then each
	// cell's sum of the ratios within its catchment.
	supplies := r.supplies()
	ratios := make([][][]float64, len(modes)) // [mode][group][place]
	for mi, ms := range modes {
		demand := measure.Totals(ms.demand)
		ratios[mi] = make([][]float64, len(supplies))
		for gi, supply := range supplies {
			ratios[mi][gi] = measure.Ratios(supply, demand)
		}
	}
	var fca [][][]float64 // [mode][group][cell]
	if r.pre != nil {
		var err error
		if fca, err = r.pre.fcaAccess(r, ratios); err != nil {
			return err
		}
	} else {
		for mi, ms := range modes {
			fca = append(fca, ms.matrix.TwoStepAccess(ratios[mi], r.catchment()))
		}
	}
	for mi, ms := range modes {
		mm := ModeMeasures{Mode: ms.mode, Name: ms.name, Pairs: ms.pairs, Matrix: ms.matrix, Cumulative: ms.cums, Gravity: ms.gravs, FCA: fca[mi], Sensitivity: ms.sens}
		// The groups' inequality summaries (each sorts every cell) side by
		// side, each into its own slot.
		mm.Inequality = make([]*measure.Summary, len(r.Groups))
		errs := make([]error, len(r.Groups))
		par.Each(len(r.Groups), func(gi int) {
			// IPEA's conventions, except that Theil T counts residents with no
			// access (0 ln 0 = 0): IPEA's theil_t leaves them out, which on
			// foot is often most residents, and only with everyone counted
			// does T split exactly between and within area classes.
			mm.Inequality[gi], errs[gi] = measure.SummarizeWith(ms.gravs[gi], pop, income, classNames, measure.Options{Zeros: measure.ZeroLimit})
		})
		for gi, g := range r.Groups {
			if errs[gi] != nil {
				return fmt.Errorf("inequality of %s access to %s: %w", ms.name, g.Name, errs[gi])
			}
		}
		r.Measures = append(r.Measures, mm)
	}
	return nil
}

// matricesResult is the walk and drive travel matrices of the access
// measures (index access.Walk, access.Drive) and their numbers of pairs.
type matricesResult struct {
	m   [2]*measure.Matrix
	n   [2]int
	err error
}

// startMatrices computes the travel matrices of the access measures in the
// background: every cell to every place within measures.max_minutes, on
// foot and by car. They depend only on the networks, cells and places, so
// they run beside the nearest-place searches and the classes, filling the
// cores those leave idle; measures waits for them.
func (r *Result) startMatrices(ctx context.Context, eng *access.Engine) {
	cells := r.Alloc.Cells
	originIDs := make([]string, len(cells))
	for i, c := range cells {
		originIDs[i] = c.ID
	}
	destIDs := placeIDs(len(r.Extract.Places))
	all := r.dests(Group{Categories: allCats(len(r.Study.Categories))})
	maxMinutes := r.Study.Measures.MaxMinutes
	ch := make(chan matricesResult, 1)
	r.matrices = ch
	go func() {
		var res matricesResult
		for _, mode := range []access.Mode{access.Walk, access.Drive} {
			m, n, err := travelMatrix(ctx, eng, mode, all, maxMinutes, originIDs, destIDs)
			if err != nil {
				res.err = err
				break
			}
			res.m[mode], res.n[mode] = m, n
		}
		ch <- res
	}()
}

// travelMatrix is the matrix of every cell-place trip within maxMinutes
// by mode, handed from the searches to the measure package as compressed
// rows, so it is never held twice, with its number of pairs.
func travelMatrix(ctx context.Context, eng *access.Engine, mode access.Mode, dests []access.Dest, maxMinutes float64, originIDs, destIDs []string) (*measure.Matrix, int, error) {
	rows, err := eng.MatrixRows(ctx, mode, dests, maxMinutes)
	if err != nil {
		return nil, 0, err
	}
	m, err := measure.NewRows(originIDs, destIDs, rows.Start, rows.Label, rows.Minutes, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("build the %s travel matrix: %w", mode, err)
	}
	return m, len(rows.Label), nil
}

// matrixRows hands a shard's trips to the measure package as compressed
// rows, so the matrix is not held twice; parts gives a trip's origin, place
// and minutes.
func matrixRows[P any](originIDs, destIDs []string, pairs []P, parts func(P) (int32, int32, float64)) (*measure.Matrix, error) {
	start := make([]int, len(originIDs)+1)
	for k, p := range pairs {
		o, _, _ := parts(p)
		if o < 0 || int(o) >= len(originIDs) {
			return nil, fmt.Errorf("matrix pair %d: origin index %d is outside the %d origins", k+1, o, len(originIDs))
		}
		start[o+1]++
	}
	for i := range originIDs {
		start[i+1] += start[i]
	}
	dest := make([]int32, len(pairs))
	cost := make([]float64, len(pairs))
	next := append([]int(nil), start[:len(originIDs)]...)
	for _, p := range pairs {
		o, j, c := parts(p)
		k := next[o]
		dest[k], cost[k] = j, c
		next[o]++
	}
	return measure.NewRows(originIDs, destIDs, start, dest, cost, nil)
}

func shardPair(p shard.Pair) (int32, int32, float64) { return p.Origin, p.Place, p.Minutes }

// supply gives every place what it offers to a group: 0 outside the group,
// else 1, or its area in square metres where measures.supply says "area".
func (r *Result) supply(g Group) []float64 {
	in := map[string]bool{}
	for _, c := range g.Categories {
		in[r.Study.Categories[c].Name] = true
	}
	out := make([]float64, len(r.Extract.Places))
	for j, p := range r.Extract.Places {
		if !in[p.Category] {
			continue
		}
		out[j] = 1
		if r.Study.Measures.Supply[p.Category] == "area" {
			out[j] = p.AreaM2
		}
	}
	return out
}

// cellIncome is each cell's income from the configured income field: the
// population-weighted mean over the census polygons its people came from;
// nil without an income field.
func (r *Result) cellIncome() []float64 {
	p := r.Study.Inputs.Population
	if p == nil || p.IncomeField == "" {
		return nil
	}
	out := make([]float64, len(r.Alloc.Cells))
	for i, c := range r.Alloc.Cells {
		var sum, w float64
		for _, part := range c.Parts {
			if v, ok := r.Zones[part.Zone].Attrs[p.IncomeField]; ok && !math.IsNaN(v) {
				sum += v * part.Pop
				w += part.Pop
			}
		}
		out[i] = math.NaN()
		if w > 0 {
			out[i] = sum / w
		}
	}
	return out
}

// DecayCheck compares the ranking of areas by underserved people with a
// ranking by gravity access (least first) under one decay parameter.
type DecayCheck struct {
	Beta float64
	// Overlap is the share of the ranking's top N that are also among the
	// N areas with the least gravity access by car.
	Overlap float64
	// Spearman is the rank correlation of the areas' gravity access under
	// this beta with that under the study's own beta.
	Spearman float64
}

// decaySensitivity ranks the areas of the ranking level by mean gravity
// access by car to the ranking category, for each beta of
// sensitivity.gravity_betas.
func (r *Result) decaySensitivity() {
	var m *ModeMeasures
	for k := range r.Measures {
		if r.Measures[k].Name == "drive" {
			m = &r.Measures[k]
		}
	}
	if m == nil || len(r.Ranked) == 0 {
		return
	}
	rg := r.RankGroup()
	var areas []int
	for _, a := range r.Ranked {
		areas = append(areas, a.Area)
	}
	topN := min(r.Study.Ranking.Top, len(areas))
	top := map[int]bool{}
	for _, a := range areas[:topN] {
		top[a] = true
	}
	areaMean := func(g []float64) []float64 {
		sum, pop := map[int]float64{}, map[int]float64{}
		for i, ms := range r.Members {
			for _, mb := range ms {
				sum[int(mb.Area)] += mb.Pop * g[i]
				pop[int(mb.Area)] += mb.Pop
			}
		}
		out := make([]float64, len(areas))
		for k, a := range areas {
			if pop[a] > 0 {
				out[k] = sum[a] / pop[a]
			}
		}
		return out
	}
	base := areaMean(m.Gravity[rg])
	for b, beta := range r.Study.Sensitivity.GravityBetas {
		v := areaMean(m.Sensitivity[b])
		idx := make([]int, len(areas))
		for k := range idx {
			idx[k] = k
		}
		sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
		shared := 0
		for _, k := range idx[:topN] {
			if top[areas[k]] {
				shared++
			}
		}
		r.DecayChecks = append(r.DecayChecks, DecayCheck{Beta: beta, Overlap: float64(shared) / float64(max(topN, 1)), Spearman: gap.Spearman(base, v)})
	}
}
