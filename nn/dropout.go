package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gograd/gograd/autodiff"
)

// Dropout zeroes each element with probability P in training mode and
// scales the others by 1/(1−P), as torch.nn.Dropout; in evaluation mode
// it is the identity. The mask is drawn from the generator given at
// construction, so a seed fixes the masks of a run.
type Dropout struct {
	mode
	P   float32
	rng *rand.Rand
}

// NewDropout returns a Dropout layer that draws its masks from rng. It
// panics if p is outside [0, 1) or rng is nil.
func NewDropout(p float32, rng *rand.Rand) *Dropout {
	if !(p >= 0 && p < 1) {
		panic(fmt.Sprintf("nn: newdropout: p = %v outside [0, 1)", p))
	}
	if rng == nil {
		panic("nn: newdropout: nil rng")
	}
	return &Dropout{P: p, rng: rng}
}

// Forward returns x with dropout applied in training mode, and x itself
// in evaluation mode or when P is 0.
func (l *Dropout) Forward(x *autodiff.Var) *autodiff.Var {
	if !l.Training() || l.P == 0 {
		return x
	}
	return autodiff.Dropout(x, l.P, l.rng)
}

// State returns nothing: the generator's position is not module state.
func (l *Dropout) State() []NamedParam { return nil }
