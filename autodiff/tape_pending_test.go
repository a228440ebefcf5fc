package autodiff

import (
	"testing"

	"github.com/gograd/gograd/tensor"
)

// An op applied to a parameter before it meets any tape data (a weight
// reshaped in a layer's Forward) must still pass gradients to it.
func TestOpsOnParametersBeforeTheTape(t *testing.T) {
	w := NewParam("w", tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 6))
	x := tensor.FromSlice([]float32{1, 0, -1, 2, 0.5, 3}, 2, 3)
	tp := NewTape()
	w2 := Scale(Reshape(w, 3, 2), 2) // two tape-less ops on w alone
	loss := Sum(MatMul(tp.Input(x), w2, false, false))
	tp.Backward(loss)
	if w.Grad == nil {
		t.Fatal("no gradient reached w")
	}
	// d/dw Σ x·(2w) = 2·(column sums of x) repeated over w's columns.
	want := []float32{2 * 3, 2 * 3, 2 * 0.5, 2 * 0.5, 2 * 2, 2 * 2}
	for i, g := range w.Grad.Data() {
		if g != want[i] {
			t.Fatalf("grad %v, want %v", w.Grad.Data(), want)
		}
	}
	if got := tp.Ops(); len(got) < 3 || got[0] != "reshape" || got[1] != "scale" || got[2] != "matmul" {
		t.Errorf("tape %v, want reshape, scale, matmul first", got)
	}
}
