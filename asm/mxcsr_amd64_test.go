//go:build amd64 && gc && !purego

package asm

import (
	"runtime"
	"testing"
)

// fusedMXCSRFlags are MXCSR's sticky exception flags.
const fusedMXCSRFlags = 0x3f

// TestFusedRestoreMXCSR checks that the fused kernels leave MXCSR's control
// bits as they found them (FTZ and DAZ off), and that Go arithmetic
// afterwards still produces subnormals. The six sticky exception flags
// (bits 0-5) are ignored: any float operation may set them.
func TestFusedRestoreMXCSR(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := getMXCSR() &^ fusedMXCSRFlags
	if before&mxcsrFTZDAZ != 0 {
		t.Fatalf("MXCSR %#x already has FTZ or DAZ set", before)
	}
	fusedForLevels(t, func(t *testing.T, l Level) {
		n := 77
		p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range g {
			g[i] = 1e-39
		}
		AdamStep(p, g, m, v, AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1})
		if got := getMXCSR() &^ fusedMXCSRFlags; got != before {
			t.Errorf("after AdamStep: MXCSR %#x, want %#x", got, before)
		}
		LionStep(p, g, m, LionParams{LR: 1e-4, Beta1: 0.9, Beta2: 0.99})
		if got := getMXCSR() &^ fusedMXCSRFlags; got != before {
			t.Errorf("after LionStep: MXCSR %#x, want %#x", got, before)
		}
		AMSGradStep(p, g, m, v, make([]float32, n), AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1})
		if got := getMXCSR() &^ fusedMXCSRFlags; got != before {
			t.Errorf("after AMSGradStep: MXCSR %#x, want %#x", got, before)
		}
		AdaBeliefStep(p, g, m, v, AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1})
		if got := getMXCSR() &^ fusedMXCSRFlags; got != before {
			t.Errorf("after AdaBeliefStep: MXCSR %#x, want %#x", got, before)
		}
		SGDStep(p, g, m, SGDParams{LR: 0.1, Momentum: 0.9})
		if got := getMXCSR() &^ fusedMXCSRFlags; got != before {
			t.Errorf("after SGDStep: MXCSR %#x, want %#x", got, before)
		}
		x := []float32{0x1p-126}
		ScaleTo(x, 0.5, x) // a subnormal result in Go's default mode
		if x[0] != 0x1p-127 {
			t.Errorf("0x1p-126 * 0.5 = %v after the kernels, want the subnormal 0x1p-127", x[0])
		}
	})
}
