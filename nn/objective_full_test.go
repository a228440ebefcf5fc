package nn

import (
	"iter"
	"math"
	"testing"

	"github.com/gograd/gograd/tensor"
)

// fullChunks yields x's rows and labels in chunks of the given sizes.
func fullChunks(x *tensor.Tensor, labels []int32, sizes ...int) iter.Seq2[*tensor.Tensor, []int32] {
	return func(yield func(*tensor.Tensor, []int32) bool) {
		lo := 0
		for _, n := range sizes {
			if !yield(x.Slice(lo, lo+n), labels[lo:lo+n]) {
				return
			}
			lo += n
		}
	}
}

// TestFullGradientIsTheWholeSetGradient: FullGradient over chunks of
// unequal sizes (2, 3, 2) equals Gradient with all 7 samples as one
// batch (the mean loss, not the mean of chunk means), overwrites Grad,
// leaves the minibatch of SetBatch in place, and gives the same result
// when called again.
func TestFullGradientIsTheWholeSetGradient(t *testing.T) {
	rng := tensor.NewRNG(3)
	model := NewSequential(NewLinear(5, 4, rng), NewTanh(), NewLinear(4, 3, rng))
	params := Parameters(model)
	x := tensor.RandN(rng, 1, 7, 5)
	labels := []int32{0, 1, 2, 2, 1, 0, 1}

	whole := NewObjective(model, params)
	whole.SetBatch(x, labels)
	wantLoss := whole.Gradient()
	want := make([][]float64, len(params))
	for i, p := range params {
		for _, g := range p.Grad.Data() {
			want[i] = append(want[i], float64(g))
		}
	}

	obj := NewObjective(model, params)
	mb, mbLabels := x.Slice(0, 2), labels[:2]
	obj.SetBatch(mb, mbLabels)
	mbLoss := obj.Gradient()
	full := NewFullObjective(obj, fullChunks(x, labels, 2, 3, 2))
	for call := range 2 {
		for _, p := range params {
			p.Grad.Fill(123) // FullGradient must overwrite, not add
		}
		if got := full.FullGradient(); !closeTo(float64(got), float64(wantLoss), 1e-6) {
			t.Errorf("call %d: FullGradient loss %v, want %v", call, got, wantLoss)
		}
		for i, p := range params {
			checkClose(t, p.Name, p.Grad.Data(), want[i], 1e-6)
		}
	}
	if got := full.Gradient(); got != mbLoss {
		t.Errorf("minibatch loss after FullGradient %v, want %v (SetBatch's batch changed)", got, mbLoss)
	}
	if full.BatchLen() != 2 {
		t.Errorf("BatchLen %d, want 2", full.BatchLen())
	}
}

// TestFullGradientAllocatesGrad: Grad is allocated when nil, and an
// empty training set panics.
func TestFullGradientAllocatesGrad(t *testing.T) {
	rng := tensor.NewRNG(4)
	model := NewSequential(NewLinear(3, 2, rng))
	params := Parameters(model)
	x := tensor.RandN(rng, 1, 4, 3)
	labels := []int32{0, 1, 1, 0}
	full := NewFullObjective(NewObjective(model, params), fullChunks(x, labels, 4))
	for _, p := range params {
		p.Grad = nil
	}
	l := full.FullGradient()
	if math.IsNaN(float64(l)) || l <= 0 {
		t.Errorf("loss %v", l)
	}
	for _, p := range params {
		if p.Grad == nil || p.Grad.Size() != p.Value.Size() {
			t.Fatalf("%s: grad %v", p.Name, p.Grad)
		}
	}
	empty := NewFullObjective(NewObjective(model, params), fullChunks(x, labels))
	defer func() {
		if recover() == nil {
			t.Error("empty training set: no panic")
		}
	}()
	empty.FullGradient()
}
