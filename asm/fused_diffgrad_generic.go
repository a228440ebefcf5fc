package asm

import "math"

// diffgradStepGeneric is the reference of DiffGradStep on validated
// slices, each operation rounded on its own in diffGrad_v2.py's order, ξ
// from math.Exp; inputs and stored results are flushed as the kernels'
// DAZ/FTZ mode does.
func diffgradStepGeneric(p, g, m, v, prev []float32, k *diffgradConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	prev = prev[:len(p)]
	for i := range p {
		pi, gi, mi, vi, qi := daz32(p[i]), daz32(g[i]), daz32(m[i]), daz32(v[i]), daz32(prev[i])
		gi = gi + float32(k.wd*pi)
		pi = float32(pi * k.decay)
		mi = ftz32(float32(k.b1*mi) + float32(k.omb1*gi))
		vi = ftz32(float32(k.b2*vi) + float32(float32(k.omb2*gi)*gi))
		e := float32(math.Exp(-math.Abs(float64(qi - gi))))
		den := (1 + e) * (float32(math.Sqrt(float64(vi))) + k.eps)
		p[i] = ftz32(pi - float32(k.step*float32(mi/den)))
		m[i] = mi
		v[i] = vi
		prev[i] = ftz32(gi)
	}
}
