//go:build amd64 && gc && !purego

package asm

// amsgradStep dispatches AMSGradStep's kernel on the active level, split
// like adamStep.
func amsgradStep(p, g, m, v, vmax []float32, k *adamConsts) {
	switch active {
	case AVX512:
		amsgradAVX512(p, g, m, v, vmax, k.b1, k.omb1, k.b2, k.omb2, k.wd, k.decay, k.step, k.rbc2, k.eps)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			amsgradAVX2(p[:n], g[:n], m[:n], v[:n], vmax[:n], k.b1, k.omb1, k.b2, k.omb2, k.wd, k.decay, k.step, k.rbc2, k.eps)
		}
		amsgradStepGeneric(p[n:], g[n:], m[n:], v[n:], vmax[n:], k)
	default:
		amsgradStepGeneric(p, g, m, v, vmax, k)
	}
}

// amsgradAVX2 is amsgradStepGeneric over len(p) elements, a multiple of 8,
// with fused multiply-adds and FTZ|DAZ set in MXCSR (restored on return):
//
//	for i := range p {
//		gi := g[i] + wd*p[i]
//		pi := p[i] * decay
//		m[i] = b1*m[i] + omb1*gi
//		v[i] = b2*v[i] + (omb2*gi)*gi
//		if !(vmax[i] > v[i]) { vmax[i] = v[i] }
//		p[i] = pi - step*(m[i]/(sqrt(vmax[i])*rbc2+eps))
//	}
//
// Requires AVX, AVX2, FMA3. The other slices must be at least as long as p.
//
//go:noescape
func amsgradAVX2(p, g, m, v, vmax []float32, b1, omb1, b2, omb2, wd, decay, step, rbc2, eps float32)

// amsgradAVX512 is amsgradAVX2 for any len(p), 16 floats per vector, the
// last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func amsgradAVX512(p, g, m, v, vmax []float32, b1, omb1, b2, omb2, wd, decay, step, rbc2, eps float32)
