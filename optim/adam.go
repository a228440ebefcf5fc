package optim

import (
	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// AdamConfig holds the hyperparameters of NewAdam and NewAdamW.
type AdamConfig struct {
	LR          float32 // η ≥ 0
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1)
	Eps         float64 // ε ≥ 0
	WeightDecay float32 // λ ≥ 0: L2 for Adam, decoupled for AdamW
}

// DefaultAdam returns torch's Adam defaults: η = 1e-3, β = (0.9, 0.999),
// ε = 1e-8, λ = 0.
func DefaultAdam() AdamConfig { return AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// DefaultAdamW returns torch's AdamW defaults: those of Adam with
// λ = 1e-2.
func DefaultAdamW() AdamConfig {
	c := DefaultAdam()
	c.WeightDecay = 1e-2
	return c
}

func (c AdamConfig) validate(opt string) error {
	if err := checkNonNeg(opt, "lr", float64(c.LR)); err != nil {
		return err
	}
	if err := checkNonNeg(opt, "eps", c.Eps); err != nil {
		return err
	}
	if err := checkRange(opt, "beta1", c.Beta1, 0, 1, false, true); err != nil {
		return err
	}
	if err := checkRange(opt, "beta2", c.Beta2, 0, 1, false, true); err != nil {
		return err
	}
	return checkNonNeg(opt, "weight_decay", float64(c.WeightDecay))
}

// NewAdam returns Adam (Kingma & Ba) with L2 weight decay, the update of
// torch.optim.Adam (amsgrad=False). For each parameter θ with gradient g,
// with t its step count, bc1 = 1−β1^t, bc2 = 1−β2^t:
//
//	d ← g + λ·θ
//	m ← β1·m + (1−β1)·d
//	v ← β2·v + (1−β2)·d²
//	θ ← θ − η · (m/bc1) / (√v/√bc2 + ε)
//
// The chain is AddDecayedWeights, ScaleByAdam, ScaleByLR; steps run the
// fused asm.AdamStep kernel. The state is "exp_avg" (m) and "exp_avg_sq"
// (v). NewAdam returns a *HyperparameterError for a negative or
// non-finite η, ε or λ, or a β outside [0, 1).
func NewAdam(params []*autodiff.Var, cfg AdamConfig) (*Optimizer, error) {
	if err := cfg.validate("adam"); err != nil {
		return nil, err
	}
	t := Chain(AddDecayedWeights(), ScaleByAdam(cfg.Beta1, cfg.Beta2, cfg.Eps), ScaleByLR())
	return newFused("adam", params, t, adamKernel(cfg, false), cfg.LR, cfg.WeightDecay)
}

// NewAdamW returns AdamW (Loshchilov & Hutter), Adam with decoupled
// weight decay, the update of torch.optim.AdamW:
//
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g²
//	θ ← θ − η · ( (m/bc1) / (√v/√bc2 + ε) + λ·θ )
//
// The chain is ScaleByAdam, AddDecayedWeights, ScaleByLR (optax adamw).
// The fused asm.AdamStep kernel computes torch's form
// θ·(1−ηλ) − η·(m/bc1)/(√v/√bc2 + ε), equal up to rounding. State and
// errors as NewAdam.
func NewAdamW(params []*autodiff.Var, cfg AdamConfig) (*Optimizer, error) {
	if err := cfg.validate("adamw"); err != nil {
		return nil, err
	}
	t := Chain(ScaleByAdam(cfg.Beta1, cfg.Beta2, cfg.Eps), AddDecayedWeights(), ScaleByLR())
	return newFused("adamw", params, t, adamKernel(cfg, true), cfg.LR, cfg.WeightDecay)
}

// adamKernel returns the fused step for a chain whose state is exactly
// ScaleByAdam's (exp_avg, exp_avg_sq).
func adamKernel(cfg AdamConfig, decoupled bool) fusedStep {
	h := asm.AdamParams{Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps, Decoupled: decoupled}
	return func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		h := h
		h.LR, h.WeightDecay, h.Step = float64(lr), float64(wd), step
		asm.AdamStep(p, g, st[0], st[1], h)
	}
}
