package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// RMSPropConfig holds the hyperparameters of NewRMSProp.
type RMSPropConfig struct {
	LR          float32 // η ≥ 0
	Rho         float64 // ρ in [0, 1), decay of the mean square
	Eps         float64 // ε ≥ 0
	EpsInSqrt   bool    // true: g/√(v+ε) (optax); false: g/(√v+ε) (torch)
	WeightDecay float32 // λ ≥ 0, an L2 term added to the gradient (torch.optim.RMSprop)
}

// DefaultRMSProp returns the defaults of METHODS.md 1.4 in optax's form:
// ρ = 0.9, ε = 1e-8 inside the square root, λ = 0, and η = 1e-3 (optax
// has no default learning rate; Keras pairs 1e-3 with ρ = 0.9, and
// torch's 1e-2 ends W1 at 95.5% against 97.2%, see
// benchmarks/optimizers/tuning.md).
func DefaultRMSProp() RMSPropConfig {
	return RMSPropConfig{LR: 1e-3, Rho: 0.9, Eps: 1e-8, EpsInSqrt: true}
}

// NewRMSProp returns RMSProp (Tieleman & Hinton; METHODS.md 1.4, verified
// against optax scale_by_rms, without momentum, centering or bias
// correction). For each parameter θ with gradient g:
//
//	d ← g + λ·θ
//	v ← ρ·v + (1−ρ)·d²
//	θ ← θ − η·d/√(v+ε)        (EpsInSqrt, optax)
//	θ ← θ − η·d/(√v+ε)        (otherwise, torch.optim.RMSprop)
//
// The chain is AddDecayedWeights, ScaleByRMS, ScaleByLR; steps run the
// fused asm.RMSPropStep kernel (both ε forms), which computes the same
// update up to rounding (SetFused(false) selects the chain). The state is
// "square_avg" (v), starting at zero. NewRMSProp returns a
// *HyperparameterError for a negative or non-finite η, ε or λ, or a ρ
// outside [0, 1).
func NewRMSProp(params []*autodiff.Var, cfg RMSPropConfig) (*Optimizer, error) {
	const opt = "rmsprop"
	if err := checkNonNeg(opt, "lr", float64(cfg.LR)); err != nil {
		return nil, err
	}
	if err := checkRange(opt, "rho", cfg.Rho, 0, 1, false, true); err != nil {
		return nil, err
	}
	if err := checkNonNeg(opt, "eps", cfg.Eps); err != nil {
		return nil, err
	}
	if err := checkNonNeg(opt, "weight_decay", float64(cfg.WeightDecay)); err != nil {
		return nil, err
	}
	t := Chain(AddDecayedWeights(), ScaleByRMS(cfg.Rho, cfg.Eps, cfg.EpsInSqrt), ScaleByLR())
	h := asm.RMSPropParams{Rho: cfg.Rho, Eps: cfg.Eps, EpsInSqrt: cfg.EpsInSqrt}
	k := func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		h := h
		h.LR, h.WeightDecay = float64(lr), float64(wd)
		asm.RMSPropStep(p, g, st[0], h)
	}
	return newFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}

// ScaleByRMS returns the RMSProp transform (optax scale_by_rms). For each
// element:
//
//	v ← ρ·v + (1−ρ)·u²
//	u ← u/√(v+ε)          (epsInSqrt)
//	u ← u/(√v+ε)          (otherwise)
//
// 1−ρ is computed in float64 and rounded once. The state is "square_avg"
// (v), starting at zero. The caller validates ρ and ε (NewRMSProp does).
func ScaleByRMS(rho, eps float64, epsInSqrt bool) Transform {
	return &scaleByRMS{rho: rho, eps: eps, inSqrt: epsInSqrt}
}

type scaleByRMS struct {
	rho, eps float64
	inSqrt   bool
}

var rmsStateNames = []string{"square_avg"}

func (*scaleByRMS) Name() string           { return "scale_by_rms" }
func (*scaleByRMS) StateNames() []string   { return rmsStateNames }
func (*scaleByRMS) Init(n int) [][]float32 { return zeros(1, n) }

func (r *scaleByRMS) Update(slots []Slot) {
	rho, omr, eps := float32(r.rho), float32(1-r.rho), float32(r.eps)
	for i := range slots {
		s := &slots[i]
		st := stateOf(r, s, 1)
		u, v := s.U, st[0][:len(s.U)]
		for j, g := range u {
			vj := rho*v[j] + omr*g*g
			v[j] = vj
			if r.inSqrt {
				u[j] = g / float32(math.Sqrt(float64(vj+eps)))
			} else {
				u[j] = g / (float32(math.Sqrt(float64(vj))) + eps)
			}
		}
	}
}

func init() {
	c := DefaultRMSProp()
	register("rmsprop", map[string]string{"lr": f32(c.LR), "rho": f64(c.Rho), "eps": f64(c.Eps),
		"eps_in_sqrt": "true", "weight_decay": f32(c.WeightDecay)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := RMSPropConfig{LR: a.f32("lr"), Rho: a.f64("rho"), Eps: a.f64("eps"),
				EpsInSqrt: a.bool("eps_in_sqrt"), WeightDecay: a.f32("weight_decay")}
			if a.err != nil {
				return nil, a.err
			}
			return NewRMSProp(ps, c)
		})
}
