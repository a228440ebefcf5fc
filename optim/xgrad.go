package optim

import (
	"fmt"
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// XGradConfig holds the hyperparameters of NewXGrad.
type XGradConfig struct {
	LR          float32 // η ≥ 0
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1)
	Eps         float64 // ε ≥ 0
	WeightDecay float32 // λ ≥ 0, decoupled (AdamW; 0 gives Adam)
	Steps       float64 // s ≥ 0, the prediction steps; 0 gives the base optimizer
}

// DefaultXGrad returns AdamW's defaults (η = 1e-3, β = (0.9, 0.999),
// ε = 1e-8, λ = 1e-2, as XGrad's AdamW.py) with s = 1 (METHODS.md 1.19).
func DefaultXGrad() XGradConfig {
	return XGradConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2, Steps: 1}
}

// NewXGrad returns AdamW with XGrad weight prediction (Guan et al.,
// "XGrad: Boosting Gradient-Based Optimizers With Weight Prediction").
// Status: partly verified (METHODS.md 1.19): the prediction rule is
// guanleics/XGrad AdamW.py load_predicted_weights @7597c57; the
// save/predict/restore loop is from the abstract (the repository has no
// training loop). Each step, for every parameter θ whose state is not
// empty (t−1 ≥ 1 steps taken; the prediction is skipped on a parameter's
// first step):
//
//	save θ
//	θ̂ = θ − s·η·(m/bc1)/(√(v/bc2) + ε)     (current m, v; bc with t−1, the last step; no decay term)
//	g = ∇L(θ̂)                              (one Objective.Gradient for all parameters)
//	restore θ
//	m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g²
//	θ ← θ − η·( (m/bc1)/(√(v/bc2) + ε) + λ·θ )    (AdamW with g)
//
// Chosen details: the gradient at θ̂ replaces the minibatch gradient of
// every parameter in the step, including those whose own prediction was
// skipped; when no parameter has state (the first step) no extra
// gradient is taken. η is the group's current learning rate. After Step
// the parameters' Grad holds ∇L(θ̂), not ∇L(θ).
//
// The optimizer must be stepped with StepWith (it implements
// ObjectiveUser). The chain is ScaleByXGrad, AddDecayedWeights,
// ScaleByLR; with s = 0 it is exactly NewAdamW's chain. The state is
// "exp_avg" (m) and "exp_avg_sq" (v); θ is saved in the step's update
// buffer, not in the state. NewXGrad returns a *HyperparameterError for a
// negative or non-finite η, ε, λ or s, or a β outside [0, 1).
//
// The fused path (the default; SetFused(false) selects the chain) runs
// asm.XGradPredict or asm.XGradPredictDir (saving θ and writing θ̂ in one
// pass), the objective's Gradient, and asm.XGradStep, which reads θ from
// where the prediction saved it and also stores (m/bc1)/(√(v/bc2)+ε), the
// direction the next step's prediction needs, in the parameter's scratch
// buffer (not state, not checkpointed): the prediction then costs no
// square root or division. The stored direction is used only if this
// optimizer's fused step wrote it on the parameter's previous step into
// the same buffer (not after a chain step or LoadState). With s = 0 the
// fused step is asm.AdamStep, NewAdamW's.
func NewXGrad(params []*autodiff.Var, cfg XGradConfig) (*Optimizer, error) {
	const opt = "xgrad"
	if err := (AdamConfig{LR: cfg.LR, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps,
		WeightDecay: cfg.WeightDecay}).validate(opt); err != nil {
		return nil, err
	}
	if err := checkNonNeg(opt, "steps", cfg.Steps); err != nil {
		return nil, err
	}
	t := Chain(ScaleByXGrad(cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.Steps), AddDecayedWeights(), ScaleByLR())
	x := &xgradFused{b1: cfg.Beta1, b2: cfg.Beta2, eps: cfg.Eps, steps: cfg.Steps}
	return newPredictFused(opt, params, t, x.predict, x.step, cfg.LR, cfg.WeightDecay)
}

// xgradFused is NewXGrad's fused step. dirs[i] records, for the
// parameter at index i, the scratch buffer into which the fused step
// last stored the direction and that parameter's step count then.
type xgradFused struct {
	b1, b2, eps, steps float64
	dirs               []xgradDir
}

type xgradDir struct {
	buf  *float32 // &Scratch()[0] when the direction was stored
	step int      // the parameter's Step then
}

// predict saves θ in the scratch buffer and moves P to θ̂ (see NewXGrad)
// for a parameter with t > 1: from the direction stored by the previous
// step if it is there, else from m and v.
func (x *xgradFused) predict(a *fusedArgs) bool {
	if x.steps == 0 || a.Step <= 1 {
		return false
	}
	s := a.Scratch()
	k := float64(float32(x.steps) * a.LR) // as scaleByXGrad.predict rounds s·η
	if x.hasDir(a, s) {
		asm.XGradPredictDir(a.P, s, s, k)
	} else {
		asm.XGradPredict(a.P, s, a.St[0], a.St[1],
			asm.XGradPredictParams{LR: k, Beta1: x.b1, Beta2: x.b2, Eps: x.eps, Step: a.Step - 1})
	}
	return true
}

// hasDir reports whether the scratch buffer s holds the direction of the
// parameter's previous step.
func (x *xgradFused) hasDir(a *fusedArgs, s []float32) bool {
	if a.Index >= len(x.dirs) || len(s) == 0 {
		return false
	}
	d := x.dirs[a.Index]
	return d.buf == &s[0] && d.step == a.Step-1
}

// step is AdamW's step with the gradient in G, from θ in the scratch
// buffer if predict moved the parameter, storing the next direction
// there; with s = 0 it is NewAdamW's kernel.
func (x *xgradFused) step(a *fusedArgs) {
	h := asm.AdamParams{LR: float64(a.LR), Beta1: x.b1, Beta2: x.b2, Eps: x.eps,
		WeightDecay: float64(a.WD), Step: a.Step, Decoupled: true}
	if x.steps == 0 {
		asm.AdamStep(a.P, a.G, a.St[0], a.St[1], h)
		return
	}
	s := a.Scratch()
	theta := a.P
	if a.Step > 1 {
		theta = s
	}
	asm.XGradStep(a.P, theta, a.G, a.St[0], a.St[1], s, asm.XGradParams{LR: h.LR, Beta1: h.Beta1,
		Beta2: h.Beta2, Eps: h.Eps, WeightDecay: h.WeightDecay, Step: h.Step})
	if len(s) == 0 {
		return
	}
	if a.Index >= len(x.dirs) {
		x.dirs = append(x.dirs, make([]xgradDir, a.Index+1-len(x.dirs))...)
	}
	x.dirs[a.Index] = xgradDir{buf: &s[0], step: a.Step}
}

// ScaleByXGrad returns ScaleByAdam preceded by XGrad's weight
// prediction (see NewXGrad): for s > 0 it moves the parameters to θ̂,
// calls Slot.Obj.Gradient, restores them bit for bit and continues with
// the new gradient in place of u. It reads Slot.Obj (NeedsObjective) and
// panics if a slot that needs a prediction has none. The state is
// "exp_avg" and "exp_avg_sq"; the caller validates the hyperparameters.
func ScaleByXGrad(beta1, beta2, eps, steps float64) Transform {
	return &scaleByXGrad{adam: scaleByAdam{b1: beta1, b2: beta2, eps: eps}, steps: steps}
}

type scaleByXGrad struct {
	adam  scaleByAdam
	steps float64
}

func (*scaleByXGrad) Name() string           { return "scale_by_xgrad" }
func (*scaleByXGrad) StateNames() []string   { return adamStateNames }
func (*scaleByXGrad) Init(n int) [][]float32 { return zeros(2, n) }
func (*scaleByXGrad) NeedsObjective() bool   { return true }

func (x *scaleByXGrad) Update(slots []Slot) {
	for i := range slots {
		stateOf(x, &slots[i], 2)
	}
	xgradLookahead(x, slots, x.steps)
	x.adam.Update(slots)
}

// predict writes θ̂ = θ − s·η·(m/bc1)/(√v/√bc2 + ε) into s.P, with the
// bias corrections of step t−1, computed as ScaleByAdam does.
func (x *scaleByXGrad) predict(s *Slot, steps float64) {
	st := s.State()
	a := &x.adam
	t := float64(s.Step - 1)
	c1 := float32(1 / (1 - math.Pow(a.b1, t)))
	rbc2 := float32(1 / math.Sqrt(1-math.Pow(a.b2, t)))
	eps := float32(a.eps)
	k := float32(steps) * s.LR
	p, m, v := s.P, st[0][:len(s.P)], st[1][:len(s.P)]
	for j := range p {
		d := float32(math.Sqrt(float64(v[j])))*rbc2 + eps
		p[j] -= k * (c1 * (m[j] / d))
	}
}

// XGradSGDConfig holds the hyperparameters of NewXGradSGD.
type XGradSGDConfig struct {
	LR          float32 // η ≥ 0
	Momentum    float64 // μ in [0, 1)
	Dampening   float64 // τ in [0, 1)
	WeightDecay float32 // λ ≥ 0, L2 (added to the gradient at θ̂, using θ)
	Steps       float64 // s ≥ 0, the prediction steps; 0 gives the base optimizer
}

// DefaultXGradSGD returns the defaults of XGrad's SGD.py (η = 1e-3,
// μ = 0.9, τ = 0, λ = 0) with s = 1.
func DefaultXGradSGD() XGradSGDConfig { return XGradSGDConfig{LR: 1e-3, Momentum: 0.9, Steps: 1} }

// NewXGradSGD returns SGD with momentum and XGrad weight prediction, the
// update of guanleics/XGrad SGD.py @7597c57 (METHODS.md 1.19, partly
// verified, as NewXGrad): for every parameter with state (t > 1),
//
//	θ̂ = θ − s·η·b ;  g = ∇L(θ̂) ;  restore θ
//	b ← μ·b + (1−τ)·(g + λ·θ)       (b starts at zero, as SGD.py)
//	θ ← θ − η·b
//
// with the same chosen details as NewXGrad. The chain is
// ScaleByXGradSGD, ScaleByLR; the state is "momentum_buffer" (b).
// NewXGradSGD returns a *HyperparameterError for a negative or
// non-finite η, λ or s, or a μ or τ outside [0, 1).
//
// The fused path (the default) runs asm.XGradPredictDir from b (saving θ
// in the parameter's scratch buffer), the objective's Gradient, and
// asm.XGradSGDStep, which reads θ from there.
func NewXGradSGD(params []*autodiff.Var, cfg XGradSGDConfig) (*Optimizer, error) {
	const opt = "xgrad-sgdm"
	if err := checkNonNeg(opt, "lr", float64(cfg.LR)); err != nil {
		return nil, err
	}
	if err := checkRange(opt, "momentum", cfg.Momentum, 0, 1, false, true); err != nil {
		return nil, err
	}
	if err := checkRange(opt, "dampening", cfg.Dampening, 0, 1, false, true); err != nil {
		return nil, err
	}
	if err := checkNonNeg(opt, "weight_decay", float64(cfg.WeightDecay)); err != nil {
		return nil, err
	}
	if err := checkNonNeg(opt, "steps", cfg.Steps); err != nil {
		return nil, err
	}
	t := Chain(ScaleByXGradSGD(cfg.Momentum, cfg.Dampening, cfg.Steps), ScaleByLR())
	x := xgradSGDFused{mu: cfg.Momentum, damp: cfg.Dampening, steps: cfg.Steps}
	return newPredictFused(opt, params, t, x.predict, x.step, cfg.LR, cfg.WeightDecay)
}

// xgradSGDFused is NewXGradSGD's fused step.
type xgradSGDFused struct{ mu, damp, steps float64 }

// predict saves θ in the scratch buffer and moves P to θ − s·η·b for a
// parameter with t > 1.
func (x xgradSGDFused) predict(a *fusedArgs) bool {
	if x.steps == 0 || a.Step <= 1 {
		return false
	}
	asm.XGradPredictDir(a.P, a.Scratch(), a.St[0], float64(float32(x.steps)*a.LR))
	return true
}

// step is the momentum step with the gradient in G, from θ in the
// scratch buffer if predict moved the parameter.
func (x xgradSGDFused) step(a *fusedArgs) {
	theta := a.P
	if x.steps != 0 && a.Step > 1 {
		theta = a.Scratch()
	}
	asm.XGradSGDStep(a.P, theta, a.G, a.St[0], asm.XGradSGDParams{LR: float64(a.LR), Momentum: x.mu,
		Dampening: x.damp, WeightDecay: float64(a.WD)})
}

// ScaleByXGradSGD returns SGD.py's momentum with XGrad's prediction and
// the L2 term (the slot's WeightDecay) added after the gradient is
// refreshed:
//
//	b ← μ·b + (1−τ)·(u + λ·θ),   u ← b
//
// The state is "momentum_buffer", starting at zero. It reads Slot.Obj.
func ScaleByXGradSGD(momentum, dampening, steps float64) Transform {
	return &scaleByXGradSGD{mu: momentum, damp: dampening, steps: steps}
}

type scaleByXGradSGD struct{ mu, damp, steps float64 }

func (*scaleByXGradSGD) Name() string           { return "scale_by_xgrad_sgd" }
func (*scaleByXGradSGD) StateNames() []string   { return traceStateNames }
func (*scaleByXGradSGD) Init(n int) [][]float32 { return zeros(1, n) }
func (*scaleByXGradSGD) NeedsObjective() bool   { return true }

func (x *scaleByXGradSGD) Update(slots []Slot) {
	for i := range slots {
		stateOf(x, &slots[i], 1)
	}
	xgradLookahead(x, slots, x.steps)
	mu, omd := float32(x.mu), float32(1-x.damp)
	for i := range slots {
		s := &slots[i]
		u, p, b := s.U, s.P[:len(s.U)], s.State()[0][:len(s.U)]
		wd := s.WeightDecay
		for j, g := range u {
			bj := mu*b[j] + omd*(g+wd*p[j])
			b[j] = bj
			u[j] = bj
		}
	}
}

func (x *scaleByXGradSGD) predict(s *Slot, steps float64) {
	k := float32(steps) * s.LR
	b := s.State()[0][:len(s.P)]
	for j := range s.P {
		s.P[j] -= k * b[j]
	}
}

// xgradPredictor is a transform that can write its predicted weights
// into a slot's P from its own state.
type xgradPredictor interface {
	Transform
	predict(s *Slot, steps float64)
}

// xgradLookahead replaces every slot's U by the gradient at the
// predicted weights: slots with Step > 1 are saved into U and moved by
// t.predict, the objective's Gradient is taken once, P is restored from
// U, and U gets the new gradient. It does nothing if steps == 0 or no
// slot has Step > 1.
func xgradLookahead(t xgradPredictor, slots []Slot, steps float64) {
	if steps == 0 {
		return
	}
	var obj Objective
	for i := range slots {
		s := &slots[i]
		if s.Step <= 1 {
			continue
		}
		if s.Obj == nil {
			panic(fmt.Sprintf("optim: %s: parameter %q: no objective: step with StepWith", t.Name(), s.Name))
		}
		obj = s.Obj
	}
	if obj == nil {
		return
	}
	for i := range slots {
		if s := &slots[i]; s.Step > 1 {
			copy(s.U, s.P)
			t.predict(s, steps)
		}
	}
	obj.Gradient()
	ps := obj.Params()
	for i := range slots {
		s := &slots[i]
		if s.Step > 1 {
			copy(s.P, s.U)
		}
		g := ps[s.Index].Grad.Data()
		if len(g) != len(s.U) {
			panic(fmt.Sprintf("optim: %s: parameter %q: gradient has %d elements, want %d", t.Name(), s.Name, len(g), len(s.U)))
		}
		copy(s.U, g)
	}
}

func init() {
	d := DefaultXGrad()
	register("xgrad", map[string]string{"lr": f32(d.LR), "beta1": f64(d.Beta1), "beta2": f64(d.Beta2),
		"eps": f64(d.Eps), "weight_decay": f32(d.WeightDecay), "steps": f64(d.Steps)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := XGradConfig{LR: a.f32("lr"), Beta1: a.f64("beta1"), Beta2: a.f64("beta2"),
				Eps: a.f64("eps"), WeightDecay: a.f32("weight_decay"), Steps: a.f64("steps")}
			if a.err != nil {
				return nil, a.err
			}
			return NewXGrad(ps, c)
		})
	ds := DefaultXGradSGD()
	register("xgrad-sgdm", map[string]string{"lr": f32(ds.LR), "momentum": f64(ds.Momentum),
		"dampening": f64(ds.Dampening), "weight_decay": f32(ds.WeightDecay), "steps": f64(ds.Steps)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := XGradSGDConfig{LR: a.f32("lr"), Momentum: a.f64("momentum"), Dampening: a.f64("dampening"),
				WeightDecay: a.f32("weight_decay"), Steps: a.f64("steps")}
			if a.err != nil {
				return nil, a.err
			}
			return NewXGradSGD(ps, c)
		})
}
