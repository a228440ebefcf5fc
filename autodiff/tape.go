package autodiff

import (
	"fmt"
	"slices"

	"github.com/gograd/gograd/tensor"
)

// Tape records the ops of a computation in order (a Wengert list) and owns
// the memory of their results.
//
// A new tape records. Reset forgets the records and recycles the memory:
// Vars and tensors produced since the last Reset are then invalid. A tape
// is not safe for concurrent use.
type Tape struct {
	nodes     []node
	recording bool

	// The arena: tensors and Vars are handed out in order and reused
	// after Reset when the same shapes come again.
	bufs   []*tensor.Tensor
	nbuf   int
	vars   [][]Var
	nvar   int
	leaves []*Var   // leaves reached by the current backward pass
	grads  []*Var   // scratch for VJP results
	ins    [][]*Var // recycled input lists of nodes
	// adopted lists the pending nodes recorded since the last Reset;
	// Reset makes them pending again, so that a tape-less result kept
	// across steps passes gradients on every step.
	adopted []*node
}

type node struct {
	op  Op
	in  []*Var
	out *Var
}

const varChunk = 128

// NewTape returns an empty tape that records.
func NewTape() *Tape { return &Tape{recording: true} }

// Recording reports whether ops applied to this tape's Vars are recorded.
func (t *Tape) Recording() bool { return t.recording }

// SetRecording turns recording on or off and returns the previous setting.
// With recording off the tape is only an arena (forward mode).
func (t *Tape) SetRecording(on bool) bool {
	old := t.recording
	t.recording = on
	return old
}

// Len returns the number of recorded ops.
func (t *Tape) Len() int { return len(t.nodes) }

// Reset forgets all records and recycles the arena. Every Var and tensor
// the tape produced becomes invalid.
func (t *Tape) Reset() {
	for i := range t.nodes {
		n := &t.nodes[i]
		t.ins = append(t.ins, n.in[:0])
		*n = node{}
	}
	t.nodes = t.nodes[:0]
	for i, p := range t.adopted {
		p.out.tape, p.out.recorded, p.out.cot = nil, false, nil
		p.out.pending = p
		t.adopted[i] = nil
	}
	t.adopted = t.adopted[:0]
	t.nbuf = 0
	t.nvar = 0
}

// Input binds a value to the tape as a leaf that needs no gradient: the
// data of a step. Its tangent is nil.
func (t *Tape) Input(value *tensor.Tensor) *Var {
	v := t.newVar()
	v.Value = value
	v.Name = "input"
	return v
}

// Bind returns a Var of this tape that stands for the leaf p (a parameter
// or constant): ops on it are recorded even when no other input comes from
// the tape, and its gradient flows to p. Use it in a Func whose only
// inputs are parameters.
func (t *Tape) Bind(p *Var) *Var { return applyOn(t, identity, []*Var{p}) }

// identityOp passes its input through, sharing memory.
type identityOp struct{}

var (
	identityName = registerOp("identity")
	identity     = &identityOp{}
)

func (identityOp) Name() string { return identityName }

func (identityOp) Forward(t *Tape, in []*Var) *tensor.Tensor { return in[0].Value }

func (identityOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor { return in[0].Tangent }

func (identityOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) { grads[0] = g }

// Ops lists the names of the recorded ops in order, for debugging.
func (t *Tape) Ops() []string {
	names := make([]string, len(t.nodes))
	for i, n := range t.nodes {
		names[i] = n.op.Name()
	}
	return names
}

// newVar returns a zeroed Var from the arena, bound to t.
func (t *Tape) newVar() *Var {
	if t == nil {
		return &Var{}
	}
	c, i := t.nvar/varChunk, t.nvar%varChunk
	if c == len(t.vars) {
		t.vars = append(t.vars, make([]Var, varChunk))
	}
	t.nvar++
	v := &t.vars[c][i]
	*v = Var{tape: t}
	return v
}

// alloc returns a tensor of the given shape whose contents are
// unspecified: the caller overwrites every element. On a nil tape it
// allocates.
func (t *Tape) alloc(shape ...int) *tensor.Tensor {
	if t == nil {
		return tensor.New(shape...)
	}
	if t.nbuf < len(t.bufs) {
		b := t.bufs[t.nbuf]
		if !slices.Equal(b.Shape(), shape) {
			b = reshapeBuffer(b, shape)
			t.bufs[t.nbuf] = b
		}
		t.nbuf++
		return b
	}
	b := tensor.New(shape...)
	t.bufs = append(t.bufs, b)
	t.nbuf++
	return b
}

// reshapeBuffer reuses b's memory for a new shape when it is large enough.
func reshapeBuffer(b *tensor.Tensor, shape []int) *tensor.Tensor {
	n := 1
	for _, s := range shape {
		n *= s
	}
	d := b.Data()
	if cap(d) >= n {
		return tensor.FromSlice(d[:n:cap(d)], shape...)
	}
	return tensor.New(shape...)
}

// zeros returns a zero-filled tensor from the arena.
func (t *Tape) zeros(shape ...int) *tensor.Tensor {
	b := t.alloc(shape...)
	b.Zero()
	return b
}

// tapeOf returns the tape shared by the inputs, or nil if all are leaves.
// It panics if inputs come from two different tapes.
func tapeOf(op string, in []*Var) *Tape {
	var t *Tape
	for _, v := range in {
		if v.tape == nil {
			continue
		}
		if t != nil && v.tape != t {
			panic(fmt.Sprintf("autodiff: %s: inputs come from different tapes", op))
		}
		t = v.tape
	}
	return t
}

// apply runs op on the inputs: the forward value, the tangent when an
// input has one, and a record on the tape when recording and an input
// needs a gradient. It is the only place that records.
func apply(op Op, in ...*Var) *Var {
	return applyOn(tapeOf(op.Name(), in), op, in)
}

// opHook, when set (by tests), is told the name of every op applied.
var opHook func(name string)

// applyOn is apply on a given tape (nil for the heap).
func applyOn(t *Tape, op Op, in []*Var) *Var {
	if opHook != nil {
		opHook(op.Name())
	}
	val := op.Forward(t, in)
	out := t.newVar()
	out.Value = val
	out.Name = op.Name()
	for _, v := range in {
		if v.Tangent != nil {
			out.Tangent = op.JVP(t, in, out)
			break
		}
	}
	for _, v := range in {
		if !v.needsGrad() {
			continue
		}
		switch {
		case t == nil:
			// No tape yet (an op on parameters alone, such as reshaping a
			// weight): keep the record with the result until it meets a
			// tape.
			out.pending = &node{op: op, in: in, out: out}
		case t.recording:
			t.adoptPending(in)
			t.record(op, in, out)
		}
		break
	}
	return out
}

// adoptPending records, in creation order, the tape-less ops that produced
// any of in, so that gradients reach the parameters behind them. Every
// pending node was created before the op being recorded now, so appending
// them first keeps the tape in a valid order.
func (t *Tape) adoptPending(in []*Var) {
	for _, v := range in {
		p := v.pending
		if p == nil {
			continue
		}
		v.pending = nil
		t.adoptPending(p.in)
		v.tape = t
		t.adopted = append(t.adopted, p)
		t.record(p.op, p.in, p.out)
	}
}

func (t *Tape) record(op Op, in []*Var, out *Var) {
	var list []*Var
	if k := len(t.ins); k > 0 {
		list = t.ins[k-1]
		t.ins = t.ins[:k-1]
	}
	list = append(list, in...)
	out.recorded = true
	t.nodes = append(t.nodes, node{op: op, in: list, out: out})
}
