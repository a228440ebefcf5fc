package tensor

import (
	"fmt"
	"slices"

	gt "gorgonia.org/tensor"
)

// Reshape returns a view of t with a new shape and the same elements in
// row-major order. One dimension may be -1 and is then inferred. It panics
// with a *ShapeError if the sizes differ or t is not contiguous.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	shape = slices.Clone(shape)
	infer, n := -1, 1
	for i, s := range shape {
		switch {
		case s == -1 && infer < 0:
			infer = i
		case s < 0:
			shapePanic("reshape", "bad target dimension", t.Shape(), shape)
		default:
			n *= s
		}
	}
	size := t.Size()
	if infer >= 0 {
		if n == 0 || size%n != 0 {
			shapePanic("reshape", "cannot infer the -1 dimension", t.Shape(), shape)
		}
		shape[infer] = size / n
		n = size
	}
	if n != size {
		shapePanic("reshape", "sizes differ", t.Shape(), shape)
	}
	if !t.IsContiguous() {
		shapePanic("reshape", "tensor is not contiguous (call Contiguous)", t.Shape(), t.Strides())
	}
	r := wrap(t.data[t.off:t.off+size], shape)
	return r
}

// Flatten returns a view of t with shape [t.Size()].
func (t *Tensor) Flatten() *Tensor { return t.Reshape(t.Size()) }

// Transpose returns a view of t with its axes permuted: axis i of the
// result is axis perm[i] of t. With no arguments it reverses the axes. The
// view shares memory with t and is not contiguous in general; Contiguous
// copies it. It panics with a *ShapeError if perm is not a permutation.
func (t *Tensor) Transpose(perm ...int) *Tensor {
	n := t.Dims()
	if len(perm) == 0 {
		perm = make([]int, n)
		for i := range perm {
			perm[i] = n - 1 - i
		}
	}
	if !isPerm(perm, n) {
		shapePanic("transpose", fmt.Sprintf("axes %v are not a permutation", perm), t.Shape())
	}
	if t.off != 0 {
		// gorgonia's thunked transpose works on whole arrays; copy a
		// sliced view first.
		return t.Clone().Transpose(perm...)
	}
	d := t.d.ShallowClone()
	if n >= 2 {
		if err := d.T(perm...); err != nil {
			shapePanic("transpose", err.Error(), t.Shape())
		}
	}
	return &Tensor{d: d, data: t.data}
}

func isPerm(perm []int, n int) bool {
	if len(perm) != n {
		return false
	}
	seen := make([]bool, n)
	for _, p := range perm {
		if p < 0 || p >= n || seen[p] {
			return false
		}
		seen[p] = true
	}
	return true
}

// Slice returns a view of rows [start, end) along axis 0, sharing memory
// with t. The view of a contiguous tensor is contiguous.
func (t *Tensor) Slice(start, end int) *Tensor {
	shape := t.Shape()
	if len(shape) == 0 || start < 0 || end < start || end > shape[0] {
		shapePanic("slice", fmt.Sprintf("rows [%d, %d) out of range", start, end), shape)
	}
	if !t.IsContiguous() {
		return t.Contiguous().Slice(start, end)
	}
	inner := 1
	for _, s := range shape[1:] {
		inner *= s
	}
	sub := slices.Clone(shape)
	sub[0] = end - start
	lo := t.off + start*inner
	return wrap(t.data[lo:lo+(end-start)*inner:lo+(end-start)*inner], sub)
}

// FromDense returns a tensor that shares memory with a float32 gorgonia
// *Dense. A view or thunked transpose is materialized (copied) first.
func FromDense(d *gt.Dense) (*Tensor, error) {
	if d.Dtype() != gt.Float32 {
		return nil, fmt.Errorf("tensor: fromdense: dtype %v, want float32", d.Dtype())
	}
	if d.IsMaterializable() {
		m, ok := d.Materialize().(*gt.Dense)
		if !ok {
			return nil, fmt.Errorf("tensor: fromdense: cannot materialize view of shape %v", d.Shape())
		}
		d = m
	}
	if d.IsScalar() {
		v, ok := d.ScalarValue().(float32)
		if !ok {
			return nil, fmt.Errorf("tensor: fromdense: scalar is not float32")
		}
		return Scalar(v), nil
	}
	data, ok := d.Data().([]float32)
	if !ok {
		return nil, fmt.Errorf("tensor: fromdense: backing array is not []float32")
	}
	if len(data) != d.Shape().TotalSize() {
		return nil, fmt.Errorf("tensor: fromdense: %d values for shape %v", len(data), d.Shape())
	}
	return &Tensor{d: d, data: data}, nil
}
