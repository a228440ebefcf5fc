package optim

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// g2Func is an Objective over an autodiff.Func: gradients and HVPs come
// from the tape (autodiff.Grad, autodiff.HVP).
type g2Func struct {
	ps []*autodiff.Var
	f  autodiff.Func
}

func (o *g2Func) Params() []*autodiff.Var { return o.ps }
func (o *g2Func) Loss() float32 {
	v, _ := autodiff.Grad(o.f, o.ps)
	return v
}
func (o *g2Func) Gradient() float32 {
	v, gs := autodiff.Grad(o.f, o.ps)
	for i, p := range o.ps {
		if p.Grad == nil {
			p.Grad = tensor.New(p.Value.Shape()...)
		}
		p.Grad.CopyFrom(gs[i])
	}
	return v
}
func (o *g2Func) HVP(v []*tensor.Tensor) []*tensor.Tensor {
	vs := make([]*tensor.Tensor, len(o.ps))
	for i, p := range o.ps {
		if i < len(v) && v[i] != nil {
			vs[i] = v[i]
		} else {
			vs[i] = tensor.New(p.Value.Shape()...)
		}
	}
	_, hv := autodiff.HVP(o.f, o.ps, vs)
	return hv
}

// g2Quadratic is f(x) = ½ Σ h_i x_i² on the tape.
func g2Quadratic(x *autodiff.Var, h []float32) *g2Func {
	hc := autodiff.Const(tensor.FromSlice(h, len(h)))
	return &g2Func{ps: []*autodiff.Var{x}, f: func(tp *autodiff.Tape) *autodiff.Var {
		return autodiff.Scale(autodiff.Sum(autodiff.Mul(hc, autodiff.Square(tp.Bind(x)))), 0.5)
	}}
}

// g2Rosenbrock is f(x, y) = (1−x)² + 100·(y−x²)² on the tape.
func g2Rosenbrock(x, y *autodiff.Var) *g2Func {
	return &g2Func{ps: []*autodiff.Var{x, y}, f: func(tp *autodiff.Tape) *autodiff.Var {
		xb, yb := tp.Bind(x), tp.Bind(y)
		a := autodiff.Square(autodiff.AddScalar(autodiff.Neg(xb), 1))
		b := autodiff.Square(autodiff.Sub(yb, autodiff.Square(xb)))
		return autodiff.Sum(autodiff.Add(a, autodiff.Scale(b, 100)))
	}}
}

// g2Sampler is quadObjective plus a LabelSampler whose "sampled
// gradient" is ĝ = c ⊙ θ, for hand-computed Sophia-G steps.
type g2Sampler struct {
	quadObjective
	c     []float32
	batch int
	calls int
}

func (q *g2Sampler) SampledGradient(*rand.Rand) float32 {
	q.calls++
	for i, v := range q.p.Value.Data() {
		q.p.Grad.Data()[i] = q.c[i] * v
	}
	return 0
}
func (q *g2Sampler) BatchSize() int { return q.batch }

// g2Steps runs steps StepWith calls on obj (gradient refreshed before
// each) and returns θ after each.
func g2Steps(t *testing.T, o *Optimizer, obj Objective, steps int) [][]float32 {
	t.Helper()
	var out [][]float32
	for range steps {
		obj.Gradient()
		o.StepWith(obj)
		out = append(out, slices.Clone(obj.Params()[0].Value.Data()))
	}
	return out
}

func g2Check(t *testing.T, name string, got [][]float32, want [][]float64, rel float64) {
	t.Helper()
	for s := range want {
		for i := range want[s] {
			if !near(float64(got[s][i]), want[s][i], rel, 1e-7) {
				t.Errorf("%s step %d: θ[%d] = %.9g, want %.9g", name, s+1, i, got[s][i], want[s][i])
			}
		}
	}
}

var (
	g2Theta = []float32{1, -2, 0.5}
	g2H     = []float32{0.5, 2, 8}
)

func g2QuadParam() (*autodiff.Var, *quadObjective) {
	p := autodiff.NewParam("w", tensor.FromSlice(slices.Clone(g2Theta), 3))
	return p, &quadObjective{p: p, h: g2H}
}

// TestAdaHessianHand: on ½Σ h_i θ_i² the Hutchinson estimate is exact,
// D = |h|; three steps written out in float64.
func TestAdaHessianHand(t *testing.T) {
	p, q := g2QuadParam()
	cfg := AdaHessianConfig{LR: 0.15, Beta1: 0.9, Beta2: 0.999, Eps: 1e-4, WeightDecay: 0.01, HessianPower: 0.5}
	o, err := NewAdaHessian([]*autodiff.Var{p}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := g2Steps(t, o, q, 3)
	th, m, v := f64s(g2Theta), make([]float64, 3), make([]float64, 3)
	var want [][]float64
	for s := 1; s <= 3; s++ {
		bc1, bc2 := 1-math.Pow(0.9, float64(s)), 1-math.Pow(0.999, float64(s))
		for i := range th {
			h := float64(g2H[i])
			g := h * th[i]
			m[i] = 0.9*m[i] + 0.1*g
			v[i] = 0.999*v[i] + 0.001*h*h
			den := math.Pow(math.Sqrt(v[i])/math.Sqrt(bc2), 0.5) + 1e-4
			th[i] -= 0.15 * (m[i]/bc1/den + 0.01*th[i])
		}
		want = append(want, slices.Clone(th))
	}
	g2Check(t, "adahessian", got, want, 2e-6)
}

// TestAdaHessianNewtonStep is METHODS.md 2.2's test: with k = 1, η = 1
// and ε = 0 the first step lands on the minimum of a separable quadratic.
func TestAdaHessianNewtonStep(t *testing.T) {
	p, q := g2QuadParam()
	o, err := NewAdaHessian([]*autodiff.Var{p}, AdaHessianConfig{LR: 1, Beta1: 0.9, Beta2: 0.999, HessianPower: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := g2Steps(t, o, q, 1)
	for i, x := range got[0] {
		if math.Abs(float64(x)) > 1e-6 {
			t.Errorf("θ[%d] = %g after one step, want 0", i, x)
		}
	}
}

// TestHutchinsonExactDiagonal: z ⊙ Hz = diag(H) for every Rademacher z
// when H is diagonal (METHODS.md 0.3), here through autodiff's HVP.
func TestHutchinsonExactDiagonal(t *testing.T) {
	h := quadCurv(37, 1e-3, 1e3)
	x := autodiff.NewParam("x", tensor.Full(0.3, 37))
	obj := g2Quadratic(x, h)
	slots := []Slot{{Name: "x", U: make([]float32, 37), P: x.Value.Data(), Obj: obj, Step: 1}}
	r := newProbeRNG()
	tr := ScaleByAdaHessian(0.9, 0.999, 0, 1, 0)
	for step := 1; step <= 5; step++ {
		z, hz := hutchinson(tr, obj, slots, r.at(7, step, 0))
		plus := 0
		for j := range h {
			if z[0][j] != 1 && z[0][j] != -1 {
				t.Fatalf("z[%d] = %v, not ±1", j, z[0][j])
			}
			if z[0][j] == 1 {
				plus++
			}
			if got := z[0][j] * hz[0][j]; !near(float64(got), float64(h[j]), 1e-6, 0) {
				t.Errorf("step %d: (z ⊙ Hz)[%d] = %g, want %g", step, j, got, h[j])
			}
		}
		if plus == 0 || plus == 37 {
			t.Errorf("step %d: z is constant", step)
		}
	}
}

// TestSpatialAverage checks AdaHessian's averaging blocks by shape.
func TestSpatialAverage(t *testing.T) {
	d := []float32{1, 2, 3, 4, 5, 6}
	spatialAverage(d, []int{2, 3})
	checkValues(t, "2-D", d, []float64{2, 2, 2, 5, 5, 5})
	d = []float32{1, 2, 3, 4, 5, 6, 7, 8}
	spatialAverage(d, []int{2, 1, 2, 2})
	checkValues(t, "4-D", d, []float64{2.5, 2.5, 2.5, 2.5, 6.5, 6.5, 6.5, 6.5})
	d = []float32{1, 2, 3}
	spatialAverage(d, []int{3})
	checkValues(t, "1-D", d, []float64{1, 2, 3})
}

// TestSophiaHHand: three Sophia-H steps with k = 2 (refreshes at steps 1
// and 3), the Hutchinson estimate exact (h diagonal).
func TestSophiaHHand(t *testing.T) {
	p, q := g2QuadParam()
	cfg := SophiaHConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.99, Gamma: 0.5, Eps: 1e-3, Clip: 1, K: 2, WeightDecay: 0.1}
	o, err := NewSophiaH([]*autodiff.Var{p}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := g2Steps(t, o, q, 3)
	th, m, hh := f64s(g2Theta), make([]float64, 3), make([]float64, 3)
	var want [][]float64
	for s := 1; s <= 3; s++ {
		for i := range th {
			h := float64(g2H[i])
			if s != 2 {
				hh[i] = 0.99*hh[i] + 0.01*h
			}
			m[i] = 0.9*m[i] + 0.1*h*th[i]
			u := m[i] / (1 - math.Pow(0.9, float64(s))) / math.Max(0.5*hh[i], 1e-3)
			u = math.Max(-1, math.Min(1, u))
			th[i] -= 0.1 * (u + 0.1*th[i])
		}
		want = append(want, slices.Clone(th))
	}
	g2Check(t, "sophia-h", got, want, 2e-6)
}

// TestSophiaGHand: four Sophia-G steps with k = 2: h is zero for steps 1
// and 2 (sign steps), refreshed before step 3 from ĝ = c ⊙ θ.
func TestSophiaGHand(t *testing.T) {
	p, q := g2QuadParam()
	c := []float32{3, 0.5, 0.01}
	obj := &g2Sampler{quadObjective: *q, c: c, batch: 4}
	cfg := SophiaGConfig{LR: 0.05, Beta1: 0.9, Beta2: 0.99, Rho: 0.5, WeightDecay: 0.1, K: 2, BatchSize: 1000}
	o, err := NewSophiaG([]*autodiff.Var{p}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := g2Steps(t, o, obj, 4)
	if obj.calls != 1 {
		t.Errorf("SampledGradient called %d times in 4 steps with k = 2, want 1", obj.calls)
	}
	th, m, hh := f64s(g2Theta), make([]float64, 3), make([]float64, 3)
	var want [][]float64
	for s := 1; s <= 4; s++ {
		g := make([]float64, 3)
		for i := range th {
			g[i] = float64(g2H[i]) * th[i]
		}
		if s == 3 {
			for i := range th {
				gh := float64(c[i]) * th[i]
				hh[i] = 0.99*hh[i] + 0.01*gh*gh
			}
		}
		for i := range th {
			th[i] *= 1 - 0.05*0.1
			m[i] = 0.9*m[i] + 0.1*g[i]
			r := math.Min(math.Abs(m[i])/(0.5*4*hh[i]+1e-15), 1)
			th[i] -= 0.05 * math.Copysign(r, m[i])
		}
		want = append(want, slices.Clone(th))
	}
	g2Check(t, "sophia-g", got, want, 2e-6)
}

// TestSophiaClip: no coordinate of a Sophia step moves by more than η
// (METHODS.md 2.3), on gradients far larger than the curvature.
func TestSophiaClip(t *testing.T) {
	for _, mk := range []func([]*autodiff.Var) (*Optimizer, error){
		func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultSophiaH()
			c.LR = 0.01
			return NewSophiaH(ps, c)
		},
		func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultSophiaG()
			c.LR, c.WeightDecay, c.K = 0.01, 0, 1
			return NewSophiaG(ps, c)
		},
	} {
		p := autodiff.NewParam("w", tensor.FromSlice([]float32{100, -300, 7, 0.001}, 4))
		q := &g2Sampler{quadObjective: quadObjective{p: p, h: []float32{1e-3, 1e-2, 50, 1}}, c: []float32{1e-4, 1e-4, 1, 1}, batch: 1}
		o, err := mk([]*autodiff.Var{p})
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			before := slices.Clone(p.Value.Data())
			q.Gradient()
			o.StepWith(q)
			for i, x := range p.Value.Data() {
				if d := math.Abs(float64(x) - float64(before[i])); d > 0.01*(1+1e-6)+ulp32(before[i]) {
					t.Errorf("%s: θ[%d] moved %g > η", o.Name(), i, d)
				}
			}
		}
	}
}

type g2Case struct {
	name  string
	mk    func([]*autodiff.Var) (*Optimizer, error)
	steps int
	gnb   bool // give the objective a Gauss–Newton–Bartlett sampler (Sophia-G)
}

func g2Converge(t *testing.T, cases []g2Case) {
	for _, tc := range cases {
		t.Run("quadratic/"+tc.name, func(t *testing.T) {
			const n = 16
			x := autodiff.NewParam("x", tensor.Full(1, n))
			h := quadCurv(n, 1e-2, 1e2)
			var obj Objective = g2Quadratic(x, h)
			if tc.gnb {
				obj = g2WithGNB(obj.(*g2Func), h)
			}
			o, err := tc.mk([]*autodiff.Var{x})
			if err != nil {
				t.Fatal(err)
			}
			f0 := obj.Loss()
			for range tc.steps {
				obj.Gradient()
				o.StepWith(obj)
			}
			f := obj.Loss()
			t.Logf("f %g -> %g", f0, f)
			if !(f < 1e-4*f0) {
				t.Errorf("f = %g after %d steps, want < %g", f, tc.steps, 1e-4*f0)
			}
		})
		t.Run("rosenbrock/"+tc.name, func(t *testing.T) {
			x := autodiff.NewParam("x", tensor.Full(-1, 1))
			y := autodiff.NewParam("y", tensor.Full(1, 1))
			var obj Objective = g2Rosenbrock(x, y)
			if tc.gnb {
				obj = g2WithGNB(obj.(*g2Func), nil)
			}
			o, err := tc.mk([]*autodiff.Var{x, y})
			if err != nil {
				t.Fatal(err)
			}
			for range tc.steps {
				obj.Gradient()
				o.StepWith(obj)
			}
			t.Logf("(x, y) = (%g, %g), f = %g", x.Item(), y.Item(), obj.Loss())
			if !(math.Abs(float64(x.Item())-1) < 1e-2 && math.Abs(float64(y.Item())-1) < 2e-2) {
				t.Errorf("ended at (%g, %g), want (1, 1)", x.Item(), y.Item())
			}
		})
	}
}

// g2RoundTrip runs k StepWith steps on the quadratic, saves the state,
// loads it into a new optimizer over a copy of the parameter, runs more
// steps on both and requires bit-identical parameters.
func g2RoundTrip(t *testing.T, name string, mk func([]*autodiff.Var) (*Optimizer, error)) {
	t.Helper()
	const k, more = 5, 7
	h := quadCurv(6, 0.1, 10)
	x := autodiff.NewParam("x", tensor.FromSlice([]float32{1, -2, 0.5, 3, -1, 2}, 6))
	o, err := mk([]*autodiff.Var{x})
	if err != nil {
		t.Fatal(err)
	}
	obj := g2Quadratic(x, h)
	for range k {
		obj.Gradient()
		o.StepWith(obj)
	}
	st, err := o.State()
	if err != nil {
		t.Fatal(err)
	}
	x2 := autodiff.NewParam("x", x.Value.Clone())
	o2, err := mk([]*autodiff.Var{x2})
	if err != nil {
		t.Fatal(err)
	}
	if err := o2.LoadState(st); err != nil {
		t.Fatal(err)
	}
	obj2 := g2Quadratic(x2, h)
	for range more {
		obj.Gradient()
		o.StepWith(obj)
		obj2.Gradient()
		o2.StepWith(obj2)
	}
	if !slices.Equal(x.Value.Data(), x2.Value.Data()) {
		t.Errorf("%s: resumed run %v, uninterrupted %v", name, x2.Value.Data(), x.Value.Data())
	}
}

// g2Rejects requires every config to fail with a *HyperparameterError
// naming the hyperparameter.
func g2Rejects(t *testing.T, opt string, bad map[string]func() error) {
	t.Helper()
	for name, f := range bad {
		err := f()
		var he *HyperparameterError
		if !errors.As(err, &he) || he.Name != name || he.Optimizer != opt {
			t.Errorf("%s: bad %s: error %v, want a *HyperparameterError naming it", opt, name, err)
		}
	}
}
