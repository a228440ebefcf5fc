package optim

import (
	"errors"
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
// optimizer's state (‖v₀‖², δ, started, inner steps).
func sarahScalars(t *testing.T, st map[string]*tensor.Tensor) []float32 {
	t.Helper()
	b := st["state.w.sarah_scalars"]
	if b == nil || b.Size() != 4 {
		t.Fatalf("state.w.sarah_scalars = %v", b)
	}
	return b.Data()
}

// sarahFullCalls runs steps steps of AI-SARAH with cfg on the finite
// sum of TestAISARAHOuterLoopUsesFullGradient and returns the number of
// full-gradient passes.
func sarahFullCalls(t *testing.T, cfg AISARAHConfig, steps int) int {
	t.Helper()
	p := g34Param(1, -2, 4)
	q := &sarahFullQuad{quadObjective: quadObjective{p: p, h: []float32{0.5, 1, 2}}, hf: []float32{3, 0.25, 1}}
	o, err := NewAISARAH([]*autodiff.Var{p}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range steps {
		q.Gradient()
		o.StepWith(q)
	}
	return q.calls
}

// TestAISARAHMaxInnerCapsTheInnerLoop: with MaxInner = 2 (and a γ too
// small to fire) the outer loop runs at steps 1, 3 and 5; without a cap,
// only at step 1. A counter that is not reset at a restart would restart
// at every step after the third (5 passes).
func TestAISARAHMaxInnerCapsTheInnerLoop(t *testing.T) {
	for _, tc := range []struct{ maxInner, want int }{{0, 1}, {2, 3}, {4, 2}, {5, 1}} {
		cfg := AISARAHConfig{FDStep: 1e-2, Gamma: 1e-30, MaxInner: tc.maxInner}
		if got := sarahFullCalls(t, cfg, 5); got != tc.want {
			t.Errorf("MaxInner %d: %d full-gradient passes in 5 steps, want %d", tc.maxInner, got, tc.want)
		}
	}
}

// TestAISARAHGammaIsTheRestartThreshold: after one step ‖v₁‖² = r·‖v₀‖²;
// the second step restarts iff r < γ.
func TestAISARAHGammaIsTheRestartThreshold(t *testing.T) {
	p := g34Param(1, -2, 4)
	q := &sarahFullQuad{quadObjective: quadObjective{p: p, h: []float32{0.5, 1, 2}}, hf: []float32{3, 0.25, 1}}
	o, err := NewAISARAH([]*autodiff.Var{p}, AISARAHConfig{FDStep: 1e-2})
	if err != nil {
		t.Fatal(err)
	}
	q.Gradient()
	o.StepWith(q)
	st, err := o.State()
	if err != nil {
		t.Fatal(err)
	}
	var vv float64
	for _, v := range st["state.w.sarah_v"].Data() {
		vv += float64(v) * float64(v)
	}
	r := vv / float64(sarahScalars(t, st)[0])
	if !(r > 1.0/32 && r < 0.99) {
		t.Fatalf("test setup: ‖v₁‖²/‖v₀‖² = %g, want in (1/32, 0.99)", r)
	}
	for _, tc := range []struct {
		gamma float64
		want  int
	}{{1.01 * r, 2}, {0.99 * r, 1}, {0, 1}} { // 0: the authors' 1/32 < r
		if got := sarahFullCalls(t, AISARAHConfig{FDStep: 1e-2, Gamma: tc.gamma}, 2); got != tc.want {
			t.Errorf("γ = %g (r = %g): %d full-gradient passes in 2 steps, want %d", tc.gamma, r, got, tc.want)
		}
	}
}

// TestAISARAHSmoothingOfAlphaMax: at the second step on a quadratic
// minibatch (h), α_N = v₁ᵀHv₁/‖Hv₁‖², α = min(α_N, 1/δ₁) and
// δ₂ = (1−s)·δ₁ + s/α_N, with s = 0.001 for Smoothing 0.
func TestAISARAHSmoothingOfAlphaMax(t *testing.T) {
	h := []float64{0.5, 1, 2}
	for _, s := range []float64{0, 0.25, 1} {
		p := g34Param(1, -2, 4)
		// The full gradient differs from the minibatch's so that α_N at
		// step 2 differs from α at step 1.
		q := &sarahFullQuad{quadObjective: quadObjective{p: p, h: []float32{0.5, 1, 2}}, hf: []float32{3, 0.25, 1}}
		o, err := NewAISARAH([]*autodiff.Var{p}, AISARAHConfig{FDStep: 1e-2, Smoothing: s})
		if err != nil {
			t.Fatal(err)
		}
		q.Gradient()
		o.StepWith(q)
		st, _ := o.State()
		d1 := float64(sarahScalars(t, st)[1])
		v1 := f64s(st["state.w.sarah_v"].Data())
		w1 := f64s(p.Value.Data())
		var hv, hhv float64
		for i, v := range v1 {
			hv += h[i] * v * v
			hhv += h[i] * v * h[i] * v
		}
		aN := hv / hhv
		q.Gradient()
		o.StepWith(q)
		st, _ = o.State()
		d2 := float64(sarahScalars(t, st)[1])
		ws := s
		if ws == 0 {
			ws = 0.001
		}
		if want := (1-ws)*d1 + ws/aN; !near(d2, want, 1e-4, 0) {
			t.Errorf("smoothing %g: δ₂ = %g, want %g (δ₁ = %g, α_N = %g)", s, d2, want, d1, aN)
		}
		a := math.Min(aN, 1/d1)
		for i, x := range p.Value.Data() {
			if want := w1[i] - a*v1[i]; !near(float64(x), want, 1e-4, 1e-6) {
				t.Errorf("smoothing %g: θ₂[%d] = %g, want %g (α = %g)", s, i, x, want, a)
			}
		}
	}
}

// TestAISARAHRegistryArgs: -opt-args gamma, max_inner and smoothing reach
// the config, their defaults are the authors', and bad values are
// rejected.
func TestAISARAHRegistryArgs(t *testing.T) {
	d, err := Defaults("ai-sarah")
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"gamma": "0.03125", "max_inner": "0", "smoothing": "0.001", "fd_step": "0.1"} {
		if d[k] != want {
			t.Errorf("default %s = %q, want %q", k, d[k], want)
		}
	}
	p := g34Param(1, -2, 4)
	q := &sarahFullQuad{quadObjective: quadObjective{p: p, h: []float32{0.5, 1, 2}}, hf: []float32{3, 0.25, 1}}
	o, err := New("ai-sarah", []*autodiff.Var{p}, 0, -1, map[string]string{"fd_step": "0.01", "gamma": "1e-30", "max_inner": "2"})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		q.Gradient()
		o.StepWith(q)
	}
	if q.calls != 3 {
		t.Errorf("max_inner=2: %d full-gradient passes in 5 steps, want 3", q.calls)
	}
	for _, tc := range []struct{ key, val string }{
		{"gamma", "1.5"}, {"gamma", "-0.1"}, {"max_inner", "-1"}, {"smoothing", "2"},
	} {
		_, err := New("ai-sarah", []*autodiff.Var{p}, 0, -1, map[string]string{tc.key: tc.val})
		var he *HyperparameterError
		if !errors.As(err, &he) || he.Name != tc.key {
			t.Errorf("%s=%s: err = %v, want a *HyperparameterError for %s", tc.key, tc.val, err, tc.key)
		}
	}
	if _, err := New("ai-sarah", []*autodiff.Var{p}, 0, -1, map[string]string{"max_inner": "1.5"}); err == nil {
		t.Error("max_inner=1.5: no error")
	}
}
