//go:build amd64 && gc && !purego

package asm

// diffgradStep dispatches DiffGradStep's kernel on the active level, split
// like adamStep.
func diffgradStep(p, g, m, v, prev []float32, k *diffgradConsts) {
	switch active {
	case AVX512:
		diffgradAVX512(p, g, m, v, prev, k.b1, k.omb1, k.b2, k.omb2, k.wd, k.decay, k.step, k.eps, k.mode)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			diffgradAVX2(p[:n], g[:n], m[:n], v[:n], prev[:n], k.b1, k.omb1, k.b2, k.omb2, k.wd, k.decay, k.step, k.eps, k.mode)
		}
		diffgradStepGeneric(p[n:], g[n:], m[n:], v[n:], prev[n:], k)
	default:
		diffgradStepGeneric(p, g, m, v, prev, k)
	}
}

// diffgradAVX2 is diffgradStepGeneric over len(p) elements, a multiple of
// 8, with fused multiply-adds and FTZ|DAZ set in MXCSR (restored on
// return), the exp as diffgradDen:
//
//	for i := range p {
//		gi, pi := g[i], p[i]
//		switch mode {
//		case dgL2:
//			gi += wd * pi
//		case dgDecoupled:
//			pi *= decay
//		}
//		m[i] = b1*m[i] + omb1*gi
//		v[i] = b2*v[i] + (omb2*gi)*gi
//		den := diffgradDen(prev[i], gi, sqrt(v[i])+eps)   // (1+exp(-|prev[i]-gi|))*(sqrt(v[i])+eps)
//		prev[i] = gi
//		p[i] = pi - step*(m[i]/den)
//	}
//
// Requires AVX, AVX2, FMA3. The other slices must be at least as long as p.
//
//go:noescape
func diffgradAVX2(p, g, m, v, prev []float32, b1, omb1, b2, omb2, wd, decay, step, eps float32, mode uint8)

// diffgradAVX512 is diffgradAVX2 for any len(p), 16 floats per vector, the
// last partial vector under a K mask, f by VREDUCEPS. Requires AVX-512 F
// and DQ.
//
//go:noescape
func diffgradAVX512(p, g, m, v, prev []float32, b1, omb1, b2, omb2, wd, decay, step, eps float32, mode uint8)
