package asm

import "math"

// sgdmrsStepGeneric is the reference of SGDMRSStep on validated slices:
// each operation rounded to float32 on its own in the chain's order, λ·p
// added by an exactly rounded fused multiply-add (fmaExact32); inputs and
// results are flushed as the kernels' DAZ/FTZ mode does.
func sgdmrsStepGeneric(p, g, d []float32, k *sgdmrsConsts) {
	g = g[:len(p)]
	d = d[:len(p)]
	for i := range p {
		pi, u, di := daz32(p[i]), daz32(g[i]), daz32(d[i])
		if k.wd != 0 {
			u = ftz32(fmaExact32(k.wd, pi, u))
		}
		di = ftz32(k.f * ftz32(di-ftz32(k.eta*u)))
		p[i] = ftz32(pi + ftz32(k.s*di))
		d[i] = di
	}
}

// fmaExact32 returns a·b+c rounded once to float32 (to nearest, ties to
// even), as a hardware FMA without flushing: the float64 product of two
// float32 values is exact, the float64 sum is rounded to odd (its error,
// by TwoSum, decides the last bit) and a float64 rounded to odd, having
// more than 24+1 bits, rounds to float32 as the exact sum would.
func fmaExact32(a, b, c float32) float32 {
	x, y := float64(a)*float64(b), float64(c)
	s := x + y
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return float32(s)
	}
	z := s - x
	e := (x - (s - z)) + (y - z) // x + y = s + e exactly
	if bits := math.Float64bits(s); e != 0 && bits&1 == 0 {
		if (e > 0) == (s > 0) {
			bits++ // s was rounded toward zero: the odd neighbour away from it
		} else {
			bits-- // s was rounded away from zero: the odd neighbour toward it
		}
		s = math.Float64frombits(bits)
	}
	return float32(s)
}
