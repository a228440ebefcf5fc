package asm

import "math"

// lionStepGeneric is the reference of LionStep on validated slices. It
// mirrors the kernels operation by operation, including their fused
// multiply-adds (fma32) and the flushing of every intermediate, so that
// sign(c) and hence p agree with the assembly exactly.
func lionStepGeneric(p, g, m []float32, k *lionConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	for i := range p {
		pi, gi, mi := daz32(p[i]), daz32(g[i]), daz32(m[i])
		c := ftz32(fma32(k.b1, mi, ftz32(k.omb1*gi)))
		pd := ftz32(float32(pi * k.decay))
		p[i] = ftz32(pd - k.lr*sign32(c)) // η·sign(c) is exact
		m[i] = ftz32(fma32(k.b2, mi, ftz32(k.omb2*gi)))
	}
}

// sign32 returns +1 for x > 0, −1 for x < 0, and x for ±0 and NaN. It
// works on the bits, so random signs cost no branch mispredictions.
func sign32(x float32) float32 {
	b := math.Float32bits(x)
	if a := b & 0x7fffffff; a == 0 || a > 0x7f800000 {
		return x
	}
	return math.Float32frombits(b&0x80000000 | 0x3f800000)
}
