package measure

import (
	"math"
	"math/bits"
	"sync"
)

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

// Totals rounds each sum to a float64 (see Sum.Float64).
func Totals(sums []Sum) []float64 {
	out := make([]float64, len(sums))
	for j := range sums {
		out[j] = sums[j].Float64()
	}
	return out
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// fixedSums sums non-negative terms per destination exactly in 128-bit
// fixed point, the fast way to the same exact sums as Sum when the terms
// allow it: every term is an integer multiple of 2^e for the smallest
// e among the terms' lowest set bits, so when the totals stay below
// 2^(e+127) the integers add without error. terms(lo, hi, add) must give
// the terms of rows [lo, hi), the same ones on every call; it is called
// twice per row, on all cores, in runs balanced by the row starts start
// (see forRows). ok is false (nothing summed) when a term is
// negative or the range of magnitudes is too wide; Sum then does the work.
func fixedSums(start []int, dests int, terms func(lo, hi int, add func(j int32, v float64))) (out []Sum, ok bool) {
	// Pass 1: the lowest bit any term sets, and a bound on the largest
	// total (the plain sum of all terms, with room for its rounding).
	var mu sync.Mutex
	low, total, neg := math.MaxInt, 0.0, false
	forRows(start, func(lo, hi int) {
		l, t, n := math.MaxInt, 0.0, false
		terms(lo, hi, func(_ int32, v float64) {
			if v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
				n = true
				return
			}
			_, e := mantissa(v)
			l = min(l, e)
			t += v
		})
		mu.Lock()
		low, total, neg = min(low, l), total+t, neg || n
		mu.Unlock()
	})
	if neg {
		return nil, false
	}
	if low == math.MaxInt { // no terms
		return make([]Sum, dests), true
	}
	if _, top := math.Frexp(total * (1 + 0x1p-20)); top-low > 126 {
		return nil, false
	}
	// Pass 2: each term as an integer count of 2^low, added per chunk.
	var parts [][][2]uint64
	forRows(start, func(lo, hi int) {
		acc := make([][2]uint64, dests) // {high, low} words
		terms(lo, hi, func(j int32, v float64) {
			m, e := mantissa(v)
			sh := uint(e - low)
			var hiw, low64 uint64
			if sh < 64 {
				low64 = m << sh
				if sh > 0 {
					hiw = m >> (64 - sh)
				}
			} else {
				hiw = m << (sh - 64)
			}
			var c uint64
			acc[j][1], c = bits.Add64(acc[j][1], low64, 0)
			acc[j][0] += hiw + c
		})
		mu.Lock()
		parts = append(parts, acc)
		mu.Unlock()
	})
	out = make([]Sum, dests)
	for j := range out {
		var h, l uint64
		for _, p := range parts {
			var c uint64
			l, c = bits.Add64(l, p[j][1], 0)
			h += p[j][0] + c
		}
		// Three pieces of at most 43 bits, each exact as a float64.
		const w = 43
		mask := uint64(1)<<w - 1
		pieces := [3]uint64{l & mask, (l>>w | h<<(64-w)) & mask, h >> (2*w - 64)}
		for k, pc := range pieces {
			if pc != 0 {
				out[j].Add(math.Ldexp(float64(pc), low+k*w))
			}
		}
	}
	return out, true
}

// mantissa splits a positive finite v into an odd integer m and an
// exponent e with v = m * 2^e.
func mantissa(v float64) (m uint64, e int) {
	b := math.Float64bits(v)
	exp := int(b >> 52 & 0x7ff)
	m = b & (1<<52 - 1)
	if exp == 0 {
		e = -1074 // subnormal
	} else {
		m |= 1 << 52
		e = exp - 1075
	}
	tz := bits.TrailingZeros64(m)
	return m >> tz, e + tz
}

// exactSums sums terms per destination exactly (see Sum): in fixed point
// when fixedSums can, else with Sum, one set of sums per chunk of rows
// added together at the end. Either way the result does not depend on how
// the rows were split.
func exactSums(start []int, dests int, terms func(lo, hi int, add func(j int32, v float64))) []Sum {
	if out, ok := fixedSums(start, dests, terms); ok {
		return out
	}
	var mu sync.Mutex
	var parts [][]Sum
	forRows(start, func(lo, hi int) {
		sums := make([]Sum, dests)
		terms(lo, hi, func(j int32, v float64) { sums[j].Add(v) })
		mu.Lock()
		parts = append(parts, sums)
		mu.Unlock()
	})
	if len(parts) == 0 {
		return make([]Sum, dests)
	}
	out := parts[0]
	for _, part := range parts[1:] {
		for j := range part {
			out[j].AddSum(part[j])
		}
	}
	return out
}
