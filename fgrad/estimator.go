package fgrad

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

// Estimator fills the Grad of every trainable parameter of its model
// (nn.Parameters order) with an estimate of the gradient of the mean
// softmax cross-entropy of the model's logits on a batch, and returns that
// loss. Estimate overwrites the Grads (allocating them when nil); it never
// changes a parameter's value, so any optimizer can take the step.
//
// x is the batch in the model's input shape ([N, features] for an MLP) and
// labels holds its N classes. Estimate panics with a *tensor.ShapeError
// when x does not fit the model, like the model's Forward. An Estimator
// is not safe for concurrent use; it reuses its buffers from step to step.
type Estimator interface {
	Name() string
	Estimate(x *tensor.Tensor, labels []int32) (loss float32)
}

// AuxTrainer is implemented by estimators that train parameters of their
// own beside the model's, such as fg-local's auxiliary heads. Estimate
// fills their Grads too; give them to the optimizer with the model's.
type AuxTrainer interface {
	AuxParams() []*autodiff.Var
}

// Config holds the options of the estimators.
type Config struct {
	// Tangents is K, the number of random tangents averaged per step by
	// fg (per step) and fg-activity (per layer). 0 means 1.
	Tangents int
	// Orthogonal makes fg's K tangents orthogonal (Gram–Schmidt over all
	// parameters, each rescaled to the norm √P of a Gaussian tangent). It
	// needs the K tangents stored: K copies of the parameters.
	Orthogonal bool
	// Seed fixes the tangents, DFA's feedback matrices and fg-local's
	// heads. The tangents of step t depend on (Seed, t) only.
	Seed uint64
}

// Names lists the estimators New builds.
func Names() []string { return []string{"backprop", "fg", "fg-activity", "fg-local", "dfa"} }

// New returns the estimator called name for model:
//
//   - "backprop" (NewBackprop): any nn.Module;
//   - "fg" (NewFG): any nn.Module; an MLP (see below) takes the fast
//     tape-free path, other models go through autodiff's Tape.JVP;
//   - "fg-activity" (NewActivity), "fg-local" (NewLocal), "dfa" (NewDFA):
//     an MLP only.
//
// An MLP here is an *nn.Sequential of nn.Linear layers, each optionally
// followed by nn.ReLU, with optional nn.Flatten layers before the first
// Linear (nn.MLP builds one). New returns an error for an unknown name,
// a model an estimator does not support or a negative Tangents.
func New(name string, model nn.Module, cfg Config) (Estimator, error) {
	if cfg.Tangents < 0 {
		return nil, fmt.Errorf("fgrad: new: %d tangents, want at least 1", cfg.Tangents)
	}
	switch name {
	case "backprop":
		return NewBackprop(model), nil
	case "fg":
		return NewFG(model, cfg)
	case "fg-activity":
		return NewActivity(model, cfg)
	case "fg-local":
		return NewLocal(model, cfg)
	case "dfa":
		return NewDFA(model, cfg)
	}
	return nil, fmt.Errorf("fgrad: new: unknown estimator %q (have %s)", name, strings.Join(Names(), ", "))
}

// tangents returns K with the default applied.
func (c Config) tangents() int { return max(c.Tangents, 1) }

// ensureGrads allocates the Grad of every parameter that has none.
func ensureGrads(params []*autodiff.Var) {
	for _, p := range params {
		if p.Grad == nil {
			p.Grad = tensor.New(p.Value.Shape()...)
		}
	}
}

// batchShape returns N and the features per sample of x for an input
// width of in, or panics with a *tensor.ShapeError.
func batchShape(op string, x *tensor.Tensor, labels []int32, in int) int {
	s := x.Shape()
	if len(s) == 0 || s[0] != len(labels) || s[0] == 0 || x.Size() != s[0]*in {
		panic(&tensor.ShapeError{Op: op,
			Reason: fmt.Sprintf("input must be [N, %d] (or N samples of %d values) with N = %d labels", in, in, len(labels)),
			Shapes: [][]int{s}})
	}
	return s[0]
}

// paramList returns a copy of the list of the model's parameters, in
// order.
func paramList(m nn.Module) []*autodiff.Var { return slices.Clone(nn.Parameters(m)) }
