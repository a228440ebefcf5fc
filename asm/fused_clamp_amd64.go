//go:build amd64 && gc && !purego

package asm

// clamp dispatches Clamp on the active level. The AVX2 kernel does whole
// 8-float vectors and the reference finishes the tail; the AVX-512 kernel
// does the whole slice, its tail under a K mask.
func clamp(x []float32, lo, hi float32) {
	switch active {
	case AVX512:
		clampAVX512(x, lo, hi)
	case AVX2:
		n := len(x) &^ 7
		if n > 0 {
			clampAVX2(x[:n], lo, hi)
		}
		clampGeneric(x[n:], lo, hi)
	default:
		clampGeneric(x, lo, hi)
	}
}

// clampAVX2 is clampGeneric over len(x) elements, a multiple of 8:
//
//	for i := range x {
//		x[i] = min(hi, max(lo, x[i]))   // VMAXPS, VMINPS: NaN x[i] kept
//	}
//
// Requires AVX.
//
//go:noescape
func clampAVX2(x []float32, lo, hi float32)

// clampAVX512 is clampAVX2 for any len(x), 16 floats per vector, the last
// partial vector under a K mask. Requires AVX-512 F.
//
//go:noescape
func clampAVX512(x []float32, lo, hi float32)
