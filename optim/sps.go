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
// no state. NewSPS returns a *HyperparameterError for c or γ_max not
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
	return NewFromTransform("sps", params, Chain(ScaleBySPS(cfg.C, cfg.MaxLR, cfg.FStar), ScaleByLR()), 1, 0)
}

// ScaleBySPS returns the Polyak step-size transform of NewSPS: u ← γ·u
// with γ from the objective's loss (Slot.Obj.Loss) and ‖u‖ over all
// slots. It is an ObjectiveUser. The caller validates c and maxLR.
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
	g2 := sumSq(slots, pickU)
	gamma := 0.0
	if g2 > 0 {
		gamma = math.Min((f-t.fStar)/(t.c*g2), t.maxLR)
	}
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
