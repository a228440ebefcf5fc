package asm

import (
	"fmt"
	"math"
)

// AdEMAMixParams holds the hyperparameters of one AdEMAMix step, float64
// like torch's. Alpha and Beta3 are the values for this step, after any
// warm-up schedule (the caller applies it).
type AdEMAMixParams struct {
	LR          float64 // learning rate η
	Beta1       float64 // β1, the fast EMA, in [0, 1)
	Beta2       float64 // β2, the second moment, in [0, 1)
	Beta3       float64 // β3, the slow EMA, in [0, 1)
	Alpha       float64 // α, the weight of the slow EMA
	Eps         float64 // ε, added after the square root
	WeightDecay float64 // λ, decoupled
	Step        int     // 1-based step count t, for the bias corrections
}

// ademamixConsts are the per-call constants the kernels use, hoisted in
// Go: adamConsts (decoupled) plus the slow EMA's β3, 1−β3 and η·α.
type ademamixConsts struct {
	adamConsts
	b3, omb3 float32 // β3, 1−β3
	la       float32 // η·α
}

func (h AdEMAMixParams) consts() ademamixConsts {
	a := AdamParams{LR: h.LR, Beta1: h.Beta1, Beta2: h.Beta2, Eps: h.Eps, WeightDecay: h.WeightDecay,
		Step: h.Step, Decoupled: true}
	return ademamixConsts{adamConsts: a.consts(), b3: float32(h.Beta3), omb3: float32(1 - h.Beta3),
		la: float32(h.LR * h.Alpha)}
}

// AdEMAMixStep performs one AdEMAMix step (Pagliardini, Ablin & Grangier,
// "The AdEMAMix Optimizer: Better, Faster, Older"; apple/ml-ademamix) in
// place, in one pass. For each i, with t = h.Step, bc1 = 1−β1^t and
// bc2 = 1−β2^t:
//
//	p'    = p[i]·(1 − η·λ)
//	m1[i] = β1·m1[i] + (1−β1)·g[i]      (fast EMA)
//	m2[i] = β3·m2[i] + (1−β3)·g[i]      (slow EMA, no bias correction)
//	v[i]  = β2·v[i]  + (1−β2)·g[i]²
//	d     = √v[i]·(1/√bc2) + ε
//	p[i]  = p' − ((η/bc1)·m1[i] + (η·α)·m2[i]) / d
//
// The decay is applied to p first, as AdamStep's decoupled form does (the
// official code adds λ·p to the update: the same to first order). The two
// terms share one division, so a step costs about as much as AdamStep's
// (the divider bounds both); m1 and v are computed exactly as AdamStep
// computes m and v, and with α = 0 the move differs from AdamStep's
// decoupled one by rounding only (η/bc1 multiplies before the division
// instead of after). m1, m2 and v start as zeros.
//
// Rounding and subnormal flushing behave as in AdamStep. p, m1, m2 and v
// are read and written, g only read; the five slices must have the same
// length and must not overlap. AdEMAMixStep panics if the lengths differ,
// h.Step < 1 or α is not finite.
func AdEMAMixStep(p, g, m1, m2, v []float32, h AdEMAMixParams) {
	if len(g) != len(p) || len(m1) != len(p) || len(m2) != len(p) || len(v) != len(p) {
		panic(fmt.Sprintf("asm: ademamix: length mismatch: len(p)=%d len(g)=%d len(m1)=%d len(m2)=%d len(v)=%d",
			len(p), len(g), len(m1), len(m2), len(v)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: ademamix: step %d < 1", h.Step))
	}
	if math.IsNaN(h.Alpha) || math.IsInf(h.Alpha, 0) {
		panic(fmt.Sprintf("asm: ademamix: alpha %v is not finite", h.Alpha))
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m1)
	fusedRaceWrite(m2)
	fusedRaceWrite(v)
	k := h.consts()
	ademamixStep(p, g, m1, m2, v, &k)
}
