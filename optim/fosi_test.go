package optim

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gograd/gograd/autodiff"
)

// TestFOSILanczosExact: with m = d steps, Lanczos's Ritz values are the
// eigenvalues of a symmetric matrix (gonum EigenSym as reference), and
// the Ritz vectors are its unit eigenvectors.
func TestFOSILanczosExact(t *testing.T) {
	const d = 6
	r := newProbeRNG().at(7, 1, 0)
	a := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			a.SetSym(i, j, r.NormFloat64())
		}
	}
	hv := func(v, dst []float64) {
		var out mat.VecDense
		out.MulVec(a, mat.NewVecDense(d, v))
		copy(dst, out.RawVector().Data)
	}
	v0 := make([]float64, d)
	for i := range v0 {
		v0[i] = r.NormFloat64()
	}
	vals, vecs := lanczos(hv, v0, d)
	var es mat.EigenSym
	if !es.Factorize(a, false) {
		t.Fatal("eigensym failed")
	}
	want := es.Values(nil)
	if len(vals) != d {
		t.Fatalf("%d Ritz values, want %d", len(vals), d)
	}
	for j := range want {
		if math.Abs(vals[j]-want[j]) > 1e-9 {
			t.Errorf("λ[%d] = %.12g, want %.12g", j, vals[j], want[j])
		}
		av := make([]float64, d)
		hv(vecs[j], av)
		for i := range av {
			if math.Abs(av[i]-want[j]*vecs[j][i]) > 1e-8 {
				t.Errorf("A·v[%d] ≠ λ·v at %d: %g vs %g", j, i, av[i], want[j]*vecs[j][i])
			}
		}
		if n := dot64(vecs[j], vecs[j]); math.Abs(n-1) > 1e-9 {
			t.Errorf("|v[%d]|² = %g", j, n)
		}
	}
	// Fewer steps than d: the largest Ritz value is a lower bound on λ_max.
	vals, _ = lanczos(hv, v0, 3)
	if len(vals) != 3 || vals[2] > want[d-1]+1e-9 {
		t.Errorf("3-step Ritz values %v, λ_max %g", vals, want[d-1])
	}
}

// TestFOSIHand: on ½Σ h_i θ_i² with h = (0.5, 2, 8), k = 1, T = W = 1,
// Lanczos finds V = ±e₃ and λ = 8 at every step, so coordinate 3 takes
// the Newton step on the momentum u and coordinates 1, 2 take Adam
// steps on g2 (s = 1); three steps in float64.
func TestFOSIHand(t *testing.T) {
	p, q := g2QuadParam()
	cfg := FOSIConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, K: 1, Period: 1, Alpha: 0.5, Beta: 0.9, LRClip: 3}
	o, err := NewFOSI([]*autodiff.Var{p}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := g2Steps(t, o, q, 3)
	th := f64s(g2Theta)
	var m, v [2]float64
	var u float64
	var want [][]float64
	for s := 1; s <= 3; s++ {
		bc1, bc2 := 1-math.Pow(0.9, float64(s)), 1-math.Pow(0.999, float64(s))
		for i := range 2 {
			g := float64(g2H[i]) * th[i]
			m[i] = 0.9*m[i] + 0.1*g
			v[i] = 0.999*v[i] + 0.001*g*g
			th[i] -= 0.1 * (m[i] / bc1) / (math.Sqrt(v[i]/bc2) + 1e-8)
		}
		u = 0.9*u + 0.1*8*th[2]
		th[2] -= 0.5 * u / 8
		want = append(want, slices.Clone(th))
	}
	g2Check(t, "fosi", got, want, 2e-5)
}

// TestFOSINewtonRemovesTop is METHODS.md 2.5's test: with α = 1 and
// β = 0, one step removes the top-k components of the error exactly.
func TestFOSINewtonRemovesTop(t *testing.T) {
	p, q := g2QuadParam()
	o, err := NewFOSI([]*autodiff.Var{p}, FOSIConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8,
		K: 2, Period: 10, Warmup: 1, Alpha: 1, Beta: 0, LRClip: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := g2Steps(t, o, q, 1)[0]
	if math.Abs(float64(got[1])) > 1e-5 || math.Abs(float64(got[2])) > 1e-5 {
		t.Errorf("after one step θ = %v, want the components on h = 2, 8 at 0", got)
	}
	if want := 1 - 0.01; math.Abs(float64(got[0])-want) > 1e-5 {
		t.Errorf("θ[0] = %g, want the Adam step %g", got[0], want)
	}
	st, _ := o.State()
	if vals := st["state.w.eigvals"].Data(); math.Abs(float64(vals[0])-2) > 1e-4 || math.Abs(float64(vals[1])-8) > 1e-4 {
		t.Errorf("eigvals %v, want [2 8]", vals)
	}
	if s := st["state.w.scaling"].Data()[0]; s != 1 {
		t.Errorf("scaling %g, want 1 (clip 1)", s)
	}
}

// TestFOSIScaling: s = clip(λ_max/λ_k, 1, s_max) with k = 2 on h = (0.5,
// 2, 8): 8/2 = 4 clipped to 3.
func TestFOSIScaling(t *testing.T) {
	p, q := g2QuadParam()
	c := DefaultFOSI()
	c.K, c.Period, c.LRClip = 2, 1, 3
	o, err := NewFOSI([]*autodiff.Var{p}, c)
	if err != nil {
		t.Fatal(err)
	}
	g2Steps(t, o, q, 1)
	st, _ := o.State()
	if s := st["state.w.scaling"].Data()[0]; math.Abs(float64(s)-3) > 1e-6 {
		t.Errorf("scaling %g, want 3", s)
	}
	if sh := st["state.w.eigvecs"].Shape(); !slices.Equal(sh, []int{2, 3}) {
		t.Errorf("eigvecs shape %v, want [2 3]", sh)
	}
}

func TestConvergeFOSI(t *testing.T) {
	g2Converge(t, []g2Case{{"fosi", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultFOSI()
		c.LR, c.K, c.Period, c.Alpha = 0.02, 1, 20, 0.5
		return NewFOSI(ps, c)
	}, 5000, false}})
}

func TestFOSIStateAndRejects(t *testing.T) {
	g2RoundTrip(t, "fosi", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultFOSI()
		c.K, c.L, c.Period, c.Warmup = 1, 1, 3, 2
		return NewFOSI(ps, c)
	})
	fo := func(f func(*FOSIConfig)) func() error {
		return func() error {
			c := DefaultFOSI()
			c.K = 2
			f(&c)
			_, err := NewFOSI(newParams(1, 3), c)
			return err
		}
	}
	g2Rejects(t, "fosi", map[string]func() error{
		"lr":      fo(func(c *FOSIConfig) { c.LR = 0 }),
		"beta1":   fo(func(c *FOSIConfig) { c.Beta1 = 1 }),
		"beta2":   fo(func(c *FOSIConfig) { c.Beta2 = -0.1 }),
		"eps":     fo(func(c *FOSIConfig) { c.Eps = 0 }),
		"k":       fo(func(c *FOSIConfig) { c.K = 4 }),
		"l":       fo(func(c *FOSIConfig) { c.L = -1 }),
		"period":  fo(func(c *FOSIConfig) { c.Period = 0 }),
		"warmup":  fo(func(c *FOSIConfig) { c.Warmup = -1 }),
		"alpha":   fo(func(c *FOSIConfig) { c.Alpha = math.NaN() }),
		"beta":    fo(func(c *FOSIConfig) { c.Beta = 1 }),
		"lr_clip": fo(func(c *FOSIConfig) { c.LRClip = 0.5 }),
	})
}
