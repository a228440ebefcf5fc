package optim

import (
	"fmt"
	"math"
)

// GradRegFD returns gradient regularization by a forward finite
// difference (Karakida et al., "Understanding Gradient Regularization in
// Deep Learning"; METHODS 4.5, partly verified: the identity and the
// formula are exact algebra, the paper's ε schedule is unverified, so ε
// is a constant here) as a transform placed before a base chain. The
// gradient of L_GR = L + (γ/2)·‖∇L‖², ∇L_GR = ∇L + γ·H·∇L, is
// approximated with one more gradient on the same minibatch ("ascent then
// descent"):
//
//	g = ∇L(θ)
//	u ← (1 − γ/ε)·g + (γ/ε)·∇L(θ + ε·g)
//
// It calls Slot.Obj.Gradient (StepWith), restores the parameters exactly
// from its state "gr_params" (scratch), and is exact on quadratics. With
// γ = ε it is USAM(ε). It panics unless γ ≥ 0 and ε > 0 are finite.
func GradRegFD(gamma, eps float64) Transform {
	if !(gamma >= 0 && gamma < inf && eps > 0 && eps < inf) {
		panic(fmt.Sprintf("optim: gr_fd: invalid gamma %v or eps %v", gamma, eps))
	}
	return &gradRegFD{gamma: gamma, eps: eps}
}

type gradRegFD struct{ gamma, eps float64 }

var gradRegNames = []string{"gr_params"}

func (*gradRegFD) Name() string           { return "gr_fd" }
func (*gradRegFD) StateNames() []string   { return gradRegNames }
func (*gradRegFD) Init(n int) [][]float32 { return zeros(1, n) }
func (*gradRegFD) NeedsObjective() bool   { return true }

func (t *gradRegFD) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		stateOf(t, &slots[i], 1)
	}
	gradientAt(stepObjective(t, slots), slots, 0, float32(t.eps), pickU)
	r := t.gamma / t.eps
	a, b := float32(1-r), float32(r)
	for i := range slots {
		s := &slots[i]
		g := s.G[:len(s.U)]
		for j, gj := range g {
			s.U[j] = a*s.U[j] + b*gj
		}
	}
	restoreParams(slots, 0)
}

// Flooding returns flooding (Ishida et al.; METHODS 4.5, related in the
// same paper) as a transform placed before a base chain: the gradient of
// L̃ = |L − b| + b,
//
//	u ← sign(L − b)·u          (sign(0) = 0)
//
// with L the minibatch loss at θ from Slot.Obj.Loss (one extra forward
// pass; StepWith). Below the flood level b the step ascends. It has no
// state and panics if b is not finite.
func Flooding(b float64) Transform {
	if math.IsNaN(b) || math.IsInf(b, 0) {
		panic(fmt.Sprintf("optim: flooding: invalid level %v", b))
	}
	return &flooding{b: b}
}

type flooding struct{ b float64 }

func (*flooding) Name() string           { return "flooding" }
func (*flooding) StateNames() []string   { return nil }
func (*flooding) Init(n int) [][]float32 { return nil }
func (*flooding) NeedsObjective() bool   { return true }

func (t *flooding) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		stateOf(t, &slots[i], 0)
	}
	l := float64(stepObjective(t, slots).Loss())
	var sign float32
	switch {
	case l > t.b:
		return
	case l < t.b:
		sign = -1
	}
	for i := range slots {
		u := slots[i].U
		for j := range u {
			u[j] *= sign
		}
	}
}

func init() {
	registerWrapper("gr-fd", "adam", map[string]string{"gamma": "0.01", "eps": "0.01"},
		func(base Transform, a *argParser) (Transform, error) {
			g, e := a.f64("gamma"), a.f64("eps")
			if a.err != nil {
				return nil, a.err
			}
			if err := checkNonNeg("gr-fd", "gamma", g); err != nil {
				return nil, err
			}
			if err := checkRange("gr-fd", "eps", e, 0, inf, true, true); err != nil {
				return nil, err
			}
			return Chain(GradRegFD(g, e), base), nil
		})
	registerWrapper("flooding", "adam", map[string]string{"b": "0.01"},
		func(base Transform, a *argParser) (Transform, error) {
			b := a.f64("b")
			if a.err != nil {
				return nil, a.err
			}
			if err := checkRange("flooding", "b", b, -inf, inf, true, true); err != nil {
				return nil, err
			}
			return Chain(Flooding(b), base), nil
		})
}
