//go:build amd64 && gc && !purego

package asm

// The FAdam passes dispatch on the active level. The AVX2 kernels of the
// reductions do whole 64-float blocks and the reference continues the
// lanes over the rest; the AVX2 update does whole 8-float vectors and the
// reference the tail. The AVX-512 kernels do whole slices, the last
// partial block's rows under K masks (the masked lanes are the block's
// zero padding).

// fadamSum dispatches FAdamStep's first pass.
func fadamSum(g []float32, acc *[fadamLanes]float64) {
	switch active {
	case AVX512:
		fadamSumAVX512(g, acc)
	case AVX2:
		n := len(g) &^ (fadamBlock - 1)
		if n > 0 {
			fadamSumAVX2(g[:n], acc)
		}
		fadamSumGeneric(g[n:], acc)
	default:
		fadamSumGeneric(g, acc)
	}
}

// fadamPrecond dispatches FAdamStep's second pass.
func fadamPrecond(g, p, f, r []float32, acc *[2 * fadamLanes]float64, k *fadamConsts) {
	switch active {
	case AVX512:
		fadamPrecondAVX512(g, p, f, r, acc, k.b2, k.omb2, k.epsh)
	case AVX2:
		n := len(g) &^ (fadamBlock - 1)
		if n > 0 {
			fadamPrecondAVX2(g[:n], p[:n], f[:n], r[:n], acc, k.b2, k.omb2, k.epsh)
		}
		fadamPrecondGeneric(g[n:], p[n:], f[n:], r[n:], acc, k)
	default:
		fadamPrecondGeneric(g, p, f, r, acc, k)
	}
}

// fadamUpdate dispatches FAdamStep's third pass.
func fadamUpdate(p, g, m, r []float32, k *fadamConsts) {
	switch active {
	case AVX512:
		fadamUpdateAVX512(p, g, m, r, k.sg, k.omb1, k.b1, k.sw, k.wd, k.lr)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			fadamUpdateAVX2(p[:n], g[:n], m[:n], r[:n], k.sg, k.omb1, k.b1, k.sw, k.wd, k.lr)
		}
		fadamUpdateGeneric(p[n:], g[n:], m[n:], r[n:], k)
	default:
		fadamUpdateGeneric(p, g, m, r, k)
	}
}

// fadamUpdateRecip dispatches FAdamStep's third pass without scratch.
func fadamUpdateRecip(p, g, m, f []float32, k *fadamConsts) {
	switch active {
	case AVX512:
		fadamUpdateRecipAVX512(p, g, m, f, k.epsh, k.sg, k.omb1, k.b1, k.sw, k.wd, k.lr)
	case AVX2:
		n := len(p) &^ 7
		if n > 0 {
			fadamUpdateRecipAVX2(p[:n], g[:n], m[:n], f[:n], k.epsh, k.sg, k.omb1, k.b1, k.sw, k.wd, k.lr)
		}
		fadamUpdateRecipGeneric(p[n:], g[n:], m[n:], f[n:], k)
	default:
		fadamUpdateRecipGeneric(p, g, m, f, k)
	}
}

// fadamSumAVX2 is fadamSumGeneric over len(g) elements, a multiple of 64,
// with FTZ|DAZ set in MXCSR (restored on return): the float64 lanes of
// acc are loaded, advanced block by block and stored back. Requires AVX,
// AVX2.
//
//go:noescape
func fadamSumAVX2(g []float32, acc *[fadamLanes]float64)

// fadamSumAVX512 is fadamSumAVX2 for any len(g), the rows of the last
// partial block under K masks. Requires AVX-512 F.
//
//go:noescape
func fadamSumAVX512(g []float32, acc *[fadamLanes]float64)

// fadamPrecondAVX2 is fadamPrecondGeneric over len(g) elements, a
// multiple of 64, with FTZ|DAZ set in MXCSR (restored on return):
//
//	for i := range g {
//		f[i] = b2*f[i] + (omb2*g[i])*g[i]
//		d := sqrt(f[i]) + epsh
//		r[i] = d != 0 ? 1/d : 0
//	}
//
// with the block sums of (g·r)² added to acc[:16] and of (p·r)² to
// acc[16:] (fadamAddBlock). p, f and r must be at least as long as g.
// Requires AVX, AVX2.
//
//go:noescape
func fadamPrecondAVX2(g, p, f, r []float32, acc *[2 * fadamLanes]float64, b2, omb2, epsh float32)

// fadamPrecondAVX512 is fadamPrecondAVX2 for any len(g), the rows of the
// last partial block under K masks. Requires AVX-512 F.
//
//go:noescape
func fadamPrecondAVX512(g, p, f, r []float32, acc *[2 * fadamLanes]float64, b2, omb2, epsh float32)

// fadamUpdateAVX2 is fadamUpdateGeneric over len(p) elements, a multiple
// of 8, with FTZ|DAZ set in MXCSR (restored on return):
//
//	for i := range p {
//		m[i] = b1*m[i] + omb1*((g[i]*r[i])*sg)
//		p[i] = p[i] - lr*(m[i] + wd*((p[i]*r[i])*sw))
//	}
//
// g, m and r must be at least as long as p. Requires AVX, AVX2.
//
//go:noescape
func fadamUpdateAVX2(p, g, m, r []float32, sg, omb1, b1, sw, wd, lr float32)

// fadamUpdateAVX512 is fadamUpdateAVX2 for any len(p), the last partial
// vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func fadamUpdateAVX512(p, g, m, r []float32, sg, omb1, b1, sw, wd, lr float32)

// fadamUpdateRecipAVX2 is fadamUpdateAVX2 with r[i] recomputed from f[i]
// as the second pass made it, r = d != 0 ? 1/(sqrt(f[i])+epsh) : 0
// (fadamUpdateRecipGeneric). Requires AVX, AVX2.
//
//go:noescape
func fadamUpdateRecipAVX2(p, g, m, f []float32, epsh, sg, omb1, b1, sw, wd, lr float32)

// fadamUpdateRecipAVX512 is fadamUpdateRecipAVX2 for any len(p), the
// last partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func fadamUpdateRecipAVX512(p, g, m, f []float32, epsh, sg, omb1, b1, sw, wd, lr float32)

// fadamRunSplit runs FAdamStep's passes in the split form at AVX-512
// when r is scratch and len(p) ≥ fadamSplitMin, and reports whether it
// did. Pass 1 adds Σg² and also updates f and stores s = √f' in r (the
// square roots need no ε̂); pass 2 sums (g·r)² and (p·r)² with r = 1/(s +
// ε̂); pass 3 divides again instead of reading stored reciprocals. Each
// value is rounded as in the three-pass form, so p, m, f and the sums are
// the same bit for bit (r is left holding s). The divider's work is thus
// split between passes that are otherwise bound by memory traffic.
func fadamRunSplit(p, g, m, f, r []float32, h FAdamParams, k *fadamConsts) bool {
	if !fadamSplits(len(p), r != nil) {
		return false
	}
	var acc [2 * fadamLanes]float64
	b2, omb2 := h.decay()
	fadamRootAVX512(g, f, r, (*[fadamLanes]float64)(acc[:fadamLanes]), b2, omb2)
	k.setPrecond(h, len(p), fadamFold(acc[:fadamLanes]))
	acc = [2 * fadamLanes]float64{}
	fadamRecipSumsAVX512(g, p, r, &acc, k.epsh)
	sh, sw := fadamFinish(&acc, g, p, nil, f, k) // f holds f': the exact sums recompute r from it
	k.setUpdate(h, len(p), sh, sw)
	fadamUpdateRootAVX512(p, g, m, r, k.epsh, k.sg, k.omb1, k.b1, k.sw, k.wd, k.lr)
	return true
}

// fadamSplits reports whether FAdamStep on n elements, with scratch or
// not, runs the split form: at AVX-512, with scratch, from fadamSplitMin.
func fadamSplits(n int, scratch bool) bool { return active == AVX512 && scratch && n >= fadamSplitMin }

// fadamRootAVX512 is the split form's pass 1 (any len(g); f and s at
// least as long), with FTZ|DAZ set in MXCSR (restored on return):
//
//	for i := range g {
//		f[i] = b2*f[i] + (omb2*g[i])*g[i]
//		s[i] = sqrt(f[i])
//	}
//
// with the block sums of g² added to acc (as fadamSumAVX512 does), the
// rows of the last partial block under K masks. Requires AVX-512 F.
//
//go:noescape
func fadamRootAVX512(g, f, s []float32, acc *[fadamLanes]float64, b2, omb2 float32)

// fadamRecipSumsAVX512 is the split form's pass 2: with r = 1/(s[i] +
// epsh) (0 where s[i] + epsh is 0) it adds the block sums of (g·r)² to
// acc[:16] and of (p·r)² to acc[16:] as fadamPrecondAVX512 does, storing
// nothing else. p and s must be at least as long as g. Requires AVX-512 F.
//
//go:noescape
func fadamRecipSumsAVX512(g, p, s []float32, acc *[2 * fadamLanes]float64, epsh float32)

// fadamUpdateRootAVX512 is fadamUpdateAVX512 with r[i] = 1/(s[i] + epsh)
// (0 where that is 0), running from the end of the slices to the start
// (the last partial vector first, under a K mask), so that it first reads
// what pass 2 left in L2. Requires AVX-512 F.
//
//go:noescape
func fadamUpdateRootAVX512(p, g, m, s []float32, epsh, sg, omb1, b1, sw, wd, lr float32)
