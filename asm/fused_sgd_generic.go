package asm

// sgdStepGeneric is the reference of SGDStep with momentum on validated
// slices. Each operation is rounded to float32 on its own, in torch's
// order; inputs and stored results are flushed as the kernels' DAZ/FTZ mode
// does.
func sgdStepGeneric(p, g, buf []float32, k *sgdConsts) {
	g = g[:len(p)]
	buf = buf[:len(p)]
	for i := range p {
		pi, gi, bi := daz32(p[i]), daz32(g[i]), daz32(buf[i])
		d := gi + float32(k.wd*pi)
		bi = ftz32(float32(k.mub*bi) + float32(k.damp*d))
		u := bi
		if k.nest {
			u = d + float32(k.mun*bi)
		}
		p[i] = ftz32(pi - float32(k.lr*u))
		buf[i] = bi
	}
}
