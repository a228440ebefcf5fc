package optim

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// BenchmarkMLPAdamStep times one whole training step of the W1 model of
// cmd/train (a 784-256-256-10 ReLU MLP with cross-entropy, batch 128):
// forward, Backward, Reset, a fused Adam Step and ZeroGrad. asm's thread
// count follows -cpu (GOMAXPROCS), as cmd/train's -threads sets it.
func BenchmarkMLPAdamStep(b *testing.B) {
	defer asm.SetThreads(asm.Threads())
	asm.SetThreads(runtime.GOMAXPROCS(0))
	const batch = 128
	sizes := []int{784, 256, 256, 10}
	rng := tensor.NewRNG(1)
	var params []*autodiff.Var
	for i := 0; i+1 < len(sizes); i++ {
		w := tensor.RandN(rng, float32(1/math.Sqrt(float64(sizes[i]))), sizes[i], sizes[i+1])
		params = append(params, autodiff.NewParam(fmt.Sprint("W", i+1), w),
			autodiff.NewParam(fmt.Sprint("b", i+1), tensor.RandN(rng, 0.1, sizes[i+1])))
	}
	x := tensor.RandN(rng, 1, batch, sizes[0])
	labels := make([]int32, batch)
	for i := range labels {
		labels[i] = int32(rng.IntN(sizes[len(sizes)-1]))
	}
	o, err := NewAdam(params, DefaultAdam())
	if err != nil {
		b.Fatal(err)
	}
	tp := autodiff.NewTape()
	step := func() {
		h := tp.Input(x)
		for i := 0; i < len(params); i += 2 {
			h = autodiff.Add(autodiff.MatMul(h, params[i], false, false), params[i+1])
			if i+2 < len(params) {
				h = autodiff.ReLU(h)
			}
		}
		tp.Backward(autodiff.CrossEntropy(h, labels))
		tp.Reset()
		o.Step()
		o.ZeroGrad()
	}
	step()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		step()
	}
}
