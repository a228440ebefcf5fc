package asm

import (
	"fmt"
	"math"
)

// GravityParams holds the hyperparameters of one Gravity step, float64;
// β_t and 1−β_t are computed in float64 and rounded to float32 once.
type GravityParams struct {
	LR   float64 // η
	Beta float64 // β in [0, 1]
	Step int     // 1-based step count t of the parameter
}

// gravityConsts are the per-call constants of the update pass, rounded to
// float32 once in Go; m is the pass-1 maximum.
type gravityConsts struct {
	m, b, omb, lr float32 // M, β_t, 1−β_t, η
}

// consts rounds the hyperparameters as optim's ScaleByGravity does:
// β_t = (β·k + 1)/(k + 2) with k = t−1, in float64.
func (h GravityParams) consts(m float32) gravityConsts {
	k := float64(h.Step - 1)
	bt := (h.Beta*k + 1) / (k + 2)
	return gravityConsts{m: m, b: float32(bt), omb: float32(1 - bt), lr: float32(h.LR)}
}

// GravityStep performs one step of the Gravity optimizer (Bahrami &
// Zadeh; optim's gravity after the velocity's first-step initialisation)
// on one tensor in place, in two passes. With k = t−1, t = h.Step:
//
//	M    = max_i |g[i]|                     (pass 1; NaN if any g[i] is NaN)
//	β_t  = (β·k + 1)/(k + 2)                (float64, rounded once)
//	ζ    = g[i]/(1 + (g[i]·M)²)
//	v[i] = β_t·v[i] + (1−β_t)·ζ
//	p[i] = p[i] − η·v[i]
//
// Every operation is rounded to float32 on its own, in this order, so the
// result is that of optim's chain ScaleByGravity, ScaleByLR and the step
// θ ← θ − u, except that the kernels run with subnormals flushed to zero
// (FTZ and DAZ, see mxcsr.go; a subnormal M counts as 0) and the generic
// reference flushes the same values. The maximum is taken exactly (on the
// magnitudes' bit patterns), so its order does not matter.
//
// p and v are read and written; g is only read. The slices must have the
// same length and must not overlap. GravityStep panics if the lengths
// differ or h.Step < 1.
func GravityStep(p, g, v []float32, h GravityParams) {
	if len(g) != len(p) || len(v) != len(p) {
		panic(fmt.Sprintf("asm: gravity: length mismatch: len(p)=%d len(g)=%d len(v)=%d", len(p), len(g), len(v)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: gravity: step %d < 1", h.Step))
	}
	if len(p) == 0 {
		return
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(v)
	k := h.consts(math.Float32frombits(gravityMax(g)))
	gravityStep(p, g, v, &k)
}
