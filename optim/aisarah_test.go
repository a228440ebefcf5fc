package optim

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// sarahFullQuad is a quadratic minibatch objective ½Σ h_i w_i² that is
// also a FullGradienter whose full objective is ½Σ hf_i w_i²: a finite
// sum whose mean differs from the minibatch's.
type sarahFullQuad struct {
	quadObjective
	hf    []float32
	calls int // FullGradient calls
}

func (q *sarahFullQuad) FullGradient() float32 {
	q.calls++
	var l float32
	for i, v := range q.p.Value.Data() {
		q.p.Grad.Data()[i] = q.hf[i] * v
		l += 0.5 * q.hf[i] * v * v
	}
	return l
}

// TestAISARAHOuterLoopUsesFullGradient: with a FullGradienter the first
// step starts from v₀ = F, the full gradient, not from the minibatch
// gradient: ξ(α) = ‖F − α·H·F‖² (∇f_i is linear), so α = FᵀHF/‖HF‖²,
// w₁ = w₀ − α·F and v₁ = F − α·H·F. The outer loop does not fire again
// while ‖v‖² ≥ ‖v₀‖²/32.
func TestAISARAHOuterLoopUsesFullGradient(t *testing.T) {
	h := []float64{0.5, 1, 2}
	hf := []float64{3, 0.25, 1}
	w := []float64{1, -2, 4}
	p := g34Param(1, -2, 4)
	q := &sarahFullQuad{quadObjective: quadObjective{p: p, h: []float32{0.5, 1, 2}}, hf: []float32{3, 0.25, 1}}
	o, err := NewAISARAH([]*autodiff.Var{p}, AISARAHConfig{FDStep: 1e-2})
	if err != nil {
		t.Fatal(err)
	}
	q.Gradient()
	o.StepWith(q)
	var fhf, hf2, ff float64
	f := make([]float64, 3)
	for i := range w {
		f[i] = hf[i] * w[i]
		fhf += f[i] * h[i] * f[i]
		hf2 += h[i] * f[i] * h[i] * f[i]
		ff += f[i] * f[i]
	}
	a := fhf / hf2
	var vv float64
	for i, v := range p.Value.Data() {
		if want := w[i] - a*f[i]; !near(float64(v), want, 1e-3, 1e-5) {
			t.Errorf("θ₁[%d] = %g, want %g", i, v, want)
		}
		vv += (f[i] - a*h[i]*f[i]) * (f[i] - a*h[i]*f[i])
	}
	st, err := o.State()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range st["state.w.sarah_v"].Data() {
		// The finite-difference α is good to ~1e-4 relative; f − α·h·f
		// cancels, so the tolerance scales with the α·h·f term.
		if want := f[i] - a*h[i]*f[i]; !near(float64(v), want, 0, 1e-3*math.Abs(a*h[i]*f[i])+1e-5) {
			t.Errorf("v₁[%d] = %g, want %g", i, v, want)
		}
	}
	if q.calls != 1 {
		t.Fatalf("%d FullGradient calls at the first step, want 1", q.calls)
	}
	if vv < ff/32 {
		t.Fatalf("test setup: ‖v₁‖² = %g < ‖v₀‖²/32 = %g", vv, ff/32)
	}
	q.Gradient()
	o.StepWith(q)
	if q.calls != 1 {
		t.Errorf("%d FullGradient calls after step 2 with ‖v‖² = %g ≥ ‖v₀‖²/32 = %g, want 1", q.calls, vv, ff/32)
	}
}

// TestAISARAHNoStepBeforeAGoodNewtonStep: on a concave quadratic
// (h < 0) ξ′(0) > 0 at every step, so α_N < 0 and no α_max exists yet
// (δ = 0): the parameters must stay where they are, finite (α = 1/δ
// would be +Inf and the parameters NaN), and a later good step sets
// δ = 1/α_N as the first step would.
func TestAISARAHNoStepBeforeAGoodNewtonStep(t *testing.T) {
	p := g34Param(1, -2, 4)
	q := &quadObjective{p: p, h: []float32{-1, -1, -1}}
	o, _ := NewAISARAH([]*autodiff.Var{p}, AISARAHConfig{FDStep: 1e-2})
	for step := 1; step <= 3; step++ {
		q.Gradient()
		o.StepWith(q)
		for i, v := range p.Value.Data() {
			if want := []float32{1, -2, 4}[i]; v != want {
				t.Fatalf("step %d: θ[%d] = %g, want %g (no step)", step, i, v, want)
			}
		}
	}
	st, err := o.State()
	if err != nil {
		t.Fatal(err)
	}
	sc := sarahScalars(t, st)
	if sc[1] != 0 || sc[2] != 1 {
		t.Fatalf("scalars %v: want δ = 0 and started", sc)
	}
	// Convex from here on: the first good step must set δ = 1/α_N.
	q.h = []float32{0.5, 1, 2}
	q.Gradient()
	before := append([]float32(nil), p.Value.Data()...)
	v := append([]float32(nil), st["state.w.sarah_v"].Data()...)
	o.StepWith(q)
	st, _ = o.State()
	sc = sarahScalars(t, st)
	var moved, vv float64 // θ₄ = θ₃ − α·v: α = ‖θ₄ − θ₃‖/‖v‖
	for i, x := range p.Value.Data() {
		moved += float64(x-before[i]) * float64(x-before[i])
		vv += float64(v[i]) * float64(v[i])
	}
	a := math.Sqrt(moved / vv)
	if !(a > 0) || !near(float64(sc[1])*a, 1, 1e-4, 0) {
		t.Errorf("after the first good step: α = %g, δ = %g, want δ = 1/α", a, sc[1])
	}
}

// sarahScalars returns the "sarah_scalars" buffer of a one-parameter
// optimizer's state (‖v₀‖², δ, started).
func sarahScalars(t *testing.T, st map[string]*tensor.Tensor) []float32 {
	t.Helper()
	b := st["state.w.sarah_scalars"]
	if b == nil || b.Size() != 3 {
		t.Fatalf("state.w.sarah_scalars = %v", b)
	}
	return b.Data()
}
