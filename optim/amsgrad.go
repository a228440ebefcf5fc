package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// AMSGradConfig holds the hyperparameters of NewAMSGrad.
type AMSGradConfig struct {
	LR          float32 // η ≥ 0
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1)
	Eps         float64 // ε ≥ 0, added after the square root
	WeightDecay float32 // λ ≥ 0, an L2 term added to the gradient (torch)
	// MaxCorrected selects optax's form, the maximum of the bias-corrected
	// v; false (the default) takes the maximum of the raw v and corrects
	// afterwards, as torch.optim.Adam(amsgrad=True) does.
	MaxCorrected bool
}

// DefaultAMSGrad returns Adam's defaults (METHODS.md 1.5): η = 1e-3,
// β = (0.9, 0.999), ε = 1e-8, λ = 0, torch's form.
func DefaultAMSGrad() AMSGradConfig {
	return AMSGradConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// NewAMSGrad returns AMSGrad (Reddi, Kale & Kumar, "On the Convergence of
// Adam and Beyond"; METHODS.md 1.5, verified against optax
// scale_by_amsgrad and torch Adam(amsgrad=True)). For each parameter θ
// with gradient g, t its step count, bc1 = 1−β1^t, bc2 = 1−β2^t:
//
//	d ← g + λ·θ
//	m ← β1·m + (1−β1)·d
//	v ← β2·v + (1−β2)·d²
//	v̂ ← max(v̂, v)                         (torch; the default)
//	θ ← θ − η·(m/bc1)/(√v̂/√bc2 + ε)
//
// or, with MaxCorrected (optax's default form, the one METHODS.md writes):
//
//	v̂ ← max(v̂, v/bc2)
//	θ ← θ − η·(m/bc1)/(√v̂ + ε)
//
// The two differ because bc2 changes between steps. The default is
// torch's form, for which steps run the fused asm.AMSGradStep kernel (the
// chain, AddDecayedWeights, ScaleByAMSGrad, ScaleByLR, gives the same
// update up to rounding); the MaxCorrected form runs the chain. The state
// is "exp_avg" (m), "exp_avg_sq" (v) and "max_exp_avg_sq" (v̂), all
// starting at zero. NewAMSGrad returns a *HyperparameterError for a
// negative or non-finite η, ε or λ, or a β outside [0, 1).
func NewAMSGrad(params []*autodiff.Var, cfg AMSGradConfig) (*Optimizer, error) {
	const opt = "amsgrad"
	if err := (AdamConfig{cfg.LR, cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.WeightDecay}).validate(opt); err != nil {
		return nil, err
	}
	t := Chain(AddDecayedWeights(), ScaleByAMSGrad(cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.MaxCorrected), ScaleByLR())
	if cfg.MaxCorrected {
		return NewFromTransform(opt, params, t, cfg.LR, cfg.WeightDecay)
	}
	h := asm.AdamParams{Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps}
	k := func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		h := h
		h.LR, h.WeightDecay, h.Step = float64(lr), float64(wd), step
		asm.AMSGradStep(p, g, st[0], st[1], st[2], h)
	}
	return newFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}

// ScaleByAMSGrad returns the AMSGrad transform. For each element, with t
// the parameter's Step, bc1 = 1−β1^t, bc2 = 1−β2^t:
//
//	m ← β1·m + (1−β1)·u
//	v ← β2·v + (1−β2)·u²
//	v̂ ← max(v̂, v);      u ← (1/bc1)·m/(√v̂·(1/√bc2) + ε)   (maxCorrected false, torch)
//	v̂ ← max(v̂, v/bc2);  u ← (1/bc1)·m/(√v̂ + ε)           (maxCorrected true, optax)
//
// The maximum is v̂ > x ? v̂ : x, so a NaN v replaces v̂ (as in
// asm.AMSGradStep). The state is "exp_avg", "exp_avg_sq" and
// "max_exp_avg_sq", starting at zero. The caller validates the
// hyperparameters (NewAMSGrad does).
func ScaleByAMSGrad(beta1, beta2, eps float64, maxCorrected bool) Transform {
	return &scaleByAMSGrad{b1: beta1, b2: beta2, eps: eps, corrected: maxCorrected}
}

type scaleByAMSGrad struct {
	b1, b2, eps float64
	corrected   bool
}

var amsgradStateNames = []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}

func (*scaleByAMSGrad) Name() string           { return "scale_by_amsgrad" }
func (*scaleByAMSGrad) StateNames() []string   { return amsgradStateNames }
func (*scaleByAMSGrad) Init(n int) [][]float32 { return zeros(3, n) }

func (a *scaleByAMSGrad) Update(slots []Slot) {
	b1, omb1 := float32(a.b1), float32(1-a.b1)
	b2, omb2 := float32(a.b2), float32(1-a.b2)
	eps := float32(a.eps)
	for i := range slots {
		s := &slots[i]
		st := stateOf(a, s, 3)
		t := float64(s.Step)
		bc2 := 1 - math.Pow(a.b2, t)
		c1 := float32(1 / (1 - math.Pow(a.b1, t)))
		rbc2, ibc2 := float32(1/math.Sqrt(bc2)), float32(1/bc2)
		u, m, v, vh := s.U, st[0][:len(s.U)], st[1][:len(s.U)], st[2][:len(s.U)]
		for j, g := range u {
			mj := b1*m[j] + omb1*g
			vj := b2*v[j] + omb2*g*g
			m[j], v[j] = mj, vj
			x := vj
			if a.corrected {
				x = vj * ibc2
			}
			w := vh[j]
			if !(w > x) {
				w = x
			}
			vh[j] = w
			var d float32
			if a.corrected {
				d = float32(math.Sqrt(float64(w))) + eps
			} else {
				d = float32(math.Sqrt(float64(w)))*rbc2 + eps
			}
			u[j] = c1 * (mj / d)
		}
	}
}

func init() {
	c := DefaultAMSGrad()
	register("amsgrad", map[string]string{"lr": f32(c.LR), "beta1": f64(c.Beta1), "beta2": f64(c.Beta2),
		"eps": f64(c.Eps), "weight_decay": f32(c.WeightDecay), "max_corrected": "false"},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := AMSGradConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"),
				Eps: a.f64("eps"), WeightDecay: a.f32("weight_decay"), MaxCorrected: a.bool("max_corrected")}
			if a.err != nil {
				return nil, a.err
			}
			return NewAMSGrad(ps, c)
		})
}
