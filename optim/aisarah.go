package optim

import (
	"math"
	"strconv"

	"github.com/gograd/gograd/autodiff"
)

// FullGradienter is implemented by objectives that can evaluate the
// gradient over the whole training set (for AI-SARAH's outer loop): it
// overwrites every parameter's Grad with the full gradient at the current
// values and returns the full loss.
type FullGradienter interface {
	FullGradient() float32
}

// AISARAHConfig holds the hyperparameters of NewAISARAH. Zero Gamma,
// MaxInner and Smoothing are Algorithm 2 of the authors' code (γ = 1/32,
// no cap, 0.001), so AISARAHConfig{FDStep: x} is the paper's method.
type AISARAHConfig struct {
	// FDStep > 0 is the length ‖δ·v‖ of the finite-difference
	// displacement used for ξ′(0) and ξ″(0).
	FDStep float64
	// Gamma in [0, 1] is the restart threshold γ: the outer loop restarts
	// when ‖v‖² < γ·‖v₀‖². The authors use 1/32 (their sensitivity
	// study, AI_SARAH_sensitivity_gamma.ipynb, tries 1/2 … 1/64);
	// 0 means 1/32.
	Gamma float64
	// MaxInner ≥ 0 caps the inner loop: the outer loop also restarts
	// once MaxInner inner steps have run since the last restart, as in
	// SARAH's fixed inner-loop length m. 0 (Algorithm 2) is no cap.
	MaxInner int
	// Smoothing in [0, 1] is the weight s of the new 1/α_N in the bound
	// α_max = 1/δ: δ ← (1−s)·δ + s/α_N. The authors use 0.001 (α_max a
	// running harmonic mean of α_N over ~1000 steps); 1 makes α_max the
	// last good α_N, so α = min(α_N, previous good α_N); 0 means 0.001.
	Smoothing float64
}

// DefaultAISARAH returns FDStep = 0.1 (our choice; the authors
// differentiate ξ exactly), Gamma = 1/32, MaxInner = 0 and Smoothing =
// 0.001 (the authors'). On W1 (3 epochs, full gradients from
// nn.FullObjective) FDStep 1e-2 ends at 89.8% and 0.1 at 90.7%; 1e-3 is
// too noisy in float32 (r″ divides by δ²): its first α_N, 1.7e-4,
// becomes α_max, which grows by at most 0.1% a step. The defaults do not
// transfer to W1 (γ never fires after step 1: v's error grows ‖v‖²);
// MaxInner 50, Smoothing 1, FDStep 0.3 at batch 64 reach 96.41% with 57
// full-gradient passes (benchmarks/optimizers/tuning.md, note 2).
func DefaultAISARAH() AISARAHConfig {
	return AISARAHConfig{FDStep: 0.1, Gamma: 1.0 / 32, Smoothing: 0.001}
}

// NewAISARAH returns AI-SARAH (Shi et al., "AI-SARAH: Adaptive and
// Implicit Stochastic Recursive Gradient Methods"; METHODS 3.8, verified
// against shizheng-rlfresh/ai_sarah Run/AI_SARAH.ipynb @2da30bc,
// Algorithm 2), a tune-free recursive-gradient method meant for convex
// models. With norms global over all parameters:
//
//	outer (first step; whenever ‖v‖² < γ·‖v₀‖²; after MaxInner inner steps if MaxInner > 0):
//	    v = full gradient at w ;  ‖v₀‖² = ‖v‖²
//	inner, on minibatch i with g0 = ∇f_i(w) (the step's gradient):
//	    ξ(α) = ‖∇f_i(w − α·v) − g0 + v‖²
//	    α_N = −ξ′(0)/|ξ″(0)|
//	    α = min(α_N, α_max) ;  δ ← (1−s)·δ + s/α_N ;  α_max = 1/δ   (δ = 1/α_N, α = α_N at the first step)
//	    w ← w − α·v ;  v ← ∇f_i(w) − g0 + v
//
// The full gradient comes from the objective if it is a FullGradienter
// (nn.FullObjective, which cmd/train and benchmarks/optimizers pass);
// otherwise (a plain nn.Objective) the outer loop restarts from the
// minibatch gradient, v = g0: an approximation, documented here. ξ′(0)
// and ξ″(0) come from central finite differences of r(α) = ∇f_i(w − α·v) − g0 + v
// with ‖δ·v‖ = FDStep (METHODS allows finite differences for ξ″):
//
//	r′ ≈ (∇f_i(w−δv) − ∇f_i(w+δv))/(2δ) ;  r″ ≈ (∇f_i(w−δv) + ∇f_i(w+δv) − 2·g0)/δ²
//	ξ′(0) = 2⟨v, r′⟩ ;  ξ″(0) = 2‖r′‖² + 2⟨v, r″⟩
//
// exact on quadratics up to rounding. A non-positive or non-finite α_N
// (negative curvature along v) is replaced by α_max and left out of δ;
// before the first good α_N there is no α_max (δ = 0) and such a step
// is α = 0, and the first good α_N sets δ = 1/α_N as the first step
// would. A step costs three more gradients on the same minibatch
// (StepWith; Grad then holds ∇f_i at the new w), and an outer loop one
// FullGradient. There is no learning rate: the group LR is not read.
// State: "sarah_v" (v), "sarah_params" and "sarah_grad" (scratch),
// "sarah_scalars" (‖v₀‖², δ, a started flag and the inner steps since
// the last restart, the same in every parameter). All parameters must
// have a gradient at every step. NewAISARAH returns a
// *HyperparameterError for FDStep not positive and finite, Gamma
// outside [0, 1], MaxInner outside [0, 2²⁴] or Smoothing outside [0, 1].
func NewAISARAH(params []*autodiff.Var, cfg AISARAHConfig) (*Optimizer, error) {
	if err := checkRange("ai-sarah", "fd_step", cfg.FDStep, 0, inf, true, true); err != nil {
		return nil, err
	}
	if err := checkRange("ai-sarah", "gamma", cfg.Gamma, 0, 1, false, false); err != nil {
		return nil, err
	}
	// The inner-step count is a float32 scalar: exact up to 2²⁴.
	if err := checkRange("ai-sarah", "max_inner", float64(cfg.MaxInner), 0, 1<<24, false, false); err != nil {
		return nil, err
	}
	if err := checkRange("ai-sarah", "smoothing", cfg.Smoothing, 0, 1, false, false); err != nil {
		return nil, err
	}
	return NewFromTransform("ai-sarah", params, ScaleByAISARAH(cfg), 1, 0)
}

// ScaleByAISARAH returns the step of NewAISARAH as a transform whose
// output u = α·v is the whole displacement (not followed by ScaleByLR).
// Zero Gamma and Smoothing mean the authors' values, as in NewAISARAH;
// cfg is not checked (NewAISARAH does).
func ScaleByAISARAH(cfg AISARAHConfig) Transform {
	if cfg.Gamma == 0 {
		cfg.Gamma = 1.0 / 32
	}
	if cfg.Smoothing == 0 {
		cfg.Smoothing = 0.001
	}
	return &aiSARAH{cfg: cfg}
}

type aiSARAH struct{ cfg AISARAHConfig }

var (
	aiSARAHNames = []string{"sarah_v", "sarah_params", "sarah_grad", "sarah_scalars"}
	aiSARAHState = scalarState{0, 0, 0, 4}
)

func (*aiSARAH) Name() string                      { return "scale_by_ai_sarah" }
func (*aiSARAH) StateNames() []string              { return aiSARAHNames }
func (*aiSARAH) Init(n int) [][]float32            { return aiSARAHState.init([]int{n}) }
func (*aiSARAH) InitShape(shape []int) [][]float32 { return aiSARAHState.init(shape) }
func (*aiSARAH) StateShapes(shape []int) [][]int   { return aiSARAHState.shapes(shape) }
func (*aiSARAH) NeedsObjective() bool              { return true }

func pickSarahV(s *Slot) []float32 { return s.State()[0] }

func (t *aiSARAH) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		aiSARAHState.check(t, &slots[i])
	}
	obj := stepObjective(t, slots)
	sc := slots[0].State()[3]
	v0sq, delta, started, inner := float64(sc[0]), float64(sc[1]), sc[2] != 0, int(sc[3])
	vv := sumSq(slots, pickSarahV)
	capped := t.cfg.MaxInner > 0 && inner >= t.cfg.MaxInner
	if !started || vv < t.cfg.Gamma*v0sq || capped {
		if fg, ok := obj.(FullGradienter); ok {
			fg.FullGradient()
			for i := range slots {
				copy(slots[i].State()[0], slots[i].G)
			}
		} else {
			for i := range slots {
				copy(slots[i].State()[0], slots[i].U)
			}
		}
		vv = sumSq(slots, pickSarahV)
		v0sq, inner = vv, 0
	}
	// The step's gradient g0 is u (AI-SARAH is the whole chain).
	alpha := 0.0
	if vv > 0 {
		d := t.cfg.FDStep / math.Sqrt(vv)
		gradientAt(obj, slots, 1, float32(-d), pickSarahV) // w − δv
		for i := range slots {
			copy(slots[i].State()[2], slots[i].G)
		}
		restoreParams(slots, 1)
		gradientAt(obj, slots, 1, float32(d), pickSarahV) // w + δv
		var vr1, r1r1, vr2 float64
		for i := range slots {
			s := &slots[i]
			v, gm, gp, g0 := s.State()[0], s.State()[2], s.G[:len(s.U)], s.U
			for j := range v {
				r1 := float64(gm[j]-gp[j]) / (2 * d)
				r2 := (float64(gm[j]) + float64(gp[j]) - 2*float64(g0[j])) / (d * d)
				vr1 += float64(v[j]) * r1
				r1r1 += r1 * r1
				vr2 += float64(v[j]) * r2
			}
		}
		xi1, xi2 := 2*vr1, 2*r1r1+2*vr2
		alphaN := -xi1 / math.Abs(xi2)
		good := alphaN > 0 && !math.IsInf(alphaN, 0)
		switch {
		case good && delta == 0: // the first good step: δ = 1/α_N
			delta, alpha = 1/alphaN, alphaN
		case good:
			alpha = math.Min(alphaN, 1/delta)
			delta = (1-t.cfg.Smoothing)*delta + t.cfg.Smoothing/alphaN
		case delta > 0:
			alpha = 1 / delta
		default: // no good step yet: no α_max, no step (1/δ would be +Inf)
			alpha = 0
		}
	}
	a := float32(alpha)
	for i := range slots { // u = α·v ; w − u
		s := &slots[i]
		v := s.State()[0]
		for j, vj := range v {
			s.U[j], s.State()[2][j] = a*vj, s.U[j] // keep g0 in the scratch
		}
	}
	restoreParams(slots, 1)
	gradientAt(obj, slots, 1, -1, pickU) // w − α·v, as the Optimizer will compute it
	for i := range slots {               // v ← ∇f_i(w_new) − g0 + v
		s := &slots[i]
		v, g0, g := s.State()[0], s.State()[2], s.G[:len(s.U)]
		for j := range v {
			v[j] += g[j] - g0[j]
		}
	}
	restoreParams(slots, 1)
	setScalar(slots, 3, 0, float32(v0sq))
	setScalar(slots, 3, 1, float32(delta))
	setScalar(slots, 3, 2, 1)
	setScalar(slots, 3, 3, float32(inner+1))
}

func init() {
	d := DefaultAISARAH()
	register("ai-sarah", map[string]string{"fd_step": f64(d.FDStep), "gamma": f64(d.Gamma),
		"max_inner": strconv.Itoa(d.MaxInner), "smoothing": f64(d.Smoothing)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := AISARAHConfig{FDStep: a.f64("fd_step"), Gamma: a.f64("gamma"),
				MaxInner: a.curvInt("max_inner"), Smoothing: a.f64("smoothing")}
			if a.err != nil {
				return nil, a.err
			}
			return NewAISARAH(ps, c)
		})
}
