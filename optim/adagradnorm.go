package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// AdaGradNormConfig holds the hyperparameters of NewAdaGradNorm.
type AdaGradNormConfig struct {
	LR          float32 // η ≥ 0
	B0          float64 // b₀ ≥ 0, the initial accumulator is b₀²
	WeightDecay float32 // λ ≥ 0, L2 (added to g before the accumulator)
}

// DefaultAdaGradNorm returns η = 3, b₀ = 0, λ = 0. The paper's
// recommended η and b₀ are unverified (METHODS 3.5): these are our
// choice; b₀ = 0 makes the method invariant to scaling the loss, and the
// divisor √Σ‖g‖² grows like √t, so η must be large (0.1 ends W1 at 86%,
// 3 at 96.6%, see benchmarks/optimizers/tuning.md).
func DefaultAdaGradNorm() AdaGradNormConfig { return AdaGradNormConfig{LR: 3} }

// NewAdaGradNorm returns AdaGrad-Norm, SGD with a single AdaGrad step
// size (Ward, Wu & Bottou; METHODS 3.5, partly verified: the Subset-Norm
// rule with one subset, timlautk/AdAdaGrad adagradnorm.py; the defaults
// η and b₀ are our unverified choice, see DefaultAdaGradNorm):
//
//	g ← g + λ·θ
//	b² ← b² + ‖g‖²          (‖·‖ global over all parameters; b² starts at b₀²)
//	θ ← θ − (η/b)·g         (no step while b = 0)
//
// The chain is AddDecayedWeights, ScaleByAdaGradNorm, ScaleByLR. The
// state is "adagrad_norm_b2" (b², one scalar per parameter, the same in
// every parameter).
//
// Step runs a fused path (SetFused(false) selects the chain; the state is
// the same): one asm.DoGSums pass per parameter for ‖g+λθ‖² (in the lane
// order the chain's sum uses too), b² as the chain updates it, and one
// asm.DoGStep pass per parameter, θ ← θ − ((g+λθ)·(1/b))·η.
// TestG3FusedMatchesChain checks 50 steps against the chain
// (several sizes, a parameter without a gradient on some steps, λ on and
// off) to a few ulps; TestFusedMatchesChain, TestStateRoundTrip and
// BenchmarkStep run the fusedCases "adagrad-norm" and "adagrad-norm-wd".
//
// It returns a *HyperparameterError for a negative or non-finite η, b₀
// or λ.
func NewAdaGradNorm(params []*autodiff.Var, cfg AdaGradNormConfig) (*Optimizer, error) {
	for _, h := range []struct {
		n string
		x float64
	}{{"lr", float64(cfg.LR)}, {"b0", cfg.B0}, {"weight_decay", float64(cfg.WeightDecay)}} {
		if err := checkNonNeg("adagrad-norm", h.n, h.x); err != nil {
			return nil, err
		}
	}
	t := Chain(AddDecayedWeights(), ScaleByAdaGradNorm(cfg.B0), ScaleByLR())
	return newGroupFused("adagrad-norm", params, t, adagradNormFused, cfg.LR, cfg.WeightDecay)
}

// adagradNormFused is NewAdaGradNorm's fused step (state: b² in St[0][0]).
func adagradNormFused(args []fusedArgs) {
	if len(args) == 0 {
		return
	}
	b2 := float32(math.Inf(-1))
	var u2 float64
	for i := range args {
		a := &args[i]
		b2 = max(b2, a.St[0][0])
		_, u := asm.DoGSums(a.P, nil, a.G, a.WD)
		u2 += u
	}
	b2, scale := adagradNormScale(b2, u2)
	for i := range args {
		a := &args[i]
		a.St[0][0] = b2
		asm.DoGStep(a.P, a.G, nil, asm.DoGStepParams{WD: a.WD, Eta: scale, LR: a.LR})
	}
}

// adagradNormScale returns the new b² from the largest stored b² and
// Σ‖u‖², and the scale 1/b (0 while b = 0).
func adagradNormScale(b2 float32, u2 float64) (float32, float32) {
	b2 = float32(float64(b2) + u2)
	if b2 > 0 {
		return b2, float32(1 / math.Sqrt(float64(b2)))
	}
	return b2, 0
}

// ScaleByAdaGradNorm returns u ← u/b with b² ← b² + ‖u‖² over all slots
// (see NewAdaGradNorm), ‖u‖² summed as asm.DoGSums sums (the order of
// NewAdaGradNorm's fused step). The caller validates b0 ≥ 0.
func ScaleByAdaGradNorm(b0 float64) Transform { return &scaleByAdaGradNorm{b02: float32(b0 * b0)} }

type scaleByAdaGradNorm struct{ b02 float32 }

var (
	adagradNormNames = []string{"adagrad_norm_b2"}
	adagradNormState = scalarState{1}
)

func (*scaleByAdaGradNorm) Name() string                    { return "scale_by_adagrad_norm" }
func (*scaleByAdaGradNorm) StateNames() []string            { return adagradNormNames }
func (t *scaleByAdaGradNorm) Init(n int) [][]float32        { return t.InitShape([]int{n}) }
func (*scaleByAdaGradNorm) StateShapes(shape []int) [][]int { return adagradNormState.shapes(shape) }
func (t *scaleByAdaGradNorm) InitShape(shape []int) [][]float32 {
	st := adagradNormState.init(shape)
	st[0][0] = t.b02
	return st
}

func (t *scaleByAdaGradNorm) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		adagradNormState.check(t, &slots[i])
	}
	var u2 float64
	for i := range slots {
		u2 += normSq(slots[i].U)
	}
	b2, scale := adagradNormScale(maxScalar(slots, 0, 0), u2)
	setScalar(slots, 0, 0, b2)
	for i := range slots {
		asm.Scale(slots[i].U, scale)
	}
}

func init() {
	d := DefaultAdaGradNorm()
	register("adagrad-norm", map[string]string{"lr": f32(d.LR), "b0": f64(d.B0), "weight_decay": f32(d.WeightDecay)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := AdaGradNormConfig{LR: a.f32("lr"), B0: a.f64("b0"), WeightDecay: a.f32("weight_decay")}
			if a.err != nil {
				return nil, a.err
			}
			return NewAdaGradNorm(ps, c)
		})
}
