package fgrad

import (
	"math"
	"strings"
	"testing"

	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

var smallSizes = []int{12, 24, 16, 5}

// TestFGDirectionalDerivative checks the JVP itself: with one tangent the
// estimate is d·v, and d must equal ⟨∇L, v⟩ from backprop, on the
// tape-free MLP path and on the Tape.JVP path.
func TestFGDirectionalDerivative(t *testing.T) {
	for _, name := range []string{"mlp", "generic"} {
		t.Run(name, func(t *testing.T) {
			// 300 rows: three chunks on the MLP path.
			m, x, labels := testProblem(1, smallSizes, 300)
			var model nn.Module = m
			if name == "generic" {
				// A Tanh is not in the MLP view: the generic path runs.
				rng := tensor.NewRNG(5)
				model = nn.NewSequential(nn.NewLinear(12, 24, rng), nn.NewTanh(), nn.NewLinear(24, 5, rng))
			}
			f, err := NewFG(model, Config{Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			if (f.ls == nil) != (name == "generic") {
				t.Fatalf("path: ls = %v", f.ls != nil)
			}
			g := trueGrads(model, x, labels)
			lossFG := f.Estimate(x, labels)
			lossBP := NewBackprop(model).Estimate(x, labels)
			if math.Abs(float64(lossFG-lossBP)) > 1e-5*math.Abs(float64(lossBP)) {
				t.Errorf("loss %v, backprop %v", lossFG, lossBP)
			}
			var want float64
			for i := range f.params {
				v := make([]float32, f.params[i].Value.Size())
				FillNormal(v, f.key(i, 0))
				want += dot64(v, g[i].Data())
			}
			if math.Abs(f.d[0]-want) > 1e-4*math.Abs(want)+1e-6 {
				t.Errorf("d = %v, ⟨∇L, v⟩ = %v", f.d[0], want)
			}
		})
	}
}

// TestFGConverges checks unbiasedness: the mean of many forward-gradient
// estimates tends to the backprop gradient (cosine → 1), faster with
// more or orthogonal tangents.
func TestFGConverges(t *testing.T) {
	m, x, labels := testProblem(2, smallSizes, 32)
	g := trueGrads(m, x, labels)
	p := nn.NumParams(m)
	for _, c := range []struct {
		cfg     Config
		samples int
	}{
		{Config{Seed: 1}, 20},
		{Config{Seed: 1}, 4000},
		{Config{Seed: 1, Tangents: 4}, 1000},
		{Config{Seed: 1, Tangents: 4, Orthogonal: true}, 1000},
	} {
		f, err := NewFG(m, c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		cos := Cosine(averageEstimates(m, f, x, labels, c.samples), g)
		// The mean of M·K Gaussian estimates has cosine about
		// 1/√(1 + P/(M·K)) to the gradient.
		n := float64(c.samples * c.cfg.tangents())
		want := 1 / math.Sqrt(1+float64(p)/n)
		t.Logf("K=%d orth=%v M=%d: cosine %.4f (expected about %.4f, P=%d)", c.cfg.tangents(), c.cfg.Orthogonal, c.samples, cos, want, p)
		if cos < want-0.1 || (n >= 4000 && cos < 0.9) {
			t.Errorf("K=%d orth=%v M=%d: cosine %.4f, want about %.4f", c.cfg.tangents(), c.cfg.Orthogonal, c.samples, cos, want)
		}
	}
}

// TestActivityConverges checks fg-activity: its τ are exact directional
// derivatives of the loss along the injected tangents, and the mean of
// many estimates tends to the gradient.
func TestActivityConverges(t *testing.T) {
	m, x, labels := testProblem(3, smallSizes, 32)
	g := trueGrads(m, x, labels)
	deltas := trueDeltas(t, m, x, labels)
	a, err := NewActivity(m, Config{Seed: 4, Tangents: 2})
	if err != nil {
		t.Fatal(err)
	}
	a.Estimate(x, labels)
	n := len(labels)
	for l, d := range a.pass.ls {
		u := make([]float32, n*d.out)
		for k := range a.k {
			FillNormal(u, a.key(l, k))
			for r := range n {
				want := dot64(deltas[l][r*d.out:(r+1)*d.out], u[r*d.out:(r+1)*d.out])
				got := float64(a.pass.tau[(a.pass.first[l]+k)*n+r])
				if math.Abs(got-want) > 1e-4*math.Abs(want)+1e-7 {
					t.Fatalf("layer %d tangent %d sample %d: τ = %v, want %v", l, k, r, got, want)
				}
			}
		}
	}
	cos1 := Cosine(averageEstimates(m, a, x, labels, 1), g)
	cosM := Cosine(averageEstimates(m, a, x, labels, 2000), g)
	t.Logf("cosine: one estimate %.4f, mean of 2000 %.4f", cos1, cosM)
	if cosM < 0.97 || cosM <= cos1 {
		t.Errorf("cosine of the mean of 2000 estimates %.4f (one: %.4f), want > 0.97", cosM, cos1)
	}
}

// TestLocalExactGuess checks that fg-local returns the true gradient when
// its guess is the true gradient of the loss with respect to each
// pre-activation.
func TestLocalExactGuess(t *testing.T) {
	m, x, labels := testProblem(4, smallSizes, 32)
	g := trueGrads(m, x, labels)
	deltas := trueDeltas(t, m, x, labels)
	lo, err := NewLocal(m, Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	lo.guess = func(l int, dst []float32) { copy(dst, deltas[l]) }
	lo.Estimate(x, labels)
	if d := maxRelDiff(grads(m), g); d > 1e-4 {
		t.Errorf("estimate differs from the gradient by %.3g (relative)", d)
	}
	// With the heads' guesses the estimate is no longer exact but still
	// a descent direction, and the heads get their own gradients.
	lo.guess = nil
	lo.Estimate(x, labels)
	if c := Cosine(grads(m), g); c <= 0 || c > 0.9999 {
		t.Errorf("local-guess cosine %.4f, want in (0, 1)", c)
	}
	for _, p := range lo.AuxParams() {
		if p.Grad == nil || dot64(p.Grad.Data(), p.Grad.Data()) == 0 {
			t.Errorf("head %s has no gradient", p.Name)
		}
	}
}

// TestDFAAlignment trains a small MLP with DFA and plain SGD and checks
// that the DFA update of every hidden layer comes within 90° of the true
// gradient (alignment), while the output layer's update is exact.
func TestDFAAlignment(t *testing.T) {
	m, _, _ := testProblem(5, []int{20, 64, 64, 5}, 1)
	d, err := NewDFA(m, Config{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	params := nn.Parameters(m)
	angle := func(x *tensor.Tensor, labels []int32) []float64 {
		d.Estimate(x, labels)
		est := grads(m)
		g := trueGrads(m, x, labels)
		var deg []float64
		for i := 0; i < len(est); i += 2 {
			c := Cosine(est[i:i+2], g[i:i+2])
			deg = append(deg, math.Acos(math.Max(-1, math.Min(1, c)))*180/math.Pi)
		}
		return deg
	}
	xe, le := teacherBatch(1000, 20, 5, 256)
	before := angle(xe, le)
	for step := range 400 {
		x, labels := teacherBatch(uint64(step), 20, 5, 32)
		d.Estimate(x, labels)
		for _, p := range params {
			for j, g := range p.Grad.Data() {
				p.Value.Data()[j] -= 0.05 * g
			}
		}
	}
	after := angle(xe, le)
	t.Logf("angle to the gradient per layer (degrees): before %.1f, after 400 steps %.1f", before, after)
	if after[2] > 0.1 {
		t.Errorf("output layer: angle %.4f°, want 0", after[2])
	}
	for l := range 2 {
		if !(after[l] < 90) {
			t.Errorf("hidden layer %d: angle %.1f° after training, want < 90°", l, after[l])
		}
	}
}

// TestForwardRecordsNothing checks that forward mode keeps no tape: the
// generic path's tape records no op, and the MLP estimators allocate
// nothing per step (no tape, no tangent storage).
func TestForwardRecordsNothing(t *testing.T) {
	rng := tensor.NewRNG(5)
	model := nn.NewSequential(nn.NewLinear(12, 24, rng), nn.NewTanh(), nn.NewLinear(24, 5, rng))
	x, labels := teacherBatch(1, 12, 5, 16)
	f, err := NewFG(model, Config{Tangents: 2})
	if err != nil {
		t.Fatal(err)
	}
	f.Estimate(x, labels)
	if n := f.tape.Len(); n != 0 {
		t.Errorf("generic fg: tape recorded %d ops: %v", n, f.tape.Ops())
	}
	for _, p := range f.params {
		if p.Tangent != nil {
			t.Errorf("tangent left on %s", p.Name)
		}
	}

	m, x, labels := testProblem(6, smallSizes, 16)
	for _, name := range []string{"fg", "fg-activity", "fg-local", "dfa"} {
		for _, k := range []int{1, 3} {
			e, err := New(name, m, Config{Tangents: k})
			if err != nil {
				t.Fatal(err)
			}
			e.Estimate(x, labels)
			if raceEnabled {
				continue
			}
			if a := testing.AllocsPerRun(5, func() { e.Estimate(x, labels) }); a != 0 {
				t.Errorf("%s K=%d: %v allocations per step, want 0", name, k, a)
			}
		}
	}
}

// TestDeterministic checks that a seed fixes the estimates and that the
// tangents change from step to step.
func TestDeterministic(t *testing.T) {
	for _, name := range []string{"fg", "fg-activity", "fg-local", "dfa"} {
		run := func() ([]*tensor.Tensor, []*tensor.Tensor) {
			m, x, labels := testProblem(7, smallSizes, 16)
			e, err := New(name, m, Config{Seed: 9, Tangents: 2})
			if err != nil {
				t.Fatal(err)
			}
			e.Estimate(x, labels)
			g1 := grads(m)
			e.Estimate(x, labels)
			return g1, grads(m)
		}
		a1, a2 := run()
		b1, _ := run()
		if maxRelDiff(a1, b1) != 0 {
			t.Errorf("%s: two runs with the same seed differ", name)
		}
		random := strings.HasPrefix(name, "fg") && name != "fg-local"
		if same := maxRelDiff(a1, a2) == 0; same == random {
			t.Errorf("%s: steps 1 and 2 on the same batch equal: %v", name, same)
		}
	}
}

// TestNewErrors checks the errors for unknown names and unsupported
// models, and the shape panic.
func TestNewErrors(t *testing.T) {
	m, _, labels := testProblem(8, smallSizes, 4)
	if _, err := New("bp", m, Config{}); err == nil || !strings.Contains(err.Error(), "fgrad: new: unknown estimator") {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := New("fg", m, Config{Tangents: -1}); err == nil {
		t.Error("negative tangents: no error")
	}
	cnn := nn.MNISTCNN(tensor.NewRNG(1))
	for _, name := range []string{"fg-activity", "fg-local", "dfa"} {
		if _, err := New(name, cnn, Config{}); err == nil || !strings.Contains(err.Error(), "layer 0 is a *nn.Conv2d") {
			t.Errorf("%s on a CNN: %v", name, err)
		}
	}
	for _, name := range []string{"backprop", "fg"} {
		if _, err := New(name, cnn, Config{}); err != nil {
			t.Errorf("%s on a CNN: %v", name, err)
		}
	}
	e, _ := New("dfa", m, Config{})
	defer func() {
		if _, ok := recover().(*tensor.ShapeError); !ok {
			t.Error("wrong input width: no *tensor.ShapeError panic")
		}
	}()
	e.Estimate(tensor.New(4, 11), labels)
}
