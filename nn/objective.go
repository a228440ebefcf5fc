package nn

import (
	"math"
	"math/rand/v2"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// Objective is the mean cross-entropy of a classifier on one minibatch,
// re-evaluable at the parameters' current values: what optimizers that
// need more than one gradient per step call (it satisfies
// optim.Objective and optim.LabelSampler). It keeps its own tape, whose
// memory is reused from call to call.
type Objective struct {
	model   Module
	params  []*autodiff.Var
	tape    *autodiff.Tape
	x       *tensor.Tensor
	labels  []int32
	sampled []int32
}

// NewObjective returns the objective of model over params, which must be
// the parameters in the optimizer's order (usually Parameters(model)).
// Call SetBatch before each step.
func NewObjective(model Module, params []*autodiff.Var) *Objective {
	return &Objective{model: model, params: params, tape: autodiff.NewTape()}
}

// SetBatch sets the minibatch: inputs x shaped as the model expects and
// their labels. Both are kept (not copied) until the next SetBatch.
func (o *Objective) SetBatch(x *tensor.Tensor, labels []int32) { o.x, o.labels = x, labels }

// BatchSize returns the number of examples in the minibatch (the B of
// Sophia-G's step; optim.BatchSizer).
func (o *Objective) BatchSize() int { return len(o.labels) }

// Params returns the parameters the objective differentiates.
func (o *Objective) Params() []*autodiff.Var { return o.params }

// Loss returns the minibatch loss at the current parameter values.
func (o *Objective) Loss() float32 {
	was := o.tape.SetRecording(false)
	defer o.tape.SetRecording(was)
	l := CrossEntropyLoss(o.model.Forward(o.tape.Input(o.x)), o.labels).Item()
	o.tape.Reset()
	return l
}

// Gradient overwrites every parameter's Grad with the minibatch gradient
// at the current values and returns the loss.
func (o *Objective) Gradient() float32 { return o.gradient(o.labels) }

func (o *Objective) gradient(labels []int32) float32 {
	for _, p := range o.params {
		p.ZeroGrad()
	}
	loss := CrossEntropyLoss(o.model.Forward(o.tape.Input(o.x)), labels)
	o.tape.Backward(loss)
	l := loss.Item()
	o.tape.Reset()
	return l
}

// HVP returns the Hessian-vector products of the minibatch loss, by
// forward-over-reverse (autodiff.HVP). A nil v[i] counts as zero.
func (o *Objective) HVP(v []*tensor.Tensor) []*tensor.Tensor {
	vs := make([]*tensor.Tensor, len(o.params))
	for i, p := range o.params {
		if i < len(v) && v[i] != nil {
			vs[i] = v[i]
		} else {
			vs[i] = tensor.New(p.Value.Shape()...)
		}
	}
	f := func(t *autodiff.Tape) *autodiff.Var {
		return CrossEntropyLoss(o.model.Forward(t.Input(o.x)), o.labels)
	}
	_, hv := autodiff.HVP(f, o.params, vs)
	return hv
}

// SampledGradient draws each sample's label from the model's softmax at
// the current values and overwrites the parameters' Grad with the
// gradient of the loss against those labels (Sophia-G's
// Gauss–Newton–Bartlett estimator). It returns that loss.
func (o *Objective) SampledGradient(rng *rand.Rand) float32 {
	was := o.tape.SetRecording(false)
	logits := o.model.Forward(o.tape.Input(o.x)).Value
	o.tape.SetRecording(was)
	n, c := logits.Shape()[0], logits.Shape()[1]
	if cap(o.sampled) < n {
		o.sampled = make([]int32, n)
	}
	o.sampled = o.sampled[:n]
	z := logits.Data()
	for i := 0; i < n; i++ {
		o.sampled[i] = sampleSoftmax(rng, z[i*c:(i+1)*c])
	}
	o.tape.Reset()
	return o.gradient(o.sampled)
}

// sampleSoftmax draws an index with probability softmax(z).
func sampleSoftmax(rng *rand.Rand, z []float32) int32 {
	m := z[0]
	for _, v := range z {
		m = max(m, v)
	}
	var s float64
	for _, v := range z {
		s += math.Exp(float64(v - m))
	}
	u := rng.Float64() * s
	for j, v := range z {
		u -= math.Exp(float64(v - m))
		if u <= 0 {
			return int32(j)
		}
	}
	return int32(len(z) - 1)
}
