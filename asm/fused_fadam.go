package asm

import (
	"fmt"
	"math"
)

// FAdamParams holds the hyperparameters of one FAdam step with p = 0.5
// (the Fisher diagonal enters through its square root). Like AdamParams
// they are float64; the derived constants are computed in float64 and
// rounded to float32 once.
type FAdamParams struct {
	LR          float64 // learning rate η
	Beta1       float64 // momentum decay β1, in [0, 1)
	Beta2       float64 // Fisher decay β2, in [0, 1)
	Eps         float64 // ε ≥ 0
	WeightDecay float64 // λ, applied to the preconditioned weights ŵ
	Clip        float64 // c > 0, the bound on RMS(ĝ) and RMS(ŵ)
	Step        int     // 1-based step count t
}

// fadamLanes is the number of partial sums of every FAdam reduction (see
// fadamAddBlock); they are folded by fadamFold.
const fadamLanes = 16

// fadamConsts are the per-call constants of the second and third passes,
// rounded to float32 once (and read as DAZ reads them).
type fadamConsts struct {
	b2, omb2, epsh   float32 // β̂2, 1−β̂2, ε̂ (pass 2)
	sg, omb1, b1     float32 // 1/max(1, RMS(ĝ)/c), 1−β1, β1 (pass 3)
	sw, wd, lr       float32 // 1/max(1, RMS(ŵ)/c), λ, η (pass 3)
	sumG, sumH, sumW float64 // Σg², Σĝ², Σŵ² (for tests)
}

// FAdamStep performs one FAdam step (METHODS.md 1.14; pytorch_optimizer's
// fadam.py with p = 0.5 and the clip written max(1, RMS/c)) on one tensor
// in place, in three passes. With t = h.Step, n = len(p), RMS(x) =
// √(Σx²/n) and β̂2 = β2·(1−β2^(t−1))/(1−β2^t) (0 at t = 1; computed in
// float64 and rounded once):
//
//	pass 1:  s_g = Σ g[i]²
//	         ε̂ = ε·min(1, √(s_g/n))
//	pass 2:  f[i] = β̂2·f[i] + ((1−β̂2)·g[i])·g[i]
//	         r[i] = 1/(√f[i] + ε̂)            (0 where √f[i] + ε̂ = 0)
//	         s_ĝ = Σ (g[i]·r[i])²,  s_ŵ = Σ (p[i]·r[i])²
//	         a_g = 1/max(1, √(s_ĝ/n)/c),  a_w = 1/max(1, √(s_ŵ/n)/c)
//	pass 3:  m[i] = β1·m[i] + (1−β1)·((g[i]·r[i])·a_g)
//	         p[i] = p[i] − η·(m[i] + λ·((p[i]·r[i])·a_w))
//
// so ĝ = g/(√F + ε̂) and ŵ = θ/(√F + ε̂) are formed as products with the
// reciprocal r, one square root and one division per element. The sums
// run over blocks of 64 elements from the start of the slices (the last
// one padded with zeros), each seen as 4 rows of 16 lanes: lane j of a
// block adds float64((x0² + x1²) + (x2² + x3²)), its rows' squares summed
// in float32, to a float64 partial sum; the 16 partial sums are folded
// pairwise (j += j+8, j+4, j+2, j+1). Every level forms the same sums
// bit for bit; they differ from exact sums by a few float32 roundings per
// block (at most about 2^-22 relative; squares below 2^-126 flush to 0).
// Where a block sum of ĝ² or ŵ² overflows float32 (|ŵ| ≳ 2^63, e.g. θ
// over a tiny ε̂), both sums are redone as sequential float64 sums of
// exact squares. ε̂, a_g and a_w are computed from the sums in float64
// and rounded to float32 once. Every float32 operation is rounded on its own (no fused
// multiply-adds) and the kernels run with FTZ and DAZ set (see
// mxcsr.go), which the generic reference emulates after every operation,
// so all levels agree with it bit for bit (NaN payloads aside). An
// element whose √f + ε̂ is 0 (f = 0 with ε̂ = 0) gets r = 0, so ĝ = ŵ = 0
// there, as optim's chain does (an infinite p[i] then becomes NaN).
//
// r is scratch of len(p), or nil. With scratch, pass 2 stores the
// reciprocals there (its contents on entry are ignored) and pass 3 reads
// them; with nil, pass 3 recomputes them from f exactly as pass 2 did
// (one more square root and division per element, but 4 bytes less to
// store and no scratch): the results are the same bit for bit. Scratch
// is faster while the five slices sit well inside L3 (AVX-512, one
// thread, cpu-ns/param on a loaded machine: 0.51 vs 0.69 at n = 16384,
// 0.68 vs 0.75 at 524288), nil beyond (≈0.88 vs ≈1.0 at 1e6).
//
// p, m, f and r are written; g is only read. The slices must have the
// same length (r may instead be nil) and must not overlap. FAdamStep
// panics if the lengths differ, h.Step < 1 or h.Clip is not positive.
// It does not allocate and runs on the calling goroutine only, so its
// result does not depend on Threads().
func FAdamStep(p, g, m, f, r []float32, h FAdamParams) {
	if len(g) != len(p) || len(m) != len(p) || len(f) != len(p) || r != nil && len(r) != len(p) {
		panic(fmt.Sprintf("asm: fadam: length mismatch: len(p)=%d len(g)=%d len(m)=%d len(f)=%d len(r)=%d",
			len(p), len(g), len(m), len(f), len(r)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: fadam: step %d < 1", h.Step))
	}
	if !(h.Clip > 0) {
		panic(fmt.Sprintf("asm: fadam: clip %v is not positive", h.Clip))
	}
	if len(p) == 0 {
		return
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(f)
	if r != nil {
		fusedRaceWrite(r)
	}
	var k fadamConsts
	fadamRun(p, g, m, f, r, h, &k)
}

// fadamRun runs the three passes on validated, non-empty slices (r nil
// or not), leaving the constants and sums in k.
func fadamRun(p, g, m, f, r []float32, h FAdamParams, k *fadamConsts) {
	var acc [2 * fadamLanes]float64
	fadamSum(g, (*[fadamLanes]float64)(acc[:fadamLanes]))
	k.setPrecond(h, len(p), fadamFold(acc[:fadamLanes]))
	acc = [2 * fadamLanes]float64{}
	if r != nil {
		fadamPrecond(g, p, f, r, &acc, k)
	} else {
		fadamPrecond(g, p, f, f, &acc, k) // the reciprocals are overwritten by f
	}
	sh, sw := fadamFinish(&acc, g, p, r, f, k)
	k.setUpdate(h, len(p), sh, sw)
	if r != nil {
		fadamUpdate(p, g, m, r, k)
	} else {
		fadamUpdateRecip(p, g, m, f, k)
	}
}

// fadamFinish folds the second pass's lanes into Σĝ² and Σŵ², or redoes
// both with exact float64 squares (fadamSquares) if a block overflowed.
func fadamFinish(acc *[2 * fadamLanes]float64, g, p, r, f []float32, k *fadamConsts) (sh, sw float64) {
	sh, sw = fadamFold(acc[:fadamLanes]), fadamFold(acc[fadamLanes:])
	if math.IsInf(sh, 1) || math.IsInf(sw, 1) {
		sh, sw = fadamSquares(g, p, r, f, k)
	}
	return sh, sw
}

// setPrecond sets the constants of pass 2 from Σg² over n elements.
func (k *fadamConsts) setPrecond(h FAdamParams, n int, sumG float64) {
	t := float64(h.Step)
	bh := h.Beta2 * (1 - math.Pow(h.Beta2, t-1)) / (1 - math.Pow(h.Beta2, t))
	k.sumG = sumG
	k.b2, k.omb2 = daz32(float32(bh)), daz32(float32(1-bh))
	k.epsh = daz32(float32(h.Eps * min(1, math.Sqrt(sumG/float64(n)))))
}

// setUpdate sets the constants of pass 3 from Σĝ² and Σŵ² over n
// elements.
func (k *fadamConsts) setUpdate(h FAdamParams, n int, sumH, sumW float64) {
	k.sumH, k.sumW = sumH, sumW
	k.sg = daz32(float32(1 / max(1, math.Sqrt(sumH/float64(n))/h.Clip)))
	k.sw = daz32(float32(1 / max(1, math.Sqrt(sumW/float64(n))/h.Clip)))
	k.b1, k.omb1 = daz32(float32(h.Beta1)), daz32(float32(1-h.Beta1))
	k.wd, k.lr = daz32(float32(h.WeightDecay)), daz32(float32(h.LR))
}

// fadamFold folds lane sums pairwise, lane j += lane j+h for h = len/2,
// len/4, ..., 1, and returns lane 0. It changes acc; len(acc) must be a
// power of two.
func fadamFold(acc []float64) float64 {
	for h := len(acc) / 2; h >= 1; h /= 2 {
		for j := range h {
			acc[j] += acc[j+h]
		}
	}
	return acc[0]
}
