package asm

import (
	"fmt"
	"math"
)

// gramsConsts are the per-call constants of the Grams kernel.
type gramsConsts struct {
	b1, omb1 float32 // β1, 1−β1
	b2, omb2 float32 // β2, 1−β2
	decay    float32 // 1 − η·λ
	step     float32 // η·√bc2/bc1
	eps      float32 // ε
}

func gramsConstsOf(h AdamParams) gramsConsts {
	t := float64(h.Step)
	return gramsConsts{
		b1: float32(h.Beta1), omb1: float32(1 - h.Beta1),
		b2: float32(h.Beta2), omb2: float32(1 - h.Beta2),
		decay: float32(1 - h.LR*h.WeightDecay),
		step:  float32(h.LR * math.Sqrt(1-math.Pow(h.Beta2, t)) / (1 - math.Pow(h.Beta1, t))),
		eps:   float32(h.Eps),
	}
}

// GramsStep performs one Grams step (Cao et al., "Grams: Gradient Descent
// with Adaptive Momentum Scaling"; the authors' Gunale0926/Grams
// grams.py) in place, in one pass. For each i, with t = h.Step,
// bc1 = 1−β1^t and bc2 = 1−β2^t:
//
//	p'   = p[i]·(1 − η·λ)
//	m[i] = β1·m[i] + (1−β1)·g[i]
//	v[i] = β2·v[i] + (1−β2)·g[i]²
//	u    = sign(g[i])·|m[i]|           (0 where g[i] = ±0)
//	p[i] = p' − (η·√bc2/bc1)·u/(√v[i] + ε)
//
// Adam's moments in the fused form (ε after the root of the raw v), with
// the momentum's sign replaced by the gradient's. h is read as for
// AdamStep, except that the decay is always decoupled (h.Decoupled is
// ignored); η·√bc2/bc1 is computed once per call in float64. A NaN g[i]
// makes m[i] and p[i] NaN. m and v start as zeros.
//
// Rounding and subnormal flushing behave as in AdamStep. p, m and v are
// read and written, g only read; the four slices must have the same
// length and must not overlap. GramsStep panics if the lengths differ or
// h.Step < 1.
func GramsStep(p, g, m, v []float32, h AdamParams) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) {
		panic(fmt.Sprintf("asm: grams: length mismatch: len(p)=%d len(g)=%d len(m)=%d len(v)=%d",
			len(p), len(g), len(m), len(v)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: grams: step %d < 1", h.Step))
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(v)
	k := gramsConstsOf(h)
	gramsStep(p, g, m, v, &k)
}
