package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// ClipByGlobalNorm returns the transform that rescales all updates
// together so that their global L2 norm is at most maxNorm (Pascanu et
// al.; optax clip_by_global_norm):
//
//	‖u‖ = √(Σ over all parameters and elements of u²)
//	u ← u · min(1, maxNorm/‖u‖)
//
// The norm is a reduction over every parameter of the step, so in a
// chain this transform sees all parameters before the next transform
// runs. If ‖u‖ is not finite the updates are left unchanged (use
// ClipGradNorm before Step to detect and skip such a step). ClipByGlobalNorm
// panics if maxNorm is not positive.
func ClipByGlobalNorm(maxNorm float32) Transform {
	if !(maxNorm > 0) {
		panic("optim: clip_by_global_norm: max norm must be > 0")
	}
	return &clipByGlobalNorm{c: maxNorm}
}

type clipByGlobalNorm struct{ c float32 }

func (*clipByGlobalNorm) Name() string           { return "clip_by_global_norm" }
func (*clipByGlobalNorm) StateNames() []string   { return nil }
func (*clipByGlobalNorm) Init(n int) [][]float32 { return nil }
func (t *clipByGlobalNorm) Update(slots []Slot) {
	var ss float64
	for i := range slots {
		s := &slots[i]
		stateOf(t, s, 0)
		ss += gradSumSq(s.U)
	}
	if scale, ok := clipScale(ss, t.c); ok {
		for i := range slots {
			asm.Scale(slots[i].U, scale)
		}
	}
}

// ClipByValue returns the transform that clamps each element of the
// updates to [−c, c] (optax clip):
//
//	u ← max(−c, min(c, u))
//
// NaN stays NaN. ClipByValue panics if c is not positive.
func ClipByValue(c float32) Transform {
	if !(c > 0) {
		panic("optim: clip_by_value: clip value must be > 0")
	}
	return &clipByValue{c: c}
}

type clipByValue struct{ c float32 }

func (*clipByValue) Name() string           { return "clip_by_value" }
func (*clipByValue) StateNames() []string   { return nil }
func (*clipByValue) Init(n int) [][]float32 { return nil }
func (t *clipByValue) Update(slots []Slot) {
	for i := range slots {
		s := &slots[i]
		stateOf(t, s, 0)
		asm.Clamp(s.U, -t.c, t.c)
	}
}

// ClipGradNorm rescales the gradients of params in place so that their
// global L2 norm is at most maxNorm, like torch.nn.utils.clip_grad_norm_
// (without its 1e-6 in the denominator, after optax):
//
//	g ← g · min(1, maxNorm/‖g‖)
//
// and returns ‖g‖ before clipping. Parameters with a nil Grad are
// skipped. If the norm is NaN or ±Inf the gradients are left unchanged
// and the non-finite norm is returned, so the caller can skip the step.
// The sum of squares is gradSumSq's, accumulated in float64 across
// parameters.
// ClipGradNorm panics if maxNorm is not positive.
func ClipGradNorm(params []*autodiff.Var, maxNorm float32) float32 {
	if !(maxNorm > 0) {
		panic("optim: clipgradnorm: max norm must be > 0")
	}
	var ss float64
	for _, p := range params {
		if p.Grad != nil {
			ss += gradSumSq(p.Grad.Data())
		}
	}
	if scale, ok := clipScale(ss, maxNorm); ok {
		for _, p := range params {
			if p.Grad != nil {
				asm.Scale(p.Grad.Data(), scale)
			}
		}
	}
	return float32(math.Sqrt(ss))
}

// ClipGradValue clamps every gradient element of params to [−c, c] in
// place (torch.nn.utils.clip_grad_value_). Parameters with a nil Grad are
// skipped. It panics if c is not positive.
func ClipGradValue(params []*autodiff.Var, c float32) {
	if !(c > 0) {
		panic("optim: clipgradvalue: clip value must be > 0")
	}
	for _, p := range params {
		if p.Grad != nil {
			asm.Clamp(p.Grad.Data(), -c, c)
		}
	}
}

// gradSumSq returns Σ x²: asm.DoGSums' sum (float32 squares and row sums
// added in float64 lanes), or, where a float32 square or row sum
// overflows (|x| ≳ 1.8e19, the exploding gradients clipping is for), the
// sum of exact float64 squares.
func gradSumSq(x []float32) float64 {
	if s := normSq(x); !math.IsInf(s, 1) {
		return s
	}
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s
}

// clipScale returns maxNorm/‖g‖ for a sum of squares ss, and whether it
// must be applied (the norm is finite and above maxNorm).
func clipScale(ss float64, maxNorm float32) (float32, bool) {
	norm := math.Sqrt(ss)
	if norm <= float64(maxNorm) || math.IsInf(norm, 0) || math.IsNaN(norm) {
		return 1, false
	}
	return float32(float64(maxNorm) / norm), true
}
