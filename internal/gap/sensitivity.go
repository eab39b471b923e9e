package gap

import (
	"math"
	"sort"
)

// Setting is one set of standards, one per class, under which the ranking
// is recomputed.
type Setting [NumClasses]Standard

// Sensitivity says how much the ranking of areas by need depends on the
// thresholds chosen, so a funder can tell robust priorities from artefacts
// of one threshold.
type Sensitivity struct {
	Settings int // settings tried, the baseline included
	TopN     int
	// StayShare[k] is, for the k-th area of the baseline top N, the share of
	// settings in which it is also in the top N.
	Top       []int // baseline top-N area indexes, in rank order
	StayShare []float64
	// Overlap is the mean, over settings, of the share of the baseline top N
	// that is in that setting's top N.
	Overlap float64
	// Spearman rank correlation of each setting's ranking with the
	// baseline's, over every area with people; its mean and minimum.
	SpearmanMean, SpearmanMin float64
}

// Input for Rerank: per cell, walk and drive minutes to the nearest place of
// the ranking category, its class, and its people split by area.
type RankInput struct {
	Walk, Drive []float64
	Class       []Class
	Members     [][]Member
	NAreas      int
	// Keep reports whether an area takes part in the ranking (e.g. only
	// census tracts); nil keeps all.
	Keep func(area int) bool
}

// underservedByArea returns people underserved per area under a setting.
func (in RankInput) underservedByArea(s Setting) (under, pop []float64) {
	under, pop = make([]float64, in.NAreas), make([]float64, in.NAreas)
	for i, ms := range in.Members {
		u := Underserved(in.Walk[i], in.Drive[i], s[in.Class[i]])
		for _, m := range ms {
			pop[m.Area] += m.Pop
			if u {
				under[m.Area] += m.Pop
			}
		}
	}
	return under, pop
}

// order ranks the kept areas with people by underserved people, most first,
// ties by share then index (as Rank does).
func (in RankInput) order(under, pop []float64) []int {
	var out []int
	for a := 0; a < in.NAreas; a++ {
		if pop[a] > 0 && (in.Keep == nil || in.Keep(a)) {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if under[a] != under[b] {
			return under[a] > under[b]
		}
		sa, sb := under[a]/pop[a], under[b]/pop[b]
		if sa != sb {
			return sa > sb
		}
		return a < b
	})
	return out
}

// Rerank recomputes the ranking under every setting and compares it with
// the baseline's (settings[0]).
func Rerank(in RankInput, settings []Setting, topN int) Sensitivity {
	res := Sensitivity{Settings: len(settings), TopN: topN}
	if len(settings) == 0 {
		return res
	}
	bu, bp := in.underservedByArea(settings[0])
	base := in.order(bu, bp)
	n := min(topN, len(base))
	res.Top = append([]int(nil), base[:n]...)
	res.StayShare = make([]float64, n)
	baseScore := make([]float64, len(base))
	for k, a := range base {
		baseScore[k] = bu[a]
	}
	res.SpearmanMin = 1
	for _, s := range settings {
		u, p := in.underservedByArea(s)
		ord := in.order(u, p)
		top := map[int]bool{}
		for _, a := range ord[:min(n, len(ord))] {
			top[a] = true
		}
		kept := 0
		for k, a := range res.Top {
			if top[a] {
				res.StayShare[k]++
				kept++
			}
		}
		if n > 0 {
			res.Overlap += float64(kept) / float64(n)
		}
		other := make([]float64, len(base))
		for k, a := range base {
			other[k] = u[a]
		}
		rho := Spearman(baseScore, other)
		res.SpearmanMean += rho
		res.SpearmanMin = min(res.SpearmanMin, rho)
	}
	for k := range res.StayShare {
		res.StayShare[k] /= float64(len(settings))
	}
	res.Overlap /= float64(len(settings))
	res.SpearmanMean /= float64(len(settings))
	return res
}

// Spearman returns Spearman's rank correlation of x and y: Pearson's
// correlation of their ranks, ties given their average rank (Spearman 1904;
// the tie handling of most statistics packages). It is 1 when either has no
// variation and they are equal, and 0 when only one varies.
func Spearman(x, y []float64) float64 {
	rx, ry := ranks(x), ranks(y)
	n := float64(len(x))
	if n == 0 {
		return 1
	}
	var mx, my float64
	for i := range rx {
		mx += rx[i]
		my += ry[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range rx {
		dx, dy := rx[i]-mx, ry[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	switch {
	case sxx == 0 && syy == 0:
		return 1
	case sxx == 0 || syy == 0:
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

// ranks gives 1-based ranks, ties the mean of the ranks they span.
func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	out := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			out[idx[k]] = r
		}
		i = j + 1
	}
	return out
}
