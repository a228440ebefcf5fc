package nn

import (
	"fmt"
	"math/rand/v2"
)

// MLP returns the multilayer perceptron Linear(sizes[0], sizes[1]), ReLU,
// Linear(sizes[1], sizes[2]), ReLU, …, Linear(sizes[k−1], sizes[k]), with
// no activation after the last layer. MLP([]int{784, 256, 256, 10}, rng)
// is the reference model for MNIST: it takes [N, 784] and returns logits
// [N, 10], with 269,322 parameters named 0.weight, 0.bias, 2.weight, 2.bias,
// 4.weight, 4.bias. The weights are drawn from rng layer by layer. It
// panics with fewer than two sizes.
func MLP(sizes []int, rng *rand.Rand) *Sequential {
	if len(sizes) < 2 {
		panic(fmt.Sprintf("nn: mlp: sizes %v, want at least two", sizes))
	}
	var layers []Module
	for i := 0; i+1 < len(sizes); i++ {
		if i > 0 {
			layers = append(layers, NewReLU())
		}
		layers = append(layers, NewLinear(sizes[i], sizes[i+1], rng))
	}
	return NewSequential(layers...)
}

// MNISTCNN returns the convolutional network of PyTorch's MNIST example
// without its dropout layers:
//
//	0 Conv2d(1, 32, 3)  1 ReLU  2 Conv2d(32, 64, 3)  3 ReLU  4 MaxPool2d(2)
//	5 Flatten  6 Linear(9216, 128)  7 ReLU  8 Linear(128, 10)
//
// It takes [N, 1, 28, 28] and returns logits [N, 10]; it has 1,199,882
// parameters, drawn from rng layer by layer.
func MNISTCNN(rng *rand.Rand) *Sequential {
	return NewSequential(
		NewConv2d(1, 32, 3, rng),
		NewReLU(),
		NewConv2d(32, 64, 3, rng),
		NewReLU(),
		NewMaxPool2d(2, 0),
		NewFlatten(),
		NewLinear(9216, 128, rng),
		NewReLU(),
		NewLinear(128, 10, rng),
	)
}
