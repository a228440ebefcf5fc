package asm

import (
	"fmt"
	"math"
)

// AdafactorParams holds the hyperparameters of one Adafactor step
// (Shazeer & Stern; optax adafactor). Like AdamParams they are float64;
// the derived constants are computed in float64 and rounded to float32
// once.
type AdafactorParams struct {
	LR             float64 // η, multiplies the step (1 gives the paper's relative step)
	WeightDecay    float64 // λ, decoupled: p ← p·(1 − η·λ) − …
	Beta1          float64 // β1 in [0, 1): momentum on the scaled update; 0 turns it off
	DecayRate      float64 // c > 0 in β̂2 = 1 − t^(−c)
	Eps1           float64 // ε1, added to the row and column means of G²
	Eps2           float64 // ε2, the floor of RMS(p)
	ClipThreshold  float64 // d > 0, the RMS clipping threshold
	RelativeStep   bool    // ρ_t = min(1e-2, 1/√t); false: ρ_t = 1
	ScaleParameter bool    // multiply by max(ε2, RMS(p)); false: by 1
	Step           int     // 1-based step count t
}

// beta2 returns β̂2 = 1 − t^(−c).
func (h AdafactorParams) beta2() float64 { return 1 - math.Pow(float64(h.Step), -h.DecayRate) }

// scale returns the factor of the step, from Σ U² and Σ p² over n
// elements: 1/max(1, RMS(U)/d), times ρ_t and max(ε2, RMS(p)) if
// enabled (float64).
func (h AdafactorParams) scale(usq, psq float64, n int) float64 {
	sc := 1 / max(1, math.Sqrt(usq/float64(n))/h.ClipThreshold)
	if h.RelativeStep {
		sc *= min(1e-2, 1/math.Sqrt(float64(h.Step)))
	}
	if h.ScaleParameter {
		sc *= max(h.Eps2, math.Sqrt(psq/float64(n)))
	}
	return sc
}

// afConsts are the constants of the update pass: with momentum
// (len(m) > 0) x = sc·U, m ← β1·m + (1−β1)·x, p ← p·decay − step·m with
// step = η; without, p ← p·decay − step·U with step = η·sc.
type afConsts struct {
	b1, omb1, sc, step, decay float32
}

// consts rounds the constants once and flushes them as DAZ reads them.
func (h AdafactorParams) consts(sc float64, momentum bool) afConsts {
	k := afConsts{b1: ftz32(float32(h.Beta1)), omb1: ftz32(float32(1 - h.Beta1)), sc: ftz32(float32(sc)),
		step: ftz32(float32(h.LR * sc)), decay: ftz32(float32(1 - h.LR*h.WeightDecay))}
	if momentum {
		k.step = ftz32(float32(h.LR))
	}
	return k
}

// AdafactorWork is the scratch space of AdafactorMatrixStep (row and
// column sums and factors). The zero value is ready to use; it grows to
// the largest matrix seen and is then reused without allocating. One
// AdafactorWork must not be used by two calls at the same time.
type AdafactorWork struct {
	rowSum, colSum []float64
	rowFac, colFac []float32
}

func (w *AdafactorWork) grow(rows, cols int) {
	if len(w.rowSum) < rows {
		w.rowSum, w.rowFac = make([]float64, rows), make([]float32, rows)
	}
	if len(w.colSum) < cols {
		w.colSum, w.colFac = make([]float64, cols), make([]float32, cols)
	}
}

// AdafactorMatrixStep performs one factored Adafactor step on a rows×cols
// matrix in place (optim's NewAdafactor; METHODS.md 1.8). p, g and m are
// row-major; r and c are the row and column statistics (rows and cols
// floats, at least that long); m has rows·cols floats with momentum
// (h.Beta1 > 0) and is not used without (it may then be nil). With β̂2 = 1 − t^(−c):
//
//	pass 1: R_i = Σ_j g_ij², C_j = Σ_i g_ij² (float64), P = Σ p_ij² (see below)
//	r_i ← float32(β̂2·r_i + (1−β̂2)·(R_i/cols + ε1))
//	c_j ← float32(β̂2·c_j + (1−β̂2)·(C_j/rows + ε1))
//	a_i = float32(√(mean(r)/r_i)),  b_j = float32(1/√c_j)   (rows + cols roots, in Go, float64)
//	U_ij = (g_ij·a_i)·b_j          (float32, two products: 1/√V̂ is separable)
//	pass 2: S = Σ U_ij²            (as P, see below)
//	sc = 1/max(1, √(S/n)/d) · ρ_t · max(ε2, √(P/n))   (float64; see AdafactorParams)
//	pass 3: p_ij ← p_ij·(1 − η·λ) − (η·sc)·U_ij
//
// and with momentum x = sc·U_ij (sc rounded to float32),
// m_ij ← β1·m_ij + (1−β1)·x, p_ij ← p_ij·(1 − η·λ) − η·m_ij. mean(r) is
// the float64 sum of the new r_i in order, over rows. R_i adds its
// squares (exact in float64) into 16 float64 lanes, element (i, j) into
// lane j mod 16, combined as CombineLanes16 does; C_j adds row after row.
// P and S round each square to float32 and add it in float32 into lane j
// mod 16; after every 1024 elements of a row and at the row's end each
// lane is added to its float64 lane (kept across rows) and restarts at
// zero; the float64 lanes are combined as CombineLanes16 does.
// (Converting every p_ij² and U_ij² to float64 cost passes 1 and 2 about
// a third and a half of their time.)
// Every level follows that order, so r, c and sc are the same bit for
// bit at every level. The kernels run with FTZ and DAZ set (see
// mxcsr.go); the generic reference flushes like them and fuses the update
// through fma32.
//
// w provides the scratch space (nil allocates a fresh one). No two slices
// may overlap. AdafactorMatrixStep panics if rows or cols is < 1, a
// length does not fit, or h.Step < 1.
func AdafactorMatrixStep(p, g, r, c, m []float32, rows, cols int, h AdafactorParams, w *AdafactorWork) {
	if rows < 1 || cols < 1 || rows > math.MaxInt/cols {
		panic(fmt.Sprintf("asm: adafactor: invalid shape %d×%d", rows, cols))
	}
	n := rows * cols
	if h.Beta1 <= 0 {
		m = nil
	}
	if len(p) != n || len(g) != n || len(r) < rows || len(c) < cols || (h.Beta1 > 0 && len(m) != n) {
		panic(fmt.Sprintf("asm: adafactor: length mismatch for %d×%d (β1 %v): len(p)=%d len(g)=%d len(r)=%d len(c)=%d len(m)=%d",
			rows, cols, h.Beta1, len(p), len(g), len(r), len(c), len(m)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: adafactor: step %d < 1", h.Step))
	}
	if w == nil {
		w = new(AdafactorWork)
	}
	w.grow(rows, cols)
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(r[:rows])
	fusedRaceWrite(c[:cols])
	fusedRaceWrite(m)
	rs, cs, rf, cf := w.rowSum[:rows], w.colSum[:cols], w.rowFac[:rows], w.colFac[:cols]
	clear(cs)
	psq := afSums(g, p, rows, cols, rs, cs)
	bh := h.beta2()
	rsum := 0.0
	for i, x := range rs {
		ri := float32(bh*float64(r[i]) + (1-bh)*(x/float64(cols)+h.Eps1))
		r[i] = ri
		rsum += float64(ri)
	}
	for j, x := range cs {
		cj := float32(bh*float64(c[j]) + (1-bh)*(x/float64(rows)+h.Eps1))
		c[j] = cj
		cf[j] = float32(1 / math.Sqrt(float64(cj)))
	}
	meanR := rsum / float64(rows)
	for i := range rf {
		rf[i] = float32(math.Sqrt(meanR / float64(r[i])))
	}
	usq := afUSum(g, rf, cf, rows, cols)
	k := h.consts(h.scale(usq, psq, n), len(m) > 0)
	afUpdate(p, g, m, rf, cf, rows, cols, &k)
}

// AdafactorStep performs one unfactored Adafactor step (a vector, or a
// matrix not factored) in place, in two passes. With β̂2 = 1 − t^(−c):
//
//	pass 1: v_i ← β̂2·v_i + (1−β̂2)·(g_i·g_i + ε1)   (float32, every product and sum rounded)
//	        U_i = g_i / √v_i   → u_i (scratch)
//	        S = Σ U_i², P = Σ p_i²                  (see below)
//	pass 2: p_i ← p_i·(1 − η·λ) − (η·sc)·u_i        (momentum as AdafactorMatrixStep)
//
// with sc as in AdafactorMatrixStep. S and P round each square to float32
// and add it in float32 into 16 lanes (element i into lane i mod 16);
// after every 1024 elements, and at the end, each lane is added to a
// float64 lane (and restarts at zero), and the float64 lanes are combined
// as CombineLanes16 does. (Converting every square to float64, as the factored
// form does, cost pass 1 about a quarter of its time.) Pass 1 has no
// fused multiply-adds, so v, u and sc are the same bit for bit at every
// level (and as optim's chain computes them, but for subnormals, which
// the kernels flush).
// u is scratch of len(p) floats whose contents on entry do not matter
// (pass 1 stores U there so that pass 2 does not divide again). m has
// len(p) floats with momentum (h.Beta1 > 0) and is not used without. No two slices may
// overlap. AdafactorStep panics if a length differs or h.Step < 1.
func AdafactorStep(p, g, v, m, u []float32, h AdafactorParams) {
	n := len(p)
	if h.Beta1 <= 0 {
		m = nil
	}
	if len(g) != n || len(v) != n || len(u) != n || (h.Beta1 > 0 && len(m) != n) {
		panic(fmt.Sprintf("asm: adafactor: length mismatch (β1 %v): len(p)=%d len(g)=%d len(v)=%d len(m)=%d len(u)=%d",
			h.Beta1, len(p), len(g), len(v), len(m), len(u)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: adafactor: step %d < 1", h.Step))
	}
	if n == 0 {
		return
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(v)
	fusedRaceWrite(m)
	fusedRaceWrite(u)
	bh := h.beta2()
	usq, psq := afVec(p, g, v, u, ftz32(float32(bh)), ftz32(float32(1-bh)), ftz32(float32(h.Eps1)))
	k := h.consts(h.scale(usq, psq, n), len(m) > 0)
	afApply(p, u, m, &k)
}
