//go:build amd64 && gc && !purego

package asm

import (
	"runtime"
	"testing"
)

// TestZooRestoreMXCSR checks that the zoo kernels (RMSProp/AdaGrad,
// AdaMax, AdEMAMix, the cautious count and steps, Grams, AMSBound,
// diffGrad, EXAdam, MARS) leave MXCSR's control
// bits as they found them, at every level, as TestFusedRestoreMXCSR does
// for Adam and Lion.
func TestZooRestoreMXCSR(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := getMXCSR() &^ fusedMXCSRFlags
	if before&mxcsrFTZDAZ != 0 {
		t.Fatalf("MXCSR %#x already has FTZ or DAZ set", before)
	}
	fusedForLevels(t, func(t *testing.T, l Level) {
		const n = 77
		p, g, m, v, w := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range g {
			g[i] = 1e-39
		}
		h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1}
		for _, k := range []struct {
			name string
			run  func()
		}{
			{"RMSPropStep", func() { RMSPropStep(p, g, v, RMSPropParams{LR: 1e-3, Rho: 0.9, Eps: 1e-8}) }},
			{"AdaGradStep", func() { AdaGradStep(p, g, v, AdaGradParams{LR: 1e-2, Eps: 1e-7}) }},
			{"AdaMaxStep", func() { AdaMaxStep(p, g, m, v, h) }},
			{"AdEMAMixStep", func() {
				AdEMAMixStep(p, g, m, w, v, AdEMAMixParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Beta3: 0.999, Alpha: 2, Step: 1})
			}},
			{"CAdamWStep", func() { CAdamWStep(p, g, m, v, h) }},
			{"CLionStep", func() { CLionStep(p, g, m, LionParams{LR: 1e-4, Beta1: 0.9, Beta2: 0.99}) }},
			{"GramsStep", func() { GramsStep(p, g, m, v, h) }},
			{"DiffGradStep", func() { DiffGradStep(p, g, m, v, w, h) }},
			{"EXAdamStep", func() { EXAdamStep(p, g, m, v, EXAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1}) }},
			{"MARSStep", func() {
				MARSStep(p, g, m, v, w, MARSParams{LR: 1e-3, Beta1: 0.95, Beta2: 0.99, Eps: 1e-8, Gamma: 0.025, Step: 1})
			}},
			{"AMSBoundStep", func() {
				AMSBoundStep(p, g, m, v, w, AdaBoundParams{LR: 1e-3, FinalLR: 0.1, Gamma: 1e-3, Beta1: 0.9, Beta2: 0.999, Step: 1})
			}},
		} {
			k.run()
			if got := getMXCSR() &^ fusedMXCSRFlags; got != before {
				t.Errorf("after %s: MXCSR %#x, want %#x", k.name, got, before)
			}
		}
	})
}
