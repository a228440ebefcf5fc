package optim

import (
	"fmt"
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// The group-fused steps of METHODS §3 (DoG, L-DoG, AdaGrad-Norm) join
// the fused-vs-chain, state, no-allocation and benchmark tables: the
// defaults, and settings with weight decay (DoG without its average).
// SPS needs StepWith, so it has its own tests and benchmark below.
func init() {
	fusedCases = append(fusedCases, g3Cases...)
}

// g3Cases are this file's cases of fusedCases.
var g3Cases = []struct {
	name string
	mk   func([]*autodiff.Var) (*Optimizer, error)
}{
	{"dog", func(ps []*autodiff.Var) (*Optimizer, error) { return NewDoG(ps, DefaultDoG()) }},
	{"dog-wd-noavg", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultDoG()
		c.WeightDecay, c.Average = 0.01, false
		return NewDoG(ps, c)
	}},
	{"ldog", func(ps []*autodiff.Var) (*Optimizer, error) { return NewLDoG(ps, DefaultDoG()) }},
	{"ldog-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultDoG()
		c.WeightDecay, c.Gamma, c.RepsRel = 0.05, 0, 1e-4
		return NewLDoG(ps, c)
	}},
	{"adagrad-norm", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdaGradNorm(ps, DefaultAdaGradNorm()) }},
	{"adagrad-norm-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewAdaGradNorm(ps, AdaGradNormConfig{LR: 0.5, B0: 0.5, WeightDecay: 0.1})
	}},
}

// g3SPSCases are the SPS settings of the tests: the defaults, and c = 1
// with a larger cap and f* < 0 (so that γ is capped on some steps and not
// on others).
var g3SPSCases = []struct {
	name string
	mk   func([]*autodiff.Var) (*Optimizer, error)
}{
	{"sps", func(ps []*autodiff.Var) (*Optimizer, error) { return NewSPS(ps, DefaultSPS()) }},
	{"sps-c1", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewSPS(ps, SPSConfig{C: 1, MaxLR: 1.5, FStar: -20})
	}},
}

// g3Objective's loss is ½‖θ‖² + 1 over its parameters (computed in
// float64); its Gradient is not used (the tests set the gradients).
type g3Objective struct{ ps []*autodiff.Var }

func (o g3Objective) Params() []*autodiff.Var { return o.ps }
func (o g3Objective) Loss() float32 {
	s := 1.0
	for _, p := range o.ps {
		for _, x := range p.Value.Data() {
			s += 0.5 * float64(x) * float64(x)
		}
	}
	return float32(s)
}
func (o g3Objective) Gradient() float32                     { return o.Loss() }
func (o g3Objective) HVP([]*tensor.Tensor) []*tensor.Tensor { panic("g3Objective: no HVP") }

// TestG3FusedMatchesChain runs the fused step of every case of g3Cases
// and g3SPSCases against its chain for 50 steps on parameters of sizes 1
// to 1000 (block bodies and tails of the kernels), one of which has no
// gradient on its first 4 steps and on every third step after (so it
// joins late, as a fresh parameter among old ones, and then skips
// steps). The sums follow the same lane order on both paths, so the two
// may differ only where the chain's Axpy tail rounds u = g + λθ twice or
// a subnormal is flushed: the check allows 2 ulps of θ and of the step
// per step, accumulated, and reports how many elements are bit-identical.
// The optimizers' scalar state must match to 4 ulps per step.
func TestG3FusedMatchesChain(t *testing.T) {
	const steps = 50
	sizes := []int{1, 3, 17, 64, 133, 1000}
	type tcase struct {
		name string
		mk   func([]*autodiff.Var) (*Optimizer, error)
		sps  bool
	}
	var cases []tcase
	for _, c := range g3Cases {
		cases = append(cases, tcase{c.name, c.mk, false})
	}
	for _, c := range g3SPSCases {
		cases = append(cases, tcase{c.name, c.mk, true})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pf, pc, of, oc := fusedChainPair(t, tc.mk, 13, sizes...)
			gf, gc := pf[2].Grad, pc[2].Grad
			tols := make([][]float64, len(pf))
			for i := range pf {
				tols[i] = make([]float64, pf[i].Value.Size())
			}
			worst, same, total := 0.0, 0, 0
			for s := 1; s <= steps; s++ {
				pf[2].Grad, pc[2].Grad = gf, gc
				fillGrads(pf, 6, s)
				fillGrads(pc, 6, s)
				if s <= 4 || s%3 == 0 {
					pf[2].Grad, pc[2].Grad = nil, nil
				}
				before := cloneParams(pc)
				if tc.sps {
					of.StepWith(g3Objective{pf})
					oc.StepWith(g3Objective{pc})
				} else {
					of.Step()
					oc.Step()
				}
				for i := range pf {
					for j, a := range pf[i].Value.Data() {
						b := pc[i].Value.Data()[j]
						tols[i][j] += 2 * (ulp32(a) + ulp32(b-before[i].Value.Data()[j]))
						d := math.Abs(float64(a) - float64(b))
						if !(d <= tols[i][j]) {
							t.Fatalf("step %d: %s[%d]: fused %.9g, chain %.9g (|Δ| = %.3g > %.3g)", s, pf[i].Name, j, a, b, d, tols[i][j])
						}
						worst = max(worst, d/tols[i][j])
						total++
						if math.Float32bits(a) == math.Float32bits(b) {
							same++
						}
					}
				}
				sf, _ := of.State()
				sc, _ := oc.State()
				if len(sf) != len(sc) {
					t.Fatalf("step %d: %d state tensors fused, %d chain", s, len(sf), len(sc))
				}
				for k, v := range sf {
					w, ok := sc[k]
					if !ok || v.Size() != w.Size() {
						t.Fatalf("step %d: state %q differs in layout", s, k)
					}
					if v.Size() > 2 {
						continue // θ₀ and x̄: θ₀ is a copy; x̄ follows θ, checked by TestG3AverageMatches
					}
					for e, x := range v.Data() {
						if y := w.Data()[e]; math.Abs(float64(x)-float64(y)) > 4*float64(s)*ulp32(y) {
							t.Fatalf("step %d: state %s[%d]: fused %v, chain %v", s, k, e, x, y)
						}
					}
				}
			}
			t.Logf("largest |Δ| = %.3f of the tolerance; %d of %d values bit-identical", worst, same, total)
		})
	}
}

// TestG3AverageMatches checks DoG's averaged iterate x̄ (with and without
// weight decay) on the fused path against the chain's over 50 steps, to
// 2 ulps of x̄ and of θ's step per step, accumulated.
func TestG3AverageMatches(t *testing.T) {
	for _, wd := range []float32{0, 0.02} {
		t.Run(fmt.Sprint("wd=", wd), func(t *testing.T) {
			c := DefaultDoG()
			c.WeightDecay, c.Gamma = wd, 2
			pf := newParams(17, 5, 77, 300)
			pc := cloneParams(pf)
			of, _ := NewDoG(pf, c)
			oc, _ := NewDoG(pc, c)
			oc.SetFused(false)
			var tol float64
			for s := 1; s <= 50; s++ {
				fillGrads(pf, 8, s)
				fillGrads(pc, 8, s)
				of.Step()
				oc.Step()
				sf, _ := of.State()
				sc, _ := oc.State()
				step := 0.0
				for k, v := range sf {
					if v.Size() <= 2 {
						continue
					}
					for e, x := range v.Data() {
						y := sc[k].Data()[e]
						step = max(step, ulp32(x))
						if d := math.Abs(float64(x) - float64(y)); d > tol+2*float64(s)*ulp32(y) {
							t.Fatalf("step %d: %s[%d]: fused %v, chain %v", s, k, e, x, y)
						}
					}
				}
				tol += 2 * step
			}
		})
	}
}

// TestG3FusedPaths checks which path each optimizer of this group takes:
// the fused path under Step (DoG, L-DoG, AdaGrad-Norm) and under StepWith
// for SPS (its kernel reads the loss), the chain for DoG under StepWith
// (the chain may hold transforms that read the objective), and that Step
// on SPS still panics for want of the objective.
func TestG3FusedPaths(t *testing.T) {
	ps := newParams(3, 10, 20)
	fillGrads(ps, 1, 1)
	o, _ := NewSPS(ps, DefaultSPS())
	if !o.Fused() || !o.fusedObj {
		t.Fatal("sps: no fused step that takes the objective")
	}
	msg := mustPanic(t, o.Step)
	if msg != "optim: sps: step: this optimizer needs the objective: call StepWith" {
		t.Errorf("sps Step panic %q", msg)
	}
	d, _ := NewDoG(ps, DefaultDoG())
	if !d.Fused() || d.fusedObj || d.group == nil {
		t.Fatal("dog: want a group-fused step that does not take the objective")
	}
	// Under StepWith, DoG runs the chain: the fused kernel would give the
	// same θ, so check the path through a kernel that records its calls.
	calls := 0
	d.group = func([]fusedArgs) { calls++ }
	d.Step()
	d.StepWith(g3Objective{ps})
	if calls != 1 {
		t.Errorf("dog: group kernel ran %d times for one Step and one StepWith, want 1", calls)
	}
}

// TestGroupFusedNoAllocs checks that Step with a group kernel (and
// StepWith on SPS) does not allocate in steady state.
func TestGroupFusedNoAllocs(t *testing.T) {
	ps := newParams(1, 100, 7, 3000)
	fillGrads(ps, 1, 1)
	o, err := newGroupFused("test", ps, Chain(ScaleByLR()), func(args []fusedArgs) {
		for i := range args {
			args[i].P[0] -= args[i].G[0]
		}
	}, 0.1, 0)
	if err != nil {
		t.Fatal(err)
	}
	o.Step()
	if n := testing.AllocsPerRun(100, o.Step); n != 0 {
		t.Errorf("%v allocations per Step, want 0", n)
	}
	for _, tc := range g3SPSCases {
		s, _ := tc.mk(ps)
		q := Objective(g3Objective{ps})
		s.StepWith(q)
		if n := testing.AllocsPerRun(100, func() { s.StepWith(q) }); n != 0 {
			t.Errorf("%s: %v allocations per StepWith, want 0", tc.name, n)
		}
	}
}

// BenchmarkG3Step times one step of this group's fused paths (SPS with
// StepWith, fused and chain) on one parameter of n elements next to fused
// Adam's Step in the same run, so that
//
//	go test -cpu 1 -run XXX -bench G3Step -count 5 ./optim
//
// gives the ratios to Adam at n = 1e6 and in L2 (n = 16384, 4 buffers of
// 64 KB). SPS's objective has a constant loss (constObjective): the
// forward pass it needs is the model's cost, not the optimizer's.
// ns/param is reported, and on Linux cpu-ns/param, the benchmark thread's
// CPU time (which leaves out the time other processes held the core on a
// shared machine).
func BenchmarkG3Step(b *testing.B) {
	cases := []struct {
		name  string
		fused bool
		mk    func([]*autodiff.Var) (*Optimizer, error)
	}{
		{"adam", true, func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdam(ps, DefaultAdam()) }},
		{"sps", true, g3SPSCases[0].mk},
		{"sps-chain", false, g3SPSCases[0].mk},
	}
	for _, c := range g3Cases {
		cases = append(cases, struct {
			name  string
			fused bool
			mk    func([]*autodiff.Var) (*Optimizer, error)
		}{c.name, true, c.mk})
	}
	for _, n := range []int{16384, 1_000_000} {
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
					q := Objective(constObjective{ps: ps, loss: 1e5})
					step = func() { o.StepWith(q) }
				}
				step()
				b.SetBytes(int64(4 * n * (2 + len(o.Transform().StateNames()))))
				timeSteps(b, n, step)
			})
		}
	}
}
