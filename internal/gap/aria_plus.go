package gap

import (
	"errors"
	"math"
)

// ARIAPlus is the Accessibility/Remoteness Index of Australia, ARIA+
// version (GISCA, University of Adelaide; Department of Health and Aged
// Care 2001, "Measuring Remoteness: ARIA Revised Edition", Occasional
// Papers New Series 14; Department of Health 2011, "ARIA Review Report").
// From each place the road distance to the nearest service centre of each
// of five categories (ARIACategories: A 250,000 people or more, B 48,000,
// C 18,000, D 5,000, E 1,000) is divided by the Australian mean distance
// for that category, each ratio is capped at 3, and the five are summed:
// 0 (most accessible) to 15 (most remote). The ABS Remoteness Areas cut
// the score at 0.2, 2.4, 5.92 and 10.53 (ARIAInnerRegional and the
// constants after it).
//
// The nearest centre "of a category" is the nearest of at least that size,
// as a larger centre offers what a smaller one does.
//
// Means holds the national references: the Australian mean road distance,
// in km, from populated localities to the nearest centre of categories A
// to E. They belong to the published method, never to the study, but
// GISCA sells them with the index and no source reachable while this was
// written prints them; the caller must give them (Validate says so).
type ARIAPlus struct {
	Means [5]float64 // km, categories A..E; required
	// KmPerHour turns drive minutes into km when a trip has no road km;
	// 0 means 80 km/h, the average speed Statistics Canada assumes for its
	// Index of Remoteness (see StatCanIR).
	KmPerHour float64
}

// ErrARIAMeans says the ARIA+ national mean distances are missing.
var ErrARIAMeans = errors.New("gap: aria-plus needs the Australian mean road distances (km) to the nearest service centre of categories A-E (means: [A, B, C, D, E])")

// Validate reports whether the national references are set.
func (a *ARIAPlus) Validate() error {
	for _, m := range a.Means {
		if !(m > 0) {
			return ErrARIAMeans
		}
	}
	return nil
}

// Name returns "aria-plus".
func (*ARIAPlus) Name() string { return "aria-plus" }

// Score returns the ARIA+ score of a place with these trips. A category
// with no centre reached counts the cap, 3.
func (a *ARIAPlus) Score(trips []Trip, centres []PopCentre) float64 {
	speed := a.KmPerHour
	if speed <= 0 {
		speed = 80
	}
	km := nearestByBand(trips, centres, ARIACategories[:], func(t Trip) float64 {
		if t.Km > 0 {
			return t.Km
		}
		return t.Minutes * speed / 60
	})
	var s float64
	for k, d := range km {
		s += min(3, d/a.Means[k])
	}
	return s
}

// ARIAClass returns the ABS Remoteness Area of an ARIA+ score (each class
// includes its upper bound: Major Cities 0 to 0.2, Inner Regional above
// 0.2 to 2.4, Outer Regional to 5.92, Remote to 10.53, Very Remote above).
func ARIAClass(score float64) string {
	switch {
	case score <= ARIAInnerRegional:
		return "Major Cities"
	case score <= ARIAOuterRegional:
		return "Inner Regional"
	case score <= ARIARemote:
		return "Outer Regional"
	case score <= ARIAVeryRemote:
		return "Remote"
	default:
		return "Very Remote"
	}
}

// Assess returns the score, the Remoteness Area, and remote above 5.92
// (Remote and Very Remote). Without the national means (see Validate) the
// score is NaN and nothing is remote.
func (a *ARIAPlus) Assess(trips []Trip, centres []PopCentre) Assessment {
	if a.Validate() != nil {
		return Assessment{Score: math.NaN(), Label: "no national means"}
	}
	s := a.Score(trips, centres)
	return Assessment{Score: s, Label: ARIAClass(s), Remote: s > ARIARemote}
}

// ARIACategories are the lower population bounds of the five service-centre
// categories of ARIA+ (A: 250,000 or more; B: 48,000; C: 18,000; D: 5,000;
// E: 1,000), from the Accessibility/Remoteness Index of Australia (GISCA,
// University of Adelaide; ARIA Review Report, Department of Health 2011).
var ARIACategories = [5]float64{250000, 48000, 18000, 5000, 1000}

// ARIA+ score cut-offs of the Australian remoteness areas: Major Cities up
// to 0.2, Inner Regional up to 2.4, Outer Regional up to 5.92, Remote up to
// 10.53, Very Remote above (ABS Remoteness Structure).
const (
	ARIAInnerRegional = 0.2
	ARIAOuterRegional = 2.4
	ARIARemote        = 5.92
	ARIAVeryRemote    = 10.53
)
