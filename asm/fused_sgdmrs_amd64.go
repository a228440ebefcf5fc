//go:build amd64 && gc && !purego

package asm

// sgdmrsStep dispatches SGDMRSStep on the active level. The AVX2 kernel
// does whole 8-float vectors and the reference finishes the tail; the
// AVX-512 kernel does the whole slice, its tail under a K mask. wd = 0
// selects the kernels' loop without λ·p.
func sgdmrsStep(p, g, d []float32, k *sgdmrsConsts) {
	var hasWD uint32
	if k.wd != 0 {
		hasWD = 1
	}
	switch active {
	case AVX512:
		sgdmrsAVX512(p, g, d, k.wd, k.eta, k.f, k.s, hasWD)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			sgdmrsAVX2(p[:n], g[:n], d[:n], k.wd, k.eta, k.f, k.s, hasWD)
		}
		sgdmrsStepGeneric(p[n:], g[n:], d[n:], k)
	default:
		sgdmrsStepGeneric(p, g, d, k)
	}
}

// sgdmrsAVX2 is sgdmrsStepGeneric over len(p) elements, a multiple of 8,
// with FTZ|DAZ set in MXCSR (restored on return):
//
//	for i := range p {
//		u := g[i]
//		if hasWD != 0 {
//			u = fma(wd, p[i], u)
//		}
//		d[i] = f * (d[i] - eta*u)
//		p[i] = p[i] + s*d[i]
//	}
//
// Requires AVX, AVX2, FMA3. g and d must be at least as long as p.
//
//go:noescape
func sgdmrsAVX2(p, g, d []float32, wd, eta, f, s float32, hasWD uint32)

// sgdmrsAVX512 is sgdmrsAVX2 for any len(p), 16 floats per vector, the
// last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func sgdmrsAVX512(p, g, d []float32, wd, eta, f, s float32, hasWD uint32)
