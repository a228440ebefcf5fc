package asm

import (
	"fmt"
	"math"
)

// XGrad's weight prediction (Guan et al.; METHODS.md 1.19) wraps a base
// optimizer: save θ, move the parameters to θ̂, take the gradient there,
// restore θ and take the base step with that gradient. The kernels below
// fuse the elementwise parts so that θ is saved by the prediction and read
// back by the step (the restore copy disappears):
//
//	XGradPredict     saved = θ, p = θ̂ (Adam form, from m and v)
//	XGradPredictDir  saved = θ, p = θ − k·d (SGD-momentum form, or Adam's
//	                 direction kept from the previous step)
//	XGradStep        AdamW from θ in saved, writing p, m, v (and the next
//	                 step's direction)
//	XGradSGDStep     SGD-momentum (L2 on θ) from θ in saved, writing p, b

// XGradPredictParams holds the hyperparameters of XGrad's Adam-form
// prediction. They are float64, like AdamParams; the constants are
// rounded to float32 once.
type XGradPredictParams struct {
	LR    float64 // the prediction's length k = s·η (s prediction steps of η), ≥ 0
	Beta1 float64 // β1, in [0, 1)
	Beta2 float64 // β2, in [0, 1)
	Eps   float64 // ε, added after the square root
	Step  int     // the last step taken, t−1 ≥ 1: its bias corrections are used
}

// xgradPredictConsts are the per-call constants of XGradPredict.
type xgradPredictConsts struct {
	k    float32 // s·η
	c1   float32 // 1/bc1
	rbc2 float32 // 1/√bc2
	eps  float32 // ε
}

// consts computes 1/bc1 and 1/√bc2 of step h.Step in float64 and rounds
// them once, as optim's ScaleByAdam and scaleByXGrad.predict do.
func (h XGradPredictParams) consts() xgradPredictConsts {
	t := float64(h.Step)
	return xgradPredictConsts{
		k:    float32(h.LR),
		c1:   float32(1 / (1 - math.Pow(h.Beta1, t))),
		rbc2: float32(1 / math.Sqrt(1-math.Pow(h.Beta2, t))),
		eps:  float32(h.Eps),
	}
}

// XGradPredict performs XGrad's prediction for AdamW in one pass: for
// each i, with bc1 = 1−β1^(t−1) and bc2 = 1−β2^(t−1) (t−1 = h.Step),
//
//	saved[i] = p[i]
//	p[i]     = p[i] − k·((1/bc1)·(m[i]/(√v[i]·(1/√bc2) + ε)))
//
// with k = h.LR. saved receives p's bits unchanged, so that XGradStep
// (or a copy) restores θ exactly. m and v are only read. The arithmetic
// runs with subnormals flushed to zero (see mxcsr.go) and the assembly
// fuses multiply-adds, as AdamStep's.
//
// The slices must have the same length and must not overlap. XGradPredict
// panics if the lengths differ or h.Step < 1.
func XGradPredict(p, saved, m, v []float32, h XGradPredictParams) {
	if len(saved) != len(p) || len(m) != len(p) || len(v) != len(p) {
		panic(fmt.Sprintf("asm: xgradpredict: length mismatch: len(p)=%d len(saved)=%d len(m)=%d len(v)=%d",
			len(p), len(saved), len(m), len(v)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: xgradpredict: step %d < 1", h.Step))
	}
	fusedRaceRead(m)
	fusedRaceRead(v)
	fusedRaceWrite(p)
	fusedRaceWrite(saved)
	k := h.consts()
	xgradPredict(p, saved, m, v, &k)
}

// XGradPredictDir performs a linear prediction in one pass: for each i,
//
//	x        = d[i]
//	saved[i] = p[i]
//	p[i]     = p[i] − k·x
//
// with k = float32(lr): XGrad's prediction for SGD with momentum (d the
// momentum buffer), or for AdamW when d holds the direction that
// XGradStep wrote on the previous step. d may be saved itself (the same
// slice: it is read before it is overwritten); otherwise the slices must
// not overlap. saved receives p's bits unchanged. XGradPredictDir panics
// if the lengths differ.
func XGradPredictDir(p, saved, d []float32, lr float64) {
	if len(saved) != len(p) || len(d) != len(p) {
		panic(fmt.Sprintf("asm: xgradpredictdir: length mismatch: len(p)=%d len(saved)=%d len(d)=%d",
			len(p), len(saved), len(d)))
	}
	fusedRaceRead(d)
	fusedRaceWrite(p)
	fusedRaceWrite(saved)
	xgradPredictDir(p, saved, d, float32(lr))
}

// XGradParams holds the hyperparameters of XGradStep (AdamW: the weight
// decay is decoupled), float64 like AdamParams.
type XGradParams struct {
	LR          float64 // learning rate η
	Beta1       float64 // β1, in [0, 1)
	Beta2       float64 // β2, in [0, 1)
	Eps         float64 // ε, added after the square root
	WeightDecay float64 // λ, decoupled
	Step        int     // 1-based step count t, for the bias corrections
}

// xgradConsts are the per-call constants of XGradStep.
type xgradConsts struct {
	b1, omb1 float32 // β1, 1−β1
	b2, omb2 float32 // β2, 1−β2
	decay    float32 // 1−η·λ
	lr       float32 // η
	c1       float32 // 1/bc1
	rbc2     float32 // 1/√bc2
	eps      float32 // ε
}

func (h XGradParams) consts() xgradConsts {
	t := float64(h.Step)
	return xgradConsts{
		b1: float32(h.Beta1), omb1: float32(1 - h.Beta1),
		b2: float32(h.Beta2), omb2: float32(1 - h.Beta2),
		decay: float32(1 - h.LR*h.WeightDecay),
		lr:    float32(h.LR),
		c1:    float32(1 / (1 - math.Pow(h.Beta1, t))),
		rbc2:  float32(1 / math.Sqrt(1-math.Pow(h.Beta2, t))),
		eps:   float32(h.Eps),
	}
}

// XGradStep performs one AdamW step that reads the parameter values from
// theta and writes them to p, in one pass: for each i, with t = h.Step,
// bc1 = 1−β1^t and bc2 = 1−β2^t,
//
//	m[i]   = β1·m[i] + (1−β1)·g[i]
//	v[i]   = β2·v[i] + (1−β2)·g[i]²
//	u      = (1/bc1)·(m[i]/(√v[i]·(1/√bc2) + ε))
//	dir[i] = u                                  (if dir is not nil)
//	p[i]   = theta[i]·(1−η·λ) − η·u
//
// u is the direction that XGrad's next prediction uses (bias corrections
// of step t, the state after this step), so that XGradPredictDir(p,
// saved, dir, s·η) on the next step predicts as XGradPredict would, up to
// its rounding. This is AdamStep with h.Decoupled, except that the step
// is η·((1/bc1)·q) where AdamStep has (η/bc1)·q: one rounding apart.
// Subnormals are flushed and multiply-adds fused, as in AdamStep.
//
// theta may be p itself (a step without prediction) and dir may be theta
// itself (the step overwrites the saved θ with the direction); otherwise
// the slices must not overlap. theta and g are only read. XGradStep panics
// if the lengths differ (dir may be nil) or h.Step < 1.
func XGradStep(p, theta, g, m, v, dir []float32, h XGradParams) {
	if len(theta) != len(p) || len(g) != len(p) || len(m) != len(p) || len(v) != len(p) ||
		(dir != nil && len(dir) != len(p)) {
		panic(fmt.Sprintf("asm: xgrad: length mismatch: len(p)=%d len(theta)=%d len(g)=%d len(m)=%d len(v)=%d len(dir)=%d",
			len(p), len(theta), len(g), len(m), len(v), len(dir)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: xgrad: step %d < 1", h.Step))
	}
	fusedRaceRead(theta)
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(v)
	fusedRaceWrite(dir)
	k := h.consts()
	xgradStep(p, theta, g, m, v, dir, &k)
}

// XGradSGDParams holds the hyperparameters of XGradSGDStep.
type XGradSGDParams struct {
	LR          float64 // learning rate η
	Momentum    float64 // μ, in [0, 1)
	Dampening   float64 // τ, in [0, 1)
	WeightDecay float64 // λ, L2 on θ
}

// xgradSGDConsts are the per-call constants of XGradSGDStep.
type xgradSGDConsts struct {
	wd, mu, omd, lr float32 // λ, μ, 1−τ, η
}

func (h XGradSGDParams) consts() xgradSGDConsts {
	return xgradSGDConsts{wd: float32(h.WeightDecay), mu: float32(h.Momentum),
		omd: float32(1 - h.Dampening), lr: float32(h.LR)}
}

// XGradSGDStep performs one step of XGrad's SGD with momentum (SGD.py)
// that reads the parameter values from theta and writes them to p, in
// one pass: for each i,
//
//	b[i] = μ·b[i] + (1−τ)·(g[i] + λ·theta[i])
//	p[i] = theta[i] − η·b[i]
//
// b starts at zero (there is no first-step rule). theta may be p itself
// (a step without prediction); otherwise the slices must not overlap.
// theta and g are only read. Subnormals are flushed and multiply-adds
// fused, as in SGDStep. XGradSGDStep panics if the lengths differ.
func XGradSGDStep(p, theta, g, b []float32, h XGradSGDParams) {
	if len(theta) != len(p) || len(g) != len(p) || len(b) != len(p) {
		panic(fmt.Sprintf("asm: xgradsgd: length mismatch: len(p)=%d len(theta)=%d len(g)=%d len(b)=%d",
			len(p), len(theta), len(g), len(b)))
	}
	fusedRaceRead(theta)
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(b)
	k := h.consts()
	xgradSGDStep(p, theta, g, b, &k)
}
