package gap

import "math"

// StatCanIR is Statistics Canada's Index of Remoteness (Alasia, Bédard,
// Bélanger, Guimond and Penney 2017, "Measuring remoteness and
// accessibility: a set of indices for Canadian communities", Reports on
// Special Business Projects, catalogue 18-001-X2017002; updated with 2021
// geographies in catalogue 17-26-0001). For an origin i, a gravity
// accessibility to population centres j,
//
//	A_i = Σ_j P_j / c_ij over centres with c_ij ≤ Radius,
//
// or, when no centre is that close, P_j / c_ij of the one with the least
// cost. The cost is road kilometres times CostPerKm, rounded to whole
// dollars and at least MinCost; the radius is 2.5 hours at 80 km/h priced
// the same way. These constants are those of Statistics Canada's published
// code (github.com/CSBP-CPSE/RI-IE, scripts/derive/csd2pc_ri.py: 80 km/h,
// 2.5 h, $3 minimum cost, $0.16 per km for 2016, $0.17 for 2011).
//
// The index is the log accessibility rescaled between fixed national
// bounds and reversed, 0 the least remote and 1 the most:
//
//	IR_i = (LogAMax − ln A_i) / (LogAMax − LogAMin), clipped to 0..1.
//
// Statistics Canada rescales by the minimum and maximum over all Canadian
// census subdivisions (RI-IE's results/csd2pc/README.md); it does not
// publish them, so StatCanIR2021 holds bounds fitted to the published 2021
// index (see there). They are national constants: a study never rescales
// by its own origins.
type StatCanIR struct {
	CostPerKm   float64 // dollars per road km
	KmPerHour   float64 // speed that turns drive minutes into km when no km is given
	RadiusHours float64 // the radius of daily interaction, in hours at KmPerHour
	MinCost     float64 // dollars: no trip costs less
	LogAMin     float64 // ln A of Canada's most remote community (IR 1)
	LogAMax     float64 // ln A of Canada's least remote community (IR 0)
	// RemoteFrom is the lowest index classed remote: by default 0.3899,
	// where Subedi et al.'s "remote" class begins.
	RemoteFrom float64
}

// StatCanIR2021 returns the index as published for 2021.
//
// The bounds are fitted, by least squares, to the published 2021 index
// (../shared/datasets/canada/2021IR_DATABASE.csv) of thirteen isolated
// northern communities whose only population centre within the radius is
// their own (Whitehorse, Yellowknife, Iqaluit, Inuvik, Hay River, Fort
// Smith, Rankin Inlet, Dawson, Cambridge Bay, Watson Lake, Baker Lake,
// Arviat, Gjoa Haven): for them A = P / $3, taking the census subdivision's
// population for its population centre's. The fit, IR = 1.0635 −
// 0.074268 ln A, leaves residuals of at most 0.011 and puts IR 0 at
// ln A = 14.32, which is what Toronto (IR 0 in the table) has with its
// population centre of 5.6 million at the $3 minimum plus Hamilton,
// Oshawa and Kitchener within the radius (ln 2.1 million ≈ 14.6). The 2021
// cost per km is not published; the 2016 rate is kept.
func StatCanIR2021() StatCanIR {
	return StatCanIR{
		CostPerKm:   0.16,
		KmPerHour:   80,
		RadiusHours: 2.5,
		MinCost:     3,
		LogAMin:     0.855,
		LogAMax:     14.32,
		RemoteFrom:  SubediRemote,
	}
}

// Subedi, Roshanafshar and Greenberg (2020), "Developing meaningful
// categories for distinguishing levels of remoteness in Canada", Statistics
// Canada, Analytical Studies: Methods and References, catalogue
// 11-633-X2020002: five classes of the Index of Remoteness by natural
// breaks, easily accessible up to 0.1500, accessible 0.1501-0.2888, less
// accessible 0.2889-0.3898, remote 0.3899-0.5532, very remote from 0.5533.
const (
	SubediAccessible     = 0.1501
	SubediLessAccessible = 0.2889
	SubediRemote         = 0.3899
	SubediVeryRemote     = 0.5533
)

// SubediClass returns the class name of an index value by Subedi et al.'s
// cut-offs (values between two published bounds, such as 0.15005, go to
// the upper class).
func SubediClass(ir float64) string {
	switch {
	case ir < SubediAccessible:
		return "easily accessible"
	case ir < SubediLessAccessible:
		return "accessible"
	case ir < SubediRemote:
		return "less accessible"
	case ir < SubediVeryRemote:
		return "remote"
	default:
		return "very remote"
	}
}

// Name returns "statcan-ir".
func (StatCanIR) Name() string { return "statcan-ir" }

// Cost returns the dollar cost of a trip: road km (or minutes at
// KmPerHour) times CostPerKm, rounded to whole dollars, at least MinCost.
func (s StatCanIR) Cost(t Trip) float64 {
	km := t.Km
	if km <= 0 {
		km = t.Minutes * s.KmPerHour / 60
	}
	return max(s.MinCost, math.Round(km*s.CostPerKm))
}

// Accessibility returns A, the gravity sum defined on StatCanIR (0 when no
// centre is reachable at all).
func (s StatCanIR) Accessibility(trips []Trip, centres []PopCentre) float64 {
	radius := s.RadiusHours * s.KmPerHour * s.CostPerKm
	var a float64
	nearest, nearestPop := math.Inf(1), 0.0
	for _, t := range trips {
		if math.IsNaN(t.Minutes) || math.IsInf(t.Minutes, 1) {
			continue
		}
		c := s.Cost(t)
		p := centres[t.Centre].Pop
		if c <= radius {
			a += p / c
		}
		if c < nearest || c == nearest && p > nearestPop {
			nearest, nearestPop = c, p
		}
	}
	if a == 0 && nearestPop > 0 {
		a = nearestPop / nearest
	}
	return a
}

// Index returns the Index of Remoteness of an accessibility A.
func (s StatCanIR) Index(a float64) float64 {
	if a <= 0 {
		return 1
	}
	ir := (s.LogAMax - math.Log(a)) / (s.LogAMax - s.LogAMin)
	return min(1, max(0, ir))
}

// Assess returns the index, Subedi et al.'s class, and remote from
// RemoteFrom on.
func (s StatCanIR) Assess(trips []Trip, centres []PopCentre) Assessment {
	ir := s.Index(s.Accessibility(trips, centres))
	return Assessment{Score: ir, Label: SubediClass(ir), Remote: ir >= s.RemoteFrom}
}
