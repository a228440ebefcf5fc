package optim

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gograd/gograd/autodiff"
)

// FOSIConfig holds the hyperparameters of NewFOSI.
type FOSIConfig struct {
	LR     float32 // η > 0, the base Adam's learning rate
	Beta1  float64 // β1 in [0, 1), the base Adam's first-moment EMA weight
	Beta2  float64 // β2 in [0, 1), the base Adam's second-moment EMA weight
	Eps    float64 // ε > 0, the base Adam's denominator term
	K      int     // k ≥ 0, the number of largest eigenpairs (k + l ≥ 1)
	L      int     // l ≥ 0, the number of smallest eigenpairs
	Period int     // T ≥ 1, steps between Lanczos runs
	Warmup int     // W ≥ 1, the step of the first Lanczos run; 0 means W = T
	Alpha  float64 // α ≥ 0, the weight of the Newton step
	Beta   float64 // β in [0, 1), the momentum of the Newton step's gradient
	LRClip float64 // s_max ≥ 1, the clip of the base step's scaling factor
	Seed   uint64  // seed of Lanczos's random start vectors
}

// DefaultFOSI returns METHODS.md 2.5's defaults for the fosi_adam
// helper: k = 5, l = 0, T = 100, W = T, α = 0.1, β = 0.9, s_max = 1 (the
// clip fosi_adam uses), with torchopt's Adam (η = 1e-3, β = (0.9, 0.999),
// ε = 1e-8) as the base optimizer.
func DefaultFOSI() FOSIConfig {
	return FOSIConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, K: 5, L: 0, Period: 100,
		Alpha: 0.1, Beta: 0.9, LRClip: 1}
}

func (c FOSIConfig) validate(d int) error {
	const opt = "fosi"
	for _, e := range []error{
		checkRange(opt, "lr", float64(c.LR), 0, inf, true, true),
		checkRange(opt, "beta1", c.Beta1, 0, 1, false, true),
		checkRange(opt, "beta2", c.Beta2, 0, 1, false, true),
		checkRange(opt, "eps", c.Eps, 0, inf, true, true),
		checkRange(opt, "k", float64(c.K), 0, inf, false, true),
		checkRange(opt, "l", float64(c.L), 0, inf, false, true),
		checkRange(opt, "period", float64(c.Period), 1, inf, false, true),
		checkRange(opt, "warmup", float64(c.Warmup), 0, inf, false, true),
		checkNonNeg(opt, "alpha", c.Alpha),
		checkRange(opt, "beta", c.Beta, 0, 1, false, true),
		checkRange(opt, "lr_clip", c.LRClip, 1, inf, false, true),
	} {
		if e != nil {
			return e
		}
	}
	if c.K+c.L < 1 || c.K+c.L > d {
		return &HyperparameterError{Optimizer: opt, Name: "k", Value: float64(c.K),
			Want: fmt.Sprintf("k + l must be in [1, %d], the number of parameters", d)}
	}
	return nil
}

// NewFOSI returns FOSI with Adam as the base optimizer (Sivan, Gabel and
// Schuster, "FOSI: Hybrid First and Second Order Optimization"),
// METHODS.md 2.5: verified against hsivan/fosi
// fosi/torch_optim/fosi_optimizer.py, extreme_spectrum_estimation.py and
// lanczos_algorithm.py @0a66756. Over the flat vector of all updated
// parameters, at step t (1-based):
//
//	if t ≥ W and (t − W) mod T = 0:
//	    Lanczos, m = min(4(k+l), d) HVPs on the current minibatch, full
//	    reorthogonalization (twice), random N(0, I) start
//	    → V ∈ R^{(k+l)×d}: the l smallest then the k largest Ritz pairs
//	      (ascending), eigenvalues λ
//	    s = clip(|λ_{k+l}| / |λ_{l+1}|, 1, s_max)   (before the first run: V = 0, s = 1)
//	g1 = Vᵀ(V·g) ;  g2 = g − g1
//	u ← β·u + (1−β)·g1
//	newton = Vᵀ(|1/λ| ⊙ (V·u))                       (|1/λ| = 0 where λ = 0)
//	a = Adam(g2) = (m/bc1)/(√(v/bc2) + ε)           (m, v updated with g2)
//	θ ← θ − s·η·(a − Vᵀ(V·a)) − α·newton
//
// The reference runs Lanczos on a fixed batch given at construction;
// here it runs on the minibatch of the refresh step (Slot.Obj), as its
// "dynamic batch" mode does. Lanczos stops early at an invariant
// subspace (β ≤ 1e-6 times the largest |α| or β seen); missing pairs
// are zero rows with λ = 0, which contribute nothing. The reference's
// TODO leaves weight decay out, and so does FOSI here.
//
// Each refresh costs m HVPs and m vectors of d float64 (d = all
// parameters); other steps cost a few passes over the parameters and no
// HVP. The transform computes the whole update (η enters only the base
// step), so the chain is ScaleByFOSI alone. The state (a ShapedState)
// of a parameter of shape S is "exp_avg", "exp_avg_sq", "velocity" (u)
// shaped S, "eigvecs" shaped [k+l, S...] (its columns of V), "eigvals"
// [k+l] and "scaling" [1] (s; the last two the same in every
// parameter). NewFOSI returns a *HyperparameterError naming the first
// bad hyperparameter (k for k + l outside [1, d]).
func NewFOSI(params []*autodiff.Var, cfg FOSIConfig) (*Optimizer, error) {
	d := 0
	for _, p := range params {
		if p != nil {
			d += p.Value.Size()
		}
	}
	if err := cfg.validate(d); err != nil {
		return nil, err
	}
	return NewFromTransform("fosi", params, ScaleByFOSI(cfg), cfg.LR, 0)
}

// ScaleByFOSI returns FOSI's transform (see NewFOSI), whose output is
// the whole update s·η·(a − Vᵀ(V·a)) + α·newton with η the slot's LR. The
// caller validates the hyperparameters.
func ScaleByFOSI(cfg FOSIConfig) Transform {
	if cfg.Warmup == 0 {
		cfg.Warmup = cfg.Period
	}
	return &scaleByFOSI{cfg: cfg, kl: cfg.K + cfg.L, rng: newProbeRNG()}
}

type scaleByFOSI struct {
	cfg FOSIConfig
	kl  int
	rng *probeRNG
	c   []float64 // scratch: projections on V, 3·(k+l)
}

var fosiStateNames = []string{"exp_avg", "exp_avg_sq", "velocity", "eigvecs", "eigvals", "scaling"}

func (*scaleByFOSI) Name() string             { return "scale_by_fosi" }
func (*scaleByFOSI) StateNames() []string     { return fosiStateNames }
func (*scaleByFOSI) NeedsObjective() bool     { return true }
func (a *scaleByFOSI) Init(n int) [][]float32 { return a.InitShape([]int{n}) }
func (a *scaleByFOSI) StateShapes(shape []int) [][]int {
	if len(shape) == 0 {
		shape = []int{1}
	}
	return [][]int{shape, shape, shape, append([]int{a.kl}, shape...), {a.kl}, {1}}
}
func (a *scaleByFOSI) InitShape(shape []int) [][]float32 {
	n := numel(shape)
	st := zeros(3, n)
	return append(st, make([]float32, a.kl*n), make([]float32, a.kl), []float32{1})
}

// project sets c[j] = Σ over slots of ⟨V_j, x_i⟩, where x(i) is slot i's
// vector.
func (a *scaleByFOSI) project(slots []Slot, c []float64, x func(i int) []float32) {
	clear(c)
	for i := range slots {
		vecs, xi := slots[i].State()[3], x(i)
		n := len(xi)
		for j := range c {
			var s float64
			for r, v := range vecs[j*n : (j+1)*n] {
				s += float64(v) * float64(xi[r])
			}
			c[j] += s
		}
	}
}

func (a *scaleByFOSI) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	kl := a.kl
	for i := range slots {
		n := len(slots[i].U)
		checkState(a, &slots[i], n, n, n, kl*n, kl, 1)
	}
	cfg := a.cfg
	t := slots[0].Step
	if t >= cfg.Warmup && (t-cfg.Warmup)%cfg.Period == 0 {
		a.refresh(slots, t)
	}
	if a.c == nil {
		a.c = make([]float64, 3*kl)
	}
	cg, cu, ca := a.c[:kl], a.c[kl:2*kl], a.c[2*kl:]
	a.project(slots, cg, func(i int) []float32 { return slots[i].U })
	b, omb := float32(cfg.Beta), float32(1-cfg.Beta)
	b1, b2 := float32(cfg.Beta1), float32(cfg.Beta2)
	bc1 := float32(1 - math.Pow(cfg.Beta1, float64(t)))
	sbc2 := float32(math.Sqrt(1 - math.Pow(cfg.Beta2, float64(t))))
	eps := float32(cfg.Eps)
	for i := range slots {
		s := &slots[i]
		st := s.State()
		m, v, u, vecs := st[0], st[1], st[2], st[3]
		n := len(s.U)
		for r, g := range s.U {
			var g1 float64
			for j, c := range cg {
				g1 += c * float64(vecs[j*n+r])
			}
			u[r] = b*u[r] + omb*float32(g1)
			g2 := g - float32(g1)
			m[r] = b1*m[r] + (1-b1)*g2
			v[r] = b2*v[r] + (1-b2)*g2*g2
			s.U[r] = (m[r] / bc1) / (float32(math.Sqrt(float64(v[r])))/sbc2 + eps)
		}
	}
	a.project(slots, cu, func(i int) []float32 { return slots[i].State()[2] })
	a.project(slots, ca, func(i int) []float32 { return slots[i].U })
	vals := slots[0].State()[4]
	for j := range cu {
		if vals[j] != 0 {
			cu[j] /= math.Abs(float64(vals[j]))
		} else {
			cu[j] = 0
		}
	}
	alpha := cfg.Alpha
	for i := range slots {
		s := &slots[i]
		st := s.State()
		vecs := st[3]
		scale := float64(st[5][0]) * float64(s.LR)
		n := len(s.U)
		for r, x := range s.U {
			var pa, nw float64
			for j := range kl {
				e := float64(vecs[j*n+r])
				pa += ca[j] * e
				nw += cu[j] * e
			}
			s.U[r] = float32(scale*(float64(x)-pa) + alpha*nw)
		}
	}
}

// refresh runs Lanczos over the slots' parameters and stores the
// extreme Ritz pairs and the scaling factor in every slot's state.
func (a *scaleByFOSI) refresh(slots []Slot, t int) {
	obj := objectiveOf(a, slots)
	d := 0
	for i := range slots {
		d += len(slots[i].U)
	}
	v32 := make([][]float32, len(slots))
	for i := range slots {
		v32[i] = make([]float32, len(slots[i].U))
	}
	hv := func(v, dst []float64) {
		off := 0
		for i := range v32 {
			for r := range v32[i] {
				v32[i][r] = float32(v[off+r])
			}
			off += len(v32[i])
		}
		out := hvpSlots(a, obj, slots, v32)
		off = 0
		for i := range out {
			for r, x := range out[i] {
				dst[off+r] = float64(x)
			}
			off += len(out[i])
		}
	}
	r := a.rng.at(a.cfg.Seed, t, 0)
	v0 := make([]float64, d)
	for i := range v0 {
		v0[i] = r.NormFloat64()
	}
	vals, vecs := lanczos(hv, v0, min(4*a.kl, d))
	// The l smallest then the k largest, ascending, as the reference.
	n := len(vals)
	l := min(a.cfg.L, n)
	k := min(a.cfg.K, n-l)
	pick := make([]int, 0, a.kl)
	for j := range l {
		pick = append(pick, j)
	}
	for j := n - k; j < n; j++ {
		pick = append(pick, j)
	}
	off := 0
	for i := range slots {
		st := slots[i].State()
		ns := len(slots[i].U)
		clear(st[3])
		clear(st[4])
		for j, p := range pick {
			st[4][j] = float32(vals[p])
			for r := range ns {
				st[3][j*ns+r] = float32(vecs[p][off+r])
			}
		}
		off += ns
	}
	scale := 1.0
	if len(pick) > 0 {
		lo, hi := math.Abs(vals[pick[0]]), math.Abs(vals[pick[len(pick)-1]])
		if l < len(pick) { // the smallest of the k largest
			lo = math.Abs(vals[pick[l]])
		}
		scale = min(max(hi/lo, 1), a.cfg.LRClip) // hi/0 = +Inf clips to s_max
		if math.IsNaN(scale) {
			scale = 1
		}
	}
	for i := range slots {
		slots[i].State()[5][0] = float32(scale)
	}
}

// lanczos runs at most m steps of the Lanczos iteration with full
// reorthogonalization (done twice, as hsivan/fosi) on the symmetric
// operator hv (hv(v, dst) sets dst = A·v; len d) from v0 (normalized
// here; len d ≥ 1, not zero), and returns the Ritz values of the
// tridiagonal matrix it built, ascending, with their Ritz vectors
// (vecs[j] has d elements, unit norm). It stops early when the new
// residual norm β is at most 1e-6 times the largest |α| or β so far (an
// invariant subspace; with m = d and exact arithmetic the Ritz values
// are A's eigenvalues). It panics if v0 is zero.
func lanczos(hv func(v, dst []float64), v0 []float64, m int) (vals []float64, vecs [][]float64) {
	d := len(v0)
	m = min(m, d)
	var nrm float64
	for _, x := range v0 {
		nrm += x * x
	}
	nrm = math.Sqrt(nrm)
	if !(nrm > 0) || m < 1 {
		panic("optim: lanczos: zero start vector or no steps")
	}
	q := [][]float64{make([]float64, d)}
	for i, x := range v0 {
		q[0][i] = x / nrm
	}
	alphas, betas := []float64{}, []float64{}
	w := make([]float64, d)
	scale := 0.0
	for i := 0; i < m; i++ {
		hv(q[i], w)
		alpha := dot64(w, q[i])
		alphas = append(alphas, alpha)
		scale = max(scale, math.Abs(alpha))
		if i+1 == m {
			break
		}
		for range 2 {
			for _, qj := range q {
				c := dot64(qj, w)
				for r := range w {
					w[r] -= c * qj[r]
				}
			}
		}
		beta := math.Sqrt(dot64(w, w))
		if beta <= 1e-6*scale || beta == 0 {
			break
		}
		scale = max(scale, beta)
		betas = append(betas, beta)
		next := make([]float64, d)
		for r := range w {
			next[r] = w[r] / beta
		}
		q = append(q, next)
	}
	n := len(alphas)
	tri := mat.NewSymDense(n, nil)
	for i := range n {
		tri.SetSym(i, i, alphas[i])
		if i+1 < n {
			tri.SetSym(i, i+1, betas[i])
		}
	}
	var es mat.EigenSym
	if !es.Factorize(tri, true) {
		panic(fmt.Sprintf("optim: lanczos: eigendecomposition of the %d×%d tridiagonal matrix failed", n, n))
	}
	vals = es.Values(nil)
	var y mat.Dense
	es.VectorsTo(&y)
	vecs = make([][]float64, n)
	for j := range n {
		vj := make([]float64, d)
		for i := range n {
			c := y.At(i, j)
			for r, x := range q[i] {
				vj[r] += c * x
			}
		}
		vecs[j] = vj
	}
	return vals, vecs
}

func dot64(a, b []float64) float64 {
	var s float64
	for i, x := range a {
		s += x * b[i]
	}
	return s
}

func init() {
	c := DefaultFOSI()
	register("fosi", map[string]string{"lr": f32(c.LR), "beta1": f64(c.Beta1), "beta2": f64(c.Beta2),
		"eps": f64(c.Eps), "k": fmt.Sprint(c.K), "l": fmt.Sprint(c.L), "period": fmt.Sprint(c.Period),
		"warmup": fmt.Sprint(c.Warmup), "alpha": f64(c.Alpha), "beta": f64(c.Beta), "lr_clip": f64(c.LRClip),
		"seed": "0"},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := FOSIConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"), Eps: a.f64("eps"),
				K: a.curvInt("k"), L: a.curvInt("l"), Period: a.curvInt("period"), Warmup: a.curvInt("warmup"),
				Alpha: a.f64("alpha"), Beta: a.f64("beta"), LRClip: a.f64("lr_clip"), Seed: a.curvU64("seed")}
			if a.err != nil {
				return nil, a.err
			}
			return NewFOSI(ps, c)
		})
}
