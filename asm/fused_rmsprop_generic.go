package asm

import "math"

// rmspropStepGeneric is the reference of RMSPropStep and AdaGradStep on
// validated slices, each operation rounded to float32 on its own in
// optax's order; inputs and stored results are flushed as the kernels'
// DAZ/FTZ mode does.
func rmspropStepGeneric(p, g, v []float32, k *rmspropConsts) {
	g = g[:len(p)]
	v = v[:len(p)]
	for i := range p {
		pi, gi, vi := daz32(p[i]), daz32(g[i]), daz32(v[i])
		d := gi + float32(k.wd*pi)
		vi = ftz32(float32(k.rho*vi) + float32(float32(k.omr*d)*d))
		den := float32(math.Sqrt(float64(vi+k.e1))) + k.e2
		p[i] = ftz32(pi - float32(k.lr*float32(d/den)))
		v[i] = vi
	}
}
