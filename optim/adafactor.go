package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// AdafactorConfig holds the hyperparameters of NewAdafactor.
type AdafactorConfig struct {
	// LR η ≥ 0 multiplies the step: with RelativeStep the step is η·α_t,
	// so the default η = 1 gives the paper's α_t; without it, η is the
	// fixed learning rate.
	LR             float32
	RelativeStep   bool    // ρ_t = min(1e-2, 1/√t); false: ρ_t = 1
	ScaleParameter bool    // multiply by max(ε2, RMS(W)); false: by 1
	Beta1          float64 // β1 in [0, 1): momentum on the scaled update; 0 turns it off
	DecayRate      float64 // c > 0 in β̂2_t = 1 − t^(−c)
	Eps1           float64 // ε1 ≥ 0, added to G²
	Eps2           float64 // ε2 ≥ 0, the floor of RMS(W)
	ClipThreshold  float64 // d > 0, the RMS clipping threshold
	MinDimToFactor int     // factor a 2-D parameter when both dimensions are ≥ this (and ≥ 2)
	WeightDecay    float32 // λ ≥ 0, decoupled, added before η (optax adafactor)
}

// DefaultAdafactor returns the defaults of METHODS.md 1.8: relative step
// size with parameter scaling (η = 1), no momentum, decay exponent 0.8,
// ε1 = 1e-30, ε2 = 1e-3, d = 1, factoring from 128 (optax), λ = 0.
func DefaultAdafactor() AdafactorConfig {
	return AdafactorConfig{LR: 1, RelativeStep: true, ScaleParameter: true, DecayRate: 0.8,
		Eps1: 1e-30, Eps2: 1e-3, ClipThreshold: 1, MinDimToFactor: 128}
}

// NewAdafactor returns Adafactor (Shazeer & Stern, "Adafactor: Adaptive
// Learning Rates with Sublinear Memory Cost"; METHODS.md 1.8, verified
// against optax scale_by_factored_rms / adafactor and pytorch_optimizer's
// relative step size). For a parameter W of shape n×m with gradient G, t
// its step count:
//
//	β̂2_t = 1 − t^(−c)
//	Q    = G² + ε1
//	r ← β̂2·r + (1−β̂2)·rowmean(Q)          (n values)
//	c ← β̂2·c + (1−β̂2)·colmean(Q)          (m values)
//	V̂_ij = (r_i / mean(r)) · c_j
//	U = G / √V̂ ;   Û = U / max(1, RMS(U)/d)
//	ρ_t = min(1e-2, 1/√t) ;  α_t = max(ε2, RMS(W)) · ρ_t
//	W ← W − η·(α_t·Û + λ·W)
//
// A parameter that is not 2-D, or whose dimensions are not both ≥
// MinDimToFactor (and ≥ 2), keeps an unfactored v ← β̂2·v + (1−β̂2)·Q and
// V̂ = v. RMS is per tensor. With Beta1 > 0 the update α_t·Û is averaged,
// m ← β1·m + (1−β1)·α_t·Û, and m replaces it. RelativeStep false sets
// ρ_t = 1 and ScaleParameter false replaces max(ε2, RMS(W)) by 1.
//
// Rounding, shared by the chain and the fused kernels: the statistics
// are float64 sums of G² (rowmean(Q) = Σ_j G_ij²/m + ε1), r and c are
// rounded to float32, and 1/√V̂ is applied in its separable form, U_ij =
// (G_ij·a_i)·b_j with a_i = float32(√(mean(r)/r_i)) and b_j =
// float32(1/√c_j) (n + m square roots per step, two float32 products per
// element). The unfactored v and U = G/√v round every product and sum in
// float32. Σ U² and Σ W² (for the two RMS) add the squares into 16
// lanes combined pairwise (k with k+8, k+4, k+2, then the last two),
// rounding the squares to float32 and adding them in float32: for a
// factored parameter element (i, j) into lane j mod 16, each lane moving
// into a float64 lane after every 1024 elements of a row and at the
// row's end; for the others element i into lane i mod 16, each lane
// moving into a float64 lane after every 1024 elements and at the end.
// These are the orders asm.AdafactorMatrixStep and asm.AdafactorStep
// follow.
//
// Step runs a fused kernel by default (SetFused(false) selects the
// chain): asm.AdafactorMatrixStep on factored parameters, three passes
// (the sums, Σ U², the update) with no division or root per element, and
// asm.AdafactorStep on the others, two passes (v, U and the sums, with U
// kept in the parameter's scratch; then the update).
//
// The chain is ScaleByAdafactor, AddDecayedWeights, ScaleByLR. State: the
// Optimizer keeps every state buffer in the parameter's shape (State
// writes it so), so "exp_avg_sq" has the parameter's n·m elements; a
// factored parameter uses only its first n+m, r then c (the rest stays
// zero), so Adafactor's memory saving is not realized, only its update.
// With Beta1 > 0 the state adds "exp_avg" (m). NewAdafactor returns a
// *HyperparameterError for a negative or non-finite η, ε1, ε2 or λ, a
// decay rate or d not finite and > 0, β1 outside [0, 1), or a negative
// MinDimToFactor.
func NewAdafactor(params []*autodiff.Var, cfg AdafactorConfig) (*Optimizer, error) {
	const opt = "adafactor"
	for _, h := range []struct {
		name string
		x    float64
	}{{"lr", float64(cfg.LR)}, {"eps1", cfg.Eps1}, {"eps2", cfg.Eps2},
		{"weight_decay", float64(cfg.WeightDecay)}, {"min_dim_size_to_factor", float64(cfg.MinDimToFactor)}} {
		if err := checkNonNeg(opt, h.name, h.x); err != nil {
			return nil, err
		}
	}
	if err := checkRange(opt, "decay_rate", cfg.DecayRate, 0, inf, true, true); err != nil {
		return nil, err
	}
	if err := checkRange(opt, "clip_threshold", cfg.ClipThreshold, 0, inf, true, true); err != nil {
		return nil, err
	}
	if err := checkRange(opt, "beta1", cfg.Beta1, 0, 1, false, true); err != nil {
		return nil, err
	}
	t := Chain(ScaleByAdafactor(cfg), AddDecayedWeights(), ScaleByLR())
	return newWholeFused(opt, params, t, adafactorFused(cfg), cfg.LR, cfg.WeightDecay)
}

// adafactorFused returns NewAdafactor's fused step: asm.AdafactorMatrixStep
// on the r and c of "exp_avg_sq" for a factored parameter, else
// asm.AdafactorStep with U in the parameter's scratch; "exp_avg" is the
// momentum when β1 > 0. The kernels' work space is kept for the
// optimizer's life (an Optimizer is not safe for concurrent use).
func adafactorFused(cfg AdafactorConfig) wholeStep {
	sh := &scaleByAdafactor{cfg: cfg}
	w := new(asm.AdafactorWork)
	h := asm.AdafactorParams{Beta1: cfg.Beta1, DecayRate: cfg.DecayRate, Eps1: cfg.Eps1, Eps2: cfg.Eps2,
		ClipThreshold: cfg.ClipThreshold, RelativeStep: cfg.RelativeStep, ScaleParameter: cfg.ScaleParameter}
	return func(a *fusedArgs) {
		h := h
		h.LR, h.WeightDecay, h.Step = float64(a.LR), float64(a.WD), a.Step
		var m []float32
		if cfg.Beta1 > 0 {
			m = a.St[1]
		}
		v := a.St[0]
		if rows, cols, ok := sh.factored(a.Shape); ok {
			asm.AdafactorMatrixStep(a.P, a.G, v[:rows], v[rows:rows+cols], m, rows, cols, h, w)
			return
		}
		asm.AdafactorStep(a.P, a.G, v, m, a.Scratch(), h)
	}
}

// ScaleByAdafactor returns the Adafactor transform of NewAdafactor: it maps
// a gradient G to α_t·Û (or its momentum average), reading the
// parameter's shape from Slot.Shape (nil is a vector) and the parameter's
// values from Slot.P. It reads every field of cfg except LR and
// WeightDecay; the caller validates them (NewAdafactor does). The state is
// "exp_avg_sq", laid out as NewAdafactor describes, and "exp_avg" when
// cfg.Beta1 > 0. The transform keeps a scratch buffer of one float64 per
// column, so one value must not be used by two optimizers concurrently.
func ScaleByAdafactor(cfg AdafactorConfig) Transform {
	return &scaleByAdafactor{cfg: cfg}
}

type scaleByAdafactor struct {
	cfg     AdafactorConfig
	scratch []float64 // column sums, then column factors
}

var (
	adafactorStateNames         = []string{"exp_avg_sq"}
	adafactorMomentumStateNames = []string{"exp_avg_sq", "exp_avg"}
)

func (*scaleByAdafactor) Name() string { return "scale_by_adafactor" }

func (a *scaleByAdafactor) StateNames() []string {
	if a.cfg.Beta1 > 0 {
		return adafactorMomentumStateNames
	}
	return adafactorStateNames
}

func (a *scaleByAdafactor) Init(n int) [][]float32 { return zeros(len(a.StateNames()), n) }

// factored returns the matrix dimensions of a parameter that is factored.
func (a *scaleByAdafactor) factored(shape []int) (rows, cols int, ok bool) {
	if len(shape) != 2 {
		return 0, 0, false
	}
	lim := max(a.cfg.MinDimToFactor, 2)
	return shape[0], shape[1], shape[0] >= lim && shape[1] >= lim
}

func (a *scaleByAdafactor) Update(slots []Slot) {
	nb := len(a.StateNames())
	for i := range slots {
		s := &slots[i]
		st := stateOf(a, s, nb)
		if len(s.U) == 0 {
			continue
		}
		t := float64(s.Step)
		bh := 1 - math.Pow(t, -a.cfg.DecayRate)
		u, v := s.U, st[0][:len(s.U)]
		cols := len(u) // a vector is one row of the RMS lanes
		if rows, c, ok := a.factored(s.Shape); ok {
			cols = c
			a.factoredRMS(u, v[:rows], v[rows:rows+cols], bh, cols)
		} else {
			b, omb, eps1 := float32(bh), float32(1-bh), float32(a.cfg.Eps1)
			for j, g := range u {
				// The conversions keep the compiler from fusing
				// multiply-adds (the fused kernel has none here).
				vj := float32(b*v[j]) + float32(omb*(float32(g*g)+eps1))
				v[j] = vj
				u[j] = g / float32(math.Sqrt(float64(vj)))
			}
		}
		n := float64(len(u))
		scale := 1 / max(1, math.Sqrt(adafactorRMSSum(u, cols)/n)/a.cfg.ClipThreshold)
		if a.cfg.RelativeStep {
			scale *= min(1e-2, 1/math.Sqrt(t))
		}
		if a.cfg.ScaleParameter {
			scale *= max(a.cfg.Eps2, math.Sqrt(adafactorRMSSum(s.P, cols)/n))
		}
		sc := float32(scale)
		if a.cfg.Beta1 > 0 {
			b1, omb1 := float32(a.cfg.Beta1), float32(1-a.cfg.Beta1)
			m := st[1][:len(u)]
			for j, x := range u {
				m[j] = b1*m[j] + omb1*(sc*x)
				u[j] = m[j]
			}
		} else {
			for j := range u {
				u[j] *= sc
			}
		}
	}
}

// factoredRMS updates the row and column statistics r and c of the
// gradient u (rows×cols, row-major) and overwrites u with U = G/√V̂ in
// the separable form of NewAdafactor: U_ij = (G_ij·a_i)·b_j.
func (a *scaleByAdafactor) factoredRMS(u, r, c []float32, bh float64, cols int) {
	rows := len(r)
	if cap(a.scratch) < cols {
		a.scratch = make([]float64, cols)
	}
	cs := a.scratch[:cols]
	clear(cs)
	eps1 := a.cfg.Eps1
	rsum := 0.0
	for i := range rows {
		row := u[i*cols : (i+1)*cols]
		var l [16]float64
		for j, g := range row {
			q := float64(g) * float64(g)
			l[j&15] += q
			cs[j] += q
		}
		ri := float32(bh*float64(r[i]) + (1-bh)*(asm.CombineLanes16(&l)/float64(cols)+eps1))
		r[i] = ri
		rsum += float64(ri)
	}
	for j := range cs {
		cj := float32(bh*float64(c[j]) + (1-bh)*(cs[j]/float64(rows)+eps1))
		c[j] = cj
		cs[j] = float64(float32(1 / math.Sqrt(float64(cj)))) // b_j
	}
	meanR := rsum / float64(rows)
	for i := range rows {
		ai := float32(math.Sqrt(meanR / float64(r[i])))
		row := u[i*cols : (i+1)*cols]
		for j, g := range row {
			row[j] = float32(g*ai) * float32(cs[j])
		}
	}
}

// adafactorRMSSum returns Σ x² of a parameter's W or U in the order of
// NewAdafactor: adafactorRowSumSq32 for a factored one (cols < len(x)),
// else adafactorVecSumSq.
func adafactorRMSSum(x []float32, cols int) float64 {
	if cols < len(x) {
		return adafactorRowSumSq32(x, cols)
	}
	return adafactorVecSumSq(x)
}

// adafactorRowSumSq32 returns Σ x² of a row-major matrix of the given
// number of columns in the order of NewAdafactor for a factored
// parameter: squares rounded to float32, added in float32 into lane
// (i mod cols) mod 16, the lanes added to float64 lanes after every 1024
// elements of a row and at each row's end.
func adafactorRowSumSq32(x []float32, cols int) float64 {
	var l [16]float64
	var l32 [16]float32
	for i, v := range x {
		j := i % cols
		l32[j&15] += float32(v * v)
		if (j+1)%1024 == 0 || j == cols-1 {
			for k := range l {
				l[k] += float64(l32[k])
			}
			l32 = [16]float32{}
		}
	}
	return asm.CombineLanes16(&l)
}

// adafactorVecSumSq returns Σ x² in the order of NewAdafactor for an
// unfactored parameter: squares rounded to float32, added in float32
// into lane i mod 16, the lanes added to float64 lanes after every 1024
// elements and at the end.
func adafactorVecSumSq(x []float32) float64 {
	var l [16]float64
	var l32 [16]float32
	for i, v := range x {
		l32[i&15] += float32(v * v)
		if (i+1)%1024 == 0 || i == len(x)-1 {
			for k := range l {
				l[k] += float64(l32[k])
			}
			l32 = [16]float32{}
		}
	}
	return asm.CombineLanes16(&l)
}

func init() {
	c := DefaultAdafactor()
	register("adafactor", map[string]string{"lr": f32(c.LR), "relative_step": "true", "scale_parameter": "true",
		"beta1": f64(c.Beta1), "decay_rate": f64(c.DecayRate), "eps1": f64(c.Eps1), "eps2": f64(c.Eps2),
		"clip_threshold": f64(c.ClipThreshold), "min_dim_size_to_factor": f64(float64(c.MinDimToFactor)),
		"weight_decay": f32(c.WeightDecay)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := AdafactorConfig{LR: a.f32("lr"), RelativeStep: a.bool("relative_step"),
				ScaleParameter: a.bool("scale_parameter"), Beta1: a.f64("beta1"), DecayRate: a.f64("decay_rate"),
				Eps1: a.f64("eps1"), Eps2: a.f64("eps2"), ClipThreshold: a.f64("clip_threshold"),
				MinDimToFactor: g1aCountArg(a, "min_dim_size_to_factor"), WeightDecay: a.f32("weight_decay")}
			if a.err != nil {
				return nil, a.err
			}
			return NewAdafactor(ps, c)
		})
}
