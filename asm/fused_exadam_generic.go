package asm

import "math"

// exadamStepGeneric is the reference of EXAdamStep on validated slices.
// It computes exactly what the kernels compute, operation by operation
// (fused multiply-adds where they fuse, every input and result flushed as
// their DAZ/FTZ mode does), so that the kernels match it bit for bit:
//
//	p' = p·decay
//	m  = b1·m + (omb1·g)         (fused)
//	v  = b2·v + (omb2·g)·g       (fused)
//	A  = v + ε ;  num = (m + g)·(A + b2t·v)       (fused)
//	w  = v·rbc2, times d2 = ((m²+ε) + b1t·m²)/(m²+ε) (fused) if early
//	p  = p' − step·(num/(A·(√w + ε)))             (fused)
func exadamStepGeneric(p, g, m, v []float32, k *exadamConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	for i := range p {
		pi, gi, mi, vi := daz32(p[i]), daz32(g[i]), daz32(m[i]), daz32(v[i])
		pi = ftz32(pi * k.decay)
		mi = ftz32(fma32(k.b1, mi, ftz32(k.omb1*gi)))
		vi = ftz32(fma32(k.b2, vi, ftz32(ftz32(k.omb2*gi)*gi)))
		a := ftz32(vi + k.eps)
		num := ftz32(ftz32(mi+gi) * ftz32(fma32(k.b2t, vi, a)))
		w := ftz32(vi * k.rbc2)
		if k.early {
			m2 := ftz32(mi * mi)
			b := ftz32(m2 + k.eps)
			w = ftz32(w * ftz32(ftz32(fma32(k.b1t, m2, b))/b))
		}
		den := ftz32(a * ftz32(float32(math.Sqrt(float64(w)))+k.eps))
		p[i] = ftz32(fma32(-k.step, ftz32(num/den), pi))
		m[i] = mi
		v[i] = vi
	}
}
