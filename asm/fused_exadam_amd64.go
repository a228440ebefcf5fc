//go:build amd64 && gc && !purego

package asm

// exadamStep dispatches EXAdamStep's kernel on the active level, split
// like adamStep.
func exadamStep(p, g, m, v []float32, k *exadamConsts) {
	switch active {
	case AVX512:
		exadamAVX512(p, g, m, v, k.b1, k.omb1, k.b2, k.omb2, k.decay, k.step, k.rbc2, k.b1t, k.b2t, k.eps, k.early)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			exadamAVX2(p[:n], g[:n], m[:n], v[:n], k.b1, k.omb1, k.b2, k.omb2, k.decay, k.step, k.rbc2, k.b1t, k.b2t, k.eps, k.early)
		}
		exadamStepGeneric(p[n:], g[n:], m[n:], v[n:], k)
	default:
		exadamStepGeneric(p, g, m, v, k)
	}
}

// exadamAVX2 is exadamStepGeneric over len(p) elements, a multiple of 8,
// with fused multiply-adds and FTZ|DAZ set in MXCSR (restored on return):
//
//	for i := range p {
//		pi := p[i] * decay
//		m[i] = b1*m[i] + omb1*g[i]
//		v[i] = b2*v[i] + (omb2*g[i])*g[i]
//		a := v[i] + eps
//		num := (m[i] + g[i]) * (a + b2t*v[i])
//		w := v[i] * rbc2
//		if early {
//			m2 := m[i] * m[i]
//			b := m2 + eps
//			w *= (b + b1t*m2) / b
//		}
//		p[i] = pi - step*(num/(a*(sqrt(w)+eps)))
//	}
//
// Requires AVX, AVX2, FMA3. g, m, v must be at least as long as p.
//
//go:noescape
func exadamAVX2(p, g, m, v []float32, b1, omb1, b2, omb2, decay, step, rbc2, b1t, b2t, eps float32, early bool)

// exadamAVX512 is exadamAVX2 for any len(p), 16 floats per vector, the
// last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func exadamAVX512(p, g, m, v []float32, b1, omb1, b2, omb2, decay, step, rbc2, b1t, b2t, eps float32, early bool)
