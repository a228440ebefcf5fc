package optim

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gograd/gograd/autodiff"
)

// EGNConfig holds the hyperparameters of NewEGN.
type EGNConfig struct {
	LR         float32 // α > 0: the fixed step, or the largest step α_max of the line search
	Lambda     float64 // λ > 0, the damping (the system is b·λ·I + Q·J·Jᵀ)
	Momentum   float64 // β in [0, 1): 0 turns momentum off
	LineSearch bool    // Armijo backtracking instead of the fixed step α
	Decrease   float64 // in (0, 1): the step's factor after a failed Armijo test
	Increase   float64 // ≥ 1: the step's factor from one step to the next
	Armijo     float64 // c in (0, 1): the Armijo constant
	MaxTrials  int     // ≥ 1 Armijo trials per step
}

// DefaultEGN returns METHODS.md 2.6's defaults: λ = 1, line search with
// decrease 0.8, increase 1.5, Armijo constant 0.1, at most 15 trials.
// α_max = 1 and β = 0 (no momentum) are this package's choices (the
// entry gives no value).
func DefaultEGN() EGNConfig {
	return EGNConfig{LR: 1, Lambda: 1, LineSearch: true, Decrease: 0.8, Increase: 1.5, Armijo: 0.1, MaxTrials: 15}
}

// egnMaxJacobian caps b·C·d, the Jacobian's float32 elements (256 MiB).
const egnMaxJacobian = 1 << 26

// NewEGN returns exact Gauss–Newton for softmax cross-entropy (Korbit et
// al., "Exact Gauss-Newton Optimization for Training Deep Neural
// Networks"), METHODS.md 2.6: verified against cor3bit/somax
// somax/gn/egn.py @61a2faa. With b samples, C classes, J ∈ R^{bC×d} the
// Jacobian of all logits with respect to the flat parameters (from the
// objective, which must be a JacobianObjective), p_i = softmax(z_i):
//
//	Q = blockdiag(diag(p_i) − p_i·p_iᵀ) ;  r = vec(onehot(y) − p)
//	solve (b·λ·I_{bC} + Q·J·Jᵀ)·u = r          (dense LU, float64)
//	d = Jᵀ·u
//	if β > 0:  m ← β·m + (1−β)·d ;  d = m/(1−β^t)
//	θ ← θ + α·d
//
// With the line search, α starts at min(α_prev·increase, α_max) (α_prev
// = α_max at the first step) and is multiplied by decrease until
// f(θ + α·d) ≤ f(θ) + c·α·⟨g, d⟩, at most MaxTrials times (the last α
// is taken if none passes); each trial is one Obj.Loss, with the
// parameters set temporarily.
//
// For small models only: the Jacobian costs b·C single-sample backward
// passes and b·C·d floats, so NewEGN cannot check the batch and Update
// panics if b·C·d > 2^26 (256 MiB of float32). Every step needs all
// parameters' gradients. The state is "momentum" (m) and "ls_step" ([1]:
// α_prev, the same in every parameter). NewEGN returns a
// *HyperparameterError naming the first bad hyperparameter.
func NewEGN(params []*autodiff.Var, cfg EGNConfig) (*Optimizer, error) {
	const opt = "egn"
	for _, e := range []error{
		checkRange(opt, "lr", float64(cfg.LR), 0, inf, true, true),
		checkRange(opt, "lambda", cfg.Lambda, 0, inf, true, true),
		checkRange(opt, "momentum", cfg.Momentum, 0, 1, false, true),
		checkRange(opt, "decrease", cfg.Decrease, 0, 1, true, true),
		checkRange(opt, "increase", cfg.Increase, 1, inf, false, true),
		checkRange(opt, "armijo", cfg.Armijo, 0, 1, true, true),
		checkRange(opt, "max_trials", float64(cfg.MaxTrials), 1, inf, false, true),
	} {
		if e != nil {
			return nil, e
		}
	}
	return NewFromTransform(opt, params, ScaleByEGN(cfg), cfg.LR, 0)
}

// ScaleByEGN returns EGN's transform (see NewEGN): the whole update
// −α·d, with α_max the slot's LR. The caller validates cfg.
func ScaleByEGN(cfg EGNConfig) Transform { return &scaleByEGN{cfg: cfg} }

type scaleByEGN struct{ cfg EGNConfig }

func (*scaleByEGN) Name() string             { return "scale_by_egn" }
func (*scaleByEGN) StateNames() []string     { return []string{"momentum", "ls_step"} }
func (*scaleByEGN) NeedsObjective() bool     { return true }
func (a *scaleByEGN) Init(n int) [][]float32 { return a.InitShape([]int{n}) }
func (*scaleByEGN) StateShapes(shape []int) [][]int {
	if len(shape) == 0 {
		shape = []int{1}
	}
	return [][]int{shape, {1}}
}
func (*scaleByEGN) InitShape(shape []int) [][]float32 {
	return [][]float32{make([]float32, numel(shape)), make([]float32, 1)}
}

func (a *scaleByEGN) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		checkState(a, &slots[i], len(slots[i].U), 1)
	}
	obj := objectiveOf(a, slots)
	jo, ok := obj.(JacobianObjective)
	if !ok {
		panic(fmt.Sprintf("optim: %s: the objective (%T) does not give logit Jacobians (optim.JacobianObjective)", a.Name(), obj))
	}
	ps := obj.Params()
	offs := make([]int, len(ps)+1)
	for i, p := range ps {
		offs[i+1] = offs[i] + p.Value.Size()
	}
	if len(slots) != len(ps) {
		panic(fmt.Sprintf("optim: %s: %d of %d parameters have gradients: every step needs all", a.Name(), len(slots), len(ps)))
	}
	// The cap is checked from the batch before any Jacobian is built.
	if sz, ok := obj.(interface{ BatchSize() int }); ok {
		if n := sz.BatchSize() * 2 * offs[len(ps)]; n > egnMaxJacobian { // C ≥ 2
			panic(fmt.Sprintf("optim: %s: a batch of %d and %d parameters need a Jacobian of at least %d floats (> %d): for small models only",
				a.Name(), sz.BatchSize(), offs[len(ps)], n, egnMaxJacobian))
		}
	}
	z, labels, nc, jac := jo.LogitJacobian()
	b := len(labels)
	bc := b * nc
	if bc*offs[len(ps)] > egnMaxJacobian {
		panic(fmt.Sprintf("optim: %s: a Jacobian of %d×%d floats (> %d): for small models only", a.Name(), bc, offs[len(ps)], egnMaxJacobian))
	}
	if len(jac) != bc || len(z) != bc {
		panic(fmt.Sprintf("optim: %s: jacobian with %d rows and %d logits for %d×%d", a.Name(), len(jac), len(z), b, nc))
	}
	// p, r and Q·K + bλI, K = J·Jᵀ.
	p := make([]float64, bc)
	r := make([]float64, bc)
	for i := range b {
		zi := z[i*nc : (i+1)*nc]
		mx := math.Inf(-1)
		for _, v := range zi {
			mx = max(mx, float64(v))
		}
		var s float64
		for c, v := range zi {
			p[i*nc+c] = math.Exp(float64(v) - mx)
			s += p[i*nc+c]
		}
		for c := range nc {
			p[i*nc+c] /= s
			r[i*nc+c] = -p[i*nc+c]
		}
		r[i*nc+int(labels[i])]++
	}
	k := mat.NewSymDense(bc, nil)
	for x := range bc {
		for y := x; y < bc; y++ {
			var s float64
			jy := jac[y]
			for e, v := range jac[x] {
				s += float64(v) * float64(jy[e])
			}
			k.SetSym(x, y, s)
		}
	}
	sys := mat.NewDense(bc, bc, nil)
	lam := float64(b) * a.cfg.Lambda
	for i := range b {
		for c := range nc {
			row := i*nc + c
			for col := range bc {
				// (Q·K)[row, col] = p_c·K[row, col] − p_c·Σ_c' p_c'·K[i·C+c', col]
				var mix float64
				for c2 := range nc {
					mix += p[i*nc+c2] * k.At(i*nc+c2, col)
				}
				v := p[row]*k.At(row, col) - p[row]*mix
				if row == col {
					v += lam
				}
				sys.Set(row, col, v)
			}
		}
	}
	var u mat.VecDense
	if err := u.SolveVec(sys, mat.NewVecDense(bc, r)); err != nil {
		if _, cond := err.(mat.Condition); !cond {
			panic(fmt.Sprintf("optim: %s: solve: %v", a.Name(), err))
		}
	}
	// d = Jᵀu into the slots' U (flat order = Params order).
	d := make([]float64, offs[len(ps)])
	for row := range bc {
		ur := u.AtVec(row)
		for e, v := range jac[row] {
			d[e] += ur * float64(v)
		}
	}
	t := slots[0].Step
	beta := a.cfg.Momentum
	var gd float64
	for i := range slots {
		s := &slots[i]
		m := s.State()[0]
		di := d[offs[s.Index]:offs[s.Index+1]]
		for e := range di {
			if beta > 0 {
				m[e] = float32(beta*float64(m[e]) + (1-beta)*di[e])
				di[e] = float64(m[e]) / (1 - math.Pow(beta, float64(t)))
			}
			gd += float64(s.U[e]) * di[e]
		}
	}
	alphaMax := float64(slots[0].LR)
	alpha := alphaMax
	if a.cfg.LineSearch {
		if prev := float64(slots[0].State()[1][0]); prev > 0 {
			alpha = min(prev*a.cfg.Increase, alphaMax)
		}
		alpha = a.search(obj, slots, d, offs, alpha, gd)
	}
	for i := range slots {
		s := &slots[i]
		s.State()[1][0] = float32(alpha)
		di := d[offs[s.Index]:offs[s.Index+1]]
		for e := range s.U {
			s.U[e] = float32(-alpha * di[e])
		}
	}
}

// search backtracks α until the Armijo condition holds on Obj.Loss, and
// restores the parameters.
func (a *scaleByEGN) search(obj Objective, slots []Slot, d []float64, offs []int, alpha, gd float64) float64 {
	saved := make([][]float32, len(slots))
	for i := range slots {
		saved[i] = append([]float32(nil), slots[i].P...)
	}
	f0 := float64(obj.Loss())
	for trial := range a.cfg.MaxTrials {
		for i := range slots {
			s := &slots[i]
			di := d[offs[s.Index]:offs[s.Index+1]]
			for e := range s.P {
				s.P[e] = float32(float64(saved[i][e]) + alpha*di[e])
			}
		}
		f := float64(obj.Loss())
		if f <= f0+a.cfg.Armijo*alpha*gd || trial == a.cfg.MaxTrials-1 {
			break
		}
		alpha *= a.cfg.Decrease
	}
	for i := range slots {
		copy(slots[i].P, saved[i])
	}
	return alpha
}

func init() {
	c := DefaultEGN()
	register("egn", map[string]string{"lr": f32(c.LR), "lambda": f64(c.Lambda), "momentum": f64(c.Momentum),
		"line_search": fmt.Sprint(c.LineSearch), "decrease": f64(c.Decrease), "increase": f64(c.Increase),
		"armijo": f64(c.Armijo), "max_trials": fmt.Sprint(c.MaxTrials)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := EGNConfig{LR: a.f32("lr"), Lambda: a.f64("lambda"), Momentum: a.f64("momentum"),
				LineSearch: a.bool("line_search"), Decrease: a.f64("decrease"), Increase: a.f64("increase"),
				Armijo: a.f64("armijo"), MaxTrials: a.curvInt("max_trials")}
			if a.err != nil {
				return nil, a.err
			}
			return NewEGN(ps, c)
		})
}
