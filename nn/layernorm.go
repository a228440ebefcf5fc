package nn

import (
	"fmt"
	"slices"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// LayerNorm normalizes over the trailing dimensions given by Shape, as
// torch.nn.LayerNorm with elementwise_affine = True:
//
//	y = (x − μ)/√(σ² + ε)·γ + β
//
// with μ and the biased σ² taken over the trailing dimensions of each
// sample, and γ, β of shape Shape. It behaves the same in both modes.
type LayerNorm struct {
	mode
	Shape        []int
	Eps          float32
	Weight, Bias *autodiff.Var // γ = 1, β = 0 initially: shape Shape
}

// NewLayerNorm returns a LayerNorm over trailing dimensions of the given
// shape (e.g. NewLayerNorm(512) for [N, 512] input). It accepts the option
// WithEps (default 1e-5). It panics if shape is empty or has a
// non-positive dimension.
func NewLayerNorm(shape []int, opts ...Option) *LayerNorm {
	c := newConfig("newlayernorm", optEps, opts)
	if len(shape) == 0 || slices.ContainsFunc(shape, func(d int) bool { return d <= 0 }) || !(c.eps >= 0) {
		panic(fmt.Sprintf("nn: newlayernorm: shape %v, eps = %v out of range", shape, c.eps))
	}
	return &LayerNorm{
		Shape:  slices.Clone(shape),
		Eps:    c.eps,
		Weight: fullParam("weight", 1, shape...),
		Bias:   fullParam("bias", 0, shape...),
	}
}

// Forward normalizes x over its trailing len(Shape) dimensions. It panics
// with a *tensor.ShapeError if they differ from Shape.
func (l *LayerNorm) Forward(x *autodiff.Var) *autodiff.Var {
	s, k := x.Shape(), len(l.Shape)
	if len(s) < k || !slices.Equal(s[len(s)-k:], l.Shape) {
		panic(&tensor.ShapeError{Op: "layernorm", Reason: fmt.Sprintf("trailing dimensions must be %v", l.Shape),
			Shapes: [][]int{s}})
	}
	axes := make([]int, k)
	for i := range axes {
		axes[i] = len(s) - k + i
	}
	y, _, _ := autodiff.Normalize(x, axes, l.Eps)
	return autodiff.Add(autodiff.Mul(y, l.Weight), l.Bias)
}

// State returns "weight" and "bias".
func (l *LayerNorm) State() []NamedParam {
	return []NamedParam{{Name: "weight", Var: l.Weight}, {Name: "bias", Var: l.Bias}}
}
