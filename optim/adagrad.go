package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// AdaGradConfig holds the hyperparameters of NewAdaGrad.
type AdaGradConfig struct {
	LR          float32 // η ≥ 0
	InitialAcc  float64 // s₀ ≥ 0, the accumulator's initial value
	Eps         float64 // ε ≥ 0, inside the square root
	WeightDecay float32 // λ ≥ 0, an L2 term added to the gradient (torch.optim.Adagrad)
}

// DefaultAdaGrad returns optax's defaults (METHODS.md 1.4): η = 1e-2,
// s₀ = 0.1, ε = 1e-7, λ = 0.
func DefaultAdaGrad() AdaGradConfig { return AdaGradConfig{LR: 1e-2, InitialAcc: 0.1, Eps: 1e-7} }

// NewAdaGrad returns AdaGrad (Duchi, Hazan & Singer; METHODS.md 1.4,
// verified against optax scale_by_rss). For each parameter θ with
// gradient g:
//
//	d ← g + λ·θ
//	s ← s + d²               (s starts at s₀)
//	θ ← θ − η·d/√(s+ε)
//
// The accumulator never decreases, so the per-coordinate step η/√(s+ε)
// never grows. The chain is AddDecayedWeights, ScaleByRSS, ScaleByLR;
// steps run the fused asm.AdaGradStep kernel, which computes the same
// update up to rounding (SetFused(false) selects the chain). The state is
// "sum" (s), starting at s₀. NewAdaGrad returns a *HyperparameterError for a
// negative or non-finite η, s₀, ε or λ.
func NewAdaGrad(params []*autodiff.Var, cfg AdaGradConfig) (*Optimizer, error) {
	const opt = "adagrad"
	for _, h := range []struct {
		name string
		x    float64
	}{{"lr", float64(cfg.LR)}, {"initial_accumulator_value", cfg.InitialAcc}, {"eps", cfg.Eps},
		{"weight_decay", float64(cfg.WeightDecay)}} {
		if err := checkNonNeg(opt, h.name, h.x); err != nil {
			return nil, err
		}
	}
	t := Chain(AddDecayedWeights(), ScaleByRSS(cfg.InitialAcc, cfg.Eps), ScaleByLR())
	h := asm.AdaGradParams{Eps: cfg.Eps}
	k := func(p, g []float32, st [][]float32, step int, lr, wd float32) {
		h := h
		h.LR, h.WeightDecay = float64(lr), float64(wd)
		asm.AdaGradStep(p, g, st[0], h)
	}
	return newFused(opt, params, t, k, cfg.LR, cfg.WeightDecay)
}

// ScaleByRSS returns the AdaGrad transform (optax scale_by_rss, the root
// of the sum of squares). For each element:
//
//	s ← s + u²
//	u ← u/√(s+ε)
//
// The state is "sum" (s), starting at initialAcc (rounded to float32).
// The caller validates the hyperparameters (NewAdaGrad does).
func ScaleByRSS(initialAcc, eps float64) Transform { return &scaleByRSS{s0: initialAcc, eps: eps} }

type scaleByRSS struct{ s0, eps float64 }

var rssStateNames = []string{"sum"}

func (*scaleByRSS) Name() string         { return "scale_by_rss" }
func (*scaleByRSS) StateNames() []string { return rssStateNames }

func (r *scaleByRSS) Init(n int) [][]float32 {
	st := zeros(1, n)
	for j := range st[0] {
		st[0][j] = float32(r.s0)
	}
	return st
}

func (r *scaleByRSS) Update(slots []Slot) {
	eps := float32(r.eps)
	for i := range slots {
		s := &slots[i]
		st := stateOf(r, s, 1)
		u, acc := s.U, st[0][:len(s.U)]
		for j, g := range u {
			a := acc[j] + g*g
			acc[j] = a
			u[j] = g / float32(math.Sqrt(float64(a+eps)))
		}
	}
}

func init() {
	c := DefaultAdaGrad()
	register("adagrad", map[string]string{"lr": f32(c.LR), "initial_accumulator_value": f64(c.InitialAcc),
		"eps": f64(c.Eps), "weight_decay": f32(c.WeightDecay)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := AdaGradConfig{LR: a.f32("lr"), InitialAcc: a.f64("initial_accumulator_value"),
				Eps: a.f64("eps"), WeightDecay: a.f32("weight_decay")}
			if a.err != nil {
				return nil, a.err
			}
			return NewAdaGrad(ps, c)
		})
}
