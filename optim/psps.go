package optim

import (
	"math"
	"math/rand/v2"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// PSPSConfig holds the hyperparameters of NewPSPS.
type PSPSConfig struct {
	Beta2       float64 // β2 in [0, 1), EMA of the Hutchinson estimates
	Alpha       float64 // α > 0, truncation D̂ = max(|D|, α)
	InitSamples int     // Hutchinson samples averaged into D₀ at the first step, ≥ 1
	FStar       float64 // f*, the optimal loss assumed by the plain step
	Slack       bool    // use the L2 slack form instead of f*
	Lambda      float64 // λ ≥ 0 of the slack form, λ̂ = 1/(1+λ)
	Seed        uint64  // seed of the Rademacher vectors
}

// DefaultPSPS returns β2 = 0.999, α = 1e-5, 100 initial samples, f* = 0,
// no slack (λ = 0.01 when enabled), seed 0. β2 and α are OASIS's (METHODS
// 2.7, whose defaults are unverified): our choice.
func DefaultPSPS() PSPSConfig {
	return PSPSConfig{Beta2: 0.999, Alpha: 1e-5, InitSamples: 100, Lambda: 0.01}
}

func (c PSPSConfig) validate() error {
	if err := checkRange("psps", "beta2", c.Beta2, 0, 1, false, true); err != nil {
		return err
	}
	if err := checkRange("psps", "alpha", c.Alpha, 0, inf, true, true); err != nil {
		return err
	}
	if err := checkRange("psps", "init_samples", float64(c.InitSamples), 1, 1e6, false, false); err != nil {
		return err
	}
	if err := checkRange("psps", "f_star", c.FStar, -inf, inf, true, true); err != nil {
		return err
	}
	return checkNonNeg("psps", "lambda", c.Lambda)
}

// NewPSPS returns the preconditioned stochastic Polyak step (Abdukhakimov
// et al., "Stochastic Gradient Descent with Preconditioned Polyak
// Step-size"; METHODS 3.4, verified against a PSPS reference class,
// update_sps and update_L2) with the Hutchinson preconditioner of OASIS:
//
//	D₀ = mean of init_samples z⊙(Hz) at θ₀ ;  later D ← β2·D + (1−β2)·z⊙(Hz)
//	B = D̂ = max(|D|, α)                       (z Rademacher, one HVP per step)
//	q = ⟨B⁻¹g, g⟩                             (global over all parameters)
//	plain:  γ = (f − f*)/q
//	slack:  λ̂ = 1/(1+λ) ;  γ = max(0, f − λ̂·s)/(q + λ̂) ;  s ← λ̂·(s + γ)
//	θ ← θ − γ·B⁻¹g
//
// f is the minibatch loss at θ (Slot.Obj.Loss) and Hz the objective's
// HVP (Slot.Obj.HVP), so it needs StepWith. Of the preconditioners the
// paper allows (Hutchinson, Adam's, AdaGrad's) only Hutchinson is
// implemented. z is drawn from a PCG seeded by (Seed, step), so a resumed
// run draws the same vectors. The chain is ScaleByPSPS, ScaleByLR with
// the group LR a multiplier fixed at 1. State: "psps_diag" (D) and
// "psps_slack" (s, one scalar per parameter). NewPSPS returns a
// *HyperparameterError for β2 outside [0, 1), α not positive, fewer than
// one initial sample, a non-finite f* or a negative λ.
func NewPSPS(params []*autodiff.Var, cfg PSPSConfig) (*Optimizer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return NewFromTransform("psps", params, Chain(ScaleByPSPS(cfg), ScaleByLR()), 1, 0)
}

// ScaleByPSPS returns the transform of NewPSPS (u ← γ·D̂⁻¹u); the
// caller validates cfg.
func ScaleByPSPS(cfg PSPSConfig) Transform { return &scaleByPSPS{cfg: cfg} }

type scaleByPSPS struct{ cfg PSPSConfig }

var (
	pspsNames = []string{"psps_diag", "psps_slack"}
	pspsState = scalarState{0, 1}
)

func (*scaleByPSPS) Name() string                      { return "scale_by_psps" }
func (*scaleByPSPS) StateNames() []string              { return pspsNames }
func (*scaleByPSPS) Init(n int) [][]float32            { return pspsState.init([]int{n}) }
func (*scaleByPSPS) InitShape(shape []int) [][]float32 { return pspsState.init(shape) }
func (*scaleByPSPS) StateShapes(shape []int) [][]int   { return pspsState.shapes(shape) }
func (*scaleByPSPS) NeedsObjective() bool              { return true }

func (t *scaleByPSPS) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		pspsState.check(t, &slots[i])
	}
	obj := stepObjective(t, slots)
	step := slots[0].Step
	rng := rand.New(rand.NewPCG(t.cfg.Seed, uint64(step)))
	samples, b2 := 1, t.cfg.Beta2
	if step == 1 {
		samples, b2 = t.cfg.InitSamples, 0
		for i := range slots {
			clear(slots[i].State()[0])
		}
	}
	for k := range samples {
		zs, hz := pspsHutchinson(obj, slots, rng)
		// First step: running mean of the samples; later: the EMA.
		a, b := float32(b2), float32(1-b2)
		if step == 1 {
			a, b = float32(k)/float32(k+1), 1/float32(k+1)
		}
		for i := range slots {
			d := slots[i].State()[0]
			z, h := zs[i].Data(), hz[i].Data()
			for j := range d {
				d[j] = a*d[j] + b*z[j]*h[j]
			}
		}
	}
	alpha := float32(t.cfg.Alpha)
	var q float64
	for i := range slots {
		s := &slots[i]
		d := s.State()[0]
		for j, g := range s.U {
			q += float64(g) * float64(g) / float64(max(abs32(d[j]), alpha))
		}
	}
	f := float64(obj.Loss())
	var gamma float64
	if t.cfg.Slack {
		lh := 1 / (1 + t.cfg.Lambda)
		sl := float64(slots[0].State()[1][0])
		gamma = math.Max(0, f-lh*sl) / (q + lh)
		setScalar(slots, 1, 0, float32(lh*(sl+gamma)))
	} else if q > 0 {
		gamma = (f - t.cfg.FStar) / q
	}
	g32 := float32(gamma)
	for i := range slots {
		s := &slots[i]
		d := s.State()[0]
		for j, g := range s.U {
			s.U[j] = g32 * g / max(abs32(d[j]), alpha)
		}
	}
}

// pspsHutchinson draws a Rademacher z for every slot's parameter and returns
// z and H·z (aligned with slots) from one HVP of the objective.
func pspsHutchinson(obj Objective, slots []Slot, rng *rand.Rand) (z, hz []*tensor.Tensor) {
	v := make([]*tensor.Tensor, len(obj.Params()))
	z = make([]*tensor.Tensor, len(slots))
	for i := range slots {
		s := &slots[i]
		zi := tensor.New(obj.Params()[s.Index].Value.Shape()...)
		for j := range zi.Data() {
			zi.Data()[j] = float32(int(rng.Uint32()&1)*2 - 1)
		}
		z[i], v[s.Index] = zi, zi
	}
	h := obj.HVP(v)
	hz = make([]*tensor.Tensor, len(slots))
	for i := range slots {
		hz[i] = h[slots[i].Index].Contiguous()
	}
	return z, hz
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

func init() {
	d := DefaultPSPS()
	register("psps", map[string]string{"beta2": f64(d.Beta2), "alpha": f64(d.Alpha),
		"init_samples": f64(float64(d.InitSamples)), "f_star": f64(d.FStar), "slack": "false",
		"lambda": f64(d.Lambda), "seed": "0"},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := PSPSConfig{Beta2: a.f64("beta2"), Alpha: a.f64("alpha"), InitSamples: int(a.f64("init_samples")),
				FStar: a.f64("f_star"), Slack: a.bool("slack"), Lambda: a.f64("lambda"), Seed: uint64(a.f64("seed"))}
			if a.err != nil {
				return nil, a.err
			}
			return NewPSPS(ps, c)
		})
}
