package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// blobs returns n points in 2-D around three centres, labelled by centre.
func blobs(rng *rand.Rand, n int) (*tensor.Tensor, []int32) {
	centres := [3][2]float32{{-2, 0}, {2, 0}, {0, 2.5}}
	x := tensor.New(n, 2)
	labels := make([]int32, n)
	for i := range labels {
		c := i % 3
		labels[i] = int32(c)
		x.Set(centres[c][0]+float32(rng.NormFloat64())*0.7, i, 0)
		x.Set(centres[c][1]+float32(rng.NormFloat64())*0.7, i, 1)
	}
	return x, labels
}

// sgdSteps trains m on (x, labels) with plain gradient descent, p −= lr·∇p,
// and returns the loss before each step.
func sgdSteps(m Module, x *tensor.Tensor, labels []int32, lr float32, steps int) []float32 {
	tp := autodiff.NewTape()
	var losses []float32
	for range steps {
		tp.Reset()
		ZeroGrad(m)
		loss := CrossEntropyLoss(m.Forward(tp.Input(x)), labels)
		losses = append(losses, loss.Item())
		tp.Backward(loss)
		for _, p := range Parameters(m) {
			pd, gd := p.Value.Data(), p.Grad.Data()
			for i := range pd {
				pd[i] -= lr * gd[i]
			}
		}
	}
	return losses
}

func TestMLPTrainsWithGradientDescent(t *testing.T) {
	rng := tensor.NewRNG(21)
	x, labels := blobs(rng, 120)
	m := MLP([]int{2, 32, 32, 3}, rng)
	losses := sgdSteps(m, x, labels, 0.2, 150)
	first, last := losses[0], losses[len(losses)-1]
	t.Logf("loss %.4f -> %.4f", first, last)
	if !(last < 0.2*first) || math.IsNaN(float64(last)) {
		t.Errorf("loss %v -> %v, want a decrease by 5×", first, last)
	}
	xt, lt := blobs(rng, 60)
	if r := Evaluate(m, single(xt, lt)); r.Accuracy < 0.9 {
		t.Errorf("held-out accuracy %v, want ≥ 0.9", r.Accuracy)
	}
}

func TestSmallCNNTrains(t *testing.T) {
	// 6×6 images whose class is the quadrant holding a bright 2×2 patch.
	rng := tensor.NewRNG(22)
	n := 32
	x := tensor.RandN(rng, 0.1, n, 1, 6, 6)
	labels := make([]int32, n)
	for i := range labels {
		q := i % 4
		labels[i] = int32(q)
		r0, c0 := 3*(q/2)+rng.IntN(2), 3*(q%2)+rng.IntN(2)
		for r := r0; r < r0+2; r++ {
			for c := c0; c < c0+2; c++ {
				x.Set(1, i, 0, r, c)
			}
		}
	}
	m := NewSequential(
		NewConv2d(1, 4, 3, rng, WithPadding(1)), NewBatchNorm2d(4), NewReLU(),
		NewMaxPool2d(2, 0), NewFlatten(), NewDropout(0.1, rng), NewLinear(36, 4, rng),
	)
	losses := sgdSteps(m, x, labels, 0.1, 60)
	first, last := losses[0], losses[len(losses)-1]
	t.Logf("loss %.4f -> %.4f", first, last)
	if !(last < 0.3*first) {
		t.Errorf("loss %v -> %v, want a decrease by 3×", first, last)
	}
}
