package asm

import "fmt"

// AMSGradStep performs one step of torch.optim.Adam / AdamW with
// amsgrad=True (Reddi et al., "On the Convergence of Adam and Beyond") in
// place, in one pass. It is AdamStep with a running maximum of the raw
// second moment, kept in vmax, in the denominator:
//
//	g', p', m[i], v[i] as in AdamStep
//	vmax[i] = max(vmax[i], v[i])
//	p[i]    = p' − (η/bc1) · m[i] / (√vmax[i] · (1/√bc2) + ε)
//
// As in torch, the maximum is taken on the raw v and bias correction is
// applied afterwards (optax's default differs: it takes the maximum of
// v/bc2). The maximum is max(vmax[i], v[i]) = vmax[i] > v[i] ? vmax[i] :
// v[i], so a NaN v[i] is stored in vmax[i], and a NaN vmax[i] is replaced
// by v[i] (torch.maximum would keep the NaN). vmax starts as zeros.
//
// Rounding, subnormal flushing and the λ terms behave as in AdamStep. p, m,
// v and vmax are read and written, g only read; the five slices must have
// the same length and must not overlap. AMSGradStep panics if the lengths
// differ or h.Step < 1.
func AMSGradStep(p, g, m, v, vmax []float32, h AdamParams) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) || len(vmax) != len(p) {
		panic(fmt.Sprintf("asm: amsgrad: length mismatch: len(p)=%d len(g)=%d len(m)=%d len(v)=%d len(vmax)=%d",
			len(p), len(g), len(m), len(v), len(vmax)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("asm: amsgrad: step %d < 1", h.Step))
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	fusedRaceWrite(m)
	fusedRaceWrite(v)
	fusedRaceWrite(vmax)
	k := h.consts()
	amsgradStep(p, g, m, v, vmax, &k)
}
