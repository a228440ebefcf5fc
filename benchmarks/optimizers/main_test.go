package main

import (
	"bytes"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/data"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/optim"
	"github.com/gograd/gograd/tensor"
)

func TestFamilyMapCoversRegistry(t *testing.T) {
	if u := unmapped(); len(u) > 0 {
		t.Errorf("registered optimizers without a family: %v (add them to families)", u)
	}
	names := optim.Names()
	for name, f := range families {
		if !slices.Contains(names, name) {
			t.Errorf("families lists %q, which optim does not register", name)
		}
		if f == familyOther || !slices.Contains(familyOrder, f) {
			t.Errorf("families[%q] = %q, not one of %v", name, f, familyOrder[:len(familyOrder)-1])
		}
	}
	if got := familyOf("no-such-optimizer"); got != familyOther {
		t.Errorf("familyOf(unknown) = %q, want %q", got, familyOther)
	}
}

func TestSortResults(t *testing.T) {
	rs := []result{
		{Name: "zz", Family: familyOther}, {Name: "sam", Family: familyWrappers}, {Name: "sgd", Family: familyFirstOrder},
		{Name: "dog", Family: familyStepSize}, {Name: "adam", Family: familyFirstOrder}, {Name: "shampoo", Family: familyCurvature},
	}
	sortResults(rs)
	var got []string
	for _, r := range rs {
		got = append(got, r.Name)
	}
	want := []string{"adam", "sgd", "shampoo", "dog", "sam", "zz"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestFormatTable(t *testing.T) {
	rs := []result{
		{Name: "adam", Family: familyFirstOrder, Epochs: 3, StepsPerEpoch: 469, Steps: 1407, TrainSeconds: 14.07,
			Tested: true, TestAcc: 0.9781, TestLoss: 0.07123, Params: 100, StateFloats: 200, Status: "ok"},
		{Name: "sophia-h", Family: familyCurvature, Epochs: 3, StepsPerEpoch: 469, Steps: 100, TrainSeconds: 2,
			Tested: true, TestAcc: 0.098, TestLoss: math.NaN(), Params: 100, StateFloats: 200, NeedsObj: true,
			Passes: passCounts{HVP: 10, Grad: 200}, Status: "diverged (NaN at step 100)"},
		{Name: "lazy-newton", Family: familyCurvature, Epochs: 3, StepsPerEpoch: 469, StateFloats: -1,
			Status: "error: optim: lazy-newton: d | x\ntoo big"},
		{Name: "slow", Family: familyOther, Epochs: 1, StepsPerEpoch: 469, Steps: 21, TrainSeconds: 21, Params: 100,
			StateFloats: 50, NeedsObj: true, Status: "skipped: too slow (est. 469 s/epoch)"},
	}
	want := tableHeader +
		"| first-order | adam | 3 | 97.81% | 0.0712 | 4.7 | 10.00 | 2.00 | no | ok |\n" +
		"| curvature | sophia-h | 0.21/3 | 9.80% | NaN | 9.4 | 20.00 | 2.00 | yes: grad 2, hvp 0.1 | diverged (NaN at step 100) |\n" +
		"| curvature | lazy-newton | – | – | – | – | – | – | – | error: optim: lazy-newton: d \\| x too big |\n" +
		"| other | slow | 0.04/1 | – | – | 469.0 | 1000.00 | 0.50 | yes | skipped: too slow (est. 469 s/epoch) |\n"
	if got := formatTable(rs); got != want {
		t.Errorf("formatTable:\n%s\nwant:\n%s", got, want)
	}
	for _, line := range strings.Split(strings.TrimSpace(want), "\n") {
		if n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"); n != 11 {
			t.Errorf("row %q has %d cell separators, want 11", line, n)
		}
	}
}

// tinyParams returns two parameters of 12 and 4 values with gradients set.
func tinyParams() []*autodiff.Var {
	w := autodiff.NewParam("w", tensor.Full(0.5, 3, 4))
	b := autodiff.NewParam("b", tensor.Full(-0.5, 4))
	for _, p := range []*autodiff.Var{w, b} {
		p.Grad = tensor.Full(0.25, p.Value.Shape()...)
	}
	return []*autodiff.Var{w, b}
}

func TestStateFloats(t *testing.T) {
	for _, c := range []struct {
		name string
		args map[string]string
		want int64 // floats of state for 16 parameter values
	}{
		{"adam", nil, 2 * 16}, // exp_avg, exp_avg_sq
		{"sgd", nil, 0},       // plain SGD keeps nothing
		{"sgd", map[string]string{"momentum": "0.9"}, 16},          // momentum buffer
		{"amsgrad", nil, 3 * 16},                                   // plus the maximum of v
		{"adamw", map[string]string{"weight_decay": "0.1"}, 32},    // decay adds no state
		{"lion", map[string]string{"beta1": "0.5"}, 16},            // one momentum
		{"adagrad", map[string]string{"lr": "0.5"}, 16},            // the accumulator
		{"rmsprop", map[string]string{"eps_in_sqrt": "false"}, 16}, // square average
	} {
		ps := tinyParams()
		o, err := optim.New(c.name, ps, 0, -1, c.args)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		o.Step()
		got, err := stateFloats(o)
		if err != nil {
			t.Fatalf("%s: stateFloats: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s %v: stateFloats = %d, want %d", c.name, c.args, got, c.want)
		}
		if pp := perParam(got, 16); pp != float64(c.want)/16 {
			t.Errorf("%s: perParam = %v, want %v", c.name, pp, float64(c.want)/16)
		}
	}
	if perParam(10, 0) != 0 {
		t.Error("perParam(10, 0) != 0")
	}
}

// TestCountingObjectiveHasEveryMethod keeps the wrapper complete: an
// optimizer that type-asserts an optional interface nn.FullObjective
// implements must find it on the wrapper too.
func TestCountingObjectiveHasEveryMethod(t *testing.T) {
	inner := reflect.TypeFor[*nn.FullObjective]()
	outer := reflect.TypeFor[*countingObjective]()
	for i := range inner.NumMethod() {
		m := inner.Method(i)
		if m.Name == "SetBatch" {
			continue
		}
		om, ok := outer.MethodByName(m.Name)
		if !ok {
			t.Errorf("countingObjective lacks %s of nn.FullObjective", m.Name)
			continue
		}
		// Compare signatures without the receiver.
		if a, b := m.Type, om.Type; a.NumIn() != b.NumIn() || a.NumOut() != b.NumOut() {
			t.Errorf("countingObjective.%s has type %v, nn.FullObjective's %v", m.Name, b, a)
		}
	}
}

// synthetic returns a data set of n 4×4 images in 3 classes, where the
// class sets the brightness of a row of pixels, and a loader over it.
func synthetic(t *testing.T, n, batch int) (*data.Dataset, *data.Loader) {
	t.Helper()
	d := &data.Dataset{Name: "synthetic", N: n, Rows: 4, Cols: 4, Classes: 3,
		Pixels: make([]uint8, n*16), Labels: make([]uint8, n)}
	for i := range n {
		c := i % 3
		d.Labels[i] = uint8(c)
		for j := range 16 {
			d.Pixels[i*16+j] = uint8((i*7 + j*13) % 40)
		}
		for j := range 4 {
			d.Pixels[i*16+c*4+j] = 250
		}
	}
	l, err := data.NewLoader(d, data.Config{BatchSize: batch, Shuffle: true, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	return d, l
}

func testWorkload(t *testing.T, n, batch int, limit float64) *workload {
	d, train := synthetic(t, n, batch)
	test, err := data.NewLoader(d, data.Config{BatchSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := data.NewLoader(d.Head(8), data.Config{BatchSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	return &workload{sizes: []int{16, 8, 3}, seed: 1, train: train, test: test, subset: sub,
		evalEvery: 2, limit: limit, target: 0.5, log: io.Discard}
}

func TestRunFewSteps(t *testing.T) {
	w := testWorkload(t, 48, 8, 0) // 6 steps an epoch
	r := w.run("adam", 2)
	if r.Steps != 12 || r.StepsPerEpoch != 6 || !r.Tested || r.Params != 16*8+8+8*3+3 {
		t.Fatalf("adam: %+v", r)
	}
	if r.StateFloats != int64(2*r.Params) {
		t.Errorf("adam: StateFloats %d, want %d", r.StateFloats, 2*r.Params)
	}
	if r.NeedsObj || r.Status == "" || strings.HasPrefix(r.Status, "error") {
		t.Errorf("adam: NeedsObj %v, status %q", r.NeedsObj, r.Status)
	}
	steps := []int{0, 2, 4, 6, 8, 10, 12}
	if len(r.Curve) != len(steps) {
		t.Fatalf("adam: curve %v, want steps %v", r.Curve, steps)
	}
	for i, p := range r.Curve {
		if p.Step != steps[i] || !finite(p.Loss) || p.Loss <= 0 {
			t.Errorf("adam: curve[%d] = %+v", i, p)
		}
	}
	// The same seed and batches give the same run.
	if r2 := w.run("adam", 2); r2.TestLoss != r.TestLoss || r2.Curve[6] != r.Curve[6] {
		t.Errorf("adam twice: test loss %v then %v", r.TestLoss, r2.TestLoss)
	}

	// An optimizer that needs the objective is stepped with it and counted.
	s := w.run("sam", 1)
	if !s.NeedsObj || s.Passes.Grad != s.Steps || s.Steps != 6 || !s.Tested {
		t.Errorf("sam: %+v", s)
	}

	// AI-SARAH asks for the full gradient at its first step (and at each
	// outer loop): the objective gives it, and the passes are counted.
	a := w.run("ai-sarah", 1)
	if !a.NeedsObj || a.Passes.Full < 1 || a.Passes.Full > a.Steps || a.Passes.Grad != 3*a.Steps || !a.Tested {
		t.Errorf("ai-sarah: %+v", a)
	}
	if got := objectiveCell(&a); !strings.Contains(got, "full grad ") {
		t.Errorf("ai-sarah objective cell %q has no full grad", got)
	}

	if e := w.run("no-such-optimizer", 1); !strings.HasPrefix(e.Status, "error: ") || e.Steps != 0 || e.Tested {
		t.Errorf("unknown optimizer: %+v", e)
	}
}

func TestTooSlow(t *testing.T) {
	w := &workload{limit: 100}
	sec := func(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }
	for _, c := range []struct {
		step, perEpoch int
		probe, epoch   float64
		want           string
	}{
		{21, 469, 4, 4.5, ""}, // est. 93.8 s
		{21, 469, 5, 5.5, "skipped: too slow (est. 117 s/epoch)"}, // est. 117.25 s
		{20, 469, 5, 5.5, ""}, // not yet probed
		{22, 469, 50, 50, ""}, // probed already
		{300, 469, 0, 201, "stopped: too slow (over 200 s in epoch 2)"}, // past 2·limit
		{21, 21, 500, 150, ""}, // epoch no longer than the probe
	} {
		if got := w.tooSlow(c.step, c.perEpoch, 1, sec(c.probe), sec(c.epoch)); got != c.want {
			t.Errorf("tooSlow(%+v) = %q, want %q", c, got, c.want)
		}
	}
	if got := (&workload{}).tooSlow(21, 469, 0, sec(1e6), sec(1e6)); got != "" {
		t.Errorf("no limit: %q", got)
	}
}

func TestRunStopsSlowMethod(t *testing.T) {
	w := testWorkload(t, 60, 2, 1e-9) // 30 steps an epoch, a limit no step meets
	r := w.run("adam", 3)
	if !strings.HasPrefix(r.Status, "stopped: too slow") || r.Steps != 1 || !r.Tested || r.StateFloats <= 0 {
		t.Errorf("status %q after %d steps, tested %v, state %d", r.Status, r.Steps, r.Tested, r.StateFloats)
	}
	if got := epochsCell(&r); got != "0.03/3" {
		t.Errorf("epochs cell %q, want 0.03/3", got)
	}
}

func TestSpliceReadme(t *testing.T) {
	readme := "# Title\n\ntext\n\n" + readmeBegin + "\nold\n" + readmeEnd + "\n\nafter\n"
	got := spliceReadme(readme, "new\n")
	want := "# Title\n\ntext\n\n" + readmeBegin + "\nnew\n" + readmeEnd + "\n\nafter\n"
	if got != want {
		t.Errorf("splice:\n%q\nwant\n%q", got, want)
	}
	if again := spliceReadme(got, "new\n"); again != got {
		t.Errorf("splice is not idempotent:\n%q", again)
	}
	if got := spliceReadme("# T", "b\n"); got != "# T\n\n"+readmeBegin+"\nb\n"+readmeEnd+"\n" {
		t.Errorf("append: %q", got)
	}
}

func TestParseFlags(t *testing.T) {
	c, err := parseFlags([]string{"-methods", "adam, sgd,adam", "-epochs-for", "sgd=1"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.methods, []string{"adam", "sgd"}) || c.epochsOf("sgd") != 1 || c.epochsOf("adam") != 3 {
		t.Errorf("methods %v, epochs sgd %d adam %d", c.methods, c.epochsOf("sgd"), c.epochsOf("adam"))
	}
	if c, err := parseFlags(nil, io.Discard); err != nil || !slices.Equal(c.methods, optim.Names()) || c.timeout != 120 || c.evalEvery != 100 {
		t.Errorf("defaults: %+v, %v", c, err)
	}
	for _, args := range [][]string{
		{"-methods", "adam,nope"}, {"-epochs", "0"}, {"-epochs-for", "adam=x"}, {"-epochs-for", "nope=1"},
		{"-eval-every", "0"}, {"-timeout-per-method", "-1"}, {"extra"},
		{"-args", "nope:lr=1"}, {"-args", "sgd:nope=1"}, {"-args", "sgd:lr"}, {"-args", "lr=1"},
		{"-args", "sgd:lr=1", "-args", "sgd:momentum=0.9"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

func TestParseFlagsArgs(t *testing.T) {
	c, err := parseFlags([]string{"-args", "sgd:lr=0.1, momentum=0.9", "-args", "sam:base=sgd,base_args=lr=0.05;momentum=0.9"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		"sgd": {"lr": "0.1", "momentum": "0.9"},
		"sam": {"base": "sgd", "base_args": "lr=0.05;momentum=0.9"},
	}
	if !reflect.DeepEqual(c.optArgs, want) {
		t.Errorf("optArgs %v, want %v", c.optArgs, want)
	}
	if got, want := argsText(c.optArgs), "sam (base=sgd, base_args=lr=0.05;momentum=0.9); sgd (lr=0.1, momentum=0.9)"; got != want {
		t.Errorf("argsText %q, want %q", got, want)
	}
	if got := argsText(nil); got != "" {
		t.Errorf("argsText(nil) = %q", got)
	}
}

func TestRunWithArgs(t *testing.T) {
	w := testWorkload(t, 48, 8, 0)
	def := w.run("sgd", 1)
	w.args = map[string]map[string]string{"sgd": {"lr": "0.1", "momentum": "0.9"}}
	tuned := w.run("sgd", 1)
	if tuned.StateFloats != int64(tuned.Params) || def.StateFloats != 0 {
		t.Errorf("state floats: default %d, with momentum %d (want 0 and %d)", def.StateFloats, tuned.StateFloats, tuned.Params)
	}
	if tuned.TestLoss == def.TestLoss {
		t.Errorf("-args had no effect: test loss %v both times", def.TestLoss)
	}
	w.args = map[string]map[string]string{"sgd": {"momentum": "x"}}
	if e := w.run("sgd", 1); !strings.HasPrefix(e.Status, "error: ") {
		t.Errorf("bad argument: status %q", e.Status)
	}
}

func TestPlotFamily(t *testing.T) {
	dir := t.TempDir()
	rs := []result{
		{Name: "a", Family: familyFirstOrder, Curve: []curvePoint{{0, 2.3}, {100, 0.5}, {200, 0.2}}},
		{Name: "b", Family: familyFirstOrder, Curve: []curvePoint{{0, 2.3}, {100, math.NaN()}, {200, 1e6}}},
		{Name: "c", Family: familyCurvature, Curve: []curvePoint{{0, 2.3}}},
	}
	path := filepath.Join(dir, "p.png")
	ok, err := plotFamily(rs, familyFirstOrder, "subset", path)
	if err != nil || !ok {
		t.Fatalf("plotFamily: %v, %v", ok, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds().Size(); s.X != 1100 || s.Y != 660 {
		t.Errorf("image %v, want 1100×660", s)
	}
	if ok, err := plotFamily(rs, familyCurvature, "subset", filepath.Join(dir, "q.png")); ok || err != nil {
		t.Errorf("a family with no curve of two points: %v, %v", ok, err)
	}
}

func TestLogTicks(t *testing.T) {
	var labels []string
	for _, tk := range (logTicks{}).Ticks(0.05, 2.5) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if want := []string{"0.05", "0.1", "0.2", "0.5", "1", "2"}; !slices.Equal(labels, want) {
		t.Errorf("labels %v, want %v", labels, want)
	}
}
