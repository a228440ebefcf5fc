package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// EXAdamConfig holds the hyperparameters of NewEXAdam.
type EXAdamConfig struct {
	LR          float32 // α ≥ 0
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1)
	Eps         float64 // ε ≥ 0
	WeightDecay float32 // λ ≥ 0, decoupled
	// DynamicLR turns on the step size α_t = α·ln(√2·√(t+1)) of the
	// earlier upstream commit @9ff8463; off (the default) is the later
	// @5ad536f, α_t = α.
	DynamicLR bool
}

// DefaultEXAdam returns the authors' defaults (METHODS.md 1.16): α =
// 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0 (the README suggests 1e-4 for
// vision), DynamicLR off (the current upstream version).
func DefaultEXAdam() EXAdamConfig { return EXAdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// NewEXAdam returns EXAdam (Mostafa, "EXAdam: The Power of Adaptive
// Cross-Moments"), the update of AhmedMostafa16/EXAdam exadam.py
// (METHODS.md 1.16, verified). For each parameter θ with gradient g, with
// t its step count, bc1 = 1−β1^t, bc2 = 1−β2^t:
//
//	θ ← θ·(1 − α·λ)
//	m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g²      (raw EMAs)
//	d1 = 1 + (v/(v+ε))·β2^t ;  d2 = 1 + (m²/(m²+ε))·β1^t
//	m̃ = (m/bc1)·d1 ;  ṽ = (v/bc2)·d2 ;  g̃ = (g/bc1)·d1
//	α_t = α·ln(√2·√(t+1))   (DynamicLR, upstream @9ff8463)   or   α_t = α   (default, @5ad536f)
//	θ ← θ − α_t·(m̃ + g̃)/(√ṽ + ε)
//
// The chain is ScaleByEXAdam, AddDecayedWeights, ScaleByLR: it computes
// θ − α·(step·α_t/α + λ·θ), the decay-then-step form above; the decay
// uses α, not α_t. Steps run the fused asm.EXAdamStep kernel, which
// decays first, factors 1/bc1·d1 out of m̃ + g̃ and folds d1's division
// into the step's, and takes d2 as 1 once β1^t ≤ 2^-24 (where float32
// rounds it to 1): two divisions a step early on, one (as Adam) after,
// so it agrees with the chain up to rounding for |g| below about 1e12
// (SetFused(false) selects the chain).
// The state is "exp_avg" (m) and "exp_avg_sq" (v).
// NewEXAdam returns a *HyperparameterError for a negative or non-finite
// α, ε or λ, or a β outside [0, 1).
func NewEXAdam(params []*autodiff.Var, cfg EXAdamConfig) (*Optimizer, error) {
	const opt = "exadam"
	if err := (AdamConfig{LR: cfg.LR, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps,
		WeightDecay: cfg.WeightDecay}).validate(opt); err != nil {
		return nil, err
	}
	t := Chain(ScaleByEXAdam(cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.DynamicLR), AddDecayedWeights(), ScaleByLR())
	h := asm.EXAdamParams{Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps, DynamicLR: cfg.DynamicLR}
	k := func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		h := h
		h.LR, h.WeightDecay, h.Step = float64(lr), float64(wd), step
		asm.EXAdamStep(p, g, st[0], st[1], h)
	}
	return newFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}

// ScaleByEXAdam returns the EXAdam transform: with m, v the raw EMAs of
// u and u², d1, d2 as in NewEXAdam and f = ln(√2·√(t+1)) if dynamic, 1
// otherwise:
//
//	u ← f·((m/bc1)·d1 + (u/bc1)·d1) / (√((v/bc2)·d2) + ε)
//
// The scalars (1/bc1, 1/bc2, β^t, f) are computed in float64 and rounded
// once. The state is "exp_avg" (m) and "exp_avg_sq" (v), starting at
// zero. The caller validates the hyperparameters (NewEXAdam does).
func ScaleByEXAdam(beta1, beta2, eps float64, dynamic bool) Transform {
	return &scaleByEXAdam{b1: beta1, b2: beta2, eps: eps, dynamic: dynamic}
}

type scaleByEXAdam struct {
	b1, b2, eps float64
	dynamic     bool
}

func (*scaleByEXAdam) Name() string           { return "scale_by_exadam" }
func (*scaleByEXAdam) StateNames() []string   { return adamStateNames }
func (*scaleByEXAdam) Init(n int) [][]float32 { return zeros(2, n) }

func (a *scaleByEXAdam) Update(slots []Slot) {
	b1, omb1 := float32(a.b1), float32(1-a.b1)
	b2, omb2 := float32(a.b2), float32(1-a.b2)
	eps := float32(a.eps)
	for i := range slots {
		s := &slots[i]
		st := stateOf(a, s, 2)
		t := float64(s.Step)
		p1, p2 := math.Pow(a.b1, t), math.Pow(a.b2, t)
		rbc1, rbc2 := float32(1/(1-p1)), float32(1/(1-p2))
		b1t, b2t := float32(p1), float32(p2)
		f := float32(1)
		if a.dynamic {
			f = float32(math.Log(math.Sqrt2 * math.Sqrt(t+1)))
		}
		u, m, v := s.U, st[0][:len(s.U)], st[1][:len(s.U)]
		for j, g := range u {
			mj := b1*m[j] + omb1*g
			vj := b2*v[j] + omb2*g*g
			m[j], v[j] = mj, vj
			d1 := 1 + vj/(vj+eps)*b2t
			m2 := mj * mj
			d2 := 1 + m2/(m2+eps)*b1t
			num := (mj*rbc1)*d1 + (g*rbc1)*d1
			den := float32(math.Sqrt(float64((vj*rbc2)*d2))) + eps
			u[j] = f * (num / den)
		}
	}
}

func init() {
	d := DefaultEXAdam()
	register("exadam", map[string]string{"lr": f32(d.LR), "beta1": f64(d.Beta1), "beta2": f64(d.Beta2),
		"eps": f64(d.Eps), "weight_decay": f32(d.WeightDecay), "dynamic_lr": "false"},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := EXAdamConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"),
				Eps: a.f64("eps"), WeightDecay: a.f32("weight_decay"), DynamicLR: a.bool("dynamic_lr")}
			if a.err != nil {
				return nil, a.err
			}
			return NewEXAdam(ps, c)
		})
}
