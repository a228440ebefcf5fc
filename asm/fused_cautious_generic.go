package asm

import "math"

// cautiousX is the masked quantity of both cautious steps, b1·m + omb1·g
// with the kernels' fused multiply-add and flushing (g and m already read
// through daz32).
func cautiousX(b1, omb1, m, g float32) float32 { return ftz32(fma32(b1, m, ftz32(omb1*g))) }

// cautiousAgree reports sign(x)·g > 0, the cautious mask.
func cautiousAgree(x, g float32) bool { return sign32(x)*g > 0 }

// cautiousCountGeneric is the reference of cautiousCount: the number of i
// with sign(b1·m[i] + omb1·g[i])·g[i] > 0.
func cautiousCountGeneric(g, m []float32, b1, omb1 float32) int {
	m = m[:len(g)]
	n := 0
	for i := range g {
		gi := daz32(g[i])
		if cautiousAgree(cautiousX(b1, omb1, daz32(m[i]), gi), gi) {
			n++
		}
	}
	return n
}

// cadamwMomentGeneric is the reference of CAdamWStep's first pass: it
// sets m[i] = β1·m[i] + (1−β1)·g[i] (as cautiousX) and returns the
// number of i with sign(m[i])·g[i] > 0.
func cadamwMomentGeneric(g, m []float32, b1, omb1 float32) int {
	m = m[:len(g)]
	n := 0
	for i := range g {
		gi := daz32(g[i])
		x := cautiousX(b1, omb1, daz32(m[i]), gi)
		m[i] = x
		if cautiousAgree(x, gi) {
			n++
		}
	}
	return n
}

// cadamwStepGeneric is the reference of CAdamWStep's update pass on
// validated slices, with m already the new moment (cadamwMomentGeneric's)
// and steps = (η/bc1)·s: adamStepGeneric (decoupled) with the step
// masked; m is only read.
func cadamwStepGeneric(p, g, m, v []float32, k *adamConsts, steps float32) {
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	for i := range p {
		pi, gi, mi, vi := daz32(p[i]), daz32(g[i]), daz32(m[i]), daz32(v[i])
		pi = float32(pi * k.decay)
		vi = ftz32(float32(k.b2*vi) + float32(float32(k.omb2*gi)*gi))
		if cautiousAgree(mi, gi) {
			d := float32(float32(math.Sqrt(float64(vi)))*k.rbc2) + k.eps
			pi = pi - float32(steps*float32(mi/d))
		}
		p[i] = ftz32(pi)
		v[i] = vi
	}
}

// clionStepGeneric is the reference of CLionStep's update pass on
// validated slices, with k.lr = η·s: lionStepGeneric with the step masked.
func clionStepGeneric(p, g, m []float32, k *lionConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	for i := range p {
		pi, gi, mi := daz32(p[i]), daz32(g[i]), daz32(m[i])
		c := cautiousX(k.b1, k.omb1, mi, gi)
		var s float32
		if cautiousAgree(c, gi) {
			s = sign32(c)
		}
		pd := ftz32(float32(pi * k.decay))
		p[i] = ftz32(pd - k.lr*s) // η·s·(±1 or 0) is exact
		m[i] = ftz32(fma32(k.b2, mi, ftz32(k.omb2*gi)))
	}
}
