package asm

import (
	"fmt"
	"math"
)

// AdaBoundParams holds the hyperparameters of one AdaBound or AMSBound
// step, float64 like torch's.
type AdaBoundParams struct {
	LR          float64 // learning rate η
	FinalLR     float64 // α*, the SGD rate both bounds approach (final_lr·η/η₀ under a schedule)
	Gamma       float64 // γ, the convergence speed of the bounds
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1)
	Eps         float64 // ε, added after the square root
	WeightDecay float64 // λ, an L2 term added to the gradient
	Step        int     // 1-based step count t
}

// adaboundConsts are the per-call constants of the kernel, hoisted in Go.
type adaboundConsts struct {
	b1, omb1 float32 // β1, 1−β1
	b2, omb2 float32 // β2, 1−β2
	wd       float32 // λ
	step     float32 // η·√bc2/bc1
	eps      float32 // ε
	lo, hi   float32 // α*·(1 − 1/(γt+1)), α*·(1 + 1/(γt))
}

func (h AdaBoundParams) consts() adaboundConsts {
	t := float64(h.Step)
	return adaboundConsts{
		b1: float32(h.Beta1), omb1: float32(1 - h.Beta1),
		b2: float32(h.Beta2), omb2: float32(1 - h.Beta2),
		wd:   float32(h.WeightDecay),
		step: float32(h.LR * math.Sqrt(1-math.Pow(h.Beta2, t)) / (1 - math.Pow(h.Beta1, t))),
		eps:  float32(h.Eps),
		lo:   float32(h.FinalLR * (1 - 1/(h.Gamma*t+1))),
		hi:   float32(h.FinalLR * (1 + 1/(h.Gamma*t))),
	}
}

// AdaBoundStep performs one AdaBound step (Luo et al., "Adaptive Gradient
// Methods with Dynamic Bound of Learning Rate"; Luolc/AdaBound
// adabound.py) in place, in one pass. For each i, with t = h.Step,
// bc1 = 1−β1^t, bc2 = 1−β2^t:
//
//	d    = g[i] + λ·p[i]
//	m[i] = β1·m[i] + (1−β1)·d
//	v[i] = β2·v[i] + (1−β2)·d²
//	x    = clip(η·√bc2/bc1/(√v[i] + ε), α*·(1 − 1/(γt+1)), α*·(1 + 1/(γt)))
//	p[i] = p[i] − x·m[i]
//
// with α* = h.FinalLR. The scalars are computed once per call in float64;
// a NaN x stays NaN. m and v start as zeros. λ·p, rounding and subnormal
// flushing behave as in AdamStep. p, m and v are read and written, g only
// read; the slices must have the same length and must not overlap.
// AdaBoundStep panics if the lengths differ or h.Step < 1.
func AdaBoundStep(p, g, m, v []float32, h AdaBoundParams) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) {
		panic(fmt.Sprintf("asm: adabound: length mismatch: len(p)=%d len(g)=%d len(m)=%d len(v)=%d",
			len(p), len(g), len(m), len(v)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: adabound: step %d < 1", h.Step))
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(v)
	k := h.consts()
	adaboundStep(p, g, m, v, &k)
}

// AMSBoundStep performs one AMSBound step: AdaBoundStep with AMSGrad's
// running maximum of the raw second moment in the denominator,
//
//	vmax[i] = max(vmax[i], v[i])        (vmax[i] > v[i] ? vmax[i] : v[i])
//	x       = clip(η·√bc2/bc1/(√vmax[i] + ε), lo, hi)
//
// with the rest as AdaBoundStep; vmax starts as zeros. The five slices
// must have the same length and must not overlap; AMSBoundStep panics if
// the lengths differ or h.Step < 1.
func AMSBoundStep(p, g, m, v, vmax []float32, h AdaBoundParams) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) || len(vmax) != len(p) {
		panic(fmt.Sprintf("asm: amsbound: length mismatch: len(p)=%d len(g)=%d len(m)=%d len(v)=%d len(vmax)=%d",
			len(p), len(g), len(m), len(v), len(vmax)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: amsbound: step %d < 1", h.Step))
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(v)
	fusedRaceWrite(vmax)
	k := h.consts()
	amsboundStep(p, g, m, v, vmax, &k)
}
