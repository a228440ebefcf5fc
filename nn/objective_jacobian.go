package nn

import (
	"fmt"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// LogitJacobian returns the minibatch's logits z (b×C), its labels, C,
// and the Jacobian of all logits with respect to the parameters: b·C
// rows of d elements (d = the total size of Params(), flattened in
// order), row i·C+c = ∂z_ic/∂θ (it satisfies optim.JacobianObjective).
//
// Each row is one reverse-mode pass of the scalar z_ic on a forward pass
// of sample i alone, so the cost is b·C single-sample forward and
// backward passes and b·C·d floats of memory: correctness over speed,
// for small models (EGN). The per-sample forward assumes the model
// treats samples independently (no batch statistics: BatchNorm in
// training mode gives a different function on one sample). It panics if
// no batch is set or the model's output is not b×C.
func (o *Objective) LogitJacobian() (z []float32, labels []int32, classes int, jac [][]float32) {
	if o.x == nil {
		panic("nn: objective: logitjacobian: no batch (SetBatch)")
	}
	b := len(o.labels)
	was := o.tape.SetRecording(false)
	logits := o.model.Forward(o.tape.Input(o.x)).Value
	o.tape.SetRecording(was)
	if sh := logits.Shape(); len(sh) != 2 || sh[0] != b {
		panic(fmt.Sprintf("nn: objective: logitjacobian: logits of shape %v for %d labels", sh, b))
	}
	classes = logits.Shape()[1]
	z = append([]float32(nil), logits.Contiguous().Data()...)
	o.tape.Reset()
	d := 0
	for _, p := range o.params {
		d += p.Value.Size()
	}
	jac = make([][]float32, b*classes)
	onehot := tensor.New(1, classes)
	sel := autodiff.Const(onehot)
	for i := range b {
		xi := o.x.Slice(i, i+1)
		for c := range classes {
			onehot.Zero()
			onehot.Data()[c] = 1
			f := func(t *autodiff.Tape) *autodiff.Var {
				return autodiff.Sum(autodiff.Mul(o.model.Forward(t.Input(xi)), sel))
			}
			_, gs := autodiff.Grad(f, o.params)
			row := make([]float32, 0, d)
			for _, g := range gs {
				row = append(row, g.Contiguous().Data()...)
			}
			jac[i*classes+c] = row
		}
	}
	return z, append([]int32(nil), o.labels...), classes, jac
}
