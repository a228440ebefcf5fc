package autodiff

import (
	"fmt"
	"math/rand/v2"
)

// Dropout zeroes each element of x with probability p and scales the
// others by 1/(1-p) (inverted dropout, as torch.nn.functional.dropout in
// training mode), so that the expectation is unchanged. The mask, 0 or
// 1/(1-p) per element, is drawn from rng into a buffer of the tape's arena
// and enters the tape as an input without gradient: the result is
// Mul(x, mask), so its VJP is ḡ·mask and its JVP ẋ·mask. With p == 0 (and
// in evaluation, where callers pass 0 or skip the call) it returns x
// itself. It panics if p is outside [0, 1).
func Dropout(x *Var, p float32, rng *rand.Rand) *Var {
	if !(p >= 0 && p < 1) {
		panic(fmt.Sprintf("autodiff: dropout: probability %v outside [0, 1)", p))
	}
	if p == 0 {
		return x
	}
	t := x.tape
	m := t.alloc(x.Shape()...)
	fillDropoutMask(m.Data(), p, rng)
	mask := t.newVar()
	mask.Value = m
	mask.Name = "dropoutmask"
	return Mul(x, mask)
}

// fillDropoutMask sets each element to 0 with probability p and to
// 1/(1-p) otherwise, drawing two 32-bit uniforms per call to rng.
func fillDropoutMask(dst []float32, p float32, rng *rand.Rand) {
	keep := 1 / (1 - p)
	// An element is dropped when its uniform u in [0, 2³²) is below
	// p·2³²; p < 1 keeps the threshold below 2³².
	thr := uint32(float64(p) * (1 << 32))
	i := 0
	for ; i+1 < len(dst); i += 2 {
		r := rng.Uint64()
		dst[i], dst[i+1] = keep, keep
		if uint32(r) < thr {
			dst[i] = 0
		}
		if uint32(r>>32) < thr {
			dst[i+1] = 0
		}
	}
	if i < len(dst) {
		dst[i] = keep
		if uint32(rng.Uint64()) < thr {
			dst[i] = 0
		}
	}
}
