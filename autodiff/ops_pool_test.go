package autodiff

import (
	"math"
	"testing"

	"github.com/gograd/gograd/tensor"
)

// TestMaxPool2MatchesGather checks that the 2×2 stride-2 max pool, whose
// kernel writes the maxima with their indices, gives bit for bit the
// values, tangents and gradients of a plain gather at the indices of the
// general search, on inputs full of ties, −0, NaN and infinities, odd
// edges included.
func TestMaxPool2MatchesGather(t *testing.T) {
	rng := tensor.NewRNG(11)
	special := []float32{1, 1, 0, float32(math.Copysign(0, -1)), -2, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	for _, s := range [][]int{{2, 3, 6, 8}, {1, 2, 5, 7}, {3, 1, 24, 24}, {1, 1, 2, 34}} {
		x := tensor.New(s...)
		for i := range x.Data() {
			if rng.IntN(3) == 0 {
				x.Data()[i] = special[rng.IntN(len(special))]
			} else {
				x.Data()[i] = float32(rng.NormFloat64())
			}
		}
		n, c, h, w, oh, ow := poolShape("test", s, 2, 2)
		idx := make([]int32, n*c*oh*ow)
		maxPoolIndexGeneric(idx, x.Data(), 0, n*c, h, w, 2, 2, oh, ow)
		dx := tensor.RandN(rng, 1, s...)
		g := tensor.RandN(rng, 1, n, c, oh, ow)

		run := func(pool func(*Var) *Var) (val, tan, grad []float32) {
			p := NewParam("x", x.Clone())
			p.Tangent = dx
			tp := NewTape()
			y := pool(tp.Bind(p))
			val = append(val, y.Value.Data()...)
			tan = append(tan, y.Tangent.Data()...)
			tp.Backward(Sum(Mul(y, Const(g))))
			grad = append(grad, p.Grad.Data()...)
			return
		}
		fv, ft, fg := run(func(v *Var) *Var { return MaxPool2d(v, 2, 2) })
		gv, gt, gg := run(func(v *Var) *Var { return gather(v, idx, []int{n, c, oh, ow}) })
		for _, k := range []struct {
			what      string
			got, want []float32
		}{{"value", fv, gv}, {"tangent", ft, gt}, {"gradient", fg, gg}} {
			for i := range k.want {
				if math.Float32bits(k.got[i]) != math.Float32bits(k.want[i]) {
					t.Fatalf("%v: %s[%d] = %v, want %v", s, k.what, i, k.got[i], k.want[i])
				}
			}
		}
	}
}

func init() {
	// The indices of the maxima of a fixed [2, 2, 5, 6] input (odd height:
	// the last row is in no window), as the 2×2 max pool finds them.
	x := tensor.RandN(tensor.NewRNG(21), 1, 2, 2, 5, 6)
	idx := make([]int32, 2*2*2*3)
	maxPoolIndexGeneric(idx, x.Data(), 0, 4, 5, 6, 2, 2, 2, 3)
	opCases = append(opCases,
		opCase{name: "maxunpool2d", op: "maxunpool2d", shapes: [][]int{{2, 2, 2, 3}}, f: func(in []*Var) *Var {
			return apply(&maxUnpool2Op{idx: idx, shape: [4]int{2, 2, 5, 6}}, in[0])
		}},
		opCase{name: "maxunpool2d squared", op: "maxunpool2d", shapes: [][]int{{2, 2, 2, 3}}, f: func(in []*Var) *Var {
			return Square(apply(&maxUnpool2Op{idx: idx, shape: [4]int{2, 2, 5, 6}}, in[0]))
		}},
	)
}
