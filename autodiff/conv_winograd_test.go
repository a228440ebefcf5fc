package autodiff

import (
	"fmt"
	"math"
	"testing"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/tensor"
)

// winoGeomFor returns the geometry of x [N, C, H, W] with w [O, C, 3, 3]
// and the given padding (stride 1), with the Winograd path forced on or
// off whatever the channel counts.
func winoGeomFor(x, w []int, pad int, wino bool) convGeom {
	g := newConvGeom("test", x, w, 1, pad)
	if wino && !g.winogradFits() {
		panic("autodiff: test: geometry unfit for Winograd")
	}
	g.wino = wino
	return g
}

// winoCase checks one of the three conv ops with the Winograd path forced
// on small, odd shapes (so checkOp runs its JVP, VJP and HVP, which are
// themselves conv ops on the Winograd path).
func winoCase(name, op string, x, w []int, pad int, bias bool) opCase {
	g := winoGeomFor(x, w, pad, true)
	gs := []int{g.n, w[0], g.oh, g.ow}
	// F(4×4, 3×3) in float32 rounds about 25 times more than the direct
	// sum (a few 1e-6 of the output scale, see TestWinogradMatchesDirect);
	// central differences with checkOp's step 1e-2 divide that noise by
	// 2e-2, so the finite-difference checks get 4 times the default
	// tolerance. The inner-product check ⟨Jᵀu, v⟩ = ⟨u, Jv⟩ keeps its 1e-4.
	c := opCase{name: "winograd " + name, op: op, tol: 4e-2}
	switch op {
	case "conv2d":
		c.shapes = [][]int{x, w}
		if bias {
			c.shapes = append(c.shapes, []int{w[0]})
		}
		c.f = func(in []*Var) *Var { return apply(&conv2dOp{g}, in...) }
	case "conv2dgradx":
		c.shapes = [][]int{gs, w}
		c.f = func(in []*Var) *Var { return apply(&conv2dGradXOp{g: g}, in[0], in[1]) }
	case "conv2dgradw":
		c.shapes = [][]int{x, gs}
		c.f = func(in []*Var) *Var { return apply(&conv2dGradWOp{g: g}, in[0], in[1]) }
	}
	return c
}

// winoCases run through checkOp in TestWinogradOps, not in the shared op
// table, so that the table's seeds (by position) stay as they were.
var winoCases = []opCase{
	winoCase("conv2d valid 7x9", "conv2d", []int{2, 3, 7, 9}, []int{3, 3, 3, 3}, 0, true),
	winoCase("conv2d pad 1 batch 1", "conv2d", []int{1, 2, 5, 6}, []int{3, 2, 3, 3}, 1, false),
	winoCase("conv2d pad 2", "conv2d", []int{2, 1, 4, 3}, []int{2, 1, 3, 3}, 2, true),
	winoCase("conv2d twice", "conv2d", []int{1, 3, 10, 6}, []int{5, 3, 3, 3}, 0, false),
	winoCase("conv2dgradx valid", "conv2dgradx", []int{2, 3, 7, 9}, []int{3, 3, 3, 3}, 0, false),
	winoCase("conv2dgradx pad 1", "conv2dgradx", []int{1, 2, 6, 5}, []int{3, 2, 3, 3}, 1, false),
	winoCase("conv2dgradx pad 2", "conv2dgradx", []int{2, 1, 4, 3}, []int{2, 1, 3, 3}, 2, false),
	winoCase("conv2dgradw valid", "conv2dgradw", []int{2, 3, 7, 9}, []int{3, 3, 3, 3}, 0, false),
	winoCase("conv2dgradw pad 1", "conv2dgradw", []int{1, 2, 6, 5}, []int{3, 2, 3, 3}, 1, false),
	winoCase("conv2dgradw pad 2", "conv2dgradw", []int{3, 1, 4, 3}, []int{2, 1, 3, 3}, 2, false),
}

func TestWinogradOps(t *testing.T) {
	for i, c := range winoCases {
		for s := range uint64(winoSeeds) {
			t.Run(fmt.Sprint(c.name, " seed ", s), func(t *testing.T) { checkOp(t, c, 700+100*s+uint64(i)) })
		}
	}
}

const winoSeeds = 5

// winoShapes are odd geometries for the direct comparisons: batch 1 and
// several, odd channel counts, sizes that are not multiples of the 4×4
// tile, paddings 0 to 3, with and without bias, and the W2 CNN's
// second convolution (two images).
var winoShapes = []struct {
	x, w []int
	pad  int
	bias bool
}{
	{[]int{1, 3, 7, 9}, []int{5, 3, 3, 3}, 0, true},
	{[]int{3, 5, 11, 6}, []int{7, 5, 3, 3}, 1, false},
	{[]int{2, 1, 3, 3}, []int{3, 1, 3, 3}, 2, true},
	{[]int{5, 9, 14, 13}, []int{3, 9, 3, 3}, 2, false},
	{[]int{1, 4, 3, 5}, []int{2, 4, 3, 3}, 0, true},
	{[]int{2, 3, 5, 4}, []int{2, 3, 3, 3}, 3, true},
	{[]int{2, 32, 26, 26}, []int{64, 32, 3, 3}, 0, true},
}

// maxErr returns max |got-want| / max(|want|): the error relative to the
// largest magnitude of the result.
func maxErr(got, want []float32) float64 {
	var e, m float64
	for i, v := range want {
		e = max(e, math.Abs(float64(got[i])-float64(v)))
		m = max(m, math.Abs(float64(v)))
	}
	return e / max(m, 1e-30)
}

// TestWinogradMatchesDirect compares the Winograd path of the three conv
// ops with the direct loop in float64 (forward) and with the im2col path
// (both cotangents). The error relative to the largest output magnitude
// must stay below 1e-5; the im2col path's own error is logged beside it.
func TestWinogradMatchesDirect(t *testing.T) {
	const tol = 1e-5
	rng := tensor.NewRNG(11)
	for _, c := range winoShapes {
		t.Run(fmt.Sprint(c.x, c.w, c.pad, c.bias), func(t *testing.T) {
			x, w := tensor.RandN(rng, 1, c.x...), tensor.RandN(rng, 1, c.w...)
			var b *Var
			var bt *tensor.Tensor
			in := []*Var{Const(x), Const(w)}
			if c.bias {
				bt = tensor.RandN(rng, 1, c.w[0])
				b = Const(bt)
				in = append(in, b)
			}
			gw, gd := winoGeomFor(c.x, c.w, c.pad, true), winoGeomFor(c.x, c.w, c.pad, false)
			want := naiveConv2d(x, w, bt, 1, c.pad).Data()
			y := apply(&conv2dOp{gw}, in...).Value.Data()
			yd := apply(&conv2dOp{gd}, in...).Value.Data()
			if e := maxErr(y, want); e > tol {
				t.Errorf("conv2d: Winograd error %.3g (im2col %.3g)", e, maxErr(yd, want))
			} else {
				t.Logf("conv2d: Winograd error %.3g, im2col %.3g", e, maxErr(yd, want))
			}
			gy := Const(tensor.RandN(rng, 1, gw.n, c.w[0], gw.oh, gw.ow))
			for _, op := range []struct {
				name    string
				wino, d Op
				a, b    *Var
			}{
				{"conv2dgradx", &conv2dGradXOp{g: gw}, &conv2dGradXOp{g: gd}, gy, in[1]},
				{"conv2dgradw", &conv2dGradWOp{g: gw}, &conv2dGradWOp{g: gd}, in[0], gy},
			} {
				got := apply(op.wino, op.a, op.b).Value.Data()
				ref := apply(op.d, op.a, op.b).Value.Data()
				if e := maxErr(got, ref); e > tol {
					t.Errorf("%s: Winograd differs from im2col by %.3g", op.name, e)
				} else {
					t.Logf("%s: Winograd differs from im2col by %.3g", op.name, e)
				}
			}
		})
	}
}

// TestWinogradSharedGrads checks the backward pass of a Winograd conv2d
// whose input and weight both need gradients (conv2dgradx computes the
// weight's too, see winoShare) against the im2col path, at one and at
// several goroutines, and that the share was used.
func TestWinogradSharedGrads(t *testing.T) {
	rng := tensor.NewRNG(9)
	xs, ws := []int{5, 9, 14, 13}, []int{11, 9, 3, 3}
	x, w, b := tensor.RandN(rng, 1, xs...), tensor.RandN(rng, 1, ws...), tensor.RandN(rng, 1, ws[0])
	gw, gd := winoGeomFor(xs, ws, 1, true), winoGeomFor(xs, ws, 1, false)
	u := tensor.RandN(rng, 1, gw.n, ws[0], gw.oh, gw.ow)
	grads := func(g convGeom) (dx, dw, db []float32) {
		xp, wp, bp := NewParam("x", x), NewParam("w", w), NewParam("b", b)
		tp := NewTape()
		y := apply(&conv2dOp{g: g}, tp.Bind(xp), tp.Bind(wp), tp.Bind(bp))
		tp.Backward(Sum(Mul(y, tp.Input(u))))
		return xp.Grad.Data(), wp.Grad.Data(), bp.Grad.Data()
	}
	dx0, dw0, db0 := grads(gd)
	prev := asm.Threads()
	defer asm.SetThreads(prev)
	for _, threads := range []int{1, 3} {
		asm.SetThreads(threads)
		dx, dw, db := grads(gw)
		for name, pair := range map[string][2][]float32{"dx": {dx, dx0}, "dw": {dw, dw0}, "db": {db, db0}} {
			if e := maxErr(pair[0], pair[1]); e > 1e-5 {
				t.Errorf("%d threads: %s differs from im2col by %.3g", threads, name, e)
			}
		}
	}

	// The two ops as conv2dOp.VJP applies them.
	tp := NewTape()
	xv, wv, gv := tp.Input(x), tp.Input(w), tp.Input(u)
	sh := &winoShare{x: xv.Value, gy: gv.Value}
	dx := apply(&conv2dGradXOp{g: gw, share: sh}, gv, wv).Value.Data()
	if sh.dw == nil {
		t.Fatal("conv2dgradx left no weight cotangent in the share")
	}
	dw := apply(&conv2dGradWOp{g: gw, share: sh}, xv, gv).Value.Data()
	if e := maxErr(dx, dx0); e > 1e-5 {
		t.Errorf("shared dx differs from im2col by %.3g", e)
	}
	if e := maxErr(dw, dw0); e > 1e-5 {
		t.Errorf("shared dw differs from im2col by %.3g", e)
	}
}

// TestWinogradPartsMatchOne checks that splitting the images over
// goroutines and blocks gives the one-goroutine results.
func TestWinogradPartsMatchOne(t *testing.T) {
	rng := tensor.NewRNG(5)
	g := newWinoGeom(7, 3, 4, 9, 8, 1)
	g.nb = 2 // blocks of two images, the last of each part shorter
	x := tensor.RandN(rng, 1, 7, 3, 9, 8).Data()
	w := tensor.RandN(rng, 1, 4, 3, 3, 3).Data()
	b := tensor.RandN(rng, 1, 4).Data()
	gy := tensor.RandN(rng, 1, 7, 4, g.oh, g.ow).Data()
	u := make([]float32, 36*4*3)
	winoWeights(u, w, 4, 3)
	run := func(p int) (y, du []float32) {
		sc := make([]float32, p*g.blockSize())
		y, du = make([]float32, len(gy)), make([]float32, len(u))
		g.conv(y, b, false, sc, p, winoPair{x, u})
		g.gradU(du, sc, make([]float32, (p-1)*len(du)), p, winoGradPair{x, gy})
		return y, du
	}
	y1, du1 := run(1)
	for _, p := range []int{2, 3, 7} {
		y, du := run(p)
		if e := maxErr(y, y1); e > 1e-6 {
			t.Errorf("%d parts: y differs by %.3g", p, e)
		}
		if e := maxErr(du, du1); e > 1e-5 {
			t.Errorf("%d parts: du differs by %.3g", p, e)
		}
	}
}

// TestWinogradChoice checks which convolutions take the Winograd path:
// the geometries marked want, and only at the AVX-512 level.
func TestWinogradChoice(t *testing.T) {
	fast := asm.Active() == asm.AVX512
	for _, c := range []struct {
		x, w        []int
		stride, pad int
		want        bool
	}{
		{[]int{64, 32, 26, 26}, []int{64, 32, 3, 3}, 1, 0, true}, // W2 conv2
		{[]int{64, 1, 28, 28}, []int{32, 1, 3, 3}, 1, 0, false},  // W2 conv1: one channel
		{[]int{4, 16, 8, 8}, []int{16, 16, 3, 3}, 1, 2, true},
		{[]int{4, 16, 8, 8}, []int{16, 16, 3, 3}, 1, 3, true},
		{[]int{4, 16, 8, 8}, []int{16, 16, 3, 3}, 2, 1, false},
		{[]int{4, 16, 8, 8}, []int{16, 16, 5, 5}, 1, 1, false},
	} {
		if got := newConvGeom("test", c.x, c.w, c.stride, c.pad).wino; got != (c.want && fast) {
			t.Errorf("%v * %v stride %d pad %d at level %v: Winograd %v, want %v", c.x, c.w, c.stride, c.pad, asm.Active(), got, c.want && fast)
		}
	}
}

// BenchmarkConvW2 runs each of the three conv ops of the W2 CNN's two
// convolutions (conv1: input [64, 1, 28, 28], weight [32, 1, 3, 3];
// conv2: input [64, 32, 26, 26], weight [64, 32, 3, 3]) with the im2col
// and the Winograd path, and "backward": both cotangents as conv2d's VJP
// computes them (on the Winograd path, sharing the transform of ḡ). It reports the process CPU time per op (all
// goroutines) beside the wall time, which other load inflates, and the
// rate of the direct algorithm's flops.
func BenchmarkConvW2(b *testing.B) {
	rng := tensor.NewRNG(1)
	for _, layer := range []struct {
		name   string
		xs, ws []int
	}{
		{"conv1", []int{64, 1, 28, 28}, []int{32, 1, 3, 3}},
		{"conv2", []int{64, 32, 26, 26}, []int{64, 32, 3, 3}},
	} {
		xs, ws := layer.xs, layer.ws
		x, w := Const(tensor.RandN(rng, 1, xs...)), Const(tensor.RandN(rng, 0.05, ws...))
		bias := Const(tensor.RandN(rng, 1, ws[0]))
		g0 := winoGeomFor(xs, ws, 0, false)
		gy := Const(tensor.RandN(rng, 1, g0.n, ws[0], g0.oh, g0.ow))
		flops := 2 * float64(g0.n*ws[0]*g0.colRows*g0.oh*g0.ow)
		for _, wino := range []bool{false, true} {
			g := winoGeomFor(xs, ws, 0, wino)
			name := map[bool]string{false: "im2col", true: "winograd"}[wino]
			for _, op := range []struct {
				name string
				op   Op
				in   []*Var
			}{
				{"conv2d", &conv2dOp{g: g}, []*Var{x, w, bias}},
				{"conv2dgradx", &conv2dGradXOp{g: g}, []*Var{gy, w}},
				{"conv2dgradw", &conv2dGradWOp{g: g}, []*Var{x, gy}},
				{"backward", nil, []*Var{x, w, gy}},
			} {
				b.Run(layer.name+"/"+name+"/"+op.name, func(b *testing.B) {
					tp := NewTape()
					in := make([]*Var, len(op.in))
					b.ReportAllocs()
					cpu := processCPUTime()
					for b.Loop() {
						tp.Reset()
						for i, v := range op.in {
							in[i] = tp.Input(v.Value)
						}
						if op.op == nil {
							// Both cotangents as conv2d's VJP asks for them.
							var sh *winoShare
							if g.wino {
								sh = &winoShare{x: in[0].Value, gy: in[2].Value}
							}
							apply(&conv2dGradXOp{g: g, share: sh}, in[2], in[1])
							apply(&conv2dGradWOp{g: g, share: sh}, in[0], in[2])
							continue
						}
						apply(op.op, in...)
					}
					if cpu >= 0 {
						b.ReportMetric((processCPUTime()-cpu)*1e3/float64(b.N), "cpu-ms/op")
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s(direct)")
				})
			}
		}
	}
}

// BenchmarkWinogradTransforms times the four tile transforms alone on one
// block of the W2 CNN's second convolution (per tile or patch).
func BenchmarkWinogradTransforms(b *testing.B) {
	g := newWinoGeom(64, 32, 64, 26, 26, 0)
	nb := g.nb
	nt := nb * g.tiles()
	rng := tensor.NewRNG(1)
	x := tensor.RandN(rng, 1, nb, 32, 26, 26).Data()
	gy := tensor.RandN(rng, 1, nb, 64, 24, 24).Data()
	blk := g.newBlock(tensor.RandN(rng, 1, g.blockSize()).Data())
	v, sv, m, sm := blk.mats(nt)
	for _, c := range []struct {
		name  string
		items int
		f     func()
	}{
		{"input", 32 * nt, func() { blk.input(v, sv, x, nb) }},
		{"inputT", 32 * nt, func() { blk.inputT(x, v, sv, nb) }},
		{"output", 64 * nt, func() { blk.output(gy, m, sm, nb, nil, false) }},
		{"grad", 64 * nt, func() { blk.grad(m, sm, gy, nb) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			cpu := processCPUTime()
			for b.Loop() {
				c.f()
			}
			if cpu >= 0 {
				b.ReportMetric((processCPUTime()-cpu)*1e9/float64(b.N*c.items), "cpu-ns/tile")
			}
		})
	}
}
