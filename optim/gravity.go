package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// GravityConfig holds the hyperparameters of NewGravity.
type GravityConfig struct {
	LR    float32 // η > 0
	Alpha float64 // α ≥ 0: the initial velocity has standard deviation α/η
	Beta  float64 // β in [0, 1]
	Seed  uint64  // seeds the initial velocities
}

// DefaultGravity returns the official code's defaults (METHODS.md 1.21):
// η = 0.1, α = 0.01, β = 0.9, seed 0.
func DefaultGravity() GravityConfig { return GravityConfig{LR: 0.1, Alpha: 0.01, Beta: 0.9} }

// NewGravity returns the Gravity optimizer (Bahrami & Zadeh, "Gravity
// Optimizer: a Kinematic Approach on Optimization in Deep Learning"), the
// update of dariush-bahrami/gravity.optimizer (README Keras code
// @0058520; METHODS.md 1.21, verified). For each parameter θ with
// gradient g, with k = t−1 (t its step count: k starts at 0, as the
// official code; pytorch_optimizer starts at 1):
//
//	v₀ ~ N(0, (α/η)²)             (drawn on the parameter's first step)
//	M = max_i |g_i|               (per tensor)
//	ζ = g / (1 + (g·M)²)
//	β_t = (β·k + 1)/(k + 2)
//	v ← β_t·v + (1−β_t)·ζ
//	θ ← θ − η·v
//
// |ζ_i| ≤ 1/(2M), with equality where |g_i| = 1/M. v₀ uses the group's
// learning rate at the parameter's first step, and its N(0, 1) draws are
// a function of (Seed, Slot.Index, element), so they are reproducible;
// after that v is in the state. The chain is ScaleByGravity, ScaleByLR.
// The group's WeightDecay is not used (the method has none). The state
// is "velocity" (v).
//
// Step runs the fused asm.GravityStep on each whole parameter (two
// passes: M, then ζ, v and θ), after drawing v₀ in Go on the parameter's
// first step (SetFused(false) selects the chain; the state is the same
// either way). It rounds every operation as the chain does, so the two
// paths agree bit for bit but for subnormals, which the kernel flushes.
// NewGravity returns a *HyperparameterError for a
// non-positive or non-finite η, a negative or non-finite α, or a β
// outside [0, 1].
func NewGravity(params []*autodiff.Var, cfg GravityConfig) (*Optimizer, error) {
	const opt = "gravity"
	if err := checkRange(opt, "lr", float64(cfg.LR), 0, inf, true, true); err != nil {
		return nil, err
	}
	if err := checkNonNeg(opt, "alpha", cfg.Alpha); err != nil {
		return nil, err
	}
	if err := checkRange(opt, "beta", cfg.Beta, 0, 1, false, false); err != nil {
		return nil, err
	}
	t := Chain(ScaleByGravity(cfg.Alpha, cfg.Beta, cfg.Seed), ScaleByLR())
	return newWholeFused(opt, params, t, gravityFused(cfg), cfg.LR, 0)
}

// gravityFused returns NewGravity's fused step: v₀ as ScaleByGravity
// draws it on the parameter's first step, then asm.GravityStep.
func gravityFused(cfg GravityConfig) wholeStep {
	return func(a *fusedArgs) {
		v := a.St[0][:len(a.P)]
		if a.Step == 1 {
			gravityInit(v, cfg.Alpha, a.LR, cfg.Seed, a.Index)
		}
		asm.GravityStep(a.P, a.G, v, asm.GravityParams{LR: float64(a.LR), Beta: cfg.Beta, Step: a.Step})
	}
}

// ScaleByGravity returns the Gravity transform of NewGravity: on a
// parameter's first step v ← (α/η)·z with z = GravityNormal(seed,
// Slot.Index, j) and η the slot's LR; then, every step,
//
//	v ← β_t·v + (1−β_t)·u/(1 + (u·M)²),   u ← v
//
// with M = max|u|. Every operation is rounded to float32 on its own
// (explicit conversions keep the compiler from fusing multiply-adds), so
// the rounding does not depend on GOAMD64 and NewGravity's fused kernel
// can match it. The state is "velocity". The caller validates α and β.
func ScaleByGravity(alpha, beta float64, seed uint64) Transform {
	return &scaleByGravity{alpha: alpha, beta: beta, seed: seed}
}

type scaleByGravity struct {
	alpha, beta float64
	seed        uint64
}

var gravityStateNames = []string{"velocity"}

func (*scaleByGravity) Name() string           { return "scale_by_gravity" }
func (*scaleByGravity) StateNames() []string   { return gravityStateNames }
func (*scaleByGravity) Init(n int) [][]float32 { return zeros(1, n) }

func (a *scaleByGravity) Update(slots []Slot) {
	for i := range slots {
		s := &slots[i]
		st := stateOf(a, s, 1)
		u, v := s.U, st[0][:len(s.U)]
		if s.Step == 1 {
			gravityInit(v, a.alpha, s.LR, a.seed, s.Index)
		}
		var mx float32
		for _, g := range u {
			mx = max(mx, float32(math.Abs(float64(g))))
		}
		k := float64(s.Step - 1)
		bt := (a.beta*k + 1) / (k + 2)
		b, omb := float32(bt), float32(1-bt)
		for j, g := range u {
			gm := g * mx
			// The conversions round each product: no FMA (GOAMD64=v3).
			vj := float32(b*v[j]) + float32(omb*(g/(1+float32(gm*gm))))
			v[j] = vj
			u[j] = vj
		}
	}
}

// gravityInit sets the initial velocity of parameter index: v[j] =
// (α/η)·GravityNormal(seed, index, j).
func gravityInit(v []float32, alpha float64, lr float32, seed uint64, index int) {
	sd := alpha / float64(lr)
	for j := range v {
		v[j] = float32(sd * GravityNormal(seed, uint64(index), uint64(j)))
	}
}

// GravityNormal returns a standard normal draw that depends only on
// (seed, param, j), by Box–Muller from two hashUniform draws.
func GravityNormal(seed, param, j uint64) float64 {
	u1 := hashUniform(seed, param+1, 2*j)
	u2 := hashUniform(seed, param+1, 2*j+1)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

func init() {
	d := DefaultGravity()
	register("gravity", map[string]string{"lr": f32(d.LR), "alpha": f64(d.Alpha), "beta": f64(d.Beta),
		"seed": "0"},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := GravityConfig{LR: a.f32("lr"), Alpha: a.f64("alpha"), Beta: a.f64("beta")}
			c.Seed = seedArg(a, "seed")
			if a.err != nil {
				return nil, a.err
			}
			return NewGravity(ps, c)
		})
}
