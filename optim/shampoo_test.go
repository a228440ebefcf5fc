package optim

import (
	"math"
	"slices"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// TestShampooRoot is METHODS.md 0.7's check: (A^(−1/4))⁴·A ≈ I for a
// symmetric positive definite A, and (A^(−1/2))²·A ≈ I.
func TestShampooRoot(t *testing.T) {
	const d = 7
	rng := tensor.NewRNG(3)
	b := tensor.RandN(rng, 1, d, d).Data()
	a := make([]float32, d*d)
	tensor.Sgemm(false, true, d, d, d, 1, b, d, b, d, 0, a, d) // A = B·Bᵀ + I
	for i := range d {
		a[i*d+i]++
	}
	for _, c := range []struct {
		p     float64
		power int
	}{{-0.25, 4}, {-0.5, 2}} {
		root := make([]float32, d*d)
		invRoot(root, a, d, c.p, 0)
		prod := slices.Clone(a)
		tmp := make([]float32, d*d)
		for range c.power {
			tensor.Sgemm(false, false, d, d, d, 1, root, d, prod, d, 0, tmp, d)
			prod, tmp = tmp, prod
		}
		for i := range d {
			for j := range d {
				want := 0.0
				if i == j {
					want = 1
				}
				if got := float64(prod[i*d+j]); math.Abs(got-want) > 1e-4 {
					t.Errorf("p=%v: (A^p)^%d·A [%d,%d] = %g, want %g", c.p, c.power, i, j, got, want)
				}
			}
		}
	}
}

// TestShampooHand: a diagonal 2×2 weight on ½Σ h_i θ_i² keeps every
// statistic diagonal, so three steps can be written out in float64:
// T = 2 (roots at step 2 only; identity at step 1), start = 1, SGD
// grafting, Nesterov β1, β2 = 1 (sums).
func TestShampooHand(t *testing.T) {
	p := autodiff.NewParam("w", tensor.FromSlice([]float32{1, 0, 0, -2}, 2, 2))
	h := []float32{0.5, 3, 3, 4}
	q := &quadObjective{p: p, h: h}
	cfg := ShampooConfig{LR: 0.1, Beta1: 0.5, Beta2: 1, MatrixEps: 0.01, UpdateFreq: 2, Start: 1,
		Graft: "sgd", GraftEps: 1e-6, MaxDim: 10, WeightDecay: 0.1}
	o, err := NewShampoo([]*autodiff.Var{p}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := g2Steps(t, o, q, 3)
	th := []float64{1, -2} // the diagonal
	hd := []float64{0.5, 4}
	stat := []float64{0.01, 0.01} // L and R are equal: diag(ε + Σ g_i²)
	root := []float64{1, 1}
	mom := []float64{0, 0}
	var want [][]float64
	for s := 1; s <= 3; s++ {
		g := []float64{hd[0] * th[0], hd[1] * th[1]}
		for i := range 2 {
			stat[i] += g[i] * g[i]
		}
		if s%2 == 0 {
			for i := range 2 {
				root[i] = math.Pow(stat[i]+0.01, -0.25)
			}
		}
		pd := []float64{root[0] * g[0] * root[0], root[1] * g[1] * root[1]}
		scale := math.Hypot(g[0], g[1]) / (math.Hypot(pd[0], pd[1]) + 1e-16)
		for i := range 2 {
			pi := pd[i] * scale
			mom[i] = 0.5*mom[i] + pi
			u := pi + 0.5*mom[i]
			th[i] -= 0.1 * (u + 0.1*th[i])
		}
		want = append(want, []float64{th[0], 0, 0, th[1]})
	}
	g2Check(t, "shampoo", got, want, 2e-6)
}

// TestShampooModes checks the matrix views and the state shapes: a
// vector has one factor, a matrix two, a 4-D tensor is shape[0] × rest,
// and a mode above MaxDim has none.
func TestShampooModes(t *testing.T) {
	c := DefaultShampoo()
	c.MaxDim = 20
	tr := ScaleByShampoo(c).(*scaleByShampoo)
	for _, tc := range []struct {
		shape  []int
		nl, nr int
	}{{[]int{5}, 5, 0}, {[]int{3, 4}, 3, 4}, {[]int{2, 3, 2, 2}, 2, 12}, {[]int{4, 30}, 4, 0}, {[]int{30}, 0, 0}, {nil, 1, 0}} {
		sh := tr.StateShapes(tc.shape)
		st := tr.InitShape(tc.shape)
		if !slices.Equal(sh[3], []int{tc.nl, tc.nl}) || !slices.Equal(sh[4], []int{tc.nr, tc.nr}) {
			t.Errorf("shape %v: factor shapes %v %v, want %d, %d", tc.shape, sh[3], sh[4], tc.nl, tc.nr)
		}
		for k, b := range st {
			if len(b) != numel(sh[k]) {
				t.Errorf("shape %v: buffer %s has %d elements, shape %v", tc.shape, shampooStateNames[k], len(b), sh[k])
			}
		}
	}
}

func TestShampooStateRoundTrip(t *testing.T) {
	mk := func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultShampoo()
		c.UpdateFreq, c.Start, c.Graft, c.MaxDim = 2, 3, "adagrad", 4
		return NewShampoo(ps, c)
	}
	mkParams := func() []*autodiff.Var {
		rng := tensor.NewRNG(2)
		var ps []*autodiff.Var
		for i, sh := range [][]int{{3, 4}, {3}, {2, 5}} {
			p := autodiff.NewParam(string(rune('a'+i)), tensor.RandN(rng, 1, sh...))
			p.Grad = tensor.New(sh...)
			ps = append(ps, p)
		}
		return ps
	}
	ref := mkParams()
	o, err := mk(ref)
	if err != nil {
		t.Fatal(err)
	}
	for s := range 5 {
		fillGrads(ref, 9, s)
		o.Step()
	}
	st, err := o.State()
	if err != nil {
		t.Fatal(err)
	}
	if sh := st["state.a.stat_l"].Shape(); !slices.Equal(sh, []int{3, 3}) {
		t.Errorf("state.a.stat_l has shape %v, want [3 3]", sh)
	}
	if sh := st["state.c.stat_r"].Shape(); !slices.Equal(sh, []int{0, 0}) {
		t.Errorf("state.c.stat_r has shape %v, want [0 0] (5 > max_dim)", sh)
	}
	cp := cloneParams(ref)
	o2, err := mk(cp)
	if err != nil {
		t.Fatal(err)
	}
	if err := o2.LoadState(st); err != nil {
		t.Fatal(err)
	}
	for s := 5; s < 12; s++ {
		fillGrads(ref, 9, s)
		o.Step()
		fillGrads(cp, 9, s)
		o2.Step()
	}
	for i := range ref {
		if !slices.Equal(ref[i].Value.Data(), cp[i].Value.Data()) {
			t.Errorf("%s: resumed %v, uninterrupted %v", ref[i].Name, cp[i].Value.Data(), ref[i].Value.Data())
		}
	}
	bad := map[string]*tensor.Tensor{}
	for k, v := range st {
		bad[k] = v
	}
	bad["state.a.stat_l"] = tensor.New(4, 4)
	if err := o2.LoadState(bad); err == nil {
		t.Error("LoadState accepted a 4×4 stat_l for a 3×4 weight")
	}
}

func TestShampooRejects(t *testing.T) {
	sh := func(f func(*ShampooConfig)) func() error {
		return func() error {
			c := DefaultShampoo()
			f(&c)
			_, err := NewShampoo(newParams(1, 3), c)
			return err
		}
	}
	g2Rejects(t, "shampoo", map[string]func() error{
		"lr":           sh(func(c *ShampooConfig) { c.LR = -1 }),
		"beta1":        sh(func(c *ShampooConfig) { c.Beta1 = 1 }),
		"beta2":        sh(func(c *ShampooConfig) { c.Beta2 = 0 }),
		"matrix_eps":   sh(func(c *ShampooConfig) { c.MatrixEps = 0 }),
		"update_freq":  sh(func(c *ShampooConfig) { c.UpdateFreq = 0 }),
		"start":        sh(func(c *ShampooConfig) { c.Start = 0 }),
		"graft":        sh(func(c *ShampooConfig) { c.Graft = "adam" }),
		"graft_eps":    sh(func(c *ShampooConfig) { c.GraftEps = -1 }),
		"max_dim":      sh(func(c *ShampooConfig) { c.MaxDim = 0 }),
		"weight_decay": sh(func(c *ShampooConfig) { c.WeightDecay = -1 }),
	})
}

func TestConvergeShampoo(t *testing.T) {
	g2Converge(t, []g2Case{{"shampoo", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultShampoo()
		c.LR, c.UpdateFreq, c.Start, c.Graft, c.Beta2 = 0.05, 1, 1, "none", 1
		return NewShampoo(ps, c)
	}, 5000, false}})
}
