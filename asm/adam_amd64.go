//go:build amd64 && gc && !purego

package asm

// adamStep dispatches AdamStep's kernel on the active level. The AVX2
// kernel does whole 8-float vectors and the reference finishes the tail;
// the AVX-512 kernel does the whole slice, its tail under a K mask.
func adamStep(p, g, m, v []float32, k *adamConsts) {
	switch active {
	case AVX512:
		adamAVX512(p, g, m, v, k.b1, k.omb1, k.b2, k.omb2, k.wd, k.decay, k.step, k.rbc2, k.eps)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			adamAVX2(p[:n], g[:n], m[:n], v[:n], k.b1, k.omb1, k.b2, k.omb2, k.wd, k.decay, k.step, k.rbc2, k.eps)
		}
		adamStepGeneric(p[n:], g[n:], m[n:], v[n:], k)
	default:
		adamStepGeneric(p, g, m, v, k)
	}
}

// adamAVX2 is adamStepGeneric over len(p) elements, a multiple of 8, with
// fused multiply-adds and FTZ|DAZ set in MXCSR (restored on return):
//
//	for i := range p {
//		gi := g[i] + wd*p[i]
//		pi := p[i] * decay
//		m[i] = b1*m[i] + omb1*gi
//		v[i] = b2*v[i] + (omb2*gi)*gi
//		p[i] = pi - step*(m[i]/(sqrt(v[i])*rbc2+eps))
//	}
//
// Requires AVX, AVX2, FMA3. g, m, v must be at least as long as p.
//
//go:noescape
func adamAVX2(p, g, m, v []float32, b1, omb1, b2, omb2, wd, decay, step, rbc2, eps float32)

// adamAVX512 is adamAVX2 for any len(p), 16 floats per vector, the last
// partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func adamAVX512(p, g, m, v []float32, b1, omb1, b2, omb2, wd, decay, step, rbc2, eps float32)
