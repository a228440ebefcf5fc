package optim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// Tests of the g1a optimizers (AdaMax, RMSProp, AdaGrad, AMSGrad,
// AdaBelief, Adafactor, AdaBound, AMSBound, C-AdamW, C-Lion, AdEMAMix)
// beyond the hand-computed steps: convergence, the METHODS.md
// identities and properties, fused against chain, state round trips,
// validation, the registry, allocation, and BenchmarkZooG1a.

type g1aCase struct {
	name string
	mk   func([]*autodiff.Var) (*Optimizer, error)
}

// g1aFactored2 is Adafactor's default with factoring from 2×2.
func g1aFactored2() AdafactorConfig {
	c := DefaultAdafactor()
	c.MinDimToFactor = 2
	return c
}

// g1aDefaults builds every g1a optimizer with its defaults (and a few
// non-default forms), for the state, allocation and registry tests.
var g1aDefaults = []g1aCase{
	{"adamax", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdaMax(ps, DefaultAdaMax()) }},
	{"rmsprop", func(ps []*autodiff.Var) (*Optimizer, error) { return NewRMSProp(ps, DefaultRMSProp()) }},
	{"adagrad", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdaGrad(ps, DefaultAdaGrad()) }},
	{"amsgrad", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAMSGrad(ps, DefaultAMSGrad()) }},
	{"amsgrad-corrected", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultAMSGrad()
		c.MaxCorrected = true
		return NewAMSGrad(ps, c)
	}},
	{"adabelief", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdaBelief(ps, DefaultAdaBelief()) }},
	{"adafactor", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdafactor(ps, DefaultAdafactor()) }},
	{"adafactor-factored-momentum", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := g1aFactored2()
		c.Beta1, c.WeightDecay = 0.9, 0.01
		return NewAdafactor(ps, c)
	}},
	{"adabound", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdaBound(ps, DefaultAdaBound()) }},
	{"amsbound", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAMSBound(ps, DefaultAdaBound()) }},
	{"cadamw", func(ps []*autodiff.Var) (*Optimizer, error) { return NewCAdamW(ps, DefaultCAdamW()) }},
	{"clion", func(ps []*autodiff.Var) (*Optimizer, error) { return NewCLion(ps, DefaultCLion()) }},
	{"ademamix", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdEMAMix(ps, DefaultAdEMAMix()) }},
	{"ademamix-warmup", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultAdEMAMix()
		c.AlphaWarmup, c.Beta3Warmup, c.WeightDecay = 5, 9, 0.1
		return NewAdEMAMix(ps, c)
	}},
}

// The fused AMSGrad and AdaBelief paths join TestFusedMatchesChain,
// TestStateRoundTrip, the allocation test and BenchmarkStep.
func init() {
	fusedCases = append(fusedCases, []struct {
		name string
		mk   func([]*autodiff.Var) (*Optimizer, error)
	}{
		{"amsgrad", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAMSGrad(ps, DefaultAMSGrad()) }},
		{"amsgrad-l2", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultAMSGrad()
			c.LR, c.WeightDecay = 0.01, 0.1
			return NewAMSGrad(ps, c)
		}},
		{"adabelief", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdaBelief(ps, DefaultAdaBelief()) }},
		{"adabelief-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultAdaBelief()
			c.LR, c.Eps, c.WeightDecay = 0.01, 1e-8, 0.1
			return NewAdaBelief(ps, c)
		}},
	}...)
}

// TestG1aFusedMatchesChainLong runs the fused AMSGrad and AdaBelief
// kernels against their chains for 1000 steps on sizes that cover the
// vector bodies and tails, with gradients whose scale changes over time
// (so AMSGrad's maximum is often the old value). Per step the two may
// differ by a few ulps of θ, of η and of the step itself (AdaBelief's
// steps can be many times η); the check sums 4 ulps of each per step.
func TestG1aFusedMatchesChainLong(t *testing.T) {
	const steps = 1000
	sizes := []int{1, 7, 16, 33, 100, 257}
	long := []string{"amsgrad", "amsgrad-l2", "adabelief", "adabelief-wd"}
	for _, tc := range fusedCases {
		if !slices.Contains(long, tc.name) {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			pf := newParams(9, sizes...)
			pc := cloneParams(pf)
			of, _ := tc.mk(pf)
			oc, _ := tc.mk(pc)
			if !of.Fused() || oc.SetFused(false) {
				t.Fatal("fused/chain selection")
			}
			lr := float32(of.LR())
			worst := 0.0
			tols := make([][]float64, len(pf))
			for i := range pf {
				tols[i] = make([]float64, pf[i].Value.Size())
			}
			for s := 1; s <= steps; s++ {
				fillGrads(pf, 4, s)
				scale := float32(math.Pow(10, math.Sin(float64(s)/37)))
				for i := range pf {
					for j := range pf[i].Grad.Data() {
						pf[i].Grad.Data()[j] *= scale
					}
					pc[i].Grad.CopyFrom(pf[i].Grad)
				}
				before := cloneParams(pc)
				of.Step()
				oc.Step()
				for i := range pf {
					for j, a := range pf[i].Value.Data() {
						b := pc[i].Value.Data()[j]
						tols[i][j] += 4 * (ulp32(a) + ulp32(lr) + ulp32(b-before[i].Value.Data()[j]))
						tol := tols[i][j]
						d := math.Abs(float64(a) - float64(b))
						if !(d <= tol) {
							t.Fatalf("step %d: %s[%d]: fused %.9g, chain %.9g (|Δ| = %.3g > %.3g)", s, pf[i].Name, j, a, b, d, tol)
						}
						worst = max(worst, d/tol)
					}
				}
			}
			t.Logf("largest |Δ| = %.3f of the tolerance", worst)
		})
	}
}

// g1aQuadratic runs steps of o on ½Σh_i x_i² from x = 1 (x of the given
// shape) with an optional cosine schedule and returns f0 and f.
func g1aQuadratic(t *testing.T, mk func([]*autodiff.Var) (*Optimizer, error), cosine bool, steps int, shape ...int) (f0, f float32) {
	n := 1
	for _, d := range shape {
		n *= d
	}
	x := autodiff.NewParam("x", tensor.Full(1, shape...))
	hc := autodiff.Const(tensor.FromSlice(quadCurv(n, 1e-2, 1e2), shape...))
	o, err := mk([]*autodiff.Var{x})
	if err != nil {
		t.Fatal(err)
	}
	var sched Schedule
	if cosine {
		sched = cosineFrom(o, steps)
	}
	tp := autodiff.NewTape()
	f0 = quadratic(tp, x, hc)
	for range steps {
		if sched != nil {
			o.SetLR(sched.LR(o.Steps()))
		}
		o.ZeroGrad()
		quadratic(tp, x, hc)
		o.Step()
	}
	return f0, quadratic(tp, x, hc)
}

// g1aConverge lists each method with learning rates for the quadratic
// and for Rosenbrock (cosine-decayed when cosine).
var g1aConverge = []struct {
	name      string
	mk        func(lr float32) func([]*autodiff.Var) (*Optimizer, error)
	quadLR    float32
	rosenLR   float32
	cosine    bool
	quadShape []int
	// rosenMk, if set, replaces mk on Rosenbrock: Adafactor's relative
	// step, 1e-2·max(ε2, |θ|) on a scalar, is too short to follow the
	// valley in 10000 steps, so Rosenbrock runs its fixed-η form.
	rosenMk func(lr float32) func([]*autodiff.Var) (*Optimizer, error)
}{
	{name: "adamax", mk: g1aByName("adamax", nil), quadLR: 0.05, rosenLR: 0.01, cosine: true},
	{name: "rmsprop", mk: g1aByName("rmsprop", nil), quadLR: 0.01, rosenLR: 1e-3, cosine: true},
	{name: "adagrad", mk: g1aByName("adagrad", nil), quadLR: 0.5, rosenLR: 0.1},
	{name: "amsgrad", mk: g1aByName("amsgrad", nil), quadLR: 0.05, rosenLR: 0.01, cosine: true},
	{name: "amsgrad-corrected", mk: g1aByName("amsgrad", map[string]string{"max_corrected": "true"}), quadLR: 0.05, rosenLR: 0.01, cosine: true},
	{name: "adabelief", mk: g1aByName("adabelief", nil), quadLR: 0.05, rosenLR: 0.01, cosine: true},
	{name: "adafactor", mk: g1aByName("adafactor", nil), rosenMk: g1aByName("adafactor", g1aFixedLR), quadLR: 1, rosenLR: 0.01, cosine: true},
	{name: "adafactor-factored", mk: func(lr float32) func([]*autodiff.Var) (*Optimizer, error) {
		return func(ps []*autodiff.Var) (*Optimizer, error) {
			c := g1aFactored2()
			c.LR = lr
			return NewAdafactor(ps, c)
		}
	}, rosenMk: g1aByName("adafactor", g1aFixedLR), quadLR: 1, rosenLR: 0.01, cosine: true, quadShape: []int{4, 4}},
	{name: "adabound", mk: g1aByName("adabound", map[string]string{"final_lr": "0.01"}), quadLR: 0.05, rosenLR: 0.01, cosine: true},
	{name: "amsbound", mk: g1aByName("amsbound", map[string]string{"final_lr": "0.01"}), quadLR: 0.05, rosenLR: 0.01, cosine: true},
	{name: "cadamw", mk: g1aByName("cadamw", nil), quadLR: 0.05, rosenLR: 0.01, cosine: true},
	{name: "clion", mk: g1aByName("clion", nil), quadLR: 0.01, rosenLR: 1e-3, cosine: true},
	{name: "ademamix", mk: g1aByName("ademamix", nil), quadLR: 0.05, rosenLR: 0.01, cosine: true},
}

// g1aFixedLR turns Adafactor's relative step and parameter scaling off.
var g1aFixedLR = map[string]string{"relative_step": "false", "scale_parameter": "false"}

// g1aByName builds the registered optimizer name with learning rate lr
// and the given arguments over the registry's defaults (optim.New).
func g1aByName(name string, args map[string]string) func(lr float32) func([]*autodiff.Var) (*Optimizer, error) {
	return func(lr float32) func([]*autodiff.Var) (*Optimizer, error) {
		return func(ps []*autodiff.Var) (*Optimizer, error) { return New(name, ps, lr, -1, args) }
	}
}

func TestG1aConvergeQuadratic(t *testing.T) {
	const steps = 3000
	for _, tc := range g1aConverge {
		shape := tc.quadShape
		if shape == nil {
			shape = []int{16}
		}
		f0, f := g1aQuadratic(t, tc.mk(tc.quadLR), tc.cosine, steps, shape...)
		t.Logf("%s: f %g -> %g", tc.name, f0, f)
		if !(f < 1e-4*f0) {
			t.Errorf("%s: f = %g after %d steps, want < %g", tc.name, f, steps, 1e-4*f0)
		}
	}
}

func TestG1aConvergeRosenbrock(t *testing.T) {
	const steps = 10000
	for _, tc := range g1aConverge {
		x := autodiff.NewParam("x", tensor.Full(-1, 1))
		y := autodiff.NewParam("y", tensor.Full(1, 1))
		mk := tc.mk
		if tc.rosenMk != nil {
			mk = tc.rosenMk
		}
		o, err := mk(tc.rosenLR)([]*autodiff.Var{x, y})
		if err != nil {
			t.Fatal(err)
		}
		var sched Schedule
		if tc.cosine {
			sched = cosineFrom(o, steps)
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
		t.Logf("%s: (x, y) = (%g, %g), f = %g", tc.name, x.Item(), y.Item(), f)
		if !(math.Abs(float64(x.Item())-1) < 1e-2 && math.Abs(float64(y.Item())-1) < 2e-2) {
			t.Errorf("%s: ended at (%g, %g), want (1, 1)", tc.name, x.Item(), y.Item())
		}
	}
}

// g1aStateBuf returns a copy of a parameter's state buffer by name.
func g1aStateBuf(t *testing.T, o *Optimizer, param, buf string) []float32 {
	t.Helper()
	st, err := o.State()
	if err != nil {
		t.Fatal(err)
	}
	b, ok := st["state."+param+"."+buf]
	if !ok {
		t.Fatalf("no state %q for %q", buf, param)
	}
	return b.Data()
}

// TestG1aAdEMAMixAlphaZeroIsAdam: with α = 0 AdEMAMix is AdamW (the
// chain) bit for bit, whatever β3, with and without decay (METHODS.md
// 1.11).
func TestG1aAdEMAMixAlphaZeroIsAdam(t *testing.T) {
	for _, wd := range []float32{0, 0.1} {
		pa := newParams(3, 5, 40)
		pb := cloneParams(pa)
		c := DefaultAdEMAMix()
		c.LR, c.Alpha, c.Beta3, c.WeightDecay, c.Beta3Warmup = 0.01, 0, 0.999, wd, 7
		oa, err := NewAdEMAMix(pa, c)
		if err != nil {
			t.Fatal(err)
		}
		oa.SetFused(false) // the chain; the fused kernel agrees up to rounding (asm tests)
		ob, _ := NewAdamW(pb, AdamConfig{LR: 0.01, Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, WeightDecay: wd})
		ob.SetFused(false)
		for s := 1; s <= 30; s++ {
			fillGrads(pa, 8, s)
			fillGrads(pb, 8, s)
			oa.Step()
			ob.Step()
			for i := range pa {
				if !tensorEqual(pa[i].Value, pb[i].Value) {
					t.Fatalf("λ=%v step %d: %s differs from AdamW", wd, s, pa[i].Name)
				}
			}
		}
		// and α > 0 does differ
		c.Alpha = 2
		oc, _ := NewAdEMAMix(pa, c)
		before := cloneParams(pa)
		oc.Step()
		ob.Step()
		if tensorEqual(before[0].Value, pa[0].Value) {
			t.Fatal("α = 2 did not move θ")
		}
	}
}

// TestG1aRMSPropIsAdamWithoutMomentum: RMSProp (ε outside the root) is
// Adam with β1 = 0 without bias correction: with ε = 0 Adam's direction is
// √bc2 times RMSProp's (METHODS.md 1.4).
func TestG1aRMSPropIsAdamWithoutMomentum(t *testing.T) {
	const rho = 0.9
	rms, adam := ScaleByRMS(rho, 0, false), ScaleByAdam(0, rho, 0)
	sr, sa := rms.Init(6), adam.Init(6)
	p := make([]float32, 6)
	for s := 1; s <= 20; s++ {
		g := []float32{0.1, -2, 3e-3, 7, -0.5, 1}
		for j := range g {
			g[j] *= float32(1 + 0.1*float64(s*j%5))
		}
		ur, ua := slices.Clone(g), slices.Clone(g)
		rms.Update([]Slot{NewSlot("w", ur, p, sr, s, 1, 0)})
		adam.Update([]Slot{NewSlot("w", ua, p, sa, s, 1, 0)})
		k := math.Sqrt(1 - math.Pow(rho, float64(s)))
		for j := range g {
			if !near(float64(ua[j]), k*float64(ur[j]), 1e-6, 0) {
				t.Fatalf("step %d [%d]: adam %g, √bc2·rmsprop %g", s, j, ua[j], k*float64(ur[j]))
			}
		}
	}
}

// TestG1aAMSGradMaxNonDecreasing: v̂ never decreases, in both forms, even
// as the gradients shrink (METHODS.md 1.5).
func TestG1aAMSGradMaxNonDecreasing(t *testing.T) {
	for _, corrected := range []bool{false, true} {
		for _, fused := range []bool{false, true} {
			ps := newParams(5, 50)
			c := DefaultAMSGrad()
			c.MaxCorrected = corrected
			o, _ := NewAMSGrad(ps, c)
			o.SetFused(fused)
			var prev []float32
			decreasedV := false
			for s := 1; s <= 60; s++ {
				fillGrads(ps, 6, s)
				for j := range ps[0].Grad.Data() {
					ps[0].Grad.Data()[j] *= float32(math.Pow(0.8, float64(s)))
				}
				var prevV []float32
				if s > 1 {
					prevV = g1aStateBuf(t, o, "p0", "exp_avg_sq")
				}
				o.Step()
				vh := g1aStateBuf(t, o, "p0", "max_exp_avg_sq")
				v := g1aStateBuf(t, o, "p0", "exp_avg_sq")
				for j := range vh {
					if prev != nil && vh[j] < prev[j] {
						t.Fatalf("corrected=%v fused=%v step %d: v̂[%d] fell from %g to %g", corrected, fused, s, j, prev[j], vh[j])
					}
					if prevV != nil && v[j] < prevV[j] {
						decreasedV = true
					}
				}
				prev = vh
			}
			if !decreasedV {
				t.Fatal("v never decreased: the test checks nothing")
			}
		}
	}
}

// TestG1aAMSGradCounterexample is Reddi et al.'s online problem on
// [−1, 1]: f_t(x) = C·x when t mod 3 = 1, else −x, C = 3, β1 = 0,
// β2 = 1/(1+C²), η_t = η/√t, projected. The optimum is x = −1; Adam drifts
// to +1, AMSGrad does not (METHODS.md 1.5).
func TestG1aAMSGradCounterexample(t *testing.T) {
	const C, steps, eta = 3.0, 3000, 0.5
	run := func(mk func([]*autodiff.Var, AdamConfig) (*Optimizer, error)) float32 {
		x := autodiff.NewParam("x", tensor.Full(0, 1))
		x.Grad = tensor.New(1)
		o, err := mk([]*autodiff.Var{x}, AdamConfig{LR: eta, Beta1: 0, Beta2: 1 / (1 + C*C), Eps: 1e-8})
		if err != nil {
			t.Fatal(err)
		}
		for s := 1; s <= steps; s++ {
			g := float32(-1)
			if s%3 == 1 {
				g = C
			}
			x.Grad.Data()[0] = g
			o.SetLR(float32(eta / math.Sqrt(float64(s))))
			o.Step()
			x.Value.Data()[0] = min(max(x.Value.Data()[0], -1), 1)
		}
		return x.Item()
	}
	adam := run(NewAdam)
	ams := run(func(ps []*autodiff.Var, c AdamConfig) (*Optimizer, error) {
		return NewAMSGrad(ps, AMSGradConfig{LR: c.LR, Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps})
	})
	t.Logf("x after %d steps: adam %g, amsgrad %g", steps, adam, ams)
	if !(adam > 0.9) {
		t.Errorf("adam ended at %g: the counterexample did not fool it", adam)
	}
	if !(ams < -0.9) {
		t.Errorf("amsgrad ended at %g, want near -1", ams)
	}
}

// TestG1aAdaGradSteps: the accumulator never decreases, so the
// per-coordinate rate η/√(s+ε) never grows (METHODS.md 1.4).
func TestG1aAdaGradSteps(t *testing.T) {
	ps := newParams(2, 30)
	o, _ := NewAdaGrad(ps, DefaultAdaGrad())
	prev := slices.Repeat([]float32{0.1}, 30)
	for s := 1; s <= 40; s++ {
		fillGrads(ps, 2, s)
		o.Step()
		acc := g1aStateBuf(t, o, "p0", "sum")
		for j := range acc {
			if acc[j] < prev[j] {
				t.Fatalf("step %d: sum[%d] fell from %g to %g", s, j, prev[j], acc[j])
			}
		}
		prev = acc
	}
}

// TestG1aAdaBeliefBelief: with a constant gradient g − m → 0, s shrinks
// and the step grows beyond η ("trust the gradient"); with a gradient
// that alternates in sign s stays large and the step below η (METHODS.md
// 1.7).
func TestG1aAdaBeliefBelief(t *testing.T) {
	const lr = 1e-3
	for _, fused := range []bool{false, true} {
		step := func(alternate bool, s int) float64 {
			x := autodiff.NewParam("x", tensor.Full(0, 1))
			x.Grad = tensor.New(1)
			c := DefaultAdaBelief()
			c.LR = lr
			o, _ := NewAdaBelief([]*autodiff.Var{x}, c)
			o.SetFused(fused)
			var last float64
			for k := 1; k <= s; k++ {
				g := float32(1)
				if alternate && k%2 == 0 {
					g = -1
				}
				x.Grad.Data()[0] = g
				before := x.Item()
				o.Step()
				last = math.Abs(float64(x.Item() - before))
			}
			return last
		}
		// Adam's step for a constant gradient stays ≈ η.
		early, late := step(false, 5), step(false, 50)
		if !(late > 3*lr && late > 2*early) {
			t.Errorf("fused=%v: constant gradient: step %g at t=5, %g at t=50, want growing beyond 3η", fused, early, late)
		}
		for _, s := range []int{2, 3, 10, 51} {
			if a := step(true, s); !(a < lr) {
				t.Errorf("fused=%v: alternating gradient: step %g at t=%d, want < η", fused, a, s)
			}
		}
	}
}

// TestG1aAdaBoundBounds: the effective per-coordinate rate (θ_old −
// θ_new)/m lies in [lo(t), hi(t)], and late in a run with γ = 1 both
// bounds are final_lr·η/η₀ up to 1/t (METHODS.md 1.9), also after the LR
// is halved.
func TestG1aAdaBoundBounds(t *testing.T) {
	for _, ams := range []bool{false, true} {
		ps := newParams(4, 64)
		c := DefaultAdaBound()
		c.Gamma = 1
		ctor := NewAdaBound
		if ams {
			ctor = NewAMSBound
		}
		o, _ := ctor(ps, c)
		for s := 1; s <= 200; s++ {
			fillGrads(ps, 4, s)
			if s == 150 {
				o.SetLR(c.LR / 2)
			}
			star := c.FinalLR * float64(o.LR()) / float64(c.LR)
			tt := float64(s)
			lo, hi := star*(1-1/(c.Gamma*tt+1)), star*(1+1/(c.Gamma*tt))
			before := slices.Clone(ps[0].Value.Data())
			o.Step()
			m := g1aStateBuf(t, o, "p0", "exp_avg")
			for j, b := range before {
				if math.Abs(float64(m[j])) < 1e-3 {
					continue
				}
				rate := float64(b-ps[0].Value.Data()[j]) / float64(m[j])
				// θ is float32: the rate is known to 2 ulps of θ over |m|.
				tol := 2*ulp32(b)/math.Abs(float64(m[j])) + 1e-6*hi
				if rate < lo-tol || rate > hi+tol {
					t.Fatalf("amsbound=%v step %d: rate[%d] = %g outside [%g, %g]", ams, s, j, rate, lo, hi)
				}
			}
		}
	}
}

// TestG1aCautiousNeverAlongGradient: no coordinate moves in the direction
// of its own gradient, (θ_new − θ_old)·g ≤ 0, with λ = 0 (METHODS.md
// 1.10); and some coordinates do move.
func TestG1aCautiousNeverAlongGradient(t *testing.T) {
	for _, tc := range []g1aCase{
		{"cadamw", func(ps []*autodiff.Var) (*Optimizer, error) { return NewCAdamW(ps, DefaultCAdamW()) }},
		{"clion", func(ps []*autodiff.Var) (*Optimizer, error) { return NewCLion(ps, DefaultCLion()) }},
	} {
		ps := newParams(6, 100)
		o, _ := tc.mk(ps)
		masked, moved := 0, 0
		for s := 1; s <= 30; s++ {
			fillGrads(ps, 6, s)
			before := slices.Clone(ps[0].Value.Data())
			o.Step()
			for j, g := range ps[0].Grad.Data() {
				d := ps[0].Value.Data()[j] - before[j]
				if d*g > 0 {
					t.Fatalf("%s step %d: θ[%d] moved by %g along its gradient %g", tc.name, s, j, d, g)
				}
				if d == 0 {
					masked++
				} else {
					moved++
				}
			}
		}
		if masked == 0 || moved == 0 {
			t.Fatalf("%s: %d masked, %d moved: the test checks little", tc.name, masked, moved)
		}
	}
}

// TestG1aAdafactorRankOne: for a rank-1 gradient G_t = s_t·abᵀ the
// factored V̂ equals the exact EMA of G² (METHODS.md 1.8); with clipping,
// relative step and parameter scaling off and η = 1 the step is G/√V̂.
// With clipping on, RMS(Û) ≤ d.
func TestG1aAdafactorRankOne(t *testing.T) {
	const rows, cols = 5, 7
	a := []float64{1, -2, 0.5, 3, 0.1}
	b := []float64{0.3, 1, -1, 2, 0.01, 4, -0.7}
	scales := []float64{1, 3, -0.5, 2, 0.2, 1.5}
	grad := func(s int) []float32 {
		g := make([]float32, rows*cols)
		for i := range rows {
			for j := range cols {
				g[i*cols+j] = float32(scales[s] * a[i] * b[j])
			}
		}
		return g
	}
	t.Run("exact", func(t *testing.T) {
		c := g1aFactored2()
		c.RelativeStep, c.ScaleParameter, c.ClipThreshold = false, false, 1e30
		p := autodiff.NewParam("w", tensor.New(rows, cols))
		o, _ := NewAdafactor([]*autodiff.Var{p}, c)
		ema := make([]float64, rows*cols)
		for s := range scales {
			g := grad(s)
			p.Grad = tensor.FromSlice(g, rows, cols)
			bh := 1 - math.Pow(float64(s+1), -0.8)
			before := slices.Clone(p.Value.Data())
			o.Step()
			for k := range ema {
				ema[k] = bh*ema[k] + (1-bh)*float64(g[k])*float64(g[k])
				want := float64(g[k]) / math.Sqrt(ema[k])
				got := float64(before[k] - p.Value.Data()[k])
				if !near(got, want, 1e-5, 1e-6) {
					t.Fatalf("step %d [%d]: step %g, want G/√EMA(G²) = %g", s+1, k, got, want)
				}
			}
			if st := g1aStateBuf(t, o, "w", "exp_avg_sq"); slices.ContainsFunc(st[rows+cols:], func(x float32) bool { return x != 0 }) {
				t.Fatal("factored state wrote beyond r and c")
			}
		}
	})
	t.Run("clipped", func(t *testing.T) {
		const d = 0.5
		for _, factored := range []bool{true, false} {
			c := g1aFactored2()
			c.RelativeStep, c.ScaleParameter, c.ClipThreshold = false, false, d
			if !factored {
				c.MinDimToFactor = 100
			}
			p := autodiff.NewParam("w", tensor.New(rows, cols))
			o, _ := NewAdafactor([]*autodiff.Var{p}, c)
			for s := range scales {
				p.Grad = tensor.FromSlice(grad(s), rows, cols)
				if s%2 == 1 {
					fillGrads([]*autodiff.Var{p}, 7, s)
				}
				before := slices.Clone(p.Value.Data())
				o.Step()
				sum := 0.0
				for k, x := range p.Value.Data() {
					sum += float64(before[k]-x) * float64(before[k]-x)
				}
				if r := math.Sqrt(sum / (rows * cols)); r > d*(1+1e-5) {
					t.Fatalf("factored=%v step %d: RMS(Û) = %g > d = %g", factored, s+1, r, d)
				}
			}
		}
	})
}

// TestG1aStateRoundTrip: k steps, State, LoadState into a fresh optimizer
// over copies, more steps: bit-identical to an uninterrupted run, for
// every g1a optimizer (on a vector, a 6×8 matrix that Adafactor factors
// with MinDimToFactor 2, and a parameter without a gradient until step 4).
func TestG1aStateRoundTrip(t *testing.T) {
	const k, more = 6, 7
	mkParams := func() []*autodiff.Var {
		ps := newParams(11, 5, 48, 12)
		ps[1].Value = ps[1].Value.Reshape(6, 8)
		ps[1].Grad = tensor.New(6, 8)
		ps[2].Grad = nil
		return ps
	}
	run := func(o *Optimizer, ps []*autodiff.Var, from, to int) {
		for s := from; s < to; s++ {
			if s == 4 {
				ps[2].Grad = tensor.New(12)
			}
			live := ps[:2]
			if ps[2].Grad != nil {
				live = ps
			}
			fillGrads(live, 5, s)
			o.SetLR(Cosine(0.01, k+more, 0).LR(o.Steps()))
			o.Step()
		}
	}
	for _, tc := range g1aDefaults {
		for _, fused := range []bool{true, false} {
			ref := mkParams()
			oref, err := tc.mk(ref)
			if err != nil {
				t.Fatal(err)
			}
			oref.SetFused(fused)
			run(oref, ref, 0, 2)
			mid := cloneParams(ref)
			st2, err := oref.State()
			if err != nil {
				t.Fatal(err)
			}
			run(oref, ref, 2, k)
			snap := cloneParams(ref)
			st, err := oref.State()
			if err != nil {
				t.Fatal(err)
			}
			run(oref, ref, k, k+more)
			for _, c := range []struct {
				ps   []*autodiff.Var
				st   map[string]*tensor.Tensor
				from int
			}{{snap, st, k}, {mid, st2, 2}} {
				o, _ := tc.mk(c.ps)
				o.SetFused(fused)
				if err := o.LoadState(c.st); err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				run(o, c.ps, c.from, k+more)
				for i := range ref {
					if !tensorEqual(ref[i].Value, c.ps[i].Value) {
						t.Errorf("%s fused=%v: resumed at %d: %s differs from the uninterrupted run", tc.name, o.Fused(), c.from, ref[i].Name)
					}
				}
			}
		}
	}
}

// TestG1aStepDoesNotAllocate: after the first step (state, scratch) Step
// does not allocate, for every g1a optimizer on a vector and a matrix.
func TestG1aStepDoesNotAllocate(t *testing.T) {
	for _, tc := range g1aDefaults {
		for _, fused := range []bool{true, false} {
			ps := newParams(1, 10, 64)
			ps[1].Value = ps[1].Value.Reshape(8, 8)
			ps[1].Grad = tensor.New(8, 8)
			fillGrads(ps, 1, 1)
			o, _ := tc.mk(ps)
			o.SetFused(fused)
			o.Step()
			if n := testing.AllocsPerRun(10, o.Step); n != 0 {
				t.Errorf("%s fused=%v: Step allocates %v times", tc.name, o.Fused(), n)
			}
		}
	}
}

func TestG1aRejectBadHyperparameters(t *testing.T) {
	ps := newParams(1, 3)
	nan := math.NaN()
	for _, tc := range []struct {
		f    func() error
		want string
	}{
		{func() error { c := DefaultAdaMax(); c.Beta2 = 1; _, err := NewAdaMax(ps, c); return err },
			"optim: adamax: invalid beta2 1: must be in [0, 1)"},
		{func() error { c := DefaultRMSProp(); c.Rho = nan; _, err := NewRMSProp(ps, c); return err },
			"optim: rmsprop: invalid rho NaN: must be in [0, 1)"},
		{func() error { c := DefaultRMSProp(); c.Eps = -1; _, err := NewRMSProp(ps, c); return err },
			"optim: rmsprop: invalid eps -1: must be finite and >= 0"},
		{func() error { c := DefaultAdaGrad(); c.InitialAcc = -0.1; _, err := NewAdaGrad(ps, c); return err },
			"optim: adagrad: invalid initial_accumulator_value -0.1: must be finite and >= 0"},
		{func() error { c := DefaultAMSGrad(); c.LR = -1; _, err := NewAMSGrad(ps, c); return err },
			"optim: amsgrad: invalid lr -1: must be finite and >= 0"},
		{func() error { c := DefaultAdaBelief(); c.Beta1 = 1.5; _, err := NewAdaBelief(ps, c); return err },
			"optim: adabelief: invalid beta1 1.5: must be in [0, 1)"},
		{func() error { c := DefaultAdafactor(); c.DecayRate = 0; _, err := NewAdafactor(ps, c); return err },
			"optim: adafactor: invalid decay_rate 0: must be in (0, inf)"},
		{func() error { c := DefaultAdafactor(); c.ClipThreshold = -1; _, err := NewAdafactor(ps, c); return err },
			"optim: adafactor: invalid clip_threshold -1: must be in (0, inf)"},
		{func() error {
			c := DefaultAdafactor()
			c.MinDimToFactor = -1
			_, err := NewAdafactor(ps, c)
			return err
		},
			"optim: adafactor: invalid min_dim_size_to_factor -1: must be finite and >= 0"},
		{func() error { c := DefaultAdafactor(); c.Eps2 = nan; _, err := NewAdafactor(ps, c); return err },
			"optim: adafactor: invalid eps2 NaN: must be finite and >= 0"},
		{func() error { c := DefaultAdaBound(); c.LR = 0; _, err := NewAdaBound(ps, c); return err },
			"optim: adabound: invalid lr 0: must be in (0, inf)"},
		{func() error { c := DefaultAdaBound(); c.FinalLR = 0; _, err := NewAMSBound(ps, c); return err },
			"optim: amsbound: invalid final_lr 0: must be in (0, inf)"},
		{func() error { c := DefaultAdaBound(); c.Gamma = 2; _, err := NewAdaBound(ps, c); return err },
			"optim: adabound: invalid gamma 2: must be in (0, 1]"},
		{func() error { c := DefaultCAdamW(); c.Eps = -1; _, err := NewCAdamW(ps, c); return err },
			"optim: cadamw: invalid eps -1: must be finite and >= 0"},
		{func() error { c := DefaultCLion(); c.Beta1 = 1; _, err := NewCLion(ps, c); return err },
			"optim: clion: invalid beta1 1: must be in [0, 1)"},
		{func() error { c := DefaultAdEMAMix(); c.Beta3 = 1; _, err := NewAdEMAMix(ps, c); return err },
			"optim: ademamix: invalid beta3 1: must be in [0, 1)"},
		{func() error { c := DefaultAdEMAMix(); c.Alpha = -2; _, err := NewAdEMAMix(ps, c); return err },
			"optim: ademamix: invalid alpha -2: must be finite and >= 0"},
		{func() error { c := DefaultAdEMAMix(); c.AlphaWarmup = -1; _, err := NewAdEMAMix(ps, c); return err },
			"optim: ademamix: invalid alpha_warmup -1: must be finite and >= 0"},
	} {
		err := tc.f()
		if err == nil {
			t.Errorf("accepted; want %q", tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("error %q, want %q", err, tc.want)
		}
		var he *HyperparameterError
		if !errors.Is(err, ErrInvalidHyperparameter) || !errors.As(err, &he) {
			t.Errorf("%q is not a *HyperparameterError", err)
		}
	}
}

// TestG1aRegistry: every g1a name builds from its defaults, every argument
// is read (a bad value is an error naming it), and the fused flag and
// AMSGrad's form are honoured.
func TestG1aRegistry(t *testing.T) {
	names := []string{"adamax", "rmsprop", "adagrad", "amsgrad", "adabelief", "adafactor", "adabound",
		"amsbound", "cadamw", "clion", "ademamix"}
	for _, name := range names {
		if !slices.Contains(Names(), name) {
			t.Fatalf("%q not registered", name)
		}
		d, err := Defaults(name)
		if err != nil {
			t.Fatal(err)
		}
		o, err := New(name, newParams(1, 4), 0, -1, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if o.Name() != name || fmt.Sprint(o.LR()) != d["lr"] {
			t.Errorf("%s: built %q with lr %v, defaults %v", name, o.Name(), o.LR(), d)
		}
		if !o.Fused() {
			t.Errorf("%s: not fused (every first-order method has a fused step: TestFirstOrderFused)", name)
		}
		for k := range d {
			if k == "fused" {
				continue
			}
			if _, err := New(name, newParams(1, 4), 0, -1, map[string]string{k: "x"}); err == nil ||
				!strings.Contains(err.Error(), k) {
				t.Errorf("%s: %s=x: err = %v", name, k, err)
			}
		}
	}
	for _, tc := range []struct {
		name  string
		args  map[string]string
		fused bool
	}{
		{"amsgrad", map[string]string{"fused": "false"}, false},
		{"amsgrad", map[string]string{"max_corrected": "true"}, false},
		{"adabelief", map[string]string{"fused": "false", "eps": "1e-8"}, false},
		{"ademamix", map[string]string{"alpha_warmup": "100", "beta3_warmup": "100"}, true},
		{"ademamix", map[string]string{"fused": "false"}, false},
	} {
		o, err := New(tc.name, newParams(1, 4), 0, -1, tc.args)
		if err != nil || o.Fused() != tc.fused {
			t.Errorf("%s %v: err %v, fused %v", tc.name, tc.args, err, o != nil && o.Fused())
		}
	}
	if _, err := New("ademamix", newParams(1, 4), 0, -1, map[string]string{"alpha_warmup": "-3"}); err == nil {
		t.Error("ademamix alpha_warmup=-3 accepted")
	}
}

// BenchmarkZooG1a times one Step on one 1000×1000 parameter (n = 1e6; a
// matrix, so Adafactor factors it) for each g1a optimizer with its
// defaults, with fused Adam and the Adam chain as baselines in the same
// run. SetBytes counts parameter, gradient and state traffic; ns/param
// is reported.
func BenchmarkZooG1a(b *testing.B) {
	const n = 1000000
	cases := append([]g1aCase{
		{"adam-fused", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdam(ps, DefaultAdam()) }},
		{"adam-chain", func(ps []*autodiff.Var) (*Optimizer, error) {
			o, err := NewAdam(ps, DefaultAdam())
			if err == nil {
				o.SetFused(false)
			}
			return o, err
		}},
		{"amsgrad-chain", func(ps []*autodiff.Var) (*Optimizer, error) {
			o, err := NewAMSGrad(ps, DefaultAMSGrad())
			if err == nil {
				o.SetFused(false)
			}
			return o, err
		}},
		{"adabelief-chain", func(ps []*autodiff.Var) (*Optimizer, error) {
			o, err := NewAdaBelief(ps, DefaultAdaBelief())
			if err == nil {
				o.SetFused(false)
			}
			return o, err
		}},
	}, g1aDefaults...)
	for _, tc := range cases {
		b.Run(fmt.Sprintf("%s/%d", tc.name, n), func(b *testing.B) {
			rng := tensor.NewRNG(1)
			p := autodiff.NewParam("w", tensor.RandN(rng, 1, 1000, 1000))
			p.Grad = tensor.RandN(rng, 1, 1000, 1000)
			o, err := tc.mk([]*autodiff.Var{p})
			if err != nil {
				b.Fatal(err)
			}
			o.Step()
			o.Step()
			b.SetBytes(int64(4 * n * (2 + len(o.Transform().StateNames()))))
			b.ResetTimer()
			for b.Loop() {
				o.Step()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/param")
		})
	}
}
