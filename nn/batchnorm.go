package nn

import (
	"fmt"
	"math"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// BatchNorm normalizes each channel (axis 1) of its input, as
// torch.nn.BatchNorm1d and BatchNorm2d with affine = True and
// track_running_stats = True:
//
//	y = (x − μ)/√(σ² + ε)·γ + β
//
// In training mode μ and σ² are the mean and biased variance of the batch
// over every axis but 1, and the running statistics are updated with the
// unbiased variance:
//
//	running_mean = (1 − m)·running_mean + m·μ
//	running_var  = (1 − m)·running_var  + m·σ²·n/(n − 1)
//
// where n is the number of values per channel and m the momentum. In
// evaluation mode μ and σ² are the running statistics. Forward updates
// the running statistics on every training-mode call, also when the
// tape is not recording.
type BatchNorm struct {
	mode
	Features          int
	Eps, Momentum     float32
	Weight, Bias      *autodiff.Var // γ, β: [Features]
	RunningMean       *autodiff.Var // buffer [Features]
	RunningVar        *autodiff.Var // buffer [Features]
	NumBatchesTracked *autodiff.Var // buffer, a float32 scalar []

	dims   int           // input rank: 2 or 3 for BatchNorm1d, 4 for BatchNorm2d
	invStd *autodiff.Var // scratch for evaluation mode: 1/√(running_var+ε)
}

// NewBatchNorm1d returns a BatchNorm over [N, C] or [N, C, L] input with
// C = features: γ = 1, β = 0, running mean 0 and variance 1. It accepts
// the options WithEps (default 1e-5) and WithMomentum (default 0.1). It
// panics if features is not positive.
func NewBatchNorm1d(features int, opts ...Option) *BatchNorm {
	return newBatchNorm("newbatchnorm1d", 1, features, opts)
}

// NewBatchNorm2d returns a BatchNorm over [N, C, H, W] input with C =
// features, otherwise as NewBatchNorm1d.
func NewBatchNorm2d(features int, opts ...Option) *BatchNorm {
	return newBatchNorm("newbatchnorm2d", 4, features, opts)
}

func newBatchNorm(op string, dims, features int, opts []Option) *BatchNorm {
	c := newConfig(op, optEps|optMomentum, opts)
	if features <= 0 || !(c.eps >= 0) || !(c.momentum >= 0 && c.momentum <= 1) {
		panic(fmt.Sprintf("nn: %s: features = %d, eps = %v, momentum = %v out of range", op, features, c.eps, c.momentum))
	}
	return &BatchNorm{
		Features: features, Eps: c.eps, Momentum: c.momentum,
		Weight:            fullParam("weight", 1, features),
		Bias:              fullParam("bias", 0, features),
		RunningMean:       buffer("running_mean", 0, features),
		RunningVar:        buffer("running_var", 1, features),
		NumBatchesTracked: buffer("num_batches_tracked", 0),
		dims:              dims,
		invStd:            autodiff.Const(tensor.New(features)),
	}
}

// checkInput returns the axes to normalize over and the shape that
// broadcasts a per-channel vector against x. It panics with a
// *tensor.ShapeError if x does not fit.
func (l *BatchNorm) checkInput(x *autodiff.Var) (axes, chanShape []int) {
	s := x.Shape()
	ok := len(s) == l.dims || (l.dims == 1 && (len(s) == 2 || len(s) == 3))
	if !ok || s[1] != l.Features {
		want := "[N, C] or [N, C, L]"
		if l.dims == 4 {
			want = "[N, C, H, W]"
		}
		panic(&tensor.ShapeError{Op: "batchnorm",
			Reason: fmt.Sprintf("input must be %s with C = %d", want, l.Features), Shapes: [][]int{s}})
	}
	axes = []int{0}
	chanShape = []int{l.Features}
	for i := 2; i < len(s); i++ {
		axes = append(axes, i)
		chanShape = append(chanShape, 1)
	}
	return axes, chanShape
}

// Forward normalizes x per channel: with batch statistics in training
// mode (updating the running statistics), with the running statistics in
// evaluation mode. It panics if x's rank or channel count does not fit,
// and, in training mode, if there is only one value per channel.
func (l *BatchNorm) Forward(x *autodiff.Var) *autodiff.Var {
	axes, chanShape := l.checkInput(x)
	w := autodiff.Reshape(bind(x, l.Weight), chanShape...)
	b := autodiff.Reshape(bind(x, l.Bias), chanShape...)
	if !l.Training() {
		// y = x·s + (β − running_mean·s) with s = γ/√(running_var + ε).
		inv, rv := l.invStd.Value.Data(), l.RunningVar.Value.Data()
		for i, v := range rv {
			inv[i] = float32(1 / math.Sqrt(float64(v)+float64(l.Eps)))
		}
		s := autodiff.Mul(w, autodiff.Reshape(l.invStd, chanShape...))
		shift := autodiff.Sub(b, autodiff.Mul(autodiff.Reshape(l.RunningMean, chanShape...), s))
		return autodiff.Add(autodiff.Mul(x, s), shift)
	}
	n := x.Value.Size() / l.Features
	if n <= 1 {
		panic(fmt.Sprintf("nn: batchnorm: expected more than 1 value per channel in training mode, got input shape %v", x.Shape()))
	}
	y, mean, variance := autodiff.Normalize(x, axes, l.Eps)
	l.updateRunning(mean.Value.Data(), variance.Value.Data(), n)
	return autodiff.Add(autodiff.Mul(y, w), b)
}

// updateRunning folds the batch mean and biased variance of n values per
// channel into the running statistics.
func (l *BatchNorm) updateRunning(mean, variance []float32, n int) {
	m := l.Momentum
	rm, rv := l.RunningMean.Value.Data(), l.RunningVar.Value.Data()
	unbias := float32(float64(n) / float64(n-1))
	for i := range rm {
		rm[i] = (1-m)*rm[i] + m*mean[i]
		rv[i] = (1-m)*rv[i] + m*variance[i]*unbias
	}
	nb := l.NumBatchesTracked.Value.Data()
	nb[0]++
}

// State returns "weight", "bias" and the buffers "running_mean",
// "running_var" and "num_batches_tracked".
func (l *BatchNorm) State() []NamedParam {
	return []NamedParam{
		{Name: "weight", Var: l.Weight},
		{Name: "bias", Var: l.Bias},
		{Name: "running_mean", Var: l.RunningMean, Buffer: true},
		{Name: "running_var", Var: l.RunningVar, Buffer: true},
		{Name: "num_batches_tracked", Var: l.NumBatchesTracked, Buffer: true},
	}
}
