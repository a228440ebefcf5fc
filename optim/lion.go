package optim

import (
	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// LionConfig holds the hyperparameters of NewLion.
type LionConfig struct {
	LR          float32 // η ≥ 0 (typically 3–10× smaller than AdamW's)
	Beta1       float64 // β1 in [0, 1), interpolation for the direction
	Beta2       float64 // β2 in [0, 1), decay of the momentum
	WeightDecay float32 // λ ≥ 0, decoupled (typically 3–10× larger than AdamW's)
}

// DefaultLion returns the defaults of the authors' lion_pytorch.py:
// η = 1e-4, β = (0.9, 0.99), λ = 0.
func DefaultLion() LionConfig { return LionConfig{LR: 1e-4, Beta1: 0.9, Beta2: 0.99} }

// NewLion returns Lion (Chen et al., "Symbolic Discovery of Optimization
// Algorithms"), the update of the authors' lion_pytorch.py. For each
// parameter θ with gradient g:
//
//	c ← β1·m + (1−β1)·g
//	m ← β2·m + (1−β2)·g
//	θ ← θ − η·(sign(c) + λ·θ)
//
// The chain is ScaleByLion, AddDecayedWeights, ScaleByLR (optax lion); the
// fused asm.LionStep kernel computes the authors' form
// θ·(1−ηλ) − η·sign(c), equal up to rounding. The state is "exp_avg" (m).
// NewLion returns a *HyperparameterError for a negative or non-finite η
// or λ, or a β outside [0, 1).
func NewLion(params []*autodiff.Var, cfg LionConfig) (*Optimizer, error) {
	const opt = "lion"
	if err := checkNonNeg(opt, "lr", float64(cfg.LR)); err != nil {
		return nil, err
	}
	if err := checkRange(opt, "beta1", cfg.Beta1, 0, 1, false, true); err != nil {
		return nil, err
	}
	if err := checkRange(opt, "beta2", cfg.Beta2, 0, 1, false, true); err != nil {
		return nil, err
	}
	if err := checkNonNeg(opt, "weight_decay", float64(cfg.WeightDecay)); err != nil {
		return nil, err
	}
	t := Chain(ScaleByLion(cfg.Beta1, cfg.Beta2), AddDecayedWeights(), ScaleByLR())
	h := asm.LionParams{Beta1: cfg.Beta1, Beta2: cfg.Beta2}
	k := func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		h := h
		h.LR, h.WeightDecay = float64(lr), float64(wd)
		asm.LionStep(p, g, st[0], h)
	}
	return newFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}
