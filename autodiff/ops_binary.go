package autodiff

import (
	"slices"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/tensor"
)

// binaryOp is a broadcasting arithmetic op: add, sub, mul or div.
type binaryOp struct{ kind binaryKind }

var binaryNames = [...]string{
	kindAdd: registerOp("add"),
	kindSub: registerOp("sub"),
	kindMul: registerOp("mul"),
	kindDiv: registerOp("div"),
}

var binaryOps = [...]*binaryOp{{kindAdd}, {kindSub}, {kindMul}, {kindDiv}}

func (o *binaryOp) Name() string { return binaryNames[o.kind] }

func (o *binaryOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	a, b := in[0].Value, in[1].Value
	shape := broadcastShape(o.Name(), a.Shape(), b.Shape())
	out := t.alloc(shape...)
	if !binaryFast(o.kind, out.Data(), a, b) {
		binaryTo(o.kind, out.Data(), a.Data(), b.Data(), shape, a.Shape(), b.Shape())
	}
	return out
}

// rowMin is the least row length for which a kernel call per row beats
// binaryTo's and sumToInto's loops.
const rowMin = 16

// binaryFast computes dst = a ∘ b for add and mul with the asm kernels
// when a and b have the same shape (split over goroutines when large), or
// b is one row [C] repeated over the rows of a [..., C] (a linear layer's
// bias) with C ≥ rowMin, and reports whether it did. The kernels do the
// same IEEE operations as binaryTo, so the results are the same bit for
// bit.
func binaryFast(kind binaryKind, dst []float32, a, b *tensor.Tensor) bool {
	if kind != kindAdd && kind != kindMul {
		return false
	}
	k := asm.AddTo
	if kind == kindMul {
		k = asm.MulTo
	}
	as, bs := a.Shape(), b.Shape()
	ad, bd := a.Data(), b.Data()
	switch {
	case slices.Equal(as, bs):
		if parts(len(dst), len(dst)) == 1 {
			k(dst, ad, bd) // no closure: nothing escapes
		} else {
			parallelRange(len(dst), func(lo, hi int) { k(dst[lo:hi], ad[lo:hi], bd[lo:hi]) })
		}
		return true
	case len(bs) == 1 && len(as) >= 2 && as[len(as)-1] == bs[0] && bs[0] >= rowMin:
		c := bs[0]
		for r := 0; r < len(dst); r += c {
			k(dst[r:r+c], ad[r:r+c], bd)
		}
		return true
	}
	return false
}

// JVP: d(a+b) = da+db, d(a-b) = da-db, d(ab) = da·b + a·db,
// d(a/b) = da/b - out·db/b.
func (o *binaryOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	a, b := in[0], in[1]
	shape := out.Value.Shape()
	da, db := a.Tangent, b.Tangent
	switch o.kind {
	case kindAdd, kindSub:
		res := t.alloc(shape...)
		switch {
		case da != nil && db != nil:
			binaryTo(o.kind, res.Data(), da.Data(), db.Data(), shape, da.Shape(), db.Shape())
		case da != nil:
			broadcastInto(res.Data(), da.Data(), shape, da.Shape())
		default:
			broadcastInto(res.Data(), db.Data(), shape, db.Shape())
			if o.kind == kindSub {
				negInPlace(res.Data())
			}
		}
		return res
	case kindMul:
		res := t.zeros(shape...)
		tmp := t.alloc(shape...)
		if da != nil {
			binaryTo(kindMul, tmp.Data(), da.Data(), b.Value.Data(), shape, da.Shape(), b.Value.Shape())
			addInPlace(res.Data(), tmp.Data())
		}
		if db != nil {
			binaryTo(kindMul, tmp.Data(), a.Value.Data(), db.Data(), shape, a.Value.Shape(), db.Shape())
			addInPlace(res.Data(), tmp.Data())
		}
		return res
	default: // kindDiv
		res := t.zeros(shape...)
		tmp := t.alloc(shape...)
		if da != nil {
			binaryTo(kindDiv, tmp.Data(), da.Data(), b.Value.Data(), shape, da.Shape(), b.Value.Shape())
			addInPlace(res.Data(), tmp.Data())
		}
		if db != nil {
			// tmp = out·db/b
			binaryTo(kindMul, tmp.Data(), out.Value.Data(), db.Data(), shape, shape, db.Shape())
			binaryTo(kindDiv, tmp.Data(), tmp.Data(), b.Value.Data(), shape, shape, b.Value.Shape())
			subInPlace(res.Data(), tmp.Data())
		}
		return res
	}
}

// VJP sums each cotangent back to its input's shape (unbroadcast).
func (o *binaryOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	a, b := in[0], in[1]
	switch o.kind {
	case kindAdd:
		if a.needsGrad() {
			grads[0] = SumTo(g, a.Shape())
		}
		if b.needsGrad() {
			grads[1] = SumTo(g, b.Shape())
		}
	case kindSub:
		if a.needsGrad() {
			grads[0] = SumTo(g, a.Shape())
		}
		if b.needsGrad() {
			grads[1] = SumTo(Neg(g), b.Shape())
		}
	case kindMul:
		if a.needsGrad() {
			grads[0] = SumTo(Mul(g, b), a.Shape())
		}
		if b.needsGrad() {
			grads[1] = SumTo(Mul(g, a), b.Shape())
		}
	case kindDiv:
		gb := Div(g, b)
		if a.needsGrad() {
			grads[0] = SumTo(gb, a.Shape())
		}
		if b.needsGrad() {
			grads[1] = SumTo(Neg(Mul(gb, out)), b.Shape())
		}
	}
}

// Add returns a + b with NumPy broadcasting.
func Add(a, b *Var) *Var { return apply(binaryOps[kindAdd], a, b) }

// Sub returns a - b with NumPy broadcasting.
func Sub(a, b *Var) *Var { return apply(binaryOps[kindSub], a, b) }

// Mul returns a ⊙ b (elementwise) with NumPy broadcasting.
func Mul(a, b *Var) *Var { return apply(binaryOps[kindMul], a, b) }

// Div returns a ⊘ b (elementwise) with NumPy broadcasting.
func Div(a, b *Var) *Var { return apply(binaryOps[kindDiv], a, b) }

// sumToOp sums its input down to a shape that broadcasts to it: the
// transpose of broadcastToOp.
type sumToOp struct{ shape []int }

var sumToName = registerOp("sumto")

func (o *sumToOp) Name() string { return sumToName }

func (o *sumToOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	x := in[0].Value
	checkBroadcastsTo(sumToName, o.shape, x.Shape())
	out := t.alloc(o.shape...)
	sumRowsTo(out.Data(), x.Data(), o.shape, x.Shape())
	return out
}

func (o *sumToOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	dx := in[0].Tangent
	res := t.alloc(o.shape...)
	sumRowsTo(res.Data(), dx.Data(), o.shape, dx.Shape())
	return res
}

// sumRowsTo is sumToInto, with the rows of src [..., C] added by
// asm.Axpy when they all sum to one row (to is [C], [1, C], …: a bias
// gradient) and C ≥ rowMin. Axpy's y + 1·x rounds once, as y + x does, so
// the sums are the same bit for bit.
func sumRowsTo(dst, src []float32, to, from []int) {
	c := dimFromRight(to, 0)
	if len(from) < 2 || len(to) > len(from) || c != from[len(from)-1] || len(dst) != c || c < rowMin {
		sumToInto(dst, src, to, from)
		return
	}
	clear(dst)
	for r := 0; r < len(src); r += c {
		asm.Axpy(dst, 1, src[r:r+c])
	}
}

func (o *sumToOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	grads[0] = BroadcastTo(g, in[0].Shape())
}

// SumTo sums x over the broadcast dimensions so that the result has the
// given shape, which must broadcast to x's shape. It returns x itself when
// the shapes are equal.
func SumTo(x *Var, shape []int) *Var {
	if slices.Equal(x.Shape(), shape) {
		return x
	}
	return apply(&sumToOp{shape: slices.Clone(shape)}, x)
}

// broadcastToOp repeats its input along broadcast dimensions.
type broadcastToOp struct{ shape []int }

var broadcastToName = registerOp("broadcastto")

func (o *broadcastToOp) Name() string { return broadcastToName }

func (o *broadcastToOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	x := in[0].Value
	checkBroadcastsTo(broadcastToName, x.Shape(), o.shape)
	out := t.alloc(o.shape...)
	broadcastInto(out.Data(), x.Data(), o.shape, x.Shape())
	return out
}

func (o *broadcastToOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	dx := in[0].Tangent
	res := t.alloc(o.shape...)
	broadcastInto(res.Data(), dx.Data(), o.shape, dx.Shape())
	return res
}

func (o *broadcastToOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	grads[0] = SumTo(g, in[0].Shape())
}

// BroadcastTo repeats x along broadcast dimensions to the given shape. It
// returns x itself when the shapes are equal.
func BroadcastTo(x *Var, shape []int) *Var {
	if slices.Equal(x.Shape(), shape) {
		return x
	}
	return apply(&broadcastToOp{shape: slices.Clone(shape)}, x)
}

func addInPlace(dst, src []float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}

func subInPlace(dst, src []float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] -= src[i]
	}
}

func negInPlace(dst []float32) {
	for i := range dst {
		dst[i] = -dst[i]
	}
}
