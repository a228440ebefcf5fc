//go:build amd64 && gc && !purego

package asm

// adaboundStep dispatches AdaBoundStep's kernel on the active level, split
// like adamStep; the generic reference runs with v as its vmax (see
// adaboundStepGeneric).
func adaboundStep(p, g, m, v []float32, k *adaboundConsts) {
	switch active {
	case AVX512:
		adaboundAVX512(p, g, m, v, k.b1, k.omb1, k.b2, k.omb2, k.wd, k.step, k.eps, k.lo, k.hi)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			adaboundAVX2(p[:n], g[:n], m[:n], v[:n], k.b1, k.omb1, k.b2, k.omb2, k.wd, k.step, k.eps, k.lo, k.hi)
		}
		adaboundStepGeneric(p[n:], g[n:], m[n:], v[n:], v[n:], k)
	default:
		adaboundStepGeneric(p, g, m, v, v, k)
	}
}

// amsboundStep dispatches AMSBoundStep's kernel on the active level, split
// like adamStep.
func amsboundStep(p, g, m, v, vmax []float32, k *adaboundConsts) {
	switch active {
	case AVX512:
		amsboundAVX512(p, g, m, v, vmax, k.b1, k.omb1, k.b2, k.omb2, k.wd, k.step, k.eps, k.lo, k.hi)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			amsboundAVX2(p[:n], g[:n], m[:n], v[:n], vmax[:n], k.b1, k.omb1, k.b2, k.omb2, k.wd, k.step, k.eps, k.lo, k.hi)
		}
		adaboundStepGeneric(p[n:], g[n:], m[n:], v[n:], vmax[n:], k)
	default:
		adaboundStepGeneric(p, g, m, v, vmax, k)
	}
}

// adaboundAVX2 is adaboundStepGeneric with vmax = v over len(p) elements,
// a multiple of 8, with fused multiply-adds and FTZ|DAZ set in MXCSR
// (restored on return):
//
//	for i := range p {
//		d := g[i] + wd*p[i]
//		m[i] = b1*m[i] + omb1*d
//		v[i] = b2*v[i] + (omb2*d)*d
//		x := step/(sqrt(v[i])+eps)
//		x = min(max(x, lo), hi) // NaN stays NaN
//		p[i] = p[i] - x*m[i]
//	}
//
// Requires AVX, AVX2, FMA3. The other slices must be at least as long as p.
//
//go:noescape
func adaboundAVX2(p, g, m, v []float32, b1, omb1, b2, omb2, wd, step, eps, lo, hi float32)

// adaboundAVX512 is adaboundAVX2 for any len(p), 16 floats per vector, the
// last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func adaboundAVX512(p, g, m, v []float32, b1, omb1, b2, omb2, wd, step, eps, lo, hi float32)

// amsboundAVX2 is adaboundStepGeneric over len(p) elements, a multiple of
// 8, with fused multiply-adds and FTZ|DAZ set in MXCSR (restored on
// return); vmax must not overlap v:
//
//	for i := range p {
//		d := g[i] + wd*p[i]
//		m[i] = b1*m[i] + omb1*d
//		v[i] = b2*v[i] + (omb2*d)*d
//		if !(vmax[i] > v[i]) { vmax[i] = v[i] }
//		x := step/(sqrt(vmax[i])+eps)
//		x = min(max(x, lo), hi) // NaN stays NaN
//		p[i] = p[i] - x*m[i]
//	}
//
// Requires AVX, AVX2, FMA3. The other slices must be at least as long as p.
//
//go:noescape
func amsboundAVX2(p, g, m, v, vmax []float32, b1, omb1, b2, omb2, wd, step, eps, lo, hi float32)

// amsboundAVX512 is amsboundAVX2 for any len(p), 16 floats per vector, the
// last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func amsboundAVX512(p, g, m, v, vmax []float32, b1, omb1, b2, omb2, wd, step, eps, lo, hi float32)
