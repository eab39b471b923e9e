package measure

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Decay is a distance-decay (impedance) function f(c): the weight an
// opportunity reached at cost c carries in gravity and floating catchment
// measures. Each family follows one published definition, cited on its
// constructor, so results match the reference implementations to rounding.
// The zero Decay is invalid; build one with a constructor.
type Decay struct {
	kind           decayKind
	a, b           float64
	steps, weights []float64
	limit          float64 // weights are 0 beyond limit when hasLimit
	hasLimit       bool
}

type decayKind int

const (
	decayInvalid decayKind = iota
	decayBinary
	decayLinear
	decayExponential
	decayPower
	decayGaussian
	decayLogistic
	decayStepped
	decayZones
)

// Binary is the step function of cumulative-opportunity measures: f = 1 when
// c <= cutoff, else 0 (IPEA accessibility decay_binary, which counts
// travel_time <= cutoff; Luo & Wang 2003 catchments).
func Binary(cutoff float64) Decay { return Decay{kind: decayBinary, a: cutoff} }

// Linear decays from 1 at c = 0 to 0 at the cutoff: f = max(0, 1 - c/cutoff)
// (IPEA accessibility decay_linear).
func Linear(cutoff float64) Decay { return Decay{kind: decayLinear, a: cutoff} }

// Exponential is the negative exponential f = exp(-beta*c) (IPEA
// accessibility decay_exponential; Hansen-type gravity).
func Exponential(beta float64) Decay { return Decay{kind: decayExponential, a: beta} }

// Power is the inverse power f = c^-beta, capped at 1 so that costs below 1
// (including 0, where c^-beta is infinite) weigh 1, exactly as IPEA
// accessibility decay_power does.
func Power(beta float64) Decay { return Decay{kind: decayPower, a: beta} }

// Gaussian is f = exp(-c²/(2σ²)), PySAL access weights.gaussian (no
// normalising constant, f(0) = 1). E2SFCA with Gaussian weights (Luo & Qi
// 2009; Dai 2010) combines it with a catchment: Gaussian(σ).Within(d0).
func Gaussian(sigma float64) Decay { return Decay{kind: decayGaussian, a: sigma} }

// Logistic is the reversed logistic CDF adjusted so that f(0) = 1 (Bauer &
// Groneberg 2016), as IPEA accessibility decay_logistic computes it:
// f(c) = g(0)/g(c) with g(x) = 1 + exp((x - cutoff)·π/(sd·√3)); cutoff is the
// inflection point and sd the standard deviation of the logistic
// distribution.
func Logistic(cutoff, sd float64) Decay { return Decay{kind: decayLogistic, a: cutoff, b: sd} }

// Stepped is IPEA accessibility decay_stepped: f = 1 below the first step,
// and weights[k] from steps[k] on (intervals closed on the left, so the
// weight changes exactly at each step); after the last step f stays at the
// last weight (give 0 to end the catchment).
func Stepped(steps, weights []float64) Decay {
	return Decay{kind: decayStepped, steps: append([]float64(nil), steps...), weights: append([]float64(nil), weights...)}
}

// Zones is the zone weighting of the enhanced 2SFCA (Luo & Qi 2009) and of
// PySAL access weights.step_fn: f = weights[k] for bounds[k-1] < c <=
// bounds[k] (the first zone starts at 0 inclusive), and 0 beyond the last
// bound, which is the catchment. Zones are closed on the right, so a cost
// equal to a bound still gets that zone's weight, like Binary.
func Zones(bounds, weights []float64) Decay {
	return Decay{kind: decayZones, steps: append([]float64(nil), bounds...), weights: append([]float64(nil), weights...)}
}

// LuoQi returns the E2SFCA zones of Luo & Qi 2009 scaled to a catchment:
// three equal zones up to catchment (0-10, 10-20, 20-30 minutes for 30) with
// weights 1, 0.68 and 0.22.
func LuoQi(catchment float64) Decay {
	w := catchment / 3
	return Zones([]float64{w, 2 * w, catchment}, []float64{1, 0.68, 0.22})
}

// Within returns d with weight 0 for costs above limit: the catchment of a
// floating catchment measure whose decay never reaches 0 (Gaussian,
// exponential). A cost equal to the limit is inside.
func (d Decay) Within(limit float64) Decay {
	d.limit, d.hasLimit = limit, true
	return d
}

// Err reports why the parameters are invalid, in words for the command line.
func (d Decay) Err() error {
	bad := func(name string, v float64, want string) error {
		return fmt.Errorf("decay %s: %s is %v; want %s", d, name, v, want)
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if d.hasLimit && (!finite(d.limit) || d.limit < 0) {
		return bad("the catchment limit", d.limit, "a number >= 0")
	}
	switch d.kind {
	case decayBinary:
		if !finite(d.a) || d.a < 0 {
			return bad("the cutoff", d.a, "a number >= 0")
		}
	case decayLinear:
		if !finite(d.a) || d.a <= 0 {
			return bad("the cutoff", d.a, "a number > 0")
		}
	case decayExponential, decayPower:
		if !finite(d.a) || d.a < 0 {
			return bad("beta", d.a, "a number >= 0")
		}
	case decayGaussian:
		if !finite(d.a) || d.a <= 0 {
			return bad("sigma", d.a, "a number > 0")
		}
	case decayLogistic:
		if !finite(d.a) || d.a <= 0 {
			return bad("the cutoff (inflection point)", d.a, "a number > 0")
		}
		if !finite(d.b) || d.b <= 0 {
			return bad("the standard deviation", d.b, "a number > 0")
		}
	case decayStepped, decayZones:
		if len(d.steps) == 0 || len(d.steps) != len(d.weights) {
			return fmt.Errorf("decay %s: want as many weights as steps, at least one (found %d steps, %d weights)", d, len(d.steps), len(d.weights))
		}
		for k, s := range d.steps {
			if !finite(s) || s <= 0 || (k > 0 && s <= d.steps[k-1]) {
				return bad(fmt.Sprintf("step %d", k+1), s, "increasing numbers > 0")
			}
			if w := d.weights[k]; !finite(w) || w < 0 || (d.kind == decayStepped && w > 1) {
				return bad(fmt.Sprintf("weight %d", k+1), w, "a number between 0 and 1")
			}
		}
	default:
		return fmt.Errorf("decay: no decay function chosen")
	}
	return nil
}

// Weight returns f(c) for a cost c >= 0.
func (d Decay) Weight(c float64) float64 {
	if d.hasLimit && c > d.limit {
		return 0
	}
	switch d.kind {
	case decayBinary:
		if c <= d.a {
			return 1
		}
		return 0
	case decayLinear:
		return max(0, 1-c/d.a)
	case decayExponential:
		return math.Exp(-d.a * c)
	case decayPower:
		return min(1, math.Pow(c, -d.a))
	case decayGaussian:
		return math.Exp(-c * c / (2 * d.a * d.a))
	case decayLogistic:
		g := func(x float64) float64 { return 1 + math.Exp(((x-d.a)*math.Pi)/(d.b*math.Sqrt(3))) }
		return g(0) / g(c)
	case decayStepped:
		w := 1.0
		for k, s := range d.steps {
			if c >= s {
				w = d.weights[k]
			}
		}
		return w
	case decayZones:
		for k, b := range d.steps {
			if c <= b {
				return d.weights[k]
			}
		}
		return 0
	}
	return math.NaN()
}

// String names the function and its parameters compactly, for column names:
// "exp0.1", "binary30", "zones10:1,20:0.68,30:0.22".
func (d Decay) String() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	var s string
	switch d.kind {
	case decayBinary:
		s = "binary" + f(d.a)
	case decayLinear:
		s = "linear" + f(d.a)
	case decayExponential:
		s = "exp" + f(d.a)
	case decayPower:
		s = "power" + f(d.a)
	case decayGaussian:
		s = "gaussian" + f(d.a)
	case decayLogistic:
		s = "logistic" + f(d.a) + "sd" + f(d.b)
	case decayStepped, decayZones:
		s = "stepped"
		if d.kind == decayZones {
			s = "zones"
		}
		parts := make([]string, 0, len(d.steps))
		for k := range d.steps {
			w := "?"
			if k < len(d.weights) {
				w = f(d.weights[k])
			}
			parts = append(parts, f(d.steps[k])+":"+w)
		}
		s += strings.Join(parts, ",")
	default:
		s = "none"
	}
	if d.hasLimit {
		s += "_within" + f(d.limit)
	}
	return s
}
