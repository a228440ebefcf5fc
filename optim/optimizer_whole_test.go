package optim

import (
	"slices"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// shiftObjective's gradient is the parameters' values plus one; it counts
// its Gradient calls.
type shiftObjective struct {
	ps    []*autodiff.Var
	calls int
}

func (o *shiftObjective) Params() []*autodiff.Var { return o.ps }
func (o *shiftObjective) Loss() float32           { return 0 }
func (o *shiftObjective) HVP([]*tensor.Tensor) []*tensor.Tensor {
	panic("shiftObjective: no HVP")
}
func (o *shiftObjective) Gradient() float32 {
	o.calls++
	for _, p := range o.ps {
		for i, v := range p.Value.Data() {
			p.Grad.Data()[i] = v + 1
		}
	}
	return 0
}

// wholeSeen is what a test whole kernel saw of one call.
type wholeSeen struct {
	name                 string
	shape                []int
	index, step, maxStep int
	lr, wd               float32
	g                    []float32
	obj                  bool
}

// TestWholeFusedArgs checks the context newWholeFused's kernel gets:
// shape, index (counting parameters without a gradient), the parameter's
// own step count, the largest step count of the call and the group's
// hyperparameters; StepWith runs the chain instead (the kernel takes no
// objective).
func TestWholeFusedArgs(t *testing.T) {
	a := autodiff.NewParam("a", tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3))
	b := autodiff.NewParam("b", tensor.FromSlice([]float32{7, 8}, 2))
	a.Grad = tensor.FromSlice([]float32{1, 1, 1, 1, 1, 1}, 2, 3)
	var seen []wholeSeen
	k := func(x *fusedArgs) {
		seen = append(seen, wholeSeen{x.Name, slices.Clone(x.Shape), x.Index, x.Step, x.MaxStep,
			x.LR, x.WD, slices.Clone(x.G), x.Obj != nil})
		for i := range x.P {
			x.P[i] -= x.LR * x.G[i]
		}
	}
	o, err := newWholeFused("test", []*autodiff.Var{a}, Chain(ScaleByLR()), k, 0.5, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.AddParamGroup([]*autodiff.Var{b}, WithLR(0.25), WithWeightDecay(0.1)); err != nil {
		t.Fatal(err)
	}
	o.Step() // b has no gradient: only a moves
	b.Grad = tensor.FromSlice([]float32{2, 2}, 2)
	o.Step()
	obj := &shiftObjective{ps: o.Params()}
	o.StepWith(obj)
	want := []wholeSeen{
		{"a", []int{2, 3}, 0, 1, 1, 0.5, 0, []float32{1, 1, 1, 1, 1, 1}, false},
		{"a", []int{2, 3}, 0, 2, 2, 0.5, 0, []float32{1, 1, 1, 1, 1, 1}, false},
		{"b", []int{2}, 1, 1, 2, 0.25, 0.1, []float32{2, 2}, false},
	}
	if len(seen) != len(want) {
		t.Fatalf("%d kernel calls, want %d: %+v", len(seen), len(want), seen)
	}
	for i := range want {
		s, w := seen[i], want[i]
		if s.name != w.name || !slices.Equal(s.shape, w.shape) || s.index != w.index || s.step != w.step ||
			s.maxStep != w.maxStep || s.lr != w.lr || s.wd != w.wd || !slices.Equal(s.g, w.g) || s.obj != w.obj {
			t.Errorf("call %d: got %+v, want %+v", i, s, w)
		}
	}
	if obj.calls != 0 {
		t.Errorf("a whole kernel without predict took %d gradients", obj.calls)
	}
	if got := b.Value.Data()[0]; got != 7-2*0.25*2 {
		t.Errorf("b[0] = %v after two steps (one on the chain), want %v", got, 7-2*0.25*2)
	}
	if got := a.Value.Data()[0]; got != 1-3*0.5 {
		t.Errorf("a[0] = %v after three steps, want %v", got, 1-3*0.5)
	}
}

// TestPredictFused checks newPredictFused's protocol: no objective
// gradient while no parameter moves (the first step), then one per Step,
// with the step kernel reading the refreshed gradient and restoring the
// values saved in Scratch.
func TestPredictFused(t *testing.T) {
	a := autodiff.NewParam("a", tensor.FromSlice([]float32{1, 2, 3}, 3))
	b := autodiff.NewParam("b", tensor.FromSlice([]float32{4}, 1))
	for _, p := range []*autodiff.Var{a, b} {
		p.Grad = tensor.New(p.Value.Shape()...)
	}
	predict := func(x *fusedArgs) bool {
		if x.Step == 1 {
			return false
		}
		copy(x.Scratch(), x.P)
		for i := range x.P {
			x.P[i] += 10
		}
		return true
	}
	var gs [][]float32
	step := func(x *fusedArgs) {
		if x.Step > 1 {
			copy(x.P, x.Scratch())
		}
		gs = append(gs, slices.Clone(x.G))
		for i := range x.P {
			x.P[i] -= x.LR * x.G[i]
		}
	}
	o, err := newPredictFused("test", []*autodiff.Var{a, b}, Chain(ScaleByLR()), predict, step, 0.5, 0)
	if err != nil {
		t.Fatal(err)
	}
	obj := &shiftObjective{ps: o.Params()}
	o.StepWith(obj) // step 1: g = 0, nothing predicted
	if obj.calls != 0 || a.Value.Data()[0] != 1 {
		t.Fatalf("step 1: %d gradients, a[0] = %v; want 0 and 1", obj.calls, a.Value.Data()[0])
	}
	o.StepWith(obj) // step 2: g = θ + 10 + 1 at the predicted point
	if obj.calls != 1 {
		t.Fatalf("step 2 took %d gradients, want 1", obj.calls)
	}
	if !slices.Equal(gs[2], []float32{12, 13, 14}) || !slices.Equal(gs[3], []float32{15}) {
		t.Errorf("step 2 gradients %v %v, want [12 13 14] [15]", gs[2], gs[3])
	}
	if got := a.Value.Data(); !slices.Equal(got, []float32{1 - 6, 2 - 6.5, 3 - 7}) {
		t.Errorf("a after step 2 = %v, want [-5 -4.5 -4]", got)
	}
}

// TestWholeFusedNoAllocs checks that a whole-parameter step does not
// allocate in steady state.
func TestWholeFusedNoAllocs(t *testing.T) {
	ps := newParams(1, 100, 7)
	fillGrads(ps, 1, 1)
	o, err := newWholeFused("test", ps, Chain(ScaleByLR()), func(x *fusedArgs) { x.P[0] -= x.G[0] }, 0.1, 0)
	if err != nil {
		t.Fatal(err)
	}
	o.Step()
	if n := testing.AllocsPerRun(100, o.Step); n != 0 {
		t.Errorf("%v allocations per Step, want 0", n)
	}
}
