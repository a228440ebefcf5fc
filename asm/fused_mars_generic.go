package asm

import "math"

// marsC is the corrected gradient of both MARS passes, g + kc·(g − last),
// with the kernels' fused multiply-add and flushing (g and last already
// read through daz32).
func marsC(kc, g, last float32) float32 { return ftz32(fma32(kc, ftz32(g-last), g)) }

// marsSumGeneric is the reference of marsSum: Σ c_i² in float64, in
// order.
func marsSumGeneric(g, last []float32, kc float32) float64 {
	last = last[:len(g)]
	var s float64
	for i := range g {
		c := float64(marsC(kc, daz32(g[i]), daz32(last[i])))
		s += c * c
	}
	return s
}

// marsStepGeneric is the reference of MARSStep's update pass on validated
// slices: c scaled by scale, then the decoupled Adam update with the
// kernels' fused multiply-adds (fma32) and flushing; last ← g (unflushed:
// the kernels copy g without arithmetic).
func marsStepGeneric(p, g, m, v, last []float32, k *adamConsts, kc, scale float32) {
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	last = last[:len(p)]
	for i := range p {
		pi, gi, mi, vi, li := daz32(p[i]), daz32(g[i]), daz32(m[i]), daz32(v[i]), daz32(last[i])
		c := ftz32(marsC(kc, gi, li) * scale)
		pi = ftz32(pi * k.decay)
		mi = ftz32(fma32(k.b1, mi, ftz32(k.omb1*c)))
		vi = ftz32(fma32(k.b2, vi, ftz32(ftz32(k.omb2*c)*c)))
		d := fma32(float32(math.Sqrt(float64(vi))), k.rbc2, k.eps)
		p[i] = ftz32(fma32(-k.step, ftz32(mi/d), pi))
		m[i] = mi
		v[i] = vi
		last[i] = g[i] // stored as read, as the kernels' plain move does
	}
}
