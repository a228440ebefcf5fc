package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gograd/gograd/autodiff"
)

// Linear is a fully connected layer, y = x·Wᵀ + b, as torch.nn.Linear.
// It maps x [N, In] to y [N, Out].
type Linear struct {
	mode
	In, Out int
	Weight  *autodiff.Var // [Out, In]
	Bias    *autodiff.Var // [Out], or nil without bias
}

// NewLinear returns a Linear layer from in to out features, initialised
// as PyTorch does: the weight and then the bias drawn from U(−1/√in,
// 1/√in) by rng. It accepts the option WithoutBias. It panics if in or out
// is not positive.
func NewLinear(in, out int, rng *rand.Rand, opts ...Option) *Linear {
	c := newConfig("newlinear", optBias, opts)
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("nn: newlinear: in = %d, out = %d, want both > 0", in, out))
	}
	b := initBound(in)
	l := &Linear{In: in, Out: out, Weight: uniformParam("weight", rng, b, out, in)}
	if c.bias {
		l.Bias = uniformParam("bias", rng, b, out)
	}
	return l
}

// Forward returns x·Wᵀ + b for x [N, In].
func (l *Linear) Forward(x *autodiff.Var) *autodiff.Var {
	return autodiff.Linear(x, l.Weight, l.Bias)
}

// State returns "weight" and, with a bias, "bias".
func (l *Linear) State() []NamedParam {
	st := []NamedParam{{Name: "weight", Var: l.Weight}}
	if l.Bias != nil {
		st = append(st, NamedParam{Name: "bias", Var: l.Bias})
	}
	return st
}
