package optim

import (
	"fmt"
	"math"
	"strings"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// Helpers shared by the step-size rules of METHODS §3 and the wrappers
// of §4: state with per-parameter scalars, inner transforms, global
// reductions, evaluating the objective at a displaced point, and the
// registry entries whose base optimizer is chosen by an argument.

// scalarState describes a transform's state: buffer k has len(U)
// elements if sizes[k] == 0, else sizes[k] elements (per-parameter
// scalars, saved by State with shape [sizes[k]]).
type scalarState []int

func (z scalarState) init(shape []int) [][]float32 {
	n := numel(shape)
	out := make([][]float32, len(z))
	for k, m := range z {
		if m == 0 {
			m = n
		}
		out[k] = make([]float32, m)
	}
	return out
}

func (z scalarState) shapes(shape []int) [][]int {
	out := make([][]int, len(z))
	for k, m := range z {
		if m == 0 {
			out[k] = shape
		} else {
			out[k] = []int{m}
		}
	}
	return out
}

// check returns s's buffers for transform t, panicking with a state
// mismatch message if their count or lengths are not those of z.
func (z scalarState) check(t Transform, s *Slot) [][]float32 {
	st := s.State()
	if len(st) != len(z) {
		stateMismatch(t.Name(), s, "%d state buffers, want %d %v", len(st), len(z), t.StateNames())
	}
	if len(s.P) != len(s.U) {
		stateMismatch(t.Name(), s, "len(P) = %d, len(U) = %d", len(s.P), len(s.U))
	}
	for k, b := range st {
		want := z[k]
		if want == 0 {
			want = len(s.U)
		}
		if len(b) != want {
			stateMismatch(t.Name(), s, "buffer %q has %d elements, want %d", t.StateNames()[k], len(b), want)
		}
	}
	return st
}

// runInner runs inner on slots with the running transform's buffers
// narrowed to [lo, hi) of its own total buffers, then restores the range.
func runInner(inner Transform, slots []Slot, lo, hi, total int) {
	for i := range slots {
		s := &slots[i]
		s.lo, s.hi = s.lo+lo, s.lo+hi
	}
	inner.Update(slots)
	for i := range slots {
		s := &slots[i]
		s.lo -= lo
		s.hi = s.lo + total
	}
}

// sumSq returns Σ x² over all slots' pick(s), accumulated per slot in
// float32 lanes (asm.Dot) and across slots in float64.
func sumSq(slots []Slot, pick func(*Slot) []float32) float64 {
	var ss float64
	for i := range slots {
		x := pick(&slots[i])
		ss += float64(asm.Dot(x, x))
	}
	return ss
}

func pickU(s *Slot) []float32 { return s.U }
func pickG(s *Slot) []float32 { return s.G }

// diffSumSq returns Σ (a−b)², with 8 float32 lanes per block of 512
// elements and float64 across blocks.
func diffSumSq(a, b []float32) float64 {
	b = b[:len(a)]
	var total float64
	for len(a) > 0 {
		m := min(len(a), 512)
		var l [8]float32
		j := 0
		for ; j+8 <= m; j += 8 {
			x, y := a[j:j+8:j+8], b[j:j+8:j+8]
			for k := range 8 {
				d := x[k] - y[k]
				l[k] += d * d
			}
		}
		for ; j < m; j++ {
			d := a[j] - b[j]
			l[0] += d * d
		}
		total += float64(l[0]+l[1]+l[2]+l[3]) + float64(l[4]+l[5]+l[6]+l[7])
		a, b = a[m:], b[m:]
	}
	return total
}

// stepObjective returns the objective of a step, panicking if the
// optimizer was stepped with Step instead of StepWith.
func stepObjective(t Transform, slots []Slot) Objective {
	if len(slots) == 0 || slots[0].Obj == nil {
		panic(fmt.Sprintf("optim: %s: no objective: step the optimizer with StepWith", t.Name()))
	}
	return slots[0].Obj
}

// gradientAt saves every slot's P into its buffer backup, sets
// P ← P + a·dir(s) (dir's elements aligned with P), evaluates the
// objective's gradient there (refreshing every s.G) and returns the loss.
// P stays displaced; restore it with restoreParams.
func gradientAt(obj Objective, slots []Slot, backup int, a float32, dir func(*Slot) []float32) float32 {
	for i := range slots {
		s := &slots[i]
		copy(s.State()[backup], s.P)
		if a != 0 {
			asm.Axpy(s.P, a, dir(s))
		}
	}
	return obj.Gradient()
}

// restoreParams copies each slot's buffer backup back into P.
func restoreParams(slots []Slot, backup int) {
	for i := range slots {
		s := &slots[i]
		copy(s.P, s.State()[backup])
	}
}

// maxScalar returns the largest value of scalar k of buffer b over the
// slots: for monotone global quantities replicated in every parameter's
// state, the most recent value even if a parameter joined late.
func maxScalar(slots []Slot, b, k int) float32 {
	m := float32(math.Inf(-1))
	for i := range slots {
		m = max(m, slots[i].State()[b][k])
	}
	return m
}

// setScalar sets scalar k of buffer b in every slot.
func setScalar(slots []Slot, b, k int, x float32) {
	for i := range slots {
		slots[i].State()[b][k] = x
	}
}

// registerWrapper registers a wrapper entry: the base optimizer is the
// registered optimizer named by the argument "base" (default base), built
// with the entry's lr and weight_decay ("base" keeps the base's default)
// and base_args ("k=v;k=v", the base's own arguments); wrap turns its
// Transform into the wrapped one. A wrapper whose own work is an
// elementwise pass (Lookahead, weight clipping) gets a fused path from
// the base's (newWrapped).
func registerWrapper(name, base string, args map[string]string, wrap func(base Transform, a *argParser) (Transform, error)) {
	args["base"] = base
	args["lr"] = "base"
	args["weight_decay"] = "base"
	args["base_args"] = ""
	register(name, args, func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
		lr, wd := float32(0), float32(-1)
		if a.vals["lr"] != "base" {
			if lr = a.f32("lr"); a.err == nil && !(lr > 0) {
				return nil, checkNonNeg(name, "lr", -1)
			}
		}
		if a.vals["weight_decay"] != "base" {
			wd = a.f32("weight_decay")
		}
		if a.err != nil {
			return nil, a.err
		}
		bargs := map[string]string{}
		if s := strings.TrimSpace(a.vals["base_args"]); s != "" {
			var err error
			if bargs, err = ParseArgs(strings.ReplaceAll(s, ";", ",")); err != nil {
				return nil, fmt.Errorf("optim: %s: base_args: %w", name, err)
			}
		}
		bo, err := New(a.vals["base"], ps, lr, wd, bargs)
		if err != nil {
			return nil, fmt.Errorf("optim: %s: base: %w", name, err)
		}
		t, err := wrap(bo.Transform(), a)
		if err != nil {
			return nil, err
		}
		if a.err != nil {
			return nil, a.err
		}
		return newWrapped(name+"("+bo.Name()+")", ps, t, bo.LR(), bo.groups[0].WeightDecay, bo)
	})
}
