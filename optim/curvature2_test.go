package optim

import (
	"math"
	"slices"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// TestSANIAHand: two SANIA steps on ½Σ h_i θ_i², written out in float64.
func TestSANIAHand(t *testing.T) {
	p, q := g2QuadParam()
	o, err := NewSANIA([]*autodiff.Var{p}, SANIAConfig{Eps: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	got := g2Steps(t, o, q, 3)
	th, sum := f64s(g2Theta), make([]float64, 3)
	var want [][]float64
	for range 3 {
		var f, qq float64
		g, d := make([]float64, 3), make([]float64, 3)
		for i := range th {
			h := float64(g2H[i])
			f += 0.5 * h * th[i] * th[i]
			g[i] = h * th[i]
			sum[i] += g[i] * g[i]
			d[i] = g[i] / math.Max(sum[i], 0.1)
			qq += d[i] * g[i]
		}
		gamma := 1.0
		if 2*f <= qq && 1-2*f/qq > 0 {
			gamma = 1 - math.Sqrt(1-2*f/qq)
		}
		for i := range th {
			th[i] -= gamma * d[i]
		}
		want = append(want, slices.Clone(th))
	}
	g2Check(t, "sania", got, want, 2e-6)
}

// TestOASISHalfStep is METHODS.md 2.7's test: on a diagonal quadratic
// with exact HVPs D̂ = diag(H), so the second bound is exactly 1/2 and
// every step after the first halves θ.
func TestOASISHalfStep(t *testing.T) {
	p, q := g2QuadParam()
	o, err := NewOASIS([]*autodiff.Var{p}, OASISConfig{LR: 0.2, Beta2: 0.9, Alpha: 1e-3, InitSamples: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := g2Steps(t, o, q, 4)
	th := f64s(g2Theta)
	var want [][]float64
	for s := 1; s <= 4; s++ {
		f := 0.5
		if s == 1 {
			f = 1 - 0.2
		}
		for i := range th {
			th[i] *= f
		}
		want = append(want, slices.Clone(th))
	}
	g2Check(t, "oasis", got, want, 1e-5)
	st, _ := o.State()
	if eta := st["state.w.step_sizes"].Data()[0]; math.Abs(float64(eta)-0.5) > 1e-5 {
		t.Errorf("η = %g, want 0.5", eta)
	}
	if !slices.Equal(p.Grad.Data(), []float32{g2H[0] * got[3][0], g2H[1] * got[3][1], g2H[2] * got[3][2]}) &&
		!slices.Equal(p.Grad.Data(), []float32{g2H[0] * got[2][0], g2H[1] * got[2][1], g2H[2] * got[2][2]}) {
		t.Errorf("Grad = %v after a step, not the gradient at the step's start", p.Grad.Data())
	}
}

// TestPSGDFit is METHODS.md 2.4's test: with exact HVPs on a diagonal
// quadratic, q² converges to 1/|h_i|.
func TestPSGDFit(t *testing.T) {
	h := quadCurv(8, 0.1, 10)
	x := autodiff.NewParam("x", tensor.Full(1, 8))
	obj := g2Quadratic(x, h)
	c := DefaultPSGD()
	c.LR = 0
	o, err := NewPSGD([]*autodiff.Var{x}, c)
	if err != nil {
		t.Fatal(err)
	}
	for range 10000 {
		obj.Gradient()
		o.StepWith(obj)
	}
	st, _ := o.State()
	qv := st["state.x.q"].Data()
	for i := range h {
		if got, want := float64(qv[i]*qv[i]), 1/float64(h[i]); !near(got, want, 0.05, 0) {
			t.Errorf("q²[%d] = %g, want 1/h = %g", i, got, want)
		}
	}
}

func TestConvergeCurvature2(t *testing.T) {
	g2Converge(t, []g2Case{
		{"oasis", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultOASIS()
			return NewOASIS(ps, c)
		}, 3000, false},
		{"psgd", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultPSGD()
			c.LR = 0.5
			return NewPSGD(ps, c)
		}, 10000, false},
	})
}

func TestCurvature2RoundTrip(t *testing.T) {
	g2RoundTrip(t, "sania", func(ps []*autodiff.Var) (*Optimizer, error) { return NewSANIA(ps, DefaultSANIA()) })
	g2RoundTrip(t, "oasis", func(ps []*autodiff.Var) (*Optimizer, error) { return NewOASIS(ps, DefaultOASIS()) })
	g2RoundTrip(t, "psgd", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultPSGD()
		c.PUpdate = 0.5
		return NewPSGD(ps, c)
	})
}

func TestCurvature2Rejects(t *testing.T) {
	g2Rejects(t, "sania", map[string]func() error{
		"eps": func() error { _, err := NewSANIA(newParams(1, 3), SANIAConfig{Eps: 0}); return err },
	})
	oa := func(f func(*OASISConfig)) func() error {
		return func() error {
			c := DefaultOASIS()
			f(&c)
			_, err := NewOASIS(newParams(1, 3), c)
			return err
		}
	}
	g2Rejects(t, "oasis", map[string]func() error{
		"lr":           oa(func(c *OASISConfig) { c.LR = 0 }),
		"beta2":        oa(func(c *OASISConfig) { c.Beta2 = 1 }),
		"alpha":        oa(func(c *OASISConfig) { c.Alpha = 0 }),
		"init_samples": oa(func(c *OASISConfig) { c.InitSamples = 0 }),
	})
	ps := func(f func(*PSGDConfig)) func() error {
		return func() error {
			c := DefaultPSGD()
			f(&c)
			_, err := NewPSGD(newParams(1, 3), c)
			return err
		}
	}
	g2Rejects(t, "psgd", map[string]func() error{
		"lr":       ps(func(c *PSGDConfig) { c.LR = -1 }),
		"mu":       ps(func(c *PSGDConfig) { c.Mu = 0 }),
		"beta_l":   ps(func(c *PSGDConfig) { c.BetaL = 1 }),
		"damping":  ps(func(c *PSGDConfig) { c.Damping = -1 }),
		"p_update": ps(func(c *PSGDConfig) { c.PUpdate = 0 }),
	})
}

// TestSANIAScaleInvariance is METHODS.md 2.8's test on a quadratic:
// with ε → 0, rescaling the coordinates (x = D·y) leaves the loss
// trajectory unchanged.
func TestSANIAScaleInvariance(t *testing.T) {
	h := quadCurv(5, 0.1, 10)
	scale := []float32{1, 100, 0.01, 3, 0.5}
	x0 := []float32{1, -2, 0.5, 3, -1}
	run := func(d []float32) []float32 {
		hy, y0 := make([]float32, 5), make([]float32, 5)
		for i := range h {
			hy[i] = h[i] * d[i] * d[i]
			y0[i] = x0[i] / d[i]
		}
		y := autodiff.NewParam("y", tensor.FromSlice(y0, 5))
		obj := g2Quadratic(y, hy)
		o, err := NewSANIA([]*autodiff.Var{y}, SANIAConfig{Eps: 1e-30})
		if err != nil {
			t.Fatal(err)
		}
		var fs []float32
		for range 50 {
			obj.Gradient()
			o.StepWith(obj)
			fs = append(fs, obj.Loss())
		}
		return fs
	}
	ref, got := run([]float32{1, 1, 1, 1, 1}), run(scale)
	for k := range ref {
		if !near(float64(got[k]), float64(ref[k]), 1e-4, 0) {
			t.Errorf("step %d: rescaled loss %g, original %g", k+1, got[k], ref[k])
		}
	}
	if !(ref[len(ref)-1] < ref[0]) {
		t.Errorf("loss did not decrease: %g -> %g", ref[0], ref[len(ref)-1])
	}
}
