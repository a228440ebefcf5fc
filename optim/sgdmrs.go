package optim

import (
	"fmt"
	"math"
	"strconv"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// SGDMRSConfig holds the hyperparameters of NewSGDMRS.
type SGDMRSConfig struct {
	LR          float32 // η ≥ 0
	Beta        float64 // β in [0, 1]
	Mu          float64 // μ ≥ 0, the damping of the recursion (μ = 0: SGDM-style Δ)
	WeightDecay float32 // λ ≥ 0, L2 (added to the gradient)
	// RandomScaling draws s ~ Exponential(1) each step; false fixes
	// s = 1, the deterministic recursion.
	RandomScaling bool
	Seed          uint64 // seeds the s sequence
}

// DefaultSGDMRS returns β = 0.9, μ = 0 (METHODS.md 1.20), random
// scaling on, seed 0, λ = 0, and η = 0.05, our choice: METHODS.md gives
// no η (SGDM's range for MNIST MLPs is 0.01–0.1; the steady step here is
// η·β/(1−β); 0.01 ends W1 at 94.6%, 0.05 at 97.2%, see
// benchmarks/optimizers/tuning.md).
func DefaultSGDMRS() SGDMRSConfig { return SGDMRSConfig{LR: 0.05, Beta: 0.9, RandomScaling: true} }

// NewSGDMRS returns SGD with momentum and exponential random scaling
// (Zhang & Cutkosky, "Random Scaling and Momentum for Non-smooth
// Non-convex Optimization"), the O2NCGD update (METHODS.md 1.20,
// verified against an O2NC reference implementation). For each
// parameter θ with gradient g (plus λ·θ if λ > 0):
//
//	Δ ← β·(Δ − η·g)/(1 + η·μ)
//	s ~ Exponential(1)            (one scalar per step, shared by all parameters)
//	θ ← θ + s·Δ
//
// Δ holds the displacement itself, so the recursion reads the group's
// current η directly and the chain (AddDecayedWeights, ScaleBySGDMRS)
// has no ScaleByLR: SetLR and schedules still act through Slot.LR. The
// state is "delta" (Δ). Not implemented: the randomized AdamW variant.
//
// Step runs the fused one-pass asm.SGDMRSStep on each parameter, with s
// drawn once for the Step call as below (SetFused(false) selects the
// chain; the state is the same either way). The kernel rounds every
// operation as the chain does, so the two paths agree bit for bit, except
// for subnormals, which the kernel flushes, and, with λ > 0, at the
// generic level (purego), where Axpy rounds λ·θ before adding it and the
// kernel fuses the multiply-add as its assembly does (one ulp of u).
//
// s is a function of (Seed, k), k the largest parameter step count in
// the Step (the optimizer's step count when every parameter has a
// gradient every step), so a run resumed from State draws the same
// sequence: s = −ln(U) with U uniform in (0, 1) from a SplitMix64 hash.
// NewSGDMRS returns a *HyperparameterError for a negative or non-finite
// η, μ or λ, or a β outside [0, 1].
func NewSGDMRS(params []*autodiff.Var, cfg SGDMRSConfig) (*Optimizer, error) {
	const opt = "sgdm-rs"
	if err := checkNonNeg(opt, "lr", float64(cfg.LR)); err != nil {
		return nil, err
	}
	if err := checkRange(opt, "beta", cfg.Beta, 0, 1, false, false); err != nil {
		return nil, err
	}
	if err := checkNonNeg(opt, "mu", cfg.Mu); err != nil {
		return nil, err
	}
	if err := checkNonNeg(opt, "weight_decay", float64(cfg.WeightDecay)); err != nil {
		return nil, err
	}
	t := Chain(AddDecayedWeights(), ScaleBySGDMRS(cfg.Beta, cfg.Mu, cfg.RandomScaling, cfg.Seed))
	return newWholeFused(opt, params, t, sgdmrsFused(cfg), cfg.LR, cfg.WeightDecay)
}

// sgdmrsFused returns NewSGDMRS's fused step: ScaleBySGDMRS's s (from
// the largest step count of the Step call) and the group's η and λ handed
// to asm.SGDMRSStep, which rounds β/(1+η·μ) and s as the chain does.
func sgdmrsFused(cfg SGDMRSConfig) wholeStep {
	return func(a *fusedArgs) {
		s := 1.0
		if cfg.RandomScaling {
			s = ExpScale(cfg.Seed, uint64(a.MaxStep))
		}
		asm.SGDMRSStep(a.P, a.G, a.St[0], asm.SGDMRSParams{LR: float64(a.LR), Beta: cfg.Beta, Mu: cfg.Mu,
			WeightDecay: float64(a.WD), Scale: s})
	}
}

// ScaleBySGDMRS returns the transform of NewSGDMRS, which applies the
// learning rate itself (it must end a chain in place of ScaleByLR):
//
//	Δ ← (β/(1 + η·μ))·(Δ − η·u)
//	u ← −s·Δ                      (so that θ − u = θ + s·Δ)
//
// with η the slot's LR and s = ExpScale(seed, k) (1 if !random), k the
// largest Slot.Step among the slots. The state is "delta", starting at
// zero. Every operation is rounded to float32 on its own (an explicit
// conversion keeps the compiler from fusing η·u into the subtraction), so
// the rounding does not depend on GOAMD64 and NewSGDMRS's fused kernel
// can match it. The caller validates β and μ.
func ScaleBySGDMRS(beta, mu float64, random bool, seed uint64) Transform {
	return &scaleBySGDMRS{beta: beta, mu: mu, random: random, seed: seed}
}

type scaleBySGDMRS struct {
	beta, mu float64
	random   bool
	seed     uint64
}

var sgdmrsStateNames = []string{"delta"}

func (*scaleBySGDMRS) Name() string           { return "scale_by_sgdm_rs" }
func (*scaleBySGDMRS) StateNames() []string   { return sgdmrsStateNames }
func (*scaleBySGDMRS) Init(n int) [][]float32 { return zeros(1, n) }

func (a *scaleBySGDMRS) Update(slots []Slot) {
	k := 0
	for i := range slots {
		k = max(k, slots[i].Step)
	}
	sc := float32(1)
	if a.random {
		sc = float32(ExpScale(a.seed, uint64(k)))
	}
	for i := range slots {
		s := &slots[i]
		st := stateOf(a, s, 1)
		eta := s.LR
		f := float32(a.beta / (1 + float64(s.LR)*a.mu))
		u, d := s.U, st[0][:len(s.U)]
		for j, g := range u {
			dj := f * (d[j] - float32(eta*g)) // the conversion rounds η·u: no FMA (GOAMD64=v3)
			d[j] = dj
			u[j] = -sc * dj
		}
	}
}

// ExpScale returns an Exponential(1) draw that depends only on (seed,
// k): −ln(U), U = hashUniform(seed, k) in (0, 1). It is at most
// 53·ln 2 ≈ 36.7.
func ExpScale(seed, k uint64) float64 { return -math.Log(hashUniform(seed, 0, k)) }

// splitMix64 is the SplitMix64 output function (Steele et al.), a
// bijective 64-bit mixer.
func splitMix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashUniform returns a uniform number in (0, 1), a multiple of 2^-53
// plus 2^-54, determined by (seed, stream, k).
func hashUniform(seed, stream, k uint64) float64 {
	h := splitMix64(splitMix64(splitMix64(seed)^stream) ^ k)
	return (float64(h>>11) + 0.5) * 0x1p-53
}

func init() {
	d := DefaultSGDMRS()
	register("sgdm-rs", map[string]string{"lr": f32(d.LR), "beta": f64(d.Beta), "mu": f64(d.Mu),
		"weight_decay": f32(d.WeightDecay), "random_scaling": "true", "seed": "0"},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := SGDMRSConfig{LR: a.f32("lr"), Beta: a.f64("beta"), Mu: a.f64("mu"),
				WeightDecay: a.f32("weight_decay"), RandomScaling: a.bool("random_scaling")}
			c.Seed = seedArg(a, "seed")
			if a.err != nil {
				return nil, a.err
			}
			return NewSGDMRS(ps, c)
		})
}

// seedArg parses registry argument key as an unsigned 64-bit seed,
// keeping the parser's first error.
func seedArg(a *argParser, key string) uint64 {
	x, err := strconv.ParseUint(a.vals[key], 10, 64)
	if err != nil && a.err == nil {
		a.err = fmt.Errorf("optim: %s: argument %s=%q: not an unsigned integer", a.opt, key, a.vals[key])
	}
	return x
}
