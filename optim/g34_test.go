package optim

import (
	"errors"
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// g34Param returns a parameter named w with the given values and a
// gradient buffer.
func g34Param(vals ...float32) *autodiff.Var {
	p := autodiff.NewParam("w", tensor.FromSlice(append([]float32(nil), vals...), len(vals)))
	p.Grad = tensor.New(len(vals))
	return p
}

func g34SetGrad(p *autodiff.Var, g ...float32) { copy(p.Grad.Data(), g) }

func TestDoGHandSteps(t *testing.T) {
	p := g34Param(1, 2, -2) // ‖θ₀‖ = 3
	cfg := DefaultDoG()
	cfg.RepsRel, cfg.Eps = 0.1, 11 // r_ε = 0.4
	o, err := NewDoG([]*autodiff.Var{p}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Step 1: g = (3, 0, 4), G = 11 + 25 = 36, η = 0.4/6.
	g34SetGrad(p, 3, 0, 4)
	o.Step()
	eta1 := 0.4 / 6.0
	th1 := []float64{1 - 3*eta1, 2, -2 - 4*eta1}
	checkValues(t, "dog step 1", p.Value.Data(), th1)
	// Step 2: ‖θ₁ − θ₀‖ = 5·η₁ = 1/3 < 0.4, so r̄ = 0.4; G = 36 + 9 = 45.
	g34SetGrad(p, 0, 3, 0)
	o.Step()
	eta2 := 0.4 / math.Sqrt(45)
	th2 := []float64{th1[0], 2 - 3*eta2, th1[2]}
	checkValues(t, "dog step 2", p.Value.Data(), th2)
	// The average: x̄₁ = θ₁, x̄₂ = (1 − 9/10)·θ₁ + (9/10)·θ₂ (γ = 8).
	if err := SwapAveraged(o); err != nil {
		t.Fatal(err)
	}
	avg := make([]float64, 3)
	for i := range avg {
		avg[i] = 0.1*th1[i] + 0.9*th2[i]
	}
	checkValues(t, "dog average", p.Value.Data(), avg)
	if err := SwapAveraged(o); err != nil {
		t.Fatal(err)
	}
	checkValues(t, "dog swapped back", p.Value.Data(), th2)
	sgd, _ := NewSGD([]*autodiff.Var{p}, DefaultSGD())
	if err := SwapAveraged(sgd); !errors.Is(err, ErrNoAverage) {
		t.Errorf("SwapAveraged(sgd) = %v", err)
	}
}

func TestDoGFirstStepAndGrowth(t *testing.T) {
	for _, layer := range []bool{false, true} {
		ps := []*autodiff.Var{g34Param(0.5, -1), g34Param(2)}
		cfg := DefaultDoG()
		mk := NewDoG
		if layer {
			mk = NewLDoG
		}
		o, _ := mk(ps, cfg)
		g34SetGrad(ps[0], 1, 1)
		g34SetGrad(ps[1], 1)
		prev := []float64{0.5, -1, 2}
		var steps []float64
		for k := range 40 {
			o.Step()
			step := prev[0] - float64(ps[0].Value.Data()[0])
			steps = append(steps, step)
			if k == 0 {
				var want float64
				if layer { // r_ε of the first tensor: 1e-6·(1 + √1.25), G = 2 + ε
					want = 1e-6 * (1 + math.Sqrt(1.25)) / math.Sqrt(2+1e-8)
				} else { // ‖θ₀‖ = √5.25, ‖g₀‖² = 3
					want = 1e-6 * (1 + math.Sqrt(5.25)) / math.Sqrt(3+1e-8)
				}
				if !near(step, want, 0, 2*ulp32(0.5)) { // θ is float32 near 0.5
					t.Errorf("layerwise=%v: first step %.9g, want %.9g", layer, step, want)
				}
			}
			prev[0] = float64(ps[0].Value.Data()[0])
		}
		// With a fixed direction the distance grows, so the step size grows.
		if !(steps[39] > 100*steps[0]) {
			t.Errorf("layerwise=%v: step sizes %g … %g do not grow", layer, steps[0], steps[39])
		}
	}
}

func TestSPSKaczmarz(t *testing.T) {
	for _, c := range []float64{0.5, 1} {
		w := g34Param(0, 0, 0)
		q := &g34LSQ{w: w, a: [][]float64{{1, 2, 2}}, y: []float64{1}}
		o, _ := NewSPS([]*autodiff.Var{w}, SPSConfig{C: c, MaxLR: 100})
		q.Gradient()
		o.StepWith(q)
		// γ = ½r²/(c·r²·‖a‖²) = 1/(2c·9); θ = γ·a (r = −1).
		gm := 1 / (2 * c * 9)
		checkValues(t, "sps", w.Value.Data(), []float64{gm, 2 * gm, 2 * gm})
		var r float64 = -1
		for j, x := range q.a[0] {
			r += x * float64(w.Value.Data()[j])
		}
		want := map[float64]float64{0.5: 0, 1: -0.5}[c]
		if !near(r, want, 0, 1e-6) {
			t.Errorf("c=%v: residual %g, want %g", c, r, want)
		}
	}
}

func TestPSPSDiagonalQuadratic(t *testing.T) {
	// Hutchinson is exact on a diagonal Hessian: D = h, q = Σ h x² = 2f,
	// so γ = ½ and θ₁ = θ₀ − ½·g/h = θ₀/2.
	p := g34Param(1, -2, 4)
	q := &quadObjective{p: p, h: []float32{1e-2, 1, 1e2}}
	cfg := DefaultPSPS()
	cfg.InitSamples = 3
	o, err := NewPSPS([]*autodiff.Var{p}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	q.Gradient()
	o.StepWith(q)
	checkValues(t, "psps step 1", p.Value.Data(), []float64{0.5, -1, 2})
	q.Gradient()
	o.StepWith(q)
	checkValues(t, "psps step 2", p.Value.Data(), []float64{0.25, -0.5, 1})
}

func TestAdaGradNormHandAndScaleFree(t *testing.T) {
	p := g34Param(1, 2, 3)
	o, _ := NewAdaGradNorm([]*autodiff.Var{p}, AdaGradNormConfig{LR: 0.5})
	g34SetGrad(p, 3, 0, 4) // b² = 25
	o.Step()
	g34SetGrad(p, 0, 12, 0) // b² = 169
	o.Step()
	checkValues(t, "adagrad-norm", p.Value.Data(), []float64{1 - 0.5*3/5.0, 2 - 0.5*12/13.0, 3 - 0.5*4/5.0})
	// b₀ = 0: multiplying the loss by 1000 leaves the iterates unchanged.
	run := func(scale float32) []float32 {
		x := autodiff.NewParam("x", tensor.Full(1, 16))
		h := quadCurv(16, 1e-2, 1e2)
		q := &quadObjective{p: x, h: h}
		for i := range q.h {
			q.h[i] *= scale
		}
		o, _ := NewAdaGradNorm([]*autodiff.Var{x}, AdaGradNormConfig{LR: 0.3})
		for range 50 {
			q.Gradient()
			o.Step()
		}
		return x.Value.Data()
	}
	a, b := run(1), run(1000)
	for i := range a {
		if !near(float64(b[i]), float64(a[i]), 1e-4, 1e-6) {
			t.Errorf("scale invariance: x[%d] = %g vs %g", i, a[i], b[i])
		}
	}
}

func TestSMBArmijoIsSGD(t *testing.T) {
	h := []float32{0.5, 1, 2}
	p, ps := g34Param(1, -2, 4), g34Param(1, -2, 4)
	q, qs := &quadObjective{p: p, h: h}, &quadObjective{p: ps, h: h}
	o, _ := NewSMB([]*autodiff.Var{p}, SMBConfig{LR: 0.1, Eta: 0.99, C: 0.1})
	os, _ := NewSGD([]*autodiff.Var{ps}, SGDConfig{LR: 0.1})
	for range 5 {
		q.Gradient()
		o.StepWith(q)
		qs.Gradient()
		os.Step()
		for i, v := range p.Value.Data() {
			if v != ps.Value.Data()[i] {
				t.Fatalf("smb %v, sgd %v", p.Value.Data(), ps.Value.Data())
			}
		}
	}
	// A rejected trial (α too long) takes a model step that still descends.
	p2 := g34Param(1, -2, 4)
	q2 := &quadObjective{p: p2, h: h}
	o2, _ := NewSMB([]*autodiff.Var{p2}, SMBConfig{LR: 5, Eta: 0.99, C: 0.1})
	f0 := q2.Gradient()
	o2.StepWith(q2)
	if f1 := q2.Loss(); !(f1 < f0) {
		t.Errorf("smb model step: f %g -> %g", f0, f1)
	}
}

func TestAdAdaGradNormTest(t *testing.T) {
	mk := func(rows [][]float64) (*Optimizer, *g34LSQ) {
		w := g34Param(0, 0)
		y := make([]float64, len(rows))
		for i := range y {
			y[i] = 1
		}
		q := &g34LSQ{w: w, a: rows, y: y}
		o, _ := NewAdAdaGrad([]*autodiff.Var{w}, DefaultAdAdaGrad())
		return o, q
	}
	same := make([][]float64, 8)
	for i := range same {
		same[i] = []float64{1, 2}
	}
	o, q := mk(same)
	for range 10 {
		q.Gradient()
		o.StepWith(q)
		if b, ok := NormTestBatchSize(o); !ok || b != 8 {
			t.Fatalf("noise-free: batch size %d %v, want 8", b, ok)
		}
	}
	rng := tensor.NewRNG(3)
	noisy := make([][]float64, 8)
	for i := range noisy {
		noisy[i] = []float64{rng.NormFloat64(), rng.NormFloat64()}
	}
	o, q = mk(noisy)
	last := 0
	for range 30 {
		q.Gradient()
		o.StepWith(q)
		b, _ := NormTestBatchSize(o)
		if b < last {
			t.Fatalf("batch size decreased %d -> %d", last, b)
		}
		last = b
	}
	if last <= 8 {
		t.Errorf("noisy gradients near the optimum: batch size %d, want growth", last)
	}
}

func TestAISARAHNewtonOnQuadratic(t *testing.T) {
	// ξ(α) = ‖g − α·H·g‖² at the first step (v = g): the minimizer is
	// gᵀHg/‖Hg‖², and θ₁ = θ₀ − α·g.
	h := []float64{0.5, 1, 2}
	p := g34Param(1, -2, 4)
	q := &quadObjective{p: p, h: []float32{0.5, 1, 2}}
	// A small finite-difference step: ξ is quadratic, so only rounding
	// separates the estimate from the exact Newton step.
	o, _ := NewAISARAH([]*autodiff.Var{p}, AISARAHConfig{FDStep: 1e-2})
	q.Gradient()
	o.StepWith(q)
	x := []float64{1, -2, 4}
	var ghg, hg2 float64
	for i := range x {
		g := h[i] * x[i]
		ghg += g * h[i] * g
		hg2 += h[i] * g * h[i] * g
	}
	a := ghg / hg2
	want := make([]float64, 3)
	for i := range x {
		want[i] = x[i] - a*h[i]*x[i]
	}
	for i, v := range p.Value.Data() {
		if !near(float64(v), want[i], 1e-3, 1e-5) {
			t.Errorf("ai-sarah θ₁[%d] = %g, want %g", i, v, want[i])
		}
	}
}

func TestLookahead(t *testing.T) {
	// α = 1 is exactly the base optimizer.
	pa, pb := newParams(3, 7), newParams(3, 7)
	base, _ := NewAdam(pa, DefaultAdam())
	base.SetFused(false)
	ref, _ := NewAdam(pb, DefaultAdam())
	la, _ := NewLookahead(base, 3, 1)
	for s := range 10 {
		fillGrads(pa, 1, s)
		fillGrads(pb, 1, s)
		la.Step()
		ref.Step()
	}
	if !tensorEqual(pa[0].Value, pb[0].Value) {
		t.Error("lookahead α=1 differs from the base")
	}
	// Hand: SGD η = 0.1, k = 2, α = 0.5.
	p := g34Param(1, 2, 3)
	sgd, _ := NewSGD([]*autodiff.Var{p}, SGDConfig{LR: 0.1})
	o, _ := NewLookahead(sgd, 2, 0.5)
	g34SetGrad(p, 1, -1, 2)
	o.Step()
	checkValues(t, "lookahead fast", p.Value.Data(), []float64{0.9, 2.1, 2.8})
	g34SetGrad(p, 1, 1, 1)
	o.Step() // fast (0.8, 2.0, 2.7); φ = θ₀ + ½(fast − θ₀)
	checkValues(t, "lookahead sync", p.Value.Data(), []float64{0.9, 2.0, 2.85})
}

func TestSAMOneDimension(t *testing.T) {
	for _, unnorm := range []bool{false, true} {
		const h, rho, x0 = 3.0, 0.05, -2.0
		p := g34Param(x0)
		q := &quadObjective{p: p, h: []float32{h}}
		sgd, _ := NewSGD([]*autodiff.Var{p}, SGDConfig{LR: 0.1})
		pre := SAM(rho)
		want := h * (x0 + rho*math.Copysign(1, x0))
		if unnorm {
			pre = USAM(rho)
			want = h * (x0 + rho*h*x0)
		}
		o, _ := NewWrapped("sam", sgd, pre, nil)
		q.Gradient()
		o.StepWith(q)
		checkValues(t, "sam", p.Value.Data(), []float64{x0 - 0.1*want})
	}
	// ρ = 0 is exactly the base.
	pa, pb := g34Param(1, -2, 4), g34Param(1, -2, 4)
	h := []float32{0.5, 1, 2}
	qa, qb := &quadObjective{p: pa, h: h}, &quadObjective{p: pb, h: h}
	a, _ := NewAdam([]*autodiff.Var{pa}, DefaultAdam())
	oa, _ := NewWrapped("sam", a, SAM(0), nil)
	ob, _ := NewAdam([]*autodiff.Var{pb}, DefaultAdam())
	for range 5 {
		qa.Gradient()
		oa.StepWith(qa)
		qb.Gradient()
		ob.StepWith(qb)
	}
	if !tensorEqual(pa.Value, pb.Value) {
		t.Errorf("sam ρ=0 %v, adam %v", pa.Value.Data(), pb.Value.Data())
	}
}

func TestGAMReducesToSAM(t *testing.T) {
	pa, pb := g34Param(1, -2, 4), g34Param(1, -2, 4)
	ha := []float32{0.5, 1, 2}
	qa, qb := &g34Rosen3{quadObjective{p: pa, h: ha}}, &g34Rosen3{quadObjective{p: pb, h: ha}}
	sa, _ := NewSGD([]*autodiff.Var{pa}, SGDConfig{LR: 0.1})
	sb, _ := NewSGD([]*autodiff.Var{pb}, SGDConfig{LR: 0.1})
	c := DefaultGAM()
	c.Gamma, c.Beta1, c.Beta3 = 0, 1, 0
	oa, _ := NewWrapped("gam", sa, GAM(c), nil)
	ob, _ := NewWrapped("sam", sb, SAM(c.Rho), nil)
	for range 5 {
		qa.Gradient()
		oa.StepWith(qa)
		qb.Gradient()
		ob.StepWith(qb)
	}
	for i, v := range pa.Value.Data() {
		if !near(float64(v), float64(pb.Value.Data()[i]), 1e-6, 1e-7) {
			t.Errorf("gam %v, sam %v", pa.Value.Data(), pb.Value.Data())
		}
	}
}

// g34Rosen3 is a non-quadratic objective f = ½Σ h x² + ¼Σ x⁴ (so SAM's
// perturbation matters beyond a linear map).
type g34Rosen3 struct{ quadObjective }

func (q *g34Rosen3) Loss() float32 {
	s := q.quadObjective.Loss()
	for _, v := range q.p.Value.Data() {
		s += 0.25 * v * v * v * v
	}
	return s
}
func (q *g34Rosen3) Gradient() float32 {
	q.quadObjective.Gradient()
	for i, v := range q.p.Value.Data() {
		q.p.Grad.Data()[i] += v * v * v
	}
	return q.Loss()
}

func TestGradRegFDAndFlooding(t *testing.T) {
	// On ½xᵀAx (A diagonal): ∇L_GR = (I + γA)·Ax exactly.
	const gamma, eps = 0.3, 0.1
	p := g34Param(1, -2, 4)
	q := &quadObjective{p: p, h: []float32{0.5, 1, 2}}
	sgd, _ := NewSGD([]*autodiff.Var{p}, SGDConfig{LR: 0.1})
	o, _ := NewWrapped("gr-fd", sgd, GradRegFD(gamma, eps), nil)
	q.Gradient()
	o.StepWith(q)
	want := make([]float64, 3)
	for i, x := range []float64{1, -2, 4} {
		a := []float64{0.5, 1, 2}[i]
		want[i] = x - 0.1*(1+gamma*a)*a*x
	}
	for i, v := range p.Value.Data() {
		if !near(float64(v), want[i], 1e-5, 1e-6) {
			t.Errorf("gr-fd θ[%d] = %g, want %g", i, v, want[i])
		}
	}
	// Flooding: below the level b the step ascends.
	for _, b := range []float64{0, 100} {
		p := g34Param(1, -2, 4)
		q := &quadObjective{p: p, h: []float32{0.5, 1, 2}} // f = 18.25
		sgd, _ := NewSGD([]*autodiff.Var{p}, SGDConfig{LR: 0.1})
		o, _ := NewWrapped("flooding", sgd, Flooding(b), nil)
		q.Gradient()
		o.StepWith(q)
		sign := 1.0
		if b > 18.25 {
			sign = -1
		}
		checkValues(t, "flooding", p.Value.Data(), []float64{1 - sign*0.05, -2 + sign*0.2, 4 - sign*0.8})
	}
}

func TestWeightClipBound(t *testing.T) {
	ps := newParams(5, 50, 7)
	sgd, _ := NewSGD(ps, SGDConfig{LR: 0.37, Momentum: 0.9})
	const c = 0.0137
	o, _ := NewWrapped("weight-clip", sgd, nil, WeightClip(c))
	for s := range 20 {
		fillGrads(ps, 2, s)
		o.Step()
		for _, p := range ps {
			for _, v := range p.Value.Data() {
				if v > c || v < -c {
					t.Fatalf("step %d: |θ| = %v > %v", s, v, float32(c))
				}
			}
		}
	}
}
