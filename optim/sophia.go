package optim

import (
	"fmt"
	"math"

	"github.com/gograd/gograd/autodiff"
)

// BatchSizer is implemented by objectives that know their minibatch's
// number of examples, the B of Sophia-G's step (nn.Objective can).
type BatchSizer interface {
	BatchSize() int
}

// SophiaHConfig holds the hyperparameters of NewSophiaH.
type SophiaHConfig struct {
	LR          float32 // η ≥ 0
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1)
	Gamma       float64 // γ > 0, the scale of h in the denominator
	Eps         float64 // ε > 0, the floor of γ·h
	Clip        float64 // clip > 0, the bound on |u|
	K           int     // k ≥ 1, steps between Hessian refreshes
	WeightDecay float32 // λ ≥ 0, decoupled
	Seed        uint64  // seed of the Rademacher probes
}

// DefaultSophiaH returns optax's Hutchinson Sophia defaults (METHODS.md
// 2.3): γ = 0.01, ε = 1e-8, clip = 1, k = 10, with Sophia-G's
// η = 1e-4 and β = (0.965, 0.99); λ = 0.
func DefaultSophiaH() SophiaHConfig {
	return SophiaHConfig{LR: 1e-4, Beta1: 0.965, Beta2: 0.99, Gamma: 0.01, Eps: 1e-8, Clip: 1, K: 10}
}

func (c SophiaHConfig) validate() error {
	const opt = "sophia-h"
	for _, e := range []error{
		checkNonNeg(opt, "lr", float64(c.LR)),
		checkRange(opt, "beta1", c.Beta1, 0, 1, false, true),
		checkRange(opt, "beta2", c.Beta2, 0, 1, false, true),
		checkRange(opt, "gamma", c.Gamma, 0, inf, true, true),
		checkRange(opt, "eps", c.Eps, 0, inf, true, true),
		checkRange(opt, "clip", c.Clip, 0, inf, true, true),
		checkRange(opt, "k", float64(c.K), 1, inf, false, true),
		checkNonNeg(opt, "weight_decay", float64(c.WeightDecay)),
	} {
		if e != nil {
			return e
		}
	}
	return nil
}

// NewSophiaH returns Sophia with the Hutchinson Hessian estimate (Liu et
// al., "Sophia: A Scalable Stochastic Second-order Optimizer for
// Language Model Pre-training"), METHODS.md 2.3, after optax
// optax/contrib/_sophia.py (verified). With t the step:
//
//	if (t−1) mod k = 0:  z Rademacher;  h ← β2·h + (1−β2)·(z ⊙ Hz)    (1 HVP)
//	m ← β1·m + (1−β1)·g
//	u = clip( (m/bc1) / max(γ·h, ε), −clip, clip )
//	θ ← θ − η·(u + λ·θ)
//
// so h is first refreshed at step 1, then at 11, 21, … (optax counts
// from 0). The probe is drawn over all updated parameters at once, one
// HVP through the objective: step with StepWith. The chain is
// ScaleBySophiaH, AddDecayedWeights, ScaleByLR; the state is "exp_avg"
// (m) and "hessian" (h). NewSophiaH returns a *HyperparameterError for
// a negative η or λ, a β outside [0, 1), a non-positive γ, ε or clip,
// or k < 1.
func NewSophiaH(params []*autodiff.Var, cfg SophiaHConfig) (*Optimizer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	t := Chain(ScaleBySophiaH(cfg.Beta1, cfg.Beta2, cfg.Gamma, cfg.Eps, cfg.Clip, cfg.K, cfg.Seed), AddDecayedWeights(), ScaleByLR())
	return NewFromTransform("sophia-h", params, t, cfg.LR, cfg.WeightDecay)
}

// ScaleBySophiaH returns Sophia-H's transform (see NewSophiaH) without
// weight decay and learning rate. The refresh and the probe follow the
// first slot's Step. The caller validates the hyperparameters.
func ScaleBySophiaH(beta1, beta2, gamma, eps, clip float64, k int, seed uint64) Transform {
	return &scaleBySophiaH{b1: beta1, b2: beta2, gamma: gamma, eps: eps, clip: clip, k: k, seed: seed, rng: newProbeRNG()}
}

type scaleBySophiaH struct {
	b1, b2, gamma, eps, clip float64
	k                        int
	seed                     uint64
	rng                      *probeRNG
}

var sophiaStateNames = []string{"exp_avg", "hessian"}

func (*scaleBySophiaH) Name() string           { return "scale_by_sophia_h" }
func (*scaleBySophiaH) StateNames() []string   { return sophiaStateNames }
func (*scaleBySophiaH) Init(n int) [][]float32 { return zeros(2, n) }
func (*scaleBySophiaH) NeedsObjective() bool   { return true }

func (a *scaleBySophiaH) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		stateOf(a, &slots[i], 2)
	}
	if t := slots[0].Step; (t-1)%a.k == 0 {
		obj := objectiveOf(a, slots)
		z, hz := hutchinson(a, obj, slots, a.rng.at(a.seed, t, 0))
		b2, omb2 := float32(a.b2), float32(1-a.b2)
		for i := range slots {
			h := slots[i].State()[1]
			for j := range h {
				h[j] = b2*h[j] + omb2*z[i][j]*hz[i][j]
			}
		}
	}
	b1, omb1 := float32(a.b1), float32(1-a.b1)
	gamma, eps, clip := float32(a.gamma), float32(a.eps), float32(a.clip)
	for i := range slots {
		s := &slots[i]
		st := s.State()
		m, h := st[0], st[1]
		c1 := float32(1 / (1 - math.Pow(a.b1, float64(s.Step))))
		for j, g := range s.U {
			mj := b1*m[j] + omb1*g
			m[j] = mj
			s.U[j] = min(max(c1*mj/max(gamma*h[j], eps), -clip), clip)
		}
	}
}

// SophiaGConfig holds the hyperparameters of NewSophiaG.
type SophiaGConfig struct {
	LR          float32 // η ≥ 0
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1)
	Rho         float64 // ρ > 0
	WeightDecay float32 // λ ≥ 0, decoupled
	K           int     // k ≥ 1, steps between Hessian refreshes
	// BatchSize is B, the examples per batch, used when the objective
	// does not implement BatchSizer; 0 requires that it does.
	BatchSize int
	Seed      uint64 // seed of the label sampling
}

// DefaultSophiaG returns the authors' defaults (METHODS.md 2.3):
// η = 1e-4, β = (0.965, 0.99), ρ = 0.04, λ = 0.1, k = 10; B from the
// objective.
func DefaultSophiaG() SophiaGConfig {
	return SophiaGConfig{LR: 1e-4, Beta1: 0.965, Beta2: 0.99, Rho: 0.04, WeightDecay: 0.1, K: 10}
}

func (c SophiaGConfig) validate() error {
	const opt = "sophia-g"
	for _, e := range []error{
		checkNonNeg(opt, "lr", float64(c.LR)),
		checkRange(opt, "beta1", c.Beta1, 0, 1, false, true),
		checkRange(opt, "beta2", c.Beta2, 0, 1, false, true),
		checkRange(opt, "rho", c.Rho, 0, inf, true, true),
		checkNonNeg(opt, "weight_decay", float64(c.WeightDecay)),
		checkRange(opt, "k", float64(c.K), 1, inf, false, true),
		checkRange(opt, "batch_size", float64(c.BatchSize), 0, inf, false, true),
	} {
		if e != nil {
			return e
		}
	}
	return nil
}

// NewSophiaG returns Sophia with the Gauss–Newton–Bartlett estimator
// (Liu et al.), METHODS.md 2.3, after the authors' Liuhong99/Sophia
// sophia.py @195a786 (verified) and their training loop. With t the
// step and B the examples per batch:
//
//	if t > 1 and (t−1) mod k = 0:
//	    ŷ ~ Categorical(softmax(logits));  ĝ = ∇ CE(logits, ŷ)
//	    h ← β2·h + (1−β2)·ĝ ⊙ ĝ
//	θ ← θ·(1 − η·λ)
//	m ← β1·m + (1−β1)·g
//	θ ← θ − η·sign(m)·min(|m| / (ρ·B·h + 1e-15), 1)
//
// The authors' loop refreshes h after steps k, 2k, …, at the parameters
// the next step starts from; this transform does it at the start of
// steps k+1, 2k+1, …, at the same parameters. Until then h = 0 and the
// step is η·sign(m). ĝ comes from the objective, which must implement
// LabelSampler (nn.Objective does): step with StepWith. After a refresh
// step the parameters' Grad hold ĝ, not g. B is the objective's
// BatchSize() if it implements BatchSizer, else cfg.BatchSize. The chain
// is ScaleBySophiaG, AddDecayedWeights, ScaleByLR; the state is
// "exp_avg" (m) and "hessian" (h). NewSophiaG returns a
// *HyperparameterError for a negative η, λ or batch size, a β outside
// [0, 1), a non-positive ρ or k < 1.
func NewSophiaG(params []*autodiff.Var, cfg SophiaGConfig) (*Optimizer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	t := Chain(ScaleBySophiaG(cfg.Beta1, cfg.Beta2, cfg.Rho, cfg.K, cfg.BatchSize, cfg.Seed), AddDecayedWeights(), ScaleByLR())
	return NewFromTransform("sophia-g", params, t, cfg.LR, cfg.WeightDecay)
}

// ScaleBySophiaG returns Sophia-G's transform (see NewSophiaG) without
// weight decay and learning rate:
//
//	u = sign(m)·min(|m| / (ρ·B·h + 1e-15), 1)
//
// The refresh and the label sampling follow the first slot's Step; the
// labels of step t are a function of (seed, t). The caller validates
// the hyperparameters.
func ScaleBySophiaG(beta1, beta2, rho float64, k, batchSize int, seed uint64) Transform {
	return &scaleBySophiaG{b1: beta1, b2: beta2, rho: rho, k: k, batch: batchSize, seed: seed, rng: newProbeRNG()}
}

type scaleBySophiaG struct {
	b1, b2, rho float64
	k, batch    int
	seed        uint64
	rng         *probeRNG
}

func (*scaleBySophiaG) Name() string           { return "scale_by_sophia_g" }
func (*scaleBySophiaG) StateNames() []string   { return sophiaStateNames }
func (*scaleBySophiaG) Init(n int) [][]float32 { return zeros(2, n) }
func (*scaleBySophiaG) NeedsObjective() bool   { return true }

func (a *scaleBySophiaG) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		stateOf(a, &slots[i], 2)
	}
	obj := objectiveOf(a, slots)
	b := a.batch
	if bs, ok := obj.(BatchSizer); ok {
		b = bs.BatchSize()
	}
	if b <= 0 {
		panic(fmt.Sprintf("optim: %s: unknown batch size: the objective does not implement BatchSizer and batch_size is %d", a.Name(), a.batch))
	}
	if t := slots[0].Step; t > 1 && (t-1)%a.k == 0 {
		ls, ok := obj.(LabelSampler)
		if !ok {
			panic(fmt.Sprintf("optim: %s: the objective %T does not implement LabelSampler", a.Name(), obj))
		}
		ls.SampledGradient(a.rng.at(a.seed, t, 1))
		ps := obj.Params()
		b2, omb2 := float32(a.b2), float32(1-a.b2)
		for i := range slots {
			s := &slots[i]
			gh, h := ps[s.Index].Grad.Data(), s.State()[1]
			if len(gh) != len(h) {
				panic(fmt.Sprintf("optim: %s: parameter %q: sampled gradient has %d elements, want %d", a.Name(), s.Name, len(gh), len(h)))
			}
			for j, x := range gh {
				h[j] = b2*h[j] + omb2*x*x
			}
		}
	}
	b1, omb1 := float32(a.b1), float32(1-a.b1)
	rb := float32(a.rho * float64(b))
	for i := range slots {
		s := &slots[i]
		st := s.State()
		m, h := st[0], st[1]
		for j, g := range s.U {
			mj := b1*m[j] + omb1*g
			m[j] = mj
			r := min(float32(math.Abs(float64(mj)))/(rb*h[j]+1e-15), 1)
			switch {
			case mj > 0:
				s.U[j] = r
			case mj < 0:
				s.U[j] = -r
			default:
				s.U[j] = 0
			}
		}
	}
}

func init() {
	h := DefaultSophiaH()
	register("sophia-h", map[string]string{"lr": f32(h.LR), "beta1": f64(h.Beta1), "beta2": f64(h.Beta2),
		"gamma": f64(h.Gamma), "eps": f64(h.Eps), "clip": f64(h.Clip), "k": fmt.Sprint(h.K),
		"weight_decay": f32(h.WeightDecay), "seed": "0"},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := SophiaHConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"), Gamma: a.f64("gamma"),
				Eps: a.f64("eps"), Clip: a.f64("clip"), K: a.curvInt("k"), WeightDecay: a.f32("weight_decay"), Seed: a.curvU64("seed")}
			if a.err != nil {
				return nil, a.err
			}
			return NewSophiaH(ps, c)
		})
	g := DefaultSophiaG()
	register("sophia-g", map[string]string{"lr": f32(g.LR), "beta1": f64(g.Beta1), "beta2": f64(g.Beta2),
		"rho": f64(g.Rho), "weight_decay": f32(g.WeightDecay), "k": fmt.Sprint(g.K),
		"batch_size": fmt.Sprint(g.BatchSize), "seed": "0"},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := SophiaGConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"), Rho: a.f64("rho"),
				WeightDecay: a.f32("weight_decay"), K: a.curvInt("k"), BatchSize: a.curvInt("batch_size"), Seed: a.curvU64("seed")}
			if a.err != nil {
				return nil, a.err
			}
			return NewSophiaG(ps, c)
		})
}
