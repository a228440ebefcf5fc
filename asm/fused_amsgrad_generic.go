package asm

import "math"

// amsgradStepGeneric is the reference of AMSGradStep on validated slices,
// adamStepGeneric plus the running maximum.
func amsgradStepGeneric(p, g, m, v, vmax []float32, k *adamConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	vmax = vmax[:len(p)]
	for i := range p {
		pi, gi, mi, vi, wi := daz32(p[i]), daz32(g[i]), daz32(m[i]), daz32(v[i]), daz32(vmax[i])
		gi = gi + float32(k.wd*pi)
		pi = float32(pi * k.decay)
		mi = ftz32(float32(k.b1*mi) + float32(k.omb1*gi))
		vi = ftz32(float32(k.b2*vi) + float32(float32(k.omb2*gi)*gi))
		if !(wi > vi) {
			wi = vi
		}
		d := float32(float32(math.Sqrt(float64(wi)))*k.rbc2) + k.eps
		p[i] = ftz32(pi - float32(k.step*float32(mi/d)))
		m[i] = mi
		v[i] = vi
		vmax[i] = wi
	}
}
