package asm

import "math"

// gravityMaxGeneric is the reference of GravityStep's first pass: the
// largest bit pattern of |g[i]|, which is that of the largest magnitude
// (a NaN's, beyond +Inf's, if there is one).
func gravityMaxGeneric(g []float32) uint32 {
	var m uint32
	for _, x := range g {
		m = max(m, math.Float32bits(x)&0x7fffffff)
	}
	return m
}

// gravityStepGeneric is the reference of GravityStep's update pass on
// validated slices, each operation rounded to float32 on its own in the
// chain's order; inputs (M too) and results are flushed as the kernels'
// DAZ/FTZ mode does.
func gravityStepGeneric(p, g, v []float32, k *gravityConsts) {
	g = g[:len(p)]
	v = v[:len(p)]
	m := daz32(k.m)
	for i := range p {
		pi, gi, vi := daz32(p[i]), daz32(g[i]), daz32(v[i])
		gm := ftz32(gi * m)
		z := ftz32(gi / ftz32(1+ftz32(gm*gm)))
		vi = ftz32(ftz32(k.b*vi) + ftz32(k.omb*z))
		p[i] = ftz32(pi - ftz32(k.lr*vi))
		v[i] = vi
	}
}
