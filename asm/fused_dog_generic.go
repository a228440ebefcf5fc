package asm

// dogSumsGeneric is the reference of DoGSums from element from (a
// multiple of dogBlock) to the end: block by block, each lane's float32
// row sum (see DoGSums) is added to l[j] (dist2) and l[16+j] (grad2).
// Unused inputs (by mode) are not read.
func dogSumsGeneric(p, p0, g []float32, wd float32, mode int, l *[32]float64, from int) {
	n := len(g)
	for b := from; b < n; b += dogBlock {
		for j := range 16 {
			var d, u [4]float32
			for k := range 4 {
				i := b + 16*k + j
				if i >= n {
					break
				}
				gi := daz32(g[i])
				if mode&dogDecay != 0 {
					gi = ftz32(fma32(wd, daz32(p[i]), gi))
				}
				u[k] = gi
				if mode&dogDist != 0 {
					d[k] = ftz32(daz32(p[i]) - daz32(p0[i]))
				}
			}
			if mode&dogDist != 0 {
				l[j] += float64(dogRows(&d))
			}
			l[16+j] += float64(dogRows(&u))
		}
	}
}

// dogRows is a lane's float32 sum of squares over the 4 rows of a block,
// fma(x₁, x₁, x₀²) + fma(x₃, x₃, x₂²), flushed as FTZ does.
func dogRows(x *[4]float32) float32 {
	a := ftz32(fma32(x[1], x[1], ftz32(x[0]*x[0])))
	b := ftz32(fma32(x[3], x[3], ftz32(x[2]*x[2])))
	return ftz32(a + b)
}

// dogStepGeneric is the reference of DoGStep on validated slices (avg is
// read only with mode&dogAvg).
func dogStepGeneric(p, g, avg []float32, mode int, h *DoGStepParams) {
	g = g[:len(p)]
	for i := range p {
		pi, u := daz32(p[i]), daz32(g[i])
		if mode&dogDecay != 0 {
			u = ftz32(fma32(h.WD, pi, u))
		}
		u = ftz32(ftz32(u*h.Eta) * h.LR)
		pi = ftz32(pi - u)
		p[i] = pi
		if mode&dogAvg != 0 {
			avg[i] = ftz32(ftz32(h.OmW*daz32(avg[i])) + ftz32(h.W*pi))
		}
	}
}
