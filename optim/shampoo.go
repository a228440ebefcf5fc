package optim

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// ShampooConfig holds the hyperparameters of NewShampoo.
type ShampooConfig struct {
	LR    float32 // η ≥ 0
	Beta1 float64 // β1 in [0, 1): Nesterov momentum on the grafted step (0: none)
	// Beta2 in (0, 1] weighs the statistics, L ← β2·L + (1−β2)·G·Gᵀ;
	// β2 = 1 sums them, L ← L + G·Gᵀ (the paper's rule).
	Beta2     float64
	MatrixEps float64 // ε > 0: L₀ = ε·I, and the ridge εI added before each root
	// UpdateFreq is T ≥ 1: the inverse roots are recomputed at the steps
	// t with t mod T = 0 (identity before the first).
	UpdateFreq int
	// Start ≥ 1 is the first step that uses the Shampoo direction;
	// earlier steps take the graft direction.
	Start int
	// Graft is "sgd", "adagrad", "rmsprop" or "none": the direction whose
	// norm the Shampoo direction takes.
	Graft string
	// GraftEps > 0 is the ε of the AdaGrad and RMSProp grafts,
	// g/(√a + ε).
	GraftEps float64
	// MaxDim ≥ 1: a mode longer than MaxDim is not preconditioned (its
	// factor is the identity).
	MaxDim      int
	WeightDecay float32 // λ ≥ 0, decoupled
}

// DefaultShampoo returns METHODS.md 2.1's scalable-Shampoo defaults:
// η = 1e-3, β = (0.9, 0.999), ε = 1e-6, T = 1000, start = 25, and
// pytorch_optimizer's ScalableShampoo choices: SGD grafting, graft
// ε = 1e-6, modes longer than 4096 skipped; λ = 0. METHODS.md advises a
// smaller T (10–100) for MNIST.
func DefaultShampoo() ShampooConfig {
	return ShampooConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, MatrixEps: 1e-6, UpdateFreq: 1000, Start: 25,
		Graft: "sgd", GraftEps: 1e-6, MaxDim: 4096}
}

func (c ShampooConfig) validate() error {
	const opt = "shampoo"
	for _, e := range []error{
		checkNonNeg(opt, "lr", float64(c.LR)),
		checkRange(opt, "beta1", c.Beta1, 0, 1, false, true),
		checkRange(opt, "beta2", c.Beta2, 0, 1, true, false),
		checkRange(opt, "matrix_eps", c.MatrixEps, 0, inf, true, true),
		checkRange(opt, "update_freq", float64(c.UpdateFreq), 1, inf, false, true),
		checkRange(opt, "start", float64(c.Start), 1, inf, false, true),
		checkRange(opt, "graft_eps", c.GraftEps, 0, inf, true, true),
		checkRange(opt, "max_dim", float64(c.MaxDim), 1, inf, false, true),
		checkNonNeg(opt, "weight_decay", float64(c.WeightDecay)),
	} {
		if e != nil {
			return e
		}
	}
	if shampooGraft(c.Graft) < 0 {
		return &HyperparameterError{Optimizer: opt, Name: "graft", Value: math.NaN(),
			Want: fmt.Sprintf("must be sgd, adagrad, rmsprop or none, not %q", c.Graft)}
	}
	return nil
}

const (
	graftNone = iota
	graftSGD
	graftAdaGrad
	graftRMSProp
)

func shampooGraft(s string) int {
	switch s {
	case "none":
		return graftNone
	case "sgd":
		return graftSGD
	case "adagrad":
		return graftAdaGrad
	case "rmsprop":
		return graftRMSProp
	}
	return -1
}

// NewShampoo returns Shampoo (Gupta et al., "Shampoo: Preconditioned
// Stochastic Tensor Optimization"; Anil et al., "Scalable Second Order
// Optimization for Deep Learning"), METHODS.md 2.1, after
// pytorch_optimizer's ScalableShampoo (verified; exponent 2·rank, not
// the simple Shampoo's rank, per the bug note). A parameter is viewed as
// a matrix G (r×c): a 2-D weight as itself, a tensor of higher rank as
// shape[0] × (the rest), and a 0-D or 1-D one as a vector (one mode,
// k = 1; matrices have k = 2). With t the step and w = 1−β2 (w = 1 when
// β2 = 1):
//
//	L ← β2·L + w·G·Gᵀ   (L₀ = ε·I_r)        R ← β2·R + w·Gᵀ·G   (R₀ = ε·I_c)
//	if t mod T = 0:  L̃ = (L + εI)^(−1/(2k)),  R̃ = (R + εI)^(−1/(2k))
//	                 (symmetric eigendecomposition in float64, eigenvalues
//	                 clipped at 0 before the ridge; identity before)
//	a: AdaGrad a ← a + g², RMSProp a ← β2·a + (1−β2)·g²
//	u_graft = g (sgd) or g/(√a + ε_graft) (adagrad, rmsprop)
//	P = L̃·G·R̃  if t ≥ start, else u_graft       (a vector: P = L̃·g)
//	P ← ‖u_graft‖·P/(‖P‖ + 1e-16)               (grafting, unless "none")
//	m ← β1·m + P ;  u = P + β1·m                (Nesterov)
//	θ ← θ − η·(u + λ·θ)
//
// A mode longer than MaxDim has no statistics and an identity factor.
// Large modes are not split into blocks (the scalable version's
// block_size): that and the graft's separate momentum of
// pytorch_optimizer are left out, and weight decay is decoupled rather
// than added to the preconditioned gradient. The chain is ScaleByShampoo,
// AddDecayedWeights, ScaleByLR. The state is "momentum" and "graft"
// (parameter-shaped), "dims" (r, c, k), and the r×r and c×c "stat_l",
// "stat_r", "root_l", "root_r" (0×0 for a mode without a factor): see
// ShapedState. Root steps allocate. NewShampoo returns a
// *HyperparameterError for a negative η or λ, β1 outside [0, 1), β2
// outside (0, 1], a non-positive ε or graft ε, T, start or MaxDim below
// 1, or an unknown graft.
func NewShampoo(params []*autodiff.Var, cfg ShampooConfig) (*Optimizer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	t := Chain(ScaleByShampoo(cfg), AddDecayedWeights(), ScaleByLR())
	return NewFromTransform("shampoo", params, t, cfg.LR, cfg.WeightDecay)
}

// ScaleByShampoo returns Shampoo's transform (see NewShampoo) without
// weight decay and learning rate (cfg.LR and cfg.WeightDecay are
// ignored). It is a ShapedState. The caller validates cfg.
func ScaleByShampoo(cfg ShampooConfig) Transform {
	return &scaleByShampoo{cfg: cfg, graft: shampooGraft(cfg.Graft)}
}

type scaleByShampoo struct {
	cfg   ShampooConfig
	graft int
	p, tm []float32 // scratch: the preconditioned direction, L̃·G
}

var shampooStateNames = []string{"momentum", "graft", "dims", "stat_l", "stat_r", "root_l", "root_r"}

func (*scaleByShampoo) Name() string         { return "scale_by_shampoo" }
func (*scaleByShampoo) StateNames() []string { return shampooStateNames }
func (a *scaleByShampoo) Init(n int) [][]float32 {
	return a.InitShape([]int{n})
}

// modes returns the matrix view r×c of a parameter, its order k, and the
// sides of the left and right factors (0: none).
func (a *scaleByShampoo) modes(shape []int) (r, c, k, nl, nr int) {
	n := numel(shape)
	switch len(shape) {
	case 0, 1:
		r, c, k = n, 1, 1
	default:
		r, c, k = shape[0], n/max(shape[0], 1), 2
		nr = c
		if c > a.cfg.MaxDim {
			nr = 0
		}
	}
	nl = r
	if r > a.cfg.MaxDim {
		nl = 0
	}
	return r, c, k, nl, nr
}

func (a *scaleByShampoo) StateShapes(shape []int) [][]int {
	_, _, _, nl, nr := a.modes(shape)
	if len(shape) == 0 {
		shape = []int{1}
	}
	return [][]int{shape, shape, {3}, {nl, nl}, {nr, nr}, {nl, nl}, {nr, nr}}
}

func (a *scaleByShampoo) InitShape(shape []int) [][]float32 {
	r, c, k, nl, nr := a.modes(shape)
	n := numel(shape)
	eye := func(d int, x float32) []float32 {
		b := make([]float32, d*d)
		for i := range d {
			b[i*d+i] = x
		}
		return b
	}
	eps := float32(a.cfg.MatrixEps)
	return [][]float32{make([]float32, n), make([]float32, n), {float32(r), float32(c), float32(k)},
		eye(nl, eps), eye(nr, eps), eye(nl, 1), eye(nr, 1)}
}

func (a *scaleByShampoo) Update(slots []Slot) {
	for i := range slots {
		a.update(&slots[i])
	}
}

func (a *scaleByShampoo) update(s *Slot) {
	n := len(s.U)
	st := s.State()
	if len(st) != len(shampooStateNames) || len(st[2]) != 3 {
		stateMismatch(a.Name(), s, "%d state buffers, want %d %v", len(st), len(shampooStateNames), shampooStateNames)
	}
	r, c, k := int(st[2][0]), int(st[2][1]), int(st[2][2])
	nl, nr := isqrt(len(st[3])), isqrt(len(st[4]))
	if r*c != n || len(st[0]) != n || len(st[1]) != n || (nl != 0 && nl != r) || (nr != 0 && nr != c) ||
		len(st[5]) != nl*nl || len(st[6]) != nr*nr || len(s.P) != n {
		stateMismatch(a.Name(), s, "state for a %d×%d matrix does not fit %d elements", r, c, n)
	}
	mom, acc, statL, statR, rootL, rootR := st[0], st[1], st[3], st[4], st[5], st[6]
	g := s.U
	cfg := &a.cfg
	b2 := float32(cfg.Beta2)
	w := float32(1 - cfg.Beta2)
	if cfg.Beta2 == 1 {
		w = 1
	}
	// statistics
	if nl > 0 {
		tensor.Sgemm(false, true, r, r, c, w, g, c, g, c, b2, statL, r)
	}
	if nr > 0 {
		tensor.Sgemm(true, false, c, c, r, w, g, c, g, c, b2, statR, c)
	}
	if s.Step%cfg.UpdateFreq == 0 {
		p := -1 / (2 * float64(k))
		if nl > 0 {
			invRoot(rootL, statL, nl, p, cfg.MatrixEps)
		}
		if nr > 0 {
			invRoot(rootR, statR, nr, p, cfg.MatrixEps)
		}
	}
	// graft accumulator
	switch a.graft {
	case graftAdaGrad:
		for j, x := range g {
			acc[j] += x * x
		}
	case graftRMSProp:
		for j, x := range g {
			acc[j] = b2*acc[j] + float32(1-cfg.Beta2)*x*x
		}
	}
	if cap(a.p) < n {
		a.p, a.tm = make([]float32, n), make([]float32, n)
	}
	p, tm := a.p[:n], a.tm[:n]
	var graftSq float64
	if a.graft == graftAdaGrad || a.graft == graftRMSProp {
		ge := cfg.GraftEps
		for j, x := range g {
			gj := float32(float64(x) / (math.Sqrt(float64(acc[j])) + ge))
			graftSq += float64(gj) * float64(gj)
			if s.Step < cfg.Start {
				p[j] = gj
			}
		}
	} else {
		for _, x := range g {
			graftSq += float64(x) * float64(x)
		}
		if s.Step < cfg.Start {
			copy(p, g)
		}
	}
	if s.Step >= cfg.Start {
		src := g
		if nl > 0 {
			tensor.Sgemm(false, false, r, c, r, 1, rootL, r, src, c, 0, tm, c)
			src = tm
		}
		if nr > 0 {
			tensor.Sgemm(false, false, r, c, c, 1, src, c, rootR, c, 0, p, c)
		} else {
			copy(p, src)
		}
		if a.graft != graftNone {
			var pSq float64
			for _, x := range p {
				pSq += float64(x) * float64(x)
			}
			scale := float32(math.Sqrt(graftSq) / (math.Sqrt(pSq) + 1e-16))
			for j := range p {
				p[j] *= scale
			}
		}
	}
	b1 := float32(cfg.Beta1)
	for j, x := range p {
		if b1 == 0 {
			g[j] = x
			continue
		}
		mj := b1*mom[j] + x
		mom[j] = mj
		g[j] = x + b1*mj
	}
}

func isqrt(n int) int {
	r := int(math.Sqrt(float64(n)))
	for r*r > n {
		r--
	}
	for (r+1)*(r+1) <= n {
		r++
	}
	return r
}

// invRoot sets dst (d×d) to (A + εI)^p for the symmetric d×d A, by
// gonum's symmetric eigendecomposition in float64 with A's eigenvalues
// clipped at 0 before the ridge: dst = U·diag((max(λ,0)+ε)^p)·Uᵀ. A is
// symmetrized ((A+Aᵀ)/2) first. It panics if the decomposition fails.
func invRoot(dst, a []float32, d int, p, eps float64) {
	sym := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			sym.SetSym(i, j, (float64(a[i*d+j])+float64(a[j*d+i]))/2)
		}
	}
	var es mat.EigenSym
	if !es.Factorize(sym, true) {
		panic(fmt.Sprintf("optim: shampoo: eigendecomposition of a %d×%d statistic failed", d, d))
	}
	vals := es.Values(nil)
	var u mat.Dense
	es.VectorsTo(&u)
	// dst = (U·diag(f))·Uᵀ in float32 on Sgemm.
	raw := u.RawMatrix()
	us := make([]float32, d*d)
	uf := make([]float32, d*d)
	for i := range d {
		for l := range d {
			x := raw.Data[i*raw.Stride+l]
			us[i*d+l] = float32(x)
			uf[i*d+l] = float32(x * math.Pow(max(vals[l], 0)+eps, p))
		}
	}
	tensor.Sgemm(false, true, d, d, d, 1, uf, d, us, d, 0, dst, d)
}

func init() {
	c := DefaultShampoo()
	register("shampoo", map[string]string{"lr": f32(c.LR), "beta1": f64(c.Beta1), "beta2": f64(c.Beta2),
		"matrix_eps": f64(c.MatrixEps), "update_freq": fmt.Sprint(c.UpdateFreq), "start": fmt.Sprint(c.Start),
		"graft": c.Graft, "graft_eps": f64(c.GraftEps), "max_dim": fmt.Sprint(c.MaxDim), "weight_decay": f32(c.WeightDecay)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := ShampooConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"), MatrixEps: a.f64("matrix_eps"),
				UpdateFreq: a.curvInt("update_freq"), Start: a.curvInt("start"), Graft: a.vals["graft"],
				GraftEps: a.f64("graft_eps"), MaxDim: a.curvInt("max_dim"), WeightDecay: a.f32("weight_decay")}
			if a.err != nil {
				return nil, a.err
			}
			return NewShampoo(ps, c)
		})
}
