package optim

import (
	"math"
	"slices"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// g2bSoftmax is a linear softmax classifier z_i = W·x_i (W: C×D, one
// parameter "w") with mean cross-entropy, implementing
// JacobianObjective analytically: ∂z_ic/∂W_{c'e} = δ_{cc'}·x_ie.
type g2bSoftmax struct {
	w      *autodiff.Var
	x      [][]float64
	labels []int32
	c      int
}

func (o *g2bSoftmax) Params() []*autodiff.Var { return []*autodiff.Var{o.w} }
func (o *g2bSoftmax) BatchSize() int          { return len(o.labels) }

// probs returns z and softmax(z) per sample in float64.
func (o *g2bSoftmax) probs() (z, p [][]float64) {
	w := o.w.Value.Data()
	dd := len(o.x[0])
	for _, xi := range o.x {
		zi := make([]float64, o.c)
		for c := range o.c {
			for e, v := range xi {
				zi[c] += float64(w[c*dd+e]) * v
			}
		}
		pi := g2bSoftmaxOf(zi)
		z, p = append(z, zi), append(p, pi)
	}
	return z, p
}

func g2bSoftmaxOf(z []float64) []float64 {
	mx := slices.Max(z)
	p := make([]float64, len(z))
	var s float64
	for c, v := range z {
		p[c] = math.Exp(v - mx)
		s += p[c]
	}
	for c := range p {
		p[c] /= s
	}
	return p
}

func (o *g2bSoftmax) Loss() float32 {
	_, p := o.probs()
	var l float64
	for i, pi := range p {
		l -= math.Log(pi[o.labels[i]])
	}
	return float32(l / float64(len(p)))
}

func (o *g2bSoftmax) Gradient() float32 {
	_, p := o.probs()
	if o.w.Grad == nil {
		o.w.Grad = tensor.New(o.w.Value.Shape()...)
	}
	g := o.w.Grad.Data()
	clear(g)
	dd := len(o.x[0])
	for i, pi := range p {
		for c := range o.c {
			d := pi[c]
			if int32(c) == o.labels[i] {
				d--
			}
			for e, v := range o.x[i] {
				g[c*dd+e] += float32(d * v / float64(len(p)))
			}
		}
	}
	return o.Loss()
}

func (o *g2bSoftmax) HVP([]*tensor.Tensor) []*tensor.Tensor { panic("not used") }

func (o *g2bSoftmax) LogitJacobian() ([]float32, []int32, int, [][]float32) {
	z, _ := o.probs()
	dd := len(o.x[0])
	var zf []float32
	var jac [][]float32
	for i, xi := range o.x {
		for c := range o.c {
			zf = append(zf, float32(z[i][c]))
			row := make([]float32, o.c*dd)
			for e, v := range xi {
				row[c*dd+e] = float32(v)
			}
			jac = append(jac, row)
		}
	}
	return zf, slices.Clone(o.labels), o.c, jac
}

// TestEGNHand: one sample x = 2 with label 0, C = 3, W = 0 (so D = 1 and
// W has 3 elements). Then p = 1/3, J = x·I, Q = I/3 − 11ᵀ/9, and
// r = e₀ − 1/3 has 1ᵀr = 0, so Q·r = r/3 and the solution of
// (λI + x²Q)u = r is u = r/(λ + x²/3); d = x·u and θ₁ = α·d. The second
// step repeats the computation at θ₁ (J is the same; p changes, and the
// 3×3 system is solved by elimination in float64).
func TestEGNHand(t *testing.T) {
	w := autodiff.NewParam("w", tensor.New(3, 1))
	obj := &g2bSoftmax{w: w, x: [][]float64{{2}}, labels: []int32{0}, c: 3}
	cfg := EGNConfig{LR: 0.7, Lambda: 0.5, Momentum: 0, LineSearch: false, Decrease: 0.8, Increase: 1.5, Armijo: 0.1, MaxTrials: 15}
	o, err := NewEGN([]*autodiff.Var{w}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := g2Steps(t, o, obj, 2)
	const x, lam, alpha = 2.0, 0.5, 0.7
	th := make([]float64, 3)
	for c := range 3 {
		r := -1.0 / 3
		if c == 0 {
			r++
		}
		th[c] = alpha * x * r / (lam + x*x/3)
	}
	want := [][]float64{slices.Clone(th)}
	// Step 2: (λI + x²(diag p − ppᵀ))u = e₀ − p.
	p := g2bSoftmaxOf([]float64{th[0] * x, th[1] * x, th[2] * x})
	a := make([][]float64, 3)
	rhs := make([]float64, 3)
	for i := range 3 {
		a[i] = make([]float64, 3)
		for j := range 3 {
			a[i][j] = -x * x * p[i] * p[j]
		}
		a[i][i] += lam + x*x*p[i]
		rhs[i] = -p[i]
	}
	rhs[0]++
	u := g2bSolve(a, rhs)
	for c := range 3 {
		th[c] += alpha * x * u[c]
	}
	want = append(want, th)
	g2Check(t, "egn", got, want, 1e-5)
}

// g2bSolve solves a·u = b by Gaussian elimination with partial pivoting.
func g2bSolve(a [][]float64, b []float64) []float64 {
	n := len(b)
	for k := range n {
		piv := k
		for i := k + 1; i < n; i++ {
			if math.Abs(a[i][k]) > math.Abs(a[piv][k]) {
				piv = i
			}
		}
		a[k], a[piv] = a[piv], a[k]
		b[k], b[piv] = b[piv], b[k]
		for i := k + 1; i < n; i++ {
			f := a[i][k] / a[k][k]
			for j := k; j < n; j++ {
				a[i][j] -= f * a[k][j]
			}
			b[i] -= f * b[k]
		}
	}
	u := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for j := i + 1; j < n; j++ {
			s -= a[i][j] * u[j]
		}
		u[i] = s / a[i][i]
	}
	return u
}

// g2bProblem is a separable 3-class problem with 12 samples in 2-D.
func g2bProblem() *g2bSoftmax {
	w := autodiff.NewParam("w", tensor.New(3, 2))
	r := newProbeRNG().at(3, 0, 0)
	o := &g2bSoftmax{w: w, c: 3}
	centers := [][2]float64{{2, 0}, {-1, 2}, {-1, -2}}
	for i := range 12 {
		c := i % 3
		o.x = append(o.x, []float64{centers[c][0] + 0.3*r.NormFloat64(), centers[c][1] + 0.3*r.NormFloat64()})
		o.labels = append(o.labels, int32(c))
	}
	return o
}

// TestConvergeEGN: on a separable softmax problem EGN with the line
// search drives the loss down by orders of magnitude in a few steps.
// (EGN needs logit Jacobians, so the quadratic and Rosenbrock of the
// other methods, which have no logits, do not apply.)
func TestConvergeEGN(t *testing.T) {
	for _, ls := range []bool{true, false} {
		obj := g2bProblem()
		c := DefaultEGN()
		c.LineSearch, c.Lambda, c.Momentum = ls, 1e-3, 0.5
		if ls {
			c.LR = 20 // α_max: the search must backtrack
		}
		o, err := NewEGN(obj.Params(), c)
		if err != nil {
			t.Fatal(err)
		}
		f0 := obj.Loss()
		g2Steps(t, o, obj, 30)
		f := obj.Loss()
		t.Logf("line search %v: f %g -> %g", ls, f0, f)
		if !(f < 1e-2*f0) {
			t.Errorf("line search %v: f = %g after 30 steps, want < %g", ls, f, 1e-2*f0)
		}
	}
}

func TestEGNStateAndRejects(t *testing.T) {
	mk := func() (*g2bSoftmax, *Optimizer) {
		obj := g2bProblem()
		c := DefaultEGN()
		c.Momentum, c.Lambda = 0.9, 0.1
		o, err := NewEGN(obj.Params(), c)
		if err != nil {
			t.Fatal(err)
		}
		return obj, o
	}
	obj, o := mk()
	g2Steps(t, o, obj, 3)
	st, err := o.State()
	if err != nil {
		t.Fatal(err)
	}
	obj2, o2 := mk()
	obj2.w.Value.CopyFrom(obj.w.Value)
	if err := o2.LoadState(st); err != nil {
		t.Fatal(err)
	}
	g2Steps(t, o, obj, 4)
	g2Steps(t, o2, obj2, 4)
	if !slices.Equal(obj.w.Value.Data(), obj2.w.Value.Data()) {
		t.Errorf("resumed %v, uninterrupted %v", obj2.w.Value.Data(), obj.w.Value.Data())
	}
	eg := func(f func(*EGNConfig)) func() error {
		return func() error {
			c := DefaultEGN()
			f(&c)
			_, err := NewEGN(newParams(1, 3), c)
			return err
		}
	}
	g2Rejects(t, "egn", map[string]func() error{
		"lr":         eg(func(c *EGNConfig) { c.LR = 0 }),
		"lambda":     eg(func(c *EGNConfig) { c.Lambda = 0 }),
		"momentum":   eg(func(c *EGNConfig) { c.Momentum = 1 }),
		"decrease":   eg(func(c *EGNConfig) { c.Decrease = 1 }),
		"increase":   eg(func(c *EGNConfig) { c.Increase = 0.9 }),
		"armijo":     eg(func(c *EGNConfig) { c.Armijo = 0 }),
		"max_trials": eg(func(c *EGNConfig) { c.MaxTrials = 0 }),
	})
	// An objective without Jacobians is refused with a clear panic.
	p, q := g2QuadParam()
	o3, _ := NewEGN([]*autodiff.Var{p}, DefaultEGN())
	q.Gradient()
	if msg := mustPanic(t, func() { o3.StepWith(q) }); msg == "" {
		t.Error("no message")
	}
}
