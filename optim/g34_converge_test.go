package optim

import (
	"cmp"
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// g34Case builds an optimizer over ps; objective methods get StepWith.
type g34Case struct {
	name  string
	mk    func([]*autodiff.Var) (*Optimizer, error)
	steps int // 0: the test's default
}

func g34Wrap(name string, pre, post Transform, base func([]*autodiff.Var) (*Optimizer, error)) func([]*autodiff.Var) (*Optimizer, error) {
	return func(ps []*autodiff.Var) (*Optimizer, error) {
		b, err := base(ps)
		if err != nil {
			return nil, err
		}
		return NewWrapped(name, b, pre, post)
	}
}

func g34SGD(lr float32, mom float64) func([]*autodiff.Var) (*Optimizer, error) {
	return func(ps []*autodiff.Var) (*Optimizer, error) { return NewSGD(ps, SGDConfig{LR: lr, Momentum: mom}) }
}

func g34Adam(lr float32) func([]*autodiff.Var) (*Optimizer, error) {
	return func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewAdam(ps, AdamConfig{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	}
}

func g34Cases(quad bool) []g34Case {
	lr := map[bool]float32{true: 0.015, false: 1e-3}[quad]
	adam := map[bool]float32{true: 0.05, false: 0.01}[quad]
	rho := map[bool]float64{true: 0.01, false: 1e-3}[quad] // SAM's minimizer is offset by about ρ
	return []g34Case{
		{"dog", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultDoG()
			c.Average = false
			return NewDoG(ps, c)
		}, 30000},
		{"ldog", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultDoG()
			c.Average = false
			return NewLDoG(ps, c)
		}, 30000},
		{"adagrad-norm", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewAdaGradNorm(ps, AdaGradNormConfig{LR: map[bool]float32{true: 2, false: 0.5}[quad]})
		}, 0},
		{"sps", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewSPS(ps, SPSConfig{C: 0.5, MaxLR: map[bool]float64{true: 0.02, false: 1e-3}[quad]})
		}, 0},
		{"psps", func(ps []*autodiff.Var) (*Optimizer, error) { return NewPSPS(ps, DefaultPSPS()) }, 0},
		{"smb", func(ps []*autodiff.Var) (*Optimizer, error) {
			// α = 1 without the per-epoch auto-schedule diverges here; a fixed α like SGD's.
			return NewSMB(ps, SMBConfig{LR: lr, Eta: 0.99, C: 0.1})
		}, 0},
		{"ai-sarah", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAISARAH(ps, AISARAHConfig{FDStep: 1e-3}) }, 0},
		{"lookahead", func(ps []*autodiff.Var) (*Optimizer, error) {
			b, _ := g34Adam(adam)(ps)
			return NewLookahead(b, 5, 0.5)
		}, 0},
		{"sam", g34Wrap("sam", SAM(rho), nil, g34SGD(lr, 0.9)), 0},
		{"usam", g34Wrap("usam", USAM(rho/10), nil, g34SGD(lr, 0.9)), 0},
		{"gam", g34Wrap("gam", GAM(GAMConfig{Rho: rho / 10, RhoPrime: rho / 10, Beta1: 0.1, Beta2: 0.9, Beta3: 0.9, Gamma: 0.05}), nil, g34SGD(lr, 0.9)), 0},
		{"gr-fd", g34Wrap("gr-fd", GradRegFD(0.001, 0.01), nil, g34SGD(lr, 0.9)), 0},
		{"flooding", g34Wrap("flooding", Flooding(0), nil, g34SGD(lr, 0.9)), 0},
		{"weight-clip", g34Wrap("weight-clip", nil, WeightClip(10), g34SGD(lr, 0.9)), 0},
	}
}

func TestG34ConvergeQuadratic(t *testing.T) {
	const n, steps = 16, 3000
	h := quadCurv(n, 1e-2, 1e2)
	for _, tc := range g34Cases(true) {
		x := autodiff.NewParam("x", tensor.Full(1, n))
		x.Grad = tensor.New(n)
		q := &quadObjective{p: x, h: h}
		o, err := tc.mk([]*autodiff.Var{x})
		if err != nil {
			t.Fatal(err)
		}
		f0 := q.Loss()
		for range cmp.Or(tc.steps, steps) {
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

func TestG34ConvergeRosenbrock(t *testing.T) {
	const steps = 10000
	for _, tc := range g34Cases(false) {
		x := autodiff.NewParam("x", tensor.Full(-1, 1))
		y := autodiff.NewParam("y", tensor.Full(1, 1))
		r := &g34Rosen{x: x, y: y}
		r.Gradient()
		o, err := tc.mk([]*autodiff.Var{x, y})
		if err != nil {
			t.Fatal(err)
		}
		for range cmp.Or(tc.steps, steps) {
			r.Gradient()
			o.StepWith(r)
		}
		t.Logf("%s: (x, y) = (%g, %g), f = %g", tc.name, x.Item(), y.Item(), r.Loss())
		if !(math.Abs(float64(x.Item())-1) < 1e-2 && math.Abs(float64(y.Item())-1) < 2e-2) {
			t.Errorf("%s: ended at (%g, %g), want (1, 1)", tc.name, x.Item(), y.Item())
		}
	}
}
