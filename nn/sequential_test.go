package nn

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// chain applies its layers one by one, as Sequential would without its
// ReLU–MaxPool2d reordering.
type chain struct {
	mode
	layers []Module
}

func (c *chain) Forward(x *autodiff.Var) *autodiff.Var {
	for _, l := range c.layers {
		x = l.Forward(x)
	}
	return x
}

func (c *chain) State() []NamedParam { return (&Sequential{Layers: c.layers}).State() }

// checkSameBits fails t unless got and want are equal bit for bit, except
// that −0 matches +0.
func checkSameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] == 0 && want[i] == 0) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestSequentialReLUMaxPool checks that Sequential's pool-before-ReLU
// order gives the values, gradients and Hessian-vector products of the
// layers applied in their order, on a conv net and on inputs full of
// ties, zeros and negatives fed straight to ReLU and MaxPool2d.
func TestSequentialReLUMaxPool(t *testing.T) {
	rng := tensor.NewRNG(5)
	ties := tensor.New(2, 3, 6, 7)
	for i := range ties.Data() {
		ties.Data()[i] = float32(rng.IntN(5) - 3) // −3..1: many ties, zeros and negatives
	}
	cases := []struct {
		name   string
		layers []Module
		x      *tensor.Tensor
	}{
		{"conv net", []Module{NewConv2d(1, 3, 3, rng), NewReLU(), NewMaxPool2d(2, 0), NewFlatten(), NewLinear(3*4*4, 5, rng), NewReLU()},
			randT(rng, 2, 1, 10, 10)},
		{"ties", []Module{NewReLU(), NewMaxPool2d(2, 0), NewFlatten()}, ties},
		{"overlapping windows", []Module{NewReLU(), NewMaxPool2d(3, 1), NewFlatten()}, ties},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seq := NewSequential(c.layers...)
			ref := &chain{layers: c.layers}
			xp := autodiff.NewParam("x", c.x.Clone())
			out := forward(ref, c.x)
			r := autodiff.Const(randT(rng, out.Shape()...))
			loss := func(m Module) autodiff.Func {
				return func(tp *autodiff.Tape) *autodiff.Var {
					y := m.Forward(tp.Bind(xp))
					return autodiff.Sum(autodiff.Mul(autodiff.Square(y), r))
				}
			}
			checkSameBits(t, "forward", forward(seq, c.x).Data(), out.Data())
			params := append(Parameters(seq), xp)
			v := make([]*tensor.Tensor, len(params))
			for i, p := range params {
				v[i] = randT(rng, p.Value.Shape()...)
			}
			lg, gs := autodiff.Grad(loss(seq), params)
			lw, gw := autodiff.Grad(loss(ref), params)
			if math.Float32bits(lg) != math.Float32bits(lw) {
				t.Fatalf("loss %v, want %v", lg, lw)
			}
			_, hs := autodiff.HVP(loss(seq), params, v)
			_, hw := autodiff.HVP(loss(ref), params, v)
			nonzero := false
			for i, p := range params {
				checkSameBits(t, "gradient of "+p.Name, gs[i].Data(), gw[i].Data())
				checkSameBits(t, "hvp of "+p.Name, hs[i].Data(), hw[i].Data())
				for _, g := range gs[i].Data() {
					nonzero = nonzero || g != 0
				}
			}
			if !nonzero {
				t.Fatal("all gradients are zero: the case tests nothing")
			}
		})
	}
}
