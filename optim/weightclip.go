package optim

import (
	"fmt"
	"math"

	"github.com/gograd/gograd/asm"
)

// WeightClip returns weight clipping (Arjovsky et al., "Wasserstein
// GAN"; METHODS 4.6) as the last transform of a chain: after the step,
//
//	θ ← clamp(θ − u, −c, c)
//
// implemented on the update, u ← θ − clamp(θ − u, −c, c), nudged by an
// ulp where rounding would leave the Optimizer's θ − u outside [−c, c],
// so max|θ| ≤ c holds exactly after every step (once a parameter has been
// updated). It has no state and panics if c is not positive and finite.
// Chain(base, WeightClip(c)) as built by the registry's "weight-clip" and
// NewWrapped runs fused when the base has a fused kernel: the base's
// kernel, then θ ← clamp(θ, −c, c) (asm.Clamp), which puts clipped
// elements on ±c exactly.
func WeightClip(c float32) Transform {
	if !(c > 0 && c < float32(math.Inf(1))) {
		panic(fmt.Sprintf("optim: weight_clip: invalid c %v", c))
	}
	return &weightClip{c: c}
}

type weightClip struct{ c float32 }

func (*weightClip) Name() string           { return "weight_clip" }
func (*weightClip) StateNames() []string   { return nil }
func (*weightClip) Init(n int) [][]float32 { return nil }

func (t *weightClip) Update(slots []Slot) {
	c := t.c
	inf32 := float32(math.Inf(1))
	for i := range slots {
		s := &slots[i]
		stateOf(t, s, 0)
		p := s.P[:len(s.U)]
		for j, u := range s.U {
			q := p[j] - u
			if q <= c && q >= -c {
				continue
			}
			q = max(-c, min(c, q))
			u = p[j] - q
			for p[j]-u > c {
				u = math.Nextafter32(u, inf32)
			}
			for p[j]-u < -c {
				u = math.Nextafter32(u, -inf32)
			}
			s.U[j] = u
		}
	}
}

// fusedPost is weight clipping on the fused path, where θ already holds
// the base step's θ − u: θ ← clamp(θ, −c, c) (asm.Clamp), so that an
// element outside [−c, c] lands on ±c exactly (the chain's, nudged by
// ulps so that θ − u stays inside, may sit an ulp or two inside ±c) and
// the others, NaNs included, are kept.
func (t *weightClip) fusedPost(p []float32, _ [][]float32, _ int) {
	asm.Clamp(p, -t.c, t.c)
}

func init() {
	registerWrapper("weight-clip", "adam", map[string]string{"c": "0.01"},
		func(base Transform, a *argParser) (Transform, error) {
			c := a.f64("c")
			if a.err != nil {
				return nil, a.err
			}
			if err := checkRange("weight-clip", "c", c, 0, math.MaxFloat32, true, false); err != nil {
				return nil, err
			}
			return Chain(base, WeightClip(float32(c))), nil
		})
}
