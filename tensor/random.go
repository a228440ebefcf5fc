package tensor

import (
	"math"
	"math/rand/v2"
)

// NewRNG returns a seeded PCG generator: the same seed gives the same
// stream on every platform.
func NewRNG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// RandN returns a tensor of the given shape with independent normal samples
// of mean 0 and standard deviation std drawn from rng.
func RandN(rng *rand.Rand, std float32, shape ...int) *Tensor {
	t := New(shape...)
	FillNormal(rng, t.Data(), std)
	return t
}

// RandU returns a tensor of the given shape with independent samples drawn
// uniformly from [lo, hi) by rng.
func RandU(rng *rand.Rand, lo, hi float32, shape ...int) *Tensor {
	t := New(shape...)
	FillUniform(rng, t.Data(), lo, hi)
	return t
}

// FillNormal fills dst with normal samples of mean 0 and standard
// deviation std.
func FillNormal(rng *rand.Rand, dst []float32, std float32) {
	for i := range dst {
		dst[i] = float32(rng.NormFloat64()) * std
	}
}

// FillUniform fills dst with samples drawn uniformly from [lo, hi).
func FillUniform(rng *rand.Rand, dst []float32, lo, hi float32) {
	w := float64(hi) - float64(lo)
	for i := range dst {
		v := float32(float64(lo) + w*rng.Float64())
		if v >= hi { // rounding to float32 can reach hi
			v = float32(math.Nextafter32(hi, lo))
		}
		dst[i] = v
	}
}
