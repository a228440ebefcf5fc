package optim

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// xgradCases are the XGrad optimizers in several settings, for the
// fused-vs-chain tests (they need StepWith, so they are not in fusedCases).
var xgradCases = []struct {
	name string
	mk   func([]*autodiff.Var) (*Optimizer, error)
}{
	{"xgrad", func(ps []*autodiff.Var) (*Optimizer, error) { return NewXGrad(ps, DefaultXGrad()) }},
	{"xgrad-s2.5-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewXGrad(ps, XGradConfig{LR: 0.01, Beta1: 0.8, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1, Steps: 2.5})
	}},
	{"xgrad-s0", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultXGrad()
		c.Steps = 0
		return NewXGrad(ps, c)
	}},
	{"xgrad-sgdm", func(ps []*autodiff.Var) (*Optimizer, error) { return NewXGradSGD(ps, DefaultXGradSGD()) }},
	{"xgrad-sgdm-s2-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewXGradSGD(ps, XGradSGDConfig{LR: 0.01, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01, Steps: 2})
	}},
}

// xgradObjective is ½Σ h_i θ_i² + Σ θ_i⁴/40 over all its parameters
// (h_i in [0.5, 2.5], a fixed function of the position), so that the
// gradient at θ̂ differs from the one at θ nonlinearly. It counts its
// Gradient calls and does not allocate.
type xgradObjective struct {
	ps    []*autodiff.Var
	calls int
}

func (o *xgradObjective) Params() []*autodiff.Var { return o.ps }
func (o *xgradObjective) HVP([]*tensor.Tensor) []*tensor.Tensor {
	panic("xgradObjective: no HVP")
}

func xgradCurv(i int) float32 { return 0.5 + float32(i%5)*0.5 }

func (o *xgradObjective) Loss() float32 {
	var l float32
	for _, p := range o.ps {
		for i, v := range p.Value.Data() {
			l += 0.5*xgradCurv(i)*v*v + v*v*v*v/40
		}
	}
	return l
}

func (o *xgradObjective) Gradient() float32 {
	o.calls++
	for _, p := range o.ps {
		g := p.Grad.Data()
		for i, v := range p.Value.Data() {
			g[i] = xgradCurv(i)*v + v*v*v/10
		}
	}
	return o.Loss()
}

// xgradSetup makes the parameters of the tests (sizes 1..133, in two
// groups: the second with half the learning rate and no weight decay)
// and the optimizer of a case over them.
func xgradSetup(t *testing.T, mk func([]*autodiff.Var) (*Optimizer, error), ps []*autodiff.Var) (*Optimizer, *xgradObjective) {
	t.Helper()
	o, err := mk(ps[:3])
	if err != nil {
		t.Fatal(err)
	}
	if err := o.AddParamGroup(ps[3:], WithLR(o.LR()/2), WithWeightDecay(0)); err != nil {
		t.Fatal(err)
	}
	return o, &xgradObjective{ps: ps}
}

var xgradSizes = []int{1, 3, 8, 17, 64, 133}

// xgradCompare checks the fused parameters against the chain's: tol[k]
// holds each element's accumulated tolerance, to which 4 ulps of θ and of
// the chain's step (at least η) are added first. It returns the largest
// |Δ|/tol.
func xgradCompare(t *testing.T, step int, lr float32, pf, pc []*autodiff.Var, before [][]float32, tol [][]float64) float64 {
	t.Helper()
	worst := 0.0
	for i := range pf {
		for j, a := range pf[i].Value.Data() {
			b := pc[i].Value.Data()[j]
			move := float32(math.Abs(float64(b) - float64(before[i][j])))
			tol[i][j] += 4 * (ulp32(a) + ulp32(max(lr, move)))
			d := math.Abs(float64(a) - float64(b))
			if d > tol[i][j] {
				t.Fatalf("step %d: %s[%d]: fused %.9g, chain %.9g (|Δ| = %.3g > %.3g)", step, pf[i].Name, j, a, b, d, tol[i][j])
			}
			worst = max(worst, d/tol[i][j])
		}
	}
	return worst
}

func xgradValues(ps []*autodiff.Var) [][]float32 {
	out := make([][]float32, len(ps))
	for i, p := range ps {
		out[i] = slices.Clone(p.Value.Data())
	}
	return out
}

func xgradTols(ps []*autodiff.Var) [][]float64 {
	out := make([][]float64, len(ps))
	for i, p := range ps {
		out[i] = make([]float64, p.Value.Size())
	}
	return out
}

// TestXGradFusedMatchesChain runs each XGrad case's fused path and its
// chain side by side for 50 steps, each with the objective's gradient
// at the current values first (as after Backward): θ may differ by 4
// ulps of θ and of the step per step, accumulated; both take the same
// number of gradients, and their states have the same entries.
func TestXGradFusedMatchesChain(t *testing.T) {
	const steps = 50
	for _, tc := range xgradCases {
		t.Run(tc.name, func(t *testing.T) {
			pf := newParams(7, xgradSizes...)
			pc := cloneParams(pf)
			of, qf := xgradSetup(t, tc.mk, pf)
			oc, qc := xgradSetup(t, tc.mk, pc)
			if !of.Fused() || oc.SetFused(false) {
				t.Fatal("fused/chain selection")
			}
			tol := xgradTols(pf)
			worst := 0.0
			for s := 1; s <= steps; s++ {
				before := xgradValues(pc)
				qf.Gradient()
				qc.Gradient()
				of.StepWith(qf)
				oc.StepWith(qc)
				worst = max(worst, xgradCompare(t, s, of.LR(), pf, pc, before, tol))
			}
			if qf.calls != qc.calls {
				t.Errorf("fused took %d gradients, chain %d", qf.calls, qc.calls)
			}
			sf, err := of.State()
			if err != nil {
				t.Fatal(err)
			}
			sc, _ := oc.State()
			for k, x := range sc {
				y, ok := sf[k]
				if !ok || !slices.Equal(x.Shape(), y.Shape()) {
					t.Errorf("state entry %q: chain %v, fused %v", k, x.Shape(), y)
				}
			}
			if len(sf) != len(sc) {
				t.Errorf("fused state has %d entries, chain %d", len(sf), len(sc))
			}
			t.Logf("largest |Δ| = %.2f of the tolerance", worst)
		})
	}
}

// TestXGradFusedSwitches runs XGrad's fused path with a chain step in the
// middle, and with a checkpoint of another run loaded after a few steps,
// against the chain throughout: the direction the fused step keeps in
// its scratch buffer must not be used after either (the chain writes its
// update there; LoadState brings other moments).
func TestXGradFusedSwitches(t *testing.T) {
	for _, tc := range xgradCases[:2] {
		t.Run(tc.name, func(t *testing.T) {
			pf := newParams(7, xgradSizes...)
			pc := cloneParams(pf)
			of, qf := xgradSetup(t, tc.mk, pf)
			oc, qc := xgradSetup(t, tc.mk, pc)
			oc.SetFused(false)
			// A third run from other values, whose checkpoint replaces
			// both runs' state at step 8.
			po := newParams(8, xgradSizes...)
			oo, qo := xgradSetup(t, tc.mk, po)
			tol := xgradTols(pf)
			for s := 1; s <= 12; s++ {
				if s == 9 {
					st, err := oo.State()
					if err != nil {
						t.Fatal(err)
					}
					for _, o := range []*Optimizer{of, oc} {
						if err := o.LoadState(st); err != nil {
							t.Fatal(err)
						}
					}
					for i := range po {
						pf[i].Value.CopyFrom(po[i].Value)
						pc[i].Value.CopyFrom(po[i].Value)
					}
					tol = xgradTols(pf)
				}
				of.SetFused(s != 5) // step 5 on the chain
				before := xgradValues(pc)
				qf.Gradient()
				qc.Gradient()
				of.StepWith(qf)
				oc.StepWith(qc)
				if s <= 8 {
					qo.Gradient()
					oo.StepWith(qo)
				}
				xgradCompare(t, s, of.LR(), pf, pc, before, tol)
			}
		})
	}
}

// TestXGradFusedKeepsDirection checks that the fused step records each
// parameter's direction after every fused step, and that the next
// prediction reads it (so it needs no square root or division): with the
// stored direction replaced, θ̂ = θ − s·η·dir follows the replacement.
func TestXGradFusedKeepsDirection(t *testing.T) {
	ps := newParams(3, 5, 40)
	cfg := DefaultXGrad()
	cfg.LR, cfg.Steps = 0.01, 2
	x := &xgradFused{b1: cfg.Beta1, b2: cfg.Beta2, eps: cfg.Eps, steps: cfg.Steps}
	t0 := Chain(ScaleByXGrad(cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.Steps), AddDecayedWeights(), ScaleByLR())
	o, err := newPredictFused("xgrad", ps, t0, x.predict, x.step, cfg.LR, cfg.WeightDecay)
	if err != nil {
		t.Fatal(err)
	}
	q := &g1bRecorderN{xgradObjective: xgradObjective{ps: ps}}
	for s := 1; s <= 3; s++ {
		q.Gradient()
		o.StepWith(q)
		if len(x.dirs) != 2 {
			t.Fatalf("step %d: %d directions recorded, want 2", s, len(x.dirs))
		}
		for i, d := range x.dirs {
			if d.step != s || d.buf == nil || d.buf != &o.states[0][i].upd[0] {
				t.Errorf("step %d: parameter %d: direction of step %d", s, i, d.step)
			}
		}
	}
	// The next prediction is θ − s·η·dir from the stored direction, not
	// from m and v: replace it and see θ̂ follow.
	dirs := [][]float32{o.states[0][0].upd, o.states[0][1].upd}
	for i := range dirs {
		for j := range dirs[i] {
			dirs[i][j] = float32(j%7) - 3
		}
		dirs[i] = slices.Clone(dirs[i])
	}
	theta := xgradValues(ps)
	q.Gradient()
	o.StepWith(q)
	k := float32(cfg.Steps) * cfg.LR
	for i := range ps {
		for j, th := range theta[i] {
			want := th - k*dirs[i][j]
			if got := q.seen[i][j]; math.Abs(float64(got-want)) > 2*ulp32(want) {
				t.Fatalf("θ̂ %s[%d] = %v, want θ − sη·dir = %v", ps[i].Name, j, got, want)
			}
		}
	}
}

// g1bRecorderN records the values its last Gradient saw.
type g1bRecorderN struct {
	xgradObjective
	seen [][]float32
}

func (r *g1bRecorderN) Gradient() float32 {
	r.seen = xgradValues(r.ps)
	return r.xgradObjective.Gradient()
}

// TestXGradFusedNoAllocs checks that a fused XGrad step (prediction,
// gradient, step) does not allocate in steady state.
func TestXGradFusedNoAllocs(t *testing.T) {
	for _, tc := range []int{0, 3} {
		ps := newParams(1, 100, 7)
		o, q := xgradSetup(t, xgradCases[tc].mk, append(ps, newParams(2, 3, 4, 5, 6)...))
		q.Gradient()
		o.StepWith(q)
		o.StepWith(q)
		if n := testing.AllocsPerRun(50, func() { o.StepWith(q) }); n != 0 {
			t.Errorf("%s: %v allocations per StepWith, want 0", xgradCases[tc].name, n)
		}
	}
}

// BenchmarkXGradStep times one step of XGrad (AdamW base) and of
// XGrad-SGDM on one parameter of n = 1e6 elements, fused and chain, next
// to fused Adam's, AdamW's and SGD-momentum's Step in the same run, so
// that
//
//	go test -cpu 1 -run XXX -bench XGradStep -count 5 ./optim
//
// gives the ratios to Adam. The objective's gradient is a constant that
// costs nothing (constObjective): the forward and backward pass at θ̂,
// which is the model's cost, not the optimizer's, is excluded; what is
// timed is the prediction (save θ, write θ̂), the step from the saved θ,
// and the optimizer's bookkeeping. ns/param is reported, and on Linux
// cpu-ns/param, the benchmark thread's CPU time (which leaves out the time
// other processes held the core on a shared machine).
func BenchmarkXGradStep(b *testing.B) {
	const n = 1_000_000
	cases := []struct {
		name  string
		fused bool
		mk    func([]*autodiff.Var) (*Optimizer, error)
	}{
		{"adam", true, func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdam(ps, DefaultAdam()) }},
		{"adamw", true, func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdamW(ps, DefaultAdamW()) }},
		{"sgd-momentum", true, func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewSGD(ps, SGDConfig{LR: 0.01, Momentum: 0.9})
		}},
		{"xgrad", true, xgradCases[0].mk},
		{"xgrad-chain", false, xgradCases[0].mk},
		{"xgrad-sgdm", true, xgradCases[3].mk},
		{"xgrad-sgdm-chain", false, xgradCases[3].mk},
	}
	for _, tc := range cases {
		b.Run(fmt.Sprintf("%s/%d", tc.name, n), func(b *testing.B) {
			ps := newParams(1, n)
			fillGrads(ps, 1, 1)
			o, err := tc.mk(ps)
			if err != nil {
				b.Fatal(err)
			}
			o.SetFused(tc.fused)
			step := o.Step
			if o.NeedsObjective() {
				q := constObjective{ps: ps}
				step = func() { o.StepWith(q) }
			}
			step()
			step()
			timeSteps(b, n, step)
		})
	}
}
