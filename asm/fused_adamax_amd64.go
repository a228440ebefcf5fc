//go:build amd64 && gc && !purego

package asm

// adamaxStep dispatches AdaMaxStep's kernel on the active level, split
// like adamStep.
func adamaxStep(p, g, m, u []float32, k *adamConsts) {
	switch active {
	case AVX512:
		adamaxAVX512(p, g, m, u, k.b1, k.omb1, k.b2, k.wd, k.decay, k.step, k.eps)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			adamaxAVX2(p[:n], g[:n], m[:n], u[:n], k.b1, k.omb1, k.b2, k.wd, k.decay, k.step, k.eps)
		}
		adamaxStepGeneric(p[n:], g[n:], m[n:], u[n:], k)
	default:
		adamaxStepGeneric(p, g, m, u, k)
	}
}

// adamaxAVX2 is adamaxStepGeneric over len(p) elements, a multiple of 8,
// with fused multiply-adds and FTZ|DAZ set in MXCSR (restored on return):
//
//	for i := range p {
//		gi := g[i] + wd*p[i]
//		pi := p[i] * decay
//		m[i] = b1*m[i] + omb1*gi
//		w, a := b2*u[i], abs(gi)+eps
//		if !(w > a) { w = a }
//		u[i] = w
//		p[i] = pi - step*(m[i]/w)
//	}
//
// Requires AVX, AVX2, FMA3. g, m, u must be at least as long as p.
//
//go:noescape
func adamaxAVX2(p, g, m, u []float32, b1, omb1, b2, wd, decay, step, eps float32)

// adamaxAVX512 is adamaxAVX2 for any len(p), 16 floats per vector, the
// last partial vector under a K mask. Requires AVX-512 F and DQ.
//
//go:noescape
func adamaxAVX512(p, g, m, u []float32, b1, omb1, b2, wd, decay, step, eps float32)
