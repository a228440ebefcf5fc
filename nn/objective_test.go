package nn

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

func TestObjectiveMatchesTape(t *testing.T) {
	rng := tensor.NewRNG(5)
	// Tanh, not ReLU: finite differences of gradients must not cross kinks.
	model := NewSequential(NewLinear(6, 5, rng), NewTanh(), NewLinear(5, 3, rng))
	params := Parameters(model)
	x := tensor.RandN(rng, 1, 4, 6)
	labels := []int32{0, 2, 1, 2}

	tp := autodiff.NewTape()
	loss := CrossEntropyLoss(model.Forward(tp.Input(x)), labels)
	tp.Backward(loss)
	want := loss.Item()
	wantGrads := make([][]float32, len(params))
	for i, p := range params {
		wantGrads[i] = append([]float32(nil), p.Grad.Data()...)
		p.Grad.Fill(123) // Gradient must overwrite, not add
	}
	tp.Reset()

	obj := NewObjective(model, params)
	obj.SetBatch(x, labels)
	if got := obj.Loss(); got != want {
		t.Errorf("Loss = %v, want %v", got, want)
	}
	if got := obj.Gradient(); got != want {
		t.Errorf("Gradient loss = %v, want %v", got, want)
	}
	for i, p := range params {
		for k, g := range p.Grad.Data() {
			if g != wantGrads[i][k] {
				t.Fatalf("%s grad[%d] = %v, want %v", p.Name, k, g, wantGrads[i][k])
			}
		}
	}

	// HVP against finite differences of Gradient along v.
	v := make([]*tensor.Tensor, len(params))
	for i, p := range params {
		v[i] = tensor.RandN(rng, 1, p.Value.Shape()...)
	}
	hv := obj.HVP(v)
	const eps = 1e-2
	shift := func(s float32) [][]float32 {
		for i, p := range params {
			d := p.Value.Data()
			for k := range d {
				d[k] += s * v[i].Data()[k]
			}
		}
		obj.Gradient()
		out := make([][]float32, len(params))
		for i, p := range params {
			out[i] = append([]float32(nil), p.Grad.Data()...)
		}
		return out
	}
	gp := shift(eps)
	gm := shift(-2 * eps)
	shift(eps)
	for i := range params {
		for k, h := range hv[i].Data() {
			fd := (float64(gp[i][k]) - float64(gm[i][k])) / (2 * eps)
			if math.Abs(float64(h)-fd) > 2e-2*(math.Abs(fd)+0.05) {
				t.Fatalf("%s: HVP[%d] = %v, finite differences %v", params[i].Name, k, h, fd)
			}
		}
	}

	// SampledGradient draws labels from the model and gives a gradient.
	l := obj.SampledGradient(tensor.NewRNG(1))
	if math.IsNaN(float64(l)) || l <= 0 {
		t.Errorf("SampledGradient loss %v", l)
	}
	for _, s := range obj.sampled {
		if s < 0 || s >= 3 {
			t.Fatalf("sampled label %d", s)
		}
	}
}
