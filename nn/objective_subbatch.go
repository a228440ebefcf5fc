package nn

import "fmt"

// BatchLen returns the number of samples in the minibatch set by
// SetBatch (optim.SubBatchObjective).
func (o *Objective) BatchLen() int { return len(o.labels) }

// SubsetGradient overwrites every parameter's Grad with the gradient of
// the mean cross-entropy over samples [lo, hi) of the minibatch (rows of
// x, a view, nothing copied) at the current values and returns that loss
// (optim.SubBatchObjective, used by AdAdaGrad's norm test). It panics
// unless 0 ≤ lo < hi ≤ BatchLen().
func (o *Objective) SubsetGradient(lo, hi int) float32 {
	if lo < 0 || hi <= lo || hi > len(o.labels) {
		panic(fmt.Sprintf("nn: objective: subsetgradient: samples [%d, %d) of %d", lo, hi, len(o.labels)))
	}
	for _, p := range o.params {
		p.ZeroGrad()
	}
	loss := CrossEntropyLoss(o.model.Forward(o.tape.Input(o.x.Slice(lo, hi))), o.labels[lo:hi])
	o.tape.Backward(loss)
	l := loss.Item()
	o.tape.Reset()
	return l
}
