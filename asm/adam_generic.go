package asm

import "math"

// adamStepGeneric is the reference of AdamStep on already-validated
// slices. Each operation is rounded to float32 on its own, in torch's
// order; the explicit float32 conversions keep the compiler from fusing
// multiply-adds, so the result is the same on every platform. Inputs and
// stored results are flushed as the kernels' DAZ/FTZ mode does.
func adamStepGeneric(p, g, m, v []float32, k *adamConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	for i := range p {
		pi, gi, mi, vi := daz32(p[i]), daz32(g[i]), daz32(m[i]), daz32(v[i])
		gi = gi + float32(k.wd*pi)
		pi = float32(pi * k.decay)
		mi = ftz32(float32(k.b1*mi) + float32(k.omb1*gi))
		vi = ftz32(float32(k.b2*vi) + float32(float32(k.omb2*gi)*gi))
		d := float32(float32(math.Sqrt(float64(vi)))*k.rbc2) + k.eps
		p[i] = ftz32(pi - float32(k.step*float32(mi/d)))
		m[i] = mi
		v[i] = vi
	}
}
