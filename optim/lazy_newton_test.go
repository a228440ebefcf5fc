package optim

import (
	"math"
	"slices"
	"testing"

	"github.com/gograd/gograd/autodiff"
)

// TestLazyNewtonHand: on ½Σ h_i θ_i² the lazy step is the exact
// regularized Newton step θ ← θ − g/(h + √(M‖g‖)) (METHODS.md 2.9).
func TestLazyNewtonHand(t *testing.T) {
	p, q := g2QuadParam()
	o, err := NewLazyNewton([]*autodiff.Var{p}, LazyNewtonConfig{LR: 0.9, M: 2, Period: 2})
	if err != nil {
		t.Fatal(err)
	}
	got := g2Steps(t, o, q, 3)
	th := f64s(g2Theta)
	var want [][]float64
	for range 3 {
		g := make([]float64, 3)
		var gsq float64
		for i := range th {
			g[i] = float64(g2H[i]) * th[i]
			gsq += g[i] * g[i]
		}
		lam := math.Sqrt(2 * math.Sqrt(gsq))
		for i := range th {
			th[i] -= 0.9 * g[i] / (float64(g2H[i]) + lam)
		}
		want = append(want, slices.Clone(th))
	}
	g2Check(t, "lazy-newton", got, want, 1e-5)
}

func TestConvergeLazyNewton(t *testing.T) {
	g2Converge(t, []g2Case{{"lazy-newton", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultLazyNewton()
		c.M = 5
		return NewLazyNewton(ps, c)
	}, 200, false}})
}

func TestLazyNewtonStateAndRejects(t *testing.T) {
	g2RoundTrip(t, "lazy-newton", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewLazyNewton(ps, LazyNewtonConfig{LR: 1, M: 1, Period: 3})
	})
	ln := func(f func(*LazyNewtonConfig)) func() error {
		return func() error {
			c := DefaultLazyNewton()
			f(&c)
			_, err := NewLazyNewton(newParams(1, 3), c)
			return err
		}
	}
	g2Rejects(t, "lazy-newton", map[string]func() error{
		"lr":     ln(func(c *LazyNewtonConfig) { c.LR = -1 }),
		"m_reg":  ln(func(c *LazyNewtonConfig) { c.M = math.NaN() }),
		"period": ln(func(c *LazyNewtonConfig) { c.Period = -1 }),
	})
	if _, err := NewLazyNewton(newParams(1, 5000), DefaultLazyNewton()); err == nil {
		t.Error("NewLazyNewton accepted 5000 parameters")
	}
}
