package asm

import "math"

// xgradPredictGeneric is the reference of XGradPredict on validated
// slices: each operation rounded to float32 on its own, in the order of
// optim's scaleByXGrad.predict; inputs and the stored p flushed as the
// kernels' DAZ/FTZ mode does; saved gets p's bits unchanged.
func xgradPredictGeneric(p, saved, m, v []float32, k *xgradPredictConsts) {
	saved = saved[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	for i := range p {
		saved[i] = p[i]
		pi, mi, vi := daz32(p[i]), daz32(m[i]), daz32(v[i])
		d := float32(float32(math.Sqrt(float64(vi)))*k.rbc2) + k.eps
		p[i] = ftz32(pi - float32(k.k*float32(k.c1*float32(mi/d))))
	}
}

// xgradPredictDirGeneric is the reference of XGradPredictDir: d[i] is
// read before saved[i] is written (d may be saved).
func xgradPredictDirGeneric(p, saved, d []float32, k float32) {
	saved = saved[:len(p)]
	d = d[:len(p)]
	for i := range p {
		x := daz32(d[i])
		pi := p[i]
		saved[i] = pi
		p[i] = ftz32(daz32(pi) - float32(k*x))
	}
}

// xgradStepGeneric is the reference of XGradStep on validated slices
// (dir nil: not stored), rounded per operation and flushed as
// adamStepGeneric. theta[i] is read before p[i] and dir[i] are written.
func xgradStepGeneric(p, theta, g, m, v, dir []float32, k *xgradConsts) {
	theta = theta[:len(p)]
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	if dir != nil {
		dir = dir[:len(p)]
	}
	for i := range p {
		ti, gi, mi, vi := daz32(theta[i]), daz32(g[i]), daz32(m[i]), daz32(v[i])
		pi := float32(ti * k.decay)
		mi = ftz32(float32(k.b1*mi) + float32(k.omb1*gi))
		vi = ftz32(float32(k.b2*vi) + float32(float32(k.omb2*gi)*gi))
		d := float32(float32(math.Sqrt(float64(vi)))*k.rbc2) + k.eps
		u := ftz32(float32(k.c1 * float32(mi/d)))
		if dir != nil {
			dir[i] = u
		}
		p[i] = ftz32(pi - float32(k.lr*u))
		m[i] = mi
		v[i] = vi
	}
}

// xgradSGDStepGeneric is the reference of XGradSGDStep on validated
// slices, rounded per operation in the order of optim's
// scaleByXGradSGD, flushed as sgdStepGeneric.
func xgradSGDStepGeneric(p, theta, g, b []float32, k *xgradSGDConsts) {
	theta = theta[:len(p)]
	g = g[:len(p)]
	b = b[:len(p)]
	for i := range p {
		ti, gi, bi := daz32(theta[i]), daz32(g[i]), daz32(b[i])
		d := gi + float32(k.wd*ti)
		bi = ftz32(float32(k.mu*bi) + float32(k.omd*d))
		p[i] = ftz32(ti - float32(k.lr*bi))
		b[i] = bi
	}
}
