//go:build amd64 && gc && !purego

package asm

// adabeliefStep dispatches AdaBeliefStep's kernel on the active level,
// split like adamStep.
func adabeliefStep(p, g, m, s []float32, k *adamConsts) {
	switch active {
	case AVX512:
		adabeliefAVX512(p, g, m, s, k.b1, k.omb1, k.b2, k.omb2, k.wd, k.decay, k.step, k.rbc2, k.eps)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			adabeliefAVX2(p[:n], g[:n], m[:n], s[:n], k.b1, k.omb1, k.b2, k.omb2, k.wd, k.decay, k.step, k.rbc2, k.eps)
		}
		adabeliefStepGeneric(p[n:], g[n:], m[n:], s[n:], k)
	default:
		adabeliefStepGeneric(p, g, m, s, k)
	}
}

// adabeliefAVX2 is adabeliefStepGeneric over len(p) elements, a multiple
// of 8, with fused multiply-adds and FTZ|DAZ set in MXCSR (restored on
// return):
//
//	for i := range p {
//		gi := g[i] + wd*p[i]
//		pi := p[i] * decay
//		m[i] = b1*m[i] + omb1*gi
//		r := gi - m[i]
//		s[i] = b2*s[i] + (omb2*r)*r + eps
//		p[i] = pi - step*(m[i]/(sqrt(s[i])*rbc2+eps))
//	}
//
// Requires AVX, AVX2, FMA3. g, m, s must be at least as long as p.
//
//go:noescape
func adabeliefAVX2(p, g, m, s []float32, b1, omb1, b2, omb2, wd, decay, step, rbc2, eps float32)

// adabeliefAVX512 is adabeliefAVX2 for any len(p), 16 floats per vector,
// the last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func adabeliefAVX512(p, g, m, s []float32, b1, omb1, b2, omb2, wd, decay, step, rbc2, eps float32)
