package asm

import (
	"fmt"
	"math"
)

// SubsetNormParams holds the hyperparameters of one AdamW-SN step. Like
// AdamParams they are float64; the derived constants are computed in
// float64 and rounded to float32 once.
type SubsetNormParams struct {
	LR          float64 // learning rate η
	Beta1       float64 // first-moment decay β1, in [0, 1)
	Beta2       float64 // decay β2 of the subset statistic, in [0, 1)
	Eps         float64 // ε, added to √s
	WeightDecay float64 // λ, decoupled
	Step        int     // 1-based step count t, for the bias corrections
}

// snConsts are the per-call constants of SubsetNormStep, hoisted in Go.
type snConsts struct {
	b1, omb1 float32 // β1, 1−β1
	b2, omb2 float32 // β2, 1−β2
	decay    float32 // 1−η·λ
	step     float32 // η·√bc2/bc1
	eps      float32 // ε
}

// consts rounds the constants once and flushes them as DAZ reads them.
func (h SubsetNormParams) consts() snConsts {
	t := float64(h.Step)
	c := math.Sqrt(1-math.Pow(h.Beta2, t)) / (1 - math.Pow(h.Beta1, t))
	return snConsts{
		b1: ftz32(float32(h.Beta1)), omb1: ftz32(float32(1 - h.Beta1)),
		b2: ftz32(float32(h.Beta2)), omb2: ftz32(float32(1 - h.Beta2)),
		decay: ftz32(float32(1 - h.LR*h.WeightDecay)),
		step:  ftz32(float32(h.LR * c)),
		eps:   ftz32(float32(h.Eps)),
	}
}

// SubsetNormStep performs one AdamW step with Subset-Norm step sizes
// (Nguyen et al., adamw_sn.py; the subsets run along the larger
// dimension) on a rows×cols matrix in place. p, g and m are row-major
// with rows·cols elements. With t = h.Step, bc1 = 1−β1^t, bc2 = 1−β2^t
// and k = η·√bc2/bc1 (float64, rounded once), for rows ≥ cols, row by row
// (one pass over g for the sum, one for the update, while the row is in
// cache):
//
//	S_i  = Σ_j g_ij²                          (float64, see below; rounded to float32)
//	s[i] = β2·s[i] + (1−β2)·S_i               (float32, two products and a sum)
//	q_i  = k / (√s[i] + ε)                    (one division per row)
//	m_ij = β1·m_ij + (1−β1)·g_ij
//	p_ij = p_ij·(1 − η·λ) − q_i·m_ij
//
// and for rows < cols the same per column: s[j] ← β2·s[j], then
// s[j] ← s[j] + (1−β2)·(g_ij·g_ij) row after row in float32 (the order
// of optim's chain), q_j = k/(√s[j] + ε) into work[j], then the update
// with q_j. S_i sums g_ij² (exact in float64) into 16 float64 lanes,
// element j into lane j mod 16, combined as CombineLanes16 does; every level
// follows that order, so s is the same bit for bit at every level.
//
// s holds max(rows, cols) statistics (only those are read or written);
// work, only used when rows < cols, holds at least cols floats whose
// contents on entry do not matter. The kernels run with FTZ and DAZ set
// (see mxcsr.go); the generic reference flushes like them, and fuses the
// update's multiply-adds through fma32 (so m and p may differ from the
// assembly by an ulp where fma32 double-rounds).
//
// p, m, s and work are written; g is only read. No two slices may
// overlap. SubsetNormStep panics if rows or cols is negative, a length
// does not fit, or h.Step < 1.
func SubsetNormStep(p, g, m, s, work []float32, rows, cols int, h SubsetNormParams) {
	if rows < 0 || cols < 0 || (cols > 0 && rows > math.MaxInt/cols) {
		panic(fmt.Sprintf("asm: subsetnorm: invalid shape %d×%d", rows, cols))
	}
	n := rows * cols
	ns := max(rows, cols)
	if len(p) != n || len(g) != n || len(m) != n || len(s) < ns || (rows < cols && len(work) < cols) {
		panic(fmt.Sprintf("asm: subsetnorm: length mismatch for %d×%d: len(p)=%d len(g)=%d len(m)=%d len(s)=%d len(work)=%d",
			rows, cols, len(p), len(g), len(m), len(s), len(work)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: subsetnorm: step %d < 1", h.Step))
	}
	if n == 0 {
		return
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(s[:ns])
	k := h.consts()
	if rows >= cols {
		snRows(p, g, m, s[:rows], rows, cols, &k)
		return
	}
	fusedRaceWrite(work[:cols])
	s = s[:cols]
	for j, x := range s {
		s[j] = ftz32(k.b2 * daz32(x))
	}
	snColSum(s, g, rows, cols, k.omb2)
	q := work[:cols]
	for j, x := range s {
		q[j] = snQuot(x, &k)
	}
	snCols(p, g, m, q, rows, cols, &k)
}

// snQuot returns k/(√s + ε) with the kernels' flushing, for a flushed s.
func snQuot(s float32, k *snConsts) float32 {
	d := ftz32(float32(math.Sqrt(float64(s))) + k.eps)
	return ftz32(k.step / d)
}
