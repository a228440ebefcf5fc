package asm

import "math"

// gramsStepGeneric is the reference of GramsStep on validated slices,
// each operation rounded on its own in the authors' order; inputs and
// stored results are flushed as the kernels' DAZ/FTZ mode does.
func gramsStepGeneric(p, g, m, v []float32, k *gramsConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	for i := range p {
		pi, gi, mi, vi := daz32(p[i]), daz32(g[i]), daz32(m[i]), daz32(v[i])
		pi = float32(pi * k.decay)
		mi = ftz32(float32(k.b1*mi) + float32(k.omb1*gi))
		vi = ftz32(float32(k.b2*vi) + float32(float32(k.omb2*gi)*gi))
		var u float32
		if gi != 0 {
			u = float32(math.Copysign(math.Abs(float64(mi)), float64(gi)))
		}
		d := float32(math.Sqrt(float64(vi))) + k.eps
		p[i] = ftz32(pi - float32(k.step*float32(u/d)))
		m[i] = mi
		v[i] = vi
	}
}
