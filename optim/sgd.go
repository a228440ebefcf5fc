package optim

import (
	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// SGDConfig holds the hyperparameters of NewSGD (torch.optim.SGD).
type SGDConfig struct {
	LR          float32 // η ≥ 0
	Momentum    float64 // μ ≥ 0; 0 is plain SGD (no state)
	Dampening   float64 // τ in [0, 1]
	WeightDecay float32 // λ ≥ 0, L2: added to the gradient
	Nesterov    bool    // needs μ > 0 and τ = 0
}

// DefaultSGD returns torch's defaults: η = 1e-3, no momentum, no decay.
func DefaultSGD() SGDConfig { return SGDConfig{LR: 1e-3} }

// NewSGD returns stochastic gradient descent with momentum, the update of
// torch.optim.SGD. For each parameter θ with gradient g, with the
// momentum buffer b starting as d on the first step:
//
//	d ← g + λ·θ
//	b ← μ·b + (1−τ)·d
//	θ ← θ − η·(d + μ·b)     (Nesterov)
//	θ ← θ − η·b             (heavy ball; μ = 0 gives θ ← θ − η·d)
//
// The chain is AddDecayedWeights, Trace (if μ > 0), ScaleByLR; steps run
// the fused asm.SGDStep kernel. The state is "momentum_buffer" when μ > 0.
// NewSGD returns a *HyperparameterError for a negative or non-finite η,
// μ or λ, τ outside [0, 1], or Nesterov without μ > 0 and τ = 0.
func NewSGD(params []*autodiff.Var, cfg SGDConfig) (*Optimizer, error) {
	const opt = "sgd"
	for _, c := range []struct {
		name string
		x    float64
	}{{"lr", float64(cfg.LR)}, {"momentum", cfg.Momentum}, {"weight_decay", float64(cfg.WeightDecay)}} {
		if err := checkNonNeg(opt, c.name, c.x); err != nil {
			return nil, err
		}
	}
	if err := checkRange(opt, "dampening", cfg.Dampening, 0, 1, false, false); err != nil {
		return nil, err
	}
	if cfg.Nesterov && !(cfg.Momentum > 0 && cfg.Dampening == 0) {
		return nil, &HyperparameterError{Optimizer: opt, Name: "nesterov", Value: 1,
			Want: "nesterov momentum requires a momentum > 0 and zero dampening"}
	}
	var t Transform
	if cfg.Momentum > 0 {
		t = Chain(AddDecayedWeights(), Trace(cfg.Momentum, cfg.Dampening, cfg.Nesterov), ScaleByLR())
	} else {
		t = Chain(AddDecayedWeights(), ScaleByLR())
	}
	h := asm.SGDParams{Momentum: cfg.Momentum, Dampening: cfg.Dampening, Nesterov: cfg.Nesterov}
	k := func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		h := h
		h.LR, h.WeightDecay, h.FirstStep = float64(lr), float64(wd), step == 1
		var buf []float32
		if len(st) > 0 {
			buf = st[0]
		}
		asm.SGDStep(p, g, buf, h)
	}
	return newFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}
