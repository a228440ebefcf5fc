package fgrad

import (
	"testing"

	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

var w1Sizes = []int{784, 256, 256, 10}

// w1Batch returns the W1 MLP (784-256-256-10) and a random batch of n.
func w1Batch(n int) (*nn.Sequential, *tensor.Tensor, []int32) {
	rng := tensor.NewRNG(1)
	m := nn.MLP(w1Sizes, rng)
	x := tensor.RandN(rng, 1, n, 784)
	labels := make([]int32, n)
	for i := range labels {
		labels[i] = int32(i % 10)
	}
	return m, x, labels
}

// stepModes are the estimators the step benchmark and the memory test
// compare: name, estimator, K.
var stepModes = []struct {
	label, name string
	k           int
}{
	{"backprop", "backprop", 1},
	{"fg1", "fg", 1},
	{"fg4", "fg", 4},
	{"fg-activity", "fg-activity", 1},
	{"fg-local", "fg-local", 1},
	{"dfa", "dfa", 1},
}

// BenchmarkStep times one Estimate of each estimator on the W1 MLP at
// batch 128: for backprop the taped forward and backward passes, for fg
// the forward pass with its tangents' JVP, tangent generation and the
// write of ĝ into the Grads. The optimizer step is not included.
func BenchmarkStep(b *testing.B) {
	for _, md := range stepModes {
		b.Run(md.label, func(b *testing.B) {
			m, x, labels := w1Batch(128)
			e, err := New(md.name, m, Config{Tangents: md.k, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			e.Estimate(x, labels)
			b.ReportAllocs()
			for b.Loop() {
				e.Estimate(x, labels)
			}
		})
	}
}

// TestStepMemory measures the heap one step of each estimator needs on
// the W1 MLP at batch 512 (StepMemory on a fresh estimator: buffers, tape
// arena and Grads, after a warm-up that grows the shared sgemm workspace)
// and checks that the weight-perturbed forward gradient with one tangent
// needs at most half of backprop's.
func TestStepMemory(t *testing.T) {
	// Warm up: the sgemm workspace is shared and grows on first use; let
	// no estimator pay for it.
	for _, md := range stepModes {
		m, x, labels := w1Batch(512)
		e, _ := New(md.name, m, Config{Tangents: md.k, Seed: 1})
		e.Estimate(x, labels)
	}
	mem := map[string]uint64{}
	for _, md := range stepModes {
		m, x, labels := w1Batch(512)
		e, err := New(md.name, m, Config{Tangents: md.k, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		mem[md.label] = StepMemory(e, x, labels)
		t.Logf("%-12s %7.2f MiB", md.label, float64(mem[md.label])/(1<<20))
	}
	if raceEnabled {
		return // the race detector's own allocations change the picture
	}
	if r := float64(mem["fg1"]) / float64(mem["backprop"]); r > 0.5 {
		t.Errorf("fg1 needs %.2f of backprop's memory, want at most 0.5", r)
	}
}
