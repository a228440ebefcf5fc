//go:build amd64 && gc && !purego

package asm

// dogSums dispatches DoGSums' reduction on the active level: the
// assembly sums the whole 64-float blocks, the reference adds the last
// partial block to the same lanes. Inputs not read (by mode) are passed
// as g.
func dogSums(p, p0, g []float32, wd float32, mode int, l *[32]float64) {
	n := len(g) &^ (dogBlock - 1)
	if n > 0 && active != Generic {
		pa, p0a := g, g
		if mode != 0 {
			pa = p
		}
		if mode&dogDist != 0 {
			p0a = p0
		}
		if active == AVX512 {
			dogSumsAVX512(pa, p0a, g[:n], wd, mode, l)
		} else {
			dogSumsAVX2(pa, p0a, g[:n], wd, mode, l)
		}
	} else {
		n = 0
	}
	dogSumsGeneric(p, p0, g, wd, mode, l, n)
}

// dogStep dispatches DoGStep's update on the active level, from the end
// of the slices to the start (see dogStepAVX512). The reference does the
// tail after the AVX2 kernel's whole 8-float vectors first; the AVX-512
// kernel does the whole slice, its tail under a K mask. A nil avg is
// passed as p (not read).
func dogStep(p, g, avg []float32, mode int, h *DoGStepParams) {
	a := avg
	if mode&dogAvg == 0 {
		a = p
	}
	switch active {
	case AVX512:
		dogStepAVX512(p, g, a, mode, h.WD, h.Eta, h.LR, h.W, h.OmW)
	case AVX2:
		n := len(p) &^ 7
		var at []float32
		if mode&dogAvg != 0 {
			at = avg[n:]
		}
		dogStepGeneric(p[n:], g[n:], at, mode, h)
		if n > 0 {
			dogStepAVX2(p[:n], g[:n], a[:n], mode, h.WD, h.Eta, h.LR, h.W, h.OmW)
		}
	default:
		dogStepGeneric(p, g, avg, mode, h)
	}
}

// dogSumsAVX2 adds to the lanes l the block sums of DoGSums over len(g)
// elements, a multiple of 64, with FTZ|DAZ set in MXCSR (restored on
// return): per block and lane j (rows k = 0..3, x_k = element 16k+j),
//
//	d_k = p − p0                          (mode&dogDist)
//	l[j] += float64(fma(d1, d1, d0*d0) + fma(d3, d3, d2*d2))
//	u_k = g, or fma(wd, p, g)             (mode&dogDecay)
//	l[16+j] += float64(fma(u1, u1, u0*u0) + fma(u3, u3, u2*u2))
//
// p and p0 must be at least as long as g (they are not read unless the
// mode needs them). Requires AVX, AVX2, FMA3.
//
//go:noescape
func dogSumsAVX2(p, p0, g []float32, wd float32, mode int, l *[32]float64)

// dogSumsAVX512 is dogSumsAVX2 with 16-float rows. Requires AVX-512 F.
//
//go:noescape
func dogSumsAVX512(p, p0, g []float32, wd float32, mode int, l *[32]float64)

// dogStepAVX2 is dogStepGeneric over len(p) elements, a multiple of 8,
// from the end to the start, with FTZ|DAZ set in MXCSR (restored on
// return):
//
//	for i := range p {
//		u := g[i]                      // or fma(wd, p[i], g[i]) with mode&dogDecay
//		u = (u * eta) * lr
//		p[i] = p[i] - u
//		avg[i] = omw*avg[i] + w*p[i]   // mode&dogAvg
//	}
//
// g and avg must be at least as long as p (avg is not read without
// mode&dogAvg). Requires AVX, AVX2, FMA3.
//
//go:noescape
func dogStepAVX2(p, g, avg []float32, mode int, wd, eta, lr, w, omw float32)

// dogStepAVX512 is dogStepAVX2 for any len(p), 16 floats per vector, the
// last partial vector under a K mask, from the end of the slices to the
// start: DoGSums runs from the start, so the update first reads what the
// reduction read last (still in L2), and the next reduction first reads
// what the update wrote last. Requires AVX-512 F.
//
//go:noescape
func dogStepAVX512(p, g, avg []float32, mode int, wd, eta, lr, w, omw float32)
