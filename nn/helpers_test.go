package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// closeTo reports whether got and want agree within an absolute plus
// relative tolerance.
func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*(1+math.Abs(want))
}

// checkClose fails t for each element of got that differs from want by
// more than tol (absolute plus relative).
func checkClose(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		if !closeTo(float64(got[i]), want[i], tol) {
			if bad < 5 {
				t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values differ", what, bad, len(got))
	}
}

// forward runs m on x on a fresh tape and returns a copy of the output.
func forward(m Module, x *tensor.Tensor) *tensor.Tensor {
	tp := autodiff.NewTape()
	return m.Forward(tp.Input(x)).Value.Clone()
}

func randT(rng *rand.Rand, shape ...int) *tensor.Tensor { return tensor.RandN(rng, 1, shape...) }

// checkGrads compares the gradients of f(x) = Σ r ⊙ m(x), for a fixed
// random r, with respect to m's parameters and to x, against central
// finite differences computed in float32 with step h.
func checkGrads(t *testing.T, m Module, x *tensor.Tensor, h, tol float64) {
	t.Helper()
	rng := tensor.NewRNG(99)
	xp := autodiff.NewParam("x", x.Clone())
	out := forward(m, x)
	r := autodiff.Const(randT(rng, out.Shape()...))
	f := func(tp *autodiff.Tape) *autodiff.Var {
		return autodiff.Sum(autodiff.Mul(m.Forward(tp.Bind(xp)), r))
	}
	params := append(Parameters(m), xp)
	_, grads := autodiff.Grad(f, params)
	for i, p := range params {
		d := p.Value.Data()
		want := make([]float64, len(d))
		for j := range d {
			old := d[j]
			d[j] = old + float32(h)
			fp, _ := autodiff.Grad(f, nil)
			d[j] = old - float32(h)
			fm, _ := autodiff.Grad(f, nil)
			d[j] = old
			want[j] = (float64(fp) - float64(fm)) / (2 * h)
		}
		checkClose(t, "grad of "+p.Name, grads[i].Data(), want, tol)
	}
}

// newTapeInput binds x to a fresh tape.
func newTapeInput(x *tensor.Tensor) *autodiff.Var { return autodiff.NewTape().Input(x) }
