package asm

import "fmt"

// AdaMaxStep performs one AdaMax step (Kingma & Ba, "Adam: A Method for
// Stochastic Optimization", section 7.1; optax scale_by_adamax,
// torch.optim.Adamax) in place, in one pass. For each i, with t = h.Step
// and bc1 = 1−β1^t:
//
//	g', p' as in AdamStep (L2 term, or AdamW-style decoupled decay)
//	m[i] = β1·m[i] + (1−β1)·g'
//	u[i] = max(β2·u[i], |g'| + ε)          (no bias correction on u)
//	p[i] = p' − (η/bc1)·m[i]/u[i]
//
// h is read as for AdamStep, with β2 the decay of the infinity norm. The
// maximum is β2·u > |g'|+ε ? β2·u : |g'|+ε, so a NaN g' makes u[i] NaN.
// η/bc1 is computed once per call in float64. m and u start as zeros.
//
// Rounding, subnormal flushing and the λ terms behave as in AdamStep. p, m
// and u are read and written, g only read; the four slices must have the
// same length and must not overlap. AdaMaxStep panics if the lengths
// differ or h.Step < 1.
func AdaMaxStep(p, g, m, u []float32, h AdamParams) {
	if len(g) != len(p) || len(m) != len(p) || len(u) != len(p) {
		panic(fmt.Sprintf("asm: adamax: length mismatch: len(p)=%d len(g)=%d len(m)=%d len(u)=%d",
			len(p), len(g), len(m), len(u)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: adamax: step %d < 1", h.Step))
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(u)
	k := h.consts()
	adamaxStep(p, g, m, u, &k)
}
