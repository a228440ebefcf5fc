package asm

import "math"

// adaboundStepGeneric is the reference of AMSBoundStep on validated
// slices, and of AdaBoundStep when vmax is v itself: v[i] is stored before
// vmax[i] is read, so the maximum of v with itself is v. Each operation is
// rounded on its own in Luolc's order.
func adaboundStepGeneric(p, g, m, v, vmax []float32, k *adaboundConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	vmax = vmax[:len(p)]
	for i := range p {
		pi, gi, mi, vi := daz32(p[i]), daz32(g[i]), daz32(m[i]), daz32(v[i])
		d := gi + float32(k.wd*pi)
		mi = ftz32(float32(k.b1*mi) + float32(k.omb1*d))
		vi = ftz32(float32(k.b2*vi) + float32(float32(k.omb2*d)*d))
		m[i] = mi
		v[i] = vi
		wi := daz32(vmax[i])
		if !(wi > vi) {
			wi = vi
		}
		vmax[i] = wi
		x := k.step / (float32(math.Sqrt(float64(wi))) + k.eps)
		if x < k.lo {
			x = k.lo
		}
		if x > k.hi {
			x = k.hi
		}
		p[i] = ftz32(pi - float32(x*mi))
	}
}
