package optim

import (
	"fmt"

	"github.com/gograd/gograd/asm"
)

// Lookahead returns the Lookahead wrapper (Zhang et al., "Lookahead
// Optimizer: k steps forward, 1 step back"; METHODS 4.2, verified against
// optax lookahead.py and pytorch_optimizer lookahead.py) around base, a
// complete chain ending in ScaleByLR: the base updates the fast weights θ,
// and every k steps of a parameter the slow weights φ (initialised to θ₀)
// pull them back:
//
//	θ' = θ − u                         (the base step)
//	every k-th step:  φ ← φ + α·(θ' − φ) ;  θ ← φ
//
// implemented on the update, u ← θ − φ, so the Optimizer's θ ← θ − u
// lands on φ (up to one rounding; with α = 1 u is left exactly as the
// base made it). Inner momentum is kept as is (no reset or pull-back).
// The state is the base's followed by "lookahead_slow" (φ). It is an
// ObjectiveUser if base is. Lookahead panics if base is nil, k < 1 or α
// is outside [0, 1]. The registry's "lookahead" and NewLookahead run it
// fused when the base has a fused kernel: the base's kernel, then every
// k-th step asm.LookaheadSync, after which θ = φ bit for bit.
func Lookahead(base Transform, k int, alpha float64) Transform {
	if base == nil || k < 1 || !(alpha >= 0 && alpha <= 1) {
		panic(fmt.Sprintf("optim: lookahead: invalid base %v, k %d or alpha %v", base, k, alpha))
	}
	names := append(append([]string(nil), base.StateNames()...), "lookahead_slow")
	return &lookahead{base: base, k: k, alpha: alpha, names: names}
}

type lookahead struct {
	base  Transform
	k     int
	alpha float64
	names []string
}

func (t *lookahead) Name() string         { return "lookahead(" + t.base.Name() + ")" }
func (t *lookahead) StateNames() []string { return t.names }
func (t *lookahead) NeedsObjective() bool { return needsObjective(t.base) }
func (t *lookahead) Init(n int) [][]float32 {
	return append(t.base.Init(n), make([]float32, n))
}
func (t *lookahead) InitShape(shape []int) [][]float32 {
	return append(initState(t.base, shape), make([]float32, numel(shape)))
}
func (t *lookahead) StateShapes(shape []int) [][]int {
	return append(stateShapes(t.base, shape), shape)
}

func (t *lookahead) Update(slots []Slot) {
	nb := len(t.names) - 1
	for i := range slots {
		s := &slots[i]
		st := s.State()
		if len(st) != nb+1 || len(st[nb]) != len(s.U) || len(s.P) != len(s.U) {
			stateMismatch(t.Name(), s, "%d state buffers, want %d %v", len(st), nb+1, t.names)
		}
		if s.Step == 1 {
			copy(st[nb], s.P)
		}
	}
	runInner(t.base, slots, 0, nb, nb+1)
	a, oma := float32(t.alpha), float32(1-t.alpha)
	for i := range slots {
		s := &slots[i]
		if s.Step%t.k != 0 {
			continue
		}
		phi, p, u := s.State()[nb][:len(s.U)], s.P[:len(s.U)], s.U
		if t.alpha == 1 {
			for j := range phi {
				phi[j] = p[j] - u[j]
			}
			continue
		}
		for j := range phi {
			f := oma*phi[j] + a*(p[j]-u[j])
			phi[j] = f
			u[j] = p[j] - f
		}
	}
}

func init() {
	registerWrapper("lookahead", "adam", map[string]string{"k": "5", "alpha": "0.5"},
		func(base Transform, a *argParser) (Transform, error) {
			k, alpha := a.f64("k"), a.f64("alpha")
			if a.err != nil {
				return nil, a.err
			}
			if err := checkRange("lookahead", "k", k, 1, 1e9, false, false); err != nil || k != float64(int(k)) {
				return nil, &HyperparameterError{Optimizer: "lookahead", Name: "k", Value: k, Want: "must be an integer >= 1"}
			}
			if err := checkRange("lookahead", "alpha", alpha, 0, 1, false, false); err != nil {
				return nil, err
			}
			return Lookahead(base, int(k), alpha), nil
		})
}

// NewLookahead returns Lookahead(base's transform, k, α) as an optimizer
// over base's parameters (its first group's LR and weight decay; base's
// other groups are not carried over), named "lookahead(<base>)". When
// base has an elementwise or whole-parameter fused kernel, the result has
// a fused path too (base's kernel, then the sync pass; see fusedPost),
// selected if base's is; the state is the chain's either way. It returns
// a *HyperparameterError for k < 1 or α outside [0, 1].
func NewLookahead(base *Optimizer, k int, alpha float64) (*Optimizer, error) {
	if k < 1 {
		return nil, &HyperparameterError{Optimizer: "lookahead", Name: "k", Value: float64(k), Want: "must be an integer >= 1"}
	}
	if err := checkRange("lookahead", "alpha", alpha, 0, 1, false, false); err != nil {
		return nil, err
	}
	o, err := newWrapped("lookahead("+base.Name()+")", base.Params(), Lookahead(base.Transform(), k, alpha),
		base.LR(), base.groups[0].WeightDecay, base)
	if err == nil {
		o.SetFused(base.Fused())
	}
	return o, err
}

// fusedPre is Lookahead's work before the base step on the fused path:
// on a parameter's first step the slow weights start from θ₀.
func (t *lookahead) fusedPre(p []float32, own [][]float32, step int) {
	if step == 1 {
		copy(own[0], p)
	}
}

// fusedPost is Lookahead's work after the base step on the fused path,
// where θ already holds the fast weights θ' = θ − u: every k-th step
// φ ← (1−α)·φ + α·θ' (the chain's arithmetic) and θ ← φ, so that θ equals
// φ bit for bit after a sync (the chain's θ − (θ − φ) is within an ulp of
// it); with α = 1, φ ← θ' and θ is left as the base made it.
func (t *lookahead) fusedPost(p []float32, own [][]float32, step int) {
	if step%t.k != 0 {
		return
	}
	if t.alpha == 1 {
		copy(own[0], p)
		return
	}
	asm.LookaheadSync(p, own[0], t.alpha)
}
