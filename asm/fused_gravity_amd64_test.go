//go:build amd64 && gc && !purego

package asm

import (
	"runtime"
	"testing"
)

// TestGravityRestoreMXCSR checks that GravityStep leaves MXCSR's control
// bits as it found them, at every level, as TestZooRestoreMXCSR does for
// the zoo kernels.
func TestGravityRestoreMXCSR(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := getMXCSR() &^ fusedMXCSRFlags
	if before&mxcsrFTZDAZ != 0 {
		t.Fatalf("MXCSR %#x already has FTZ or DAZ set", before)
	}
	fusedForLevels(t, func(t *testing.T, l Level) {
		const n = 77
		p, g, v := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range g {
			g[i] = 1e-39
		}
		GravityStep(p, g, v, GravityParams{LR: 0.1, Beta: 0.9, Step: 1})
		if got := getMXCSR() &^ fusedMXCSRFlags; got != before {
			t.Errorf("after GravityStep: MXCSR %#x, want %#x", got, before)
		}
	})
}
