package optim

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// Group is a parameter group: parameters that share a learning rate and a
// weight decay (torch's param_groups, typed). The other hyperparameters
// (betas, momentum, ε) belong to the optimizer's Transform and are shared
// by all groups.
type Group struct {
	Params      []*autodiff.Var
	LR          float32 // η, read by ScaleByLR and the fused kernels
	WeightDecay float32 // λ, read by AddDecayedWeights and the fused kernels
}

// GroupOption sets a hyperparameter of a group added by AddParamGroup;
// those not set are filled from the optimizer's defaults.
type GroupOption func(*Group)

// WithLR sets a group's learning rate.
func WithLR(lr float32) GroupOption { return func(g *Group) { g.LR = lr } }

// WithWeightDecay sets a group's weight decay (0 turns it off, e.g. for
// biases and norms).
func WithWeightDecay(wd float32) GroupOption { return func(g *Group) { g.WeightDecay = wd } }

// fusedStep runs a whole named optimizer step on one parameter in one
// pass: p and g are the values and gradient, st the state buffers as the
// optimizer's chain lays them out. It must be elementwise: each element's
// update reads only that element's value, gradient and state, and its
// assembly runs whole vectors of up to 16 floats from the start of the
// slices and finishes a tail, so that Step may call it on ranges of a
// parameter that are multiples of fusedGrain without changing a bit of
// the result (TestFusedSplitBitIdentical). A kernel that reads more of
// the parameter (a mask count, a norm) is a wholeStep.
type fusedStep func(p, g []float32, st [][]float32, step int, lr, wd float32)

// fusedArgs is one parameter's fused step for a kernel that needs more
// than its elements: the shape (MARS, Adafactor and Subset-Norm treat
// matrices apart), whole-tensor reductions (FAdam, Gravity), the step
// count shared by the Step call (SGDM-RS), the parameter's index (seeded
// draws) or the objective (XGrad).
type fusedArgs struct {
	Name   string
	Shape  []int       // the parameter's shape (read only)
	P, G   []float32   // values (updated in place) and gradient (read only)
	St     [][]float32 // state buffers, in the chain's Init layout
	Step   int         // this parameter's 1-based step count
	LR, WD float32     // the group's hyperparameters
	// Index is the parameter's position in Params() (and in
	// Objective.Params(), Slot.Index in the chain).
	Index int
	// MaxStep is the largest Step among the parameters this Step call
	// updates (what a chain sees as the largest Slot.Step).
	MaxStep int
	Obj     Objective // the objective with StepWith, else nil

	ps *paramState
	v  *autodiff.Var
}

// Scratch returns len(P) floats that belong to the parameter and persist
// across steps but are not state: they are not checkpointed, and their
// contents are unspecified on a parameter's first step, after LoadState
// and after a step on the chain (which uses the same buffer for its
// update).
func (a *fusedArgs) Scratch() []float32 {
	if len(a.ps.upd) != len(a.P) {
		a.ps.upd = make([]float32, len(a.P))
	}
	return a.ps.upd
}

// wholeStep is a fused step that runs on a whole parameter, never split,
// with the context of fusedArgs.
type wholeStep func(a *fusedArgs)

// groupStep is a fused step over all the parameters one Step call
// updates, for rules that reduce over them (the global norms of DoG and
// AdaGrad-Norm, SPS's Polyak step): Step builds args as it does for a
// wholeStep (the parameters with a gradient, in Params order, state
// created and step counts advanced) and calls the kernel once. args is
// valid only during the call.
type groupStep func(args []fusedArgs)

// predictStep is the first half of a fused step that takes the
// objective's gradient at a predicted point (XGrad): it moves a
// parameter's values to the point (saving what the second half needs in
// Scratch) and reports whether it did.
type predictStep func(a *fusedArgs) bool

// paramState is the lazily created state of one parameter.
type paramState struct {
	step int         // updates so far (torch's state["step"])
	bufs [][]float32 // the Transform's buffers, from Init
	upd  []float32   // scratch update for the chained path (not checkpointed)
}

// Optimizer updates parameters from their gradients with a Transform,
// after torch.optim.Optimizer: parameters in typed groups, state created
// lazily on the first Step that finds a gradient, ZeroGrad, and State /
// LoadState for checkpoints.
//
// Step computes, for every parameter θ with a non-nil Grad g,
//
//	u = chain(g)        (the Transform, ending in ScaleByLR)
//	θ ← θ − u
//
// For an optimizer made by NewSGD, NewAdam, NewAdamW or NewLion (and the
// other constructors that say so: every first-order method of the zoo)
// the same update runs as fused asm kernels, one call per parameter
// (SetFused(false) selects the chain instead; the state is the same
// either way). An elementwise kernel splits a large parameter over
// sgemm's worker goroutines when they poll between products
// (asm.Parallel, up to asm.Threads()), with the same result bit for bit
// at any thread count; a kernel that needs the whole parameter (its
// shape, sums over it, the objective) runs on the caller, and so does
// one that reduces over all parameters (DoG's global norms).
//
// An Optimizer is not safe for concurrent use.
type Optimizer struct {
	name string
	tr   Transform
	// The fused equivalent of tr: kernel (elementwise), whole (whole
	// parameters, optionally preceded by predict on every parameter and
	// one Objective.Gradient) or group (all parameters at once). All nil
	// if there is none.
	kernel  fusedStep
	whole   wholeStep
	predict predictStep
	group   groupStep
	fused   bool
	// fusedObj: the fused path takes StepWith's objective (XGrad's
	// predict, SPS's loss); otherwise StepWith runs the chain.
	fusedObj bool
	defaults Group // LR and WeightDecay for new groups
	groups   []Group
	states   [][]*paramState // states[i][j] belongs to groups[i].Params[j]
	seen     map[*autodiff.Var]int
	slots    []Slot
	steps    int

	args []fusedArgs // the whole-parameter step in progress
	call fusedCall   // the split elementwise step in progress
	part func(lo, hi int)
}

// fusedGrain is the grain, in elements, at which Step splits a fused
// step over asm.Parallel (a multiple of 64): about 2–4 µs of an Adam step
// in cache. A parameter of fewer than 2·fusedGrain elements (biases, the
// last layer of the MLP) is updated on the caller.
var fusedGrain = 4096

// fusedCall is one fused step split over asm.Parallel: the arguments of
// the kernel, and views of the state buffers for each range, handed out
// by next, so that a split step does not allocate.
type fusedCall struct {
	p, g   []float32
	st     [][]float32
	step   int
	lr, wd float32
	views  [][]float32 // len(st) views per range
	next   atomic.Int32
}

// NewFromTransform returns an optimizer named name (for errors and
// listings) that updates params, as one group with the given learning
// rate and weight decay, by the Transform t, which should end in
// ScaleByLR. It returns an error if params is empty or holds a nil or
// repeated parameter, or if lr or weightDecay is negative or not finite.
func NewFromTransform(name string, params []*autodiff.Var, t Transform, lr, weightDecay float32) (*Optimizer, error) {
	if t == nil {
		return nil, fmt.Errorf("optim: %s: nil transform", name)
	}
	o := &Optimizer{name: name, tr: t, seen: map[*autodiff.Var]int{},
		defaults: Group{LR: lr, WeightDecay: weightDecay}}
	if err := o.AddParamGroup(params); err != nil {
		return nil, err
	}
	return o, nil
}

// newFused is NewFromTransform plus the fused kernel equivalent to t.
func newFused(name string, params []*autodiff.Var, t Transform, k fusedStep, lr, wd float32) (*Optimizer, error) {
	o, err := NewFromTransform(name, params, t, lr, wd)
	if err != nil {
		return nil, err
	}
	o.kernel, o.fused = k, true
	o.part = o.fusedPart
	return o, nil
}

// newWholeFused is newFused for a kernel that runs on whole parameters
// with the context of fusedArgs; it is never split.
func newWholeFused(name string, params []*autodiff.Var, t Transform, k wholeStep, lr, wd float32) (*Optimizer, error) {
	o, err := NewFromTransform(name, params, t, lr, wd)
	if err != nil {
		return nil, err
	}
	o.whole, o.fused = k, true
	return o, nil
}

// newPredictFused is newWholeFused for a method that steps with the
// gradient at a predicted point (XGrad): Step runs predict on every
// parameter that has a gradient; if any of them moved, it takes the
// objective's Gradient once (so the optimizer needs StepWith) and runs
// step on each of those parameters with G re-read from its Grad.
func newPredictFused(name string, params []*autodiff.Var, t Transform, predict predictStep, step wholeStep, lr, wd float32) (*Optimizer, error) {
	o, err := newWholeFused(name, params, t, step, lr, wd)
	if err != nil {
		return nil, err
	}
	o.predict, o.fusedObj = predict, true
	return o, nil
}

// newGroupFused is newWholeFused for a kernel that runs once per Step on
// all the parameters being updated (groupStep). It does not take the
// objective unless the caller sets fusedObj.
func newGroupFused(name string, params []*autodiff.Var, t Transform, k groupStep, lr, wd float32) (*Optimizer, error) {
	o, err := NewFromTransform(name, params, t, lr, wd)
	if err != nil {
		return nil, err
	}
	o.group, o.fused = k, true
	return o, nil
}

// runFused runs the elementwise kernel on one parameter, split into
// ranges of whole fusedGrain blocks over asm.Parallel when the parameter
// is large and every state buffer has its length.
func (o *Optimizer) runFused(p, g []float32, st [][]float32, step int, lr, wd float32) {
	if len(p) < 2*fusedGrain || asm.Threads() == 1 {
		o.kernel(p, g, st, step, lr, wd)
		return
	}
	for _, s := range st {
		if len(s) != len(p) {
			o.kernel(p, g, st, step, lr, wd)
			return
		}
	}
	c := &o.call
	c.p, c.g, c.st, c.step, c.lr, c.wd = p, g, st, step, lr, wd
	if n := asm.Threads() * len(st); len(c.views) < n {
		c.views = make([][]float32, n)
	}
	c.next.Store(0)
	asm.Parallel(len(p), fusedGrain, o.part)
	c.p, c.g, c.st = nil, nil, nil
	clear(c.views)
}

// fusedPart runs the kernel of o.call on elements lo..hi.
func (o *Optimizer) fusedPart(lo, hi int) {
	c := &o.call
	n := len(c.st)
	k := int(c.next.Add(1)) - 1
	var views [][]float32
	if (k+1)*n <= len(c.views) {
		views = c.views[k*n : (k+1)*n : (k+1)*n]
	} else {
		views = make([][]float32, n) // SetThreads raised the count meanwhile
	}
	for i, s := range c.st {
		views[i] = s[lo:hi]
	}
	o.kernel(c.p[lo:hi], c.g[lo:hi], views, c.step, c.lr, c.wd)
}

// AddParamGroup adds a group of parameters, with hyperparameters from
// opts and the optimizer's defaults for the rest (torch's
// add_param_group). It returns an error, and adds nothing, if params is
// empty, holds nil, holds a parameter twice or one already in a group, or
// if a hyperparameter is negative or not finite.
func (o *Optimizer) AddParamGroup(params []*autodiff.Var, opts ...GroupOption) error {
	g := Group{Params: append([]*autodiff.Var(nil), params...), LR: o.defaults.LR, WeightDecay: o.defaults.WeightDecay}
	for _, opt := range opts {
		opt(&g)
	}
	if len(params) == 0 {
		return fmt.Errorf("optim: %s: empty parameter list", o.name)
	}
	if err := checkNonNeg(o.name, "lr", float64(g.LR)); err != nil {
		return err
	}
	if err := checkNonNeg(o.name, "weight_decay", float64(g.WeightDecay)); err != nil {
		return err
	}
	gi := len(o.groups)
	local := map[*autodiff.Var]bool{}
	for j, p := range params {
		if p == nil {
			return fmt.Errorf("optim: %s: parameter %d of group %d is nil", o.name, j, gi)
		}
		if other, ok := o.seen[p]; ok {
			return fmt.Errorf("optim: %s: parameter %q is in group %d and group %d: some parameters appear in more than one parameter group", o.name, p.Name, other, gi)
		}
		if local[p] {
			return fmt.Errorf("optim: %s: parameter %q appears twice in group %d", o.name, p.Name, gi)
		}
		local[p] = true
	}
	for _, p := range params {
		o.seen[p] = gi
	}
	o.groups = append(o.groups, g)
	o.states = append(o.states, make([]*paramState, len(params)))
	o.slots = make([]Slot, 0, len(o.seen))
	return nil
}

// Name returns the optimizer's name, e.g. "adamw".
func (o *Optimizer) Name() string { return o.name }

// Transform returns the chain that defines the update; the fused path
// computes the same update.
func (o *Optimizer) Transform() Transform { return o.tr }

// Fused reports whether Step runs the fused kernel.
func (o *Optimizer) Fused() bool { return o.fused }

// SetFused selects the fused kernel (on) or the Transform chain (off) for
// later steps and reports whether the fused kernel is now in use: it
// stays off for an optimizer that has none (NewFromTransform).
func (o *Optimizer) SetFused(on bool) bool {
	o.fused = on && (o.kernel != nil || o.whole != nil || o.group != nil)
	return o.fused
}

// Groups returns a copy of the parameter groups (the Params slices are
// shared; do not modify them).
func (o *Optimizer) Groups() []Group { return append([]Group(nil), o.groups...) }

// Params returns all parameters in group order.
func (o *Optimizer) Params() []*autodiff.Var {
	var ps []*autodiff.Var
	for _, g := range o.groups {
		ps = append(ps, g.Params...)
	}
	return ps
}

// LR returns the learning rate of the first group.
func (o *Optimizer) LR() float32 { return o.groups[0].LR }

// SetLR sets the learning rate of every group (and the default for
// groups added later), as a schedule does between steps. It panics if lr
// is negative or not finite.
func (o *Optimizer) SetLR(lr float32) {
	if !(lr >= 0) || math.IsInf(float64(lr), 1) {
		panic(fmt.Sprintf("optim: %s: setlr: invalid lr %v", o.name, lr))
	}
	o.defaults.LR = lr
	for i := range o.groups {
		o.groups[i].LR = lr
	}
}

// SetGroupLR sets the learning rate of group i. It panics if i is out of
// range or lr is negative or not finite.
func (o *Optimizer) SetGroupLR(i int, lr float32) {
	if !(lr >= 0) || math.IsInf(float64(lr), 1) {
		panic(fmt.Sprintf("optim: %s: setgrouplr: invalid lr %v", o.name, lr))
	}
	o.groups[i].LR = lr
}

// Steps returns the number of Step calls so far (restored by LoadState).
func (o *Optimizer) Steps() int { return o.steps }

// ZeroGrad clears the gradients of all parameters, keeping their memory.
func (o *Optimizer) ZeroGrad() {
	for _, g := range o.groups {
		for _, p := range g.Params {
			p.ZeroGrad()
		}
	}
}

// Step updates every parameter that has a gradient: θ ← θ − chain(g).
// Parameters with a nil Grad are skipped and their step counts do not
// advance. Gradients are only read. State is created on a parameter's
// first update. In steady state Step does not allocate.
//
// Step panics if a gradient's size differs from its parameter's, or if a
// value or gradient tensor is not contiguous.
func (o *Optimizer) Step() {
	if o.NeedsObjective() {
		panic(fmt.Sprintf("optim: %s: step: this optimizer needs the objective: call StepWith", o.name))
	}
	o.step(nil)
}

// step is Step with an optional objective for the transforms; with one,
// the chain runs unless the fused path takes the objective (fusedObj).
func (o *Optimizer) step(obj Objective) {
	o.steps++
	if o.fused && (obj == nil || o.fusedObj) {
		if o.kernel != nil {
			o.stepElementwise()
		} else {
			o.stepWhole(obj)
		}
		return
	}
	o.slots = o.slots[:0]
	index := -1
	for gi := range o.groups {
		g := &o.groups[gi]
		for j, p := range g.Params {
			index++
			if p.Grad == nil {
				continue
			}
			pd, gd := o.data(p)
			ps := o.advance(gi, j, p)
			if ps.upd == nil {
				ps.upd = make([]float32, len(pd))
			}
			copy(ps.upd, gd)
			s := NewSlot(p.Name, ps.upd, pd, ps.bufs, ps.step, g.LR, g.WeightDecay)
			s.Obj, s.Index, s.G, s.Shape = obj, index, gd, p.Value.Shape()
			o.slots = append(o.slots, s)
		}
	}
	if len(o.slots) == 0 {
		return
	}
	o.tr.Update(o.slots)
	for i := range o.slots {
		s := &o.slots[i]
		asm.Axpy(s.P, -1, s.U) // θ ← θ − u: the one place the sign flips
		s.U, s.P, s.G, s.state, s.Obj, s.Shape = nil, nil, nil, nil, nil, nil
	}
}

// data returns a parameter's value and gradient data, and panics if their
// sizes differ.
func (o *Optimizer) data(p *autodiff.Var) (pd, gd []float32) {
	pd, gd = p.Value.Data(), p.Grad.Data()
	if len(gd) != len(pd) {
		panic(fmt.Sprintf("optim: %s: step: parameter %q: gradient shape %v, value shape %v",
			o.name, p.Name, p.Grad.Shape(), p.Value.Shape()))
	}
	return pd, gd
}

// advance returns the state of parameter j of group gi, created on its
// first update, with its step count advanced.
func (o *Optimizer) advance(gi, j int, p *autodiff.Var) *paramState {
	ps := o.states[gi][j]
	if ps == nil {
		ps = &paramState{bufs: initState(o.tr, p.Value.Shape())}
		o.states[gi][j] = ps
	}
	ps.step++
	return ps
}

// stepElementwise runs the elementwise fused kernel on every parameter
// that has a gradient.
func (o *Optimizer) stepElementwise() {
	for gi := range o.groups {
		g := &o.groups[gi]
		for j, p := range g.Params {
			if p.Grad == nil {
				continue
			}
			pd, gd := o.data(p)
			ps := o.advance(gi, j, p)
			o.runFused(pd, gd, ps.bufs, ps.step, g.LR, g.WeightDecay)
		}
	}
}

// stepWhole runs the whole-parameter fused kernel on every parameter that
// has a gradient, after predict and the objective's gradient if the
// optimizer has a predict step, or the group kernel once on all of them.
func (o *Optimizer) stepWhole(obj Objective) {
	o.args = o.args[:0]
	index, maxStep := -1, 0
	for gi := range o.groups {
		g := &o.groups[gi]
		for j, p := range g.Params {
			index++
			if p.Grad == nil {
				continue
			}
			pd, gd := o.data(p)
			ps := o.advance(gi, j, p)
			maxStep = max(maxStep, ps.step)
			o.args = append(o.args, fusedArgs{Name: p.Name, Shape: p.Value.Shape(), P: pd, G: gd,
				St: ps.bufs, Step: ps.step, LR: g.LR, WD: g.WeightDecay, Index: index, Obj: obj,
				ps: ps, v: p})
		}
	}
	for i := range o.args {
		o.args[i].MaxStep = maxStep
	}
	if o.predict != nil {
		moved := false
		for i := range o.args {
			moved = o.predict(&o.args[i]) || moved
		}
		if moved {
			if obj == nil {
				panic(fmt.Sprintf("optim: %s: step: this optimizer needs the objective: call StepWith", o.name))
			}
			obj.Gradient()
			for i := range o.args {
				_, o.args[i].G = o.data(o.args[i].v) // the gradient at the predicted point
			}
		}
	}
	if o.group != nil {
		o.group(o.args)
	} else {
		for i := range o.args {
			o.whole(&o.args[i])
		}
	}
	clear(o.args) // keep no references to tensors or the objective
}
