package asm

// clampGeneric is the reference of Clamp on validated bounds: two
// comparisons, false for a NaN, so NaN elements and zeros of either sign
// are kept as they are.
func clampGeneric(x []float32, lo, hi float32) {
	for i, v := range x {
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		x[i] = v
	}
}
