package asm

import (
	"fmt"
	"math"
)

// Cautious optimizers (Liang et al., "Cautious Optimizers: Improving
// Training with One Line of Code"; kyleliang919/C-Optim c_adamw.py and
// c_lion.py) mask the coordinates whose step direction u disagrees with
// the gradient, φ = 1[u·g > 0], and rescale the rest by a factor that
// needs the count Σφ over the whole tensor. The fused steps therefore make
// two passes: a light one over g and m that counts the agreeing signs
// (cautiousCount; for C-AdamW, cadamwMoment, which also stores the new
// first moment, so that the update pass only reads it), and the
// optimizer's one-pass update with the mask and the scale applied.
//
// The mask is evaluated as 1[sign(x)·g > 0], where x is the new first
// moment (C-AdamW: the sign of Adam's direction is the sign of m, as its
// denominator is positive) or Lion's interpolation c (C-Lion): x = 0, a
// NaN on either side, or g = 0 masks the coordinate. x is computed with a
// fused multiply-add, exactly as the update pass computes it, so both
// passes see the same mask; the generic references use fma32 and flush
// like the kernels, and count exactly as they do.

// CAdamWStep performs one C-AdamW step in place: AdamStep in its
// decoupled (AdamW) form, with the update masked where Adam's direction
// and the gradient disagree and rescaled by c_adamw.py's current factor.
// For each i, with n = len(p), t = h.Step, bc1 = 1−β1^t, bc2 = 1−β2^t:
//
//	m[i] = β1·m[i] + (1−β1)·g[i]
//	v[i] = β2·v[i] + (1−β2)·g[i]²
//	φ_i  = 1[sign(m[i])·g[i] > 0]
//	s    = 1/max(Σφ/n, 1e-3)
//	p[i] = p[i]·(1 − η·λ) − (η/bc1)·s·φ_i·m[i]/(√v[i]·(1/√bc2) + ε)
//
// h is read as for AdamStep, except that the decay is always decoupled
// (h.Decoupled is ignored). (η/bc1)·s is computed in float64 and rounded
// once. Rounding and subnormal flushing behave as in AdamStep, except
// that m's multiply-add is fused in the reference too.
//
// p, m and v are read and written, g only read; the four slices must
// have the same length and must not overlap. CAdamWStep panics if the
// lengths differ or h.Step < 1.
func CAdamWStep(p, g, m, v []float32, h AdamParams) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) {
		panic(fmt.Sprintf("asm: cadamw: length mismatch: len(p)=%d len(g)=%d len(m)=%d len(v)=%d",
			len(p), len(g), len(m), len(v)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: cadamw: step %d < 1", h.Step))
	}
	if len(p) == 0 {
		return
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(v)
	h.Decoupled = true
	k := h.consts()
	cnt := cadamwMoment(g, m, k.b1, k.omb1) // m is the new moment from here
	scale := 1 / max(float64(cnt)/float64(len(p)), 1e-3)
	steps := float32(h.LR / (1 - math.Pow(h.Beta1, float64(h.Step))) * scale)
	cadamwStep(p, g, m, v, &k, steps)
}

// CLionStep performs one C-Lion step in place: LionStep with the update
// masked where sign(c) and the gradient disagree and rescaled by the
// paper's factor. For each i, with n = len(p):
//
//	c    = β1·m[i] + (1−β1)·g[i]
//	φ_i  = 1[sign(c)·g[i] > 0]
//	s    = n/(Σφ + 1)
//	p[i] = p[i]·(1 − η·λ) − (η·s)·φ_i·sign(c)
//	m[i] = β2·m[i] + (1−β2)·g[i]
//
// η·s is computed in float64 and rounded once. sign, rounding and
// subnormal flushing behave as in LionStep: the reference matches the
// assembly bit for bit in p and to one ulp in m.
//
// p and m are read and written; g is only read. The slices must have the
// same length and must not overlap; CLionStep panics if the lengths
// differ.
func CLionStep(p, g, m []float32, h LionParams) {
	if len(g) != len(p) || len(m) != len(p) {
		panic(fmt.Sprintf("asm: clion: length mismatch: len(p)=%d len(g)=%d len(m)=%d", len(p), len(g), len(m)))
	}
	if len(p) == 0 {
		return
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	k := h.consts()
	cnt := cautiousCount(g, m, k.b1, k.omb1)
	k.lr = float32(h.LR * float64(len(p)) / float64(cnt+1))
	clionStep(p, g, m, &k)
}
