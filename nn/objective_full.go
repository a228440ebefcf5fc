package nn

import (
	"fmt"
	"iter"

	"github.com/gograd/gograd/tensor"
)

// FullObjective is an Objective that can also evaluate the gradient over
// a whole training set (it satisfies optim.FullGradienter, which
// AI-SARAH's outer loop uses). It has every method of the Objective it
// embeds, so it satisfies the same optional optim interfaces; only
// FullGradient reads the training set.
type FullObjective struct {
	*Objective
	set iter.Seq2[*tensor.Tensor, []int32]
	acc []float64 // the weighted sum of chunk gradients, all parameters back to back
}

// NewFullObjective returns obj with the training set set: chunks of
// inputs shaped as the model expects (first axis the samples) with their
// labels. set is ranged over once per FullGradient call, so it must
// start over at every range and yield the same samples each time (order
// does not matter beyond float rounding). A chunk's tensor and labels
// are read only until the next one is requested, so the iterator may
// reuse its buffers, but they must not be the buffers of the minibatch
// given to SetBatch (a training loader that reuses one buffer needs a
// second loader for set). It panics if obj or set is nil.
func NewFullObjective(obj *Objective, set iter.Seq2[*tensor.Tensor, []int32]) *FullObjective {
	if obj == nil || set == nil {
		panic("nn: fullobjective: nil objective or training set")
	}
	return &FullObjective{Objective: obj, set: set}
}

// FullGradient overwrites every parameter's Grad with the gradient of
// the mean cross-entropy over the whole training set at the current
// values and returns that loss: one forward and backward pass per chunk
// on the objective's tape (reset after each chunk), each chunk's
// gradient weighted by its share of the samples and summed in float64.
// Grad is written only at the end (allocated if nil; a parameter that no
// chunk reaches gets zero); in between it holds chunk gradients. The
// minibatch of SetBatch is untouched. The cost is one epoch of forward
// and backward passes, with the tape's arena sized for the largest chunk,
// plus one float64 per parameter of accumulator kept between calls. The
// model runs in its current mode: BatchNorm in training mode updates its
// running statistics, as in any Objective evaluation. It panics if the
// set is empty.
func (f *FullObjective) FullGradient() float32 {
	o := f.Objective
	n := 0
	for _, p := range o.params {
		n += p.Value.Size()
	}
	if cap(f.acc) < n {
		f.acc = make([]float64, n)
	}
	acc := f.acc[:n]
	clear(acc)
	var lossSum float64
	samples := 0
	for x, labels := range f.set {
		for _, p := range o.params {
			p.ZeroGrad()
		}
		loss := CrossEntropyLoss(o.model.Forward(o.tape.Input(x)), labels)
		o.tape.Backward(loss)
		b := float64(len(labels))
		lossSum += b * float64(loss.Item())
		o.tape.Reset()
		off := 0
		for _, p := range o.params {
			if p.Grad != nil {
				for j, g := range p.Grad.Data() {
					acc[off+j] += b * float64(g)
				}
			}
			off += p.Value.Size()
		}
		samples += len(labels)
	}
	if samples == 0 {
		panic("nn: fullobjective: fullgradient: empty training set")
	}
	inv := 1 / float64(samples)
	off := 0
	for _, p := range o.params {
		if p.Grad == nil {
			p.Grad = tensor.New(p.Value.Shape()...)
		}
		g := p.Grad.Data()
		if len(g) != p.Value.Size() {
			panic(fmt.Sprintf("nn: fullobjective: fullgradient: %s: grad of %d elements for a value of %d", p.Name, len(g), p.Value.Size()))
		}
		for j := range g {
			g[j] = float32(acc[off+j] * inv)
		}
		off += len(g)
	}
	return float32(lossSum * inv)
}
