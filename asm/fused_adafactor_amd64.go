//go:build amd64 && gc && !purego

package asm

// The Adafactor kernels run whole rows (the last cols%16 floats of each
// under a mask) at both levels; rows and cols (or len(p)) are ≥ 1 when
// they are called.

func afSums(g, p []float32, rows, cols int, rs, cs []float64) float64 {
	switch active {
	case AVX512:
		return afSumsAVX512(g, p, rows, cols, rs, cs)
	case AVX2:
		return afSumsAVX2(g, p, rows, cols, rs, cs)
	default:
		return afSumsGeneric(g, p, rows, cols, rs, cs)
	}
}

func afUSum(g, rf, cf []float32, rows, cols int) float64 {
	switch active {
	case AVX512:
		return afUSumAVX512(g, rf, cf, rows, cols)
	case AVX2:
		return afUSumAVX2(g, rf, cf, rows, cols)
	default:
		return afUSumGeneric(g, rf, cf, rows, cols)
	}
}

func afUpdate(p, g, m, rf, cf []float32, rows, cols int, k *afConsts) {
	switch active {
	case AVX512:
		afUpdateAVX512(p, g, m, rf, cf, rows, cols, k.b1, k.omb1, k.sc, k.step, k.decay)
	case AVX2:
		afUpdateAVX2(p, g, m, rf, cf, rows, cols, k.b1, k.omb1, k.sc, k.step, k.decay)
	default:
		afUpdateGeneric(p, g, m, rf, cf, rows, cols, k)
	}
}

func afVec(p, g, v, u []float32, b, omb, eps1 float32) (usq, psq float64) {
	switch active {
	case AVX512:
		return afVecAVX512(p, g, v, u, b, omb, eps1)
	case AVX2:
		return afVecAVX2(p, g, v, u, b, omb, eps1)
	default:
		return afVecGeneric(p, g, v, u, b, omb, eps1)
	}
}

func afApply(p, u, m []float32, k *afConsts) {
	switch active {
	case AVX512:
		afApplyAVX512(p, u, m, k.b1, k.omb1, k.sc, k.step, k.decay)
	case AVX2:
		afApplyAVX2(p, u, m, k.b1, k.omb1, k.sc, k.step, k.decay)
	default:
		afApplyGeneric(p, u, m, k)
	}
}

// afSumsAVX2 is afSumsGeneric (rows, cols ≥ 1; cs cleared by the caller)
// with FTZ|DAZ set in MXCSR (restored on return): rs[i] = Σ_j g_ij² in
// the 16 float64 lanes of CombineLanes16, cs[j] += g_ij², and the lane sum of
// p_ij² over the whole matrix returned. Requires AVX, AVX2, FMA3.
//
//go:noescape
func afSumsAVX2(g, p []float32, rows, cols int, rs, cs []float64) (psq float64)

// afSumsAVX512 is afSumsAVX2 on AVX-512 F.
//
//go:noescape
func afSumsAVX512(g, p []float32, rows, cols int, rs, cs []float64) (psq float64)

// afUSumAVX2 is afUSumGeneric (rows, cols ≥ 1): the lane sum of U² with
// U = (g_ij*rf[i])*cf[j] in float32. Requires AVX, AVX2, FMA3.
//
//go:noescape
func afUSumAVX2(g, rf, cf []float32, rows, cols int) (usq float64)

// afUSumAVX512 is afUSumAVX2 on AVX-512 F.
//
//go:noescape
func afUSumAVX512(g, rf, cf []float32, rows, cols int) (usq float64)

// afUpdateAVX2 is afUpdateGeneric (rows, cols ≥ 1) with fused
// multiply-adds: U = (g*rf[i])*cf[j]; without momentum (len(m) = 0)
// p = p*decay - step*U; with it x = sc*U, m = fma(b1, m, omb1*x),
// p = p*decay - step*m. Requires AVX, AVX2, FMA3.
//
//go:noescape
func afUpdateAVX2(p, g, m, rf, cf []float32, rows, cols int, b1, omb1, sc, step, decay float32)

// afUpdateAVX512 is afUpdateAVX2 on AVX-512 F.
//
//go:noescape
func afUpdateAVX512(p, g, m, rf, cf []float32, rows, cols int, b1, omb1, sc, step, decay float32)

// afVecAVX2 is afVecGeneric (len(p) ≥ 1): v = b*v + omb*(g*g + eps1)
// (no fused multiply-adds), u = g/sqrt(v), and the lane sums of u² and
// p² returned.
// Requires AVX, AVX2, FMA3.
//
//go:noescape
func afVecAVX2(p, g, v, u []float32, b, omb, eps1 float32) (usq, psq float64)

// afVecAVX512 is afVecAVX2 on AVX-512 F.
//
//go:noescape
func afVecAVX512(p, g, v, u []float32, b, omb, eps1 float32) (usq, psq float64)

// afApplyAVX2 is afApplyGeneric (len(p) ≥ 1): afUpdateAVX2's update with
// U = u[i]. Requires AVX, AVX2, FMA3.
//
//go:noescape
func afApplyAVX2(p, u, m []float32, b1, omb1, sc, step, decay float32)

// afApplyAVX512 is afApplyAVX2 on AVX-512 F.
//
//go:noescape
func afApplyAVX512(p, u, m []float32, b1, omb1, sc, step, decay float32)
