//go:build amd64 && gc && !purego

package asm

// The XGrad kernels dispatch on the active level. The AVX2 kernels do
// whole 8-float vectors and the reference finishes the tail; the AVX-512
// kernels do the whole slice, the tail under a K mask.

func xgradPredict(p, saved, m, v []float32, k *xgradPredictConsts) {
	switch active {
	case AVX512:
		xgradPredictAVX512(p, saved, m, v, k.k, k.c1, k.rbc2, k.eps)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			xgradPredictAVX2(p[:n], saved[:n], m[:n], v[:n], k.k, k.c1, k.rbc2, k.eps)
		}
		xgradPredictGeneric(p[n:], saved[n:], m[n:], v[n:], k)
	default:
		xgradPredictGeneric(p, saved, m, v, k)
	}
}

func xgradPredictDir(p, saved, d []float32, k float32) {
	switch active {
	case AVX512:
		xgradPredictDirAVX512(p, saved, d, k)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			xgradPredictDirAVX2(p[:n], saved[:n], d[:n], k)
		}
		xgradPredictDirGeneric(p[n:], saved[n:], d[n:], k)
	default:
		xgradPredictDirGeneric(p, saved, d, k)
	}
}

func xgradStep(p, theta, g, m, v, dir []float32, k *xgradConsts) {
	switch active {
	case AVX512:
		if dir == nil {
			xgradStepAVX512(p, theta, g, m, v, k.b1, k.omb1, k.b2, k.omb2, k.decay, k.lr, k.c1, k.rbc2, k.eps)
		} else {
			xgradStepDirAVX512(p, theta, g, m, v, dir, k.b1, k.omb1, k.b2, k.omb2, k.decay, k.lr, k.c1, k.rbc2, k.eps)
		}
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			if dir == nil {
				xgradStepAVX2(p[:n], theta[:n], g[:n], m[:n], v[:n], k.b1, k.omb1, k.b2, k.omb2, k.decay, k.lr, k.c1, k.rbc2, k.eps)
			} else {
				xgradStepDirAVX2(p[:n], theta[:n], g[:n], m[:n], v[:n], dir[:n], k.b1, k.omb1, k.b2, k.omb2, k.decay, k.lr, k.c1, k.rbc2, k.eps)
			}
		}
		var tail []float32
		if dir != nil {
			tail = dir[n:]
		}
		xgradStepGeneric(p[n:], theta[n:], g[n:], m[n:], v[n:], tail, k)
	default:
		xgradStepGeneric(p, theta, g, m, v, dir, k)
	}
}

func xgradSGDStep(p, theta, g, b []float32, k *xgradSGDConsts) {
	switch active {
	case AVX512:
		xgradSGDAVX512(p, theta, g, b, k.wd, k.mu, k.omd, k.lr)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			xgradSGDAVX2(p[:n], theta[:n], g[:n], b[:n], k.wd, k.mu, k.omd, k.lr)
		}
		xgradSGDStepGeneric(p[n:], theta[n:], g[n:], b[n:], k)
	default:
		xgradSGDStepGeneric(p, theta, g, b, k)
	}
}

// xgradPredictAVX2 is xgradPredictGeneric over len(p) elements, a
// multiple of 8, with fused multiply-adds and FTZ|DAZ set in MXCSR
// (restored on return):
//
//	for i := range p {
//		saved[i] = p[i]
//		p[i] = fma(-k, c1*(m[i]/fma(sqrt(v[i]), rbc2, eps)), p[i])
//	}
//
// Requires AVX, AVX2, FMA3. saved, m, v must be at least as long as p.
//
//go:noescape
func xgradPredictAVX2(p, saved, m, v []float32, k, c1, rbc2, eps float32)

// xgradPredictAVX512 is xgradPredictAVX2 for any len(p), 16 floats per
// vector, the last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func xgradPredictAVX512(p, saved, m, v []float32, k, c1, rbc2, eps float32)

// xgradPredictDirAVX2 is xgradPredictDirGeneric over len(p) elements, a
// multiple of 8, FTZ|DAZ set:
//
//	for i := range p {
//		x := d[i]
//		saved[i] = p[i]
//		p[i] = fma(-k, x, p[i])
//	}
//
// d may be saved. Requires AVX, AVX2, FMA3.
//
//go:noescape
func xgradPredictDirAVX2(p, saved, d []float32, k float32)

// xgradPredictDirAVX512 is xgradPredictDirAVX2 for any len(p), the last
// partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func xgradPredictDirAVX512(p, saved, d []float32, k float32)

// xgradStepAVX2 is xgradStepGeneric with dir == nil over len(p)
// elements, a multiple of 8, FTZ|DAZ set:
//
//	for i := range p {
//		t := theta[i] * decay
//		m[i] = fma(b1, m[i], omb1*g[i])
//		v[i] = fma(b2, v[i], (omb2*g[i])*g[i])
//		u := c1 * (m[i] / fma(sqrt(v[i]), rbc2, eps))
//		p[i] = fma(-lr, u, t)
//	}
//
// theta may be p. Requires AVX, AVX2, FMA3.
//
//go:noescape
func xgradStepAVX2(p, theta, g, m, v []float32, b1, omb1, b2, omb2, decay, lr, c1, rbc2, eps float32)

// xgradStepAVX512 is xgradStepAVX2 for any len(p), the last partial
// vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func xgradStepAVX512(p, theta, g, m, v []float32, b1, omb1, b2, omb2, decay, lr, c1, rbc2, eps float32)

// xgradStepDirAVX2 is xgradStepAVX2 that also stores u in dir[i] (dir
// may be theta).
//
//go:noescape
func xgradStepDirAVX2(p, theta, g, m, v, dir []float32, b1, omb1, b2, omb2, decay, lr, c1, rbc2, eps float32)

// xgradStepDirAVX512 is xgradStepDirAVX2 for any len(p), the last
// partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func xgradStepDirAVX512(p, theta, g, m, v, dir []float32, b1, omb1, b2, omb2, decay, lr, c1, rbc2, eps float32)

// xgradSGDAVX2 is xgradSGDStepGeneric over len(p) elements, a multiple
// of 8, FTZ|DAZ set:
//
//	for i := range p {
//		d := fma(wd, theta[i], g[i])
//		b[i] = fma(mu, b[i], omd*d)
//		p[i] = fma(-lr, b[i], theta[i])
//	}
//
// theta may be p. Requires AVX, AVX2, FMA3.
//
//go:noescape
func xgradSGDAVX2(p, theta, g, b []float32, wd, mu, omd, lr float32)

// xgradSGDAVX512 is xgradSGDAVX2 for any len(p), the last partial vector
// under a K mask. Requires AVX-512 F.
//
//go:noescape
func xgradSGDAVX512(p, theta, g, b []float32, wd, mu, omd, lr float32)
