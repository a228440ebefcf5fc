package asm

import (
	"fmt"
	"math"
)

// AdamParams holds the hyperparameters of one Adam or AdamW step. They are
// float64, like the Python floats torch.optim keeps: constants derived from
// them (1−β2, the bias corrections) are computed in float64 and rounded to
// float32 once, as torch does, instead of inheriting float32's error in β2
// (float32(0.999) is off by 1.3e-5 relative in 1−β2).
type AdamParams struct {
	LR          float64 // learning rate η
	Beta1       float64 // first-moment decay β1, in [0, 1)
	Beta2       float64 // second-moment decay β2, in [0, 1)
	Eps         float64 // ε, added after the square root
	WeightDecay float64 // λ: L2 (Adam) or decoupled (AdamW)
	Step        int     // 1-based step count t, for the bias corrections
	Decoupled   bool    // AdamW: decay p directly instead of adding λ·p to g
}

// adamConsts are the per-call constants the kernels use, hoisted in Go.
type adamConsts struct {
	b1, omb1 float32 // β1, 1−β1
	b2, omb2 float32 // β2, 1−β2
	wd       float32 // λ for the L2 form (Adam), else 0
	decay    float32 // 1−η·λ for the decoupled form (AdamW), else 1
	step     float32 // η / bc1
	rbc2     float32 // 1 / √bc2
	eps      float32 // ε
}

// consts hoists the per-call constants: bc1 = 1−β1^t, bc2 = 1−β2^t,
// step_size = η/bc1 and 1/√bc2, in float64, then rounded to float32.
func (h AdamParams) consts() adamConsts {
	t := float64(h.Step)
	bc1 := 1 - math.Pow(h.Beta1, t)
	bc2 := 1 - math.Pow(h.Beta2, t)
	k := adamConsts{
		b1: float32(h.Beta1), omb1: float32(1 - h.Beta1),
		b2: float32(h.Beta2), omb2: float32(1 - h.Beta2),
		decay: 1,
		step:  float32(h.LR / bc1),
		rbc2:  float32(1 / math.Sqrt(bc2)),
		eps:   float32(h.Eps),
	}
	if h.Decoupled {
		k.decay = float32(1 - h.LR*h.WeightDecay)
	} else {
		k.wd = float32(h.WeightDecay)
	}
	return k
}

// AdamStep performs one Adam (h.Decoupled false) or AdamW (h.Decoupled
// true) step in place, in one pass over the four slices, with the update of
// torch.optim.Adam / torch.optim.AdamW (amsgrad=False, maximize=False).
// For each i, with t = h.Step, bc1 = 1−β1^t and bc2 = 1−β2^t:
//
//	g' = g[i] + λ·p[i]                      (Adam: L2 term; AdamW: g' = g[i])
//	p' = p[i]·(1 − η·λ)                     (AdamW only; Adam: p' = p[i])
//	m[i] = β1·m[i] + (1−β1)·g'
//	v[i] = β2·v[i] + (1−β2)·g'·g'
//	p[i] = p' − (η/bc1) · m[i] / (√v[i] · (1/√bc2) + ε)
//
// ε is added after the square root of the bias-corrected v, exactly as
// torch.optim.Adam does (not inside it, and not in the fused form
// η·√bc2/bc1 · m/(√v + ε)). η/bc1 and 1/√bc2 are computed once per call in
// float64; torch divides by √bc2 where we multiply by its reciprocal, one
// rounding apart.
//
// The terms for λ are always evaluated (λ·p with λ = 0, p·1 with the
// decoupled factor 1), which is exact for finite p; if p[i] is ±Inf or NaN
// with λ = 0, m[i] and v[i] become NaN as well, where torch would skip the
// L2 term and leave them alone.
//
// The kernels run with subnormals flushed to zero (FTZ and DAZ, see
// mxcsr.go): a subnormal input is read as zero, and a subnormal m[i], v[i]
// or p[i] is stored as zero, so decaying moments never hit the slow
// subnormal path. The assembly fuses multiply-adds (one rounding where the
// formula has two); results agree with the generic reference to a few ulps
// of the terms involved.
//
// p, m and v are read and written; g is only read. The four slices must
// have the same length and must not overlap. AdamStep panics if the lengths
// differ or h.Step < 1. m and v start as zeros (torch's initial state).
func AdamStep(p, g, m, v []float32, h AdamParams) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) {
		panic(fmt.Sprintf("asm: adam: length mismatch: len(p)=%d len(g)=%d len(m)=%d len(v)=%d",
			len(p), len(g), len(m), len(v)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: adam: step %d < 1", h.Step))
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(v)
	k := h.consts()
	adamStep(p, g, m, v, &k)
}
