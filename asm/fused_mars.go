package asm

import (
	"fmt"
	"math"
)

// MARSParams holds the hyperparameters of one MARS-AdamW step
// (approximate mode). Like AdamParams they are float64; the derived
// constants are computed in float64 and rounded to float32 once.
type MARSParams struct {
	LR          float64 // learning rate η
	Beta1       float64 // first-moment decay β1, in [0, 1)
	Beta2       float64 // second-moment decay β2, in [0, 1)
	Eps         float64 // ε, added after the square root
	Gamma       float64 // γ, the strength of the gradient correction
	WeightDecay float64 // λ, decoupled
	Step        int     // 1-based step count t, for the bias corrections
}

// MARSStep performs one MARS-AdamW step in approximate mode (Yuan et al.,
// AGI-Arena/MARS mars.py, mars_type="mars-adamw", is_approx=True) on one
// tensor in place, in two passes. With t = h.Step, bc1 = 1−β1^t,
// bc2 = 1−β2^t and k = γ·β1/(1−β1) (computed in float64, rounded once):
//
//	c_i  = g[i] + k·(g[i] − last[i])        (pass 1: s = Σ c_i² in float64)
//	r    = 1/√s if √s > 1, else 1           (rounded to float32 once)
//	c_i ← c_i·r
//	m[i] = β1·m[i] + (1−β1)·c_i
//	v[i] = β2·v[i] + (1−β2)·c_i²
//	p[i] = p[i]·(1 − η·λ) − (η/bc1)·m[i]/(√v[i]·(1/√bc2) + ε)
//	last[i] = g[i]
//
// last is the previous step's gradient (zeros at t = 1, as upstream).
// Both passes compute c_i the same way (a fused multiply-add of k and the
// difference onto g); the assembly sums the squares in float64 in vector
// lanes, so s differs from the reference's sequential sum only by float64
// rounding. The kernels run with FTZ and DAZ set (see mxcsr.go); the
// generic reference flushes like them.
//
// p, m, v and last are read and written; g is only read. The five slices
// must have the same length and must not overlap. MARSStep panics if the
// lengths differ or h.Step < 1.
func MARSStep(p, g, m, v, last []float32, h MARSParams) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) || len(last) != len(p) {
		panic(fmt.Sprintf("asm: mars: length mismatch: len(p)=%d len(g)=%d len(m)=%d len(v)=%d len(last)=%d",
			len(p), len(g), len(m), len(v), len(last)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: mars: step %d < 1", h.Step))
	}
	if len(p) == 0 {
		return
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(v)
	fusedRaceWrite(last)
	k := AdamParams{LR: h.LR, Beta1: h.Beta1, Beta2: h.Beta2, Eps: h.Eps,
		WeightDecay: h.WeightDecay, Step: h.Step, Decoupled: true}.consts()
	kc := float32(h.Gamma * (h.Beta1 / (1 - h.Beta1)))
	scale := marsScale(marsSum(g, last, kc))
	marsStep(p, g, m, v, last, &k, kc, scale)
}

// marsScale returns the clipping factor for a sum of squares s: 1/√s
// rounded to float32 if √s > 1, else 1 (also for a NaN s, which then
// reaches the moments through c itself).
func marsScale(s float64) float32 {
	if n := math.Sqrt(s); n > 1 {
		return float32(1 / n)
	}
	return 1
}
