//go:build amd64 && gc && !purego

package asm

import (
	"runtime"
	"testing"
)

// TestXGradRestoreMXCSR checks that the XGrad kernels leave MXCSR's
// control bits as they found them, at every level, as TestZooRestoreMXCSR
// does for the zoo kernels.
func TestXGradRestoreMXCSR(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := getMXCSR() &^ fusedMXCSRFlags
	if before&mxcsrFTZDAZ != 0 {
		t.Fatalf("MXCSR %#x already has FTZ or DAZ set", before)
	}
	fusedForLevels(t, func(t *testing.T, l Level) {
		const n = 77
		p, s, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range g {
			g[i] = 1e-39
		}
		for _, k := range []struct {
			name string
			run  func()
		}{
			{"XGradPredict", func() {
				XGradPredict(p, s, m, v, XGradPredictParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1})
			}},
			{"XGradPredictDir", func() { XGradPredictDir(p, s, g, 1e-3) }},
			{"XGradStep", func() {
				XGradStep(p, s, g, m, v, s, XGradParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1})
			}},
			{"XGradSGDStep", func() { XGradSGDStep(p, s, g, m, XGradSGDParams{LR: 1e-3, Momentum: 0.9}) }},
		} {
			k.run()
			if got := getMXCSR() &^ fusedMXCSRFlags; got != before {
				t.Errorf("after %s: MXCSR %#x, want %#x", k.name, got, before)
			}
		}
	})
}
