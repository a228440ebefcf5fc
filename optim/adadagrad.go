package optim

import (
	"fmt"
	"math"

	"github.com/gograd/gograd/autodiff"
)

// AdAdaGradConfig holds the hyperparameters of NewAdAdaGrad.
type AdAdaGradConfig struct {
	LR          float32 // η ≥ 0 of AdaGrad-Norm
	B0          float64 // b₀ ≥ 0 of AdaGrad-Norm
	WeightDecay float32 // λ ≥ 0, L2
	EtaTest     float64 // η_test > 0, the norm-test threshold
}

// DefaultAdAdaGrad returns AdaGrad-Norm's defaults and η_test = 0.5. The
// paper's default threshold is unverified (METHODS 3.7): 0.5 is our choice.
func DefaultAdAdaGrad() AdAdaGradConfig {
	d := DefaultAdaGradNorm()
	return AdAdaGradConfig{LR: d.LR, B0: d.B0, WeightDecay: d.WeightDecay, EtaTest: 0.5}
}

// NewAdAdaGrad returns AdAdaGrad (Lau et al., "AdAdaGrad: Adaptive Batch
// Size Schemes for Adaptive Gradient Methods"; METHODS 3.7, verified
// against timlautk/AdAdaGrad tests.py norm_test @135b9aa): AdaGrad-Norm
// (NewAdaGradNorm) plus the norm test, which recommends a batch size
// that never decreases:
//
//	V = Σ_coords Var_i(g_i)             (unbiased variance of the per-sample gradients)
//	b ← max(b, ⌈V/(η_test²·‖ḡ‖²)⌉)
//
// The Objective gives no per-sample gradients, so V is estimated from the
// gradients ḡ₁, ḡ₂ of the two halves (sizes m₁, m₂) of the minibatch
// (SubBatchObjective, two extra backward passes):
//
//	V ≈ ‖ḡ₁ − ḡ₂‖² / (1/m₁ + 1/m₂)
//
// an unbiased estimate of V with only one degree of freedom per
// coordinate (noisier than the per-sample statistic). b starts at the
// first minibatch's size. The training loop reads the recommendation with
// NormTestBatchSize and resizes its batches; the optimizer only computes
// it (cmd/train keeps its batch size). It needs StepWith; the parameters'
// Grad holds the second half's gradient afterwards. The chain is
// NormTest, AddDecayedWeights, ScaleByAdaGradNorm, ScaleByLR.
// NewAdAdaGrad returns a *HyperparameterError for a negative or
// non-finite η, b₀ or λ, or η_test not positive and finite.
func NewAdAdaGrad(params []*autodiff.Var, cfg AdAdaGradConfig) (*Optimizer, error) {
	for _, h := range []struct {
		n string
		x float64
	}{{"lr", float64(cfg.LR)}, {"b0", cfg.B0}, {"weight_decay", float64(cfg.WeightDecay)}} {
		if err := checkNonNeg("adadagrad", h.n, h.x); err != nil {
			return nil, err
		}
	}
	if err := checkRange("adadagrad", "eta_test", cfg.EtaTest, 0, inf, true, true); err != nil {
		return nil, err
	}
	t := Chain(NormTest(cfg.EtaTest), AddDecayedWeights(), ScaleByAdaGradNorm(cfg.B0), ScaleByLR())
	return NewFromTransform("adadagrad", params, t, cfg.LR, cfg.WeightDecay)
}

// NormTest returns the norm-test batch-size controller of NewAdAdaGrad,
// to be placed first in a chain (it reads u as the minibatch gradient ḡ
// and leaves it unchanged). Its objective must be a SubBatchObjective;
// Update panics otherwise. State: "norm_test_half" (scratch for ḡ₁) and
// "norm_test_batch" (b, one scalar per parameter). The caller validates
// η_test > 0.
func NormTest(etaTest float64) Transform { return &normTest{eta: etaTest} }

type normTest struct{ eta float64 }

var (
	normTestNames = []string{"norm_test_half", "norm_test_batch"}
	normTestState = scalarState{0, 1}
)

func (*normTest) Name() string                      { return "norm_test" }
func (*normTest) StateNames() []string              { return normTestNames }
func (*normTest) Init(n int) [][]float32            { return normTestState.init([]int{n}) }
func (*normTest) InitShape(shape []int) [][]float32 { return normTestState.init(shape) }
func (*normTest) StateShapes(shape []int) [][]int   { return normTestState.shapes(shape) }
func (*normTest) NeedsObjective() bool              { return true }

func (t *normTest) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		normTestState.check(t, &slots[i])
	}
	sb, ok := stepObjective(t, slots).(SubBatchObjective)
	if !ok {
		panic(fmt.Sprintf("optim: %s: the objective cannot split its minibatch (optim.SubBatchObjective)", t.Name()))
	}
	n := sb.BatchLen()
	b := max(float64(maxScalar(slots, 1, 0)), float64(n))
	if n >= 2 {
		m1 := n / 2
		sb.SubsetGradient(0, m1)
		for i := range slots {
			copy(slots[i].State()[0], slots[i].G)
		}
		sb.SubsetGradient(m1, n)
		var d2 float64
		for i := range slots {
			d2 += diffSumSq(slots[i].State()[0], slots[i].G)
		}
		v := d2 / (1/float64(m1) + 1/float64(n-m1))
		if gg := sumSq(slots, pickU); gg > 0 {
			b = max(b, math.Ceil(v/(t.eta*t.eta*gg)))
		}
	}
	setScalar(slots, 1, 0, float32(min(b, 1<<24)))
}

// NormTestBatchSize returns the batch size recommended by the NormTest
// in o's transform (NewAdAdaGrad), and false if o has none or has not
// stepped yet.
func NormTestBatchSize(o *Optimizer) (int, bool) {
	k := -1
	for i, n := range o.tr.StateNames() {
		if n == "norm_test_batch" || len(n) > 16 && n[len(n)-16:] == ".norm_test_batch" {
			k = i
		}
	}
	if k < 0 {
		return 0, false
	}
	for gi := range o.groups {
		for _, ps := range o.states[gi] {
			if ps != nil {
				return int(ps.bufs[k][0]), true
			}
		}
	}
	return 0, false
}

func init() {
	d := DefaultAdAdaGrad()
	register("adadagrad", map[string]string{"lr": f32(d.LR), "b0": f64(d.B0), "weight_decay": f32(d.WeightDecay),
		"eta_test": f64(d.EtaTest)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := AdAdaGradConfig{LR: a.f32("lr"), B0: a.f64("b0"), WeightDecay: a.f32("weight_decay"), EtaTest: a.f64("eta_test")}
			if a.err != nil {
				return nil, a.err
			}
			return NewAdAdaGrad(ps, c)
		})
}
