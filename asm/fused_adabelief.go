package asm

import "fmt"

// AdaBeliefStep performs one AdaBelief step (Zhuang et al., "AdaBelief
// Optimizer: Adapting Stepsizes by the Belief in Observed Gradients") in
// place, in one pass, with the update of the authors' adabelief_pytorch
// (v0.2) without rectification and without amsgrad. For each i:
//
//	g', p' as in AdamStep (L2 term, or AdamW-style decoupled decay)
//	m[i] = β1·m[i] + (1−β1)·g'
//	s[i] = β2·s[i] + (1−β2)·(g' − m[i])² + ε     (the updated m; ε stored in s)
//	p[i] = p' − (η/bc1) · m[i] / (√s[i] · (1/√bc2) + ε)
//
// h is read as for AdamStep; ε is added twice, once inside s (every step,
// as the authors' code does with exp_avg_var.add_(eps)) and once after the
// square root. The optax default ε = 1e-16 suits this form; AdamStep's
// usual 1e-8 works as well.
//
// Rounding, subnormal flushing and the λ terms behave as in AdamStep. p, m
// and s are read and written, g only read; the four slices must have the
// same length and must not overlap. AdaBeliefStep panics if the lengths
// differ or h.Step < 1.
func AdaBeliefStep(p, g, m, s []float32, h AdamParams) {
	if len(g) != len(p) || len(m) != len(p) || len(s) != len(p) {
		panic(fmt.Sprintf("asm: adabelief: length mismatch: len(p)=%d len(g)=%d len(m)=%d len(s)=%d",
			len(p), len(g), len(m), len(s)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: adabelief: step %d < 1", h.Step))
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(s)
	k := h.consts()
	adabeliefStep(p, g, m, s, &k)
}
