//go:build amd64 && gc && !purego

package asm

import (
	"runtime"
	"testing"
)

// TestSGDMRSRestoreMXCSR checks that SGDMRSStep leaves MXCSR's control
// bits as it found them, at every level, with and without λ (the two
// loops), as TestZooRestoreMXCSR does for the zoo kernels.
func TestSGDMRSRestoreMXCSR(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := getMXCSR() &^ fusedMXCSRFlags
	if before&mxcsrFTZDAZ != 0 {
		t.Fatalf("MXCSR %#x already has FTZ or DAZ set", before)
	}
	fusedForLevels(t, func(t *testing.T, l Level) {
		const n = 77
		p, g, d := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range g {
			g[i] = 1e-39
		}
		for _, wd := range []float64{0, 0.1} {
			SGDMRSStep(p, g, d, SGDMRSParams{LR: 0.1, Beta: 0.9, WeightDecay: wd, Scale: 1.5})
			if got := getMXCSR() &^ fusedMXCSRFlags; got != before {
				t.Errorf("after SGDMRSStep (λ = %v): MXCSR %#x, want %#x", wd, got, before)
			}
		}
	})
}
