package optim

import (
	"math"

	"github.com/gograd/gograd/autodiff"
)

// AdaHessianConfig holds the hyperparameters of NewAdaHessian.
type AdaHessianConfig struct {
	LR           float32 // η ≥ 0
	Beta1        float64 // β1 in [0, 1)
	Beta2        float64 // β2 in [0, 1)
	Eps          float64 // ε ≥ 0
	WeightDecay  float32 // λ ≥ 0, decoupled (inside η, as the authors' code)
	HessianPower float64 // k in [0, 1]
	Seed         uint64  // seed of the Rademacher probes
}

// DefaultAdaHessian returns the authors' defaults: η = 0.15,
// β = (0.9, 0.999), ε = 1e-4, λ = 0, k = 1.
func DefaultAdaHessian() AdaHessianConfig {
	return AdaHessianConfig{LR: 0.15, Beta1: 0.9, Beta2: 0.999, Eps: 1e-4, HessianPower: 1}
}

func (c AdaHessianConfig) validate() error {
	const opt = "adahessian"
	if err := checkNonNeg(opt, "lr", float64(c.LR)); err != nil {
		return err
	}
	if err := checkRange(opt, "beta1", c.Beta1, 0, 1, false, true); err != nil {
		return err
	}
	if err := checkRange(opt, "beta2", c.Beta2, 0, 1, false, true); err != nil {
		return err
	}
	if err := checkNonNeg(opt, "eps", c.Eps); err != nil {
		return err
	}
	if err := checkNonNeg(opt, "weight_decay", float64(c.WeightDecay)); err != nil {
		return err
	}
	return checkRange(opt, "hessian_power", c.HessianPower, 0, 1, false, false)
}

// NewAdaHessian returns AdaHessian (Yao et al., "ADAHESSIAN: An Adaptive
// Second Order Optimizer for Machine Learning"), METHODS.md 2.2, after
// the authors' amirgholami/adahessian instruction/adahessian.py @23eeab0
// (verified). Each step draws one Rademacher z over all updated
// parameters and takes one Hessian-vector product through the objective
// (so the optimizer must be stepped with StepWith):
//
//	D = |H·z|                     (= |z ⊙ Hz| since z_i = ±1)
//	spatial averaging of D (the authors' default block sizes -1):
//	    2-D (out, in): mean over the input dim, broadcast back
//	    3-D (out, in, k): mean over the last dim
//	    4-D conv (out, in, kh, kw): mean over (kh, kw)
//	    0-D, 1-D and higher ranks: none
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·D²
//	θ ← θ − η·( (m/bc1) / ((√v/√bc2)^k + ε) + λ·θ )
//
// with bc1 = 1−β1^t, bc2 = 1−β2^t and t the parameter's step. The chain
// is ScaleByAdaHessian, AddDecayedWeights, ScaleByLR. The state is
// "exp_avg" (m) and "exp_hessian_diag_sq" (v). Each step allocates (the
// probe and the HVP's tensors). NewAdaHessian returns a
// *HyperparameterError for a negative or non-finite η, ε or λ, a β
// outside [0, 1) or k outside [0, 1].
func NewAdaHessian(params []*autodiff.Var, cfg AdaHessianConfig) (*Optimizer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	t := Chain(ScaleByAdaHessian(cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.HessianPower, cfg.Seed), AddDecayedWeights(), ScaleByLR())
	return NewFromTransform("adahessian", params, t, cfg.LR, cfg.WeightDecay)
}

// ScaleByAdaHessian returns AdaHessian's transform (see NewAdaHessian)
// without weight decay and learning rate:
//
//	u ← (m/bc1) / ((√v/√bc2)^k + ε)
//
// It reads the objective (Slot.Obj) for one Hutchinson probe per Update,
// over all slots together; the probe of step t (the first slot's Step)
// is a function of (seed, t) only. Slot.Shape selects the spatial
// averaging. The caller validates the hyperparameters.
func ScaleByAdaHessian(beta1, beta2, eps, power float64, seed uint64) Transform {
	return &scaleByAdaHessian{b1: beta1, b2: beta2, eps: eps, k: power, seed: seed, rng: newProbeRNG()}
}

type scaleByAdaHessian struct {
	b1, b2, eps, k float64
	seed           uint64
	rng            *probeRNG
}

var adaHessianStateNames = []string{"exp_avg", "exp_hessian_diag_sq"}

func (*scaleByAdaHessian) Name() string           { return "scale_by_adahessian" }
func (*scaleByAdaHessian) StateNames() []string   { return adaHessianStateNames }
func (*scaleByAdaHessian) Init(n int) [][]float32 { return zeros(2, n) }
func (*scaleByAdaHessian) NeedsObjective() bool   { return true }

func (a *scaleByAdaHessian) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		stateOf(a, &slots[i], 2)
	}
	obj := objectiveOf(a, slots)
	_, hz := hutchinson(a, obj, slots, a.rng.at(a.seed, slots[0].Step, 0))
	b1, omb1 := float32(a.b1), float32(1-a.b1)
	b2, omb2 := float32(a.b2), float32(1-a.b2)
	eps := float32(a.eps)
	for i := range slots {
		s := &slots[i]
		st := s.State()
		d := hz[i]
		for j, x := range d {
			d[j] = float32(math.Abs(float64(x)))
		}
		spatialAverage(d, s.Shape)
		t := float64(s.Step)
		c1 := float32(1 / (1 - math.Pow(a.b1, t)))
		rbc2 := 1 / math.Sqrt(1-math.Pow(a.b2, t))
		m, v := st[0], st[1]
		for j, g := range s.U {
			mj := b1*m[j] + omb1*g
			vj := b2*v[j] + omb2*d[j]*d[j]
			m[j], v[j] = mj, vj
			den := math.Sqrt(float64(vj)) * rbc2
			if a.k != 1 {
				den = math.Pow(den, a.k)
			}
			s.U[j] = c1 * mj / (float32(den) + eps)
		}
	}
}

// spatialAverage replaces d, laid out as shape, by AdaHessian's spatial
// average (see NewAdaHessian): rows of a matrix, the last dim of a 3-D
// tensor, the last two dims of a 4-D tensor.
func spatialAverage(d []float32, shape []int) {
	block := 1
	switch len(shape) {
	case 2:
		block = shape[1]
	case 3:
		block = shape[2]
	case 4:
		block = shape[2] * shape[3]
	}
	if block <= 1 {
		return
	}
	for lo := 0; lo < len(d); lo += block {
		row := d[lo : lo+block]
		var sum float64
		for _, x := range row {
			sum += float64(x)
		}
		mean := float32(sum / float64(block))
		for j := range row {
			row[j] = mean
		}
	}
}

func init() {
	c := DefaultAdaHessian()
	register("adahessian", map[string]string{"lr": f32(c.LR), "beta1": f64(c.Beta1), "beta2": f64(c.Beta2),
		"eps": f64(c.Eps), "weight_decay": f32(c.WeightDecay), "hessian_power": f64(c.HessianPower), "seed": "0"},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := AdaHessianConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"), Eps: a.f64("eps"),
				WeightDecay: a.f32("weight_decay"), HessianPower: a.f64("hessian_power"), Seed: a.curvU64("seed")}
			if a.err != nil {
				return nil, a.err
			}
			return NewAdaHessian(ps, c)
		})
}
