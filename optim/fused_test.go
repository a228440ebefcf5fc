package optim

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
)

// fusedCases are optimizers with a fused kernel, in several settings.
var fusedCases = []struct {
	name string
	mk   func([]*autodiff.Var) (*Optimizer, error)
}{
	{"sgd", func(ps []*autodiff.Var) (*Optimizer, error) { return NewSGD(ps, SGDConfig{LR: 0.01}) }},
	{"sgd-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewSGD(ps, SGDConfig{LR: 0.01, WeightDecay: 0.1})
	}},
	{"sgd-momentum", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewSGD(ps, SGDConfig{LR: 0.01, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01})
	}},
	{"sgd-nesterov", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewSGD(ps, SGDConfig{LR: 0.01, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01})
	}},
	{"adam", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdam(ps, DefaultAdam()) }},
	{"adam-l2", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultAdam()
		c.WeightDecay = 0.1
		return NewAdam(ps, c)
	}},
	{"adamw", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultAdamW()
		c.LR, c.WeightDecay = 0.01, 0.1
		return NewAdamW(ps, c)
	}},
	{"lion", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultLion()
		c.LR, c.WeightDecay = 1e-3, 0.3
		return NewLion(ps, c)
	}},
	{"rmsprop", func(ps []*autodiff.Var) (*Optimizer, error) { return NewRMSProp(ps, DefaultRMSProp()) }},
	{"rmsprop-torch-l2", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewRMSProp(ps, RMSPropConfig{LR: 0.01, Rho: 0.99, Eps: 1e-8, WeightDecay: 0.1})
	}},
	{"adagrad", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdaGrad(ps, DefaultAdaGrad()) }},
	{"adagrad-l2", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultAdaGrad()
		c.InitialAcc, c.WeightDecay = 0, 0.1
		return NewAdaGrad(ps, c)
	}},
	{"adamax", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdaMax(ps, DefaultAdaMax()) }},
	{"adamax-l2", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewAdaMax(ps, AdaMaxConfig{LR: 0.01, Beta1: 0.8, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1})
	}},
	{"ademamix", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdEMAMix(ps, DefaultAdEMAMix()) }},
	{"ademamix-warmup-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultAdEMAMix()
		c.LR, c.Alpha, c.WeightDecay, c.AlphaWarmup, c.Beta3Warmup = 0.01, 5, 0.1, 20, 30
		return NewAdEMAMix(ps, c)
	}},
	{"cadamw", func(ps []*autodiff.Var) (*Optimizer, error) { return NewCAdamW(ps, DefaultCAdamW()) }},
	{"cadamw-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewCAdamW(ps, AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1})
	}},
	{"clion", func(ps []*autodiff.Var) (*Optimizer, error) { return NewCLion(ps, DefaultCLion()) }},
	{"clion-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewCLion(ps, LionConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.99, WeightDecay: 0.3})
	}},
	{"grams", func(ps []*autodiff.Var) (*Optimizer, error) { return NewGrams(ps, DefaultGrams()) }},
	{"grams-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewGrams(ps, GramsConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1})
	}},
	{"adabound", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdaBound(ps, DefaultAdaBound()) }},
	{"amsbound-l2", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultAdaBound()
		c.LR, c.Gamma, c.WeightDecay = 0.01, 0.1, 0.1
		return NewAMSBound(ps, c)
	}},
	{"diffgrad", func(ps []*autodiff.Var) (*Optimizer, error) { return NewDiffGrad(ps, DefaultDiffGrad()) }},
	{"diffgrad-l2", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewDiffGrad(ps, DiffGradConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1})
	}},
	{"exadam", func(ps []*autodiff.Var) (*Optimizer, error) { return NewEXAdam(ps, DefaultEXAdam()) }},
	{"exadam-dynamic-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewEXAdam(ps, EXAdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1, DynamicLR: true})
	}},
	// MARS updates matrices with its own kernel and the rest with AdamW:
	// marsMatrices makes every parameter whose size is not 1 or a prime a
	// matrix, so each test sees both kinds (and BenchmarkStep a matrix).
	{"mars", func(ps []*autodiff.Var) (*Optimizer, error) { return NewMARS(marsMatrices(ps), DefaultMARS()) }},
	{"mars-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultMARS()
		c.LR, c.Gamma, c.WeightDecay, c.LR1D, c.WeightDecay1D = 0.01, 0.1, 0.1, 3e-3, 0.05
		return NewMARS(marsMatrices(ps), c)
	}},
	{"mars-optimize1d", func(ps []*autodiff.Var) (*Optimizer, error) {
		c := DefaultMARS()
		c.WeightDecay, c.Optimize1D = 0.1, true
		return NewMARS(marsMatrices(ps), c)
	}},
}

// marsMatrices reshapes, in place, every parameter whose size n has a
// divisor d in [2, n) to a d×(n/d) matrix (d the smallest), leaving sizes
// 1 and primes as vectors, and returns ps.
func marsMatrices(ps []*autodiff.Var) []*autodiff.Var {
	for _, p := range ps {
		n := p.Value.Size()
		for d := 2; d*d <= n; d++ {
			if n%d == 0 {
				p.Value = p.Value.Reshape(d, n/d)
				break
			}
		}
	}
	return ps
}

// fusedStepScale is the typical step of a case in units of η where it is
// well above 1, so that the tolerance counts ulps of the step itself: the
// bounds of AMSBound with γ = 0.1 allow about 10η, and EXAdam's first
// steps are about 16η ((m+g)/bc1·d1 ≈ 22g over √(v/bc2·d2) ≈ 1.4|g|).
var fusedStepScale = map[string]float64{"amsbound-l2": 10, "exadam": 16, "exadam-dynamic-wd": 16}

// fusedStepOf returns a case's typical step in units of η (1 if not listed).
func fusedStepOf(name string) float64 {
	if x, ok := fusedStepScale[name]; ok {
		return x
	}
	return 1
}

// TestFusedMatchesChain runs each optimizer's fused kernel and its
// Transform chain side by side on the same random gradients for 50 steps
// (torch's test_foreach_matches_forloop). The two round differently
// (FMA, the order of the decay and the step, η applied at the end), so
// each step may differ by a few ulps of θ and of the step η·u; the
// differences accumulate at most linearly.
func TestFusedMatchesChain(t *testing.T) {
	const steps = 50
	sizes := []int{1, 3, 8, 17, 64, 133}
	for _, tc := range fusedCases {
		t.Run(tc.name, func(t *testing.T) {
			pf, pc, of, oc := fusedChainPair(t, tc.mk, 7, sizes...)
			lr := float64(of.LR()) * fusedStepOf(tc.name)
			worst := 0.0
			for s := 1; s <= steps; s++ {
				fillGrads(pf, 3, s)
				fillGrads(pc, 3, s)
				of.Step()
				oc.Step()
				worst = max(worst, checkFusedNear(t, s, pf, pc, lr))
			}
			t.Logf("largest |Δ| = %.2f of the tolerance", worst)
		})
	}
}

// checkFusedNear fails t unless, after step s, every value of pf (the
// fused path's parameters) is within 4·s ulps of itself plus 4·s ulps of
// lr (a unit step η·1, or the step's typical size if larger) of pc's (the
// chain's), and returns the largest difference as a fraction of its
// tolerance.
func checkFusedNear(t *testing.T, s int, pf, pc []*autodiff.Var, lr float64) float64 {
	t.Helper()
	worst := 0.0
	for i := range pf {
		for j, a := range pf[i].Value.Data() {
			b := pc[i].Value.Data()[j]
			tol := 4 * float64(s) * (ulp32(a) + ulp32(float32(lr)))
			d := math.Abs(float64(a) - float64(b))
			if d > tol {
				t.Fatalf("step %d: %s %v [%d]: fused %.9g, chain %.9g (|Δ| = %.3g > %.3g)",
					s, pf[i].Name, pf[i].Value.Shape(), j, a, b, d, tol)
			}
			worst = max(worst, d/tol)
		}
	}
	return worst
}
