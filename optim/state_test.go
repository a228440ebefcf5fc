package optim

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// TestStateRoundTrip runs k steps, saves the state, loads it into a new
// optimizer over copies of the parameters, runs more steps, and compares
// with an uninterrupted run: the results must be bit-identical.
func TestStateRoundTrip(t *testing.T) {
	const k, more = 7, 8
	cases := append(fusedCases[:len(fusedCases):len(fusedCases)], struct {
		name string
		mk   func([]*autodiff.Var) (*Optimizer, error)
	}{"clip-chain", func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewFromTransform("clip", ps, Chain(ClipByGlobalNorm(2), Trace(0.5, 0, false),
			ScaleByAdam(0.8, 0.9, 1e-6), ScaleByLR()), 0.01, 0)
	}})
	for _, tc := range cases {
		for _, fused := range []bool{true, false} {
			ref := newParams(11, 5, 12)
			ref[1].Grad = nil // never updated until step 4
			oref, err := tc.mk(ref)
			if err != nil {
				t.Fatal(err)
			}
			oref.SetFused(fused)
			run := func(o *Optimizer, ps []*autodiff.Var, from, to int) {
				for s := from; s < to; s++ {
					if s == 4 {
						ps[1].Grad = tensor.New(12)
					}
					live := ps[:1]
					if ps[1].Grad != nil {
						live = ps
					}
					fillGrads(live, 5, s)
					o.SetLR(Cosine(0.01, k+more, 0).LR(o.Steps()))
					o.Step()
				}
			}
			run(oref, ref, 0, 2)
			mid := cloneParams(ref)
			st2, err := oref.State() // saved before param 1 has state
			if err != nil {
				t.Fatal(err)
			}
			run(oref, ref, 2, k)
			snap := cloneParams(ref)
			st, err := oref.State()
			if err != nil {
				t.Fatal(err)
			}
			run(oref, ref, k, k+more)

			for _, c := range []struct {
				ps   []*autodiff.Var
				st   map[string]*tensor.Tensor
				from int
			}{{snap, st, k}, {mid, st2, 2}} {
				o, _ := tc.mk(c.ps)
				o.SetFused(fused)
				o.SetLR(123) // overwritten by LoadState
				if err := o.LoadState(c.st); err != nil {
					t.Fatal(err)
				}
				if o.Steps() != c.from {
					t.Fatalf("Steps() = %d after load, want %d", o.Steps(), c.from)
				}
				run(o, c.ps, c.from, k+more)
				for i := range ref {
					if !tensorEqual(ref[i].Value, c.ps[i].Value) {
						t.Errorf("%s fused=%v: resumed at %d: %s differs from the uninterrupted run", tc.name, fused, c.from, ref[i].Name)
					}
				}
			}
		}
	}
}

func TestStateKeys(t *testing.T) {
	ps := newParams(1, 2, 3)
	ps[0].Name, ps[1].Name = "fc1.weight", "fc1.bias"
	ps[1].Grad = nil
	o, _ := NewAdam(ps, DefaultAdam())
	o.Step()
	st, err := o.State()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range st {
		keys = append(keys, k)
	}
	want := []string{"group.0.lr", "group.0.weight_decay", "state.fc1.weight.exp_avg",
		"state.fc1.weight.exp_avg_sq", "state.fc1.weight.step", "step"}
	if strings.Join(slices.Sorted(slices.Values(keys)), " ") != strings.Join(want, " ") {
		t.Fatalf("keys %v, want %v", slices.Sorted(slices.Values(keys)), want)
	}
	if s := st["state.fc1.weight.exp_avg"].Shape(); len(s) != 1 || s[0] != 2 {
		t.Fatalf("exp_avg shape %v", s)
	}
	// State returns copies.
	st["state.fc1.weight.exp_avg"].Data()[0] = 42
	st2, _ := o.State()
	if st2["state.fc1.weight.exp_avg"].Data()[0] == 42 {
		t.Fatal("State aliases the optimizer's buffers")
	}
}

func TestLoadStateErrors(t *testing.T) {
	ps := newParams(1, 2, 3)
	o, _ := NewAdam(ps, DefaultAdam())
	fillGrads(ps, 1, 1)
	o.Step()
	good, _ := o.State()
	edit := func(f func(m map[string]*tensor.Tensor)) map[string]*tensor.Tensor {
		m := map[string]*tensor.Tensor{}
		for k, v := range good {
			m[k] = v
		}
		f(m)
		return m
	}
	for _, tc := range []struct {
		name string
		m    map[string]*tensor.Tensor
		msg  string
	}{
		{"missing step", edit(func(m map[string]*tensor.Tensor) { delete(m, "step") }), `missing "step"`},
		{"missing buffer", edit(func(m map[string]*tensor.Tensor) { delete(m, "state.p1.exp_avg_sq") }), `missing "state.p1.exp_avg_sq"`},
		{"buffer without step", edit(func(m map[string]*tensor.Tensor) { delete(m, "state.p1.step") }), `"state.p1.exp_avg" without "state.p1.step"`},
		{"unknown", edit(func(m map[string]*tensor.Tensor) { m["state.p1.momentum_buffer"] = tensor.New(3) }), `unknown entries state.p1.momentum_buffer`},
		{"shape", edit(func(m map[string]*tensor.Tensor) { m["state.p0.exp_avg"] = tensor.New(3) }), `"state.p0.exp_avg" has shape [3], want [2]`},
		{"fractional step", edit(func(m map[string]*tensor.Tensor) { m["step"] = tensor.Scalar(1.5) }), `"step" = 1.5 is not a count`},
		{"negative lr", edit(func(m map[string]*tensor.Tensor) { m["group.0.lr"] = tensor.Scalar(-1) }), `"group.0.lr" = -1`},
	} {
		before, _ := o.State()
		err := o.LoadState(tc.m)
		if err == nil || !errors.Is(err, ErrState) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.msg)
		}
		after, _ := o.State()
		for k, v := range before {
			if !tensorEqual(v, after[k]) {
				t.Errorf("%s: failed LoadState changed %s", tc.name, k)
			}
		}
	}
	ps[1].Name = ps[0].Name
	if _, err := o.State(); err == nil || !strings.Contains(err.Error(), "two parameters are named") {
		t.Errorf("duplicate names: err = %v", err)
	}
}
