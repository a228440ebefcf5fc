package autodiff

// The asm paths of the broadcasting ops (ops_binary.go). The file sorts
// after ops_more_test.go so that its op-table cases come last and the
// earlier cases keep their seeds.

import (
	"math"
	"testing"

	"github.com/gograd/gograd/tensor"
)

func init() {
	opCases = append(opCases,
		opCase{name: "add bias rows", op: "add", shapes: [][]int{{3, 17}, {17}}, f: func(in []*Var) *Var { return Add(in[0], in[1]) }},
		opCase{name: "mul rows 3d", op: "mul", shapes: [][]int{{2, 2, 16}, {16}}, f: func(in []*Var) *Var { return Mul(in[0], in[1]) }},
		opCase{name: "sumto bias rows", op: "sumto", shapes: [][]int{{4, 18}}, f: func(in []*Var) *Var { return SumTo(in[0], []int{18}) }},
		opCase{name: "sumto rows keep", op: "sumto", shapes: [][]int{{2, 3, 16}}, f: func(in []*Var) *Var { return SumTo(in[0], []int{1, 1, 16}) }},
	)
}

// specialTensor returns a tensor of the shape with normal values and a
// sprinkling of −0, infinities and NaN.
func specialTensor(rng interface{ IntN(int) int }, shape ...int) *tensor.Tensor {
	x := tensor.RandN(tensor.NewRNG(uint64(rng.IntN(1000))), 1, shape...)
	sp := []float32{float32(math.Copysign(0, -1)), 0, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for i := range x.Data() {
		if rng.IntN(6) == 0 {
			x.Data()[i] = sp[rng.IntN(len(sp))]
		}
	}
	return x
}

// TestBinaryFastMatchesBroadcast checks that the asm paths of add and mul
// and of summing rows give the broadcasting loops' results bit for bit.
func TestBinaryFastMatchesBroadcast(t *testing.T) {
	rng := tensor.NewRNG(31)
	same := func(what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
				t.Fatalf("%s [%d]: got %v, want %v", what, i, got[i], want[i])
			}
		}
	}
	for _, c := range []struct{ a, b []int }{
		{[]int{5, 33}, []int{5, 33}},
		{[]int{300, 300}, []int{300, 300}}, // split over goroutines
		{[]int{7, 16}, []int{16}},
		{[]int{2, 3, 40}, []int{40}},
		{[]int{4, 15}, []int{15}}, // below rowMin: the loops
	} {
		a, b := specialTensor(rng, c.a...), specialTensor(rng, c.b...)
		for _, kind := range []binaryKind{kindAdd, kindMul} {
			got := make([]float32, a.Size())
			want := make([]float32, a.Size())
			if !binaryFast(kind, got, a, b) {
				if c.b[len(c.b)-1] >= rowMin {
					t.Fatalf("%v %v: no fast path", c.a, c.b)
				}
				continue
			}
			binaryTo(kind, want, a.Data(), b.Data(), c.a, c.a, c.b)
			same("binary", got, want)
		}
	}
	for _, c := range []struct{ from, to []int }{
		{[]int{128, 256}, []int{256}},
		{[]int{3, 5, 16}, []int{1, 1, 16}},
		{[]int{6, 20}, []int{1, 20}},
		{[]int{0, 20}, []int{20}},
		{[]int{4, 3, 20}, []int{3, 20}}, // not one row: the loops
	} {
		x := specialTensor(rng, c.from...)
		got := make([]float32, sizeOf(c.to))
		want := make([]float32, sizeOf(c.to))
		sumRowsTo(got, x.Data(), c.to, c.from)
		sumToInto(want, x.Data(), c.to, c.from)
		same("sumto", got, want)
	}
}
