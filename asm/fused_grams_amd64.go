//go:build amd64 && gc && !purego

package asm

// gramsStep dispatches GramsStep's kernel on the active level, split like
// adamStep.
func gramsStep(p, g, m, v []float32, k *gramsConsts) {
	switch active {
	case AVX512:
		gramsAVX512(p, g, m, v, k.b1, k.omb1, k.b2, k.omb2, k.decay, k.step, k.eps)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			gramsAVX2(p[:n], g[:n], m[:n], v[:n], k.b1, k.omb1, k.b2, k.omb2, k.decay, k.step, k.eps)
		}
		gramsStepGeneric(p[n:], g[n:], m[n:], v[n:], k)
	default:
		gramsStepGeneric(p, g, m, v, k)
	}
}

// gramsAVX2 is gramsStepGeneric over len(p) elements, a multiple of 8,
// with fused multiply-adds and FTZ|DAZ set in MXCSR (restored on return):
//
//	for i := range p {
//		pi := p[i] * decay
//		m[i] = b1*m[i] + omb1*g[i]
//		v[i] = b2*v[i] + (omb2*g[i])*g[i]
//		u := copysign(abs(m[i]), g[i])
//		if g[i] == 0 { u = 0 }
//		p[i] = pi - step*(u/(sqrt(v[i])+eps))
//	}
//
// Requires AVX, AVX2, FMA3. g, m, v must be at least as long as p.
//
//go:noescape
func gramsAVX2(p, g, m, v []float32, b1, omb1, b2, omb2, decay, step, eps float32)

// gramsAVX512 is gramsAVX2 for any len(p), 16 floats per vector, the last
// partial vector under a K mask. Requires AVX-512 F and DQ.
//
//go:noescape
func gramsAVX512(p, g, m, v []float32, b1, omb1, b2, omb2, decay, step, eps float32)
