package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gograd/gograd/autodiff"
)

// Conv2d is a 2-D convolution over NCHW input with square kernels, as
// torch.nn.Conv2d with groups = 1 and dilation = 1. It maps x [N, In, H,
// W] to [N, Out, (H+2P−K)/S+1, (W+2P−K)/S+1].
type Conv2d struct {
	mode
	In, Out, Kernel int
	Stride, Padding int
	Weight          *autodiff.Var // [Out, In, Kernel, Kernel]
	Bias            *autodiff.Var // [Out], or nil without bias
}

// NewConv2d returns a Conv2d layer from in to out channels with a
// kernel×kernel window, initialised as PyTorch does: the weight and then
// the bias drawn from U(−1/√fanIn, 1/√fanIn), fanIn = in·kernel², by rng.
// It accepts the options WithStride (default 1), WithPadding (default 0)
// and WithoutBias. It panics if a size is not positive or the padding is
// negative.
func NewConv2d(in, out, kernel int, rng *rand.Rand, opts ...Option) *Conv2d {
	c := newConfig("newconv2d", optBias|optStride|optPadding, opts)
	if in <= 0 || out <= 0 || kernel <= 0 || c.stride <= 0 || c.padding < 0 {
		panic(fmt.Sprintf("nn: newconv2d: in = %d, out = %d, kernel = %d, stride = %d, padding = %d out of range",
			in, out, kernel, c.stride, c.padding))
	}
	b := initBound(in * kernel * kernel)
	l := &Conv2d{In: in, Out: out, Kernel: kernel, Stride: c.stride, Padding: c.padding,
		Weight: uniformParam("weight", rng, b, out, in, kernel, kernel)}
	if c.bias {
		l.Bias = uniformParam("bias", rng, b, out)
	}
	return l
}

// Forward returns the convolution of x [N, In, H, W].
func (l *Conv2d) Forward(x *autodiff.Var) *autodiff.Var {
	// autodiff.Conv2d reshapes the weight to a matrix before its first
	// op with x; binding the weight to x's tape records that reshape, so
	// the weight's gradient flows (an unbound leaf's reshape is not
	// recorded).
	return autodiff.Conv2d(x, bind(x, l.Weight), l.Bias, l.Stride, l.Padding)
}

// State returns "weight" and, with a bias, "bias".
func (l *Conv2d) State() []NamedParam {
	st := []NamedParam{{Name: "weight", Var: l.Weight}}
	if l.Bias != nil {
		st = append(st, NamedParam{Name: "bias", Var: l.Bias})
	}
	return st
}
