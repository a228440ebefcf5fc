//go:build amd64 && gc && !purego

package asm

import (
	"runtime"
	"testing"
)

// TestZooRestoreMXCSR checks that the zoo kernels (RMSProp/AdaGrad,
// AdaMax, AdEMAMix, the cautious count and steps, Grams, AMSBound,
// diffGrad, EXAdam, MARS, FAdam, Adafactor, Subset-Norm, SGDM-RS with and
// without λ, Gravity and the XGrad kernels) leave MXCSR's control bits as
// they found them, at every level, as TestFusedRestoreMXCSR does for Adam
// and Lion.
func TestZooRestoreMXCSR(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := getMXCSR() &^ fusedMXCSRFlags
	if before&mxcsrFTZDAZ != 0 {
		t.Fatalf("MXCSR %#x already has FTZ or DAZ set", before)
	}
	fusedForLevels(t, func(t *testing.T, l Level) {
		const n = 77
		const rows, cols = 11, 7 // n
		p, g, m, v, w := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		u := make([]float32, n)
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
			{"FAdamStep", func() {
				FAdamStep(p, g, m, v, w, FAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Clip: 1, Step: 1})
			}},
			{"AdafactorStep", func() {
				AdafactorStep(p, g, v, m, u, AdafactorParams{Beta1: 0.9, DecayRate: 0.8, Eps1: 1e-30, Eps2: 1e-3,
					ClipThreshold: 1, RelativeStep: true, ScaleParameter: true, Step: 1})
			}},
			{"AdafactorMatrixStep", func() {
				AdafactorMatrixStep(p, g, v[:rows], w[:cols], m, rows, cols, AdafactorParams{Beta1: 0.9, DecayRate: 0.8,
					Eps1: 1e-30, Eps2: 1e-3, ClipThreshold: 1, RelativeStep: true, ScaleParameter: true, Step: 1}, nil)
			}},
			{"SubsetNormStep", func() {
				SubsetNormStep(p, g, m, v, w, rows, cols, SubsetNormParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1})
			}},
			{"SubsetNormStep (by column)", func() {
				SubsetNormStep(p, g, m, v, w, cols, rows, SubsetNormParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1})
			}},
			{"SGDMRSStep", func() { SGDMRSStep(p, g, v, SGDMRSParams{LR: 0.1, Beta: 0.9, Scale: 1.5}) }},
			{"SGDMRSStep (λ)", func() { SGDMRSStep(p, g, v, SGDMRSParams{LR: 0.1, Beta: 0.9, WeightDecay: 0.1, Scale: 1.5}) }},
			{"GravityStep", func() { GravityStep(p, g, v, GravityParams{LR: 0.1, Beta: 0.9, Step: 1}) }},
			{"XGradPredict", func() {
				XGradPredict(p, u, m, v, XGradPredictParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1})
			}},
			{"XGradPredictDir", func() { XGradPredictDir(p, u, w, 1e-3) }},
			{"XGradStep", func() {
				XGradStep(p, u, g, m, v, u, XGradParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1})
			}},
			{"XGradSGDStep", func() { XGradSGDStep(p, u, g, m, XGradSGDParams{LR: 1e-3, Momentum: 0.9}) }},
		} {
			k.run()
			if got := getMXCSR() &^ fusedMXCSRFlags; got != before {
				t.Errorf("after %s: MXCSR %#x, want %#x", k.name, got, before)
			}
		}
	})
}
