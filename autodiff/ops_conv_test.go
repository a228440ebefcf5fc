package autodiff

import (
	"fmt"
	"math"
	"testing"

	"github.com/gograd/gograd/tensor"
)

func conv2dCase(name string, x, w []int, bias bool, stride, pad int) opCase {
	shapes := [][]int{x, w}
	if bias {
		shapes = append(shapes, []int{w[0]})
	}
	return opCase{name: name, op: "conv2d", shapes: shapes, f: func(in []*Var) *Var {
		var b *Var
		if bias {
			b = in[2]
		}
		return Conv2d(in[0], in[1], b, stride, pad)
	}}
}

// convGradCase checks conv2dgradx (inputs g, w) or conv2dgradw (inputs x,
// g) for the convolution of x with w.
func convGradCase(name, op string, x, w []int, stride, pad int) opCase {
	g := newConvGeom("test", x, w, stride, pad)
	gs := []int{g.n, w[0], g.oh, g.ow}
	if op == "conv2dgradx" {
		return opCase{name: name, op: op, shapes: [][]int{gs, w}, f: func(in []*Var) *Var { return apply(&conv2dGradXOp{g: g}, in[0], in[1]) }}
	}
	return opCase{name: name, op: op, shapes: [][]int{x, gs}, f: func(in []*Var) *Var { return apply(&conv2dGradWOp{g: g}, in[0], in[1]) }}
}

func init() {
	opCases = append(opCases,
		convGradCase("conv2dgradx 3x3 pad 1", "conv2dgradx", []int{2, 2, 4, 5}, []int{3, 2, 3, 3}, 1, 1),
		convGradCase("conv2dgradx stride 2 odd", "conv2dgradx", []int{1, 3, 5, 7}, []int{2, 3, 2, 3}, 2, 0),
		convGradCase("conv2dgradx stride 2 pad 2", "conv2dgradx", []int{2, 1, 4, 4}, []int{2, 1, 3, 3}, 2, 2),
		convGradCase("conv2dgradx 3x3 valid", "conv2dgradx", []int{2, 2, 5, 6}, []int{3, 2, 3, 3}, 1, 0),
		convGradCase("conv2dgradw 3x3 valid", "conv2dgradw", []int{2, 2, 5, 6}, []int{3, 2, 3, 3}, 1, 0),
		convGradCase("conv2dgradw 3x3 pad 1", "conv2dgradw", []int{2, 2, 4, 5}, []int{3, 2, 3, 3}, 1, 1),
		convGradCase("conv2dgradw stride 2 odd", "conv2dgradw", []int{1, 3, 5, 7}, []int{2, 3, 2, 3}, 2, 1),
		convGradCase("conv2dgradw stride 2 pad 2", "conv2dgradw", []int{2, 1, 4, 4}, []int{2, 1, 3, 3}, 2, 2),
		conv2dCase("conv2d 3x3", []int{2, 2, 5, 5}, []int{3, 2, 3, 3}, true, 1, 0),
		conv2dCase("conv2d 3x3 pad 1", []int{2, 2, 4, 4}, []int{3, 2, 3, 3}, true, 1, 1),
		conv2dCase("conv2d stride 2 pad 1 odd batch 1", []int{1, 3, 5, 7}, []int{2, 3, 2, 3}, false, 2, 1),
		conv2dCase("conv2d 1x1 stride 3", []int{2, 2, 7, 5}, []int{4, 2, 1, 1}, true, 3, 0),
		conv2dCase("conv2d stacked input channel 1", []int{1, 1, 6, 6}, []int{2, 1, 3, 3}, true, 1, 0),
		opCase{name: "conv2d twice with square between", op: "conv2d", shapes: [][]int{{2, 1, 6, 6}, {2, 1, 3, 3}, {2}, {3, 2, 3, 3}, {3}}, f: func(in []*Var) *Var {
			h := Square(Conv2d(in[0], in[1], in[2], 1, 0))
			return Conv2d(h, in[3], in[4], 1, 1)
		}},
		convGradCase("conv2dgradx 2x4 valid", "conv2dgradx", []int{1, 2, 5, 6}, []int{2, 2, 2, 4}, 1, 0),
		convGradCase("conv2dgradx 2x3 valid one column", "conv2dgradx", []int{2, 1, 4, 3}, []int{2, 1, 2, 3}, 1, 0),
	)
}

// naiveConv2d is the direct 7-loop cross-correlation.
func naiveConv2d(x, w, b *tensor.Tensor, stride, pad int) *tensor.Tensor {
	xs, ws := x.Shape(), w.Shape()
	n, c, h, wd := xs[0], xs[1], xs[2], xs[3]
	o, kh, kw := ws[0], ws[2], ws[3]
	oh, ow := (h+2*pad-kh)/stride+1, (wd+2*pad-kw)/stride+1
	out := tensor.New(n, o, oh, ow)
	for ni := 0; ni < n; ni++ {
		for oi := 0; oi < o; oi++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					var s float64
					if b != nil {
						s = float64(b.At(oi))
					}
					for ci := 0; ci < c; ci++ {
						for ki := 0; ki < kh; ki++ {
							for kj := 0; kj < kw; kj++ {
								y, z := i*stride-pad+ki, j*stride-pad+kj
								if y < 0 || y >= h || z < 0 || z >= wd {
									continue
								}
								s += float64(x.At(ni, ci, y, z)) * float64(w.At(oi, ci, ki, kj))
							}
						}
					}
					out.Set(float32(s), ni, oi, i, j)
				}
			}
		}
	}
	return out
}

func TestConv2dMatchesNaive(t *testing.T) {
	rng := tensor.NewRNG(3)
	for _, c := range []struct {
		x, w        []int
		stride, pad int
		bias        bool
	}{
		{[]int{2, 1, 28, 28}, []int{4, 1, 3, 3}, 1, 0, true},  // W2 conv1, few filters
		{[]int{1, 6, 26, 26}, []int{5, 6, 3, 3}, 1, 0, true},  // W2 conv2 shape, fewer channels
		{[]int{3, 2, 7, 9}, []int{3, 2, 3, 3}, 1, 1, false},   // padding 1
		{[]int{2, 3, 9, 8}, []int{4, 3, 3, 2}, 2, 1, true},    // stride 2, rectangular kernel
		{[]int{1, 2, 5, 5}, []int{2, 2, 5, 5}, 1, 2, true},    // kernel as large as the image
		{[]int{2, 2, 10, 11}, []int{3, 2, 4, 4}, 3, 2, false}, // stride 3, padding 2
	} {
		t.Run(fmt.Sprint(c.x, c.w, c.stride, c.pad), func(t *testing.T) {
			x, w := tensor.RandN(rng, 1, c.x...), tensor.RandN(rng, 1, c.w...)
			var b *tensor.Tensor
			var bv *Var
			if c.bias {
				b = tensor.RandN(rng, 1, c.w[0])
				bv = Const(b)
			}
			want := naiveConv2d(x, w, b, c.stride, c.pad)
			tp := NewTape()
			got := Conv2d(tp.Input(x), Const(w), bv, c.stride, c.pad).Value
			if !tensor.SameShape(got, want) {
				t.Fatalf("shape %v, want %v", got.Shape(), want.Shape())
			}
			for i, v := range want.Data() {
				if g := got.Data()[i]; math.Abs(float64(g-v)) > 1e-4*(1+math.Abs(float64(v))) {
					t.Fatalf("element %d = %v, want %v", i, g, v)
				}
			}
		})
	}
}

func TestConv2dPanics(t *testing.T) {
	x := Const(tensor.New(1, 2, 4, 4))
	for name, f := range map[string]func(){
		"channels":  func() { Conv2d(x, Const(tensor.New(3, 1, 3, 3)), nil, 1, 0) },
		"rank":      func() { Conv2d(Const(tensor.New(2, 4, 4)), Const(tensor.New(3, 2, 3, 3)), nil, 1, 0) },
		"bias":      func() { Conv2d(x, Const(tensor.New(3, 2, 3, 3)), Const(tensor.New(2)), 1, 0) },
		"stride":    func() { Conv2d(x, Const(tensor.New(3, 2, 3, 3)), nil, 0, 0) },
		"too large": func() { Conv2d(x, Const(tensor.New(3, 2, 5, 5)), nil, 1, 0) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if _, ok := recover().(*tensor.ShapeError); !ok {
					t.Error("no *tensor.ShapeError panic")
				}
			}()
			f()
		})
	}
}

// TestConv2dStepReusesArena checks that a second training step
// on a reset tape reuses the arena: no new buffers (small headers may
// still be allocated).
func TestConv2dStepReusesArena(t *testing.T) {
	rng := tensor.NewRNG(1)
	x := tensor.RandN(rng, 1, 4, 1, 28, 28)
	w1, b1 := NewParam("w1", tensor.RandN(rng, 0.3, 8, 1, 3, 3)), NewParam("b1", tensor.New(8))
	w2, b2 := NewParam("w2", tensor.RandN(rng, 0.1, 16, 8, 3, 3)), NewParam("b2", tensor.New(16))
	tp := NewTape()
	step := func() {
		tp.Reset()
		h := ReLU(Conv2d(tp.Input(x), w1, b1, 1, 0))
		tp.Backward(Mean(MaxPool2d(ReLU(Conv2d(h, w2, b2, 1, 0)), 2, 2)))
	}
	step()
	n := len(tp.bufs)
	step()
	if len(tp.bufs) != n {
		t.Errorf("second step grew the arena from %d to %d buffers", n, len(tp.bufs))
	}
	allocs := testing.AllocsPerRun(3, step)
	t.Logf("%v allocations per step (op structs and tensor headers)", allocs)
	if allocs > 400 {
		t.Errorf("%v allocations per step", allocs)
	}
}

// BenchmarkConv2dW2 runs forward and backward of the two convolutions of
// the W2 CNN (Conv2d(1, 32, 3) then Conv2d(32, 64, 3)) on a batch of 64
// MNIST-sized images, reusing one tape.
func BenchmarkConv2dW2(b *testing.B) {
	rng := tensor.NewRNG(1)
	x := tensor.RandN(rng, 1, 64, 1, 28, 28)
	w1, b1 := NewParam("w1", tensor.RandN(rng, 0.3, 32, 1, 3, 3)), NewParam("b1", tensor.New(32))
	w2, b2 := NewParam("w2", tensor.RandN(rng, 0.05, 64, 32, 3, 3)), NewParam("b2", tensor.New(64))
	tp := NewTape()
	b.ReportAllocs()
	for b.Loop() {
		tp.Reset()
		h := Conv2d(tp.Input(x), w1, b1, 1, 0)
		tp.Backward(Sum(Conv2d(h, w2, b2, 1, 0)))
	}
	// FLOPs of the direct algorithm's three products of each layer
	// (forward, dW, dcols; the first layer's input needs no gradient, so it
	// has two), whichever algorithm runs: the second layer takes Winograd.
	flops := 2.0 * 64 * (26*26*32*9*2 + 24*24*64*288*3)
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkIm2col measures the layout kernels alone on the W2 CNN's second
// convolution (input [64, 32, 26, 26], 3×3 kernel), image by image into
// one image's column matrix, as the conv2d ops use them.
func BenchmarkIm2col(b *testing.B) {
	g := newConvGeom("bench", []int{64, 32, 26, 26}, []int{64, 32, 3, 3}, 1, 0)
	g1 := g.image()
	chw := g.c * g.h * g.w
	x := tensor.RandN(tensor.NewRNG(1), 1, 64, 32, 26, 26).Data()
	cols := make([]float32, g.imageWork())
	tmp := make([]float32, g.kw*g.h*g.ow)
	b.Run("im2col", func(b *testing.B) {
		b.SetBytes(int64(4 * g.n * len(cols)))
		for b.Loop() {
			for n := 0; n < g.n; n++ {
				g1.im2col(cols, x[n*chw:(n+1)*chw])
			}
		}
	})
	b.Run("col2im", func(b *testing.B) {
		b.SetBytes(int64(4 * g.n * len(cols)))
		for b.Loop() {
			for n := 0; n < g.n; n++ {
				g1.col2im(x[n*chw:(n+1)*chw], cols, tmp)
			}
		}
	})
}

// TestConvPartsMatchOne checks that splitting the images over goroutines
// (as with asm.SetThreads > 1 on large batches) gives the one-goroutine
// results: the same per image, and the weight gradient up to rounding.
func TestConvPartsMatchOne(t *testing.T) {
	rng := tensor.NewRNG(5)
	g := newConvGeom("test", []int{7, 3, 9, 8}, []int{4, 3, 3, 3}, 1, 1)
	x := tensor.RandN(rng, 1, 7, 3, 9, 8).Data()
	w := tensor.RandN(rng, 1, 4, 3, 3, 3).Data()
	b := tensor.RandN(rng, 1, 4).Data()
	gy := tensor.RandN(rng, 1, 7, 4, g.oh, g.ow).Data()
	run := func(p int) (y, dx, dw []float32) {
		cols := make([]float32, p*g.colsSize())
		wb := make([]float32, len(w)+len(b))
		sums := make([]float32, (p-1)*len(w))
		y, dx, dw = make([]float32, len(gy)), make([]float32, len(x)), make([]float32, len(w))
		g.convForward(y, x, w, b, cols, wb, false, p)
		g.convGradX(dx, cols, p, [2][]float32{gy, w})
		g.convGradW(dw, cols, sums, p, [2][]float32{x, gy})
		return y, dx, dw
	}
	y1, dx1, dw1 := run(1)
	for _, p := range []int{2, 3, 7} {
		y, dx, dw := run(p)
		for name, pair := range map[string][2][]float32{"y": {y, y1}, "dx": {dx, dx1}, "dw": {dw, dw1}} {
			for i, v := range pair[1] {
				if d := math.Abs(float64(pair[0][i] - v)); d > 1e-4*(1+math.Abs(float64(v))) {
					t.Fatalf("%d parts: %s[%d] = %v, want %v", p, name, i, pair[0][i], v)
				}
			}
		}
	}
}
