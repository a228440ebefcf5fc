package optim

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// Convergence (optax alias_test; METHODS 0.8 (ii)): every optimizer
// must drive a badly conditioned diagonal quadratic and the Rosenbrock
// function to their minima, with gradients from the autodiff tape.

// quadCurv returns the curvatures h_i, log-spaced over [lo, hi].
func quadCurv(n int, lo, hi float64) []float32 {
	h := make([]float32, n)
	for i := range h {
		h[i] = float32(lo * math.Pow(hi/lo, float64(i)/float64(n-1)))
	}
	return h
}

// quadratic computes f(x) = ½ Σ h_i x_i² on tp and accumulates ∇f into
// x.Grad.
func quadratic(tp *autodiff.Tape, x, h *autodiff.Var) float32 {
	tp.Reset()
	loss := autodiff.Scale(autodiff.Sum(autodiff.Mul(h, autodiff.Square(tp.Bind(x)))), 0.5)
	tp.Backward(loss)
	return loss.Item()
}

// rosenbrock computes f(x, y) = (1−x)² + 100·(y−x²)² on tp and
// accumulates the gradients into x.Grad and y.Grad.
func rosenbrock(tp *autodiff.Tape, x, y *autodiff.Var) float32 {
	tp.Reset()
	xb, yb := tp.Bind(x), tp.Bind(y)
	a := autodiff.Square(autodiff.AddScalar(autodiff.Neg(xb), 1))
	b := autodiff.Square(autodiff.Sub(yb, autodiff.Square(xb)))
	loss := autodiff.Sum(autodiff.Add(a, autodiff.Scale(b, 100)))
	tp.Backward(loss)
	return loss.Item()
}

type convergeCase struct {
	name  string
	mk    func([]*autodiff.Var) (*Optimizer, error)
	sched func(o *Optimizer, steps int) Schedule // nil: constant LR
}

func cosineFrom(o *Optimizer, steps int) Schedule { return Cosine(o.LR(), steps, o.LR()/100) }

func TestConvergeQuadratic(t *testing.T) {
	const n, steps = 16, 3000
	h := quadCurv(n, 1e-2, 1e2) // condition number 1e4
	cases := []convergeCase{
		{"sgd-momentum", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewSGD(ps, SGDConfig{LR: 0.015, Momentum: 0.9})
		}, nil},
		{"sgd-nesterov", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewSGD(ps, SGDConfig{LR: 0.01, Momentum: 0.9, Nesterov: true})
		}, nil},
		{"adam", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewAdam(ps, AdamConfig{LR: 0.05, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
		}, cosineFrom},
		{"adamw", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewAdamW(ps, AdamConfig{LR: 0.05, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-4})
		}, cosineFrom},
		{"lion", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewLion(ps, LionConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.99})
		}, cosineFrom},
	}
	for _, tc := range cases {
		for _, fused := range []bool{true, false} {
			x := autodiff.NewParam("x", tensor.Full(1, n))
			hc := autodiff.Const(tensor.FromSlice(h, n))
			o, err := tc.mk([]*autodiff.Var{x})
			if err != nil {
				t.Fatal(err)
			}
			o.SetFused(fused)
			var sched Schedule
			if tc.sched != nil {
				sched = tc.sched(o, steps)
			}
			tp := autodiff.NewTape()
			f0 := quadratic(tp, x, hc)
			f := f0
			for range steps {
				if sched != nil {
					o.SetLR(sched.LR(o.Steps()))
				}
				o.ZeroGrad()
				f = quadratic(tp, x, hc)
				o.Step()
			}
			f = quadratic(tp, x, hc)
			t.Logf("%s fused=%v: f %g -> %g", tc.name, fused, f0, f)
			if !(f < 1e-4*f0) {
				t.Errorf("%s fused=%v: f = %g after %d steps, want < %g", tc.name, fused, f, steps, 1e-4*f0)
			}
		}
	}
}

func TestConvergeRosenbrock(t *testing.T) {
	const steps = 10000
	cases := []convergeCase{
		{"sgd-momentum", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewSGD(ps, SGDConfig{LR: 1e-3, Momentum: 0.9})
		}, nil},
		{"sgd-nesterov", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewSGD(ps, SGDConfig{LR: 1e-3, Momentum: 0.9, Nesterov: true})
		}, nil},
		{"adam", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewAdam(ps, AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
		}, cosineFrom},
		{"adamw", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewAdamW(ps, AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-5})
		}, cosineFrom},
		{"lion", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewLion(ps, LionConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.99})
		}, cosineFrom},
	}
	for _, tc := range cases {
		for _, fused := range []bool{true, false} {
			x := autodiff.NewParam("x", tensor.Full(-1, 1))
			y := autodiff.NewParam("y", tensor.Full(1, 1))
			o, err := tc.mk([]*autodiff.Var{x, y})
			if err != nil {
				t.Fatal(err)
			}
			o.SetFused(fused)
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
			t.Logf("%s fused=%v: (x, y) = (%g, %g), f = %g", tc.name, fused, x.Item(), y.Item(), f)
			if !(math.Abs(float64(x.Item())-1) < 1e-2 && math.Abs(float64(y.Item())-1) < 2e-2) {
				t.Errorf("%s fused=%v: ended at (%g, %g), want (1, 1)", tc.name, fused, x.Item(), y.Item())
			}
		}
	}
}
