package optim

import (
	"fmt"
	"math"

	"github.com/gograd/gograd/asm"
)

// GAMConfig holds the hyperparameters of GAM.
type GAMConfig struct {
	Rho      float64 // ρ ≥ 0, radius of the SAM ascent steps
	RhoPrime float64 // ρ' ≥ 0, radius of the gradient-norm ascent step
	Beta1    float64 // β1, weight of the SAM gradient g1 in d
	Beta2    float64 // β2, weight |β2| of g2 in p
	Beta3    float64 // β3, weight of g3 in d
	Gamma    float64 // γ, strength of the projection
}

// DefaultGAM returns the authors' CIFAR-10 ResNet settings (xxgege/GAM
// main_cifar.py): ρ = 0.03, ρ' = 0.2, β1 = 0.1, β2 = 0.9, β3 = 0.9,
// γ = 0.05.
func DefaultGAM() GAMConfig {
	return GAMConfig{Rho: 0.03, RhoPrime: 0.2, Beta1: 0.1, Beta2: 0.9, Beta3: 0.9, Gamma: 0.05}
}

// GAM returns gradient-norm-aware minimization (Zhang et al.; METHODS
// 4.4, verified against xxgege/GAM gam/gam.py @3b5c7eb) as a transform
// placed before a base chain, Chain(GAM(cfg), base...). With four
// gradients on the same minibatch (g0 is the incoming u; three more from
// Slot.Obj.Gradient, so it needs StepWith) and norms global over all
// parameters:
//
//	g1 = ∇L(θ + ρ·g0/‖g0‖)
//	h = g1 − g0 ;  θ2 = θ + ρ'·h/‖h‖ ;  g2 = ∇L(θ2)
//	g3 = ∇L(θ2 + ρ·g2/‖g2‖)
//	p = g0 + |β2|·g2 ;  d = β1·g1 + β3·g3
//	cosφ = ⟨p,d⟩/(‖p‖‖d‖) ;  u ← d − γ·(p − cosφ·‖p‖·d/‖d‖)
//
// A zero norm makes its direction zero. The parameters are restored
// exactly from a copy. State: "gam_params" (the copy) and "gam_d" (d),
// both scratch. With γ = 0, β1 = 1, β3 = 0 it is SAM(ρ). GAM panics if
// ρ or ρ' is negative or a hyperparameter is not finite.
func GAM(cfg GAMConfig) Transform {
	for _, x := range []float64{cfg.Beta1, cfg.Beta2, cfg.Beta3, cfg.Gamma} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			panic(fmt.Sprintf("optim: gam: invalid hyperparameters %+v", cfg))
		}
	}
	if !(cfg.Rho >= 0 && cfg.Rho < inf && cfg.RhoPrime >= 0 && cfg.RhoPrime < inf) {
		panic(fmt.Sprintf("optim: gam: invalid hyperparameters %+v", cfg))
	}
	return &gam{cfg: cfg}
}

type gam struct{ cfg GAMConfig }

var gamNames = []string{"gam_params", "gam_d"}

func (*gam) Name() string           { return "gam" }
func (*gam) StateNames() []string   { return gamNames }
func (*gam) Init(n int) [][]float32 { return zeros(2, n) }
func (*gam) NeedsObjective() bool   { return true }

// invNorm returns r/√ss, or 0 when ss is 0.
func invNorm(r, ss float64) float32 {
	if ss == 0 {
		return 0
	}
	return float32(r / math.Sqrt(ss))
}

func (t *gam) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		stateOf(t, &slots[i], 2)
	}
	c := t.cfg
	obj := stepObjective(t, slots)
	// g1 at the SAM point.
	gradientAt(obj, slots, 0, invNorm(c.Rho, sumSq(slots, pickU)), pickU)
	var hh float64
	for i := range slots {
		s := &slots[i]
		d, g1 := s.State()[1], s.G[:len(s.U)]
		for j, g := range g1 {
			d[j] = float32(c.Beta1) * g
		}
		hh += diffSumSq(g1, s.U)
	}
	// θ2 = θ + ρ'·(g1 − g0)/‖h‖, then g2.
	a := invNorm(c.RhoPrime, hh)
	for i := range slots {
		s := &slots[i]
		p, th, g1, g0 := s.P[:len(s.U)], s.State()[0], s.G, s.U
		for j := range p {
			p[j] = th[j] + a*(g1[j]-g0[j])
		}
	}
	obj.Gradient()
	b2 := float32(math.Abs(c.Beta2))
	for i := range slots { // u ← p = g0 + |β2|·g2
		s := &slots[i]
		g2 := s.G[:len(s.U)]
		for j, g := range g2 {
			s.U[j] += b2 * g
		}
	}
	a = invNorm(c.Rho, sumSq(slots, pickG))
	for i := range slots { // θ2 + ρ·g2/‖g2‖, then g3
		s := &slots[i]
		p, g2 := s.P[:len(s.U)], s.G
		for j := range p {
			p[j] += a * g2[j]
		}
	}
	obj.Gradient()
	var pd, dd float64
	for i := range slots { // d += β3·g3
		s := &slots[i]
		d, g3 := s.State()[1], s.G[:len(s.U)]
		for j, g := range g3 {
			d[j] += float32(c.Beta3) * g
		}
		pd += float64(asm.Dot(s.U, d))
		dd += float64(asm.Dot(d, d))
	}
	pp := sumSq(slots, pickU)
	var cos float64
	if pp > 0 && dd > 0 {
		cos = pd / math.Sqrt(pp*dd)
	}
	gm := float32(c.Gamma)
	k := float32(0)
	if dd > 0 {
		k = float32(cos * math.Sqrt(pp) / math.Sqrt(dd))
	}
	for i := range slots { // u ← d − γ·(p − cosφ·‖p‖·d/‖d‖)
		s := &slots[i]
		d := s.State()[1]
		for j, pj := range s.U {
			s.U[j] = d[j] - gm*(pj-k*d[j])
		}
	}
	restoreParams(slots, 0)
}

func init() {
	d := DefaultGAM()
	registerWrapper("gam", "adam", map[string]string{"rho": f64(d.Rho), "rho_prime": f64(d.RhoPrime),
		"beta1": f64(d.Beta1), "beta2": f64(d.Beta2), "beta3": f64(d.Beta3), "gamma": f64(d.Gamma)},
		func(base Transform, a *argParser) (Transform, error) {
			c := GAMConfig{Rho: a.f64("rho"), RhoPrime: a.f64("rho_prime"), Beta1: a.f64("beta1"),
				Beta2: a.f64("beta2"), Beta3: a.f64("beta3"), Gamma: a.f64("gamma")}
			if a.err != nil {
				return nil, a.err
			}
			for _, h := range []struct {
				n string
				x float64
			}{{"rho", c.Rho}, {"rho_prime", c.RhoPrime}} {
				if err := checkNonNeg("gam", h.n, h.x); err != nil {
					return nil, err
				}
			}
			for _, h := range []struct {
				n string
				x float64
			}{{"beta1", c.Beta1}, {"beta2", c.Beta2}, {"beta3", c.Beta3}, {"gamma", c.Gamma}} {
				if err := checkRange("gam", h.n, h.x, -inf, inf, true, true); err != nil {
					return nil, err
				}
			}
			return Chain(GAM(c), base), nil
		})
}
