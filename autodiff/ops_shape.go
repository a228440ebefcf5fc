package autodiff

import (
	"slices"

	"github.com/gograd/gograd/tensor"
)

// reshapeOp is a view with a new shape; no data moves.
type reshapeOp struct{ shape []int }

var reshapeName = registerOp("reshape")

func (o *reshapeOp) Name() string { return reshapeName }

func (o *reshapeOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	return in[0].Value.Reshape(o.shape...)
}

func (o *reshapeOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	return in[0].Tangent.Reshape(out.Value.Shape()...)
}

func (o *reshapeOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	grads[0] = Reshape(g, in[0].Shape()...)
}

// Reshape returns x with a new shape (one dimension may be -1), sharing
// its memory. It returns x itself when the shape is unchanged.
func Reshape(x *Var, shape ...int) *Var {
	if slices.Equal(x.Shape(), shape) {
		return x
	}
	return apply(&reshapeOp{shape: slices.Clone(shape)}, x)
}

// Flatten reshapes x to [x.Shape()[0], rest], as nn.Flatten does.
func Flatten(x *Var) *Var {
	s := x.Shape()
	if len(s) == 0 {
		return Reshape(x, 1, 1)
	}
	return Reshape(x, s[0], -1)
}

// transposeOp permutes axes into a new contiguous tensor.
type transposeOp struct{ perm []int }

var transposeName = registerOp("transpose")

func (o *transposeOp) Name() string { return transposeName }

func (o *transposeOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	return permuteInto(t, in[0].Value, o.perm)
}

func (o *transposeOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	return permuteInto(t, in[0].Tangent, o.perm)
}

func (o *transposeOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	inv := make([]int, len(o.perm))
	for i, p := range o.perm {
		inv[p] = i
	}
	grads[0] = Transpose(g, inv...)
}

func permuteInto(t *Tape, x *tensor.Tensor, perm []int) *tensor.Tensor {
	view := x.Transpose(perm...)
	out := t.alloc(view.Shape()...)
	out.CopyFrom(view)
	return out
}

// Transpose permutes the axes of x (axis i of the result is axis perm[i]
// of x; no perm reverses them) into a new contiguous tensor.
func Transpose(x *Var, perm ...int) *Var {
	n := len(x.Shape())
	if len(perm) == 0 {
		perm = make([]int, n)
		for i := range perm {
			perm[i] = n - 1 - i
		}
	}
	return apply(&transposeOp{perm: slices.Clone(perm)}, x)
}
