package asm

import (
	"fmt"
	"math"
)

// EXAdamParams holds the hyperparameters of one EXAdam step, float64 like
// torch's.
type EXAdamParams struct {
	LR          float64 // α, the learning rate
	Beta1       float64 // β1 in [0, 1)
	Beta2       float64 // β2 in [0, 1)
	Eps         float64 // ε
	WeightDecay float64 // λ, decoupled
	Step        int     // 1-based step count t
	DynamicLR   bool    // α_t = α·ln(√2·√(t+1)) (upstream @9ff8463) instead of α
}

// exadamConsts are the per-call constants of the EXAdam kernel.
type exadamConsts struct {
	b1, omb1 float32 // β1, 1−β1
	b2, omb2 float32 // β2, 1−β2
	decay    float32 // 1 − α·λ
	step     float32 // α_t/bc1
	rbc2     float32 // 1/bc2
	b1t, b2t float32 // β1^t, β2^t
	eps      float32 // ε
	early    bool    // β1^t > 2^-24: d2 may differ from 1
}

func (h EXAdamParams) consts() exadamConsts {
	t := float64(h.Step)
	p1, p2 := math.Pow(h.Beta1, t), math.Pow(h.Beta2, t)
	f := 1.0
	if h.DynamicLR {
		f = math.Log(math.Sqrt2 * math.Sqrt(t+1))
	}
	return exadamConsts{
		b1: float32(h.Beta1), omb1: float32(1 - h.Beta1),
		b2: float32(h.Beta2), omb2: float32(1 - h.Beta2),
		decay: float32(1 - h.LR*h.WeightDecay),
		step:  float32(h.LR * f / (1 - p1)),
		rbc2:  float32(1 / (1 - p2)),
		b1t:   float32(p1), b2t: float32(p2),
		eps:   float32(h.Eps),
		early: float32(p1) > 0x1p-24,
	}
}

// EXAdamStep performs one EXAdam step (Mostafa, "EXAdam: The Power of
// Adaptive Cross-Moments"; AhmedMostafa16/EXAdam exadam.py) in place, in
// one pass. For each i, with t = h.Step, bc1 = 1−β1^t, bc2 = 1−β2^t:
//
//	p'   = p[i]·(1 − α·λ)
//	m[i] = β1·m[i] + (1−β1)·g[i] ;  v[i] = β2·v[i] + (1−β2)·g[i]²
//	d1   = 1 + (v/(v+ε))·β2^t ;  d2 = 1 + (m²/(m²+ε))·β1^t
//	p[i] = p' − (α_t/bc1)·(m + g)·d1 / (√((v/bc2)·d2) + ε)
//
// with α_t = α, or α·ln(√2·√(t+1)) if h.DynamicLR (the decay uses α).
// The kernels fold d1's division into the step's: with A = v+ε,
//
//	d2   = ((m²+ε) + β1^t·m²)/(m²+ε)
//	p[i] = p' − (α_t/bc1)·((m+g)·(A + β2^t·v)) / (A·(√((v/bc2)·d2) + ε))
//
// two divisions and one square root, and once β1^t ≤ 2^-24 (t ≥ 158 at
// β1 = 0.9), where d2 rounds to 1 in float32 whatever m, d2 is taken as
// 1: one division, as Adam. The products stay finite for |g| below about
// 1e12. The scalars are computed once per call in float64. m and v start
// as zeros.
//
// Every level computes the same operations, so all agree bit for bit.
// Rounding and subnormal flushing behave as in AdamStep. p, m and v are
// read and written, g only read; the slices must have the same length and
// must not overlap. EXAdamStep panics if the lengths differ or h.Step < 1.
func EXAdamStep(p, g, m, v []float32, h EXAdamParams) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) {
		panic(fmt.Sprintf("asm: exadam: length mismatch: len(p)=%d len(g)=%d len(m)=%d len(v)=%d",
			len(p), len(g), len(m), len(v)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: exadam: step %d < 1", h.Step))
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(v)
	k := h.consts()
	exadamStep(p, g, m, v, &k)
}
