package optim

import (
	"math"

	"github.com/gograd/gograd/autodiff"
)

// PSGDConfig holds the hyperparameters of NewPSGD.
type PSGDConfig struct {
	LR      float32 // η ≥ 0
	Mu      float64 // μ > 0, the preconditioner's step
	BetaL   float64 // β_L in [0, 1), the EMA weight of the Lipschitz estimate
	Damping float64 // damping ≥ 0, in the initial scale of q
	// PUpdate in (0, 1] is the probability of a preconditioner update at
	// a step (the first step always updates).
	PUpdate float64
	Seed    uint64 // seed of the probes and the update draws
}

// DefaultPSGD returns METHODS.md 2.4's defaults: η = 0.01, μ = 0.1,
// β_L = 0.9, damping = 1e-9, p_update = 1.
func DefaultPSGD() PSGDConfig {
	return PSGDConfig{LR: 0.01, Mu: 0.1, BetaL: 0.9, Damping: 1e-9, PUpdate: 1}
}

func (c PSGDConfig) validate() error {
	const opt = "psgd"
	for _, e := range []error{
		checkNonNeg(opt, "lr", float64(c.LR)),
		checkRange(opt, "mu", c.Mu, 0, inf, true, true),
		checkRange(opt, "beta_l", c.BetaL, 0, 1, false, true),
		checkNonNeg(opt, "damping", c.Damping),
		checkRange(opt, "p_update", c.PUpdate, 0, 1, true, false),
	} {
		if e != nil {
			return e
		}
	}
	return nil
}

// NewPSGD returns PSGD with the diagonal Newton-type preconditioner
// P = q² (Li, "Curvature-Informed SGD via General Purpose Lie-Group
// Preconditioners"), METHODS.md 2.4, after lixilinx/psgd_torch psgd.py
// @a8616f1 (verified: the diagonal branch of update_precond_kron_eq).
// The Kronecker and low-rank forms are not implemented. Per parameter,
// with an exact HVP through the objective (step with StepWith):
//
//	with probability p_update (always at step 1):
//	    v ~ N(0, I) ;  h = H·v                (one HVP over all parameters)
//	    if q is unset: q = (mean v²)^(1/4)·(mean h⁴ + damping⁴)^(−1/8)
//	    a = q ⊙ h ;  b = v / q
//	    ℓ = max(a² + b²) ;  Lq ← max(β_L·Lq + (1−β_L)·ℓ, ℓ)
//	    q ← q − (μ/Lq)·(a² − b²) ⊙ q
//	θ ← θ − η·(q² ⊙ g)
//
// (the means and the max over the parameter's elements). The optional
// momentum and preconditioned-gradient clipping are not implemented. The
// chain is ScaleByPSGD, ScaleByLR; the state is "q" and the 1-element
// "lipschitz" (Lq; 0 while q is unset). NewPSGD returns a
// *HyperparameterError for a negative η or damping, a non-positive μ,
// β_L outside [0, 1) or p_update outside (0, 1].
func NewPSGD(params []*autodiff.Var, cfg PSGDConfig) (*Optimizer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	t := Chain(ScaleByPSGD(cfg.Mu, cfg.BetaL, cfg.Damping, cfg.PUpdate, cfg.Seed), ScaleByLR())
	return NewFromTransform("psgd", params, t, cfg.LR, 0)
}

// ScaleByPSGD returns PSGD's diagonal transform, u = q² ⊙ g (see
// NewPSGD). It is a ShapedState. The caller validates the
// hyperparameters.
func ScaleByPSGD(mu, betaL, damping, pUpdate float64, seed uint64) Transform {
	return &scaleByPSGD{mu: mu, betaL: betaL, damping: damping, p: pUpdate, seed: seed, rng: newProbeRNG()}
}

type scaleByPSGD struct {
	mu, betaL, damping, p float64
	seed                  uint64
	rng                   *probeRNG
}

func (*scaleByPSGD) Name() string             { return "scale_by_psgd" }
func (*scaleByPSGD) StateNames() []string     { return []string{"q", "lipschitz"} }
func (a *scaleByPSGD) Init(n int) [][]float32 { return a.InitShape([]int{n}) }
func (*scaleByPSGD) NeedsObjective() bool     { return true }
func (*scaleByPSGD) StateShapes(shape []int) [][]int {
	if len(shape) == 0 {
		shape = []int{1}
	}
	return scalarShapes(shape, 1, 1)
}
func (*scaleByPSGD) InitShape(shape []int) [][]float32 { return initScalars(shape, 1, 1) }

func (a *scaleByPSGD) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	unset := false
	for i := range slots {
		st := checkState(a, &slots[i], len(slots[i].U), 1)
		unset = unset || st[1][0] == 0
	}
	t := slots[0].Step
	if unset || a.p >= 1 || a.rng.at(a.seed, t, 2).Float64() < a.p {
		r := a.rng.at(a.seed, t, 0)
		v := make([][]float32, len(slots))
		for i := range slots {
			v[i] = make([]float32, len(slots[i].U))
			for j := range v[i] {
				v[i][j] = float32(r.NormFloat64())
			}
		}
		hv := hvpSlots(a, objectiveOf(a, slots), slots, v)
		for i := range slots {
			a.fit(slots[i].State(), v[i], hv[i])
		}
	}
	for i := range slots {
		s := &slots[i]
		q := s.State()[0]
		for j, g := range s.U {
			s.U[j] = q[j] * q[j] * g
		}
	}
}

// fit takes one step of the preconditioner fit for one parameter.
func (a *scaleByPSGD) fit(st [][]float32, v, h []float32) {
	q, lq := st[0], st[1]
	n := float64(len(q))
	if lq[0] == 0 {
		var v2, h4 float64
		for j := range v {
			v2 += float64(v[j]) * float64(v[j])
			h2 := float64(h[j]) * float64(h[j])
			h4 += h2 * h2
		}
		d2 := a.damping * a.damping
		q0 := float32(math.Pow(v2/n, 0.25) * math.Pow(h4/n+d2*d2, -0.125))
		for j := range q {
			q[j] = q0
		}
	}
	var ell float64
	for j := range q {
		aj, bj := float64(q[j])*float64(h[j]), float64(v[j])/float64(q[j])
		ell = max(ell, aj*aj+bj*bj)
	}
	l := max(a.betaL*float64(lq[0])+(1-a.betaL)*ell, ell)
	lq[0] = float32(l)
	step := a.mu / l
	for j := range q {
		aj, bj := float64(q[j])*float64(h[j]), float64(v[j])/float64(q[j])
		q[j] = float32(float64(q[j]) - step*(aj*aj-bj*bj)*float64(q[j]))
	}
}

func init() {
	c := DefaultPSGD()
	register("psgd", map[string]string{"lr": f32(c.LR), "mu": f64(c.Mu), "beta_l": f64(c.BetaL),
		"damping": f64(c.Damping), "p_update": f64(c.PUpdate), "seed": "0"},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := PSGDConfig{LR: a.f32("lr"), Mu: a.f64("mu"), BetaL: a.f64("beta_l"), Damping: a.f64("damping"),
				PUpdate: a.f64("p_update"), Seed: a.curvU64("seed")}
			if a.err != nil {
				return nil, a.err
			}
			return NewPSGD(ps, c)
		})
}
