//go:build amd64 && gc && !purego

package asm

// lionStep dispatches LionStep's kernel on the active level. The AVX2
// kernel does whole 8-float vectors and the reference finishes the tail
// (bit-identical in p); the AVX-512 kernel does the whole slice, its tail
// under a K mask.
func lionStep(p, g, m []float32, k *lionConsts) {
	switch active {
	case AVX512:
		lionAVX512(p, g, m, k.b1, k.omb1, k.b2, k.omb2, k.decay, k.lr)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			lionAVX2(p[:n], g[:n], m[:n], k.b1, k.omb1, k.b2, k.omb2, k.decay, k.lr)
		}
		lionStepGeneric(p[n:], g[n:], m[n:], k)
	default:
		lionStepGeneric(p, g, m, k)
	}
}

// lionAVX2 is lionStepGeneric over len(p) elements, a multiple of 8, with
// FTZ|DAZ set in MXCSR (restored on return):
//
//	for i := range p {
//		c := fma(b1, m[i], omb1*g[i])
//		s := max(-1, min(1, c*0x1p127)) // sign(c); ±0 and NaN pass through
//		p[i] = fma(-lr, s, p[i]*decay)
//		m[i] = fma(b2, m[i], omb2*g[i])
//	}
//
// Scaling by 2^127 makes every normal c at least 2 in magnitude (FTZ has
// already flushed subnormal ones to ±0), so the clamp yields ±1; MINPS and
// MAXPS return their second source for NaN, which is c. Requires AVX,
// AVX2, FMA3. g and m must be at least as long as p.
//
//go:noescape
func lionAVX2(p, g, m []float32, b1, omb1, b2, omb2, decay, lr float32)

// lionAVX512 is lionAVX2 for any len(p), 16 floats per vector, the last
// partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func lionAVX512(p, g, m []float32, b1, omb1, b2, omb2, decay, lr float32)
