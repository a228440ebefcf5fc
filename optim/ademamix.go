package optim

import (
	"fmt"
	"math"
	"strconv"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// AdEMAMixConfig holds the hyperparameters of NewAdEMAMix.
type AdEMAMixConfig struct {
	LR          float32 // η ≥ 0
	Beta1       float64 // β1 in [0, 1), the fast EMA
	Beta2       float64 // β2 in [0, 1), the second moment
	Beta3       float64 // β3 in [0, 1), the slow EMA
	Alpha       float64 // α ≥ 0, the weight of the slow EMA
	Eps         float64 // ε ≥ 0, added after the square root
	WeightDecay float32 // λ ≥ 0, decoupled
	AlphaWarmup int     // T_α ≥ 0: α rises linearly from 0 over T_α steps (0: off)
	Beta3Warmup int     // T_β3 ≥ 0: β3 moves from β1 in half-life space over T_β3 steps (0: off)
}

// DefaultAdEMAMix returns the defaults of METHODS.md 1.11 (the official
// code): η = 1e-3, β = (0.9, 0.999, 0.9999), α = 2, ε = 1e-8, λ = 0, no
// warm-ups.
func DefaultAdEMAMix() AdEMAMixConfig {
	return AdEMAMixConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Beta3: 0.9999, Alpha: 2, Eps: 1e-8}
}

// NewAdEMAMix returns AdEMAMix (Pagliardini, Ablin & Grangier, "The
// AdEMAMix Optimizer: Better, Faster, Older"; METHODS.md 1.11, verified
// against apple/ml-ademamix pytorch/ademamix.py). For each parameter θ with
// gradient g, t its step count, bc1 = 1−β1^t, bc2 = 1−β2^t:
//
//	m1 ← β1·m1 + (1−β1)·g          (fast EMA)
//	m2 ← β3·m2 + (1−β3)·g          (slow EMA, no bias correction)
//	v  ← β2·v  + (1−β2)·g²
//	θ ← θ − η·( (m1/bc1 + α·m2)/(√(v/bc2) + ε) + λ·θ )
//
// With α = 0 the update is AdamW's chain bit for bit. The official
// warm-ups, when T_α or T_β3 is positive, replace α and β3 at step t <
// T by
//
//	α_t  = (t/T_α)·α
//	β3_t = 0.5^(1/(f_t+1)),  f_t = (1−t/T_β3)·f(β1) + (t/T_β3)·f(β3),
//	       f(β) = ln 0.5/ln(β + 1e-8) − 1
//
// The chain is ScaleByAdEMAMix, AddDecayedWeights, ScaleByLR; steps run
// the fused asm.AdEMAMixStep kernel with α and β3 of the step's warm-up,
// which computes the decoupled decay first and shares one division
// between the two terms, so it agrees with the chain up to rounding (and
// with α = 0 with AdamW's fused kernel up to rounding); SetFused(false)
// selects the chain. The state is "exp_avg_fast" (m1), "exp_avg_slow" (m2)
// and "exp_avg_sq" (v), all starting at zero. NewAdEMAMix returns a *HyperparameterError for a
// negative or non-finite η, α, ε or λ, a β outside [0, 1), or a negative
// warm-up.
func NewAdEMAMix(params []*autodiff.Var, cfg AdEMAMixConfig) (*Optimizer, error) {
	const opt = "ademamix"
	if err := (AdamConfig{cfg.LR, cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.WeightDecay}).validate(opt); err != nil {
		return nil, err
	}
	if err := checkRange(opt, "beta3", cfg.Beta3, 0, 1, false, true); err != nil {
		return nil, err
	}
	if err := checkNonNeg(opt, "alpha", cfg.Alpha); err != nil {
		return nil, err
	}
	if err := checkNonNeg(opt, "alpha_warmup", float64(cfg.AlphaWarmup)); err != nil {
		return nil, err
	}
	if err := checkNonNeg(opt, "beta3_warmup", float64(cfg.Beta3Warmup)); err != nil {
		return nil, err
	}
	sc := ScaleByAdEMAMix(cfg.Beta1, cfg.Beta2, cfg.Beta3, cfg.Alpha, cfg.Eps, cfg.AlphaWarmup, cfg.Beta3Warmup)
	t := Chain(sc, AddDecayedWeights(), ScaleByLR())
	sched := sc.(*scaleByAdEMAMix).schedule
	h := asm.AdEMAMixParams{Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps}
	k := func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		h := h
		h.Alpha, h.Beta3 = sched(step)
		h.LR, h.WeightDecay, h.Step = float64(lr), float64(wd), step
		asm.AdEMAMixStep(p, g, st[0], st[1], st[2], h)
	}
	return newFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}

// ScaleByAdEMAMix returns the AdEMAMix transform. For each element, with
// t the parameter's Step, bc1 = 1−β1^t, bc2 = 1−β2^t, and α, β3 after the
// warm-ups of NewAdEMAMix (alphaWarmup, beta3Warmup ≤ 0: none):
//
//	m1 ← β1·m1 + (1−β1)·u
//	m2 ← β3·m2 + (1−β3)·u
//	v  ← β2·v  + (1−β2)·u²
//	d  = √v·(1/√bc2) + ε
//	u ← (1/bc1)·(m1/d) + α·(m2/d)
//
// rounded like ScaleByAdam, so α = 0 gives ScaleByAdam's u exactly (for
// finite m2/d). The state is "exp_avg_fast", "exp_avg_slow" and
// "exp_avg_sq", starting at zero. The caller validates the
// hyperparameters (NewAdEMAMix does).
func ScaleByAdEMAMix(beta1, beta2, beta3, alpha, eps float64, alphaWarmup, beta3Warmup int) Transform {
	return &scaleByAdEMAMix{b1: beta1, b2: beta2, b3: beta3, alpha: alpha, eps: eps, tA: alphaWarmup, tB: beta3Warmup}
}

type scaleByAdEMAMix struct {
	b1, b2, b3, alpha, eps float64
	tA, tB                 int
}

var ademamixStateNames = []string{"exp_avg_fast", "exp_avg_slow", "exp_avg_sq"}

func (*scaleByAdEMAMix) Name() string           { return "scale_by_ademamix" }
func (*scaleByAdEMAMix) StateNames() []string   { return ademamixStateNames }
func (*scaleByAdEMAMix) Init(n int) [][]float32 { return zeros(3, n) }

// schedule returns α and β3 at step t (the official linear_warmup_scheduler
// and linear_hl_warmup_scheduler).
func (a *scaleByAdEMAMix) schedule(t int) (alpha, beta3 float64) {
	alpha, beta3 = a.alpha, a.b3
	if t < a.tA {
		alpha = float64(t) / float64(a.tA) * a.alpha
	}
	if t < a.tB {
		f := func(b float64) float64 { return math.Log(0.5)/math.Log(b+1e-8) - 1 }
		r := float64(t) / float64(a.tB)
		ft := (1-r)*f(a.b1) + r*f(a.b3)
		beta3 = math.Pow(0.5, 1/(ft+1))
	}
	return alpha, beta3
}

func (a *scaleByAdEMAMix) Update(slots []Slot) {
	b1, omb1 := float32(a.b1), float32(1-a.b1)
	b2, omb2 := float32(a.b2), float32(1-a.b2)
	eps := float32(a.eps)
	for i := range slots {
		s := &slots[i]
		st := stateOf(a, s, 3)
		alpha64, beta3 := a.schedule(s.Step)
		alpha, b3, omb3 := float32(alpha64), float32(beta3), float32(1-beta3)
		t := float64(s.Step)
		c1 := float32(1 / (1 - math.Pow(a.b1, t)))
		rbc2 := float32(1 / math.Sqrt(1-math.Pow(a.b2, t)))
		u, m1, m2, v := s.U, st[0][:len(s.U)], st[1][:len(s.U)], st[2][:len(s.U)]
		for j, g := range u {
			fj := b1*m1[j] + omb1*g
			sj := b3*m2[j] + omb3*g
			vj := b2*v[j] + omb2*g*g
			m1[j], m2[j], v[j] = fj, sj, vj
			d := float32(math.Sqrt(float64(vj)))*rbc2 + eps
			u[j] = c1*(fj/d) + alpha*(sj/d)
		}
	}
}

// g1aCountArg parses a count (a non-negative integer) for the
// registry, keeping a's first error.
func g1aCountArg(a *argParser, key string) int {
	n, err := strconv.Atoi(a.vals[key])
	if (err != nil || n < 0) && a.err == nil {
		a.err = fmt.Errorf("optim: %s: argument %s=%q: not a non-negative integer", a.opt, key, a.vals[key])
	}
	return n
}

func init() {
	c := DefaultAdEMAMix()
	register("ademamix", map[string]string{"lr": f32(c.LR), "beta1": f64(c.Beta1), "beta2": f64(c.Beta2),
		"beta3": f64(c.Beta3), "alpha": f64(c.Alpha), "eps": f64(c.Eps), "weight_decay": f32(c.WeightDecay),
		"alpha_warmup": "0", "beta3_warmup": "0"},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := AdEMAMixConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"), Beta3: a.f64("beta3"),
				Alpha: a.f64("alpha"), Eps: a.f64("eps"), WeightDecay: a.f32("weight_decay"),
				AlphaWarmup: g1aCountArg(a, "alpha_warmup"), Beta3Warmup: g1aCountArg(a, "beta3_warmup")}
			if a.err != nil {
				return nil, a.err
			}
			return NewAdEMAMix(ps, c)
		})
}
