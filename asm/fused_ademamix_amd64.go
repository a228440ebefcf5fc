//go:build amd64 && gc && !purego

package asm

// ademamixStep dispatches AdEMAMixStep's kernel on the active level, split
// like adamStep.
func ademamixStep(p, g, m1, m2, v []float32, k *ademamixConsts) {
	switch active {
	case AVX512:
		ademamixAVX512(p, g, m1, m2, v, k.b1, k.omb1, k.b2, k.omb2, k.b3, k.omb3, k.decay, k.step, k.la, k.rbc2, k.eps)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			ademamixAVX2(p[:n], g[:n], m1[:n], m2[:n], v[:n], k.b1, k.omb1, k.b2, k.omb2, k.b3, k.omb3, k.decay, k.step, k.la, k.rbc2, k.eps)
		}
		ademamixStepGeneric(p[n:], g[n:], m1[n:], m2[n:], v[n:], k)
	default:
		ademamixStepGeneric(p, g, m1, m2, v, k)
	}
}

// ademamixAVX2 is ademamixStepGeneric over len(p) elements, a multiple of
// 8, with fused multiply-adds and FTZ|DAZ set in MXCSR (restored on
// return):
//
//	for i := range p {
//		pi := p[i] * decay
//		m1[i] = b1*m1[i] + omb1*g[i]
//		m2[i] = b3*m2[i] + omb3*g[i]
//		v[i] = b2*v[i] + (omb2*g[i])*g[i]
//		d := sqrt(v[i])*rbc2 + eps
//		p[i] = pi - (step*m1[i]+la*m2[i])/d
//	}
//
// Requires AVX, AVX2, FMA3. The other slices must be at least as long as p.
//
//go:noescape
func ademamixAVX2(p, g, m1, m2, v []float32, b1, omb1, b2, omb2, b3, omb3, decay, step, la, rbc2, eps float32)

// ademamixAVX512 is ademamixAVX2 for any len(p), 16 floats per vector, the
// last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func ademamixAVX512(p, g, m1, m2, v []float32, b1, omb1, b2, omb2, b3, omb3, decay, step, la, rbc2, eps float32)
