package optim

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gograd/gograd/tensor"
)

// State returns the optimizer's state as named tensors (new copies), for
// a checkpoint such as nn's safetensors file:
//
//	"step"                     scalar, the number of Step calls
//	"group.<i>.lr"             scalar, group i's learning rate
//	"group.<i>.weight_decay"   scalar, group i's weight decay
//	"state.<name>.step"        scalar, the parameter's update count
//	"state.<name>.<buffer>"    the parameter's shape (a ShapedState transform gives its own), e.g. "state.fc1.weight.exp_avg"
//
// where <name> is the parameter's Name and <buffer> a state name of the
// Transform. Parameters not yet updated have no "state.<name>" entries.
// Counts are stored as float32, exact up to 2^24 steps. State returns an
// error wrapping ErrState if a parameter name is empty or shared by two
// parameters.
func (o *Optimizer) State() (map[string]*tensor.Tensor, error) {
	if err := o.checkNames(); err != nil {
		return nil, err
	}
	names := o.tr.StateNames()
	m := map[string]*tensor.Tensor{"step": tensor.Scalar(float32(o.steps))}
	for gi, g := range o.groups {
		m[fmt.Sprintf("group.%d.lr", gi)] = tensor.Scalar(g.LR)
		m[fmt.Sprintf("group.%d.weight_decay", gi)] = tensor.Scalar(g.WeightDecay)
		for j, p := range g.Params {
			ps := o.states[gi][j]
			if ps == nil {
				continue
			}
			pre := "state." + p.Name + "."
			m[pre+"step"] = tensor.Scalar(float32(ps.step))
			shapes := stateShapes(o.tr, p.Value.Shape())
			for k, b := range ps.bufs {
				m[pre+names[k]] = tensor.FromSlice(slices.Clone(b), shapes[k]...)
			}
		}
	}
	return m, nil
}

// LoadState restores a state that State returned, from an optimizer with
// the same groups of parameters (matched by name) and the same Transform.
// Values are copied; m is not retained. A parameter without entries gets
// no state (it starts afresh on its next update). LoadState changes
// nothing and returns an error wrapping ErrState if an entry is missing,
// unknown, of the wrong shape, or a count is not a non-negative integer.
func (o *Optimizer) LoadState(m map[string]*tensor.Tensor) error {
	if err := o.checkNames(); err != nil {
		return err
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: loadstate: %s", ErrState, o.name, fmt.Sprintf(format, args...))
	}
	used := 0
	scalar := func(key string, count bool) (float32, error) {
		t, ok := m[key]
		if !ok {
			return 0, fail("missing %q", key)
		}
		if t.Size() != 1 {
			return 0, fail("%q has shape %v, want a scalar", key, t.Shape())
		}
		used++
		x := t.Contiguous().Data()[0]
		if count && (x < 0 || x != float32(math.Trunc(float64(x)))) {
			return 0, fail("%q = %v is not a count", key, x)
		}
		if !count && !(x >= 0 && !math.IsInf(float64(x), 1)) {
			return 0, fail("%q = %v must be finite and >= 0", key, x)
		}
		return x, nil
	}
	steps, err := scalar("step", true)
	if err != nil {
		return err
	}
	names := o.tr.StateNames()
	type loaded struct {
		gi, j int
		ps    *paramState
	}
	var hyper [][2]float32
	var states []loaded
	for gi, g := range o.groups {
		lr, err := scalar(fmt.Sprintf("group.%d.lr", gi), false)
		if err != nil {
			return err
		}
		wd, err := scalar(fmt.Sprintf("group.%d.weight_decay", gi), false)
		if err != nil {
			return err
		}
		hyper = append(hyper, [2]float32{lr, wd})
		for j, p := range g.Params {
			pre := "state." + p.Name + "."
			if _, ok := m[pre+"step"]; !ok {
				for _, n := range names {
					if _, ok := m[pre+n]; ok {
						return fail("%q without %q", pre+n, pre+"step")
					}
				}
				continue
			}
			st, err := scalar(pre+"step", true)
			if err != nil {
				return err
			}
			ps := &paramState{step: int(st), bufs: initState(o.tr, p.Value.Shape())}
			shapes := stateShapes(o.tr, p.Value.Shape())
			for k, b := range ps.bufs {
				t, ok := m[pre+names[k]]
				if !ok {
					return fail("missing %q", pre+names[k])
				}
				if !slices.Equal(t.Shape(), shapes[k]) {
					return fail("%q has shape %v, want %v", pre+names[k], t.Shape(), shapes[k])
				}
				copy(b, t.Contiguous().Data())
				used++
			}
			states = append(states, loaded{gi, j, ps})
		}
	}
	if used != len(m) {
		var unknown []string
		for k := range m {
			if !o.knownKey(k) {
				unknown = append(unknown, k)
			}
		}
		slices.Sort(unknown)
		return fail("unknown entries %s", strings.Join(unknown, ", "))
	}
	o.steps = int(steps)
	for gi := range o.groups {
		o.groups[gi].LR, o.groups[gi].WeightDecay = hyper[gi][0], hyper[gi][1]
		clear(o.states[gi])
	}
	for _, l := range states {
		o.states[l.gi][l.j] = l.ps
	}
	return nil
}

// knownKey reports whether State could have produced key.
func (o *Optimizer) knownKey(key string) bool {
	if key == "step" {
		return true
	}
	for gi, g := range o.groups {
		if key == fmt.Sprintf("group.%d.lr", gi) || key == fmt.Sprintf("group.%d.weight_decay", gi) {
			return true
		}
		for _, p := range g.Params {
			pre := "state." + p.Name + "."
			if key == pre+"step" || slices.ContainsFunc(o.tr.StateNames(), func(n string) bool { return key == pre+n }) {
				return true
			}
		}
	}
	return false
}

// checkNames reports an empty or repeated parameter name, which would
// make the state keys ambiguous.
func (o *Optimizer) checkNames() error {
	seen := map[string]bool{}
	for gi, g := range o.groups {
		for j, p := range g.Params {
			if p.Name == "" {
				return fmt.Errorf("%w: %s: parameter %d of group %d has no name", ErrState, o.name, j, gi)
			}
			if seen[p.Name] {
				return fmt.Errorf("%w: %s: two parameters are named %q", ErrState, o.name, p.Name)
			}
			seen[p.Name] = true
		}
	}
	return nil
}
