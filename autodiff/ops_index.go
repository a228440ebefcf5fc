package autodiff

import (
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/gograd/gograd/tensor"
)

// This file holds the index ops: gather and scatter-add (a linear pair that
// max and max-pooling build on), concatenation and slicing along an axis
// (with pad, the transpose of slice), and Max.

// allocIndex returns n int32 slots from t's arena (from the heap on a nil
// tape): a float32 buffer reinterpreted, which holds only indices until
// the tape is reset. Its contents are unspecified.
func allocIndex(t *Tape, n int) []int32 {
	if n == 0 {
		return nil
	}
	b := t.alloc(n).Data()
	return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// gatherOp reads x at flat indices: out[i] = x.flat[idx[i]], with out of
// the given shape. It is linear; its transpose is scatterAddOp.
type gatherOp struct {
	idx   []int32 // flat indices into the input, one per output element
	shape []int   // the output shape
}

var gatherName = registerOp("gather")

func (o *gatherOp) Name() string { return gatherName }

func (o *gatherOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	out := t.alloc(o.shape...)
	gatherInto(out.Data(), in[0].Value.Data(), o.idx)
	return out
}

func (o *gatherOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	res := t.alloc(o.shape...)
	gatherInto(res.Data(), in[0].Tangent.Data(), o.idx)
	return res
}

// VJP: x̄ = scatterAdd(ḡ, idx), so repeated indices accumulate.
func (o *gatherOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	grads[0] = scatterAdd(g, o.idx, in[0].Shape())
}

// gather returns x.flat[idx] with the given shape (len(idx) elements).
// The indices must be in range and unchanged until the tape is reset.
func gather(x *Var, idx []int32, shape []int) *Var {
	if len(idx) != sizeOf(shape) {
		panic(&tensor.ShapeError{Op: gatherName, Reason: fmt.Sprintf("%d indices for the output", len(idx)), Shapes: [][]int{shape}})
	}
	return apply(&gatherOp{idx: idx, shape: slices.Clone(shape)}, x)
}

func gatherInto(dst, x []float32, idx []int32) {
	idx = idx[:len(dst)]
	for i, k := range idx {
		dst[i] = x[k]
	}
}

// scatterAddOp adds its input into zeros at flat indices:
// out.flat[idx[i]] += g[i]. It is the transpose of gatherOp.
type scatterAddOp struct {
	idx   []int32 // flat indices into the output, one per input element
	shape []int   // the output shape
}

var scatterAddName = registerOp("scatteradd")

func (o *scatterAddOp) Name() string { return scatterAddName }

func (o *scatterAddOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	out := t.zeros(o.shape...)
	scatterAddInto(out.Data(), in[0].Value.Data(), o.idx)
	return out
}

func (o *scatterAddOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	res := t.zeros(o.shape...)
	scatterAddInto(res.Data(), in[0].Tangent.Data(), o.idx)
	return res
}

// VJP: ḡ = gather(c, idx).
func (o *scatterAddOp) VJP(t *Tape, in []*Var, out, c *Var, grads []*Var) {
	grads[0] = gather(c, o.idx, in[0].Shape())
}

// scatterAdd returns zeros of the given shape with g's elements added at
// flat indices idx (len(idx) = g's size).
func scatterAdd(g *Var, idx []int32, shape []int) *Var {
	if len(idx) != g.Value.Size() {
		panic(&tensor.ShapeError{Op: scatterAddName, Reason: fmt.Sprintf("%d indices for the input", len(idx)), Shapes: [][]int{g.Shape()}})
	}
	return apply(&scatterAddOp{idx: idx, shape: slices.Clone(shape)}, g)
}

func scatterAddInto(dst, g []float32, idx []int32) {
	idx = idx[:len(g)]
	for i, k := range idx {
		dst[k] += g[i]
	}
}

// Max returns the maximum of x over the given axes (all axes when none are
// given), dropping the reduced dimensions. Negative axes count from the
// end. NaN counts as larger than any number.
//
// The gradient flows to one element per output: the first maximal one in
// row-major order, as torch.max(x, dim) and MaxPool2d do (torch.amax
// instead splits it evenly among ties). Max is a gather at the indices of
// the maxima, so its VJP is a scatter-add and its JVP reads the tangent at
// the same indices. It panics if a reduced axis is empty.
func Max(x *Var, axes ...int) *Var { return maxReduce(x, false, axes) }

// MaxKeep is Max keeping the reduced dimensions with size 1.
func MaxKeep(x *Var, axes ...int) *Var { return maxReduce(x, true, axes) }

func maxReduce(x *Var, keep bool, axes []int) *Var {
	shape := x.Shape()
	out, kept := reducedShape("max", shape, axes, keep)
	n := x.Value.Size()
	if n == 0 {
		panic(&tensor.ShapeError{Op: "max", Reason: "reduction of an empty tensor", Shapes: [][]int{shape}})
	}
	if n > math.MaxInt32 {
		panic(&tensor.ShapeError{Op: "max", Reason: "more than 2³¹-1 elements", Shapes: [][]int{shape}})
	}
	idx := allocIndex(x.tape, sizeOf(kept))
	argmaxInto(idx, x.Value.Data(), kept, shape)
	return gather(x, idx, out)
}

// argmaxInto writes into idx (shape to, which broadcasts to from) the flat
// index in x (shape from) of the first maximum of each group of elements
// that reduce to one output element.
func argmaxInto(idx []int32, x []float32, to, from []int) {
	for i := range idx {
		idx[i] = -1
	}
	better := func(v float32, b int32) bool {
		if b < 0 {
			return true
		}
		w := x[b]
		return v > w || (v != v && w == w)
	}
	if len(from) == 0 {
		idx[0] = 0
		return
	}
	st := broadcastStrides(to, from)
	last := len(from) - 1
	inner := from[last]
	is := st[last]
	rows := len(x) / inner
	pos := make([]int, last)
	o := 0
	for r := 0; r < rows; r++ {
		base := r * inner
		row := x[base : base+inner]
		if is == 0 {
			b := idx[o]
			for j, v := range row {
				if better(v, b) {
					b = int32(base + j)
				}
			}
			idx[o] = b
		} else {
			dst := idx[o : o+inner]
			for j, v := range row {
				if better(v, dst[j]) {
					dst[j] = int32(base + j)
				}
			}
		}
		for d := last - 1; d >= 0; d-- {
			pos[d]++
			o += st[d]
			if pos[d] < from[d] {
				break
			}
			o -= st[d] * from[d]
			pos[d] = 0
		}
	}
}

// normAxis returns axis (negative counts from the end) checked against
// rank, or panics naming op.
func normAxis(op string, axis int, shape []int) int {
	a := axis
	if a < 0 {
		a += len(shape)
	}
	if a < 0 || a >= len(shape) {
		panic(&tensor.ShapeError{Op: op, Reason: fmt.Sprintf("axis %d out of range", axis), Shapes: [][]int{shape}})
	}
	return a
}

// blocks splits a shape at axis into outer (product of the dimensions
// before it) and inner (product of those after it).
func blocks(shape []int, axis int) (outer, inner int) {
	return sizeOf(shape[:axis]), sizeOf(shape[axis+1:])
}

// concatOp joins its inputs along an axis.
type concatOp struct{ axis int }

var concatName = registerOp("concat")

func (o *concatOp) Name() string { return concatName }

func (o *concatOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	ref := in[0].Shape()
	shape := slices.Clone(ref)
	shape[o.axis] = 0
	for _, v := range in {
		s := v.Shape()
		ok := len(s) == len(ref)
		for d := 0; ok && d < len(s); d++ {
			ok = d == o.axis || s[d] == ref[d]
		}
		if !ok {
			shapes := make([][]int, len(in))
			for i, w := range in {
				shapes[i] = w.Shape()
			}
			panic(&tensor.ShapeError{Op: concatName, Reason: fmt.Sprintf("shapes differ off axis %d", o.axis), Shapes: shapes})
		}
		shape[o.axis] += s[o.axis]
	}
	out := t.alloc(shape...)
	o.concatInto(out.Data(), in, shape, false)
	return out
}

// concatInto copies the inputs' values (or tangents, nil as zeros) into
// dst of the given shape.
func (o *concatOp) concatInto(dst []float32, in []*Var, shape []int, tangents bool) {
	outer, inner := blocks(shape, o.axis)
	row := shape[o.axis] * inner
	off := 0
	for _, v := range in {
		chunk := v.Shape()[o.axis] * inner
		var src []float32
		if !tangents {
			src = v.Value.Data()
		} else if v.Tangent != nil {
			src = v.Tangent.Data()
		}
		for r := 0; r < outer; r++ {
			d := dst[r*row+off : r*row+off+chunk]
			if src == nil {
				clear(d)
			} else {
				copy(d, src[r*chunk:(r+1)*chunk])
			}
		}
		off += chunk
	}
}

func (o *concatOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	shape := out.Value.Shape()
	res := t.alloc(shape...)
	o.concatInto(res.Data(), in, shape, true)
	return res
}

// VJP: each input's cotangent is its slice of ḡ.
func (o *concatOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	off := 0
	for i, v := range in {
		n := v.Shape()[o.axis]
		if v.needsGrad() {
			grads[i] = SliceAxis(g, o.axis, off, off+n)
		}
		off += n
	}
}

// Concat joins xs along axis (negative counts from the end) into a new
// tensor, as torch.cat. The inputs must have equal shapes except along
// axis; it panics with a *tensor.ShapeError otherwise or when xs is
// empty. A single input is returned as is.
func Concat(axis int, xs ...*Var) *Var {
	if len(xs) == 0 {
		panic(&tensor.ShapeError{Op: concatName, Reason: "no inputs"})
	}
	a := normAxis(concatName, axis, xs[0].Shape())
	if len(xs) == 1 {
		return xs[0]
	}
	return apply(&concatOp{axis: a}, xs...)
}

// sliceOp copies the range [start, end) of an axis.
type sliceOp struct{ axis, start, end int }

var sliceName = registerOp("slice")

func (o *sliceOp) Name() string { return sliceName }

func (o *sliceOp) Forward(t *Tape, in []*Var) *tensor.Tensor { return o.slice(t, in[0].Value) }

func (o *sliceOp) slice(t *Tape, x *tensor.Tensor) *tensor.Tensor {
	shape := slices.Clone(x.Shape())
	n := shape[o.axis]
	shape[o.axis] = o.end - o.start
	out := t.alloc(shape...)
	outer, inner := blocks(shape, o.axis)
	chunk, row := (o.end-o.start)*inner, n*inner
	xd, od := x.Data(), out.Data()
	for r := 0; r < outer; r++ {
		copy(od[r*chunk:(r+1)*chunk], xd[r*row+o.start*inner:])
	}
	return out
}

func (o *sliceOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor { return o.slice(t, in[0].Tangent) }

// VJP: x̄ is ḡ padded with zeros back to the input's extent.
func (o *sliceOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	grads[0] = apply(&padOp{axis: o.axis, start: o.start, size: in[0].Shape()[o.axis]}, g)
}

// SliceAxis returns a contiguous copy of the elements of x with index in
// [start, end) along axis (negative counts from the end). It panics with
// a *tensor.ShapeError if the range is out of bounds. The whole range
// returns x itself.
func SliceAxis(x *Var, axis, start, end int) *Var {
	shape := x.Shape()
	a := normAxis(sliceName, axis, shape)
	if start < 0 || end < start || end > shape[a] {
		panic(&tensor.ShapeError{Op: sliceName, Reason: fmt.Sprintf("range [%d, %d) out of bounds on axis %d", start, end, axis), Shapes: [][]int{shape}})
	}
	if start == 0 && end == shape[a] {
		return x
	}
	return apply(&sliceOp{axis: a, start: start, end: end}, x)
}

// padOp places its input at offset start of an axis of extent size,
// zeros elsewhere: the transpose of sliceOp.
type padOp struct{ axis, start, size int }

var padName = registerOp("pad")

func (o *padOp) Name() string { return padName }

func (o *padOp) Forward(t *Tape, in []*Var) *tensor.Tensor { return o.pad(t, in[0].Value) }

func (o *padOp) pad(t *Tape, x *tensor.Tensor) *tensor.Tensor {
	xs := x.Shape()
	shape := slices.Clone(xs)
	shape[o.axis] = o.size
	out := t.zeros(shape...)
	outer, inner := blocks(shape, o.axis)
	chunk, row := xs[o.axis]*inner, o.size*inner
	xd, od := x.Data(), out.Data()
	for r := 0; r < outer; r++ {
		copy(od[r*row+o.start*inner:], xd[r*chunk:(r+1)*chunk])
	}
	return out
}

func (o *padOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor { return o.pad(t, in[0].Tangent) }

// VJP: ḡ is the slice of the cotangent where the input was placed.
func (o *padOp) VJP(t *Tape, in []*Var, out, c *Var, grads []*Var) {
	grads[0] = apply(&sliceOp{axis: o.axis, start: o.start, end: o.start + in[0].Shape()[o.axis]}, c)
}
