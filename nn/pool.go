package nn

import (
	"fmt"

	"github.com/gograd/gograd/autodiff"
)

// MaxPool2d takes the maximum over kernel×kernel windows of NCHW input,
// as torch.nn.MaxPool2d without padding.
type MaxPool2d struct {
	mode
	Kernel, Stride int
}

// NewMaxPool2d returns a max-pooling layer. A stride of 0 means the
// kernel size (PyTorch's default). It panics if kernel is not positive or
// stride is negative.
func NewMaxPool2d(kernel, stride int) *MaxPool2d {
	k, s := poolArgs("newmaxpool2d", kernel, stride)
	return &MaxPool2d{Kernel: k, Stride: s}
}

// Forward pools x [N, C, H, W] to [N, C, (H−K)/S+1, (W−K)/S+1].
func (l *MaxPool2d) Forward(x *autodiff.Var) *autodiff.Var {
	return autodiff.MaxPool2d(x, l.Kernel, l.Stride)
}

// State returns nothing: pooling has no state.
func (l *MaxPool2d) State() []NamedParam { return nil }

// AvgPool2d averages kernel×kernel windows of NCHW input, as
// torch.nn.AvgPool2d without padding.
type AvgPool2d struct {
	mode
	Kernel, Stride int
}

// NewAvgPool2d returns an average-pooling layer. A stride of 0 means the
// kernel size (PyTorch's default). It panics if kernel is not positive or
// stride is negative.
func NewAvgPool2d(kernel, stride int) *AvgPool2d {
	k, s := poolArgs("newavgpool2d", kernel, stride)
	return &AvgPool2d{Kernel: k, Stride: s}
}

// Forward pools x [N, C, H, W] to [N, C, (H−K)/S+1, (W−K)/S+1].
func (l *AvgPool2d) Forward(x *autodiff.Var) *autodiff.Var {
	return autodiff.AvgPool2d(x, l.Kernel, l.Stride)
}

// State returns nothing: pooling has no state.
func (l *AvgPool2d) State() []NamedParam { return nil }

func poolArgs(op string, kernel, stride int) (int, int) {
	if kernel <= 0 || stride < 0 {
		panic(fmt.Sprintf("nn: %s: kernel = %d, stride = %d out of range", op, kernel, stride))
	}
	if stride == 0 {
		stride = kernel
	}
	return kernel, stride
}
