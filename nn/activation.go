package nn

import "github.com/gograd/gograd/autodiff"

// ReLU applies max(x, 0) elementwise. It has no state.
type ReLU struct{ mode }

// NewReLU returns a ReLU layer.
func NewReLU() *ReLU { return &ReLU{} }

// Forward returns max(x, 0), the same shape as x.
func (*ReLU) Forward(x *autodiff.Var) *autodiff.Var { return autodiff.ReLU(x) }

// State returns nothing.
func (*ReLU) State() []NamedParam { return nil }

// GELU applies x·Φ(x) elementwise (the exact form, torch.nn.GELU's
// default). It has no state.
type GELU struct{ mode }

// NewGELU returns a GELU layer.
func NewGELU() *GELU { return &GELU{} }

// Forward returns x·Φ(x), the same shape as x.
func (*GELU) Forward(x *autodiff.Var) *autodiff.Var { return autodiff.GELU(x) }

// State returns nothing.
func (*GELU) State() []NamedParam { return nil }

// Tanh applies tanh elementwise. It has no state.
type Tanh struct{ mode }

// NewTanh returns a Tanh layer.
func NewTanh() *Tanh { return &Tanh{} }

// Forward returns tanh(x), the same shape as x.
func (*Tanh) Forward(x *autodiff.Var) *autodiff.Var { return autodiff.Tanh(x) }

// State returns nothing.
func (*Tanh) State() []NamedParam { return nil }

// Sigmoid applies 1/(1+e⁻ˣ) elementwise. It has no state.
type Sigmoid struct{ mode }

// NewSigmoid returns a Sigmoid layer.
func NewSigmoid() *Sigmoid { return &Sigmoid{} }

// Forward returns 1/(1+e⁻ˣ), the same shape as x.
func (*Sigmoid) Forward(x *autodiff.Var) *autodiff.Var { return autodiff.Sigmoid(x) }

// State returns nothing.
func (*Sigmoid) State() []NamedParam { return nil }

// Flatten reshapes [N, d1, d2, …] to [N, d1·d2·…] without copying, as
// torch.nn.Flatten with its defaults. It has no state.
type Flatten struct{ mode }

// NewFlatten returns a Flatten layer.
func NewFlatten() *Flatten { return &Flatten{} }

// Forward returns x reshaped to [N, rest], sharing memory.
func (*Flatten) Forward(x *autodiff.Var) *autodiff.Var { return autodiff.Flatten(x) }

// State returns nothing.
func (*Flatten) State() []NamedParam { return nil }
