package asm

import "math"

// ademamixStepGeneric is the reference of AdEMAMixStep on validated
// slices, each operation rounded on its own; m1 and v are computed as in
// adamStepGeneric.
func ademamixStepGeneric(p, g, m1, m2, v []float32, k *ademamixConsts) {
	g = g[:len(p)]
	m1 = m1[:len(p)]
	m2 = m2[:len(p)]
	v = v[:len(p)]
	for i := range p {
		pi, gi, fi, si, vi := daz32(p[i]), daz32(g[i]), daz32(m1[i]), daz32(m2[i]), daz32(v[i])
		pi = float32(pi * k.decay)
		fi = ftz32(float32(k.b1*fi) + float32(k.omb1*gi))
		si = ftz32(float32(k.b3*si) + float32(k.omb3*gi))
		vi = ftz32(float32(k.b2*vi) + float32(float32(k.omb2*gi)*gi))
		d := float32(float32(math.Sqrt(float64(vi)))*k.rbc2) + k.eps
		num := float32(k.step*fi) + float32(k.la*si)
		p[i] = ftz32(pi - float32(num/d))
		m1[i] = fi
		m2[i] = si
		v[i] = vi
	}
}
