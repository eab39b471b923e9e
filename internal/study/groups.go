package study

import (
	"fmt"
	"math"

	"commonground/internal/problem"
)

// GroupResult is access for one population group, over every category.
type GroupResult struct {
	Label      string
	Field      string
	NeedWeight float64
	Population float64
	// Per category (in Groups order): people of the group underserved, and
	// population-weighted mean minutes to the nearest place on foot and by
	// car among those who can reach one.
	Underserved         []float64
	MeanWalk, MeanDrive []float64
}

// groupAccess splits each cell's people into the configured groups by the group
// shares of the census polygons they came from (people of group g in a cell
// = sum over its polygons of the part times g's share of that polygon), and
// sums access by group. It also returns the need-weighted underserved count
// per category: every person counts the need weight of their group, and
// people of groups without a weight, or in no listed group, count 0 unless
// no group has a weight, when everyone counts 1.
func (r *Result) groupAccess() {
	p := r.Study.Inputs.Population
	if p == nil || len(p.Groups) == 0 {
		return
	}
	ng := len(r.Groups)
	share := make([][]float64, len(p.Groups)) // [group][zone]
	for gi, g := range p.Groups {
		share[gi] = make([]float64, len(r.Zones))
		missing := 0
		for z, zone := range r.Zones {
			v, ok := zone.Attrs[g.Field]
			if !ok || math.IsNaN(v) {
				missing++
				continue
			}
			if zone.Pop > 0 {
				share[gi][z] = v / zone.Pop
			}
		}
		if missing == len(r.Zones) {
			r.Problems.Add(problem.Problem{Severity: problem.Warning, File: p.Path, Field: g.Field,
				Message: fmt.Sprintf("no polygon has the group field %q, so group %q counts nobody", g.Field, g.Label)})
		} else if missing > 0 {
			r.Problems.Add(problem.Problem{Severity: problem.Warning, File: p.Path, Field: g.Field,
				Message: fmt.Sprintf("%d polygons lack the group field %q; their people count as outside group %q", missing, g.Field, g.Label)})
		}
	}
	weighted := false
	for _, g := range p.Groups {
		weighted = weighted || g.NeedWeight > 0
	}
	r.GroupRes = make([]GroupResult, len(p.Groups))
	walkSum := make([][]float64, len(p.Groups))
	driveSum := make([][]float64, len(p.Groups))
	walkPop := make([][]float64, len(p.Groups))
	drivePop := make([][]float64, len(p.Groups))
	for gi, g := range p.Groups {
		r.GroupRes[gi] = GroupResult{Label: g.Label, Field: g.Field, NeedWeight: g.NeedWeight,
			Underserved: make([]float64, ng), MeanWalk: make([]float64, ng), MeanDrive: make([]float64, ng)}
		walkSum[gi], driveSum[gi] = make([]float64, ng), make([]float64, ng)
		walkPop[gi], drivePop[gi] = make([]float64, ng), make([]float64, ng)
	}
	r.NeedUnder = make([]float64, ng)
	for i, c := range r.Alloc.Cells {
		need := 0.0
		if !weighted {
			need = c.Pop
		}
		for gi, g := range p.Groups {
			var gp float64
			for _, part := range c.Parts {
				gp += part.Pop * share[gi][part.Zone]
			}
			if gp == 0 {
				continue
			}
			res := &r.GroupRes[gi]
			res.Population += gp
			need += gp * g.NeedWeight
			for k := 0; k < ng; k++ {
				if r.Under[k][i] {
					res.Underserved[k] += gp
				}
				if w := r.Walk[k][i]; !math.IsNaN(w) {
					walkSum[gi][k] += gp * w
					walkPop[gi][k] += gp
				}
				if d := r.Drive[k][i]; !math.IsNaN(d) {
					driveSum[gi][k] += gp * d
					drivePop[gi][k] += gp
				}
			}
		}
		for k := 0; k < ng; k++ {
			if r.Under[k][i] {
				r.NeedUnder[k] += need
			}
		}
	}
	for gi := range r.GroupRes {
		for k := 0; k < ng; k++ {
			r.GroupRes[gi].MeanWalk[k] = ratioNaN(walkSum[gi][k], walkPop[gi][k])
			r.GroupRes[gi].MeanDrive[k] = ratioNaN(driveSum[gi][k], drivePop[gi][k])
		}
	}
}

func ratioNaN(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// cellGroupPops returns the people of each configured group in each cell
// ([group][cell]), split by the shares of the census polygons; nil without
// groups.
func (r *Result) cellGroupPops() [][]float64 {
	p := r.Study.Inputs.Population
	if p == nil || len(p.Groups) == 0 {
		return nil
	}
	out := make([][]float64, len(p.Groups))
	for gi, g := range p.Groups {
		out[gi] = make([]float64, len(r.Alloc.Cells))
		for i, c := range r.Alloc.Cells {
			for _, part := range c.Parts {
				z := r.Zones[part.Zone]
				if v, ok := z.Attrs[g.Field]; ok && !math.IsNaN(v) && z.Pop > 0 {
					out[gi][i] += part.Pop * v / z.Pop
				}
			}
		}
	}
	return out
}

// cellNeed is each cell's need-weighted people: the people of each group
// times its need weight, summed.
func (r *Result) cellNeed() []float64 {
	pops := r.cellGroupPops()
	out := make([]float64, len(r.Alloc.Cells))
	for g, gp := range pops {
		w := r.Study.Inputs.Population.Groups[g].NeedWeight
		for i, v := range gp {
			out[i] += w * v
		}
	}
	return out
}
