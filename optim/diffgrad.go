package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// DiffGradConfig holds the hyperparameters of NewDiffGrad.
type DiffGradConfig struct {
	LR          float32 // η ≥ 0
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1)
	Eps         float64 // ε ≥ 0
	WeightDecay float32 // λ ≥ 0, L2 (added to the gradient, as diffGrad_v2.py does)
}

// DefaultDiffGrad returns diffGrad_v2.py's defaults (METHODS.md 1.15):
// η = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0.
func DefaultDiffGrad() DiffGradConfig {
	return DiffGradConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// NewDiffGrad returns diffGrad (Dubey et al., "diffGrad: An Optimization
// Method for Convolutional Neural Networks"), the update of the authors'
// shivram1987/diffGrad diffGrad_v2.py @93fb7fc (METHODS.md 1.15,
// verified). For each parameter θ with gradient g (plus λ·θ if λ > 0),
// with t its step count, bc1 = 1−β1^t, bc2 = 1−β2^t:
//
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g²
//	ξ = σ(|g_prev − g|)            (σ the logistic function; g_prev = 0 at t = 1)
//	θ ← θ − η·(√bc2/bc1)·(ξ ⊙ m)/(√v + ε)
//	g_prev ← g
//
// ξ lies in [0.5, 1): it damps the step where the gradient changes
// little. The original diffGrad.py (and pytorch_optimizer's non-rectified
// path) lose the coefficient; this follows diffGrad_v2.py, which keeps a
// copy of the previous gradient. The chain is AddDecayedWeights,
// ScaleByDiffGrad, ScaleByLR; steps run the fused asm.DiffGradStep
// kernel, which divides by (1/ξ)·(√v + ε) (one division) and evaluates
// exp by a polynomial within a few ulps, so it agrees with the chain up
// to rounding (SetFused(false) selects the chain). The state is
// "exp_avg" (m), "exp_avg_sq" (v) and "previous_grad" (g_prev). NewDiffGrad returns a
// *HyperparameterError for a negative or non-finite η, ε or λ, or a β
// outside [0, 1).
func NewDiffGrad(params []*autodiff.Var, cfg DiffGradConfig) (*Optimizer, error) {
	const opt = "diffgrad"
	if err := (AdamConfig{LR: cfg.LR, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps,
		WeightDecay: cfg.WeightDecay}).validate(opt); err != nil {
		return nil, err
	}
	t := Chain(AddDecayedWeights(), ScaleByDiffGrad(cfg.Beta1, cfg.Beta2, cfg.Eps), ScaleByLR())
	h := asm.AdamParams{Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps}
	k := func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		h := h
		h.LR, h.WeightDecay, h.Step = float64(lr), float64(wd), step
		asm.DiffGradStep(p, g, st[0], st[1], st[2], h)
	}
	return newFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}

// ScaleByDiffGrad returns the diffGrad transform (diffGrad_v2.py):
//
//	m ← β1·m + (1−β1)·u
//	v ← β2·v + (1−β2)·u²
//	ξ = 1/(1 + exp(−|p − u|))
//	p ← u
//	u ← (√bc2/bc1)·ξ·m/(√v + ε)
//
// The state is "exp_avg" (m), "exp_avg_sq" (v) and "previous_grad" (p),
// all starting at zero. The caller validates the hyperparameters.
func ScaleByDiffGrad(beta1, beta2, eps float64) Transform {
	return &scaleByDiffGrad{b1: beta1, b2: beta2, eps: eps}
}

type scaleByDiffGrad struct{ b1, b2, eps float64 }

var diffGradStateNames = []string{"exp_avg", "exp_avg_sq", "previous_grad"}

func (*scaleByDiffGrad) Name() string           { return "scale_by_diffgrad" }
func (*scaleByDiffGrad) StateNames() []string   { return diffGradStateNames }
func (*scaleByDiffGrad) Init(n int) [][]float32 { return zeros(3, n) }

func (a *scaleByDiffGrad) Update(slots []Slot) {
	b1, omb1 := float32(a.b1), float32(1-a.b1)
	b2, omb2 := float32(a.b2), float32(1-a.b2)
	eps := float32(a.eps)
	for i := range slots {
		s := &slots[i]
		st := stateOf(a, s, 3)
		c := fusedBiasCorrection(a.b1, a.b2, s.Step)
		n := len(s.U)
		u, m, v, prev := s.U, st[0][:n], st[1][:n], st[2][:n]
		for j, g := range u {
			mj := b1*m[j] + omb1*g
			vj := b2*v[j] + omb2*g*g
			m[j], v[j] = mj, vj
			xi := float32(1 / (1 + math.Exp(-math.Abs(float64(prev[j]-g)))))
			prev[j] = g
			u[j] = c * (xi * mj / (float32(math.Sqrt(float64(vj))) + eps))
		}
	}
}

func init() {
	d := DefaultDiffGrad()
	register("diffgrad", map[string]string{"lr": f32(d.LR), "beta1": f64(d.Beta1), "beta2": f64(d.Beta2),
		"eps": f64(d.Eps), "weight_decay": f32(d.WeightDecay)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := DiffGradConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"),
				Eps: a.f64("eps"), WeightDecay: a.f32("weight_decay")}
			if a.err != nil {
				return nil, a.err
			}
			return NewDiffGrad(ps, c)
		})
}
