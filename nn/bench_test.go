package nn

import (
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// BenchmarkTrainStep times one forward and backward pass of the reference
// models on a batch of 64 MNIST-sized inputs (no optimizer update), and
// of the MLP on W1's batch of 128. Besides the wall time it reports the
// process CPU time per step (cpu-ms/op, where the platform has it), the
// steadier figure on a busy machine.
func BenchmarkTrainStep(b *testing.B) {
	const batch = 64
	rng := tensor.NewRNG(1)
	x := tensor.RandN(rng, 1, 2*batch, 784)
	labels := make([]int32, 2*batch)
	for i := range labels {
		labels[i] = int32(i % 10)
	}
	for _, bc := range []struct {
		name  string
		model *Sequential
		input *tensor.Tensor
	}{
		{"mlp", MLP([]int{784, 256, 256, 10}, rng), x.Slice(0, batch)},
		{"mlp128", MLP([]int{784, 256, 256, 10}, rng), x},
		{"cnn", MNISTCNN(rng), x.Slice(0, batch).Reshape(batch, 1, 28, 28)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			params := Parameters(bc.model)
			labels := labels[:bc.input.Shape()[0]]
			tp := autodiff.NewTape()
			b.ReportAllocs()
			start := processCPU()
			defer func() { reportCPU(b, start) }()
			for b.Loop() {
				tp.Reset()
				for _, p := range params {
					p.ZeroGrad()
				}
				loss := CrossEntropyLoss(bc.model.Forward(tp.Input(bc.input)), labels)
				tp.Backward(loss)
			}
		})
	}
}

// BenchmarkEvaluate times Evaluate over 10 batches of 100 with the MLP.
func BenchmarkEvaluate(b *testing.B) {
	rng := tensor.NewRNG(1)
	m := MLP([]int{784, 256, 256, 10}, rng)
	x := tensor.RandN(rng, 1, 1000, 784)
	labels := make([]int32, 1000)
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(m, batched(x, labels, 100))
	}
}

// BenchmarkSaveCheckpoint times an atomic save of the CNN's state
// (about 4.8 MB).
func BenchmarkSaveCheckpoint(b *testing.B) {
	sd := StateDict(MNISTCNN(tensor.NewRNG(1)))
	path := b.TempDir() + "/cnn.safetensors"
	b.SetBytes(4 * 1199882)
	for b.Loop() {
		if err := SaveCheckpoint(path, sd, nil); err != nil {
			b.Fatal(err)
		}
	}
}
