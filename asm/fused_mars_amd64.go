//go:build amd64 && gc && !purego

package asm

// marsSum dispatches MARSStep's reduction pass on the active level, split
// like the update pass (AVX2: whole 8-float vectors in assembly, the tail
// in Go), so that both passes compute every c_i the same way.
func marsSum(g, last []float32, kc float32) float64 {
	switch active {
	case AVX512:
		return marsSumAVX512(g, last, kc)
	case AVX2:
		n := len(g) &^ 7
		var s float64
		if n > 0 {
			s = marsSumAVX2(g[:n], last[:n], kc)
		}
		return s + marsSumGeneric(g[n:], last[n:], kc)
	default:
		return marsSumGeneric(g, last, kc)
	}
}

// marsStep dispatches MARSStep's update pass on the active level.
func marsStep(p, g, m, v, last []float32, k *adamConsts, kc, scale float32) {
	switch active {
	case AVX512:
		marsAVX512(p, g, m, v, last, kc, scale, k.b1, k.omb1, k.b2, k.omb2, k.decay, k.step, k.rbc2, k.eps)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			marsAVX2(p[:n], g[:n], m[:n], v[:n], last[:n], kc, scale, k.b1, k.omb1, k.b2, k.omb2, k.decay, k.step, k.rbc2, k.eps)
		}
		marsStepGeneric(p[n:], g[n:], m[n:], v[n:], last[n:], k, kc, scale)
	default:
		marsStepGeneric(p, g, m, v, last, k, kc, scale)
	}
}

// marsSumAVX2 is marsSumGeneric over len(g) elements, a multiple of 8,
// with FTZ|DAZ set in MXCSR (restored on return), summing in float64
// lanes:
//
//	for i := range g {
//		c := fma(kc, g[i]-last[i], g[i])
//		s += float64(c) * float64(c)
//	}
//
// Requires AVX, AVX2, FMA3. last must be at least as long as g.
//
//go:noescape
func marsSumAVX2(g, last []float32, kc float32) float64

// marsSumAVX512 is marsSumAVX2 for any len(g): blocks of 64 floats into
// eight float64 accumulators (8 lanes each), then 16 floats per vector,
// the last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func marsSumAVX512(g, last []float32, kc float32) float64

// marsAVX2 is marsStepGeneric over len(p) elements, a multiple of 8, with
// fused multiply-adds and FTZ|DAZ set in MXCSR (restored on return):
//
//	for i := range p {
//		c := fma(kc, g[i]-last[i], g[i]) * scale
//		last[i] = g[i]
//		pi := p[i] * decay
//		m[i] = fma(b1, m[i], omb1*c)
//		v[i] = fma(b2, v[i], (omb2*c)*c)
//		p[i] = pi - step*(m[i]/fma(sqrt(v[i]), rbc2, eps))
//	}
//
// Requires AVX, AVX2, FMA3. g, m, v, last must be at least as long as p.
//
//go:noescape
func marsAVX2(p, g, m, v, last []float32, kc, scale, b1, omb1, b2, omb2, decay, step, rbc2, eps float32)

// marsAVX512 is marsAVX2 for any len(p), 16 floats per vector, the last
// partial vector under a K mask, from the end of the slices to the start
// (the reduction pass runs from the start, so the update first reads what
// it read last), prefetching 3 KB ahead. Requires AVX-512 F.
//
//go:noescape
func marsAVX512(p, g, m, v, last []float32, kc, scale, b1, omb1, b2, omb2, decay, step, rbc2, eps float32)
