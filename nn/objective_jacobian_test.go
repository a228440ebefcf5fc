package nn

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// TestLogitJacobianMatchesJVP: J·v from LogitJacobian's rows equals the
// forward-mode tangent of the batch's logits for a random v (each row is
// one sample's reverse pass, the JVP one batched forward pass), and the
// logits match the model's.
func TestLogitJacobianMatchesJVP(t *testing.T) {
	rng := tensor.NewRNG(9)
	model := NewSequential(NewLinear(5, 4, rng), NewTanh(), NewLinear(4, 3, rng))
	params := Parameters(model)
	x := tensor.RandN(rng, 1, 3, 5)
	obj := NewObjective(model, params)
	obj.SetBatch(x, []int32{0, 2, 1})
	z, labels, c, jac := obj.LogitJacobian()
	if c != 3 || len(jac) != 9 || len(z) != 9 || len(labels) != 3 {
		t.Fatalf("C = %d, %d rows, %d logits, %d labels", c, len(jac), len(z), len(labels))
	}
	vs := make([]*tensor.Tensor, len(params))
	var flat []float32
	for i, p := range params {
		vs[i] = tensor.RandN(rng, 1, p.Value.Shape()...)
		flat = append(flat, vs[i].Data()...)
	}
	f := func(tp *autodiff.Tape) *autodiff.Var { return model.Forward(tp.Input(x)) }
	val, tan := autodiff.JVP(f, params, vs)
	for r, row := range jac {
		if len(row) != len(flat) {
			t.Fatalf("row %d has %d elements, want %d", r, len(row), len(flat))
		}
		var s float64
		for e, v := range row {
			s += float64(v) * float64(flat[e])
		}
		if w := float64(tan.Data()[r]); math.Abs(s-w) > 1e-4*(1+math.Abs(w)) {
			t.Errorf("(J·v)[%d] = %g, JVP %g", r, s, w)
		}
		if math.Abs(float64(z[r]-val.Data()[r])) > 1e-5 {
			t.Errorf("z[%d] = %g, model %g", r, z[r], val.Data()[r])
		}
	}
}
