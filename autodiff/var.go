package autodiff

import (
	"fmt"

	"github.com/gograd/gograd/tensor"
)

// Var is a value in a computation, with its forward-mode tangent and, for
// parameters, its accumulated gradient.
type Var struct {
	// Value is the primal value. Ops never modify the values of their
	// inputs.
	Value *tensor.Tensor
	// Tangent is the forward-mode tangent, the same shape as Value; nil
	// means zero.
	Tangent *tensor.Tensor
	// Grad is the gradient accumulated by Tape.Backward for a parameter
	// (nil until the first backward pass that reaches it). Backward adds
	// to it, as PyTorch does; ZeroGrad clears it.
	Grad *tensor.Tensor
	// Name labels parameters (the state_dict key) and ops' outputs (the
	// op's name) in errors and dumps.
	Name string

	requiresGrad bool // a parameter: Backward fills Grad
	tape         *Tape
	recorded     bool  // the output of a recorded node: gradients flow through it
	cot          *Var  // cotangent accumulated during a backward pass
	leafSeen     bool  // listed in the tape's leaves during a backward pass
	pending      *node // the op that made v from parameters alone, before v met a tape
}

// NewParam returns a parameter: a leaf whose gradient Backward computes.
// It takes ownership of value.
func NewParam(name string, value *tensor.Tensor) *Var {
	return &Var{Value: value, Name: name, requiresGrad: true}
}

// Const returns a leaf that needs no gradient. It may carry a tangent.
func Const(value *tensor.Tensor) *Var { return &Var{Value: value, Name: "const"} }

// RequiresGrad reports whether v is a parameter.
func (v *Var) RequiresGrad() bool { return v.requiresGrad }

// SetRequiresGrad marks v as a parameter or not. Only leaves may change:
// it panics on the output of an op.
func (v *Var) SetRequiresGrad(b bool) {
	if v.tape != nil && v.recorded {
		panic(fmt.Sprintf("autodiff: setrequiresgrad: %s is the output of an op", v.Name))
	}
	v.requiresGrad = b
}

// ZeroGrad clears the accumulated gradient (keeping its memory).
func (v *Var) ZeroGrad() {
	if v.Grad != nil {
		v.Grad.Zero()
	}
}

// Shape returns the shape of the value.
func (v *Var) Shape() []int { return v.Value.Shape() }

// Tape returns the tape v belongs to, or nil for a leaf.
func (v *Var) Tape() *Tape { return v.tape }

// Item returns the value of a one-element Var.
func (v *Var) Item() float32 { return v.Value.Item() }

// needsGrad reports whether a gradient must flow into v.
func (v *Var) needsGrad() bool { return v.requiresGrad || v.recorded || v.pending != nil }

func (v *Var) String() string {
	return fmt.Sprintf("%s%v", v.Name, v.Value.Shape())
}
