package optim

import (
	"fmt"
	"math"
)

// SAM returns sharpness-aware minimization (Foret et al.; METHODS 4.3,
// verified against optax contrib _sam.py and pytorch_optimizer sam.py)
// as a transform placed before a base chain,
// Chain(SAM(ρ), base...): it replaces the gradient by the gradient at
// the ascent point, on the same minibatch:
//
//	g = ∇L_B(θ) ;  e = ρ·g/(‖g‖ + 1e-12)        (‖g‖ global over all parameters)
//	u ← ∇L_B(θ + e)
//
// It reads u (the minibatch gradient when SAM is first in the chain),
// displaces the parameters, calls Slot.Obj.Gradient (so it needs
// StepWith; the parameters' Grad then holds the SAM gradient) and
// restores the parameters exactly from a copy. The state is "sam_params"
// (that copy, scratch: its content between steps does not matter). ρ = 0
// gives exactly the base optimizer. SAM panics if ρ is negative or not
// finite.
func SAM(rho float64) Transform { return newSAM("sam", rho, false) }

// USAM returns unnormalized SAM (METHODS 4.3, "An SDE for Modeling SAM"):
// SAM with the ascent step e = ρ·g.
func USAM(rho float64) Transform { return newSAM("usam", rho, true) }

func newSAM(name string, rho float64, unnormalized bool) Transform {
	if !(rho >= 0 && rho < inf) {
		panic(fmt.Sprintf("optim: %s: invalid rho %v", name, rho))
	}
	return &sam{name: name, rho: rho, unnormalized: unnormalized}
}

type sam struct {
	name         string
	rho          float64
	unnormalized bool
}

var samNames = []string{"sam_params"}

func (t *sam) Name() string         { return t.name }
func (*sam) StateNames() []string   { return samNames }
func (*sam) Init(n int) [][]float32 { return zeros(1, n) }
func (*sam) NeedsObjective() bool   { return true }

func (t *sam) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		stateOf(t, &slots[i], 1)
	}
	obj := stepObjective(t, slots)
	scale := t.rho
	if !t.unnormalized {
		scale = t.rho / (math.Sqrt(sumSq(slots, pickU)) + 1e-12)
	}
	gradientAt(obj, slots, 0, float32(scale), pickU)
	for i := range slots {
		copy(slots[i].U, slots[i].G)
	}
	restoreParams(slots, 0)
}

// NewWrapped returns an optimizer over base's parameters (its first
// group's LR and weight decay) whose transform is Chain(before, base's
// transform, after), leaving out a nil before or after: e.g.
// NewWrapped("sam", sgd, SAM(0.05), nil) or
// NewWrapped("weight-clip", rmsprop, nil, WeightClip(0.01)). The name
// becomes "<name>(<base>)". With only an after of WeightClip and a base
// with an elementwise or whole-parameter fused kernel, the result has a
// fused path too (base's kernel, then the clamp), selected if base's is.
func NewWrapped(name string, base *Optimizer, before, after Transform) (*Optimizer, error) {
	ts := []Transform{base.Transform()}
	if before != nil {
		ts = append([]Transform{before}, ts...)
	}
	if after != nil {
		ts = append(ts, after)
	}
	o, err := newWrapped(name+"("+base.Name()+")", base.Params(), Chain(ts...), base.LR(), base.groups[0].WeightDecay, base)
	if err == nil {
		o.SetFused(base.Fused())
	}
	return o, err
}

func init() {
	for _, name := range []string{"sam", "usam"} {
		registerWrapper(name, "adam", map[string]string{"rho": "0.05"},
			func(base Transform, a *argParser) (Transform, error) {
				rho := a.f64("rho")
				if err := checkNonNeg(name, "rho", rho); a.err == nil && err != nil {
					return nil, err
				}
				if name == "usam" {
					return Chain(USAM(rho), base), nil
				}
				return Chain(SAM(rho), base), nil
			})
	}
}
