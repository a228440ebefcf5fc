package optim

import (
	"fmt"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// Cautious returns the cautious mask of "Cautious Optimizers: Improving
// Training with One Line of Code" (Liang et al.; METHODS.md 1.10, verified
// against kyleliang919/C-Optim c_adamw.py and c_lion.py). Placed after a
// base transform's direction u and before weight decay, for each
// parameter of n elements with gradient g (Slot.G):
//
//	φ = 1[u ⊙ g > 0]
//	φ̃ = φ · n/(Σφ + 1)               (paperScaling: the paper and c_lion.py)
//	φ̃ = φ / max(mean(φ), 1e-3)       (otherwise: the current c_adamw.py)
//	u ← u ⊙ φ̃
//
// so no coordinate moves along its own gradient. The count Σφ is per
// parameter tensor, so Update makes two passes. Cautious is stateless.
// Update panics if a slot has no gradient (Slot.G nil or of another
// length, as in a Slot made by NewSlot without setting G).
func Cautious(paperScaling bool) Transform { return cautious{paper: paperScaling} }

type cautious struct{ paper bool }

func (cautious) Name() string           { return "cautious" }
func (cautious) StateNames() []string   { return nil }
func (cautious) Init(n int) [][]float32 { return nil }

func (c cautious) Update(slots []Slot) {
	for i := range slots {
		s := &slots[i]
		stateOf(c, s, 0)
		if len(s.G) != len(s.U) {
			panic(fmt.Sprintf("optim: cautious: parameter %q: needs the gradient (Slot.G has %d elements, want %d)",
				s.Name, len(s.G), len(s.U)))
		}
		u, g := s.U, s.G[:len(s.U)]
		count := 0
		for j, x := range u {
			if x*g[j] > 0 {
				count++
			}
		}
		n := float64(len(u))
		var scale float32
		if c.paper {
			scale = float32(n / float64(count+1))
		} else {
			scale = float32(1 / max(float64(count)/n, 1e-3))
		}
		for j, x := range u {
			if x*g[j] > 0 {
				u[j] = x * scale
			} else {
				u[j] = 0
			}
		}
	}
}

// NewCAdamW returns C-AdamW, AdamW with the cautious mask (METHODS.md
// 1.10). For each parameter θ with gradient g, with u Adam's direction
// (m/bc1)/(√(v/bc2)+ε) and φ̃ the mean-normalized mask of Cautious(false):
//
//	θ ← θ − η·( u ⊙ φ̃ + λ·θ )
//
// The chain is ScaleByAdam, Cautious(false), AddDecayedWeights, ScaleByLR;
// cfg is read as for NewAdamW and validated the same way (errors name
// "cadamw"). DefaultCAdamW gives the defaults. The state is Adam's.
//
// Steps run the fused asm.CAdamWStep kernel (a pass that updates m and
// counts the mask, then the rest of AdamW's update with the mask and
// scale), which computes
// the decay first and evaluates the mask as sign(m)·g > 0: the same mask
// as the chain's u·g > 0 (u = c·m with c > 0) except where a product
// falls below the smallest float32, so the two agree up to rounding.
// SetFused(false) selects the chain.
func NewCAdamW(params []*autodiff.Var, cfg AdamConfig) (*Optimizer, error) {
	const opt = "cadamw"
	if err := cfg.validate(opt); err != nil {
		return nil, err
	}
	t := Chain(ScaleByAdam(cfg.Beta1, cfg.Beta2, cfg.Eps), Cautious(false), AddDecayedWeights(), ScaleByLR())
	h := asm.AdamParams{Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps, Decoupled: true}
	k := func(a *fusedArgs) { // the mask count spans the whole parameter
		h := h
		h.LR, h.WeightDecay, h.Step = float64(a.LR), float64(a.WD), a.Step
		asm.CAdamWStep(a.P, a.G, a.St[0], a.St[1], h)
	}
	return newWholeFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}

// DefaultCAdamW returns the defaults of METHODS.md 1.10: η = 1e-3, β =
// (0.9, 0.999), ε = 1e-6, and λ = 0 (c_adamw.py's weight_decay default;
// METHODS.md gives none).
func DefaultCAdamW() AdamConfig { return AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6} }

// NewCLion returns C-Lion, Lion with the cautious mask (METHODS.md 1.10):
// with c = β1·m + (1−β1)·g and φ̃ the count-normalized mask of
// Cautious(true),
//
//	θ ← θ − η·( sign(c) ⊙ φ̃ + λ·θ )
//	m ← β2·m + (1−β2)·g
//
// The chain is ScaleByLion, Cautious(true), AddDecayedWeights, ScaleByLR;
// cfg is read and validated as for NewLion (errors name "clion").
// DefaultCLion gives the defaults. The state is Lion's ("exp_avg").
//
// Steps run the fused asm.CLionStep kernel (a pass that counts the mask,
// then Lion's one-pass update with the mask and scale), which agrees
// with the chain up to rounding (the decay comes first, η·n/(Σφ+1) is
// rounded once). SetFused(false) selects the chain.
func NewCLion(params []*autodiff.Var, cfg LionConfig) (*Optimizer, error) {
	const opt = "clion"
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
	t := Chain(ScaleByLion(cfg.Beta1, cfg.Beta2), Cautious(true), AddDecayedWeights(), ScaleByLR())
	h := asm.LionParams{Beta1: cfg.Beta1, Beta2: cfg.Beta2}
	k := func(a *fusedArgs) { // the mask count spans the whole parameter
		h := h
		h.LR, h.WeightDecay = float64(a.LR), float64(a.WD)
		asm.CLionStep(a.P, a.G, a.St[0], h)
	}
	return newWholeFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}

// DefaultCLion returns the defaults of METHODS.md 1.10: η = 1e-4, β =
// (0.95, 0.98), λ = 0.
func DefaultCLion() LionConfig { return LionConfig{LR: 1e-4, Beta1: 0.95, Beta2: 0.98} }

func init() {
	a := DefaultCAdamW()
	register("cadamw", map[string]string{"lr": f32(a.LR), "beta1": f64(a.Beta1), "beta2": f64(a.Beta2),
		"eps": f64(a.Eps), "weight_decay": f32(a.WeightDecay)},
		func(ps []*autodiff.Var, p *argParser) (*Optimizer, error) {
			c := AdamConfig{LR: p.f32("lr"), Beta1: p.f64("beta1"), Beta2: p.f64("beta2"),
				Eps: p.f64("eps"), WeightDecay: p.f32("weight_decay")}
			if p.err != nil {
				return nil, p.err
			}
			return NewCAdamW(ps, c)
		})
	l := DefaultCLion()
	register("clion", map[string]string{"lr": f32(l.LR), "beta1": f64(l.Beta1), "beta2": f64(l.Beta2),
		"weight_decay": f32(l.WeightDecay)},
		func(ps []*autodiff.Var, p *argParser) (*Optimizer, error) {
			c := LionConfig{LR: p.f32("lr"), Beta1: p.f64("beta1"), Beta2: p.f64("beta2"), WeightDecay: p.f32("weight_decay")}
			if p.err != nil {
				return nil, p.err
			}
			return NewCLion(ps, c)
		})
}
