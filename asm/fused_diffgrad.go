package asm

import (
	"fmt"
	"math"
)

// diffgradConsts are the per-call constants of the diffGrad kernel.
type diffgradConsts struct {
	b1, omb1 float32 // β1, 1−β1
	b2, omb2 float32 // β2, 1−β2
	wd       float32 // λ for the L2 form, else 0
	decay    float32 // 1−η·λ for the decoupled form, else 1
	step     float32 // η·√bc2/bc1
	eps      float32 // ε
	mode     uint8   // dgPlain (λ = 0), dgL2 or dgDecoupled: which λ term the kernels compute
}

// The modes of diffgradConsts: the kernels compute g' = g + wd·p only in
// dgL2 and p' = p·decay only in dgDecoupled; otherwise g' = g (copied to
// prev as is) and p' = p.
const (
	dgPlain uint8 = iota
	dgL2
	dgDecoupled
)

func diffgradConstsOf(h AdamParams) diffgradConsts {
	t := float64(h.Step)
	k := diffgradConsts{
		b1: float32(h.Beta1), omb1: float32(1 - h.Beta1),
		b2: float32(h.Beta2), omb2: float32(1 - h.Beta2),
		decay: 1,
		step:  float32(h.LR * math.Sqrt(1-math.Pow(h.Beta2, t)) / (1 - math.Pow(h.Beta1, t))),
		eps:   float32(h.Eps),
	}
	if h.Decoupled {
		k.decay = float32(1 - h.LR*h.WeightDecay)
	} else {
		k.wd = float32(h.WeightDecay)
	}
	switch {
	case k.wd != 0:
		k.mode = dgL2
	case k.decay != 1:
		k.mode = dgDecoupled
	}
	return k
}

// DiffGradStep performs one diffGrad step (Dubey et al., "diffGrad: An
// Optimization Method for Convolutional Neural Networks"; the authors'
// diffGrad_v2.py) in place, in one pass. For each i, with t = h.Step,
// bc1 = 1−β1^t and bc2 = 1−β2^t:
//
//	g', p' as in AdamStep (L2 term, or AdamW-style decoupled decay)
//	m[i]    = β1·m[i] + (1−β1)·g'
//	v[i]    = β2·v[i] + (1−β2)·g'²
//	ξ       = 1/(1 + exp(−|prev[i] − g'|))     (the logistic function, in [0.5, 1))
//	prev[i] = g'
//	p[i]    = p' − (η·√bc2/bc1)·m[i]/((1/ξ)·(√v[i] + ε))
//
// Adam's fused form (ε after the root of the raw v) with the step damped
// where the gradient changes little. prev starts as zeros (g_prev = 0 at
// t = 1). The kernels divide m by (1+e)·(√v+ε), computed as e·r + r
// with r = √v+ε, and evaluate e = exp(−a), a = |prev−g'| clamped to 87
// (where 1+e is 1 in float32), as 2^n·P(f) with a degree-5 polynomial
// (diffgradDen): 1+e is within 1.55 ulps of its float64 value. η·√bc2/bc1 is computed once per call in float64.
// Every level computes the same operations, so all agree bit for bit.
//
// Rounding, subnormal flushing and the λ terms behave as in AdamStep. p,
// m, v and prev are read and written, g only read; the five slices must
// have the same length and must not overlap. DiffGradStep panics if the
// lengths differ or h.Step < 1.
func DiffGradStep(p, g, m, v, prev []float32, h AdamParams) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) || len(prev) != len(p) {
		panic(fmt.Sprintf("asm: diffgrad: length mismatch: len(p)=%d len(g)=%d len(m)=%d len(v)=%d len(prev)=%d",
			len(p), len(g), len(m), len(v), len(prev)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: diffgrad: step %d < 1", h.Step))
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(v)
	fusedRaceWrite(prev)
	k := diffgradConstsOf(h)
	diffgradStep(p, g, m, v, prev, &k)
}
