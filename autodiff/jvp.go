package autodiff

import (
	"fmt"

	"github.com/gograd/gograd/tensor"
)

// Func is a computation from parameters to a Var, run on the given tape.
// It must bind its data with t.Input and may use the parameters captured
// in its closure.
type Func func(t *Tape) *Var

// JVP evaluates f with the given tangents attached to params and returns
// the value of f and its directional derivative, in one forward pass that
// records nothing. The results live in t's arena (valid until t.Reset);
// t's recording setting is restored. It panics if the tangents do not
// match the parameters' shapes.
func (t *Tape) JVP(f Func, params []*Var, tangents []*tensor.Tensor) (value, tangent *tensor.Tensor) {
	setTangents("jvp", params, tangents)
	defer clearTangents(params)
	was := t.SetRecording(false)
	defer t.SetRecording(was)
	out := f(t)
	tan := out.Tangent
	if tan == nil {
		tan = t.zeros(out.Value.Shape()...)
	}
	return out.Value, tan
}

// JVP evaluates f with tangents on params on a fresh tape and returns
// copies of the value and the directional derivative.
func JVP(f Func, params []*Var, tangents []*tensor.Tensor) (value, tangent *tensor.Tensor) {
	t := NewTape()
	v, d := t.JVP(f, params, tangents)
	return v.Clone(), d.Clone()
}

// Grad evaluates the scalar f on a fresh tape and returns its value and
// the gradients with respect to params (new tensors; the params' Grad
// fields are left untouched).
func Grad(f Func, params []*Var) (value float32, grads []*tensor.Tensor) {
	t := NewTape()
	loss := f(t)
	t.backward(loss)
	grads = make([]*tensor.Tensor, len(params))
	for i, p := range params {
		if p.cot != nil {
			grads[i] = p.cot.Value.Clone()
		} else {
			grads[i] = tensor.New(p.Value.Shape()...)
		}
	}
	t.clearLeaves()
	return loss.Item(), grads
}

// HVP returns the gradient of the scalar f with respect to params and the
// Hessian-vector product H·v, by forward-over-reverse: the forward pass
// carries v as the params' tangent, and the backward pass, whose VJP rules
// are ops, carries the tangent of every cotangent; the tangent of the
// gradient is H·v. The results are new tensors; the params' Grad fields
// are left untouched.
func HVP(f Func, params []*Var, v []*tensor.Tensor) (grads, hv []*tensor.Tensor) {
	setTangents("hvp", params, v)
	defer clearTangents(params)
	t := NewTape()
	loss := f(t)
	t.backward(loss)
	grads = make([]*tensor.Tensor, len(params))
	hv = make([]*tensor.Tensor, len(params))
	for i, p := range params {
		switch {
		case p.cot == nil:
			grads[i] = tensor.New(p.Value.Shape()...)
			hv[i] = tensor.New(p.Value.Shape()...)
		case p.cot.Tangent == nil:
			grads[i] = p.cot.Value.Clone()
			hv[i] = tensor.New(p.Value.Shape()...)
		default:
			grads[i] = p.cot.Value.Clone()
			hv[i] = p.cot.Tangent.Clone()
		}
	}
	t.clearLeaves()
	return grads, hv
}

func (t *Tape) clearLeaves() {
	for _, p := range t.leaves {
		p.cot, p.leafSeen = nil, false
	}
	t.leaves = t.leaves[:0]
}

func setTangents(op string, params []*Var, tangents []*tensor.Tensor) {
	if len(params) != len(tangents) {
		panic(fmt.Sprintf("autodiff: %s: %d tangents for %d parameters", op, len(tangents), len(params)))
	}
	for i, p := range params {
		if !tensor.SameShape(p.Value, tangents[i]) {
			panic(&tensor.ShapeError{Op: op, Reason: fmt.Sprintf("tangent %d does not match parameter %s", i, p.Name),
				Shapes: [][]int{p.Value.Shape(), tangents[i].Shape()}})
		}
		p.Tangent = tangents[i]
	}
}

func clearTangents(params []*Var) {
	for _, p := range params {
		p.Tangent = nil
	}
}
