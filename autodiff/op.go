package autodiff

import (
	"slices"

	"github.com/gograd/gograd/tensor"
)

// Op is one differentiable operation with its three rules side by side.
//
// Forward computes the output value from the inputs' values, allocating
// it with t.alloc (t may be nil: then it allocates on the heap), and keeps
// in the op only the residuals the other rules need. JVP returns the
// output's tangent from the inputs' tangents (a nil tangent is zero; it
// returns nil when the output tangent is zero). VJP stores in grads[i] the
// cotangent of input i for every input that needsGrad, given the output's
// cotangent g; it is written with ops on Vars so that it is itself
// differentiable in forward mode.
type Op interface {
	Name() string
	Forward(t *Tape, in []*Var) *tensor.Tensor
	JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor
	VJP(t *Tape, in []*Var, out, g *Var, grads []*Var)
}

// registry lists every op's name so that the tests can check that each op
// is covered by the op table.
var registry []string

// registerOp adds an op name to the registry and returns it.
func registerOp(name string) string {
	registry = append(registry, name)
	return name
}

// OpNames returns the names of all ops, sorted.
func OpNames() []string {
	names := slices.Clone(registry)
	slices.Sort(names)
	return names
}
