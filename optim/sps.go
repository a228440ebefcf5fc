package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// SPSConfig holds the hyperparameters of NewSPS.
type SPSConfig struct {
	C     float64 // c > 0 in the denominator c·‖g‖²
	MaxLR float64 // γ_max > 0, the cap on the step size
	FStar float64 // f*, the optimal loss value assumed (0 for an interpolating model)
}

// DefaultSPS returns c = 0.5 (the original SPS_max of Loizou et al.),
// γ_max = 1 and f* = 0 (optax's polyak_sgd defaults for the cap and f*).
func DefaultSPS() SPSConfig { return SPSConfig{C: 0.5, MaxLR: 1} }

// NewSPS returns SGD with the stochastic Polyak step size (METHODS 3.4;
// verified against optax transform.py scale_by_polyak, variant "sps"):
//
//	γ = min( (f − f*)/(c·‖g‖²), γ_max )        (γ = 0 when ‖g‖ = 0)
//	θ ← θ − γ·g
//
// with f the minibatch loss at the current parameters, read from the
// objective (one extra forward pass: step with StepWith) and ‖g‖ global
// over all parameters. The chain is ScaleBySPS, ScaleByLR; the group LR
// is a multiplier fixed at 1 (optax's scaling; SetLR changes it). SPS has
// no state.
//
// StepWith runs a fused path (SetFused(false) selects the chain): the
// objective's Loss, one asm.DoGSums pass per parameter for ‖g‖² (in the
// lane order the chain's sum uses too) and one asm.DoGStep pass,
// θ ← θ − (g·γ)·η. TestG3FusedMatchesChain checks 50 steps against the
// chain (several sizes, a parameter without a gradient on some steps,
// steps with γ capped and not) to a few ulps; BenchmarkG3Step times it.
//
// NewSPS returns a *HyperparameterError for c or γ_max not
// positive and finite, or f* not finite.
func NewSPS(params []*autodiff.Var, cfg SPSConfig) (*Optimizer, error) {
	if err := checkRange("sps", "c", cfg.C, 0, inf, true, true); err != nil {
		return nil, err
	}
	if err := checkRange("sps", "max_lr", cfg.MaxLR, 0, inf, true, true); err != nil {
		return nil, err
	}
	if err := checkRange("sps", "f_star", cfg.FStar, -inf, inf, true, true); err != nil {
		return nil, err
	}
	t := &scaleBySPS{c: cfg.C, maxLR: cfg.MaxLR, fStar: cfg.FStar}
	o, err := newGroupFused("sps", params, Chain(t, ScaleByLR()), t.fused, 1, 0)
	if err != nil {
		return nil, err
	}
	o.fusedObj = true // the step reads the objective's loss
	return o, nil
}

// fused is NewSPS's fused step. The group weight decay is not read: the
// chain has no AddDecayedWeights.
func (t *scaleBySPS) fused(args []fusedArgs) {
	if len(args) == 0 {
		return
	}
	if args[0].Obj == nil {
		panic("optim: scale_by_sps: no objective: step the optimizer with StepWith")
	}
	f := float64(args[0].Obj.Loss())
	var g2 float64
	for i := range args {
		g2 += normSq(args[i].G)
	}
	gamma := float32(t.gamma(f, g2))
	for i := range args {
		a := &args[i]
		asm.DoGStep(a.P, a.G, nil, asm.DoGStepParams{Eta: gamma, LR: a.LR})
	}
}

// gamma returns the Polyak step min((f − f*)/(c·‖g‖²), γ_max), 0 when
// ‖g‖ = 0.
func (t *scaleBySPS) gamma(f, g2 float64) float64 {
	if g2 > 0 {
		return math.Min((f-t.fStar)/(t.c*g2), t.maxLR)
	}
	return 0
}

// ScaleBySPS returns the Polyak step-size transform of NewSPS: u ← γ·u
// with γ from the objective's loss (Slot.Obj.Loss) and ‖u‖ over all
// slots (summed as asm.DoGSums sums, the order of NewSPS's fused step).
// It is an ObjectiveUser. The caller validates c and maxLR.
func ScaleBySPS(c, maxLR, fStar float64) Transform {
	return &scaleBySPS{c: c, maxLR: maxLR, fStar: fStar}
}

type scaleBySPS struct{ c, maxLR, fStar float64 }

func (*scaleBySPS) Name() string           { return "scale_by_sps" }
func (*scaleBySPS) StateNames() []string   { return nil }
func (*scaleBySPS) Init(n int) [][]float32 { return nil }
func (*scaleBySPS) NeedsObjective() bool   { return true }

func (t *scaleBySPS) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		stateOf(t, &slots[i], 0)
	}
	f := float64(stepObjective(t, slots).Loss())
	var g2 float64
	for i := range slots {
		g2 += normSq(slots[i].U)
	}
	gamma := t.gamma(f, g2)
	for i := range slots {
		asm.Scale(slots[i].U, float32(gamma))
	}
}

func init() {
	d := DefaultSPS()
	register("sps", map[string]string{"c": f64(d.C), "max_lr": f64(d.MaxLR), "f_star": f64(d.FStar)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			// The step size is the Polyak step: the command line's lr is not read.
			c := SPSConfig{C: a.f64("c"), MaxLR: a.f64("max_lr"), FStar: a.f64("f_star")}
			if a.err != nil {
				return nil, a.err
			}
			return NewSPS(ps, c)
		})
}
