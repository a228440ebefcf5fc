package asm

import "fmt"

// RMSPropParams holds the hyperparameters of one RMSProp step, float64
// like torch's (1−ρ is computed in float64 and rounded once).
type RMSPropParams struct {
	LR          float64 // learning rate η
	Rho         float64 // ρ, decay of the mean square, in [0, 1)
	Eps         float64 // ε
	EpsInSqrt   bool    // true: d/√(v+ε) (optax); false: d/(√v+ε) (torch)
	WeightDecay float64 // λ, an L2 term added to the gradient
}

// AdaGradParams holds the hyperparameters of one AdaGrad step.
type AdaGradParams struct {
	LR          float64 // learning rate η
	Eps         float64 // ε, inside the square root (optax scale_by_rss)
	WeightDecay float64 // λ, an L2 term added to the gradient
}

// rmspropConsts are the per-call constants of the RMSProp/AdaGrad kernel,
// hoisted in Go. The denominator is √(v+e1)+e2: one of e1, e2 is ε and
// the other 0, and adding a zero is exact.
type rmspropConsts struct {
	rho, omr float32 // ρ, 1−ρ (AdaGrad: 1, 1)
	wd       float32 // λ
	lr       float32 // η
	e1, e2   float32 // ε inside and after the square root
}

func (h RMSPropParams) consts() rmspropConsts {
	k := rmspropConsts{rho: float32(h.Rho), omr: float32(1 - h.Rho), wd: float32(h.WeightDecay), lr: float32(h.LR)}
	if h.EpsInSqrt {
		k.e1 = float32(h.Eps)
	} else {
		k.e2 = float32(h.Eps)
	}
	return k
}

func (h AdaGradParams) consts() rmspropConsts {
	return rmspropConsts{rho: 1, omr: 1, wd: float32(h.WeightDecay), lr: float32(h.LR), e1: float32(h.Eps)}
}

// RMSPropStep performs one RMSProp step (Tieleman & Hinton; optax
// scale_by_rms, torch.optim.RMSprop without momentum or centering) in
// place, in one pass. For each i:
//
//	d    = g[i] + λ·p[i]
//	v[i] = ρ·v[i] + (1−ρ)·d·d
//	p[i] = p[i] − η·d/√(v[i]+ε)        (h.EpsInSqrt, optax)
//	p[i] = p[i] − η·d/(√v[i]+ε)        (otherwise, torch)
//
// v starts as zeros. λ·p is always evaluated, which is exact for finite
// p; a p[i] of ±Inf or NaN with λ = 0 makes v[i] NaN. The assembly fuses
// multiply-adds and runs with subnormals flushed to zero (FTZ and DAZ, see
// mxcsr.go); results agree with the generic reference to a few ulps of
// the terms involved.
//
// p and v are read and written; g is only read. The slices must have the
// same length and must not overlap; RMSPropStep panics if the lengths
// differ.
func RMSPropStep(p, g, v []float32, h RMSPropParams) {
	if len(g) != len(p) || len(v) != len(p) {
		panic(fmt.Sprintf("asm: rmsprop: length mismatch: len(p)=%d len(g)=%d len(v)=%d", len(p), len(g), len(v)))
	}
	k := h.consts()
	rmspropRun(p, g, v, &k)
}

// AdaGradStep performs one AdaGrad step (Duchi, Hazan & Singer; optax
// scale_by_rss, with torch.optim.Adagrad's L2 term) in place, in one pass.
// For each i:
//
//	d    = g[i] + λ·p[i]
//	s[i] = s[i] + d·d
//	p[i] = p[i] − η·d/√(s[i]+ε)
//
// s holds the accumulator, which the caller starts at s₀ (optax: 0.1). It
// is RMSPropStep's kernel with ρ = 1 and 1−ρ replaced by 1 (both products
// exact), so rounding, flushing and λ behave as there. p and s are read
// and written, g only read; the slices must have the same length and must
// not overlap. AdaGradStep panics if the lengths differ.
func AdaGradStep(p, g, s []float32, h AdaGradParams) {
	if len(g) != len(p) || len(s) != len(p) {
		panic(fmt.Sprintf("asm: adagrad: length mismatch: len(p)=%d len(g)=%d len(s)=%d", len(p), len(g), len(s)))
	}
	k := h.consts()
	rmspropRun(p, g, s, &k)
}

// rmspropRun reports the slices to the race detector and runs the kernel.
func rmspropRun(p, g, v []float32, k *rmspropConsts) {
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(v)
	rmspropStep(p, g, v, k)
}
