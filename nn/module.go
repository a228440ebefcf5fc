package nn

import (
	"strconv"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// Module is a layer or a model: a function of one input with named state.
//
// Forward applies the module to x and returns its output. The inputs of a
// training step are bound to a tape with Tape.Input; the module's
// parameters are leaves, so the ops Forward applies are recorded on x's
// tape and Tape.Backward fills the parameters' Grad. Forward panics with
// a *tensor.ShapeError when x's shape does not fit the module.
//
// State returns the module's parameters and buffers in a fixed order,
// named by their state_dict keys as PyTorch names them ("weight", "bias",
// "running_mean"; "0.weight" inside a Sequential). The Vars are the live
// state, not copies.
//
// Train switches between training mode (true, the initial mode) and
// evaluation mode, for the module and everything it contains, and returns
// the previous mode. Dropout and BatchNorm behave differently in the two
// modes.
type Module interface {
	Forward(x *autodiff.Var) *autodiff.Var
	State() []NamedParam
	Train(on bool) (was bool)
}

// NamedParam is one entry of a module's state.
type NamedParam struct {
	// Name is the state_dict key, e.g. "0.weight".
	Name string
	// Var holds the value. For a trainable parameter it is a parameter
	// (autodiff.NewParam) whose Grad Backward fills; for a buffer it is
	// a constant leaf.
	Var *autodiff.Var
	// Buffer marks non-trainable state, such as BatchNorm's running
	// statistics, which optimizers must not update.
	Buffer bool
}

// Parameters returns the trainable parameters of m in State order: the
// list an optimizer updates.
func Parameters(m Module) []*autodiff.Var {
	var ps []*autodiff.Var
	for _, p := range m.State() {
		if !p.Buffer {
			ps = append(ps, p.Var)
		}
	}
	return ps
}

// NamedParameters returns the trainable entries of m's state, in order.
func NamedParameters(m Module) []NamedParam {
	var ps []NamedParam
	for _, p := range m.State() {
		if !p.Buffer {
			ps = append(ps, p)
		}
	}
	return ps
}

// NumParams returns the number of trainable scalars in m.
func NumParams(m Module) int {
	n := 0
	for _, p := range Parameters(m) {
		n += p.Value.Size()
	}
	return n
}

// ZeroGrad clears the gradients of m's parameters, keeping their memory.
func ZeroGrad(m Module) {
	for _, p := range Parameters(m) {
		p.ZeroGrad()
	}
}

// StateDict returns m's parameters and buffers by name. The tensors are
// the live values, not copies: save them before the next update. It
// panics if two entries share a name.
func StateDict(m Module) map[string]*tensor.Tensor {
	st := m.State()
	d := make(map[string]*tensor.Tensor, len(st))
	for _, p := range st {
		if _, dup := d[p.Name]; dup {
			panic("nn: statedict: duplicate key " + strconv.Quote(p.Name))
		}
		d[p.Name] = p.Var.Value
	}
	return d
}

// mode is the training flag that every module embeds. Its zero value is
// training mode, as a new PyTorch module is.
type mode struct{ eval bool }

// Train sets training mode (true) or evaluation mode and returns the
// previous mode.
func (m *mode) Train(on bool) bool {
	was := !m.eval
	m.eval = !on
	return was
}

// Training reports whether the module is in training mode.
func (m *mode) Training() bool { return !m.eval }

// bind returns p as a Var of x's tape when x has one, so that ops applied
// to p alone (a reshape of a per-channel weight) are recorded and its
// gradient flows; otherwise p itself.
func bind(x, p *autodiff.Var) *autodiff.Var {
	if t := x.Tape(); t != nil {
		return t.Bind(p)
	}
	return p
}

// Every layer is a Module.
var (
	_ Module = (*Linear)(nil)
	_ Module = (*Conv2d)(nil)
	_ Module = (*MaxPool2d)(nil)
	_ Module = (*AvgPool2d)(nil)
	_ Module = (*Flatten)(nil)
	_ Module = (*ReLU)(nil)
	_ Module = (*GELU)(nil)
	_ Module = (*Tanh)(nil)
	_ Module = (*Sigmoid)(nil)
	_ Module = (*Dropout)(nil)
	_ Module = (*BatchNorm)(nil)
	_ Module = (*LayerNorm)(nil)
	_ Module = (*Sequential)(nil)
)
