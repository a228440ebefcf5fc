package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// SubsetNormConfig holds the hyperparameters of NewAdamWSN.
type SubsetNormConfig struct {
	LR          float32 // η ≥ 0 (typically about 10× Adam's)
	Beta1       float64 // β1 in [0, 1); 0 gives RMSProp-SN
	Beta2       float64 // β2 in [0, 1)
	Eps         float64 // ε ≥ 0, added to √s
	WeightDecay float32 // λ ≥ 0, decoupled
}

// DefaultAdamWSN returns η = 1e-2 (METHODS.md 1.17: about 10× Adam's
// 1e-3), Adam's β = (0.9, 0.999), ε = 1e-6 (adamw_sn.py's default) and
// λ = 0.
func DefaultAdamWSN() SubsetNormConfig {
	return SubsetNormConfig{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6}
}

// NewAdamWSN returns AdamW with Subset-Norm step sizes (Nguyen et al.,
// "Efficient Adaptive Optimization via Subset-Norm and Subspace-Momentum"),
// the AdamW-SN of timmytonga/adam-subset-norm adamw_sn.py @24d26cb
// (METHODS.md 1.17; the Subset-Norm part is verified). For a 2-D
// parameter W of shape n×m with n ≥ m, gradient G, with t its step count,
// bc1 = 1−β1^t, bc2 = 1−β2^t:
//
//	s_i ← β2·s_i + (1−β2)·Σ_j G_ij²      (one scalar per row: the subsets run along the larger dim)
//	m ← β1·m + (1−β1)·G
//	W ← W − η·( (√bc2/bc1)·m_ij/(√s_i + ε) + λ·W )
//
// and for n < m the same with one scalar per column (s_j sums over i).
// Every other parameter (1-D, and any that is not 2-D) takes AdamW's
// per-element v in the same fused form, (√bc2/bc1)·m/(√v + ε). A
// parameter's shape comes from Slot.Shape.
//
// Not implemented: Subspace-Momentum, the paper's other half (METHODS.md
// marks it unverified), and the AdaGrad (running-sum) form of s.
//
// Differences from adamw_sn.py: the decay is the chain's θ − η·(step +
// λ·θ), where adamw_sn.py decays the already-updated weights (a
// difference of order η²λ); the state is parameter-shaped (Optimizer
// state buffers always are), so "exp_avg_sq" of a matrix uses only its
// first max(n, m) entries and the memory saving of the paper is not
// realized. For n < m the column sums are accumulated row by row into
// s_j after scaling it by β2 (equal to the formula up to rounding), in
// float32.
//
// Rounding, shared by the chain and the fused kernel: a row's Σ_j G_ij²
// adds the squares in float64 into 16 lanes (element j into lane j mod
// 16), combined pairwise (k with k+8, k+4, k+2, then the last two) and
// rounded to float32, the order asm.SubsetNormStep follows; the s update
// rounds its two products and its sum in float32.
//
// Step runs a fused kernel by default (SetFused(false) selects the
// chain): asm.SubsetNormStep on 2-D parameters (per row: the sum while
// the row is in cache, one division, then m and θ by multiply-adds; per
// column: the column sums, one division per column kept in the
// parameter's scratch, then the update), and asm.AdamStep (decoupled)
// with ε/√bc2 in place of ε, which is the same fused form, on the
// others.
//
// The chain is ScaleBySubsetNorm, AddDecayedWeights, ScaleByLR. The
// state is "exp_avg" (m) and "exp_avg_sq" (s, or v). NewAdamWSN returns a
// *HyperparameterError for a negative or non-finite η, ε or λ, or a β
// outside [0, 1).
func NewAdamWSN(params []*autodiff.Var, cfg SubsetNormConfig) (*Optimizer, error) {
	const opt = "adamw-sn"
	if err := (AdamConfig{LR: cfg.LR, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps,
		WeightDecay: cfg.WeightDecay}).validate(opt); err != nil {
		return nil, err
	}
	t := Chain(ScaleBySubsetNorm(cfg.Beta1, cfg.Beta2, cfg.Eps), AddDecayedWeights(), ScaleByLR())
	return newWholeFused(opt, params, t, subsetNormFused(cfg), cfg.LR, cfg.WeightDecay)
}

// subsetNormFused returns NewAdamWSN's fused step: asm.SubsetNormStep on
// a 2-D parameter (the per-column quotients in the parameter's scratch
// when rows < cols), else asm.AdamStep in the decoupled form with
// ε' = ε/√bc2, so that (η/bc1)·m/(√v/√bc2 + ε') = η·(√bc2/bc1)·m/(√v + ε),
// the chain's per-element update.
func subsetNormFused(cfg SubsetNormConfig) wholeStep {
	return func(a *fusedArgs) {
		if len(a.Shape) != 2 || len(a.P) == 0 {
			bc2 := 1 - math.Pow(cfg.Beta2, float64(a.Step))
			asm.AdamStep(a.P, a.G, a.St[0], a.St[1], asm.AdamParams{LR: float64(a.LR), Beta1: cfg.Beta1,
				Beta2: cfg.Beta2, Eps: cfg.Eps / math.Sqrt(bc2), WeightDecay: float64(a.WD), Decoupled: true, Step: a.Step})
			return
		}
		rows, cols := a.Shape[0], a.Shape[1]
		var work []float32
		if rows < cols {
			work = a.Scratch()
		}
		asm.SubsetNormStep(a.P, a.G, a.St[0], a.St[1], work, rows, cols, asm.SubsetNormParams{LR: float64(a.LR),
			Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps, WeightDecay: float64(a.WD), Step: a.Step})
	}
}

// ScaleBySubsetNorm returns the Subset-Norm Adam transform of NewAdamWSN
// (without the decay): u ← (√bc2/bc1)·m/(√s + ε), with s per row (or per
// column) for 2-D parameters, per element otherwise. The state is
// "exp_avg" and "exp_avg_sq", starting at zero. The caller validates the
// hyperparameters.
func ScaleBySubsetNorm(beta1, beta2, eps float64) Transform {
	return &scaleBySubsetNorm{b1: beta1, b2: beta2, eps: eps}
}

type scaleBySubsetNorm struct{ b1, b2, eps float64 }

func (*scaleBySubsetNorm) Name() string           { return "scale_by_subset_norm" }
func (*scaleBySubsetNorm) StateNames() []string   { return adamStateNames }
func (*scaleBySubsetNorm) Init(n int) [][]float32 { return zeros(2, n) }

func (a *scaleBySubsetNorm) Update(slots []Slot) {
	b1, omb1 := float32(a.b1), float32(1-a.b1)
	b2, omb2 := float32(a.b2), float32(1-a.b2)
	eps := float32(a.eps)
	for i := range slots {
		s := &slots[i]
		st := stateOf(a, s, 2)
		c := fusedBiasCorrection(a.b1, a.b2, s.Step)
		n := len(s.U)
		u, m, v := s.U, st[0][:n], st[1][:n]
		if len(s.Shape) != 2 || n == 0 {
			for j, g := range u {
				mj := b1*m[j] + omb1*g
				vj := b2*v[j] + omb2*g*g
				m[j], v[j] = mj, vj
				u[j] = c * (mj / (float32(math.Sqrt(float64(vj))) + eps))
			}
			continue
		}
		rows, cols := s.Shape[0], s.Shape[1]
		if rows >= cols {
			for r := range rows {
				row, mr := u[r*cols:(r+1)*cols], m[r*cols:(r+1)*cols]
				var l [16]float64
				for j, g := range row {
					l[j&15] += float64(g) * float64(g)
				}
				sum := float32(asm.CombineLanes16(&l))
				sr := float32(b2*v[r]) + float32(omb2*sum)
				v[r] = sr
				d := float32(math.Sqrt(float64(sr))) + eps
				for j, g := range row {
					mj := b1*mr[j] + omb1*g
					mr[j] = mj
					row[j] = c * (mj / d)
				}
			}
			continue
		}
		sc := v[:cols]
		for j := range sc {
			sc[j] *= b2
		}
		for r := range rows {
			for j, g := range u[r*cols : (r+1)*cols] {
				sc[j] += float32(omb2 * float32(g*g))
			}
		}
		for r := range rows {
			row, mr := u[r*cols:(r+1)*cols], m[r*cols:(r+1)*cols]
			for j, g := range row {
				mj := b1*mr[j] + omb1*g
				mr[j] = mj
				row[j] = c * (mj / (float32(math.Sqrt(float64(sc[j]))) + eps))
			}
		}
	}
}

func init() {
	d := DefaultAdamWSN()
	register("adamw-sn", map[string]string{"lr": f32(d.LR), "beta1": f64(d.Beta1), "beta2": f64(d.Beta2),
		"eps": f64(d.Eps), "weight_decay": f32(d.WeightDecay)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := SubsetNormConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"),
				Eps: a.f64("eps"), WeightDecay: a.f32("weight_decay")}
			if a.err != nil {
				return nil, a.err
			}
			return NewAdamWSN(ps, c)
		})
}
