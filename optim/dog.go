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
//
// Step runs a fused path (SetFused(false) selects the chain; the state is
// the same): per Step one asm.DoGSums pass over each parameter (reading
// θ, θ₀, g) gives ‖θ−θ₀‖² and ‖g+λθ‖², the scalars are updated as
// ScaleByDoG does, and one asm.DoGStep pass per parameter writes θ and x̄.
// The chain's sums use the same lane order, so the two paths agree to the
// rounding of AddDecayedWeights' tail on AVX2 and flushed subnormals;
// TestG3FusedMatchesChain checks 50 steps on several parameter sizes, one
// of them without a gradient on some steps, with and without λ and x̄, to
// a few ulps (TestG3AverageMatches checks x̄ itself), and
// TestFusedMatchesChain, TestStateRoundTrip and BenchmarkStep run the
// fusedCases "dog", "dog-wd-noavg", "ldog" and "ldog-wd".
//
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
// Chain, state, fused path (with its test) and errors as NewDoG; the
// fused step runs the two passes and the scalars per tensor.
func NewLDoG(params []*autodiff.Var, cfg DoGConfig) (*Optimizer, error) {
	return newDoG("ldog", params, cfg, true)
}

func newDoG(name string, params []*autodiff.Var, cfg DoGConfig, layerwise bool) (*Optimizer, error) {
	if err := cfg.validate(name); err != nil {
		return nil, err
	}
	dog := &scaleByDoG{repsRel: cfg.RepsRel, eps: cfg.Eps, layerwise: layerwise}
	ts := []Transform{AddDecayedWeights(), dog, ScaleByLR()}
	if cfg.Average {
		ts = append(ts, PolyAverage(cfg.Gamma))
	}
	return newGroupFused(name, params, Chain(ts...), dogFused(dog, cfg.Average, cfg.Gamma), cfg.C, cfg.WeightDecay)
}

// dogFused returns the fused step of NewDoG (NewLDoG with t.layerwise):
// the chain's state layout is θ₀, (r̄, G), then x̄ with averaging.
func dogFused(t *scaleByDoG, average bool, gamma float64) groupStep {
	return func(args []fusedArgs) {
		for i := range args {
			a := &args[i]
			if a.Step == 1 {
				copy(a.St[0], a.P)
				a.St[1][0], a.St[1][1] = 0, 0
			}
		}
		if t.layerwise {
			for i := range args {
				t.fusedStep(args[i:i+1], average, gamma)
			}
			return
		}
		t.fusedStep(args, average, gamma)
	}
}

// fusedStep is step on the fused path: the sums of asm.DoGSums over args
// as one vector, the scalars, and asm.DoGStep on each parameter, with
// PolyAverage's weight if average.
func (t *scaleByDoG) fusedStep(args []fusedArgs, average bool, gamma float64) {
	rbar, g2 := float32(math.Inf(-1)), float32(math.Inf(-1))
	fresh := false
	var d2, u2 float64
	for i := range args {
		a := &args[i]
		rbar, g2 = max(rbar, a.St[1][0]), max(g2, a.St[1][1])
		fresh = fresh || a.Step == 1
		d, u := asm.DoGSums(a.P, a.St[0], a.G, a.WD)
		d2 += d
		u2 += u
	}
	var n0 float64
	if fresh {
		for i := range args {
			n0 += normSq(args[i].St[0])
		}
	}
	r32, g32, eta := t.scalars(float64(rbar), float64(g2), fresh, d2, n0, u2)
	for i := range args {
		a := &args[i]
		a.St[1][0], a.St[1][1] = r32, g32
		h := asm.DoGStepParams{WD: a.WD, Eta: eta, LR: a.LR}
		var avg []float32
		if average {
			avg = a.St[2]
			w := (1 + gamma) / (float64(a.Step) + gamma)
			h.W, h.OmW = float32(w), float32(1-w)
		}
		asm.DoGStep(a.P, a.G, avg, h)
	}
}

// ScaleByDoG returns the DoG step-size transform (see NewDoG); with
// layerwise it is L-DoG's. It rewrites u ← (r̄/√G)·u and reads P for the
// distance from θ₀, which it records at each parameter's first step.
// The caller validates repsRel > 0 and eps > 0.
//
// Its norms are summed in the lane order of asm.DoGSums (the order of
// NewDoG's fused step).
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

// step updates r̄ and G over slots as one vector and scales their U. Its
// sums are asm.DoGSums', in the order of the fused path.
func (t *scaleByDoG) step(slots []Slot) {
	rbar := float64(maxScalar(slots, 1, 0))
	g2 := float64(maxScalar(slots, 1, 1))
	fresh := false
	var d2, u2 float64
	for i := range slots {
		s := &slots[i]
		fresh = fresh || s.Step == 1
		d, u := asm.DoGSums(s.P, s.State()[0], s.U, 0)
		d2 += d
		u2 += u
	}
	var n0 float64
	if fresh {
		for i := range slots {
			n0 += normSq(slots[i].State()[0])
		}
	}
	r32, g32, eta := t.scalars(rbar, g2, fresh, d2, n0, u2)
	setScalar(slots, 1, 0, r32)
	setScalar(slots, 1, 1, g32)
	for i := range slots {
		asm.Scale(slots[i].U, eta)
	}
}

// scalars returns the new r̄ and G and the step size r̄/√G from the
// largest stored r̄ and G, whether a parameter is on its first step, the
// sums Σ‖θ−θ₀‖², Σ‖θ₀‖² (read only if fresh: r̄₀ = r_ε) and Σ‖u‖².
func (t *scaleByDoG) scalars(rbar, g2 float64, fresh bool, d2, n0, u2 float64) (r32, g32, eta float32) {
	if fresh {
		rbar = max(rbar, t.repsRel*(1+math.Sqrt(n0)))
	}
	rbar = max(rbar, math.Sqrt(d2))
	if g2 == 0 {
		g2 = t.eps
	}
	g2 += u2
	r32, g32 = float32(rbar), float32(g2)
	return r32, g32, float32(float64(r32) / math.Sqrt(float64(g32)))
}

// normSq returns Σ x², summed as asm.DoGSums sums: the norms of the DoG,
// AdaGrad-Norm and SPS chains and fused steps.
func normSq(x []float32) float64 {
	_, s := asm.DoGSums(nil, nil, x, 0)
	return s
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
