//go:build amd64 && gc && !purego

package asm

// rmspropStep dispatches the RMSProp/AdaGrad kernel on the active level.
// The AVX2 kernel does whole 8-float vectors and the reference finishes
// the tail; the AVX-512 kernel does the whole slice, its tail under a K
// mask.
func rmspropStep(p, g, v []float32, k *rmspropConsts) {
	switch active {
	case AVX512:
		rmspropAVX512(p, g, v, k.rho, k.omr, k.wd, k.lr, k.e1, k.e2)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			rmspropAVX2(p[:n], g[:n], v[:n], k.rho, k.omr, k.wd, k.lr, k.e1, k.e2)
		}
		rmspropStepGeneric(p[n:], g[n:], v[n:], k)
	default:
		rmspropStepGeneric(p, g, v, k)
	}
}

// rmspropAVX2 is rmspropStepGeneric over len(p) elements, a multiple of 8,
// with fused multiply-adds and FTZ|DAZ set in MXCSR (restored on return):
//
//	for i := range p {
//		d := g[i] + wd*p[i]
//		v[i] = rho*v[i] + (omr*d)*d
//		p[i] = p[i] - lr*(d/(sqrt(v[i]+e1)+e2))
//	}
//
// Requires AVX, AVX2, FMA3. g and v must be at least as long as p.
//
//go:noescape
func rmspropAVX2(p, g, v []float32, rho, omr, wd, lr, e1, e2 float32)

// rmspropAVX512 is rmspropAVX2 for any len(p), 16 floats per vector, the
// last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func rmspropAVX512(p, g, v []float32, rho, omr, wd, lr, e1, e2 float32)
