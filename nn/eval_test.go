package nn

import (
	"iter"
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// single yields one batch.
func single(x *tensor.Tensor, labels []int32) iter.Seq2[*tensor.Tensor, []int32] {
	return func(yield func(*tensor.Tensor, []int32) bool) { yield(x, labels) }
}

// batched yields x and labels in batches of size b (the last may be
// smaller), as row views.
func batched(x *tensor.Tensor, labels []int32, b int) iter.Seq2[*tensor.Tensor, []int32] {
	return func(yield func(*tensor.Tensor, []int32) bool) {
		for i := 0; i < len(labels); i += b {
			j := min(i+b, len(labels))
			if !yield(x.Slice(i, j), labels[i:j]) {
				return
			}
		}
	}
}

func TestEvaluate(t *testing.T) {
	rng := tensor.NewRNG(31)
	bn := NewBatchNorm1d(8)
	m := NewSequential(NewLinear(5, 8, rng), bn, NewReLU(), NewDropout(0.5, rng), NewLinear(8, 3, rng))
	forward(m, randT(rng, 16, 5)) // non-trivial running statistics
	x := randT(rng, 10, 5)
	labels := []int32{0, 1, 2, 0, 1, 2, 0, 1, 2, 2}
	stats := bn.RunningMean.Value.Clone()

	// Reference: the whole set at once, in evaluation mode.
	m.Train(false)
	tp := autodiff.NewTape()
	logits := m.Forward(tp.Input(x))
	wantLoss := float64(autodiff.CrossEntropy(logits, labels).Item())
	wantAcc := Accuracy(logits.Value, labels)
	m.Train(true)

	r := Evaluate(m, batched(x, labels, 4))
	if r.Samples != 10 || !closeTo(r.Loss, wantLoss, 1e-6) || r.Accuracy != wantAcc {
		t.Errorf("Evaluate = %+v, want loss %v accuracy %v over 10", r, wantLoss, wantAcc)
	}
	if !m.Layers[3].(*Dropout).Training() || !bn.Training() {
		t.Error("Evaluate did not restore training mode")
	}
	if !sameBits(stats, bn.RunningMean.Value) {
		t.Error("Evaluate updated the running statistics")
	}
	for _, p := range Parameters(m) {
		if p.Grad != nil {
			t.Errorf("Evaluate produced a gradient for %s", p.Name)
		}
	}
	m.Train(false)
	Evaluate(m, batched(x, labels, 4))
	if bn.Training() {
		t.Error("Evaluate switched an eval-mode model to training")
	}
	if r := Evaluate(m, batched(x, labels[:0], 4)); r != (EvalResult{}) {
		t.Errorf("empty evaluation: %+v", r)
	}
}

func TestAccuracy(t *testing.T) {
	nan := float32(math.NaN())
	logits := tensor.FromSlice([]float32{
		1, 3, 2, // argmax 1
		5, 5, 0, // tie: the first, 0
		nan, 0, -1, // NaN never wins: 1
		-3, -2, -1, // 2
	}, 4, 3)
	cases := []struct {
		labels []int32
		want   float64
	}{
		{[]int32{1, 0, 1, 2}, 1},
		{[]int32{1, 1, 1, 2}, 0.75},
		{[]int32{0, 1, 0, 0}, 0},
	}
	for _, c := range cases {
		if got := Accuracy(logits, c.labels); got != c.want {
			t.Errorf("Accuracy(%v) = %v, want %v", c.labels, got, c.want)
		}
	}
	if got := Accuracy(tensor.New(0, 3), nil); got != 0 {
		t.Errorf("empty Accuracy = %v", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("mismatched labels did not panic")
		}
	}()
	Accuracy(logits, []int32{0})
}

func TestLosses(t *testing.T) {
	tp := autodiff.NewTape()
	logits := tp.Input(tensor.FromSlice([]float32{0, 0, math.Ln2, 0}, 2, 2))
	// Row 0: log 2. Row 1 (label 0): log(3) − log 2.
	want := (math.Log(2) + math.Log(3) - math.Log(2)) / 2
	if got := CrossEntropyLoss(logits, []int32{1, 0}).Item(); !closeTo(float64(got), want, 1e-6) {
		t.Errorf("CrossEntropyLoss = %v, want %v", got, want)
	}
	p := tp.Input(tensor.FromSlice([]float32{1, 2, 3}, 3))
	q := tp.Input(tensor.FromSlice([]float32{1, 0, 6}, 3))
	if got := MSELoss(p, q).Item(); !closeTo(float64(got), 13.0/3, 1e-6) {
		t.Errorf("MSELoss = %v, want 13/3", got)
	}
}
