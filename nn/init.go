package nn

import (
	"math"
	"math/rand/v2"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// initBound returns 1/√fanIn: the bound of PyTorch's default
// initialisation of Linear and Conv2d. kaiming_uniform_ with a = √5 draws
// the weight from U(−b, b) with b = gain·√(3/fanIn), gain = √(2/(1+a²)) =
// √(1/3), so b = 1/√fanIn; the bias is drawn from U(−1/√fanIn, 1/√fanIn).
func initBound(fanIn int) float32 { return float32(1 / math.Sqrt(float64(fanIn))) }

// uniformParam returns a parameter of the given shape drawn from
// U(−bound, bound) by rng.
func uniformParam(name string, rng *rand.Rand, bound float32, shape ...int) *autodiff.Var {
	return autodiff.NewParam(name, tensor.RandU(rng, -bound, bound, shape...))
}

// fullParam returns a parameter of the given shape filled with v.
func fullParam(name string, v float32, shape ...int) *autodiff.Var {
	return autodiff.NewParam(name, tensor.Full(v, shape...))
}

// buffer returns a constant leaf named name holding a tensor filled with v.
func buffer(name string, v float32, shape ...int) *autodiff.Var {
	b := autodiff.Const(tensor.Full(v, shape...))
	b.Name = name
	return b
}
