package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// MARSConfig holds the hyperparameters of NewMARS, named as in the
// authors' mars.py.
type MARSConfig struct {
	LR          float32 // η > 0
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1)
	Eps         float64 // ε ≥ 0
	Gamma       float64 // γ ≥ 0, the strength of the gradient correction
	WeightDecay float32 // λ ≥ 0, decoupled, for matrices
	// LR1D, Beta1_1D, Beta2_1D and WeightDecay1D set the AdamW that
	// updates the other parameters (not 2-D) unless Optimize1D.
	LR1D          float32 // η_1d ≥ 0: those parameters step with η·η_1d/η_cfg
	Beta1_1D      float64 // in [0, 1)
	Beta2_1D      float64 // in [0, 1)
	WeightDecay1D float32 // λ_1d ≥ 0
	Optimize1D    bool    // run MARS on every parameter (then λ applies to all)
}

// DefaultMARS returns the defaults of the authors' mars.py (METHODS.md
// 1.12): η = 3e-3, β = (0.95, 0.99), ε = 1e-8, γ = 0.025, λ = 0; for the
// parameters that are not matrices AdamW with η_1d = 3e-3, β = (0.9,
// 0.95), λ_1d = 0.1.
func DefaultMARS() MARSConfig {
	return MARSConfig{LR: 3e-3, Beta1: 0.95, Beta2: 0.99, Eps: 1e-8, Gamma: 0.025,
		LR1D: 3e-3, Beta1_1D: 0.9, Beta2_1D: 0.95, WeightDecay1D: 0.1}
}

// NewMARS returns MARS-AdamW in approximate mode (Yuan et al., "MARS:
// Unleashing the Power of Variance Reduction for Training Large Models"),
// the update of AGI-Arena/MARS MARS/optimizers/mars.py @20c60c1 with
// mars_type="mars-adamw", is_approx=True, amsgrad=False (METHODS.md 1.12,
// verified). For each 2-D parameter θ with gradient g, with t its step
// count, bc1 = 1−β1^t, bc2 = 1−β2^t:
//
//	c = g + γ·(β1/(1−β1))·(g − g_prev)     (g_prev = 0 at t = 1, as upstream)
//	if ‖c‖ > 1:  c ← c/‖c‖                  (L2 norm per tensor)
//	m ← β1·m + (1−β1)·c ;  v ← β2·v + (1−β2)·c²
//	θ ← θ − η·( (m/bc1)/(√(v/bc2) + ε) + λ·θ )
//	g_prev ← g
//
// Approximate mode takes g_prev from the previous step's minibatch; the
// exact mode's second backward pass is not implemented. Parameters that
// are not 2-D (biases, and also 4-D convolution kernels, as upstream's
// len(grad.shape) == 2 test does) take AdamW with β_1d instead, unless
// Optimize1D:
//
//	θ ← θ − η·(η_1d/η_cfg)·( (m/bc1)/(√(v/bc2) + ε) + λ_1d·θ )
//
// where η is the group's current learning rate and η_cfg = cfg.LR (the
// upstream lr_1d_factor, so schedules scale both). With Optimize1D every
// parameter takes the MARS update with λ. A parameter's shape comes from
// Slot.Shape (a Transform run outside an Optimizer sees no shape: all
// parameters take the 1-D rule).
//
// Step runs a fused kernel by default (SetFused(false) selects the
// chain): asm.MARSStep for the parameters MARS updates, asm.AdamStep for
// the others; it sums ‖c‖² in float64, as the chain does.
//
// The chain is ScaleByMARS, ScaleByLR; ScaleByMARS applies the decay
// itself (λ is the group's WeightDecay). The state is "exp_avg" (m),
// "exp_avg_sq" (v) and "last_grad" (g_prev). NewMARS returns a
// *HyperparameterError for a non-positive or non-finite η, a negative or
// non-finite ε, γ, λ, η_1d or λ_1d, or a β outside [0, 1).
func NewMARS(params []*autodiff.Var, cfg MARSConfig) (*Optimizer, error) {
	const opt = "mars"
	if err := checkRange(opt, "lr", float64(cfg.LR), 0, inf, true, true); err != nil {
		return nil, err
	}
	if err := (AdamConfig{LR: cfg.LR, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps,
		WeightDecay: cfg.WeightDecay}).validate(opt); err != nil {
		return nil, err
	}
	for _, c := range []struct {
		name string
		x    float64
	}{{"gamma", cfg.Gamma}, {"lr_1d", float64(cfg.LR1D)}, {"weight_decay_1d", float64(cfg.WeightDecay1D)}} {
		if err := checkNonNeg(opt, c.name, c.x); err != nil {
			return nil, err
		}
	}
	if err := checkRange(opt, "beta1_1d", cfg.Beta1_1D, 0, 1, false, true); err != nil {
		return nil, err
	}
	if err := checkRange(opt, "beta2_1d", cfg.Beta2_1D, 0, 1, false, true); err != nil {
		return nil, err
	}
	return newWholeFused(opt, params, Chain(ScaleByMARS(cfg), ScaleByLR()), marsKernel(cfg), cfg.LR, cfg.WeightDecay)
}

// marsKernel returns the fused step of NewMARS: asm.MARSStep (two passes:
// ‖c‖² accumulated in float64, then the clipped AdamW update and
// last_grad ← g) for a 2-D parameter (any, with cfg.Optimize1D), and for
// the others asm.AdamStep with β_1d, λ_1d and η·η_1d/η_cfg (decoupled),
// then last_grad ← g, as the chain's 1-D branch.
func marsKernel(cfg MARSConfig) wholeStep {
	h := asm.MARSParams{Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps, Gamma: cfg.Gamma}
	h1 := asm.AdamParams{Beta1: cfg.Beta1_1D, Beta2: cfg.Beta2_1D, Eps: cfg.Eps,
		WeightDecay: float64(cfg.WeightDecay1D), Decoupled: true}
	factor1d := float64(float32(float64(cfg.LR1D) / float64(cfg.LR))) // the chain's float32 factor
	all := cfg.Optimize1D
	return func(a *fusedArgs) {
		st := a.St
		if !all && len(a.Shape) != 2 {
			h1 := h1
			h1.LR, h1.Step = float64(a.LR)*factor1d, a.Step
			asm.AdamStep(a.P, a.G, st[0], st[1], h1)
			copy(st[2], a.G)
			return
		}
		h := h
		h.LR, h.WeightDecay, h.Step = float64(a.LR), float64(a.WD), a.Step
		asm.MARSStep(a.P, a.G, st[0], st[1], st[2], h)
	}
}

// ScaleByMARS returns the MARS-AdamW transform of NewMARS, decay
// included: for a 2-D parameter (or any, with cfg.Optimize1D)
//
//	u ← (m/bc1)/(√v/√bc2 + ε) + λ·θ
//
// from the clipped corrected gradient c, and for the others
//
//	u ← (η_1d/η_cfg)·( (m/bc1)/(√v/√bc2 + ε) + λ_1d·θ )
//
// with β_1d, where λ is the slot's WeightDecay; cfg.LR and cfg.WeightDecay
// are not read. ‖c‖ is accumulated in float64. The state is "exp_avg",
// "exp_avg_sq" and "last_grad", starting at zero. The caller validates
// cfg (NewMARS does; cfg.LR must be > 0).
func ScaleByMARS(cfg MARSConfig) Transform {
	return &scaleByMARS{cfg: cfg, factor1d: float32(float64(cfg.LR1D) / float64(cfg.LR))}
}

type scaleByMARS struct {
	cfg      MARSConfig
	factor1d float32
}

var marsStateNames = []string{"exp_avg", "exp_avg_sq", "last_grad"}

func (*scaleByMARS) Name() string           { return "scale_by_mars" }
func (*scaleByMARS) StateNames() []string   { return marsStateNames }
func (*scaleByMARS) Init(n int) [][]float32 { return zeros(3, n) }

func (a *scaleByMARS) Update(slots []Slot) {
	c := &a.cfg
	eps := float32(c.Eps)
	for i := range slots {
		s := &slots[i]
		st := stateOf(a, s, 3)
		n := len(s.U)
		u, m, v, last := s.U, st[0][:n], st[1][:n], st[2][:n]
		if !c.Optimize1D && len(s.Shape) != 2 {
			copy(last, u)
			adamWUpdate(u, s.P, m, v, c.Beta1_1D, c.Beta2_1D, eps, s.Step, c.WeightDecay1D, a.factor1d)
			continue
		}
		k := float32(c.Gamma * (c.Beta1 / (1 - c.Beta1)))
		var sq float64
		for j, g := range u {
			cj := k*(g-last[j]) + g
			last[j] = g
			u[j] = cj
			sq += float64(cj) * float64(cj)
		}
		if norm := math.Sqrt(sq); norm > 1 {
			r := float32(norm)
			for j := range u {
				u[j] /= r
			}
		}
		adamWUpdate(u, s.P, m, v, c.Beta1, c.Beta2, eps, s.Step, s.WeightDecay, 1)
	}
}

// adamWUpdate runs Adam on u (the moments m, v) and adds decoupled decay:
//
//	u ← f·( (1/bc1)·m/(√v·(1/√bc2) + ε) + λ·θ )
//
// with the scalars computed in float64 and rounded once, as ScaleByAdam.
func adamWUpdate(u, p, m, v []float32, beta1, beta2 float64, eps float32, step int, wd, f float32) {
	b1, omb1 := float32(beta1), float32(1-beta1)
	b2, omb2 := float32(beta2), float32(1-beta2)
	t := float64(step)
	c1 := float32(1 / (1 - math.Pow(beta1, t)))
	rbc2 := float32(1 / math.Sqrt(1-math.Pow(beta2, t)))
	p, m, v = p[:len(u)], m[:len(u)], v[:len(u)]
	for j, g := range u {
		mj := b1*m[j] + omb1*g
		vj := b2*v[j] + omb2*g*g
		m[j], v[j] = mj, vj
		d := float32(math.Sqrt(float64(vj)))*rbc2 + eps
		u[j] = f * (c1*(mj/d) + wd*p[j])
	}
}

func init() {
	d := DefaultMARS()
	register("mars", map[string]string{"lr": f32(d.LR), "beta1": f64(d.Beta1), "beta2": f64(d.Beta2),
		"eps": f64(d.Eps), "gamma": f64(d.Gamma), "weight_decay": f32(d.WeightDecay),
		"lr_1d": f32(d.LR1D), "beta1_1d": f64(d.Beta1_1D), "beta2_1d": f64(d.Beta2_1D),
		"weight_decay_1d": f32(d.WeightDecay1D), "optimize_1d": "false"},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := MARSConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"),
				Eps: a.f64("eps"), Gamma: a.f64("gamma"), WeightDecay: a.f32("weight_decay"),
				LR1D: a.f32("lr_1d"), Beta1_1D: a.f64("beta1_1d"), Beta2_1D: a.f64("beta2_1d"),
				WeightDecay1D: a.f32("weight_decay_1d"), Optimize1D: a.bool("optimize_1d")}
			if a.err != nil {
				return nil, a.err
			}
			return NewMARS(ps, c)
		})
}
