package fgrad_test

import (
	"fmt"

	"github.com/gograd/gograd/fgrad"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

// Train a small MLP with forward gradients: the estimator fills the
// Grads, and a plain SGD step (any optimizer would do) uses them.
func Example() {
	rng := tensor.NewRNG(1)
	model := nn.MLP([]int{4, 16, 3}, rng)
	x := tensor.RandN(rng, 1, 64, 4)
	labels := make([]int32, 64)
	for i := range labels {
		if x.At(i, 0) > 0 {
			labels[i] = 1 // a learnable rule
		}
	}
	est, err := fgrad.New("fg", model, fgrad.Config{Tangents: 8, Seed: 1})
	if err != nil {
		panic(err)
	}
	cos := fgrad.NewCosineMeter(model)
	first := est.Estimate(x, labels)
	fmt.Printf("cosine to the true gradient > 0: %v\n", cos.Measure(x, labels) > 0)
	var last float32
	for range 300 {
		last = est.Estimate(x, labels)
		for _, p := range nn.Parameters(model) {
			for i, g := range p.Grad.Data() {
				p.Value.Data()[i] -= 0.02 * g
			}
		}
	}
	fmt.Printf("loss fell by more than half: %v\n", last < first/2)
	// Output:
	// cosine to the true gradient > 0: true
	// loss fell by more than half: true
}
