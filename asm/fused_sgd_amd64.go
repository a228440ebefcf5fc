//go:build amd64 && gc && !purego

package asm

// sgdStep dispatches SGDStep's momentum kernel on the active level. The
// AVX2 kernel does whole 8-float vectors and the reference finishes the
// tail; the AVX-512 kernel does the whole slice, its tail under a K mask.
func sgdStep(p, g, buf []float32, k *sgdConsts) {
	var nest uint32
	if k.nest {
		nest = 0xffffffff
	}
	switch active {
	case AVX512:
		sgdAVX512(p, g, buf, k.wd, k.mub, k.damp, k.mun, k.lr, nest)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			sgdAVX2(p[:n], g[:n], buf[:n], k.wd, k.mub, k.damp, k.mun, k.lr, nest)
		}
		sgdStepGeneric(p[n:], g[n:], buf[n:], k)
	default:
		sgdStepGeneric(p, g, buf, k)
	}
}

// sgdAVX2 is sgdStepGeneric over len(p) elements, a multiple of 8, with
// fused multiply-adds and FTZ|DAZ set in MXCSR (restored on return);
// nest is all ones for Nesterov, else 0:
//
//	for i := range p {
//		d := fma(wd, p[i], g[i])
//		buf[i] = fma(mub, buf[i], damp*d)
//		u := buf[i]
//		if nest != 0 {
//			u = fma(mun, buf[i], d)
//		}
//		p[i] = fma(-lr, u, p[i])
//	}
//
// Requires AVX, AVX2, FMA3. g and buf must be at least as long as p.
//
//go:noescape
func sgdAVX2(p, g, buf []float32, wd, mub, damp, mun, lr float32, nest uint32)

// sgdAVX512 is sgdAVX2 for any len(p), 16 floats per vector, the last
// partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func sgdAVX512(p, g, buf []float32, wd, mub, damp, mun, lr float32, nest uint32)
