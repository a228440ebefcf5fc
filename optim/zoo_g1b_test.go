package optim

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// Shared tests of the g1b optimizers (MARS, Grams, FAdam, diffGrad,
// EXAdam, AdamW-SN, XGrad, SGDM-RS, Gravity): convergence, checkpoint
// round trip, validation, registry, benchmarks. The hand-computed steps
// and reduction identities live in each method's own test file.

// g1bRun steps the optimizer made by mk on one parameter "w" of the given
// shape holding theta, with gradient grads[s] at step s, and returns θ
// after each step. With h non-nil it steps with StepWith over the
// quadratic objective ½Σ h_i θ_i², refreshing the gradient at θ first,
// and grads is ignored (its length sets the number of steps).
func g1bRun(t *testing.T, mk func([]*autodiff.Var) (*Optimizer, error), theta []float32, shape []int,
	grads [][]float32, h []float32) [][]float32 {
	t.Helper()
	p := autodiff.NewParam("w", tensor.FromSlice(append([]float32(nil), theta...), shape...))
	o, err := mk([]*autodiff.Var{p})
	if err != nil {
		t.Fatal(err)
	}
	q := &quadObjective{p: p, h: h}
	var out [][]float32
	for _, g := range grads {
		if h != nil {
			q.Gradient()
			o.StepWith(q)
		} else {
			p.Grad = tensor.FromSlice(append([]float32(nil), g...), shape...)
			o.Step()
		}
		out = append(out, append([]float32(nil), p.Value.Data()...))
	}
	return out
}

// g1bCheck compares the steps of g1bRun with float64 expectations within
// rel·|want| + 1e-9.
func g1bCheck(t *testing.T, what string, got [][]float32, want [][]float64, rel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d steps, want %d", what, len(got), len(want))
	}
	for s := range want {
		for i := range want[s] {
			if !near(float64(got[s][i]), want[s][i], rel, 1e-9) {
				t.Errorf("%s: step %d: θ[%d] = %.9g, want %.9g", what, s+1, i, got[s][i], want[s][i])
			}
		}
	}
}

// g1bSign is sign with sign(0) = 0.
func g1bSign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// g1bScaled returns the hand gradients times k.
func g1bScaled(k float32) [][]float32 {
	out := make([][]float32, len(handGrads))
	for s, g := range handGrads {
		for _, x := range g {
			out[s] = append(out[s], k*x)
		}
	}
	return out
}

type g1bCase struct {
	name string
	mk   func([]*autodiff.Var) (*Optimizer, error)
}

// g1bCases are the g1b optimizers in the settings the shared tests use.
var g1bCases = []g1bCase{
	{"mars", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultMARS()
		c.WeightDecay = 0.01
		return NewMARS(ps, c)
	}},
	{"grams", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultGrams()
		c.WeightDecay = 0.01
		return NewGrams(ps, c)
	}},
	{"fadam", func(ps []*autodiff.Var) (*Optimizer, error) { return NewFAdam(ps, DefaultFAdam()) }},
	{"diffgrad", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultDiffGrad()
		c.WeightDecay = 0.01
		return NewDiffGrad(ps, c)
	}},
	{"exadam", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultEXAdam()
		c.WeightDecay, c.DynamicLR = 1e-4, true
		return NewEXAdam(ps, c)
	}},
	{"adamw-sn", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultAdamWSN()
		c.WeightDecay = 0.01
		return NewAdamWSN(ps, c)
	}},
	{"sgdm-rs", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultSGDMRS()
		c.Mu, c.Seed = 0.1, 7
		return NewSGDMRS(ps, c)
	}},
	{"gravity", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultGravity()
		c.LR, c.Seed = 0.01, 3
		return NewGravity(ps, c)
	}},
}

// g1bObjCases step with StepWith.
var g1bObjCases = []g1bCase{
	{"xgrad", func(ps []*autodiff.Var) (*Optimizer, error) { return NewXGrad(ps, DefaultXGrad()) }},
	{"xgrad-sgdm", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultXGradSGD()
		c.WeightDecay = 0.01
		return NewXGradSGD(ps, c)
	}},
}

// g1bRosen is the Rosenbrock function (1−x)² + 100·(y−x²)² as an
// Objective over one parameter holding (x, y).
type g1bRosen struct{ p *autodiff.Var }

func (r *g1bRosen) Params() []*autodiff.Var { return []*autodiff.Var{r.p} }

func (r *g1bRosen) Loss() float32 {
	d := r.p.Value.Data()
	x, y := float64(d[0]), float64(d[1])
	return float32((1-x)*(1-x) + 100*(y-x*x)*(y-x*x))
}

func (r *g1bRosen) Gradient() float32 {
	if r.p.Grad == nil {
		r.p.Grad = tensor.New(2)
	}
	d, g := r.p.Value.Data(), r.p.Grad.Data()
	x, y := float64(d[0]), float64(d[1])
	g[0] = float32(-2*(1-x) - 400*x*(y-x*x))
	g[1] = float32(200 * (y - x*x))
	return r.Loss()
}

func (r *g1bRosen) HVP(v []*tensor.Tensor) []*tensor.Tensor {
	d, w := r.p.Value.Data(), v[0].Data()
	x, y := float64(d[0]), float64(d[1])
	hxx, hxy, hyy := 2-400*(y-x*x)+800*x*x, -400*x, 200.0
	out := tensor.New(2)
	out.Data()[0] = float32(hxx*float64(w[0]) + hxy*float64(w[1]))
	out.Data()[1] = float32(hxy*float64(w[0]) + hyy*float64(w[1]))
	return []*tensor.Tensor{out}
}

func TestG1bConvergeQuadratic(t *testing.T) {
	const n, steps = 16, 3000
	h := quadCurv(n, 1e-2, 1e2) // condition number 1e4
	cases := []struct {
		name  string
		mk    func([]*autodiff.Var) (*Optimizer, error)
		sched func(o *Optimizer, steps int) Schedule
	}{
		{"mars", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewMARS(ps, MARSConfig{LR: 0.05, Beta1: 0.95, Beta2: 0.99, Eps: 1e-8, Gamma: 0.025,
				LR1D: 0.05, Beta1_1D: 0.9, Beta2_1D: 0.95})
		}, cosineFrom},
		{"grams", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewGrams(ps, GramsConfig{LR: 0.05, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6})
		}, cosineFrom},
		{"fadam", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultFAdam()
			c.LR, c.WeightDecay = 0.05, 0
			return NewFAdam(ps, c)
		}, cosineFrom},
		{"diffgrad", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewDiffGrad(ps, DiffGradConfig{LR: 0.05, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
		}, cosineFrom},
		{"exadam", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewEXAdam(ps, EXAdamConfig{LR: 0.05, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
		}, cosineFrom},
		{"exadam-dynamic", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewEXAdam(ps, EXAdamConfig{LR: 0.02, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, DynamicLR: true})
		}, cosineFrom},
		{"adamw-sn", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewAdamWSN(ps, SubsetNormConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6})
		}, cosineFrom},
		{"sgdm-rs", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewSGDMRS(ps, SGDMRSConfig{LR: 0.002, Beta: 0.9, RandomScaling: true, Seed: 1})
		}, nil},
		{"gravity", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewGravity(ps, GravityConfig{LR: 0.1, Alpha: 0.01, Beta: 0.9})
		}, cosineFrom},
	}
	for _, tc := range cases {
		for _, shape := range [][]int{{n}, {4, 4}} {
			x0 := float32(1)
			if tc.name == "gravity" {
				// Gravity bounds |ζ_i| by 1/(2·max|g|): a gradient of 100
				// moves by about 1e-6, so start where max|g| = 1.
				x0 = 0.01
			}
			x := autodiff.NewParam("x", tensor.Full(x0, shape...))
			hc := autodiff.Const(tensor.FromSlice(h, shape...))
			o, err := tc.mk([]*autodiff.Var{x})
			if err != nil {
				t.Fatal(err)
			}
			var sched Schedule
			if tc.sched != nil {
				sched = tc.sched(o, steps)
			}
			tp := autodiff.NewTape()
			f0 := quadratic(tp, x, hc)
			for range steps {
				if sched != nil {
					o.SetLR(sched.LR(o.Steps()))
				}
				o.ZeroGrad()
				quadratic(tp, x, hc)
				o.Step()
			}
			f := quadratic(tp, x, hc)
			t.Logf("%s %v: f %g -> %g", tc.name, shape, f0, f)
			if !(f < 1e-4*f0) {
				t.Errorf("%s %v: f = %g after %d steps, want < %g", tc.name, shape, f, steps, 1e-4*f0)
			}
		}
	}
	for _, tc := range []g1bCase{
		{"xgrad", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewXGrad(ps, XGradConfig{LR: 0.05, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Steps: 1})
		}},
		{"xgrad-sgdm", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewXGradSGD(ps, XGradSGDConfig{LR: 0.005, Momentum: 0.9, Steps: 1})
		}},
	} {
		x := autodiff.NewParam("x", tensor.Full(1, n))
		q := &quadObjective{p: x, h: h}
		o, err := tc.mk([]*autodiff.Var{x})
		if err != nil {
			t.Fatal(err)
		}
		sched := cosineFrom(o, steps)
		f0 := q.Loss()
		for range steps {
			o.SetLR(sched.LR(o.Steps()))
			q.Gradient()
			o.StepWith(q)
		}
		f := q.Loss()
		t.Logf("%s: f %g -> %g", tc.name, f0, f)
		if !(f < 1e-4*f0) {
			t.Errorf("%s: f = %g after %d steps, want < %g", tc.name, f, steps, 1e-4*f0)
		}
	}
}

func TestG1bConvergeRosenbrock(t *testing.T) {
	const steps = 10000
	cases := []struct {
		name  string
		mk    func([]*autodiff.Var) (*Optimizer, error)
		sched func(o *Optimizer, steps int) Schedule
	}{
		{"mars", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewMARS(ps, MARSConfig{LR: 0.01, Beta1: 0.95, Beta2: 0.99, Eps: 1e-8, Gamma: 0.025,
				Beta1_1D: 0.9, Beta2_1D: 0.95, Optimize1D: true})
		}, cosineFrom},
		{"grams", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewGrams(ps, GramsConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6})
		}, cosineFrom},
		{"fadam", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultFAdam()
			c.LR, c.WeightDecay = 0.01, 0
			return NewFAdam(ps, c)
		}, cosineFrom},
		{"diffgrad", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewDiffGrad(ps, DiffGradConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
		}, cosineFrom},
		{"exadam", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewEXAdam(ps, EXAdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
		}, cosineFrom},
		{"adamw-sn", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewAdamWSN(ps, SubsetNormConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6})
		}, cosineFrom},
		{"sgdm-rs", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewSGDMRS(ps, SGDMRSConfig{LR: 2e-4, Beta: 0.9, RandomScaling: true, Seed: 1})
		}, nil},
		{"gravity", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewGravity(ps, GravityConfig{LR: 0.01, Alpha: 0.01, Beta: 0.9})
		}, cosineFrom},
	}
	for _, tc := range cases {
		x := autodiff.NewParam("x", tensor.Full(-1, 1))
		y := autodiff.NewParam("y", tensor.Full(1, 1))
		o, err := tc.mk([]*autodiff.Var{x, y})
		if err != nil {
			t.Fatal(err)
		}
		var sched Schedule
		if tc.sched != nil {
			sched = tc.sched(o, steps)
		}
		tp := autodiff.NewTape()
		for range steps {
			if sched != nil {
				o.SetLR(sched.LR(o.Steps()))
			}
			o.ZeroGrad()
			rosenbrock(tp, x, y)
			o.Step()
		}
		f := rosenbrock(tp, x, y)
		t.Logf("%s: (x, y) = (%g, %g), f = %g", tc.name, x.Item(), y.Item(), f)
		if !(math.Abs(float64(x.Item())-1) < 1e-2 && math.Abs(float64(y.Item())-1) < 2e-2) {
			t.Errorf("%s: ended at (%g, %g), want (1, 1)", tc.name, x.Item(), y.Item())
		}
	}
	for _, tc := range []g1bCase{
		{"xgrad", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewXGrad(ps, XGradConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Steps: 1})
		}},
		{"xgrad-sgdm", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewXGradSGD(ps, XGradSGDConfig{LR: 1e-3, Momentum: 0.9, Steps: 1})
		}},
	} {
		p := autodiff.NewParam("xy", tensor.FromSlice([]float32{-1, 1}, 2))
		r := &g1bRosen{p: p}
		o, err := tc.mk([]*autodiff.Var{p})
		if err != nil {
			t.Fatal(err)
		}
		sched := cosineFrom(o, steps)
		for range steps {
			o.SetLR(sched.LR(o.Steps()))
			r.Gradient()
			o.StepWith(r)
		}
		d := p.Value.Data()
		t.Logf("%s: (x, y) = (%g, %g), f = %g", tc.name, d[0], d[1], r.Loss())
		if !(math.Abs(float64(d[0])-1) < 1e-2 && math.Abs(float64(d[1])-1) < 2e-2) {
			t.Errorf("%s: ended at (%g, %g), want (1, 1)", tc.name, d[0], d[1])
		}
	}
}

// TestG1bStateRoundTrip saves the state after k steps, loads it into a new
// optimizer over copies of the parameters (a matrix and a vector, one of
// them without gradient for the first steps) and checks that the resumed
// run is bit-identical to the uninterrupted one.
func TestG1bStateRoundTrip(t *testing.T) {
	const k, more = 5, 6
	mkParams := func() []*autodiff.Var {
		rng := tensor.NewRNG(21)
		a := autodiff.NewParam("a", tensor.RandN(rng, 1, 3, 4))
		b := autodiff.NewParam("b", tensor.RandN(rng, 1, 5))
		return []*autodiff.Var{a, b}
	}
	type runner func(o *Optimizer, ps []*autodiff.Var, from, to int)
	plain := func(o *Optimizer, ps []*autodiff.Var, from, to int) {
		for s := from; s < to; s++ {
			for i, p := range ps {
				if i == 1 && s < 3 {
					p.Grad = nil
					continue
				}
				if p.Grad == nil {
					p.Grad = tensor.New(p.Value.Shape()...)
				}
				fillGrads([]*autodiff.Var{p}, uint64(5+i), s)
			}
			o.SetLR(Cosine(0.01, k+more, 0).LR(o.Steps()))
			o.Step()
		}
	}
	withObj := func(o *Optimizer, ps []*autodiff.Var, from, to int) {
		q := &quadObjective{p: ps[0], h: []float32{1, 2, 3, 4, 5, 6, 0.5, 0.25, 1, 2, 3, 4}}
		for s := from; s < to; s++ {
			q.Gradient()
			o.SetLR(Cosine(0.05, k+more, 0).LR(o.Steps()))
			o.StepWith(q)
		}
	}
	all := []struct {
		g1bCase
		run  runner
		only int // use only the first param (objective runs)
	}{}
	for _, c := range g1bCases {
		all = append(all, struct {
			g1bCase
			run  runner
			only int
		}{c, plain, 2})
	}
	for _, c := range g1bObjCases {
		all = append(all, struct {
			g1bCase
			run  runner
			only int
		}{c, withObj, 1})
	}
	for _, tc := range all {
		ref := mkParams()[:tc.only]
		oref, err := tc.mk(ref)
		if err != nil {
			t.Fatal(err)
		}
		tc.run(oref, ref, 0, k)
		snap := cloneParams(ref)
		st, err := oref.State()
		if err != nil {
			t.Fatal(err)
		}
		tc.run(oref, ref, k, k+more)
		o, _ := tc.mk(snap)
		if err := o.LoadState(st); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		tc.run(o, snap, k, k+more)
		for i := range ref {
			if !tensorEqual(ref[i].Value, snap[i].Value) {
				t.Errorf("%s: resumed at %d: %s differs from the uninterrupted run", tc.name, k, ref[i].Name)
			}
		}
	}
}

func TestG1bRejectBadHyperparameters(t *testing.T) {
	ps := newParams(1, 3)
	nan := math.NaN()
	for _, tc := range []struct {
		f    func() error
		want string
	}{
		{func() error { c := DefaultMARS(); c.LR = 0; _, err := NewMARS(ps, c); return err },
			"optim: mars: invalid lr 0: must be in (0, inf)"},
		{func() error { c := DefaultMARS(); c.Gamma = -1; _, err := NewMARS(ps, c); return err },
			"optim: mars: invalid gamma -1: must be finite and >= 0"},
		{func() error { c := DefaultMARS(); c.Beta2_1D = 1; _, err := NewMARS(ps, c); return err },
			"optim: mars: invalid beta2_1d 1: must be in [0, 1)"},
		{func() error { c := DefaultMARS(); c.WeightDecay1D = -0.5; _, err := NewMARS(ps, c); return err },
			"optim: mars: invalid weight_decay_1d -0.5: must be finite and >= 0"},
		{func() error { c := DefaultGrams(); c.Beta1 = 1; _, err := NewGrams(ps, c); return err },
			"optim: grams: invalid beta1 1: must be in [0, 1)"},
		{func() error { c := DefaultFAdam(); c.Clip = 0; _, err := NewFAdam(ps, c); return err },
			"optim: fadam: invalid clip 0: must be in (0, inf)"},
		{func() error { c := DefaultFAdam(); c.P = nan; _, err := NewFAdam(ps, c); return err },
			"optim: fadam: invalid p NaN: must be in (0, inf)"},
		{func() error { c := DefaultDiffGrad(); c.Eps = -1; _, err := NewDiffGrad(ps, c); return err },
			"optim: diffgrad: invalid eps -1: must be finite and >= 0"},
		{func() error { c := DefaultEXAdam(); c.Beta2 = 1.5; _, err := NewEXAdam(ps, c); return err },
			"optim: exadam: invalid beta2 1.5: must be in [0, 1)"},
		{func() error { c := DefaultAdamWSN(); c.LR = -1; _, err := NewAdamWSN(ps, c); return err },
			"optim: adamw-sn: invalid lr -1: must be finite and >= 0"},
		{func() error { c := DefaultXGrad(); c.Steps = -1; _, err := NewXGrad(ps, c); return err },
			"optim: xgrad: invalid steps -1: must be finite and >= 0"},
		{func() error { c := DefaultXGradSGD(); c.Momentum = 1; _, err := NewXGradSGD(ps, c); return err },
			"optim: xgrad-sgdm: invalid momentum 1: must be in [0, 1)"},
		{func() error { c := DefaultSGDMRS(); c.Beta = 1.1; _, err := NewSGDMRS(ps, c); return err },
			"optim: sgdm-rs: invalid beta 1.1: must be in [0, 1]"},
		{func() error { c := DefaultSGDMRS(); c.Mu = -1; _, err := NewSGDMRS(ps, c); return err },
			"optim: sgdm-rs: invalid mu -1: must be finite and >= 0"},
		{func() error { c := DefaultGravity(); c.LR = 0; _, err := NewGravity(ps, c); return err },
			"optim: gravity: invalid lr 0: must be in (0, inf)"},
		{func() error { c := DefaultGravity(); c.Alpha = math.Inf(1); _, err := NewGravity(ps, c); return err },
			"optim: gravity: invalid alpha +Inf: must be finite and >= 0"},
	} {
		err := tc.f()
		var he *HyperparameterError
		if err == nil || err.Error() != tc.want || !errors.Is(err, ErrInvalidHyperparameter) || !errors.As(err, &he) {
			t.Errorf("err = %v, want %q (a *HyperparameterError)", err, tc.want)
		}
	}
}

func TestG1bRegistry(t *testing.T) {
	names := []string{"mars", "grams", "fadam", "diffgrad", "exadam", "adamw-sn", "xgrad", "xgrad-sgdm", "sgdm-rs", "gravity"}
	for _, name := range names {
		d, err := Defaults(name)
		if err != nil {
			t.Fatal(err)
		}
		ps := newParams(1, 4)
		o, err := New(name, ps, 0, -1, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if o.Name() != name || fmt.Sprint(o.LR()) != d["lr"] {
			t.Errorf("%s: built %q with lr %v, defaults %v", name, o.Name(), o.LR(), d)
		}
		// Every argument parses and is read: a bad value is an error.
		for k := range d {
			if k == "fused" {
				continue
			}
			if _, err := New(name, newParams(1, 4), 0, -1, map[string]string{k: "x"}); err == nil ||
				!strings.Contains(err.Error(), k) {
				t.Errorf("%s: %s=x: err = %v", name, k, err)
			}
		}
	}
	if _, err := New("mars", newParams(1, 4), 0, -1, map[string]string{"beta1_1d": "2"}); !errors.Is(err, ErrInvalidHyperparameter) {
		t.Errorf("mars beta1_1d=2: err = %v", err)
	}
	o, err := New("gravity", newParams(1, 4), 0, -1, map[string]string{"seed": "12345678901234567890"})
	if err != nil || o == nil {
		t.Errorf("gravity with a 64-bit seed: %v", err)
	}
}

// BenchmarkZooG1b times one Step on one parameter of n = 1e6 elements
// (1000×1000, so MARS and AdamW-SN take their matrix path) for each g1b
// optimizer, with fused Adam and the Adam chain as baselines in the same
// run. SetBytes counts parameter, gradient and state traffic; ns/param
// is reported.
func BenchmarkZooG1b(b *testing.B) {
	const n = 1000000
	cases := append([]g1bCase{
		{"adam-fused", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdam(ps, DefaultAdam()) }},
		{"adam-chain", func(ps []*autodiff.Var) (*Optimizer, error) {
			o, err := NewAdam(ps, DefaultAdam())
			if err == nil {
				o.SetFused(false)
			}
			return o, err
		}},
		{"exadam-default", func(ps []*autodiff.Var) (*Optimizer, error) { return NewEXAdam(ps, DefaultEXAdam()) }},
	}, g1bCases...)
	cases = append(cases, g1bObjCases...)
	for _, tc := range cases {
		b.Run(fmt.Sprintf("%s/%d", tc.name, n), func(b *testing.B) {
			rng := tensor.NewRNG(1)
			p := autodiff.NewParam("w", tensor.RandN(rng, 1, 1000, 1000))
			p.Grad = tensor.RandN(rng, 1, 1000, 1000)
			o, err := tc.mk([]*autodiff.Var{p})
			if err != nil {
				b.Fatal(err)
			}
			step := o.Step
			if o.NeedsObjective() {
				// Cheap objective: a fixed gradient, so the benchmark
				// measures the optimizer's own passes plus one copy.
				q := &g1bFixedGrad{p: p, g: p.Grad.Clone()}
				step = func() { o.StepWith(q) }
			}
			step()
			step()
			b.SetBytes(int64(4 * n * (2 + len(o.Transform().StateNames()))))
			b.ResetTimer()
			for b.Loop() {
				step()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/param")
		})
	}
}

// g1bFixedGrad is an Objective whose gradient is a fixed tensor.
type g1bFixedGrad struct {
	p *autodiff.Var
	g *tensor.Tensor
}

func (f *g1bFixedGrad) Params() []*autodiff.Var { return []*autodiff.Var{f.p} }
func (f *g1bFixedGrad) Loss() float32 {
	return asm.Dot(f.g.Data(), f.p.Value.Data())
}
func (f *g1bFixedGrad) Gradient() float32 {
	f.p.Grad.CopyFrom(f.g)
	return f.Loss()
}
func (f *g1bFixedGrad) HVP(v []*tensor.Tensor) []*tensor.Tensor {
	return []*tensor.Tensor{tensor.New(f.p.Value.Shape()...)}
}

// TestG1bStepDoesNotAllocate: after the first step, Step makes no
// allocations (matrix and vector parameters).
func TestG1bStepDoesNotAllocate(t *testing.T) {
	for _, tc := range g1bCases {
		rng := tensor.NewRNG(2)
		a := autodiff.NewParam("a", tensor.RandN(rng, 1, 6, 5))
		b := autodiff.NewParam("b", tensor.RandN(rng, 1, 7))
		a.Grad, b.Grad = tensor.RandN(rng, 1, 6, 5), tensor.RandN(rng, 1, 7)
		o, err := tc.mk([]*autodiff.Var{a, b})
		if err != nil {
			t.Fatal(err)
		}
		o.Step()
		if n := testing.AllocsPerRun(10, o.Step); n != 0 {
			t.Errorf("%s: %v allocations per Step", tc.name, n)
		}
	}
}
