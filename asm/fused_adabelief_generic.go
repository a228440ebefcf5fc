package asm

import "math"

// adabeliefStepGeneric is the reference of AdaBeliefStep on validated
// slices, each operation rounded on its own in the authors' order.
func adabeliefStepGeneric(p, g, m, s []float32, k *adamConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	s = s[:len(p)]
	for i := range p {
		pi, gi, mi, si := daz32(p[i]), daz32(g[i]), daz32(m[i]), daz32(s[i])
		gi = gi + float32(k.wd*pi)
		pi = float32(pi * k.decay)
		mi = ftz32(float32(k.b1*mi) + float32(k.omb1*gi))
		r := gi - mi
		si = ftz32(float32(float32(k.b2*si)+float32(float32(k.omb2*r)*r)) + k.eps)
		d := float32(float32(math.Sqrt(float64(si)))*k.rbc2) + k.eps
		p[i] = ftz32(pi - float32(k.step*float32(mi/d)))
		m[i] = mi
		s[i] = si
	}
}
