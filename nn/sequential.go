package nn

import (
	"strconv"

	"github.com/gograd/gograd/autodiff"
)

// Sequential applies its layers in order, as torch.nn.Sequential. The
// state of layer i is named with the prefix "i." ("0.weight", "2.bias").
type Sequential struct {
	mode
	Layers []Module
}

// NewSequential returns the composition of layers, first to last, and
// renames the Vars of their state to their full keys ("0.weight") so that
// errors and optimizer state name them as the state dict does.
func NewSequential(layers ...Module) *Sequential {
	s := &Sequential{Layers: layers}
	for _, p := range s.State() {
		p.Var.Name = p.Name
	}
	return s
}

// Forward applies the layers to x in order.
//
// A ReLU directly followed by a MaxPool2d runs as the pool followed by
// the ReLU: the two orders give the same values and the same derivatives
// of every order (where the window's maximum is positive both pick the
// same element, the first maximum; elsewhere both give 0 and pass no
// gradient), and the ReLU then touches kernel² times fewer elements.
func (s *Sequential) Forward(x *autodiff.Var) *autodiff.Var {
	for i := 0; i < len(s.Layers); i++ {
		if _, ok := s.Layers[i].(*ReLU); ok && i+1 < len(s.Layers) {
			if p, ok := s.Layers[i+1].(*MaxPool2d); ok {
				x = autodiff.ReLU(p.Forward(x))
				i++
				continue
			}
		}
		x = s.Layers[i].Forward(x)
	}
	return x
}

// State returns the layers' state, in layer order, each name prefixed by
// the layer's index and a dot.
func (s *Sequential) State() []NamedParam {
	var st []NamedParam
	for i, l := range s.Layers {
		prefix := strconv.Itoa(i) + "."
		for _, p := range l.State() {
			p.Name = prefix + p.Name
			st = append(st, p)
		}
	}
	return st
}

// Train sets the mode of the Sequential and of every layer, and returns
// the Sequential's previous mode.
func (s *Sequential) Train(on bool) bool {
	for _, l := range s.Layers {
		l.Train(on)
	}
	return s.mode.Train(on)
}
