package nn

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/gograd/gograd/tensor"
)

func names(st []NamedParam) []string {
	var ns []string
	for _, p := range st {
		ns = append(ns, p.Name)
	}
	return ns
}

func TestMLPStructure(t *testing.T) {
	m := MLP([]int{784, 256, 256, 10}, tensor.NewRNG(1))
	if n := NumParams(m); n != 269322 {
		t.Errorf("NumParams = %d, want 269322", n)
	}
	want := []string{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}
	if got := names(m.State()); !slices.Equal(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
	shapes := [][]int{{256, 784}, {256}, {256, 256}, {256}, {10, 256}, {10}}
	for i, p := range m.State() {
		if !slices.Equal(p.Var.Value.Shape(), shapes[i]) {
			t.Errorf("%s shape %v, want %v", p.Name, p.Var.Value.Shape(), shapes[i])
		}
		if p.Var.Name != p.Name {
			t.Errorf("Var.Name %q, want the key %q", p.Var.Name, p.Name)
		}
		if !p.Var.RequiresGrad() || p.Buffer {
			t.Errorf("%s is not a trainable parameter", p.Name)
		}
	}
	y := forward(m, tensor.New(3, 784))
	if s := y.Shape(); s[0] != 3 || s[1] != 10 {
		t.Errorf("output shape %v, want [3 10]", s)
	}
}

func TestMNISTCNNStructure(t *testing.T) {
	m := MNISTCNN(tensor.NewRNG(1))
	if n := NumParams(m); n != 1199882 {
		t.Errorf("NumParams = %d, want 1199882", n)
	}
	want := []string{"0.weight", "0.bias", "2.weight", "2.bias", "6.weight", "6.bias", "8.weight", "8.bias"}
	if got := names(m.State()); !slices.Equal(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
	// The CNN takes the MLP's batch memory reshaped to NCHW.
	x := randT(tensor.NewRNG(2), 2, 784)
	y := forward(m, x.Reshape(2, 1, 28, 28))
	if s := y.Shape(); s[0] != 2 || s[1] != 10 {
		t.Errorf("output shape %v, want [2 10]", s)
	}
}

func TestInitBoundsAndDeterminism(t *testing.T) {
	check := func(name string, v *tensor.Tensor, fanIn int) {
		b := 1 / math.Sqrt(float64(fanIn))
		d := v.Data()
		lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
		for _, x := range d {
			lo, hi = math.Min(lo, float64(x)), math.Max(hi, float64(x))
			sum += float64(x)
		}
		if lo < -b || hi >= b {
			t.Errorf("%s: values in [%v, %v], want within [−%v, %v)", name, lo, hi, b, b)
		}
		// Large tensors must fill most of the range and be centred.
		if len(d) >= 1000 {
			if lo > -0.95*b || hi < 0.95*b {
				t.Errorf("%s: range [%v, %v] does not cover ±%v", name, lo, hi, b)
			}
			if mean := sum / float64(len(d)); math.Abs(mean) > 0.05*b {
				t.Errorf("%s: mean %v, want near 0 (bound %v)", name, mean, b)
			}
		}
	}
	m := MNISTCNN(tensor.NewRNG(7))
	fanIn := map[string]int{"0": 1 * 9, "2": 32 * 9, "6": 9216, "8": 128}
	for _, p := range m.State() {
		check(p.Name, p.Var.Value, fanIn[p.Name[:1]])
	}
	// Same seed, same weights; another seed, other weights.
	a, b := StateDict(MNISTCNN(tensor.NewRNG(7))), StateDict(m)
	c := StateDict(MNISTCNN(tensor.NewRNG(8)))
	for k, v := range a {
		if !slices.Equal(v.Data(), b[k].Data()) {
			t.Errorf("%s differs for the same seed", k)
		}
		if slices.Equal(v.Data(), c[k].Data()) {
			t.Errorf("%s equal for different seeds", k)
		}
	}
}

func TestTrainModePropagates(t *testing.T) {
	rng := tensor.NewRNG(1)
	drop := NewDropout(0.5, rng)
	bn := NewBatchNorm1d(4)
	inner := NewSequential(NewLinear(4, 4, rng), bn)
	m := NewSequential(inner, drop)
	if !drop.Training() || !bn.Training() {
		t.Fatal("new modules are not in training mode")
	}
	if was := m.Train(false); !was {
		t.Error("Train(false) reported previous mode eval")
	}
	if drop.Training() || bn.Training() || inner.Training() {
		t.Error("Train(false) did not reach nested layers")
	}
	if was := m.Train(true); was {
		t.Error("Train(true) reported previous mode training")
	}
	if !drop.Training() || !bn.Training() {
		t.Error("Train(true) did not reach nested layers")
	}
	want := []string{"0.0.weight", "0.0.bias", "0.1.weight", "0.1.bias", "0.1.running_mean", "0.1.running_var", "0.1.num_batches_tracked"}
	if got := names(m.State()); !slices.Equal(got, want) {
		t.Errorf("nested names %v, want %v", got, want)
	}
	if got := len(Parameters(m)); got != 4 {
		t.Errorf("%d trainable parameters, want 4 (buffers excluded)", got)
	}
	if got := names(NamedParameters(m)); !slices.Equal(got, want[:4]) {
		t.Errorf("NamedParameters %v, want %v", got, want[:4])
	}
}

func TestZeroGrad(t *testing.T) {
	m := MLP([]int{3, 2}, tensor.NewRNG(1))
	for _, p := range Parameters(m) {
		p.Grad = tensor.Full(1, p.Value.Shape()...)
	}
	ZeroGrad(m)
	for _, p := range Parameters(m) {
		for _, v := range p.Grad.Data() {
			if v != 0 {
				t.Fatalf("%s grad not cleared", p.Name)
			}
		}
	}
}

func TestStateDictDuplicatePanics(t *testing.T) {
	l := NewLinear(2, 2, tensor.NewRNG(1))
	defer func() {
		if r := recover(); r == nil || fmt.Sprint(r) != `nn: statedict: duplicate key "weight"` {
			t.Errorf("panic %v", r)
		}
	}()
	StateDict(dupModule{l})
}

// dupModule lists its layer's state twice.
type dupModule struct{ *Linear }

func (d dupModule) State() []NamedParam { return append(d.Linear.State(), d.Linear.State()...) }
