package autodiff

import (
	"fmt"
	"math"
	"testing"

	"github.com/gograd/gograd/tensor"
)

func init() {
	d := []gen{genDistinct}
	opCases = append(opCases,
		opCase{name: "gather repeated indices", op: "gather", shapes: [][]int{{2, 3}}, f: func(in []*Var) *Var {
			return gather(in[0], []int32{5, 0, 0, 3}, []int{2, 2})
		}},
		opCase{name: "scatteradd repeated indices", op: "scatteradd", shapes: [][]int{{4}}, f: func(in []*Var) *Var {
			return scatterAdd(in[0], []int32{1, 1, 0, 5}, []int{2, 3})
		}},
		opCase{name: "max all", op: "gather", shapes: [][]int{{3, 4}}, gen: d, f: func(in []*Var) *Var { return Max(in[0]) }},
		opCase{name: "max last axis", op: "gather", shapes: [][]int{{3, 4}}, gen: d, f: func(in []*Var) *Var { return Max(in[0], -1) }},
		opCase{name: "max first axis", op: "gather", shapes: [][]int{{4, 3}}, gen: d, f: func(in []*Var) *Var { return Max(in[0], 0) }},
		opCase{name: "max keep axes 0 2", op: "gather", shapes: [][]int{{2, 3, 4}}, gen: d, f: func(in []*Var) *Var { return MaxKeep(in[0], 0, 2) }},
		opCase{name: "max batch 1", op: "gather", shapes: [][]int{{1, 5}}, gen: d, f: func(in []*Var) *Var { return Max(in[0], 1) }},
		opCase{name: "max then square", op: "gather", shapes: [][]int{{3, 3}}, gen: d, f: func(in []*Var) *Var { return Square(MaxKeep(in[0], 1)) }},
		opCase{name: "concat axis 0", op: "concat", shapes: [][]int{{2, 3}, {1, 3}}, f: func(in []*Var) *Var { return Concat(0, in[0], in[1]) }},
		opCase{name: "concat axis -1 three", op: "concat", shapes: [][]int{{2, 1}, {2, 3}, {2, 2}}, f: func(in []*Var) *Var {
			return Concat(-1, in[0], in[1], in[2])
		}},
		opCase{name: "concat middle axis fan-out", op: "concat", shapes: [][]int{{2, 2, 3}}, f: func(in []*Var) *Var {
			return Concat(1, in[0], Square(in[0]))
		}},
		opCase{name: "slice axis 1", op: "slice", shapes: [][]int{{3, 5}}, f: func(in []*Var) *Var { return SliceAxis(in[0], 1, 1, 4) }},
		opCase{name: "slice axis 0 batch 1", op: "slice", shapes: [][]int{{4, 2}}, f: func(in []*Var) *Var { return SliceAxis(in[0], 0, 3, 4) }},
		opCase{name: "slice last axis 3d squared", op: "slice", shapes: [][]int{{2, 3, 4}}, f: func(in []*Var) *Var {
			return Square(SliceAxis(in[0], -1, 0, 2))
		}},
		opCase{name: "pad", op: "pad", shapes: [][]int{{2, 2, 3}}, f: func(in []*Var) *Var { return apply(&padOp{axis: 1, start: 1, size: 5}, in[0]) }},
		opCase{name: "maxpool 2 stride 2", op: "gather", shapes: [][]int{{2, 2, 4, 4}}, gen: d, f: func(in []*Var) *Var { return MaxPool2d(in[0], 2, 2) }},
		opCase{name: "maxpool 3 stride 1 overlap batch 1", op: "gather", shapes: [][]int{{1, 1, 5, 5}}, gen: d, f: func(in []*Var) *Var { return MaxPool2d(in[0], 3, 1) }},
		opCase{name: "maxpool odd drops edge", op: "gather", shapes: [][]int{{1, 2, 5, 7}}, gen: d, f: func(in []*Var) *Var { return MaxPool2d(in[0], 2, 2) }},
		opCase{name: "maxpool 3 stride 2 squared", op: "gather", shapes: [][]int{{2, 1, 6, 6}}, gen: d, f: func(in []*Var) *Var {
			return Square(MaxPool2d(in[0], 3, 2))
		}},
		opCase{name: "avgpool 2 stride 2", op: "avgpool2d", shapes: [][]int{{2, 2, 4, 4}}, f: func(in []*Var) *Var { return AvgPool2d(in[0], 2, 2) }},
		opCase{name: "avgpool 3 stride 1 batch 1", op: "avgpool2d", shapes: [][]int{{1, 1, 5, 5}}, f: func(in []*Var) *Var { return AvgPool2d(in[0], 3, 1) }},
		opCase{name: "avgpool odd squared", op: "avgpool2d", shapes: [][]int{{1, 2, 5, 7}}, f: func(in []*Var) *Var { return Square(AvgPool2d(in[0], 2, 2)) }},
		opCase{name: "avgpool2dgrad", op: "avgpool2dgrad", shapes: [][]int{{1, 2, 2, 3}}, f: func(in []*Var) *Var {
			return apply(&avgPoolGradOp{kernel: 2, stride: 2, h: 5, w: 7}, in[0])
		}},
		opCase{name: "avgpool2dgrad overlap", op: "avgpool2dgrad", shapes: [][]int{{2, 1, 3, 3}}, f: func(in []*Var) *Var {
			return apply(&avgPoolGradOp{kernel: 3, stride: 1, h: 5, w: 5}, in[0])
		}},
		opCase{name: "dropout fixed seed", op: "mul", shapes: [][]int{{3, 4}}, f: func(in []*Var) *Var {
			return Dropout(in[0], 0.5, tensor.NewRNG(7))
		}},
		opCase{name: "dropout odd size squared", op: "mul", shapes: [][]int{{5}}, f: func(in []*Var) *Var {
			return Square(Dropout(in[0], 0.3, tensor.NewRNG(8)))
		}},
		opCase{name: "variance all", op: "square", shapes: [][]int{{3, 4}}, f: func(in []*Var) *Var { return Variance(in[0]) }},
		opCase{name: "variance axis 1", op: "square", shapes: [][]int{{3, 4}}, f: func(in []*Var) *Var { return Variance(in[0], 1) }},
		opCase{name: "variance keep batchnorm axes", op: "square", shapes: [][]int{{2, 3, 2, 2}}, f: func(in []*Var) *Var {
			return VarianceKeep(in[0], 0, 2, 3)
		}},
		opCase{name: "normalize batchnorm axes", op: "pow", shapes: [][]int{{2, 3, 2, 2}}, f: func(in []*Var) *Var {
			y, _, _ := Normalize(in[0], []int{0, 2, 3}, 1e-5)
			return y
		}},
		opCase{name: "normalize layernorm with statistics", op: "pow", shapes: [][]int{{3, 5}}, f: func(in []*Var) *Var {
			y, m, v := Normalize(in[0], []int{-1}, 1e-3)
			return Add(y, Mul(m, v))
		}},
		opCase{name: "normalize all batch 1", op: "pow", shapes: [][]int{{1, 6}}, f: func(in []*Var) *Var {
			y, _, _ := Normalize(in[0], nil, 1e-5)
			return y
		}},
		opCase{name: "linear", op: "matmul", shapes: [][]int{{3, 4}, {2, 4}, {2}}, f: func(in []*Var) *Var { return Linear(in[0], in[1], in[2]) }},
		opCase{name: "linear batch 1 no bias", op: "matmul", shapes: [][]int{{1, 3}, {5, 3}}, f: func(in []*Var) *Var { return Linear(in[0], in[1], nil) }},
	)
}

func TestMaxValuesAndTies(t *testing.T) {
	x := tensor.FromSlice([]float32{1, 3, 3, 2, -1, -1}, 2, 3)
	tp := NewTape()
	p := NewParam("x", x)
	m := Max(tp.Bind(p), 1)
	if got := m.Value.Data(); got[0] != 3 || got[1] != 2 {
		t.Fatalf("max = %v, want [3 2]", got)
	}
	tp.Backward(Sum(m))
	want := []float32{0, 1, 0, 1, 0, 0} // the first of tied maxima gets the gradient
	for i, g := range p.Grad.Data() {
		if g != want[i] {
			t.Fatalf("gradient %v, want %v", p.Grad.Data(), want)
		}
	}
	if all := Max(Const(x)); all.Value.Dims() != 0 || all.Item() != 3 {
		t.Errorf("Max over all = %v, want scalar 3", all.Value)
	}
	nan := float32(math.NaN())
	if v := Max(Const(tensor.FromSlice([]float32{1, nan, 5}, 3))).Item(); !math.IsNaN(float64(v)) {
		t.Errorf("Max with NaN = %v, want NaN", v)
	}
}

func naivePool(x *tensor.Tensor, k, s int, avg bool) *tensor.Tensor {
	sh := x.Shape()
	oh, ow := (sh[2]-k)/s+1, (sh[3]-k)/s+1
	out := tensor.New(sh[0], sh[1], oh, ow)
	for n := 0; n < sh[0]; n++ {
		for c := 0; c < sh[1]; c++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					acc := math.Inf(-1)
					if avg {
						acc = 0
					}
					for a := 0; a < k; a++ {
						for b := 0; b < k; b++ {
							v := float64(x.At(n, c, i*s+a, j*s+b))
							if avg {
								acc += v / float64(k*k)
							} else {
								acc = math.Max(acc, v)
							}
						}
					}
					out.Set(float32(acc), n, c, i, j)
				}
			}
		}
	}
	return out
}

func TestPoolingMatchesNaive(t *testing.T) {
	rng := tensor.NewRNG(9)
	for _, c := range []struct {
		shape []int
		k, s  int
	}{
		{[]int{2, 3, 24, 24}, 2, 2}, {[]int{1, 2, 7, 9}, 3, 2}, {[]int{3, 1, 5, 5}, 2, 1}, {[]int{1, 1, 4, 6}, 4, 3},
	} {
		x := tensor.RandN(rng, 1, c.shape...)
		for _, avg := range []bool{false, true} {
			t.Run(fmt.Sprint(c.shape, c.k, c.s, avg), func(t *testing.T) {
				var got *tensor.Tensor
				if avg {
					got = AvgPool2d(Const(x), c.k, c.s).Value
				} else {
					got = MaxPool2d(Const(x), c.k, c.s).Value
				}
				want := naivePool(x, c.k, c.s, avg)
				if !tensor.SameShape(got, want) {
					t.Fatalf("shape %v, want %v", got.Shape(), want.Shape())
				}
				for i, v := range want.Data() {
					if g := got.Data()[i]; math.Abs(float64(g-v)) > 1e-5*(1+math.Abs(float64(v))) {
						t.Fatalf("element %d = %v, want %v", i, g, v)
					}
				}
			})
		}
	}
}

func TestMaxPoolGradientRouting(t *testing.T) {
	// Overlapping windows share a maximum: its gradient accumulates.
	x := tensor.FromSlice([]float32{
		0, 1, 0,
		2, 9, 3,
		0, 4, 0,
	}, 1, 1, 3, 3)
	p := NewParam("x", x)
	tp := NewTape()
	tp.Backward(Sum(MaxPool2d(tp.Bind(p), 2, 1)))
	want := []float32{0, 0, 0, 0, 4, 0, 0, 0, 0}
	for i, g := range p.Grad.Data() {
		if g != want[i] {
			t.Fatalf("gradient %v, want %v", p.Grad.Data(), want)
		}
	}
}

func TestDropoutMask(t *testing.T) {
	const n = 100000
	x := Const(tensor.Full(1, n))
	for _, p := range []float32{0.1, 0.5, 0.8} {
		y := Dropout(x, p, tensor.NewRNG(uint64(p*10))).Value.Data()
		keep := 1 / (1 - p)
		zeros, sum := 0, 0.0
		for _, v := range y {
			switch v {
			case 0:
				zeros++
			case keep:
			default:
				t.Fatalf("p=%v: mask value %v, want 0 or %v", p, v, keep)
			}
			sum += float64(v)
		}
		// Binomial: the dropped fraction is within 5 standard deviations.
		sd := math.Sqrt(float64(p*(1-p)) / n)
		if frac := float64(zeros) / n; math.Abs(frac-float64(p)) > 5*sd {
			t.Errorf("p=%v: dropped fraction %v", p, frac)
		}
		if mean := sum / n; math.Abs(mean-1) > 5*sd*float64(keep) {
			t.Errorf("p=%v: mean %v, want 1", p, mean)
		}
	}
	if Dropout(x, 0, tensor.NewRNG(1)) != x {
		t.Error("Dropout with p = 0 is not the identity")
	}
	for _, p := range []float32{-0.1, 1, float32(math.NaN())} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic for p = %v", p)
				}
			}()
			Dropout(x, p, tensor.NewRNG(1))
		}()
	}
}

func TestDropoutGradientIsMask(t *testing.T) {
	p := NewParam("x", tensor.RandN(tensor.NewRNG(2), 1, 7, 3))
	tp := NewTape()
	y := Dropout(tp.Bind(p), 0.4, tensor.NewRNG(4))
	ratio := make([]float32, 21)
	for i, v := range y.Value.Data() {
		ratio[i] = v / p.Value.Data()[i]
	}
	tp.Backward(Sum(y))
	for i, g := range p.Grad.Data() {
		if math.Abs(float64(g-ratio[i])) > 1e-6 {
			t.Fatalf("gradient %v, mask %v", p.Grad.Data(), ratio)
		}
	}
}

func TestNormalizeStatistics(t *testing.T) {
	x := tensor.RandN(tensor.NewRNG(6), 2, 4, 3, 5, 5)
	y, m, v := Normalize(Const(x), []int{0, 2, 3}, 1e-5)
	if s := m.Shape(); len(s) != 4 || s[1] != 3 || s[0]*s[2]*s[3] != 1 {
		t.Fatalf("mean shape %v, want [1 3 1 1]", s)
	}
	for c := 0; c < 3; c++ {
		var sum, sq, ysum, ysq float64
		for n := 0; n < 4; n++ {
			for i := 0; i < 25; i++ {
				xv := float64(x.At(n, c, i/5, i%5))
				sum += xv
				sq += xv * xv
				yv := float64(y.Value.At(n, c, i/5, i%5))
				ysum += yv
				ysq += yv * yv
			}
		}
		mean, vr := sum/100, sq/100-sum*sum/1e4
		if math.Abs(float64(m.Value.At(0, c, 0, 0))-mean) > 1e-4 || math.Abs(float64(v.Value.At(0, c, 0, 0))-vr) > 1e-3 {
			t.Errorf("channel %d: mean %v var %v, want %v %v", c, m.Value.At(0, c, 0, 0), v.Value.At(0, c, 0, 0), mean, vr)
		}
		if math.Abs(ysum/100) > 1e-4 || math.Abs(ysq/100-1) > 1e-3 {
			t.Errorf("channel %d: normalized mean %v, second moment %v", c, ysum/100, ysq/100)
		}
	}
	if got := Variance(Const(tensor.FromSlice([]float32{1, 2, 3, 4}, 4))).Item(); got != 1.25 {
		t.Errorf("Variance([1 2 3 4]) = %v, want 1.25", got)
	}
}

func TestConcatSliceValues(t *testing.T) {
	a := Const(tensor.FromSlice([]float32{1, 2, 3, 4}, 2, 2))
	b := Const(tensor.FromSlice([]float32{5, 6}, 2, 1))
	c := Concat(1, a, b)
	want := []float32{1, 2, 5, 3, 4, 6}
	for i, v := range c.Value.Data() {
		if v != want[i] {
			t.Fatalf("concat = %v, want %v", c.Value.Data(), want)
		}
	}
	s := SliceAxis(c, 1, 1, 3)
	want = []float32{2, 5, 4, 6}
	for i, v := range s.Value.Data() {
		if v != want[i] {
			t.Fatalf("slice = %v, want %v", s.Value.Data(), want)
		}
	}
	defer func() {
		if _, ok := recover().(*tensor.ShapeError); !ok {
			t.Error("no *tensor.ShapeError for mismatched concat")
		}
	}()
	Concat(0, a, b)
}

// BenchmarkNormalizeBatchNorm runs forward and backward of Normalize over
// axes {0, 2, 3} on the W2 CNN's first activation, [64, 32, 26, 26].
func BenchmarkNormalizeBatchNorm(b *testing.B) {
	p := NewParam("x", tensor.RandN(tensor.NewRNG(1), 1, 64, 32, 26, 26))
	tp := NewTape()
	b.ReportAllocs()
	for b.Loop() {
		tp.Reset()
		y, _, _ := Normalize(tp.Bind(p), []int{0, 2, 3}, 1e-5)
		tp.Backward(Sum(Square(y)))
	}
}

// The 2×2 stride-2 fast path picks the same indices as the general loop,
// ties and NaNs included.
func TestMaxPoolIndex2MatchesGeneric(t *testing.T) {
	rng := tensor.NewRNG(3)
	const planes, h, w = 3, 7, 9
	x := make([]float32, planes*h*w)
	nan := float32(math.NaN())
	for i := range x {
		switch rng.IntN(7) {
		case 0:
			x[i] = nan
		case 1:
			x[i] = 1 // ties
		case 2:
			x[i] = float32(math.Copysign(0, -1)) // -0 ties +0
		case 3:
			x[i] = -float32(rng.IntN(3)) // negatives
		default:
			x[i] = float32(rng.IntN(4))
		}
	}
	oh, ow := h/2, w/2
	got := make([]int32, planes*oh*ow)
	want := make([]int32, planes*oh*ow)
	maxPoolIndex2(got, x, 0, planes, h, w, oh, ow)
	maxPoolIndexGeneric(want, x, 0, planes, h, w, 2, 2, oh, ow)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("index %d: fast path %d, general %d", i, got[i], want[i])
		}
	}
}

// BenchmarkMaxPoolIndex2 times the 2×2 index search on the W2 CNN's
// second ReLU output ([64, 64, 24, 24]).
func BenchmarkMaxPoolIndex2(b *testing.B) {
	x := tensor.RandN(tensor.NewRNG(1), 1, 64, 64, 24, 24).Data()
	idx := make([]int32, 64*64*12*12)
	for b.Loop() {
		maxPoolIndex2(idx, x, 0, 64*64, 24, 24, 12, 12)
	}
}
