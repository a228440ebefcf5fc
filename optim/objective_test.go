package optim

import (
	"strings"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// quadObjective is f(θ) = ½ Σ hᵢ θᵢ² over one parameter.
type quadObjective struct {
	p *autodiff.Var
	h []float32
}

func (q *quadObjective) Params() []*autodiff.Var { return []*autodiff.Var{q.p} }

func (q *quadObjective) Loss() float32 {
	var s float32
	for i, v := range q.p.Value.Data() {
		s += 0.5 * q.h[i] * v * v
	}
	return s
}

func (q *quadObjective) Gradient() float32 {
	if q.p.Grad == nil {
		q.p.Grad = tensor.New(q.p.Value.Shape()...)
	}
	for i, v := range q.p.Value.Data() {
		q.p.Grad.Data()[i] = q.h[i] * v
	}
	return q.Loss()
}

func (q *quadObjective) HVP(v []*tensor.Tensor) []*tensor.Tensor {
	out := tensor.New(q.p.Value.Shape()...)
	for i, x := range v[0].Data() {
		out.Data()[i] = q.h[i] * x
	}
	return []*tensor.Tensor{out}
}

// newtonDiag is a test transform that divides the update by the Hessian
// diagonal it reads through the objective: one step solves a diagonal
// quadratic.
type newtonDiag struct{}

func (newtonDiag) Name() string           { return "newton_diag" }
func (newtonDiag) StateNames() []string   { return nil }
func (newtonDiag) Init(n int) [][]float32 { return nil }
func (newtonDiag) NeedsObjective() bool   { return true }
func (newtonDiag) Update(slots []Slot) {
	for i := range slots {
		s := &slots[i]
		ps := s.Obj.Params()
		ones := tensor.Full(1, ps[s.Index].Value.Shape()...)
		v := make([]*tensor.Tensor, len(ps))
		v[s.Index] = ones
		d := s.Obj.HVP(v)[s.Index].Data()
		for k := range s.U {
			s.U[k] /= d[k]
		}
	}
}

func TestStepWithObjective(t *testing.T) {
	p := autodiff.NewParam("w", tensor.FromSlice([]float32{1, -2, 4}, 3))
	q := &quadObjective{p: p, h: []float32{1e-2, 1, 1e2}}
	o, err := NewFromTransform("newton", []*autodiff.Var{p}, Chain(newtonDiag{}, ScaleByLR()), 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !o.NeedsObjective() {
		t.Fatal("NeedsObjective is false for a chain holding an objective user")
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "StepWith") {
				t.Errorf("Step on an objective optimizer: panic %v", r)
			}
		}()
		q.Gradient()
		o.Step()
	}()
	q.Gradient()
	o.StepWith(q)
	for i, v := range p.Value.Data() {
		if v != 0 {
			t.Errorf("θ[%d] = %v after one Newton step, want 0", i, v)
		}
	}
	other := autodiff.NewParam("v", tensor.New(3))
	func() {
		defer func() {
			if recover() == nil {
				t.Error("StepWith accepted an objective over other parameters")
			}
		}()
		o.StepWith(&quadObjective{p: other, h: q.h})
	}()
}
