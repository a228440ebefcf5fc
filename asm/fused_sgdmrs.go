package asm

import "fmt"

// SGDMRSParams holds the hyperparameters of one step of SGD with momentum
// and exponential random scaling (O2NCGD), float64; the derived factor
// β/(1+η·μ) is computed in float64 and rounded to float32 once.
type SGDMRSParams struct {
	LR          float64 // η ≥ 0
	Beta        float64 // β in [0, 1]
	Mu          float64 // μ ≥ 0, the damping of the recursion
	WeightDecay float64 // λ, L2 (added to the gradient); 0 skips λ·θ
	Scale       float64 // s, this step's random scale (1: deterministic)
}

// sgdmrsConsts are the per-call constants of the kernels, rounded to
// float32 once in Go.
type sgdmrsConsts struct {
	wd  float32 // λ
	eta float32 // η
	f   float32 // β/(1+η·μ)
	s   float32 // s
}

// consts rounds the hyperparameters as optim's ScaleBySGDMRS does, with η
// a float32 learning rate widened to float64.
func (h SGDMRSParams) consts() sgdmrsConsts {
	return sgdmrsConsts{
		wd:  float32(h.WeightDecay),
		eta: float32(h.LR),
		f:   float32(h.Beta / (1 + h.LR*h.Mu)),
		s:   float32(h.Scale),
	}
}

// SGDMRSStep performs one step of SGD with momentum and exponential
// random scaling (Zhang & Cutkosky, O2NCGD; optim's sgdm-rs) in place, in
// one pass. For each i:
//
//	u    = g[i] + λ·p[i]               (one fused multiply-add; u = g[i] if λ = 0)
//	d[i] = f·(d[i] − η·u)              f = β/(1+η·μ)
//	p[i] = p[i] + s·d[i]
//
// Every other operation is rounded to float32 on its own, in this order,
// so the result is that of optim's chain AddDecayedWeights (asm.Axpy, a
// fused multiply-add), ScaleBySGDMRS (u ← −s·Δ) and the step θ ← θ − u,
// except that the kernels run with subnormals flushed to zero (FTZ and
// DAZ, see mxcsr.go) and the generic reference flushes the same values.
// With λ = 0 the term λ·p is not formed, as in the chain.
//
// p and d are read and written; g is only read. The slices must have the
// same length and must not overlap. SGDMRSStep panics if the lengths
// differ.
func SGDMRSStep(p, g, d []float32, h SGDMRSParams) {
	if len(g) != len(p) || len(d) != len(p) {
		panic(fmt.Sprintf("asm: sgdmrs: length mismatch: len(p)=%d len(g)=%d len(d)=%d", len(p), len(g), len(d)))
	}
	k := h.consts()
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(d)
	sgdmrsStep(p, g, d, &k)
}
