package nn

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

func TestLinearForward(t *testing.T) {
	rng := tensor.NewRNG(1)
	l := NewLinear(5, 3, rng)
	x := randT(rng, 4, 5)
	y := forward(l, x)
	if got := y.Shape(); len(got) != 2 || got[0] != 4 || got[1] != 3 {
		t.Fatalf("shape %v, want [4 3]", got)
	}
	want := make([]float64, 0, 12)
	for n := 0; n < 4; n++ {
		for o := 0; o < 3; o++ {
			s := float64(l.Bias.Value.At(o))
			for i := 0; i < 5; i++ {
				s += float64(x.At(n, i)) * float64(l.Weight.Value.At(o, i))
			}
			want = append(want, s)
		}
	}
	checkClose(t, "linear", y.Data(), want, 1e-5)

	nb := NewLinear(5, 3, tensor.NewRNG(1), WithoutBias())
	if nb.Bias != nil || len(nb.State()) != 1 {
		t.Fatalf("WithoutBias: bias %v, state %d entries", nb.Bias, len(nb.State()))
	}
	// The weight is drawn first, so it does not depend on the bias.
	checkClose(t, "weight without bias", nb.Weight.Value.Data(), f64(l.Weight.Value.Data()), 0)
}

func f64(d []float32) []float64 {
	out := make([]float64, len(d))
	for i, v := range d {
		out[i] = float64(v)
	}
	return out
}

// conv2dNaive is the direct definition of a strided, zero-padded 2-D
// cross-correlation.
func conv2dNaive(x, w, b *tensor.Tensor, stride, pad int) []float64 {
	xs, ws := x.Shape(), w.Shape()
	n, c, h, wd := xs[0], xs[1], xs[2], xs[3]
	o, k := ws[0], ws[2]
	oh, ow := (h+2*pad-k)/stride+1, (wd+2*pad-k)/stride+1
	var out []float64
	for in := 0; in < n; in++ {
		for oc := 0; oc < o; oc++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					s := 0.0
					if b != nil {
						s = float64(b.At(oc))
					}
					for ic := 0; ic < c; ic++ {
						for ki := 0; ki < k; ki++ {
							for kj := 0; kj < k; kj++ {
								r, q := i*stride+ki-pad, j*stride+kj-pad
								if r < 0 || q < 0 || r >= h || q >= wd {
									continue
								}
								s += float64(x.At(in, ic, r, q)) * float64(w.At(oc, ic, ki, kj))
							}
						}
					}
					out = append(out, s)
				}
			}
		}
	}
	return out
}

func TestConv2dForward(t *testing.T) {
	for _, tc := range []struct {
		name                string
		in, out, k, s, p, h int
		opts                []Option
	}{
		{"3x3", 2, 3, 3, 1, 0, 6, nil},
		{"stride2pad1", 3, 2, 3, 2, 1, 7, []Option{WithStride(2), WithPadding(1)}},
		{"nobias", 1, 4, 2, 1, 0, 5, []Option{WithoutBias()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := tensor.NewRNG(2)
			l := NewConv2d(tc.in, tc.out, tc.k, rng, tc.opts...)
			if l.Stride != tc.s || l.Padding != tc.p {
				t.Fatalf("stride %d padding %d, want %d %d", l.Stride, l.Padding, tc.s, tc.p)
			}
			x := randT(rng, 2, tc.in, tc.h, tc.h)
			var b *tensor.Tensor
			if l.Bias != nil {
				b = l.Bias.Value
			}
			y := forward(l, x)
			oh := (tc.h+2*tc.p-tc.k)/tc.s + 1
			if s := y.Shape(); s[0] != 2 || s[1] != tc.out || s[2] != oh || s[3] != oh {
				t.Fatalf("shape %v, want [2 %d %d %d]", s, tc.out, oh, oh)
			}
			checkClose(t, "conv2d", y.Data(), conv2dNaive(x, l.Weight.Value, b, tc.s, tc.p), 1e-5)
		})
	}
}

func TestPoolForward(t *testing.T) {
	x := tensor.FromSlice([]float32{
		1, 2, 3, 4, 5,
		6, 7, 8, 9, 10,
		-1, -2, -3, -4, -5,
		0, 9, 0, 1, 0,
		2, 2, 2, 2, 2,
	}, 1, 1, 5, 5)
	// Kernel 2, stride 2 (the default): windows at rows/cols 0 and 2;
	// the last row and column are dropped as in PyTorch.
	mp := forward(NewMaxPool2d(2, 0), x)
	checkClose(t, "maxpool", mp.Data(), []float64{7, 9, 9, 1}, 0)
	ap := forward(NewAvgPool2d(2, 0), x)
	checkClose(t, "avgpool", ap.Data(), []float64{4, 6, 1.5, -1.5}, 1e-6)
	// Kernel 3, stride 1: overlapping windows.
	mp3 := forward(NewMaxPool2d(3, 1), x)
	checkClose(t, "maxpool3", mp3.Data(), []float64{8, 9, 10, 9, 9, 10, 9, 9, 2}, 0)
	if s := mp3.Shape(); s[2] != 3 || s[3] != 3 {
		t.Fatalf("maxpool3 shape %v", s)
	}
}

func TestActivationsAndFlatten(t *testing.T) {
	x := tensor.FromSlice([]float32{-2, -0.5, 0, 0.5, 2, 3}, 2, 3)
	ref := map[string]func(float64) float64{
		"relu":    func(v float64) float64 { return math.Max(v, 0) },
		"gelu":    func(v float64) float64 { return v * 0.5 * (1 + math.Erf(v/math.Sqrt2)) },
		"tanh":    math.Tanh,
		"sigmoid": func(v float64) float64 { return 1 / (1 + math.Exp(-v)) },
	}
	for name, m := range map[string]Module{"relu": NewReLU(), "gelu": NewGELU(), "tanh": NewTanh(), "sigmoid": NewSigmoid()} {
		want := make([]float64, 6)
		for i, v := range x.Data() {
			want[i] = ref[name](float64(v))
		}
		checkClose(t, name, forward(m, x).Data(), want, 1e-6)
		if m.State() != nil {
			t.Errorf("%s has state", name)
		}
	}
	y := forward(NewFlatten(), tensor.New(2, 3, 4, 5))
	if s := y.Shape(); len(s) != 2 || s[0] != 2 || s[1] != 60 {
		t.Errorf("flatten shape %v, want [2 60]", s)
	}
}

func TestLayerGradients(t *testing.T) {
	rng := tensor.NewRNG(3)
	cases := []struct {
		name string
		m    Module
		x    *tensor.Tensor
	}{
		{"linear", NewLinear(4, 3, rng), randT(rng, 5, 4)},
		{"conv2d", NewConv2d(2, 3, 3, rng, WithPadding(1), WithStride(2)), randT(rng, 2, 2, 5, 5)},
		{"avgpool", NewAvgPool2d(2, 1), randT(rng, 1, 2, 4, 4)},
		{"batchnorm1d", NewBatchNorm1d(3), randT(rng, 6, 3)},
		{"batchnorm1d3d", NewBatchNorm1d(2), randT(rng, 3, 2, 4)},
		{"batchnorm2d", NewBatchNorm2d(2), randT(rng, 3, 2, 2, 3)},
		{"layernorm", NewLayerNorm([]int{2, 3}), randT(rng, 4, 2, 3)},
		{"mlp-tanh", NewSequential(NewLinear(3, 4, rng), NewTanh(), NewLinear(4, 2, rng), NewGELU()), randT(rng, 3, 3)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Non-trivial γ, β so that their gradients are exercised.
			for _, p := range tc.m.State() {
				if !p.Buffer && (p.Name == "weight" || p.Name == "bias") {
					if _, norm := tc.m.(*BatchNorm); norm {
						tensor.FillUniform(rng, p.Var.Value.Data(), 0.5, 1.5)
					}
					if _, norm := tc.m.(*LayerNorm); norm {
						tensor.FillUniform(rng, p.Var.Value.Data(), 0.5, 1.5)
					}
				}
			}
			checkGrads(t, tc.m, tc.x, 1e-2, 2e-2)
		})
	}
}

func TestBatchNormEvalGradients(t *testing.T) {
	rng := tensor.NewRNG(4)
	bn := NewBatchNorm2d(3)
	tensor.FillUniform(rng, bn.RunningMean.Value.Data(), -1, 1)
	tensor.FillUniform(rng, bn.RunningVar.Value.Data(), 0.5, 2)
	tensor.FillUniform(rng, bn.Weight.Value.Data(), 0.5, 1.5)
	bn.Train(false)
	checkGrads(t, bn, randT(rng, 2, 3, 2, 2), 1e-2, 1e-2)
}

func TestForwardShapePanics(t *testing.T) {
	rng := tensor.NewRNG(5)
	cases := map[string]func(){
		"batchnorm2d rank": func() { forward(NewBatchNorm2d(3), tensor.New(4, 3)) },
		"batchnorm1d C":    func() { forward(NewBatchNorm1d(3), tensor.New(4, 2)) },
		"batchnorm one":    func() { forward(NewBatchNorm1d(3), tensor.New(1, 3)) },
		"layernorm":        func() { forward(NewLayerNorm([]int{4}), tensor.New(2, 3)) },
		"linear":           func() { forward(NewLinear(4, 2, rng), tensor.New(2, 3)) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			f()
		})
	}
}

func TestConstructorPanics(t *testing.T) {
	rng := tensor.NewRNG(6)
	cases := map[string]func(){
		"linear size":      func() { NewLinear(0, 2, rng) },
		"linear stride":    func() { NewLinear(2, 2, rng, WithStride(2)) },
		"conv stride":      func() { NewConv2d(1, 1, 3, rng, WithStride(0)) },
		"conv eps":         func() { NewConv2d(1, 1, 3, rng, WithEps(1)) },
		"pool kernel":      func() { NewMaxPool2d(0, 0) },
		"dropout p":        func() { NewDropout(1, rng) },
		"dropout rng":      func() { NewDropout(0.5, nil) },
		"batchnorm bias":   func() { NewBatchNorm1d(3, WithoutBias()) },
		"batchnorm mom":    func() { NewBatchNorm1d(3, WithMomentum(2)) },
		"layernorm shape":  func() { NewLayerNorm(nil) },
		"layernorm stride": func() { NewLayerNorm([]int{3}, WithStride(1)) },
		"mlp":              func() { MLP([]int{3}, rng) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatalf("no panic")
				}
				if s, ok := r.(string); !ok || len(s) < 4 || s[:4] != "nn: " {
					t.Errorf("panic %v, want a message prefixed \"nn: \"", r)
				}
			}()
			f()
		})
	}
}

func TestTapeRecordsLayers(t *testing.T) {
	// A BatchNorm2d forward must be recorded so that γ and β get
	// gradients through the reshape of the per-channel vectors.
	bn := NewBatchNorm2d(2)
	tp := autodiff.NewTape()
	x := tp.Input(randT(tensor.NewRNG(7), 2, 2, 2, 2))
	loss := autodiff.Sum(autodiff.Mul(bn.Forward(x), x))
	tp.Backward(loss)
	for _, p := range Parameters(bn) {
		if p.Grad == nil {
			t.Fatalf("%s has no gradient", p.Name)
		}
	}
}
