package fgrad

import (
	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

// Backprop is the exact gradient from autodiff's tape: the forward pass is
// recorded, and Tape.Backward walks it in reverse,
//
//	ĝ = ∇θ L(θ),  L = (1/N) Σ_n CE(f(x_n; θ), y_n),
//
// at the cost of keeping every intermediate value of the forward pass
// until the backward pass has used it. It supports any nn.Module.
type Backprop struct {
	model  nn.Module
	params []*autodiff.Var
	tape   *autodiff.Tape
}

// NewBackprop returns the backprop estimator for model.
func NewBackprop(model nn.Module) *Backprop {
	return &Backprop{model: model, params: paramList(model), tape: autodiff.NewTape()}
}

// Name returns "backprop".
func (*Backprop) Name() string { return "backprop" }

// Estimate sets every parameter's Grad to the exact gradient of the batch
// loss and returns the loss. The tape is reset before it returns.
func (b *Backprop) Estimate(x *tensor.Tensor, labels []int32) float32 {
	for _, p := range b.params {
		p.ZeroGrad()
	}
	loss := nn.CrossEntropyLoss(b.model.Forward(b.tape.Input(x)), labels)
	b.tape.Backward(loss)
	l := loss.Item()
	b.tape.Reset()
	ensureGrads(b.params) // a parameter the loss does not reach gets zeros
	return l
}
