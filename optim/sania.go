package optim

import (
	"math"

	"github.com/gograd/gograd/autodiff"
)

// SANIAConfig holds the hyperparameters of NewSANIA.
type SANIAConfig struct {
	Eps float64 // ε > 0, the floor of the accumulated S
}

// DefaultSANIA returns METHODS.md 2.8's default ε = 0.1.
func DefaultSANIA() SANIAConfig { return SANIAConfig{Eps: 0.1} }

// NewSANIA returns SANIA's AdaGrad-SQR variant (Abdukhakimov et al.,
// "SANIA: Polyak-type Optimization Framework Leads to Scale Invariant
// Stochastic Algorithms"), METHODS.md 2.8 (verified against a
// SANIA_AdagradSQR reference). With f the minibatch loss (one forward
// pass through the objective: step with StepWith):
//
//	S ← S + g² ;  B = max(S, ε)            (no square root)
//	d = g / B ;  q = ⟨d, g⟩                  (over all updated parameters)
//	γ = 1 − √(1 − 2f/q)  if 2f ≤ q and 1 − 2f/q > 0, else γ = 1
//	θ ← θ − γ·d
//
// The rule assumes an optimal loss of 0 and has no learning rate: the
// optimizer's lr is fixed at 1 and multiplies the step (ScaleByLR), so
// SetLR acts as a damping factor. The state is "sum_sq" (S). NewSANIA
// returns a *HyperparameterError for a non-positive or non-finite ε.
func NewSANIA(params []*autodiff.Var, cfg SANIAConfig) (*Optimizer, error) {
	if err := checkRange("sania", "eps", cfg.Eps, 0, inf, true, true); err != nil {
		return nil, err
	}
	return NewFromTransform("sania", params, Chain(ScaleBySANIA(cfg.Eps), ScaleByLR()), 1, 0)
}

// ScaleBySANIA returns SANIA's transform, u = γ·d (see NewSANIA). It
// reads the loss through Slot.Obj.
func ScaleBySANIA(eps float64) Transform { return &scaleBySANIA{eps: eps} }

type scaleBySANIA struct{ eps float64 }

func (*scaleBySANIA) Name() string           { return "scale_by_sania" }
func (*scaleBySANIA) StateNames() []string   { return []string{"sum_sq"} }
func (*scaleBySANIA) Init(n int) [][]float32 { return zeros(1, n) }
func (*scaleBySANIA) NeedsObjective() bool   { return true }

func (a *scaleBySANIA) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		stateOf(a, &slots[i], 1)
	}
	f := float64(objectiveOf(a, slots).Loss())
	eps := float32(a.eps)
	var q float64
	for i := range slots {
		s := &slots[i]
		sum := s.State()[0]
		for j, g := range s.U {
			sum[j] += g * g
			d := g / max(sum[j], eps)
			q += float64(d) * float64(g)
			s.U[j] = d
		}
	}
	gamma := 1.0
	if r := 1 - 2*f/q; 2*f <= q && r > 0 {
		gamma = 1 - math.Sqrt(r)
	}
	for i := range slots {
		u := slots[i].U
		for j := range u {
			u[j] *= float32(gamma)
		}
	}
}

func init() {
	c := DefaultSANIA()
	// No lr or weight_decay arguments: SANIA has neither, and New's lr and
	// wd overrides (cmd/train's -lr default) are ignored.
	register("sania", map[string]string{"eps": f64(c.Eps)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := SANIAConfig{Eps: a.f64("eps")}
			if a.err != nil {
				return nil, a.err
			}
			return NewSANIA(ps, c)
		})
}
