package autodiff

import (
	"github.com/gograd/gograd/tensor"
)

// softmaxOp is softmax over the last axis.
type softmaxOp struct{}

var softmaxName = registerOp("softmax")

func (o *softmaxOp) Name() string { return softmaxName }

func (o *softmaxOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	x := in[0].Value
	out := t.alloc(x.Shape()...)
	c := lastDim(x.Shape())
	xd, od := x.Data(), out.Data()
	for i := 0; i+c <= len(xd) && c > 0; i += c {
		softmaxRow(od[i:i+c], xd[i:i+c])
	}
	return out
}

// JVP: dy = y ⊙ (dx − ⟨y, dx⟩) per row.
func (o *softmaxOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	y, dx := out.Value.Data(), in[0].Tangent.Data()
	res := t.alloc(out.Value.Shape()...)
	r := res.Data()
	c := lastDim(out.Value.Shape())
	for i := 0; i+c <= len(y) && c > 0; i += c {
		var dot float32
		for j := i; j < i+c; j++ {
			dot += y[j] * dx[j]
		}
		for j := i; j < i+c; j++ {
			r[j] = y[j] * (dx[j] - dot)
		}
	}
	return res
}

// VJP: x̄ = y ⊙ (g − ⟨y, g⟩) per row, written with ops.
func (o *softmaxOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	grads[0] = Mul(out, Sub(g, SumKeep(Mul(out, g), -1)))
}

// Softmax returns softmax over the last axis of x.
func Softmax(x *Var) *Var { return apply(&softmaxOp{}, x) }

// LogSoftmax returns log-softmax over the last axis: x − logsumexp(x),
// computed stably from Softmax's shifted form.
func LogSoftmax(x *Var) *Var {
	// log softmax(x) = x − m − log Σ exp(x − m); the max shift m is a
	// constant for differentiation, so it cancels in the gradient.
	return Sub(x, LogSumExp(x))
}

// logSumExpOp is log Σ exp over the last axis, keeping it with size 1.
type logSumExpOp struct{}

var logSumExpName = registerOp("logsumexp")

func (o *logSumExpOp) Name() string { return logSumExpName }

func (o *logSumExpOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	x := in[0].Value
	shape := append([]int(nil), x.Shape()...)
	c := lastDim(shape)
	if len(shape) > 0 {
		shape[len(shape)-1] = 1
	}
	out := t.alloc(shape...)
	xd, od := x.Data(), out.Data()
	for i := range od {
		od[i] = float32(logSumExp(xd[i*c : (i+1)*c]))
	}
	return out
}

// JVP: d lse = ⟨softmax(x), dx⟩ per row.
func (o *logSumExpOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	x, dx := in[0].Value.Data(), in[0].Tangent.Data()
	lse := out.Value.Data()
	res := t.alloc(out.Value.Shape()...)
	c := lastDim(in[0].Shape())
	for i := range lse {
		var s float64
		for j := i * c; j < (i+1)*c; j++ {
			s += float64(dx[j]) * exp64(x[j]-lse[i])
		}
		res.Data()[i] = float32(s)
	}
	return res
}

// VJP: x̄ = g·softmax(x), with softmax(x) = exp(x − lse).
func (o *logSumExpOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	grads[0] = Mul(g, Exp(Sub(in[0], out)))
}

// LogSumExp returns log Σ exp(x) over the last axis, keeping that axis
// with size 1.
func LogSumExp(x *Var) *Var { return apply(&logSumExpOp{}, x) }

func lastDim(shape []int) int {
	if len(shape) == 0 {
		return 1
	}
	return shape[len(shape)-1]
}
