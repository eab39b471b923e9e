package measure

// Sum is an exact running sum of finite float64 values. It holds the sum as
// a short list of non-overlapping partials whose exact total is the exact
// total of everything added, using the error-free addition of Shewchuk
// (1997), "Adaptive precision floating-point arithmetic and fast robust
// geometric predicates", Discrete & Computational Geometry 18, the same
// method as Python's math.fsum. Float64 rounds that exact total once, to
// nearest with ties to even.
//
// So a sum does not depend on the order of its terms, and sums of parts
// added together (AddSum) round to the same bits as one sum of the whole.
// That is what lets the shards of a run hand on partial 2SFCA demands and
// the merge give the same bytes as a run of the whole study.
type Sum struct {
	p []float64
}

// Add adds x exactly. x must be finite.
func (s *Sum) Add(x float64) {
	i := 0
	for _, y := range s.p {
		if abs(x) < abs(y) {
			x, y = y, x
		}
		hi := x + y
		lo := y - (hi - x) // exact: x + y = hi + lo
		if lo != 0 {
			s.p[i] = lo
			i++
		}
		x = hi
	}
	s.p = append(s.p[:i], x)
}

// AddSum adds the exact value of o.
func (s *Sum) AddSum(o Sum) {
	for _, x := range o.p {
		s.Add(x)
	}
}

// Parts returns the partials, smallest first; their exact total is the sum.
func (s Sum) Parts() []float64 { return s.p }

// SumOf is the Sum whose exact value is the exact total of parts (as
// Parts gave them, or any finite values).
func SumOf(parts []float64) Sum {
	var s Sum
	for _, x := range parts {
		s.Add(x)
	}
	return s
}

// Float64 is the exact sum rounded to the nearest float64, ties to even.
func (s Sum) Float64() float64 {
	p := s.p
	n := len(p)
	if n == 0 {
		return 0
	}
	// The partials are non-overlapping and increase in magnitude: add from
	// the largest down until a rounding error appears; the partials below
	// it can only matter when that error is exactly half an ulp.
	n--
	hi := p[n]
	lo := 0.0
	for n > 0 {
		x := hi
		y := p[n-1]
		n--
		hi = x + y
		lo = y - (hi - x)
		if lo != 0 {
			break
		}
	}
	if n > 0 && ((lo < 0 && p[n-1] < 0) || (lo > 0 && p[n-1] > 0)) {
		// A tie broken the wrong way by round-half-even: what is below
		// tips it.
		y := lo * 2
		x := hi + y
		if x-hi == y {
			hi = x
		}
	}
	return hi
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
