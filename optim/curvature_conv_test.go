package optim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gograd/gograd/autodiff"
)

// g2GNB adds a Gauss–Newton–Bartlett sampler to the test objectives, for
// Sophia-G: for the quadratic, ĝ = √h ⊙ ξ; for Rosenbrock, written as
// r1² + r2² with residual Jacobian J, ĝ = √2·Jᵀξ; ξ ~ N(0, I), so
// E[ĝĝᵀ] is the Gauss–Newton matrix, as sampled labels give for a
// classifier.
type g2GNB struct {
	*g2Func
	sample func(r *rand.Rand)
}

func (o *g2GNB) SampledGradient(r *rand.Rand) float32 { o.sample(r); return 0 }

func g2WithGNB(obj *g2Func, h []float32) *g2GNB {
	if h != nil {
		x := obj.ps[0]
		return &g2GNB{obj, func(r *rand.Rand) {
			for i := range h {
				x.Grad.Data()[i] = float32(math.Sqrt(float64(h[i])) * r.NormFloat64())
			}
		}}
	}
	x, y := obj.ps[0], obj.ps[1]
	return &g2GNB{obj, func(r *rand.Rand) {
		xi1, xi2 := r.NormFloat64(), r.NormFloat64()
		xv := float64(x.Item())
		x.Grad.Data()[0] = float32(math.Sqrt2 * (-xi1 - 20*xv*xi2))
		y.Grad.Data()[0] = float32(math.Sqrt2 * 10 * xi2)
	}}
}

func TestConvergeCurvature(t *testing.T) {
	g2Converge(t, []g2Case{
		{"adahessian", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultAdaHessian()
			c.LR = 1
			return NewAdaHessian(ps, c)
		}, 10000, false},
		{"sophia-h", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultSophiaH()
			c.LR = 0.01
			return NewSophiaH(ps, c)
		}, 3000, false},
		{"sophia-g", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultSophiaG()
			c.LR, c.WeightDecay, c.BatchSize = 0.01, 0, 1
			return NewSophiaG(ps, c)
		}, 10000, true},
	})
}

func TestCurvatureStateRoundTrip(t *testing.T) {
	g2RoundTrip(t, "adahessian", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewAdaHessian(ps, DefaultAdaHessian())
	})
	g2RoundTrip(t, "sophia-h", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultSophiaH()
		c.LR, c.K = 0.01, 3
		return NewSophiaH(ps, c)
	})
}

func TestCurvatureRejects(t *testing.T) {
	ah := func(f func(*AdaHessianConfig)) func() error {
		return func() error {
			c := DefaultAdaHessian()
			f(&c)
			_, err := NewAdaHessian(newParams(1, 3), c)
			return err
		}
	}
	g2Rejects(t, "adahessian", map[string]func() error{
		"lr":            ah(func(c *AdaHessianConfig) { c.LR = -1 }),
		"beta1":         ah(func(c *AdaHessianConfig) { c.Beta1 = 1 }),
		"beta2":         ah(func(c *AdaHessianConfig) { c.Beta2 = -0.1 }),
		"eps":           ah(func(c *AdaHessianConfig) { c.Eps = math.NaN() }),
		"weight_decay":  ah(func(c *AdaHessianConfig) { c.WeightDecay = -1 }),
		"hessian_power": ah(func(c *AdaHessianConfig) { c.HessianPower = 1.5 }),
	})
	sh := func(f func(*SophiaHConfig)) func() error {
		return func() error {
			c := DefaultSophiaH()
			f(&c)
			_, err := NewSophiaH(newParams(1, 3), c)
			return err
		}
	}
	g2Rejects(t, "sophia-h", map[string]func() error{
		"lr":           sh(func(c *SophiaHConfig) { c.LR = -1 }),
		"beta1":        sh(func(c *SophiaHConfig) { c.Beta1 = 1 }),
		"beta2":        sh(func(c *SophiaHConfig) { c.Beta2 = 2 }),
		"gamma":        sh(func(c *SophiaHConfig) { c.Gamma = 0 }),
		"eps":          sh(func(c *SophiaHConfig) { c.Eps = 0 }),
		"clip":         sh(func(c *SophiaHConfig) { c.Clip = -1 }),
		"k":            sh(func(c *SophiaHConfig) { c.K = 0 }),
		"weight_decay": sh(func(c *SophiaHConfig) { c.WeightDecay = -1 }),
	})
	sg := func(f func(*SophiaGConfig)) func() error {
		return func() error {
			c := DefaultSophiaG()
			f(&c)
			_, err := NewSophiaG(newParams(1, 3), c)
			return err
		}
	}
	g2Rejects(t, "sophia-g", map[string]func() error{
		"lr":           sg(func(c *SophiaGConfig) { c.LR = float32(math.Inf(1)) }),
		"beta1":        sg(func(c *SophiaGConfig) { c.Beta1 = -1 }),
		"beta2":        sg(func(c *SophiaGConfig) { c.Beta2 = 1 }),
		"rho":          sg(func(c *SophiaGConfig) { c.Rho = 0 }),
		"weight_decay": sg(func(c *SophiaGConfig) { c.WeightDecay = -1 }),
		"k":            sg(func(c *SophiaGConfig) { c.K = -3 }),
		"batch_size":   sg(func(c *SophiaGConfig) { c.BatchSize = -1 }),
	})
}

// TestCurvatureNeedsObjective: every curvature optimizer refuses Step.
func TestCurvatureNeedsObjective(t *testing.T) {
	for _, name := range g2Names {
		o, err := New(name, newParams(1, 3), 0, -1, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !o.NeedsObjective() {
			t.Errorf("%s: NeedsObjective is false", name)
		}
		mustPanic(t, o.Step)
	}
}

var g2Names = []string{"adahessian", "sophia-h", "sophia-g", "oasis", "sania", "psgd", "lazy-newton"}
