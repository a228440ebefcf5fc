package autodiff

import "github.com/gograd/gograd/tensor"

// Linear returns x·wᵀ + b for x [N, in], w [out, in] (PyTorch's layout)
// and b [out] or nil, as torch.nn.functional.linear: one sgemm with w
// transposed by flag (no copy) and a broadcasting add. It panics with a
// *tensor.ShapeError on mismatched shapes.
func Linear(x, w, b *Var) *Var {
	y := MatMul(x, w, false, true)
	if b == nil {
		return y
	}
	if bs, ws := b.Shape(), w.Shape(); len(bs) != 1 || bs[0] != ws[0] {
		panic(&tensor.ShapeError{Op: "linear", Reason: "bias must be [out]", Shapes: [][]int{ws, bs}})
	}
	return Add(y, b)
}
