package asm

import "fmt"

// LionParams holds the hyperparameters of one Lion step (Chen et al.,
// "Symbolic Discovery of Optimization Algorithms"), float64 like torch's.
type LionParams struct {
	LR          float64 // learning rate η
	Beta1       float64 // β1, interpolation for the update direction
	Beta2       float64 // β2, decay of the momentum m
	WeightDecay float64 // λ, decoupled
}

// lionConsts are the per-call constants the kernels use, hoisted in Go.
type lionConsts struct {
	b1, omb1 float32 // β1, 1−β1
	b2, omb2 float32 // β2, 1−β2
	decay    float32 // 1 − η·λ
	lr       float32 // η
}

func (h LionParams) consts() lionConsts {
	return lionConsts{
		b1: float32(h.Beta1), omb1: float32(1 - h.Beta1),
		b2: float32(h.Beta2), omb2: float32(1 - h.Beta2),
		decay: float32(1 - h.LR*h.WeightDecay),
		lr:    float32(h.LR),
	}
}

// LionStep performs one Lion step in place, in one pass over the three
// slices, with the update of the authors' lion_pytorch.py (google/automl):
// for each i,
//
//	c    = β1·m[i] + (1−β1)·g[i]
//	p[i] = p[i]·(1 − η·λ) − η·sign(c)
//	m[i] = β2·m[i] + (1−β2)·g[i]
//
// sign(c) is +1 for c > 0, −1 for c < 0, and c itself for c = ±0 (no move)
// and for NaN (which then propagates into p[i], as torch.sign does). The
// multiply-adds for c and m[i] are fused (one rounding); since only the
// sign of c is used, p[i] does not depend on how c rounds, and the generic
// reference matches the assembly bit for bit in p and to one ulp in m.
//
// The kernels run with subnormals flushed to zero (FTZ and DAZ, see
// mxcsr.go); a c that would be subnormal counts as zero.
//
// p and m are read and written; g is only read. The slices must have the
// same length and must not overlap; LionStep panics if the lengths differ.
func LionStep(p, g, m []float32, h LionParams) {
	if len(g) != len(p) || len(m) != len(p) {
		panic(fmt.Sprintf("asm: lion: length mismatch: len(p)=%d len(g)=%d len(m)=%d",
			len(p), len(g), len(m)))
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	k := h.consts()
	lionStep(p, g, m, &k)
}
