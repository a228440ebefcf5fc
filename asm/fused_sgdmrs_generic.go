package asm

// sgdmrsStepGeneric is the reference of SGDMRSStep on validated slices:
// each operation rounded to float32 on its own in the chain's order, λ·p
// added by an exactly rounded fused multiply-add (fma32); inputs and
// results are flushed as the kernels' DAZ/FTZ mode does.
func sgdmrsStepGeneric(p, g, d []float32, k *sgdmrsConsts) {
	g = g[:len(p)]
	d = d[:len(p)]
	for i := range p {
		pi, u, di := daz32(p[i]), daz32(g[i]), daz32(d[i])
		if k.wd != 0 {
			u = ftz32(fma32(k.wd, pi, u))
		}
		di = ftz32(k.f * ftz32(di-ftz32(k.eta*u)))
		p[i] = ftz32(pi + ftz32(k.s*di))
		d[i] = di
	}
}
