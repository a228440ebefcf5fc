package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// AdaBeliefConfig holds the hyperparameters of NewAdaBelief.
type AdaBeliefConfig struct {
	LR          float32 // η ≥ 0
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1)
	Eps         float64 // ε ≥ 0, added inside s every step and after the square root
	WeightDecay float32 // λ ≥ 0, decoupled (the authors' weight_decouple=True)
}

// DefaultAdaBelief returns the defaults of METHODS.md 1.7 (optax): η =
// 1e-3, β = (0.9, 0.999), ε = 1e-16, λ = 0.
func DefaultAdaBelief() AdaBeliefConfig {
	return AdaBeliefConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-16}
}

// NewAdaBelief returns AdaBelief (Zhuang et al., "AdaBelief Optimizer:
// Adapting Stepsizes by the Belief in Observed Gradients"; METHODS.md 1.7,
// verified against optax scale_by_belief and pytorch_optimizer). For each
// parameter θ with gradient g, t its step count, bc1 = 1−β1^t, bc2 =
// 1−β2^t:
//
//	m ← β1·m + (1−β1)·g
//	s ← β2·s + (1−β2)·(g − m)² + ε      (the updated m; ε stored in s)
//	θ ← θ − η·( (m/bc1)/(√s/√bc2 + ε) + λ·θ )
//
// The chain is ScaleByBelief, AddDecayedWeights, ScaleByLR; steps run the
// fused asm.AdaBeliefStep kernel, which computes the decoupled decay as
// θ·(1−ηλ) first (as AdamW's kernel), equal up to rounding. The state is
// "exp_avg" (m) and "exp_avg_var" (s), both starting at zero.
// NewAdaBelief returns a *HyperparameterError for a negative or
// non-finite η, ε or λ, or a β outside [0, 1).
func NewAdaBelief(params []*autodiff.Var, cfg AdaBeliefConfig) (*Optimizer, error) {
	const opt = "adabelief"
	if err := (AdamConfig{cfg.LR, cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.WeightDecay}).validate(opt); err != nil {
		return nil, err
	}
	t := Chain(ScaleByBelief(cfg.Beta1, cfg.Beta2, cfg.Eps), AddDecayedWeights(), ScaleByLR())
	h := asm.AdamParams{Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps, Decoupled: true}
	k := func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		h := h
		h.LR, h.WeightDecay, h.Step = float64(lr), float64(wd), step
		asm.AdaBeliefStep(p, g, st[0], st[1], h)
	}
	return newFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}

// ScaleByBelief returns the AdaBelief transform (optax scale_by_belief
// with eps_root = ε). For each element, with t the parameter's Step,
// bc1 = 1−β1^t, bc2 = 1−β2^t:
//
//	m ← β1·m + (1−β1)·u
//	s ← β2·s + (1−β2)·(u − m)² + ε
//	u ← (1/bc1)·m/(√s·(1/√bc2) + ε)
//
// The state is "exp_avg" (m) and "exp_avg_var" (s), starting at zero. The
// caller validates the hyperparameters (NewAdaBelief does).
func ScaleByBelief(beta1, beta2, eps float64) Transform {
	return &scaleByBelief{b1: beta1, b2: beta2, eps: eps}
}

type scaleByBelief struct{ b1, b2, eps float64 }

var beliefStateNames = []string{"exp_avg", "exp_avg_var"}

func (*scaleByBelief) Name() string           { return "scale_by_belief" }
func (*scaleByBelief) StateNames() []string   { return beliefStateNames }
func (*scaleByBelief) Init(n int) [][]float32 { return zeros(2, n) }

func (a *scaleByBelief) Update(slots []Slot) {
	b1, omb1 := float32(a.b1), float32(1-a.b1)
	b2, omb2 := float32(a.b2), float32(1-a.b2)
	eps := float32(a.eps)
	for i := range slots {
		sl := &slots[i]
		st := stateOf(a, sl, 2)
		t := float64(sl.Step)
		c1 := float32(1 / (1 - math.Pow(a.b1, t)))
		rbc2 := float32(1 / math.Sqrt(1-math.Pow(a.b2, t)))
		u, m, s := sl.U, st[0][:len(sl.U)], st[1][:len(sl.U)]
		for j, g := range u {
			mj := b1*m[j] + omb1*g
			r := g - mj
			sj := b2*s[j] + omb2*r*r + eps
			m[j], s[j] = mj, sj
			d := float32(math.Sqrt(float64(sj)))*rbc2 + eps
			u[j] = c1 * (mj / d)
		}
	}
}

func init() {
	c := DefaultAdaBelief()
	register("adabelief", map[string]string{"lr": f32(c.LR), "beta1": f64(c.Beta1), "beta2": f64(c.Beta2),
		"eps": f64(c.Eps), "weight_decay": f32(c.WeightDecay)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := AdaBeliefConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"),
				Eps: a.f64("eps"), WeightDecay: a.f32("weight_decay")}
			if a.err != nil {
				return nil, a.err
			}
			return NewAdaBelief(ps, c)
		})
}
