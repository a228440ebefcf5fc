package tensor

import (
	"fmt"
	"slices"

	gt "gorgonia.org/tensor"
)

// Tensor is a float32 n-dimensional array backed by a gorgonia *Dense.
//
// The zero value is not usable; build tensors with New, FromSlice, Full,
// the random constructors or FromDense. A scalar is a tensor of shape [].
type Tensor struct {
	d    *gt.Dense
	data []float32 // the whole backing array, cached to avoid reflection
	off  int       // offset of element 0 in data (views made by Slice)
}

// New returns a zero-filled tensor of the given shape. A shape of no
// dimensions is a scalar. New panics if a dimension is negative.
func New(shape ...int) *Tensor {
	return FromSlice(make([]float32, checkShape("new", shape)), shape...)
}

// FromSlice returns a tensor of the given shape that uses data as its
// backing array (no copy: writes to either are seen by both). It panics
// with a *ShapeError if len(data) is not the product of shape.
func FromSlice(data []float32, shape ...int) *Tensor {
	n := checkShape("fromslice", shape)
	if len(data) != n {
		shapePanic("fromslice", fmt.Sprintf("%d values do not fill the shape", len(data)), shape)
	}
	return wrap(data, shape)
}

// wrap builds the gorgonia Dense for a contiguous backing array.
func wrap(data []float32, shape []int) *Tensor {
	var d *gt.Dense
	if len(shape) == 0 {
		// gorgonia represents a scalar with shape () and one element.
		d = gt.New(gt.WithShape(), gt.WithBacking(data[:1]))
	} else {
		d = gt.New(gt.WithShape(slices.Clone(shape)...), gt.WithBacking(data))
	}
	return &Tensor{d: d, data: data}
}

// Full returns a tensor of the given shape filled with v.
func Full(v float32, shape ...int) *Tensor {
	t := New(shape...)
	t.Fill(v)
	return t
}

// Scalar returns a tensor of shape [] holding v.
func Scalar(v float32) *Tensor { return FromSlice([]float32{v}) }

func checkShape(op string, shape []int) int {
	n := 1
	for _, s := range shape {
		if s < 0 {
			shapePanic(op, "negative dimension", shape)
		}
		n *= s
	}
	return n
}

// Shape returns the tensor's shape. The caller must not modify it.
func (t *Tensor) Shape() []int {
	if t.d.IsScalar() {
		return []int{}
	}
	return t.d.Shape()
}

// Dims returns the number of dimensions (0 for a scalar).
func (t *Tensor) Dims() int { return len(t.Shape()) }

// Size returns the number of elements.
func (t *Tensor) Size() int {
	n := 1
	for _, s := range t.Shape() {
		n *= s
	}
	return n
}

// Strides returns the strides in elements. The caller must not modify it.
func (t *Tensor) Strides() []int {
	if t.d.IsScalar() {
		return []int{}
	}
	return t.d.Strides()
}

// IsContiguous reports whether the elements are stored densely in
// row-major order, so that Data describes the tensor.
func (t *Tensor) IsContiguous() bool {
	shape, strides := t.Shape(), t.Strides()
	want := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] != 1 && strides[i] != want {
			return false
		}
		want *= shape[i]
	}
	return true
}

// Data returns the tensor's elements in row-major order without copying:
// writes through the slice change the tensor. It panics if the tensor is
// not contiguous; call Contiguous first.
func (t *Tensor) Data() []float32 {
	if !t.IsContiguous() {
		shapePanic("data", "tensor is not contiguous (call Contiguous)", t.Shape(), t.Strides())
	}
	return t.data[t.off : t.off+t.Size()]
}

// Dense returns the gorgonia *Dense behind t, sharing memory.
func (t *Tensor) Dense() *gt.Dense { return t.d }

// String formats the tensor with gorgonia's formatter.
func (t *Tensor) String() string { return fmt.Sprintf("%v", t.d) }

// Item returns the single element of a tensor of size 1.
func (t *Tensor) Item() float32 {
	if t.Size() != 1 {
		shapePanic("item", "tensor has more than one element", t.Shape())
	}
	return t.data[t.off]
}

// At returns the element at the given index, one coordinate per dimension.
func (t *Tensor) At(index ...int) float32 { return t.data[t.offset("at", index)] }

// Set stores v at the given index.
func (t *Tensor) Set(v float32, index ...int) { t.data[t.offset("set", index)] = v }

func (t *Tensor) offset(op string, index []int) int {
	shape, strides := t.Shape(), t.Strides()
	if len(index) != len(shape) {
		shapePanic(op, fmt.Sprintf("index %v has the wrong number of coordinates", index), shape)
	}
	o := t.off
	for i, x := range index {
		if x < 0 || x >= shape[i] {
			shapePanic(op, fmt.Sprintf("index %v out of range", index), shape)
		}
		o += x * strides[i]
	}
	return o
}

// Fill sets every element to v. It panics if t is not contiguous.
func (t *Tensor) Fill(v float32) {
	d := t.Data()
	for i := range d {
		d[i] = v
	}
}

// Zero sets every element to 0.
func (t *Tensor) Zero() { clear(t.Data()) }

// CopyFrom copies src's elements into t. Both must have the same shape; t
// must be contiguous; src may be any view.
func (t *Tensor) CopyFrom(src *Tensor) {
	if !slices.Equal(t.Shape(), src.Shape()) {
		shapePanic("copyfrom", "shapes differ", t.Shape(), src.Shape())
	}
	dst := t.Data()
	if src.IsContiguous() {
		copy(dst, src.Data())
		return
	}
	src.gather(dst)
}

// gather copies a strided view into dst in row-major order.
func (t *Tensor) gather(dst []float32) {
	shape, strides := t.Shape(), t.Strides()
	idx := make([]int, len(shape))
	for i := range dst {
		o := t.off
		for d, x := range idx {
			o += x * strides[d]
		}
		dst[i] = t.data[o]
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
}

// Clone returns a contiguous copy of t.
func (t *Tensor) Clone() *Tensor {
	c := New(t.Shape()...)
	c.CopyFrom(t)
	return c
}

// Contiguous returns t if it is contiguous and a contiguous copy otherwise.
func (t *Tensor) Contiguous() *Tensor {
	if t.IsContiguous() {
		return t
	}
	return t.Clone()
}

// SameShape reports whether a and b have equal shapes.
func SameShape(a, b *Tensor) bool { return slices.Equal(a.Shape(), b.Shape()) }
