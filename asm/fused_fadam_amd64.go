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
// vector under a K mask. It runs from the end of the slices to the start
// (the masked tail first), so that it first reads what the second pass
// left in L2 and L3 (one thread, n = 1e6, the whole step: median 0.78 ->
// 0.69 ns/param). Requires AVX-512 F.
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
// last partial vector under a K mask, run backwards as fadamUpdateAVX512
// is. Requires AVX-512 F.
//
//go:noescape
func fadamUpdateRecipAVX512(p, g, m, f []float32, epsh, sg, omb1, b1, sw, wd, lr float32)
