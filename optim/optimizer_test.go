package optim

import (
	"strings"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

func TestParamInTwoGroups(t *testing.T) {
	ps := newParams(1, 2, 3, 4)
	o, err := NewAdam(ps[:2], DefaultAdam())
	if err != nil {
		t.Fatal(err)
	}
	err = o.AddParamGroup([]*autodiff.Var{ps[2], ps[1]})
	if err == nil || !strings.Contains(err.Error(), "more than one parameter group") {
		t.Fatalf("AddParamGroup with a param of group 0: err = %v", err)
	}
	if len(o.Groups()) != 1 {
		t.Fatal("failed AddParamGroup added a group")
	}
	if _, err := NewSGD([]*autodiff.Var{ps[0], ps[0]}, DefaultSGD()); err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Fatalf("repeated param: err = %v", err)
	}
	if _, err := NewSGD(nil, DefaultSGD()); err == nil || !strings.Contains(err.Error(), "empty parameter list") {
		t.Fatalf("empty params: err = %v", err)
	}
	if _, err := NewSGD([]*autodiff.Var{nil}, DefaultSGD()); err == nil {
		t.Fatal("nil param accepted")
	}
	if err := o.AddParamGroup(ps[2:], WithLR(-1)); err == nil {
		t.Fatal("negative group lr accepted")
	}
}

func TestGroupsFilledFromDefaults(t *testing.T) {
	ps := newParams(1, 2, 3, 4)
	c := DefaultAdamW()
	o, _ := NewAdamW(ps[:1], c)
	if err := o.AddParamGroup(ps[1:2], WithWeightDecay(0)); err != nil {
		t.Fatal(err)
	}
	if err := o.AddParamGroup(ps[2:], WithLR(0.5)); err != nil {
		t.Fatal(err)
	}
	g := o.Groups()
	if g[1].LR != c.LR || g[1].WeightDecay != 0 || g[2].LR != 0.5 || g[2].WeightDecay != c.WeightDecay {
		t.Fatalf("groups = %+v", g)
	}
	o.SetLR(0.25)
	if o.LR() != 0.25 || o.Groups()[2].LR != 0.25 {
		t.Fatal("SetLR did not reach every group")
	}
	o.SetGroupLR(1, 0.125)
	if o.Groups()[1].LR != 0.125 || o.Groups()[0].LR != 0.25 {
		t.Fatal("SetGroupLR")
	}
}

// TestGroupHyperparameters checks that each group's LR and weight decay
// reach its parameters: a group with λ = 0 under AdamW and g = 0 does not
// move, the group with λ > 0 decays.
func TestGroupHyperparameters(t *testing.T) {
	for _, fused := range []bool{true, false} {
		ps := newParams(2, 3, 3)
		before := cloneParams(ps)
		o, _ := NewAdamW(ps[:1], AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.5})
		if err := o.AddParamGroup(ps[1:], WithWeightDecay(0)); err != nil {
			t.Fatal(err)
		}
		o.SetFused(fused)
		o.Step()
		for j, x := range ps[0].Value.Data() {
			if want := before[0].Value.Data()[j] * (1 - 0.1*0.5); !near(float64(x), float64(want), 1e-6, 0) {
				t.Errorf("fused=%v: decayed group: %g, want %g", fused, x, want)
			}
		}
		for j, x := range ps[1].Value.Data() {
			if x != before[1].Value.Data()[j] {
				t.Errorf("fused=%v: group with λ = 0 moved", fused)
			}
		}
	}
}

func TestNilGradSkipped(t *testing.T) {
	for _, fused := range []bool{true, false} {
		ps := newParams(3, 4, 5)
		ps[1].Grad = nil
		v1 := ps[1].Value.Clone()
		o, _ := NewAdam(ps, DefaultAdam())
		o.SetFused(fused)
		fillGrads(ps[:1], 1, 1)
		o.Step()
		o.Step()
		if !tensorEqual(ps[1].Value, v1) {
			t.Error("param with nil grad moved")
		}
		st, err := o.State()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := st["state.p1.step"]; ok {
			t.Error("state created for a param without gradient")
		}
		if st["state.p0.step"].Item() != 2 || st["step"].Item() != 2 {
			t.Error("step counts")
		}
		// Its first update later is a first step (bias correction t = 1).
		ps[1].Grad = tensor.Full(1, 5)
		o.Step()
		st, _ = o.State()
		if st["state.p1.step"].Item() != 1 || st["state.p0.step"].Item() != 3 {
			t.Error("per-parameter steps")
		}
	}
}

func TestZeroGrad(t *testing.T) {
	ps := newParams(3, 4, 5)
	fillGrads(ps, 1, 1)
	o, _ := NewSGD(ps, DefaultSGD())
	o.ZeroGrad()
	for _, p := range ps {
		for _, g := range p.Grad.Data() {
			if g != 0 {
				t.Fatal("ZeroGrad left a nonzero gradient")
			}
		}
	}
}

func TestStepGradShapeMismatch(t *testing.T) {
	ps := newParams(3, 4)
	ps[0].Grad = tensor.New(5)
	o, _ := NewAdam(ps, DefaultAdam())
	msg := mustPanic(t, o.Step)
	if !strings.Contains(msg, `optim: adam: step: parameter "p0": gradient shape [5], value shape [4]`) {
		t.Fatalf("panic %q", msg)
	}
}

// TestStepNoAlloc: after the first step has created the state, Step
// does not allocate, on either path.
func TestStepNoAlloc(t *testing.T) {
	cases := append(fusedCases[:len(fusedCases):len(fusedCases)], struct {
		name string
		mk   func([]*autodiff.Var) (*Optimizer, error)
	}{"clipped-chain", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewFromTransform("clipped", ps, Chain(ClipByGlobalNorm(1), ClipByValue(0.5),
			ScaleByAdam(0.9, 0.999, 1e-8), AddDecayedWeights(), ScaleByLR()), 1e-3, 0.01)
	}})
	for _, tc := range cases {
		for _, fused := range []bool{true, false} {
			ps := newParams(4, 10, 100, 1000)
			fillGrads(ps, 1, 1)
			o, err := tc.mk(ps)
			if err != nil {
				t.Fatal(err)
			}
			o.SetFused(fused)
			o.Step()
			if n := testing.AllocsPerRun(20, o.Step); n != 0 {
				t.Errorf("%s fused=%v: Step allocates %v times", tc.name, o.Fused(), n)
			}
		}
	}
}

func tensorEqual(a, b *tensor.Tensor) bool {
	x, y := a.Data(), b.Data()
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}
