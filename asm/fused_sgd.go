package asm

import "fmt"

// SGDParams holds the hyperparameters of one SGD step with momentum,
// float64 like torch's.
type SGDParams struct {
	LR          float64 // learning rate η
	Momentum    float64 // μ; 0 means plain SGD (buf unused)
	Dampening   float64 // τ, damps the gradient's share of the momentum
	WeightDecay float64 // λ, L2 (added to the gradient)
	Nesterov    bool    // use the Nesterov look-ahead direction
	FirstStep   bool    // buf holds no state yet: start it at d (torch's first step)
}

// sgdConsts are the per-call constants the kernels use, hoisted in Go.
type sgdConsts struct {
	wd   float32 // λ
	mub  float32 // factor on the old buffer: μ, or 0 on the first step
	damp float32 // factor on d: 1−τ, or 1 on the first step
	mun  float32 // μ in the Nesterov direction d + μ·buf
	lr   float32 // η
	nest bool
}

func (h SGDParams) consts() sgdConsts {
	k := sgdConsts{
		wd:   float32(h.WeightDecay),
		mub:  float32(h.Momentum),
		damp: float32(1 - h.Dampening),
		mun:  float32(h.Momentum),
		lr:   float32(h.LR),
		nest: h.Nesterov,
	}
	if h.FirstStep {
		k.mub, k.damp = 0, 1
	}
	return k
}

// SGDStep performs one step of torch.optim.SGD (maximize=False) in place,
// in one pass. For each i:
//
//	d      = g[i] + λ·p[i]
//	buf[i] = μ·buf[i] + (1−τ)·d        (h.FirstStep: buf[i] = d)
//	p[i]   = p[i] − η·(d + μ·buf[i])   (h.Nesterov)
//	p[i]   = p[i] − η·buf[i]           (otherwise)
//
// On the first step the previous contents of buf are ignored (SGDStep
// clears buf, then runs the kernel with μ = 0 and 1−τ = 1 on the old
// buffer). With h.Momentum == 0 there is no buffer, as in torch: buf may be
// empty, and p[i] −= η·(g[i] + λ·p[i]): through Axpy when λ = 0, else
// through DoGStep's kernel (u = g + λ·p fused, u·η rounded, p − u, with
// subnormals flushed; optim's chain AddDecayedWeights, ScaleByLR, θ − u
// rounds the same way). torch's constructor rules (Nesterov needs μ > 0
// and τ = 0) are left to the caller.
//
// λ·p is always evaluated, which is exact for finite p; with λ = 0 a p[i]
// of ±Inf or NaN makes d, and so buf[i], NaN. The assembly fuses
// multiply-adds and runs with subnormals flushed to zero (see mxcsr.go).
//
// p and buf are read and written; g is only read. The slices must not
// overlap. SGDStep panics if len(g) != len(p), or if h.Momentum != 0 and
// len(buf) != len(p).
func SGDStep(p, g, buf []float32, h SGDParams) {
	if len(g) != len(p) {
		panic(fmt.Sprintf("asm: sgd: length mismatch: len(p)=%d len(g)=%d", len(p), len(g)))
	}
	if h.Momentum == 0 {
		if h.WeightDecay == 0 {
			Axpy(p, float32(-h.LR), g)
			return
		}
		DoGStep(p, g, nil, DoGStepParams{WD: float32(h.WeightDecay), Eta: 1, LR: float32(h.LR)})
		return
	}
	if len(buf) != len(p) {
		panic(fmt.Sprintf("asm: sgd: length mismatch: len(p)=%d len(buf)=%d", len(p), len(buf)))
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(buf)
	if h.FirstStep {
		clear(buf)
	}
	k := h.consts()
	sgdStep(p, g, buf, &k)
}
