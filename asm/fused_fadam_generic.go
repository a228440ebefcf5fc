package asm

import "math"

// fadamBlock is the block of FAdamStep's reductions: 4 rows of 16 lanes.
const fadamBlock = 4 * fadamLanes

// fadamAddBlock adds one block's squares q (row-major, rows of 16 lanes,
// zero where the block runs past the slice) to the lanes of acc: lane j
// gets float64((q0+q1) + (q2+q3)), the float32 sums of its rows.
func fadamAddBlock(acc []float64, q *[fadamBlock]float32) {
	for j := range fadamLanes {
		a := ftz32(q[j] + q[fadamLanes+j])
		b := ftz32(q[2*fadamLanes+j] + q[3*fadamLanes+j])
		acc[j] += float64(ftz32(a + b))
	}
}

// fadamSumGeneric is the reference of FAdamStep's first pass: for each
// block of 64 elements (from the start of g; the last one padded with
// zeros) it adds the float32 squares g[i]·g[i] (g read through DAZ,
// squares flushed) to the 16 lanes of acc as fadamAddBlock does.
func fadamSumGeneric(g []float32, acc *[fadamLanes]float64) {
	for b := 0; b < len(g); b += fadamBlock {
		var q [fadamBlock]float32
		for i, x := range g[b:min(b+fadamBlock, len(g))] {
			x = daz32(x)
			q[i] = ftz32(x * x)
		}
		fadamAddBlock(acc[:], &q)
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
// is 0), every float32 operation flushed as FTZ does, and the squares of
// ĝ = g·r and ŵ = p·r summed by blocks as fadamSumGeneric does, ĝ into
// acc[:16] and ŵ into acc[16:]. r may be f itself: f keeps f'.
func fadamPrecondGeneric(g, p, f, r []float32, acc *[2 * fadamLanes]float64, k *fadamConsts) {
	p = p[:len(g)]
	f = f[:len(g)]
	r = r[:len(g)]
	for b := 0; b < len(g); b += fadamBlock {
		var qg, qw [fadamBlock]float32
		for i := b; i < min(b+fadamBlock, len(g)); i++ {
			gi, pi, fi := daz32(g[i]), daz32(p[i]), daz32(f[i])
			fi = ftz32(ftz32(k.b2*fi) + ftz32(ftz32(k.omb2*gi)*gi))
			d := ftz32(ftz32(float32(math.Sqrt(float64(fi)))) + k.epsh)
			ri := fadamRecip(d)
			gh, w := ftz32(gi*ri), ftz32(pi*ri)
			qg[i-b], qw[i-b] = ftz32(gh*gh), ftz32(w*w)
			r[i] = ri
			f[i] = fi // after r[i]: r may be f itself
		}
		fadamAddBlock(acc[:fadamLanes], &qg)
		fadamAddBlock(acc[fadamLanes:], &qw)
	}
}

// fadamSquares returns Σ float64(g[i]·r[i])² and Σ float64(p[i]·r[i])²
// in order, with the products flushed as FTZ does: FAdamStep's exact
// sums where the block sums overflow float32. A nil r is recomputed from
// f (fadamRecipOf).
func fadamSquares(g, p, r, f []float32, k *fadamConsts) (sh, sw float64) {
	p = p[:len(g)]
	for i := range g {
		var ri float32
		if r != nil {
			ri = r[i]
		} else {
			ri = fadamRecipOf(f[i], k)
		}
		gh, w := float64(ftz32(daz32(g[i])*ri)), float64(ftz32(daz32(p[i])*ri))
		sh += gh * gh
		sw += w * w
	}
	return sh, sw
}

// fadamRecipOf recomputes the second pass's reciprocal from its f:
// 1/(√f + ε̂), 0 where that is 0.
func fadamRecipOf(f float32, k *fadamConsts) float32 {
	return fadamRecip(ftz32(ftz32(float32(math.Sqrt(float64(daz32(f))))) + k.epsh))
}

// fadamUpdateGeneric is the reference of FAdamStep's third pass on
// validated slices (fadamUpdate1 for each element).
func fadamUpdateGeneric(p, g, m, r []float32, k *fadamConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	r = r[:len(p)]
	for i := range p {
		p[i], m[i] = fadamUpdate1(p[i], g[i], m[i], daz32(r[i]), k)
	}
}

// fadamUpdateRecipGeneric is fadamUpdateGeneric with each r[i]
// recomputed from f[i] (fadamRecipOf), the third pass without scratch.
func fadamUpdateRecipGeneric(p, g, m, f []float32, k *fadamConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	f = f[:len(p)]
	for i := range p {
		p[i], m[i] = fadamUpdate1(p[i], g[i], m[i], fadamRecipOf(f[i], k), k)
	}
}

// fadamUpdate1 is the third pass on one element, every float32 operation
// flushed as FTZ does:
//
//	m' = β1·m + (1−β1)·((g·r)·a_g)
//	p' = p − η·(m' + λ·((p·r)·a_w))
func fadamUpdate1(p, g, m, r float32, k *fadamConsts) (float32, float32) {
	p, g, m = daz32(p), daz32(g), daz32(m)
	t := ftz32(k.omb1 * ftz32(ftz32(g*r)*k.sg))
	m = ftz32(ftz32(k.b1*m) + t)
	w := ftz32(k.wd * ftz32(ftz32(p*r)*k.sw))
	u := ftz32(k.lr * ftz32(m+w))
	return ftz32(p - u), m
}
