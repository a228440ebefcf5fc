package asm

import "fmt"

// Elementwise kernels for autodiff's hot paths. Each validates lengths,
// panics with an "asm: <kernel>: length mismatch" message, then runs the
// kernel of the active level. Out-of-place kernels take the destination
// first and end in To. A destination may be the very same slice as an
// input (same first element, as in AddTo(x, x, y)); any other overlap
// gives unspecified results.

func vecPanicLen(kernel string, lens ...int) {
	panic(fmt.Sprintf("asm: %s: length mismatch: lengths %v", kernel, lens))
}

// Axpy adds a·x to y in place: y[i] += a·x[i]. The assembly computes
// a·x[i] + y[i] with one rounding (FMA). y may be the same slice as x.
// Axpy panics if len(x) != len(y).
func Axpy(y []float32, a float32, x []float32) {
	if len(x) != len(y) {
		vecPanicLen("axpy", len(y), len(x))
	}
	fusedRaceRead(x)
	fusedRaceWrite(y)
	axpy(y, a, x)
}

// Scale multiplies x by a in place: x[i] *= a.
func Scale(x []float32, a float32) {
	fusedRaceWrite(x)
	scaleTo(x, a, x)
}

// ScaleTo sets dst[i] = a·x[i]. dst may be the same slice as x. ScaleTo
// panics if len(dst) != len(x).
func ScaleTo(dst []float32, a float32, x []float32) {
	if len(x) != len(dst) {
		vecPanicLen("scale", len(dst), len(x))
	}
	fusedRaceRead(x)
	fusedRaceWrite(dst)
	scaleTo(dst, a, x)
}

// AddTo sets dst[i] = x[i] + y[i]. dst may be the same slice as x or y.
// AddTo panics unless dst, x and y have the same length.
func AddTo(dst, x, y []float32) {
	if len(x) != len(dst) || len(y) != len(dst) {
		vecPanicLen("add", len(dst), len(x), len(y))
	}
	fusedRaceRead(x)
	fusedRaceRead(y)
	fusedRaceWrite(dst)
	addTo(dst, x, y)
}

// MulTo sets dst[i] = x[i]·y[i]. dst may be the same slice as x or y.
// MulTo panics unless dst, x and y have the same length.
func MulTo(dst, x, y []float32) {
	if len(x) != len(dst) || len(y) != len(dst) {
		vecPanicLen("mul", len(dst), len(x), len(y))
	}
	fusedRaceRead(x)
	fusedRaceRead(y)
	fusedRaceWrite(dst)
	mulTo(dst, x, y)
}

// ReluForwardTo sets dst[i] = max(x[i], 0): 0 where x[i] < 0, else x[i]
// (so −0 and NaN pass through, as torch.relu keeps NaN). dst may be the
// same slice as x. ReluForwardTo panics if len(dst) != len(x).
func ReluForwardTo(dst, x []float32) {
	if len(x) != len(dst) {
		vecPanicLen("relu", len(dst), len(x))
	}
	fusedRaceRead(x)
	fusedRaceWrite(dst)
	reluForwardTo(dst, x)
}

// ReluBackwardTo sets dst[i] = g[i] where x[i] > 0, else 0 (NaN x gives
// 0): the VJP of ReLU with upstream gradient g at input x. dst may be the
// same slice as g or x. ReluBackwardTo panics unless dst, g and x have the
// same length.
func ReluBackwardTo(dst, g, x []float32) {
	if len(g) != len(dst) || len(x) != len(dst) {
		vecPanicLen("relu backward", len(dst), len(g), len(x))
	}
	fusedRaceRead(g)
	fusedRaceRead(x)
	fusedRaceWrite(dst)
	reluBackwardTo(dst, g, x)
}

// Sum returns the sum of x in float32. It accumulates in several
// independent lanes (4 in the reference, 32 with AVX2, 64 with AVX-512)
// and adds them at the end, so the rounding differs between levels; the
// error is within the usual bound n·2^-24·Σ|x[i]| and usually far less.
func Sum(x []float32) float32 {
	fusedRaceRead(x)
	return sum(x)
}

// Dot returns Σ x[i]·y[i] in float32, accumulated like Sum (the assembly
// uses FMA). Dot panics if len(x) != len(y).
func Dot(x, y []float32) float32 {
	if len(x) != len(y) {
		vecPanicLen("dot", len(x), len(y))
	}
	fusedRaceRead(x)
	fusedRaceRead(y)
	return dot(x, y)
}
