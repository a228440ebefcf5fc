package asm

import "fmt"

// Clamp limits every element of x to [lo, hi] in place, in one pass
// (weight clipping, METHODS 4.6, as a projection after an optimizer
// step). For each i:
//
//	if x[i] < lo { x[i] = lo }
//	if x[i] > hi { x[i] = hi }
//
// The result is x[i], lo or hi exactly, at every level: a NaN stays NaN
// (its bits unchanged) and a zero keeps its sign when a bound is zero of
// the other sign. The assembly computes the same with VMAXPS and VMINPS,
// which return their second source on NaN or equal zeros; it leaves MXCSR
// alone and is bit-identical to the Go reference. Clamp panics if
// lo > hi or either bound is NaN.
func Clamp(x []float32, lo, hi float32) {
	if !(lo <= hi) {
		panic(fmt.Sprintf("asm: clamp: invalid bounds [%v, %v]", lo, hi))
	}
	fusedRaceWrite(x)
	clamp(x, lo, hi)
}
