package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// GramsConfig holds the hyperparameters of NewGrams.
type GramsConfig struct {
	LR          float32 // η ≥ 0
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1)
	Eps         float64 // ε ≥ 0
	WeightDecay float32 // λ ≥ 0, decoupled
}

// DefaultGrams returns the authors' defaults (METHODS.md 1.13):
// η = 1e-3, β = (0.9, 0.999), ε = 1e-6, λ = 0.
func DefaultGrams() GramsConfig { return GramsConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6} }

// NewGrams returns Grams (Cao et al., "Grams: Gradient Descent with
// Adaptive Momentum Scaling"), the update of the authors'
// Gunale0926/Grams grams/src/grams.py @f91a375 (METHODS.md 1.13,
// verified). For each parameter θ with gradient g, with t its step
// count, bc1 = 1−β1^t, bc2 = 1−β2^t:
//
//	θ ← θ·(1 − η·λ)
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g²
//	u = sign(g) ⊙ |m|              (sign(0) = 0)
//	θ ← θ − η·(√bc2/bc1)·u/(√v + ε)
//
// The momentum only sets the step's size: its direction is −sign(g). The
// chain is ScaleByGrams, AddDecayedWeights, ScaleByLR, which computes
// θ − η·(step + λ·θ), equal to the authors' decay-then-step form; steps
// run the fused asm.GramsStep kernel, which decays first as the authors
// do and agrees with the chain up to rounding (SetFused(false) selects
// the chain). The state is "exp_avg" (m) and "exp_avg_sq" (v). pytorch_optimizer's Grams
// swaps the EMA weights and misplaces √bc2; this follows the authors.
// NewGrams returns a *HyperparameterError for a negative or non-finite
// η, ε or λ, or a β outside [0, 1).
func NewGrams(params []*autodiff.Var, cfg GramsConfig) (*Optimizer, error) {
	const opt = "grams"
	if err := (AdamConfig{LR: cfg.LR, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps,
		WeightDecay: cfg.WeightDecay}).validate(opt); err != nil {
		return nil, err
	}
	t := Chain(ScaleByGrams(cfg.Beta1, cfg.Beta2, cfg.Eps), AddDecayedWeights(), ScaleByLR())
	h := asm.AdamParams{Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps, Decoupled: true}
	k := func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		h := h
		h.LR, h.WeightDecay, h.Step = float64(lr), float64(wd), step
		asm.GramsStep(p, g, st[0], st[1], h)
	}
	return newFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}

// ScaleByGrams returns the Grams transform: Adam's moments in the fused
// form (√bc2/bc1 outside, ε after the root of the raw v), with the
// momentum's sign replaced by the gradient's:
//
//	m ← β1·m + (1−β1)·u
//	v ← β2·v + (1−β2)·u²
//	u ← (√bc2/bc1)·sign(u)·|m|/(√v + ε)
//
// A zero gradient gives a zero update; a NaN gradient gives NaN. The
// state is "exp_avg" (m) and "exp_avg_sq" (v), starting at zero. The
// caller validates the hyperparameters (NewGrams does).
func ScaleByGrams(beta1, beta2, eps float64) Transform {
	return &scaleByGrams{b1: beta1, b2: beta2, eps: eps}
}

type scaleByGrams struct{ b1, b2, eps float64 }

func (*scaleByGrams) Name() string           { return "scale_by_grams" }
func (*scaleByGrams) StateNames() []string   { return adamStateNames }
func (*scaleByGrams) Init(n int) [][]float32 { return zeros(2, n) }

func (a *scaleByGrams) Update(slots []Slot) {
	b1, omb1 := float32(a.b1), float32(1-a.b1)
	b2, omb2 := float32(a.b2), float32(1-a.b2)
	eps := float32(a.eps)
	for i := range slots {
		s := &slots[i]
		st := stateOf(a, s, 2)
		c := fusedBiasCorrection(a.b1, a.b2, s.Step)
		u, m, v := s.U, st[0][:len(s.U)], st[1][:len(s.U)]
		for j, g := range u {
			mj := b1*m[j] + omb1*g
			vj := b2*v[j] + omb2*g*g
			m[j], v[j] = mj, vj
			d := float32(math.Abs(float64(mj)))
			switch {
			case g > 0:
			case g < 0:
				d = -d
			default:
				d = g // ±0 or NaN
			}
			u[j] = c * (d / (float32(math.Sqrt(float64(vj))) + eps))
		}
	}
}

// fusedBiasCorrection returns √(1−β2^t)/(1−β1^t), computed in float64
// and rounded once: the step-size factor of Adam's fused form
// η·√bc2/bc1 · m/(√v + ε).
func fusedBiasCorrection(beta1, beta2 float64, step int) float32 {
	t := float64(step)
	return float32(math.Sqrt(1-math.Pow(beta2, t)) / (1 - math.Pow(beta1, t)))
}

func init() {
	d := DefaultGrams()
	register("grams", map[string]string{"lr": f32(d.LR), "beta1": f64(d.Beta1), "beta2": f64(d.Beta2),
		"eps": f64(d.Eps), "weight_decay": f32(d.WeightDecay)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := GramsConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"),
				Eps: a.f64("eps"), WeightDecay: a.f32("weight_decay")}
			if a.err != nil {
				return nil, a.err
			}
			return NewGrams(ps, c)
		})
}
