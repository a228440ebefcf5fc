package tensor

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// FromMat returns a new r×c tensor holding the values of a gonum matrix,
// rounded to float32.
func FromMat(m mat.Matrix) *Tensor {
	r, c := m.Dims()
	t := New(r, c)
	d := t.Data()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			d[i*c+j] = float32(m.At(i, j))
		}
	}
	return t
}

// ToMat returns a new gonum matrix holding the values of a 2-D tensor
// (any view) in float64. It returns an error for other ranks or an empty
// dimension, which gonum matrices cannot hold.
func (t *Tensor) ToMat() (*mat.Dense, error) {
	shape := t.Shape()
	if len(shape) != 2 {
		return nil, fmt.Errorf("tensor: tomat: shape %v is not 2-D", shape)
	}
	if shape[0] == 0 || shape[1] == 0 {
		return nil, fmt.Errorf("tensor: tomat: shape %v has an empty dimension", shape)
	}
	src := t.Contiguous().Data()
	vals := make([]float64, len(src))
	for i, v := range src {
		vals[i] = float64(v)
	}
	return mat.NewDense(shape[0], shape[1], vals), nil
}
