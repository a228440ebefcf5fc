//go:build amd64 && gc && !purego

package asm

// The AdamW-SN kernels run whole rows (the last cols%16 floats of each
// under a mask) at both levels; rows and cols are ≥ 1 when they are
// called.

func snRows(p, g, m, s []float32, rows, cols int, k *snConsts) {
	switch active {
	case AVX512:
		snRowsAVX512(p, g, m, s, rows, cols, k.b1, k.omb1, k.b2, k.omb2, k.decay, k.step, k.eps)
	case AVX2:
		snRowsAVX2(p, g, m, s, rows, cols, k.b1, k.omb1, k.b2, k.omb2, k.decay, k.step, k.eps)
	default:
		snRowsGeneric(p, g, m, s, rows, cols, k)
	}
}

func snColSum(s, g []float32, rows, cols int, omb2 float32) {
	switch active {
	case AVX512:
		snColSumAVX512(s, g, rows, cols, omb2)
	case AVX2:
		snColSumAVX2(s, g, rows, cols, omb2)
	default:
		snColSumGeneric(s, g, rows, cols, omb2)
	}
}

func snCols(p, g, m, q []float32, rows, cols int, k *snConsts) {
	switch active {
	case AVX512:
		snColsAVX512(p, g, m, q, rows, cols, k.b1, k.omb1, k.decay)
	case AVX2:
		snColsAVX2(p, g, m, q, rows, cols, k.b1, k.omb1, k.decay)
	default:
		snColsGeneric(p, g, m, q, rows, cols, k)
	}
}

// snRowsAVX2 is snRowsGeneric (rows ≥ 1, cols ≥ 1) with FTZ|DAZ set in
// MXCSR (restored on return): for each row, S = Σ g² in the 16 float64
// lanes of CombineLanes16, s = b2*s + omb2*float32(S), q = step/(sqrt(s)+eps),
// then m = fma(b1, m, omb1*g), p = p*decay - q*m. Requires AVX, AVX2,
// FMA3.
//
//go:noescape
func snRowsAVX2(p, g, m, s []float32, rows, cols int, b1, omb1, b2, omb2, decay, step, eps float32)

// snRowsAVX512 is snRowsAVX2 on AVX-512 F.
//
//go:noescape
func snRowsAVX512(p, g, m, s []float32, rows, cols int, b1, omb1, b2, omb2, decay, step, eps float32)

// snColSumAVX2 is snColSumGeneric (rows, cols ≥ 1): s[j] += omb2*(g*g)
// row after row. Requires AVX, AVX2.
//
//go:noescape
func snColSumAVX2(s, g []float32, rows, cols int, omb2 float32)

// snColSumAVX512 is snColSumAVX2 on AVX-512 F.
//
//go:noescape
func snColSumAVX512(s, g []float32, rows, cols int, omb2 float32)

// snColsAVX2 is snColsGeneric (rows, cols ≥ 1): m = fma(b1, m, omb1*g),
// p = p*decay - q[j]*m. Requires AVX, AVX2, FMA3.
//
//go:noescape
func snColsAVX2(p, g, m, q []float32, rows, cols int, b1, omb1, decay float32)

// snColsAVX512 is snColsAVX2 on AVX-512 F.
//
//go:noescape
func snColsAVX512(p, g, m, q []float32, rows, cols int, b1, omb1, decay float32)
