package asm

import "math"

// fadamSumGeneric is the reference of FAdamStep's first pass: it adds
// float64(g[i])² (g read through DAZ) to acc[i mod 16], in order of i.
func fadamSumGeneric(g []float32, acc *[fadamLanes]float64) {
	for i, x := range g {
		v := float64(daz32(x))
		acc[i%fadamLanes] += v * v
	}
}

// fadamRecip returns 1/d, flushed, or 0 where d is 0.
func fadamRecip(d float32) float32 {
	if d == 0 {
		return 0
	}
	return ftz32(1 / d)
}

// fadamPrecondGeneric is the reference of FAdamStep's second pass on
// validated slices: f ← β̂2·f + ((1−β̂2)·g)·g, r = 1/(√f + ε̂) (0 where that
// is 0), and Σ(g·r)² into acc[i mod 16], Σ(p·r)² into acc[16 + i mod 16],
// every float32 operation flushed as FTZ does.
func fadamPrecondGeneric(g, p, f, r []float32, acc *[2 * fadamLanes]float64, k *fadamConsts) {
	p = p[:len(g)]
	f = f[:len(g)]
	r = r[:len(g)]
	for i := range g {
		gi, pi, fi := daz32(g[i]), daz32(p[i]), daz32(f[i])
		fi = ftz32(ftz32(k.b2*fi) + ftz32(ftz32(k.omb2*gi)*gi))
		d := ftz32(ftz32(float32(math.Sqrt(float64(fi)))) + k.epsh)
		ri := fadamRecip(d)
		gh, w := float64(ftz32(gi*ri)), float64(ftz32(pi*ri))
		acc[i%fadamLanes] += gh * gh
		acc[fadamLanes+i%fadamLanes] += w * w
		f[i] = fi
		r[i] = ri
	}
}

// fadamUpdateGeneric is the reference of FAdamStep's third pass on
// validated slices, every float32 operation flushed as FTZ does:
//
//	m[i] = β1·m[i] + (1−β1)·((g[i]·r[i])·a_g)
//	p[i] = p[i] − η·(m[i] + λ·((p[i]·r[i])·a_w))
func fadamUpdateGeneric(p, g, m, r []float32, k *fadamConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	r = r[:len(p)]
	for i := range p {
		pi, gi, mi, ri := daz32(p[i]), daz32(g[i]), daz32(m[i]), daz32(r[i])
		t := ftz32(k.omb1 * ftz32(ftz32(gi*ri)*k.sg))
		mi = ftz32(ftz32(k.b1*mi) + t)
		w := ftz32(k.wd * ftz32(ftz32(pi*ri)*k.sw))
		u := ftz32(k.lr * ftz32(mi+w))
		p[i] = ftz32(pi - u)
		m[i] = mi
	}
}
