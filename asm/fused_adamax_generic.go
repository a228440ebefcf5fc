package asm

import "math"

// adamaxStepGeneric is the reference of AdaMaxStep on validated slices,
// each operation rounded on its own in optax's order.
func adamaxStepGeneric(p, g, m, u []float32, k *adamConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	u = u[:len(p)]
	for i := range p {
		pi, gi, mi, ui := daz32(p[i]), daz32(g[i]), daz32(m[i]), daz32(u[i])
		gi = gi + float32(k.wd*pi)
		pi = float32(pi * k.decay)
		mi = ftz32(float32(k.b1*mi) + float32(k.omb1*gi))
		a := float32(math.Abs(float64(gi))) + k.eps
		wi := float32(k.b2 * ui)
		if !(wi > a) {
			wi = a
		}
		wi = ftz32(wi)
		p[i] = ftz32(pi - float32(k.step*float32(mi/wi)))
		m[i] = mi
		u[i] = wi
	}
}
