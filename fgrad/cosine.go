package fgrad

import (
	"math"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

// Cosine returns the cosine similarity ⟨a, b⟩/(‖a‖·‖b‖) of two lists of
// tensors taken as one long vector each, accumulated in float64. It
// returns 0 when either is zero and panics if the lists' sizes differ.
func Cosine(a, b []*tensor.Tensor) float64 {
	if len(a) != len(b) {
		panic("fgrad: cosine: lists of different lengths")
	}
	var ab, aa, bb float64
	for i := range a {
		x, y := a[i].Contiguous().Data(), b[i].Contiguous().Data()
		if len(x) != len(y) {
			panic(&tensor.ShapeError{Op: "cosine", Reason: "tensors of different sizes", Shapes: [][]int{a[i].Shape(), b[i].Shape()}})
		}
		ab += dot64(x, y)
		aa += dot64(x, x)
		bb += dot64(y, y)
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

// CosineMeter measures how well an estimate points along the true
// gradient: call Measure after an estimator's Estimate and before the
// optimizer's step, on the same batch.
type CosineMeter struct {
	exact  *Backprop
	params []*autodiff.Var
	est    []*tensor.Tensor
	grads  []*tensor.Tensor
}

// NewCosineMeter returns a meter for the parameters of model.
func NewCosineMeter(model nn.Module) *CosineMeter {
	m := &CosineMeter{exact: NewBackprop(model)}
	m.params = m.exact.params
	return m
}

// Measure returns the cosine between the estimate held in the
// parameters' Grads and the exact gradient on (x, labels), computed by
// backprop at the same parameter values. The Grads hold the estimate
// again when it returns.
func (m *CosineMeter) Measure(x *tensor.Tensor, labels []int32) float64 {
	if m.est == nil {
		for _, p := range m.params {
			m.est = append(m.est, tensor.New(p.Value.Shape()...))
		}
		m.grads = make([]*tensor.Tensor, len(m.params))
	}
	for i, p := range m.params {
		m.est[i].CopyFrom(p.Grad)
	}
	m.exact.Estimate(x, labels)
	for i, p := range m.params {
		m.grads[i] = p.Grad
	}
	c := Cosine(m.est, m.grads)
	for i, p := range m.params {
		p.Grad.CopyFrom(m.est[i])
	}
	return c
}
