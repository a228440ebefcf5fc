package asm

import "fmt"

// LookaheadSync performs the synchronisation of Lookahead (Zhang et al.,
// "Lookahead Optimizer: k steps forward, 1 step back"; METHODS 4.2) in
// place, in one pass: the slow weights φ move toward the fast weights θ
// and θ restarts from them. With a = float32(α) and b = float32(1−α)
// (1−α computed in float64 and rounded once), for each i:
//
//	f       = b·slow[i] + a·p[i]     (two products, each rounded, then the sum)
//	slow[i] = f
//	p[i]    = f
//
// so that p equals slow bit for bit afterwards. There is no fused
// multiply-add and MXCSR is left alone, so the assembly is bit-identical
// to the Go reference (and to optim's Lookahead chain for the same θ),
// up to the payload of a NaN made from two NaNs.
// With α = 1, f is p[i] unless slow[i] is infinite or NaN (0·∞); callers
// that want φ ← θ exactly copy instead.
//
// p and slow are read and written; they must have the same length and
// must not overlap. LookaheadSync panics if the lengths differ.
func LookaheadSync(p, slow []float32, alpha float64) {
	if len(slow) != len(p) {
		panic(fmt.Sprintf("asm: lookahead: length mismatch: len(p)=%d len(slow)=%d", len(p), len(slow)))
	}
	fusedRaceWrite(p)
	fusedRaceWrite(slow)
	lookaheadSync(p, slow, float32(alpha), float32(1-alpha))
}
