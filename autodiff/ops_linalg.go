package autodiff

import "github.com/gograd/gograd/tensor"

// matMulOp is C = op(A)·op(B) for 2-D A and B, where op transposes when
// the flag is set.
type matMulOp struct{ transA, transB bool }

var matMulName = registerOp("matmul")

var matMulOps = [2][2]*matMulOp{{{false, false}, {false, true}}, {{true, false}, {true, true}}}

func (o *matMulOp) Name() string { return matMulName }

func (o *matMulOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	a, b := in[0].Value, in[1].Value
	m, _, n := tensor.MatMulShape(matMulName, a.Shape(), b.Shape(), o.transA, o.transB)
	out := t.alloc(m, n)
	tensor.MatMulTo(out, a, b, o.transA, o.transB, 1, 0)
	return out
}

// JVP: dC = op(dA)·op(B) + op(A)·op(dB), the second product accumulated
// in place.
func (o *matMulOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	a, b := in[0], in[1]
	res := t.alloc(out.Value.Shape()...)
	beta := float32(0)
	if a.Tangent != nil {
		tensor.MatMulTo(res, a.Tangent, b.Value, o.transA, o.transB, 1, 0)
		beta = 1
	}
	if b.Tangent != nil {
		tensor.MatMulTo(res, a.Value, b.Tangent, o.transA, o.transB, 1, beta)
	}
	return res
}

// VJP, for C = op(A)·op(B) with cotangent G:
//
//	C = A·B:   Ā = G·Bᵀ,   B̄ = Aᵀ·G
//	C = Aᵀ·B:  Ā = B·Gᵀ,   B̄ = A·G
//	C = A·Bᵀ:  Ā = G·B,    B̄ = Gᵀ·A
//	C = Aᵀ·Bᵀ: Ā = Bᵀ·Gᵀ,  B̄ = Gᵀ·Aᵀ
func (o *matMulOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	a, b := in[0], in[1]
	if a.needsGrad() {
		switch {
		case !o.transA && !o.transB:
			grads[0] = MatMul(g, b, false, true)
		case o.transA && !o.transB:
			grads[0] = MatMul(b, g, false, true)
		case !o.transA && o.transB:
			grads[0] = MatMul(g, b, false, false)
		default:
			grads[0] = MatMul(b, g, true, true)
		}
	}
	if b.needsGrad() {
		switch {
		case !o.transA && !o.transB:
			grads[1] = MatMul(a, g, true, false)
		case o.transA && !o.transB:
			grads[1] = MatMul(a, g, false, false)
		case !o.transA && o.transB:
			grads[1] = MatMul(g, a, true, false)
		default:
			grads[1] = MatMul(g, a, true, true)
		}
	}
}

// MatMul returns op(a)·op(b) for 2-D a and b, where op transposes its
// operand when the flag is set (no copy is made: the flags reach sgemm).
// a is m×k (k×m with transA), b is k×n (n×k with transB); the result is
// m×n. It panics with a *tensor.ShapeError if the inner dimensions differ.
func MatMul(a, b *Var, transA, transB bool) *Var {
	return apply(matMulOps[b2i(transA)][b2i(transB)], a, b)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
