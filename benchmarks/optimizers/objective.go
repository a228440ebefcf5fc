package main

import (
	"math/rand/v2"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/optim"
	"github.com/gograd/gograd/tensor"
)

// passCounts counts the objective evaluations an optimizer makes inside
// its steps, beyond the step's own forward and backward pass.
type passCounts struct {
	Loss    int // forward passes (Objective.Loss)
	Grad    int // forward+backward passes (Objective.Gradient)
	HVP     int // Hessian-vector products (Objective.HVP)
	Sampled int // gradients against sampled labels (LabelSampler)
	// SubBatch counts gradients over parts of the minibatch
	// (SubBatchObjective) in whole-batch equivalents: two half-batch
	// gradients count 1.
	SubBatch float64
	Jacobian int // logit Jacobians (JacobianObjective), b·C backward passes each
	// Full counts full-gradient passes (FullGradienter), each one
	// forward and backward pass over the whole training set.
	Full int
}

// countingObjective wraps nn.FullObjective and counts its calls. It has
// every method of nn.FullObjective but SetBatch (a test checks this), so
// it implements the same optional interfaces (optim.LabelSampler,
// optim.BatchSizer, optim.SubBatchObjective, optim.FullGradienter) and
// optimizers see the same capabilities.
type countingObjective struct {
	obj *nn.FullObjective
	n   passCounts
}

var (
	_ optim.Objective    = (*countingObjective)(nil)
	_ optim.LabelSampler = (*countingObjective)(nil)
	_ optim.BatchSizer   = (*countingObjective)(nil)

	_ optim.SubBatchObjective = (*countingObjective)(nil)
	_ optim.JacobianObjective = (*countingObjective)(nil)
	_ optim.FullGradienter    = (*countingObjective)(nil)
)

func (c *countingObjective) Params() []*autodiff.Var { return c.obj.Params() }

func (c *countingObjective) Loss() float32 { c.n.Loss++; return c.obj.Loss() }

func (c *countingObjective) Gradient() float32 { c.n.Grad++; return c.obj.Gradient() }

func (c *countingObjective) HVP(v []*tensor.Tensor) []*tensor.Tensor {
	c.n.HVP++
	return c.obj.HVP(v)
}

func (c *countingObjective) SampledGradient(rng *rand.Rand) float32 {
	c.n.Sampled++
	return c.obj.SampledGradient(rng)
}

func (c *countingObjective) BatchSize() int { return c.obj.BatchSize() }

func (c *countingObjective) BatchLen() int { return c.obj.BatchLen() }

func (c *countingObjective) SubsetGradient(lo, hi int) float32 {
	if n := c.obj.BatchLen(); n > 0 {
		c.n.SubBatch += float64(hi-lo) / float64(n)
	}
	return c.obj.SubsetGradient(lo, hi)
}

func (c *countingObjective) LogitJacobian() (z []float32, labels []int32, classes int, jac [][]float32) {
	c.n.Jacobian++
	return c.obj.LogitJacobian()
}

func (c *countingObjective) FullGradient() float32 { c.n.Full++; return c.obj.FullGradient() }
