package optim

import (
	"fmt"
	"math/rand/v2"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// Objective gives an optimizer the training objective on the current
// minibatch, for methods that need more than one gradient per step:
// curvature methods (Hessian-vector products), SAM and GAM (gradients at
// perturbed points), Polyak steps (the loss value), line searches.
//
// An Objective is built over the optimizer's parameters in the
// optimizer's order (Optimizer.Params); StepWith checks this. Package nn
// provides one for classifiers (nn.NewObjective).
type Objective interface {
	// Params returns the parameters the objective differentiates, in the
	// optimizer's order.
	Params() []*autodiff.Var
	// Loss returns the minibatch loss at the parameters' current values
	// (one forward pass, nothing recorded).
	Loss() float32
	// Gradient evaluates the loss at the parameters' current values and
	// overwrites every parameter's Grad with its gradient (Grad is
	// allocated if nil). It returns the loss.
	Gradient() float32
	// HVP returns H·v, the Hessian of the minibatch loss at the current
	// values times v, one tensor per parameter (aligned with Params; a nil
	// v[i] is zero). The results are new tensors.
	HVP(v []*tensor.Tensor) []*tensor.Tensor
}

// LabelSampler is implemented by classification objectives that can take
// the gradient of the loss against labels sampled from the model's own
// predictive distribution, the Gauss–Newton–Bartlett estimator Sophia-G
// uses. It overwrites every parameter's Grad, like Objective.Gradient,
// and returns the loss against the sampled labels.
type LabelSampler interface {
	SampledGradient(rng *rand.Rand) float32
}

// ObjectiveUser is implemented by transforms that read Slot.Obj: their
// optimizer must be stepped with StepWith. Chain implements it when any
// of its transforms does.
type ObjectiveUser interface {
	NeedsObjective() bool
}

// needsObjective reports whether t reads Slot.Obj.
func needsObjective(t Transform) bool {
	u, ok := t.(ObjectiveUser)
	return ok && u.NeedsObjective()
}

func (c *chain) NeedsObjective() bool {
	for _, t := range c.ts {
		if needsObjective(t) {
			return true
		}
	}
	return false
}

// NeedsObjective reports whether the optimizer's steps need an objective
// (StepWith); Step panics for such an optimizer.
func (o *Optimizer) NeedsObjective() bool { return needsObjective(o.tr) }

// StepWith is Step with the minibatch objective available to the
// transforms (Slot.Obj). It runs the Transform chain, unless the
// optimizer's fused path itself takes the objective's gradient (XGrad's
// prediction, newPredictFused). obj must
// have been built over o.Params() in that order; StepWith panics
// otherwise. The parameters' Grad must hold the minibatch gradient at the
// current values, as after Backward, unless a transform recomputes it.
func (o *Optimizer) StepWith(obj Objective) {
	if obj == nil {
		panic(fmt.Sprintf("optim: %s: stepwith: nil objective", o.name))
	}
	ps := obj.Params()
	i := 0
	for _, g := range o.groups {
		for _, p := range g.Params {
			if i >= len(ps) || ps[i] != p {
				panic(fmt.Sprintf("optim: %s: stepwith: the objective's parameters are not the optimizer's (at %d)", o.name, i))
			}
			i++
		}
	}
	if i != len(ps) {
		panic(fmt.Sprintf("optim: %s: stepwith: the objective has %d parameters, the optimizer %d", o.name, len(ps), i))
	}
	o.step(obj)
}
