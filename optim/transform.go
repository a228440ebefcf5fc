package optim

import (
	"fmt"
	"math"
	"strings"
)

var inf = math.Inf(1)

// Transform is one stage of an optimizer's update rule, after optax's
// GradientTransformation: Init makes the per-parameter state, Update
// rewrites the updates in place. Transforms compose with Chain, and a
// chain ends in ScaleByLR, whose output the Optimizer subtracts:
//
//	θ ← θ − u       (u is the output of the whole chain)
//
// This is the only place the sign appears: every transform maps a
// gradient-like u to a descent direction of the same sign, and ScaleByLR
// multiplies by +η.
//
// State is explicit: a parameter of n elements owns the buffers Init(n)
// returns, named by StateNames (the keys of Optimizer.State), and the
// Optimizer hands them back in each Slot. A Transform itself holds only
// hyperparameters, so one value may serve several optimizers (not
// concurrently: Update is not required to be safe for concurrent use).
type Transform interface {
	// Name names the transform in errors, e.g. "scale_by_adam".
	Name() string
	// StateNames names the per-parameter state buffers, in the order
	// Init returns them; nil or empty for a stateless transform.
	StateNames() []string
	// Init returns the initial state of a parameter of n elements:
	// len(StateNames()) new buffers of n elements each.
	Init(n int) [][]float32
	// Update rewrites slots[i].U in place for every parameter, reading
	// slots[i].P and updating slots[i].State(). It panics with an
	// "optim: <name>: parameter ...: state mismatch" message if a slot's
	// state does not have the count and lengths Init gives. Update must
	// not allocate.
	Update(slots []Slot)
}

// Slot is one parameter as a Transform sees it in Update.
type Slot struct {
	Name string    // the parameter's name, for errors
	U    []float32 // the update: the gradient when the chain starts, rewritten in place by each transform
	P    []float32 // the parameter's values, len(U) elements; transforms must not write them
	// Step is the 1-based count of updates of this parameter, this one
	// included (torch's per-parameter state["step"]): parameters skipped
	// for lack of a gradient do not advance.
	Step int
	// LR and WeightDecay are the hyperparameters of the parameter's group.
	LR, WeightDecay float32
	// Obj is the minibatch objective when the optimizer is stepped with
	// StepWith, nil with Step. Transforms that read it implement
	// ObjectiveUser.
	Obj Objective
	// Index is the parameter's position in Obj.Params() (and in the
	// optimizer's Params).
	Index int
	// G is the parameter's Grad data: the minibatch gradient, which a
	// transform that calls Obj.Gradient sees refreshed. Read only.
	G []float32
	// Shape is the parameter's shape (shared with its tensor; read only),
	// for transforms that treat matrices differently from vectors
	// (Adafactor). NewSlot leaves it nil: treat nil as a vector.
	Shape []int

	state  [][]float32 // all of the parameter's buffers
	lo, hi int         // the running transform's buffers: state[lo:hi]
}

// NewSlot returns a Slot over the given slices for running a Transform
// outside an Optimizer; state must come from t.Init(len(p)) of the
// transform it is passed to. The slot aliases all of its arguments.
func NewSlot(name string, u, p []float32, state [][]float32, step int, lr, weightDecay float32) Slot {
	return Slot{Name: name, U: u, P: p, Step: step, LR: lr, WeightDecay: weightDecay,
		state: state, hi: len(state)}
}

// State returns the state buffers of the transform being run: the
// buffers its Init made, in order. They alias the optimizer's state.
func (s *Slot) State() [][]float32 { return s.state[s.lo:s.hi] }

// stateOf checks that s carries want buffers of len(s.U) elements (and
// that P is as long as U), and returns them.
func stateOf(t Transform, s *Slot, want int) [][]float32 {
	st := s.State()
	if len(st) != want {
		stateMismatch(t.Name(), s, "%d state buffers, want %d %v", len(st), want, t.StateNames())
	}
	if len(s.P) != len(s.U) {
		stateMismatch(t.Name(), s, "len(P) = %d, len(U) = %d", len(s.P), len(s.U))
	}
	for k, b := range st {
		if len(b) != len(s.U) {
			stateMismatch(t.Name(), s, "buffer %q has %d elements, want %d", t.StateNames()[k], len(b), len(s.U))
		}
	}
	return st
}

// zeros returns k zeroed buffers of n elements in one allocation.
func zeros(k, n int) [][]float32 {
	if k == 0 {
		return nil
	}
	all := make([]float32, k*n)
	bufs := make([][]float32, k)
	for i := range bufs {
		bufs[i] = all[i*n : (i+1)*n : (i+1)*n]
	}
	return bufs
}

// ShapedState is implemented by transforms some of whose state buffers
// are not shaped like the parameter (Shampoo's per-mode statistics and
// roots). The optimizer makes such a transform's state with
// InitShape(shape) instead of Init(n), and State and LoadState store
// buffer k with shape StateShapes(shape)[k]. Chain implements it by
// delegation.
type ShapedState interface {
	// InitShape returns the initial state of a parameter of the given
	// shape: one buffer per state name, buffer k holding the product of
	// StateShapes(shape)[k] elements.
	InitShape(shape []int) [][]float32
	// StateShapes returns the shape of each state buffer.
	StateShapes(shape []int) [][]int
}

// initState returns t's initial state for a parameter of the given shape.
func initState(t Transform, shape []int) [][]float32 {
	if s, ok := t.(ShapedState); ok {
		return s.InitShape(shape)
	}
	return t.Init(numel(shape))
}

// stateShapes returns the shapes of t's state buffers for a parameter of
// the given shape: the parameter's shape unless t is a ShapedState.
func stateShapes(t Transform, shape []int) [][]int {
	if s, ok := t.(ShapedState); ok {
		return s.StateShapes(shape)
	}
	out := make([][]int, len(t.StateNames()))
	for k := range out {
		out[k] = shape
	}
	return out
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// chain is the Transform of Chain.
type chain struct {
	ts    []Transform
	names []string
	offs  []int // transform k owns buffers offs[k]:offs[k+1]
	name  string
}

// Chain returns the transform that runs ts in order, each on the updates
// the previous one produced (optax.chain). Its state is the concatenation
// of the transforms' states; a state name that occurs in more than one
// transform is qualified by the transform's index in the chain, "2.trace".
// Update panics with a clear message if a slot's state was not made by
// this chain's Init (wrong number of buffers), as optax fails on a
// mismatched state tuple. Chain panics if a transform is nil.
func Chain(ts ...Transform) Transform {
	c := &chain{ts: ts, offs: make([]int, len(ts)+1)}
	count := map[string]int{}
	names := make([]string, 0, len(ts))
	for k, t := range ts {
		if t == nil {
			panic(fmt.Sprintf("optim: chain: transform %d is nil", k))
		}
		names = append(names, t.Name())
		sn := t.StateNames()
		c.offs[k+1] = c.offs[k] + len(sn)
		for _, n := range sn {
			count[n]++
		}
	}
	for k, t := range ts {
		for _, n := range t.StateNames() {
			if count[n] > 1 {
				n = fmt.Sprintf("%d.%s", k, n)
			}
			c.names = append(c.names, n)
		}
	}
	c.name = "chain(" + strings.Join(names, ", ") + ")"
	return c
}

func (c *chain) Name() string         { return c.name }
func (c *chain) StateNames() []string { return c.names }

func (c *chain) Init(n int) [][]float32 {
	st := make([][]float32, 0, len(c.names))
	for _, t := range c.ts {
		b := t.Init(n)
		if len(b) != len(t.StateNames()) {
			panic(fmt.Sprintf("optim: chain: %s: Init returned %d buffers for %d state names",
				t.Name(), len(b), len(t.StateNames())))
		}
		st = append(st, b...)
	}
	return st
}

func (c *chain) InitShape(shape []int) [][]float32 {
	st := make([][]float32, 0, len(c.names))
	for _, t := range c.ts {
		b := initState(t, shape)
		if len(b) != len(t.StateNames()) {
			panic(fmt.Sprintf("optim: chain: %s: Init returned %d buffers for %d state names",
				t.Name(), len(b), len(t.StateNames())))
		}
		st = append(st, b...)
	}
	return st
}

func (c *chain) StateShapes(shape []int) [][]int {
	out := make([][]int, 0, len(c.names))
	for _, t := range c.ts {
		out = append(out, stateShapes(t, shape)...)
	}
	return out
}

func (c *chain) Update(slots []Slot) {
	total := c.offs[len(c.ts)]
	for i := range slots {
		if s := &slots[i]; s.hi-s.lo != total {
			stateMismatch(c.name, s, "%d state buffers, want %d %v", s.hi-s.lo, total, c.names)
		}
	}
	for k, t := range c.ts {
		lo, hi := c.offs[k], c.offs[k+1]
		for i := range slots {
			s := &slots[i]
			s.lo, s.hi = s.lo+lo, s.lo+hi
		}
		t.Update(slots)
		for i := range slots {
			s := &slots[i]
			s.lo -= lo
			s.hi = s.lo + total
		}
	}
}
