package autodiff

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/gograd/gograd/tensor"
)

// testMLP is a multilayer perceptron for the tape, HVP and benchmark
// tests: layers h·W + b with an activation between them, its parameters
// W1, b1, W2, b2, ... as NewParam leaves.
type testMLP struct {
	params []*Var
	act    func(*Var) *Var
}

// newTestMLP returns an MLP with layer widths sizes[0] → … → sizes[n-1],
// weights N(0, 1/fan-in) and biases N(0, 0.1²).
func newTestMLP(rng *rand.Rand, act func(*Var) *Var, sizes ...int) *testMLP {
	m := &testMLP{act: act}
	for i := 0; i+1 < len(sizes); i++ {
		in, out := sizes[i], sizes[i+1]
		w := tensor.RandN(rng, float32(1/math.Sqrt(float64(in))), in, out)
		b := tensor.RandN(rng, 0.1, out)
		m.params = append(m.params, NewParam(fmt.Sprint("W", i+1), w), NewParam(fmt.Sprint("b", i+1), b))
	}
	return m
}

// forward returns the logits for the batch x.
func (m *testMLP) forward(x *Var) *Var {
	h := x
	for i := 0; i < len(m.params); i += 2 {
		h = Add(MatMul(h, m.params[i], false, false), m.params[i+1])
		if i+2 < len(m.params) {
			h = m.act(h)
		}
	}
	return h
}

// loss returns the mean cross-entropy of the MLP on (x, labels) as a Func.
func (m *testMLP) loss(x *tensor.Tensor, labels []int32) Func {
	return func(t *Tape) *Var { return CrossEntropy(m.forward(t.Input(x)), labels) }
}

func (m *testMLP) zeroGrad() {
	for _, p := range m.params {
		p.ZeroGrad()
	}
}

// testBatch returns n standard normal samples of dimension in and labels
// uniform in [0, classes).
func testBatch(rng *rand.Rand, n, in, classes int) (*tensor.Tensor, []int32) {
	x := tensor.RandN(rng, 1, n, in)
	labels := make([]int32, n)
	for i := range labels {
		labels[i] = int32(rng.IntN(classes))
	}
	return x, labels
}

// randLike returns N(0, 1) tensors shaped like the params' values.
func randLike(rng *rand.Rand, params []*Var) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(params))
	for i, p := range params {
		out[i] = tensor.RandN(rng, 1, p.Shape()...)
	}
	return out
}

func cloneGrads(params []*Var) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(params))
	for i, p := range params {
		out[i] = p.Grad.Clone()
	}
	return out
}

func bitsEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// mustPanic runs f and returns what it panicked with; it fails the test
// if f returns normally.
func mustPanic(t *testing.T, what string, f func()) (r any) {
	t.Helper()
	defer func() { r = recover() }()
	f()
	t.Fatalf("%s: did not panic", what)
	return nil
}

// TestFanOutAccumulates uses x three times, once through a bound Var and
// once as a raw leaf: the cotangents of all uses must add up.
func TestFanOutAccumulates(t *testing.T) {
	xs := []float32{-1.5, -0.25, 0.5, 2}
	want := func(x float32) float32 { return 2*x + 1 } // d/dx Σ (x² + x)

	t.Run("bound", func(t *testing.T) {
		x := NewParam("x", tensor.FromSlice(append([]float32(nil), xs...), 4))
		tp := NewTape()
		xb := tp.Bind(x)
		tp.Backward(Sum(Add(Mul(xb, xb), xb)))
		for i, g := range x.Grad.Data() {
			if g != want(xs[i]) {
				t.Errorf("grad[%d] = %v, want %v", i, g, want(xs[i]))
			}
		}
	})
	t.Run("leaf", func(t *testing.T) {
		x := NewParam("x", tensor.FromSlice(append([]float32(nil), xs...), 4))
		tp := NewTape()
		one := tp.Input(tensor.Full(1, 4))
		y := Add(Mul(Mul(one, x), x), x) // x² + x with x a raw leaf, 3 uses
		tp.Backward(Sum(y))
		for i, g := range x.Grad.Data() {
			if g != want(xs[i]) {
				t.Errorf("grad[%d] = %v, want %v", i, g, want(xs[i]))
			}
		}
	})
	t.Run("intermediate", func(t *testing.T) {
		// y = tanh(x) used three times: d/dx (y·y + y) = (2y + 1)(1 − y²).
		x := NewParam("x", tensor.FromSlice(append([]float32(nil), xs...), 4))
		tp := NewTape()
		y := Tanh(tp.Bind(x))
		tp.Backward(Sum(Add(Mul(y, y), y)))
		for i, g := range x.Grad.Data() {
			yy := math.Tanh(float64(xs[i]))
			w := (2*yy + 1) * (1 - yy*yy)
			if math.Abs(float64(g)-w) > 1e-6*(1+math.Abs(w)) {
				t.Errorf("grad[%d] = %v, want %v", i, g, w)
			}
		}
	})
}

// TestBackwardAddsToGrad: a second backward pass doubles Grad, ZeroGrad
// clears it in place, and Grad (the function) leaves Grad alone.
func TestBackwardAddsToGrad(t *testing.T) {
	rng := tensor.NewRNG(1)
	m := newTestMLP(rng, Tanh, 5, 7, 3)
	x, labels := testBatch(rng, 6, 5, 3)
	tp := NewTape()
	step := func() {
		tp.Backward(m.loss(x, labels)(tp))
		tp.Reset()
	}
	step()
	g1 := cloneGrads(m.params)
	mem := make([]*float32, len(m.params))
	for i, p := range m.params {
		mem[i] = &p.Grad.Data()[0]
	}
	step()
	for i, p := range m.params {
		for k, v := range p.Grad.Data() {
			if w := 2 * g1[i].Data()[k]; v != w {
				t.Fatalf("%s[%d] after two passes = %v, want 2·%v = %v", p.Name, k, v, g1[i].Data()[k], w)
			}
		}
	}
	m.zeroGrad()
	for i, p := range m.params {
		if &p.Grad.Data()[0] != mem[i] {
			t.Errorf("%s: ZeroGrad replaced the gradient's memory", p.Name)
		}
		for k, v := range p.Grad.Data() {
			if v != 0 {
				t.Fatalf("%s[%d] = %v after ZeroGrad", p.Name, k, v)
			}
		}
	}
	step()
	for i, p := range m.params {
		if !bitsEqual(p.Grad.Data(), g1[i].Data()) {
			t.Errorf("%s: gradient after ZeroGrad and one pass differs from the first pass", p.Name)
		}
	}

	before := cloneGrads(m.params)
	_, grads := Grad(m.loss(x, labels), m.params)
	for i, p := range m.params {
		if !bitsEqual(p.Grad.Data(), before[i].Data()) {
			t.Errorf("%s: autodiff.Grad changed the param's Grad", p.Name)
		}
		if !bitsEqual(grads[i].Data(), g1[i].Data()) {
			t.Errorf("%s: autodiff.Grad differs from Tape.Backward", p.Name)
		}
	}
}

// TestBackwardDeterministic: the same step gives the same bits on a fresh
// tape, on a reused tape, and through Grad and HVP.
func TestBackwardDeterministic(t *testing.T) {
	rng := tensor.NewRNG(2)
	m := newTestMLP(rng, GELU, 12, 16, 16, 4)
	x, labels := testBatch(rng, 32, 12, 4)
	v := randLike(rng, m.params)

	run := func(tp *Tape) (float32, []*tensor.Tensor) {
		m.zeroGrad()
		loss := m.loss(x, labels)(tp)
		l := loss.Item()
		tp.Backward(loss)
		tp.Reset()
		return l, cloneGrads(m.params)
	}
	l0, g0 := run(NewTape())
	_, hv0 := HVP(m.loss(x, labels), m.params, v)
	reused := NewTape()
	for r := 0; r < 5; r++ {
		for name, tp := range map[string]*Tape{"fresh": NewTape(), "reused": reused} {
			l, g := run(tp)
			if math.Float32bits(l) != math.Float32bits(l0) {
				t.Errorf("run %d (%s tape): loss %v, first run %v", r, name, l, l0)
			}
			for i := range g {
				if !bitsEqual(g[i].Data(), g0[i].Data()) {
					t.Errorf("run %d (%s tape): gradient of %s differs from the first run", r, name, m.params[i].Name)
				}
			}
		}
		_, hv := HVP(m.loss(x, labels), m.params, v)
		for i := range hv {
			if !bitsEqual(hv[i].Data(), hv0[i].Data()) {
				t.Errorf("run %d: HVP of %s differs from the first run", r, m.params[i].Name)
			}
		}
	}
}

// stepCost returns the heap allocations and bytes per training step
// (forward, CrossEntropy, Backward, Reset) of m on a batch of n, after
// warm-up steps. While measuring, the garbage collector is off and
// GOMAXPROCS is 1, so that the sync.Pool of asm.Sgemm's packing buffers
// always hits: a GC empties it, and a goroutine that moves to another P
// misses its per-P cache and allocates buffers sized by the batch.
func stepCost(m *testMLP, n int) (allocs float64, bytes uint64) {
	rng := tensor.NewRNG(uint64(n))
	x, labels := testBatch(rng, n, m.params[0].Shape()[0], m.params[len(m.params)-1].Shape()[0])
	tp := NewTape()
	step := func() {
		tp.Backward(CrossEntropy(m.forward(tp.Input(x)), labels))
		tp.Reset()
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	step()
	step()
	const runs = 50
	allocs = testing.AllocsPerRun(runs, step)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		step()
	}
	runtime.ReadMemStats(&after)
	return allocs, (after.TotalAlloc - before.TotalAlloc) / runs
}

// TestResetReusesMemory: after warm-up, a training step allocates the
// same small number of objects and bytes at batch 8 and batch 512: the
// arena recycles every activation and gradient. Only per-op bookkeeping
// (op structs, views, index scratch) is allocated. The layer widths keep
// every product below asm.Sgemm's threading threshold, so that goroutine
// start-up does not enter the count.
func TestResetReusesMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation measurement")
	}
	if raceEnabled() {
		// sync.Pool drops a random quarter of its Puts under the race
		// detector, so asm.Sgemm reallocates packing buffers at random.
		// TestResetRecyclesBuffers still checks the arena.
		t.Skip("allocation counts are not stable under -race")
	}
	m := newTestMLP(tensor.NewRNG(3), ReLU, 16, 32, 10)
	a8, b8 := stepCost(m, 8)
	a512, b512 := stepCost(m, 512)
	t.Logf("per step: batch 8: %v allocs, %d B; batch 512: %v allocs, %d B", a8, b8, a512, b512)
	if a8 != a512 {
		t.Errorf("allocations per step depend on the batch: %v at 8, %v at 512", a8, a512)
	}
	// A batch-dependent buffer would be at least 512·10·4 bytes.
	if b512 > b8+256 {
		t.Errorf("bytes per step grow with the batch: %d at 8, %d at 512", b8, b512)
	}
	// The step runs 6 ops forward and 7 backward; the op structs,
	// broadcast shapes and index scratch cost 23 objects and 376 bytes
	// (go1.26, amd64). The bounds leave room for bookkeeping, not for
	// activations.
	if a512 > 48 {
		t.Errorf("%v allocations per step, want at most 48", a512)
	}
	if b512 > 2<<10 {
		t.Errorf("%d bytes per step, want at most 2 KiB", b512)
	}
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// TestResetRecyclesBuffers: the arena hands out the same buffers, in the
// same order, on every step of a fixed-shape computation.
func TestResetRecyclesBuffers(t *testing.T) {
	rng := tensor.NewRNG(4)
	m := newTestMLP(rng, Tanh, 5, 7, 3)
	x, labels := testBatch(rng, 6, 5, 3)
	tp := NewTape()
	var first []*float32
	for step := 0; step < 3; step++ {
		loss := m.loss(x, labels)(tp)
		tp.Backward(loss)
		if step == 0 {
			for _, b := range tp.bufs[:tp.nbuf] {
				first = append(first, &b.Data()[:1][0])
			}
		} else {
			if tp.nbuf != len(first) || len(tp.bufs) != len(first) {
				t.Fatalf("step %d used %d buffers (%d in the arena), step 0 used %d", step, tp.nbuf, len(tp.bufs), len(first))
			}
			for i, b := range tp.bufs[:tp.nbuf] {
				if &b.Data()[:1][0] != first[i] {
					t.Errorf("step %d: buffer %d is new memory", step, i)
				}
			}
		}
		tp.Reset()
		if tp.Len() != 0 {
			t.Fatalf("Len after Reset = %d", tp.Len())
		}
	}
}

// TestJVPRecordsNothing: forward mode leaves the tape empty, restores its
// recording flag, and its directional derivative is ⟨∇f, v⟩.
func TestJVPRecordsNothing(t *testing.T) {
	rng := tensor.NewRNG(5)
	m := newTestMLP(rng, GELU, 5, 7, 3)
	x, labels := testBatch(rng, 8, 5, 3)
	v := randLike(rng, m.params)
	f := m.loss(x, labels)

	tp := NewTape()
	val, tan := tp.JVP(f, m.params, v)
	if tp.Len() != 0 {
		t.Errorf("JVP recorded %d ops: %v", tp.Len(), tp.Ops())
	}
	if !tp.Recording() {
		t.Error("JVP left the tape not recording")
	}
	for _, p := range m.params {
		if p.Tangent != nil {
			t.Errorf("JVP left a tangent on %s", p.Name)
		}
	}
	loss, grads := Grad(f, m.params)
	if val.Item() != loss {
		t.Errorf("JVP value %v, Grad value %v", val.Item(), loss)
	}
	var want float64
	for i := range grads {
		want += dot64(grads[i].Data(), v[i].Data())
	}
	got := float64(tan.Item())
	if math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
		t.Errorf("JVP = %.8g, ⟨∇f, v⟩ = %.8g", got, want)
	}
	val2, tan2 := JVP(f, m.params, v)
	if val2.Item() != val.Item() || tan2.Item() != tan.Item() {
		t.Errorf("autodiff.JVP = (%v, %v), Tape.JVP = (%v, %v)", val2.Item(), tan2.Item(), val.Item(), tan.Item())
	}

	// On a tape that is not recording, JVP keeps it that way.
	tp.Reset()
	tp.SetRecording(false)
	tp.JVP(f, m.params, v)
	if tp.Recording() || tp.Len() != 0 {
		t.Errorf("JVP on a non-recording tape: recording %v, %d ops", tp.Recording(), tp.Len())
	}
}

func TestSetRequiresGrad(t *testing.T) {
	w := NewParam("w", tensor.FromSlice([]float32{1, -2, 3}, 3))
	c := Const(tensor.FromSlice([]float32{4, 5, 6}, 3))
	if !w.RequiresGrad() || c.RequiresGrad() {
		t.Fatalf("RequiresGrad: param %v, const %v", w.RequiresGrad(), c.RequiresGrad())
	}
	xdata := tensor.FromSlice([]float32{0.5, 1, 1.5, 2, 2.5, 3}, 2, 3)

	t.Run("param off", func(t *testing.T) {
		w.SetRequiresGrad(false)
		defer w.SetRequiresGrad(true)
		tp := NewTape()
		loss := Sum(Mul(tp.Input(xdata), w))
		if tp.Len() != 0 {
			t.Errorf("ops recorded with no parameter: %v", tp.Ops())
		}
		tp.Backward(loss)
		if w.Grad != nil {
			t.Errorf("w got a gradient with RequiresGrad false: %v", w.Grad.Data())
		}
	})
	t.Run("input on", func(t *testing.T) {
		tp := NewTape()
		x := tp.Input(xdata)
		if x.RequiresGrad() {
			t.Fatal("an input requires grad")
		}
		x.SetRequiresGrad(true)
		tp.Backward(Sum(Mul(x, w)))
		want := []float32{1, -2, 3, 1, -2, 3}
		if x.Grad == nil || !bitsEqual(x.Grad.Data(), want) {
			t.Errorf("input gradient = %v, want %v", x.Grad, want)
		}
		if w.Grad == nil || !bitsEqual(w.Grad.Data(), []float32{2.5, 3.5, 4.5}) {
			t.Errorf("w gradient = %v, want [2.5 3.5 4.5]", w.Grad)
		}
		w.Grad = nil
	})
	t.Run("const on", func(t *testing.T) {
		k := Const(tensor.FromSlice([]float32{1, 2, 3}, 3))
		k.SetRequiresGrad(true)
		tp := NewTape()
		tp.Backward(Sum(Mul(tp.Input(xdata), k)))
		if k.Grad == nil || !bitsEqual(k.Grad.Data(), []float32{2.5, 3.5, 4.5}) {
			t.Errorf("const made a parameter: gradient %v, want [2.5 3.5 4.5]", k.Grad)
		}
	})
	t.Run("op output panics", func(t *testing.T) {
		tp := NewTape()
		y := Mul(tp.Input(xdata), w)
		r := mustPanic(t, "SetRequiresGrad on an op output", func() { y.SetRequiresGrad(false) })
		if s, ok := r.(string); !ok || !strings.HasPrefix(s, "autodiff: setrequiresgrad:") {
			t.Errorf("panic %v, want a message starting with \"autodiff: setrequiresgrad:\"", r)
		}
	})
}

func TestMixingTapesPanics(t *testing.T) {
	t1, t2 := NewTape(), NewTape()
	a := t1.Input(tensor.Full(1, 2, 2))
	b := t2.Input(tensor.Full(2, 2, 2))
	r := mustPanic(t, "Add of two tapes", func() { Add(a, b) })
	if s, ok := r.(string); !ok || !strings.Contains(s, "autodiff: add:") || !strings.Contains(s, "different tapes") {
		t.Errorf("panic %v, want \"autodiff: add: inputs come from different tapes\"", r)
	}
	w := NewParam("w", tensor.Full(1, 2, 2))
	loss := Sum(Mul(a, w))
	r = mustPanic(t, "Backward on another tape's loss", func() { t2.Backward(loss) })
	if s, ok := r.(string); !ok || !strings.HasPrefix(s, "autodiff: backward:") {
		t.Errorf("panic %v, want a message starting with \"autodiff: backward:\"", r)
	}
}

func TestBackwardNonScalarPanics(t *testing.T) {
	tp := NewTape()
	w := NewParam("w", tensor.Full(1, 3))
	y := Mul(tp.Input(tensor.Full(2, 4, 3)), w)
	r := mustPanic(t, "Backward on [4 3]", func() { tp.Backward(y) })
	s, ok := r.(string)
	if !ok || !strings.HasPrefix(s, "autodiff: backward:") || !strings.Contains(s, "[4 3]") {
		t.Errorf("panic %v, want \"autodiff: backward: ...\" naming shape [4 3]", r)
	}
	if w.Grad != nil {
		t.Error("a failed Backward wrote a gradient")
	}
}

// TestShapeErrorsNameTheOp: every shape mistake panics with a
// *tensor.ShapeError whose Op and message name the op.
func TestShapeErrorsNameTheOp(t *testing.T) {
	tp := NewTape()
	in := func(shape ...int) *Var { return tp.Input(tensor.New(shape...)) }
	p := NewParam("p", tensor.New(2, 3))
	cases := []struct {
		op string
		f  func()
	}{
		{"add", func() { Add(in(2, 3), in(4, 5)) }},
		{"mul", func() { Mul(in(3), in(4)) }},
		{"matmul", func() { MatMul(in(2, 3), in(2, 3), false, false) }},
		{"matmul", func() { MatMul(in(2, 3), in(4, 3), true, true) }},
		{"sumto", func() { SumTo(in(2, 3), []int{4}) }},
		{"broadcastto", func() { BroadcastTo(in(2, 3), []int{4, 3}) }},
		{"crossentropy", func() { CrossEntropy(in(4, 3), []int32{0, 1, 2}) }},
		{"sum", func() { Sum(in(2, 3), 2) }},
		{"reshape", func() { Reshape(in(2, 3), 4, 2) }},
		{"jvp", func() { tp.JVP(func(t *Tape) *Var { return t.Bind(p) }, []*Var{p}, []*tensor.Tensor{tensor.New(3, 2)}) }},
		{"hvp", func() { HVP(func(t *Tape) *Var { return Sum(t.Bind(p)) }, []*Var{p}, []*tensor.Tensor{tensor.New(6)}) }},
	}
	for _, c := range cases {
		r := mustPanic(t, c.op, c.f)
		err, ok := r.(error)
		var se *tensor.ShapeError
		if !ok || !errors.As(err, &se) {
			t.Errorf("%s: panic %v (%T), want a *tensor.ShapeError", c.op, r, r)
			continue
		}
		if se.Op != c.op || !strings.HasPrefix(se.Error(), "tensor: "+c.op+":") {
			t.Errorf("%s: ShapeError{Op: %q}: %v", c.op, se.Op, se)
		}
	}
	if p.Tangent != nil {
		t.Error("a failed HVP left a tangent on its parameter")
	}
}

// TestTapelessResultAcrossResets: a result of ops on parameters alone
// (here a reshaped, scaled weight), made once and used on every step,
// passes gradients on every step, not only on the first one.
func TestTapelessResultAcrossResets(t *testing.T) {
	w := NewParam("w", tensor.Full(1, 6))
	w2 := Scale(Reshape(w, 2, 3), 2)
	x := tensor.FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	want := []float32{8, 8, 8, 12, 12, 12} // 2·(column sums of x), repeated
	tp := NewTape()
	for step := 0; step < 3; step++ {
		w.ZeroGrad()
		tp.Backward(Sum(MatMul(tp.Input(x), w2, false, false)))
		if w.Grad == nil || !bitsEqual(w.Grad.Data(), want) {
			t.Fatalf("step %d: gradient %v, want %v", step, w.Grad, want)
		}
		tp.Reset()
	}
	// After Reset the result is free of the tape again: another tape may
	// use it.
	other := NewTape()
	w.ZeroGrad()
	other.Backward(Sum(MatMul(other.Input(x), w2, false, false)))
	if !bitsEqual(w.Grad.Data(), want) {
		t.Errorf("on a second tape: gradient %v, want %v", w.Grad.Data(), want)
	}
}
