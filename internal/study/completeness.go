package study

import (
	"sort"

	"github.com/paulmach/orb"

	"commonground/internal/region"
)

// areaShape is the outline of one area.
type areaShape struct {
	area  int32
	level string
	geom  orb.MultiPolygon
}

// Flag marks an area where OpenStreetMap seems to miss places of a kind:
// far fewer are mapped there than the study-wide rate per person predicts.
type Flag struct {
	Area     int
	Category int // index into Study.Categories
	Mapped   int
	Expected float64
}

// Thresholds of the completeness check: an area is flagged for a category
// when none is mapped although at least flagNone are expected, or fewer than
// a quarter of those expected when at least flagFew are.
const (
	flagNone = 2.0
	flagFew  = 4.0
)

// completeness compares, in every area of the ranking level, the places
// mapped of each kind with what the study-wide rate per person would put
// there. Real places are not spread in proportion to people, so a flag is a
// hint of a mapping gap to check, not proof; it is most telling for kinds,
// like places of worship, that usually follow where people live.
func (r *Result) completeness() error {
	var shapes []orb.MultiPolygon
	var areaOf []int32
	for _, a := range r.areaGeom {
		if a.level == r.RankLevel {
			shapes = append(shapes, a.geom)
			areaOf = append(areaOf, a.area)
		}
	}
	if len(shapes) == 0 {
		return nil
	}
	rg, err := region.NewSet(shapes)
	if err != nil {
		return err
	}
	defer rg.Destroy()
	nc := len(r.Study.Categories)
	mapped := map[int32][]int{}
	total := make([]int, nc)
	for _, p := range r.Extract.Places {
		c := r.catIndex(p.Category)
		if c < 0 {
			continue
		}
		total[c]++
		if k := rg.Locate(p.Point); k >= 0 {
			a := areaOf[k]
			if mapped[a] == nil {
				mapped[a] = make([]int, nc)
			}
			mapped[a][c]++
		}
	}
	pop := r.Population()
	for _, res := range r.AreaResult {
		a := int32(res.Area)
		if r.Areas[a].Level != r.RankLevel || res.Population <= 0 {
			continue
		}
		for c := 0; c < nc; c++ {
			if total[c] == 0 {
				continue // nothing mapped anywhere: the study-wide caveat says so
			}
			exp := float64(total[c]) / pop * res.Population
			m := 0
			if mapped[a] != nil {
				m = mapped[a][c]
			}
			if (m == 0 && exp >= flagNone) || (exp >= flagFew && float64(m) < exp/4) {
				r.Flags = append(r.Flags, Flag{Area: int(a), Category: c, Mapped: m, Expected: exp})
			}
		}
	}
	sort.SliceStable(r.Flags, func(i, j int) bool {
		a, b := r.Flags[i], r.Flags[j]
		if a.Expected-float64(a.Mapped) != b.Expected-float64(b.Mapped) {
			return a.Expected-float64(a.Mapped) > b.Expected-float64(b.Mapped)
		}
		if a.Area != b.Area {
			return a.Area < b.Area
		}
		return a.Category < b.Category
	})
	return nil
}
