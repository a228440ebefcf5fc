package asm

import "math"

// exadamStepGeneric is the reference of EXAdamStep on validated slices,
// each operation rounded on its own in the kernels' order (the shared
// division of the two ratios included); inputs and stored results are
// flushed as the kernels' DAZ/FTZ mode does.
func exadamStepGeneric(p, g, m, v []float32, k *exadamConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	for i := range p {
		pi, gi, mi, vi := daz32(p[i]), daz32(g[i]), daz32(m[i]), daz32(v[i])
		pi = float32(pi * k.decay)
		mi = ftz32(float32(k.b1*mi) + float32(k.omb1*gi))
		vi = ftz32(float32(k.b2*vi) + float32(float32(k.omb2*gi)*gi))
		a := vi + k.eps
		m2 := float32(mi * mi)
		b := m2 + k.eps
		r := 1 / float32(a*b)
		d1 := 1 + float32(float32(float32(vi*b)*r)*k.b2t)
		d2 := 1 + float32(float32(float32(m2*a)*r)*k.b1t)
		num := float32((mi + gi) * d1)
		den := float32(math.Sqrt(float64(float32(float32(vi*k.rbc2)*d2)))) + k.eps
		p[i] = ftz32(pi - float32(k.step*float32(num/den)))
		m[i] = mi
		v[i] = vi
	}
}
