package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// AdaMaxConfig holds the hyperparameters of NewAdaMax.
type AdaMaxConfig struct {
	LR          float32 // η ≥ 0
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1), decay of the infinity norm
	Eps         float64 // ε ≥ 0, added to |g| inside the maximum
	WeightDecay float32 // λ ≥ 0, an L2 term added to the gradient (torch.optim.Adamax)
}

// DefaultAdaMax returns the defaults of METHODS.md 1.2: η = 2e-3 (the
// paper's), β = (0.9, 0.999), ε = 1e-8, λ = 0.
func DefaultAdaMax() AdaMaxConfig {
	return AdaMaxConfig{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// NewAdaMax returns AdaMax, the infinity-norm variant of Adam (Kingma &
// Ba, "Adam: A Method for Stochastic Optimization", section 7.1;
// METHODS.md 1.2, verified against optax scale_by_adamax). For each
// parameter θ with gradient g, t its step count and bc1 = 1−β1^t:
//
//	d ← g + λ·θ
//	m ← β1·m + (1−β1)·d
//	u ← max(β2·u, |d| + ε)          (no bias correction on u)
//	θ ← θ − (η/bc1)·m/u
//
// The chain is AddDecayedWeights, ScaleByAdaMax, ScaleByLR; steps run the
// fused asm.AdaMaxStep kernel, which computes the same update up to
// rounding (SetFused(false) selects the chain). The state is "exp_avg"
// (m) and "exp_inf" (u), both starting at zero. NewAdaMax
// returns a *HyperparameterError for a negative or non-finite η, ε or λ,
// or a β outside [0, 1).
func NewAdaMax(params []*autodiff.Var, cfg AdaMaxConfig) (*Optimizer, error) {
	const opt = "adamax"
	if err := (AdamConfig{cfg.LR, cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.WeightDecay}).validate(opt); err != nil {
		return nil, err
	}
	t := Chain(AddDecayedWeights(), ScaleByAdaMax(cfg.Beta1, cfg.Beta2, cfg.Eps), ScaleByLR())
	h := asm.AdamParams{Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps}
	k := func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		h := h
		h.LR, h.WeightDecay, h.Step = float64(lr), float64(wd), step
		asm.AdaMaxStep(p, g, st[0], st[1], h)
	}
	return newFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}

// ScaleByAdaMax returns the AdaMax transform (optax scale_by_adamax). For
// each element, with t the parameter's Step and bc1 = 1−β1^t:
//
//	m ← β1·m + (1−β1)·u
//	w ← max(β2·w, |u| + ε)
//	u ← (1/bc1)·m/w
//
// 1/bc1 is computed in float64 and rounded once. The state is "exp_avg"
// (m) and "exp_inf" (w), starting at zero. A NaN gradient makes w NaN
// (the maximum is taken as β2·w > |u|+ε ? β2·w : |u|+ε). The caller
// validates the hyperparameters (NewAdaMax does).
func ScaleByAdaMax(beta1, beta2, eps float64) Transform {
	return &scaleByAdaMax{b1: beta1, b2: beta2, eps: eps}
}

type scaleByAdaMax struct{ b1, b2, eps float64 }

var adamaxStateNames = []string{"exp_avg", "exp_inf"}

func (*scaleByAdaMax) Name() string           { return "scale_by_adamax" }
func (*scaleByAdaMax) StateNames() []string   { return adamaxStateNames }
func (*scaleByAdaMax) Init(n int) [][]float32 { return zeros(2, n) }

func (a *scaleByAdaMax) Update(slots []Slot) {
	b1, omb1 := float32(a.b1), float32(1-a.b1)
	b2, eps := float32(a.b2), float32(a.eps)
	for i := range slots {
		s := &slots[i]
		st := stateOf(a, s, 2)
		c1 := float32(1 / (1 - math.Pow(a.b1, float64(s.Step))))
		u, m, w := s.U, st[0][:len(s.U)], st[1][:len(s.U)]
		for j, g := range u {
			mj := b1*m[j] + omb1*g
			wj := b2 * w[j]
			if a := float32(math.Abs(float64(g))) + eps; !(wj > a) {
				wj = a
			}
			m[j], w[j] = mj, wj
			u[j] = c1 * (mj / wj)
		}
	}
}

func init() {
	c := DefaultAdaMax()
	register("adamax", map[string]string{"lr": f32(c.LR), "beta1": f64(c.Beta1), "beta2": f64(c.Beta2),
		"eps": f64(c.Eps), "weight_decay": f32(c.WeightDecay)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := AdaMaxConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"),
				Eps: a.f64("eps"), WeightDecay: a.f32("weight_decay")}
			if a.err != nil {
				return nil, a.err
			}
			return NewAdaMax(ps, c)
		})
}
