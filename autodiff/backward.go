package autodiff

import (
	"fmt"

	"github.com/gograd/gograd/asm"

	"github.com/gograd/gograd/tensor"
)

// Backward computes the gradient of a scalar loss with respect to every
// parameter it depends on and adds it to the parameter's Grad (allocated
// on first use), as loss.backward() does in PyTorch. Fan-out accumulates;
// the order is the tape's, so results are deterministic.
//
// Backward panics if loss is not a one-element Var of this tape. It may be
// called once per recording: the records stay until Reset.
func (t *Tape) Backward(loss *Var) {
	t.backward(loss)
	for _, p := range t.leaves {
		c := p.cot
		p.cot, p.leafSeen = nil, false
		if p.Grad == nil {
			p.Grad = tensor.New(p.Value.Shape()...)
		}
		accumulate(p.Grad, c.Value)
	}
	t.leaves = t.leaves[:0]
}

// backward propagates cotangents from loss to the leaves. It leaves each
// parameter's cotangent in p.cot and lists the parameters in t.leaves.
func (t *Tape) backward(loss *Var) {
	if loss.tape != t {
		panic("autodiff: backward: loss does not belong to this tape")
	}
	if loss.Value.Size() != 1 {
		panic(fmt.Sprintf("autodiff: backward: loss has shape %v, want one element", loss.Value.Shape()))
	}
	wasRecording := t.SetRecording(false)
	defer t.SetRecording(wasRecording)

	seed := t.newVar()
	seed.Value = t.alloc(loss.Value.Shape()...)
	seed.Value.Fill(1)
	seed.Name = "seed"
	loss.cot = seed
	t.leaves = t.leaves[:0]
	if loss.requiresGrad {
		t.leaves = append(t.leaves, loss)
	}

	for i := len(t.nodes) - 1; i >= 0; i-- {
		n := &t.nodes[i]
		g := n.out.cot
		if g == nil {
			continue
		}
		n.out.cot = nil
		grads := t.gradScratch(len(n.in))
		n.op.VJP(t, n.in, n.out, g, grads)
		for j, in := range n.in {
			c := grads[j]
			grads[j] = nil
			if c == nil || !in.needsGrad() {
				continue
			}
			if !tensor.SameShape(c.Value, in.Value) {
				panic(&tensor.ShapeError{Op: n.op.Name() + " vjp", Reason: fmt.Sprintf("cotangent of input %d has the wrong shape", j),
					Shapes: [][]int{c.Value.Shape(), in.Value.Shape()}})
			}
			if in.cot == nil {
				in.cot = c
			} else {
				in.cot = Add(in.cot, c)
			}
			if in.requiresGrad && !in.leafSeen {
				in.leafSeen = true
				t.leaves = append(t.leaves, in)
			}
		}
	}
}

func (t *Tape) gradScratch(n int) []*Var {
	if cap(t.grads) < n {
		t.grads = make([]*Var, n)
	}
	return t.grads[:n]
}

// accumulate adds src into dst elementwise.
func accumulate(dst, src *tensor.Tensor) {
	asm.Axpy(dst.Data(), 1, src.Data())
}
