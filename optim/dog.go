package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// DoGConfig holds the hyperparameters of NewDoG and NewLDoG.
type DoGConfig struct {
	C           float32 // c > 0, the multiplier of the step size (the group LR; 1 is parameter-free DoG)
	RepsRel     float64 // reps_rel > 0: r_ε = reps_rel·(1 + ‖θ₀‖)
	Eps         float64 // ε > 0, added to the sum of squared gradient norms
	WeightDecay float32 // λ ≥ 0, L2 (added to g before the step size)
	Average     bool    // keep the polynomial-decay average x̄ (PolyAverage)
	Gamma       float64 // γ ≥ 0 of the average
}

// DefaultDoG returns the defaults of formll/dog: c = 1, reps_rel = 1e-6
// (use 1e-4 with BatchNorm), ε = 1e-8, λ = 0, averaging with γ = 8.
func DefaultDoG() DoGConfig {
	return DoGConfig{C: 1, RepsRel: 1e-6, Eps: 1e-8, Average: true, Gamma: 8}
}

func (c DoGConfig) validate(opt string) error {
	if err := checkRange(opt, "c", float64(c.C), 0, inf, true, true); err != nil {
		return err
	}
	if err := checkRange(opt, "reps_rel", c.RepsRel, 0, inf, true, true); err != nil {
		return err
	}
	if err := checkRange(opt, "eps", c.Eps, 0, inf, true, true); err != nil {
		return err
	}
	if err := checkNonNeg(opt, "gamma", c.Gamma); err != nil {
		return err
	}
	return checkNonNeg(opt, "weight_decay", float64(c.WeightDecay))
}

// NewDoG returns DoG, "distance over gradients" (Ivgi, Hinder & Carmon,
// "DoG is SGD's Best Friend"; METHODS 3.3, verified against formll/dog
// src/dog/dog.py @8d45cf5 and optax contrib _dog.py), a parameter-free
// SGD step size. Over all parameters as one vector, at step t:
//
//	g ← g + λ·θ
//	r̄₀ = r_ε = reps_rel·(1 + ‖θ₀‖)
//	r̄_t = max(r̄_{t−1}, ‖θ_t − θ₀‖)        (before the step)
//	G_t = ε + Σ_{i≤t} ‖g_i‖²
//	θ ← θ − c·(r̄_t/√G_t)·g
//
// so the first step size is c·r_ε/√(‖g₀‖² + ε). With cfg.Average the
// optimizer also keeps the polynomial-decay average x̄ of the iterates
// (PolyAverage, formll/dog averager.py), which is the point to evaluate:
// SwapAveraged exchanges the parameters with x̄ and back.
//
// The chain is AddDecayedWeights, ScaleByDoG(global), ScaleByLR (η = c),
// PolyAverage. State: "dog_init" (θ₀), "dog_scalars" (r̄ and G, two
// scalars per parameter, the same in every parameter), "poly_avg" (x̄).
// It returns a *HyperparameterError for c, reps_rel or ε not positive
// and finite, or a negative γ or λ.
func NewDoG(params []*autodiff.Var, cfg DoGConfig) (*Optimizer, error) {
	return newDoG("dog", params, cfg, false)
}

// NewLDoG returns L-DoG, layer-wise DoG (METHODS 3.3; formll/dog LDoG):
// NewDoG's rule with r̄, G and hence the step size computed per
// parameter tensor instead of over all parameters:
//
//	r̄ = max(reps_rel·(1 + ‖θ₀‖), max_t ‖θ_t − θ₀‖)    per tensor
//	G = ε + Σ‖g_t‖²                                   per tensor
//
// Chain, state and errors as NewDoG.
func NewLDoG(params []*autodiff.Var, cfg DoGConfig) (*Optimizer, error) {
	return newDoG("ldog", params, cfg, true)
}

func newDoG(name string, params []*autodiff.Var, cfg DoGConfig, layerwise bool) (*Optimizer, error) {
	if err := cfg.validate(name); err != nil {
		return nil, err
	}
	ts := []Transform{AddDecayedWeights(), ScaleByDoG(cfg.RepsRel, cfg.Eps, layerwise), ScaleByLR()}
	if cfg.Average {
		ts = append(ts, PolyAverage(cfg.Gamma))
	}
	return NewFromTransform(name, params, Chain(ts...), cfg.C, cfg.WeightDecay)
}

// ScaleByDoG returns the DoG step-size transform (see NewDoG); with
// layerwise it is L-DoG's. It rewrites u ← (r̄/√G)·u and reads P for the
// distance from θ₀, which it records at each parameter's first step.
// The caller validates repsRel > 0 and eps > 0.
func ScaleByDoG(repsRel, eps float64, layerwise bool) Transform {
	return &scaleByDoG{repsRel: repsRel, eps: eps, layerwise: layerwise}
}

type scaleByDoG struct {
	repsRel, eps float64
	layerwise    bool
}

var (
	dogStateNames = []string{"dog_init", "dog_scalars"}
	dogState      = scalarState{0, 2} // θ₀; (r̄, G)
)

func (t *scaleByDoG) Name() string {
	if t.layerwise {
		return "scale_by_ldog"
	}
	return "scale_by_dog"
}
func (*scaleByDoG) StateNames() []string              { return dogStateNames }
func (*scaleByDoG) Init(n int) [][]float32            { return dogState.init([]int{n}) }
func (*scaleByDoG) InitShape(shape []int) [][]float32 { return dogState.init(shape) }
func (*scaleByDoG) StateShapes(shape []int) [][]int   { return dogState.shapes(shape) }

func (t *scaleByDoG) Update(slots []Slot) {
	for i := range slots {
		s := &slots[i]
		st := dogState.check(t, s)
		if s.Step == 1 {
			copy(st[0], s.P)
			st[1][0], st[1][1] = 0, 0
		}
	}
	if t.layerwise {
		for i := range slots {
			t.step(slots[i : i+1])
		}
		return
	}
	t.step(slots)
}

// step updates r̄ and G over slots as one vector and scales their U.
func (t *scaleByDoG) step(slots []Slot) {
	rbar := float64(maxScalar(slots, 1, 0))
	g2 := float64(maxScalar(slots, 1, 1))
	fresh := false
	var d2 float64
	for i := range slots {
		s := &slots[i]
		fresh = fresh || s.Step == 1
		d2 += diffSumSq(s.P, s.State()[0])
	}
	if fresh { // r̄₀ = r_ε from ‖θ₀‖ over the slots
		n0 := sumSq(slots, func(s *Slot) []float32 { return s.State()[0] })
		rbar = max(rbar, t.repsRel*(1+math.Sqrt(n0)))
	}
	rbar = max(rbar, math.Sqrt(d2))
	if g2 == 0 {
		g2 = t.eps
	}
	g2 += sumSq(slots, pickU)
	r32, g32 := float32(rbar), float32(g2)
	setScalar(slots, 1, 0, r32)
	setScalar(slots, 1, 1, g32)
	eta := float32(float64(r32) / math.Sqrt(float64(g32)))
	for i := range slots {
		asm.Scale(slots[i].U, eta)
	}
}

func init() {
	for _, e := range []struct {
		name      string
		layerwise bool
	}{{"dog", false}, {"ldog", true}} {
		d := DefaultDoG()
		register(e.name, map[string]string{"c": f32(d.C), "reps_rel": f64(d.RepsRel), "eps": f64(d.Eps),
			"weight_decay": f32(d.WeightDecay), "average": "true", "gamma": f64(d.Gamma)},
			func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
				// DoG is parameter-free: the command line's lr is not read; c is the multiplier.
				c := DoGConfig{C: a.f32("c"), RepsRel: a.f64("reps_rel"), Eps: a.f64("eps"),
					WeightDecay: a.f32("weight_decay"), Average: a.bool("average"), Gamma: a.f64("gamma")}
				if a.err != nil {
					return nil, a.err
				}
				return newDoG(e.name, ps, c, e.layerwise)
			})
	}
}
