package optim

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gograd/gograd/autodiff"
)

// LazyNewtonConfig holds the hyperparameters of NewLazyNewton.
type LazyNewtonConfig struct {
	LR float32 // η ≥ 0, multiplies the Newton step (1: the method as published)
	// M ≥ 0 sets the regularizer λ_k = √(M·‖∇f‖); the reference uses
	// M = L_H/2 (half the Hessian's Lipschitz constant), problem-dependent.
	M float64
	// Period m ≥ 0: the Hessian is recomputed every m steps; 0 means
	// m = d, the number of parameters, as the abstract suggests.
	Period int
}

// DefaultLazyNewton returns η = 1, M = 1 (a scale choice of this
// package: set M = L_H/2 for the problem) and m = d.
func DefaultLazyNewton() LazyNewtonConfig { return LazyNewtonConfig{LR: 1, M: 1} }

// lazyNewtonMaxDim caps d: the dense d×d Hessian costs d HVPs and an
// O(d³) eigendecomposition per refresh.
const lazyNewtonMaxDim = 4096

// NewLazyNewton returns regularized Newton with lazy Hessians (Doikov,
// Chayti and Jaggi, "Second-order optimization with lazy Hessians"),
// METHODS.md 2.9: partly verified. The regularizer λ_k = √(M·‖g‖)
// matches konstmish/opt_methods reg_newton.py @3f516e2; the lazy
// refresh every m steps comes from the abstract (unverified detail, as
// is the default m = d). Over the flat vector of all d parameters:
//
//	if (t−1) mod m = 0:  H̄ = ∇²f(θ) from d HVPs with unit vectors,
//	                     symmetrized; H̄ = U·Λ·Uᵀ (gonum EigenSym, float64)
//	λ_k = √(M·‖g‖)
//	θ ← θ − η·U·diag(1/(Λ + λ_k))·Uᵀ·g          (O(d²) per step)
//
// For a non-convex f the step is the formula's: directions with
// Λ_i + λ_k ≤ 0 are not guarded. For small models only: NewLazyNewton
// returns an error if d > 4096, and every step needs all parameters'
// gradients (Update panics otherwise). The gradient is the caller's
// (full-batch or large-batch, as the method assumes). The chain is
// ScaleByLazyNewton, ScaleByLR; the state (a ShapedState) of a parameter
// of n elements is "eigvecs" (n×d: its rows of U) and "eigvals" (d: Λ,
// the same in every parameter). It returns a *HyperparameterError for
// a negative η, M or m.
func NewLazyNewton(params []*autodiff.Var, cfg LazyNewtonConfig) (*Optimizer, error) {
	const opt = "lazy-newton"
	for _, e := range []error{
		checkNonNeg(opt, "lr", float64(cfg.LR)),
		checkNonNeg(opt, "m_reg", cfg.M),
		checkRange(opt, "period", float64(cfg.Period), 0, inf, false, true),
	} {
		if e != nil {
			return nil, e
		}
	}
	d := 0
	for _, p := range params {
		if p != nil {
			d += p.Value.Size()
		}
	}
	if d > lazyNewtonMaxDim {
		return nil, fmt.Errorf("optim: %s: %d parameters: the dense Hessian is for d <= %d", opt, d, lazyNewtonMaxDim)
	}
	return NewFromTransform(opt, params, Chain(ScaleByLazyNewton(d, cfg.M, cfg.Period), ScaleByLR()), cfg.LR, 0)
}

// ScaleByLazyNewton returns the lazy regularized Newton transform over d
// parameters in all (see NewLazyNewton), u = U·diag(1/(Λ + λ_k))·Uᵀ·g.
func ScaleByLazyNewton(d int, m float64, period int) Transform {
	if period == 0 {
		period = d
	}
	return &scaleByLazyNewton{d: d, m: m, period: max(period, 1)}
}

type scaleByLazyNewton struct {
	d, period int
	m         float64
	w         []float64 // scratch: Uᵀg
}

func (*scaleByLazyNewton) Name() string             { return "scale_by_lazy_newton" }
func (*scaleByLazyNewton) StateNames() []string     { return []string{"eigvecs", "eigvals"} }
func (*scaleByLazyNewton) NeedsObjective() bool     { return true }
func (a *scaleByLazyNewton) Init(n int) [][]float32 { return a.InitShape([]int{n}) }
func (a *scaleByLazyNewton) StateShapes(shape []int) [][]int {
	return [][]int{{numel(shape), a.d}, {a.d}}
}
func (a *scaleByLazyNewton) InitShape(shape []int) [][]float32 {
	return [][]float32{make([]float32, numel(shape)*a.d), make([]float32, a.d)}
}

func (a *scaleByLazyNewton) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	d, total := a.d, 0
	for i := range slots {
		checkState(a, &slots[i], len(slots[i].U)*d, d)
		total += len(slots[i].U)
	}
	if total != d {
		panic(fmt.Sprintf("optim: %s: %d of %d parameters have gradients: every step needs all", a.Name(), total, d))
	}
	if (slots[0].Step-1)%a.period == 0 {
		a.refresh(slots)
	}
	if a.w == nil {
		a.w = make([]float64, d)
	}
	w := a.w
	clear(w)
	var gsq float64
	for i := range slots {
		s := &slots[i]
		u := s.State()[0]
		for r, g := range s.U {
			gsq += float64(g) * float64(g)
			row := u[r*d : (r+1)*d]
			for k, x := range row {
				w[k] += float64(x) * float64(g)
			}
		}
	}
	lam := math.Sqrt(a.m * math.Sqrt(gsq))
	vals := slots[0].State()[1]
	for k := range w {
		w[k] /= float64(vals[k]) + lam
	}
	for i := range slots {
		s := &slots[i]
		u := s.State()[0]
		for r := range s.U {
			row := u[r*d : (r+1)*d]
			var sum float64
			for k, x := range row {
				sum += float64(x) * w[k]
			}
			s.U[r] = float32(sum)
		}
	}
}

// refresh computes the dense Hessian from d HVPs and stores its
// eigendecomposition in every slot's state.
func (a *scaleByLazyNewton) refresh(slots []Slot) {
	d := a.d
	obj := objectiveOf(a, slots)
	h := mat.NewDense(d, d, nil)
	v := make([][]float32, len(slots))
	for i := range slots {
		v[i] = make([]float32, len(slots[i].U))
	}
	col := 0
	for i := range slots {
		for r := range v[i] {
			v[i][r] = 1
			hv := hvpSlots(a, obj, slots, v)
			v[i][r] = 0
			row := 0
			for _, x := range hv {
				for _, y := range x {
					h.Set(row, col, float64(y))
					row++
				}
			}
			col++
		}
	}
	sym := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			sym.SetSym(i, j, (h.At(i, j)+h.At(j, i))/2)
		}
	}
	var es mat.EigenSym
	if !es.Factorize(sym, true) {
		panic(fmt.Sprintf("optim: %s: eigendecomposition of the %d×%d Hessian failed", a.Name(), d, d))
	}
	vals := es.Values(nil)
	var u mat.Dense
	es.VectorsTo(&u)
	off := 0
	for i := range slots {
		st := slots[i].State()
		for r := range slots[i].U {
			for k := range d {
				st[0][r*d+k] = float32(u.At(off+r, k))
			}
		}
		for k, l := range vals {
			st[1][k] = float32(l)
		}
		off += len(slots[i].U)
	}
}

func init() {
	c := DefaultLazyNewton()
	register("lazy-newton", map[string]string{"lr": f32(c.LR), "m_reg": f64(c.M), "period": fmt.Sprint(c.Period)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := LazyNewtonConfig{LR: a.f32("lr"), M: a.f64("m_reg"), Period: a.curvInt("period")}
			if a.err != nil {
				return nil, a.err
			}
			return NewLazyNewton(ps, c)
		})
}
