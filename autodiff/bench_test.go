package autodiff

import (
	"testing"

	"github.com/gograd/gograd/tensor"
)

// BenchmarkMLPStep times one step of a 784-256-256-10 ReLU MLP with
// cross-entropy on a random batch of 128 (the MNIST model of
// cmd/train):
//
//   - backprop: forward, CrossEntropy, Backward, Reset on a reused tape;
//   - jvp: one forward-mode pass with random tangents on all parameters
//     (Tape.JVP), then Reset;
//   - hvp: one Hessian-vector product by forward-over-reverse (HVP, which
//     uses a fresh tape per call).
//
// GFLOP/s counts the matrix products only, from their multiply-adds:
// forward N·in·out per layer; backward the weights' gradients of every
// layer and the inputs' gradients of all but the first (the data needs
// none); with tangents, one product more per operand that carries a
// tangent (the data carries none).
func BenchmarkMLPStep(b *testing.B) {
	const batch = 128
	sizes := []int{784, 256, 256, 10}
	rng := tensor.NewRNG(1)
	m := newTestMLP(rng, ReLU, sizes...)
	x, labels := testBatch(rng, batch, sizes[0], sizes[len(sizes)-1])
	f := m.loss(x, labels)
	v := randLike(rng, m.params)

	var fwd, bwd, fwdTan, bwdTan float64 // multiply-adds
	for i := 0; i+1 < len(sizes); i++ {
		p := float64(batch * sizes[i] * sizes[i+1])
		fwd += p
		bwd += p // weight gradient: hᵀ·g
		if i == 0 {
			fwdTan += 2 * p // x·W, x·dW
			bwdTan += 2 * p // xᵀ·g, xᵀ·dg
		} else {
			bwd += p        // input gradient: g·Wᵀ
			fwdTan += 3 * p // h·W, dh·W, h·dW
			bwdTan += 6 * p // hᵀ·g and g·Wᵀ, each with two tangent terms
		}
	}
	gflops := func(b *testing.B, madds float64) {
		b.ReportMetric(2*madds*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}

	b.Run("backprop", func(b *testing.B) {
		tp := NewTape()
		b.ReportAllocs()
		for b.Loop() {
			tp.Backward(f(tp))
			tp.Reset()
		}
		gflops(b, fwd+bwd)
	})
	b.Run("jvp", func(b *testing.B) {
		tp := NewTape()
		b.ReportAllocs()
		for b.Loop() {
			tp.JVP(f, m.params, v)
			tp.Reset()
		}
		gflops(b, fwdTan)
	})
	b.Run("hvp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			HVP(f, m.params, v)
		}
		gflops(b, fwdTan+bwdTan)
	})
}
