package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// AdaBoundConfig holds the hyperparameters of NewAdaBound and NewAMSBound.
type AdaBoundConfig struct {
	LR          float32 // η > 0, the initial learning rate η₀
	FinalLR     float64 // the SGD rate both bounds approach, > 0
	Gamma       float64 // γ in (0, 1], the convergence speed of the bounds
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1)
	Eps         float64 // ε ≥ 0, added after the square root
	WeightDecay float32 // λ ≥ 0, an L2 term added to the gradient (as Luolc/AdaBound)
}

// DefaultAdaBound returns the defaults of METHODS.md 1.9 (Luolc/AdaBound):
// η = 1e-3, final_lr = 0.1, γ = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0.
func DefaultAdaBound() AdaBoundConfig {
	return AdaBoundConfig{LR: 1e-3, FinalLR: 0.1, Gamma: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

func (c AdaBoundConfig) validate(opt string) error {
	if err := checkRange(opt, "lr", float64(c.LR), 0, inf, true, true); err != nil {
		return err
	}
	if err := checkRange(opt, "final_lr", c.FinalLR, 0, inf, true, true); err != nil {
		return err
	}
	if err := checkRange(opt, "gamma", c.Gamma, 0, 1, true, false); err != nil {
		return err
	}
	return (AdamConfig{c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay}).validate(opt)
}

// NewAdaBound returns AdaBound (Luo et al., "Adaptive Gradient Methods with
// Dynamic Bound of Learning Rate"; METHODS.md 1.9, verified against
// Luolc/AdaBound adabound.py). For each parameter θ with gradient g, t its
// step count, bc1 = 1−β1^t, bc2 = 1−β2^t, η the current learning rate and
// η₀ the constructor's:
//
//	d ← g + λ·θ
//	m ← β1·m + (1−β1)·d
//	v ← β2·v + (1−β2)·d²
//	a = η·√bc2/bc1
//	α* = final_lr·η/η₀                 (an LR schedule scales the bounds too)
//	lo(t) = α*·(1 − 1/(γt+1)),  hi(t) = α*·(1 + 1/(γt))
//	θ ← θ − clip(a/(√v + ε), lo(t), hi(t)) ⊙ m
//
// The chain is AddDecayedWeights, ScaleByAdaBound, ScaleByLR: the
// transform clips (√bc2/bc1)/(√v+ε) to the bounds divided by η, which are
// final_lr/η₀·(1 ∓ …) and do not depend on η, and ScaleByLR multiplies by
// η. Luolc's code takes η₀ per parameter group; here η₀ is cfg.LR for
// every group, including those added by AddParamGroup. Steps run the
// fused asm.AdaBoundStep kernel (asm.AMSBoundStep for NewAMSBound), which
// clips η·√bc2/bc1/(√v+ε) to the η-scaled bounds directly and agrees with
// the chain up to rounding (SetFused(false) selects the chain). The state
// is "exp_avg" (m) and "exp_avg_sq" (v), starting at zero. NewAdaBound
// returns a *HyperparameterError for η, final_lr not finite and > 0, γ
// outside (0, 1], a negative or non-finite ε or λ, or a β outside [0, 1).
func NewAdaBound(params []*autodiff.Var, cfg AdaBoundConfig) (*Optimizer, error) {
	return newAdaBound("adabound", params, cfg, false)
}

// NewAMSBound returns AMSBound, AdaBound with AMSGrad's running maximum of
// the raw second moment in the denominator (Luolc/AdaBound, amsbound=True):
//
//	v̂ ← max(v̂, v),  θ ← θ − clip(a/(√v̂ + ε), lo(t), hi(t)) ⊙ m
//
// with the rest as NewAdaBound. The state adds "max_exp_avg_sq" (v̂).
func NewAMSBound(params []*autodiff.Var, cfg AdaBoundConfig) (*Optimizer, error) {
	return newAdaBound("amsbound", params, cfg, true)
}

func newAdaBound(opt string, params []*autodiff.Var, cfg AdaBoundConfig, ams bool) (*Optimizer, error) {
	if err := cfg.validate(opt); err != nil {
		return nil, err
	}
	sc := ScaleByAdaBound(cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.FinalLR/float64(cfg.LR), cfg.Gamma, ams)
	t := Chain(AddDecayedWeights(), sc, ScaleByLR())
	h := asm.AdaBoundParams{Gamma: cfg.Gamma, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps}
	ratio := cfg.FinalLR / float64(cfg.LR)
	k := func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		h := h
		h.LR, h.WeightDecay, h.Step = float64(lr), float64(wd), step
		h.FinalLR = ratio * float64(lr) // α* = final_lr·η/η₀
		if ams {
			asm.AMSBoundStep(p, g, st[0], st[1], st[2], h)
		} else {
			asm.AdaBoundStep(p, g, st[0], st[1], h)
		}
	}
	return newFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}

// ScaleByAdaBound returns the AdaBound (amsbound false) or AMSBound
// transform. For each element, with t the parameter's Step, bc1 = 1−β1^t,
// bc2 = 1−β2^t and r = finalRatio (final_lr/η₀):
//
//	m ← β1·m + (1−β1)·u
//	v ← β2·v + (1−β2)·u²
//	v̂ ← max(v̂, v)                                   (AMSBound; else v̂ = v)
//	u ← clip((√bc2/bc1)/(√v̂ + ε), r·(1 − 1/(γt+1)), r·(1 + 1/(γt))) · m
//
// so that ScaleByLR's η turns the bounds into Luolc's lo(t), hi(t). The
// scalars are computed in float64 and rounded once. The state is
// "exp_avg", "exp_avg_sq" and, for AMSBound, "max_exp_avg_sq". The caller
// validates the hyperparameters (NewAdaBound does).
func ScaleByAdaBound(beta1, beta2, eps, finalRatio, gamma float64, amsbound bool) Transform {
	return &scaleByAdaBound{b1: beta1, b2: beta2, eps: eps, ratio: finalRatio, gamma: gamma, ams: amsbound}
}

type scaleByAdaBound struct {
	b1, b2, eps, ratio, gamma float64
	ams                       bool
}

func (a *scaleByAdaBound) Name() string {
	if a.ams {
		return "scale_by_amsbound"
	}
	return "scale_by_adabound"
}

func (a *scaleByAdaBound) StateNames() []string {
	if a.ams {
		return amsgradStateNames
	}
	return adamStateNames
}

func (a *scaleByAdaBound) Init(n int) [][]float32 { return zeros(len(a.StateNames()), n) }

// bounds returns the clipping interval of step t, before η.
func (a *scaleByAdaBound) bounds(t float64) (lo, hi float32) {
	return float32(a.ratio * (1 - 1/(a.gamma*t+1))), float32(a.ratio * (1 + 1/(a.gamma*t)))
}

func (a *scaleByAdaBound) Update(slots []Slot) {
	b1, omb1 := float32(a.b1), float32(1-a.b1)
	b2, omb2 := float32(a.b2), float32(1-a.b2)
	eps := float32(a.eps)
	nb := len(a.StateNames())
	for i := range slots {
		s := &slots[i]
		st := stateOf(a, s, nb)
		t := float64(s.Step)
		step := float32(math.Sqrt(1-math.Pow(a.b2, t)) / (1 - math.Pow(a.b1, t)))
		lo, hi := a.bounds(t)
		u, m, v := s.U, st[0][:len(s.U)], st[1][:len(s.U)]
		var vh []float32
		if a.ams {
			vh = st[2][:len(s.U)]
		}
		for j, g := range u {
			mj := b1*m[j] + omb1*g
			vj := b2*v[j] + omb2*g*g
			m[j], v[j] = mj, vj
			w := vj
			if a.ams {
				if vh[j] > vj {
					w = vh[j]
				}
				vh[j] = w
			}
			x := step / (float32(math.Sqrt(float64(w))) + eps)
			x = min(max(x, lo), hi) // NaN x stays NaN
			u[j] = x * mj
		}
	}
}

func init() {
	c := DefaultAdaBound()
	args := func() map[string]string {
		return map[string]string{"lr": f32(c.LR), "final_lr": f64(c.FinalLR), "gamma": f64(c.Gamma),
			"beta1": f64(c.Beta1), "beta2": f64(c.Beta2), "eps": f64(c.Eps), "weight_decay": f32(c.WeightDecay)}
	}
	build := func(ctor func([]*autodiff.Var, AdaBoundConfig) (*Optimizer, error)) func([]*autodiff.Var, *argParser) (*Optimizer, error) {
		return func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := AdaBoundConfig{LR: a.f32("lr"), FinalLR: a.f64("final_lr"), Gamma: a.f64("gamma"),
				Beta1: a.f64("beta1"), Beta2: a.f64("beta2"), Eps: a.f64("eps"), WeightDecay: a.f32("weight_decay")}
			if a.err != nil {
				return nil, a.err
			}
			return ctor(ps, c)
		}
	}
	register("adabound", args(), build(NewAdaBound))
	register("amsbound", args(), build(NewAMSBound))
}
