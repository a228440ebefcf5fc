package asm

import "math"

// diffgradExp holds the constants of the kernels' exp(−a): −log2 e, the
// rounding constant 1.5·2^23, the clamp 87 and the coefficients c0..c5
// of a degree-5 polynomial for 2^f on [−1/2, 1/2]: c0 = 1 and c1..c5
// minimax for the relative error (9.2e-8), rounded to float32 and then
// nudged by a few ulps to the smallest error of the kernels' 1+e, at
// most 1.55 ulps (sampled over float32 a in [0, 20]).
var diffgradExp = struct {
	nlog2e, magic, xmax float32
	c                   [6]float32
}{
	nlog2e: math.Float32frombits(0xbfb8aa3b),
	magic:  math.Float32frombits(0x4b400000),
	xmax:   87,
	c: [6]float32{
		1, math.Float32frombits(0x3f317215),
		math.Float32frombits(0x3e75fce1), math.Float32frombits(0x3d635ba9),
		math.Float32frombits(0x3c1e7544), math.Float32frombits(0x3aaddd0a),
	},
}

// diffgradDen returns (1 + exp(−|q − g|))·r, the denominator of diffGrad's
// step over r = √v + ε, as the kernels compute it with FTZ|DAZ:
//
//	a := min(|q − g|, 87)              (NaN stays NaN)
//	t := a·(−log2 e)                   (t ≥ −125.6)
//	s := t + 1.5·2^23                  (n = round(t) in s's low bits)
//	f := t − (s − 1.5·2^23)            (exact, |f| ≤ 1/2)
//	P := c0 + f·(c1 + f·(… + f·c5))    (Horner, fused multiply-adds)
//	e := bits(P) + bits(s)<<23         (P·2^n, n ≥ −126; a zero exponent reads as 0)
//	return e·r + r                     (one fused multiply-add)
//
// 1+e is within 1.55 ulps of 1+exp(−a): t's rounding moves e by at most
// a·e·7e-8, P's error is 9.2e-8·e before the roundings of the last
// multiply-adds, and 1+e ≥ 1.
func diffgradDen(q, g, r float32) float32 {
	c := &diffgradExp
	a := float32(math.Abs(float64(ftz32(q - g))))
	if c.xmax < a {
		a = c.xmax
	}
	t := ftz32(a * c.nlog2e)
	s := t + c.magic
	f := t - (s - c.magic)
	p := c.c[5]
	for i := 4; i >= 0; i-- {
		p = ftz32(fma32(p, f, c.c[i]))
	}
	e := math.Float32frombits(math.Float32bits(p) + math.Float32bits(s)<<23)
	return ftz32(fma32(daz32(e), r, r))
}

// diffgradStepGeneric is the reference of DiffGradStep on validated
// slices. It computes exactly what the kernels compute, operation by
// operation (fused multiply-adds where they fuse, exp as diffgradDen,
// every input and result flushed as their DAZ/FTZ mode does), so that the
// kernels match it bit for bit:
//
//	g' = g + wd·p (fused, dgL2) ;  p' = p·decay  (dgDecoupled)
//	m  = b1·m + (omb1·g')   (fused) ;  v = b2·v + (omb2·g')·g'  (fused)
//	p  = p' − step·(m/diffgradDen(prev, g', √v + ε))  (fused)
//	prev = g'                                    (g as given unless dgL2)
func diffgradStepGeneric(p, g, m, v, prev []float32, k *diffgradConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	prev = prev[:len(p)]
	for i := range p {
		pi, gi, mi, vi, qi := daz32(p[i]), daz32(g[i]), daz32(m[i]), daz32(v[i]), daz32(prev[i])
		switch k.mode {
		case dgL2:
			gi = ftz32(fma32(k.wd, pi, gi))
		case dgDecoupled:
			pi = ftz32(pi * k.decay)
		}
		mi = ftz32(fma32(k.b1, mi, ftz32(k.omb1*gi)))
		vi = ftz32(fma32(k.b2, vi, ftz32(ftz32(k.omb2*gi)*gi)))
		r := ftz32(float32(math.Sqrt(float64(vi))) + k.eps)
		den := diffgradDen(qi, gi, r)
		p[i] = ftz32(fma32(-k.step, ftz32(mi/den), pi))
		m[i] = mi
		v[i] = vi
		prev[i] = gi
		if k.mode != dgL2 {
			prev[i] = g[i] // copied as is, subnormal or not
		}
	}
}
