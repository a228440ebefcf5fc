package asm

import "math"

// afSumsGeneric is the reference of pass 1 of AdafactorMatrixStep:
// rs[i] = R_i, cs[j] += C_j (cs cleared by the caller), and P returned.
// P adds the float32 squares p_ij·p_ij in float32 into lane j mod 16,
// moving each lane into its float64 lane after every afChunk elements of
// a row and at the row's end.
func afSumsGeneric(g, p []float32, rows, cols int, rs, cs []float64) float64 {
	var pl [16]float64
	cs = cs[:cols]
	for i := range rows {
		var l [16]float64
		var p32 [16]float32
		lo, hi := i*cols, (i+1)*cols
		row, prow := g[lo:hi], p[lo:hi]
		for j, x := range row {
			x := float64(daz32(x))
			q := x * x
			l[j&15] += q
			cs[j] += q
			y := daz32(prow[j])
			p32[j&15] = ftz32(p32[j&15] + ftz32(y*y))
			if (j+1)%afChunk == 0 || j == cols-1 {
				for k := range pl {
					pl[k] += float64(p32[k])
				}
				p32 = [16]float32{}
			}
		}
		rs[i] = CombineLanes16(&l)
	}
	return CombineLanes16(&pl)
}

// afU returns U = (g·a)·b with the kernels' flushing.
func afU(g, a, b float32) float32 { return ftz32(ftz32(daz32(g)*daz32(a)) * daz32(b)) }

// afUSumGeneric is the reference of pass 2 of AdafactorMatrixStep: S,
// summed as afSumsGeneric sums P (float32 squares in float32 lanes j mod
// 16, moved to float64 after every afChunk elements of a row and at its
// end).
func afUSumGeneric(g, rf, cf []float32, rows, cols int) float64 {
	var l [16]float64
	cf = cf[:cols]
	for i := range rows {
		var u32 [16]float32
		a := rf[i]
		for j, x := range g[i*cols : (i+1)*cols] {
			u := afU(x, a, cf[j])
			u32[j&15] = ftz32(u32[j&15] + ftz32(u*u))
			if (j+1)%afChunk == 0 || j == cols-1 {
				for k := range l {
					l[k] += float64(u32[k])
				}
				u32 = [16]float32{}
			}
		}
	}
	return CombineLanes16(&l)
}

// afUpdateGeneric is the reference of pass 3 of AdafactorMatrixStep.
func afUpdateGeneric(p, g, m, rf, cf []float32, rows, cols int, k *afConsts) {
	cf = cf[:cols]
	for i := range rows {
		lo, hi := i*cols, (i+1)*cols
		var mr []float32
		if len(m) > 0 {
			mr = m[lo:hi]
		}
		a := rf[i]
		prow := p[lo:hi]
		for j, x := range g[lo:hi] {
			prow[j] = afStepOne(prow[j], afU(x, a, cf[j]), mr, j, k)
		}
	}
}

// afStepOne returns the updated p for the update U of element j, updating
// m[j] if m is not nil.
func afStepOne(p, u float32, m []float32, j int, k *afConsts) float32 {
	p = ftz32(daz32(p) * k.decay)
	if m != nil {
		x := ftz32(k.sc * u)
		mj := ftz32(fma32(k.b1, daz32(m[j]), ftz32(k.omb1*x)))
		m[j] = mj
		u = mj
	}
	return ftz32(fma32(-k.step, u, p))
}

// afChunk is the number of elements over which AdafactorStep's sums of
// squares accumulate in float32 before they are added to float64.
const afChunk = 1024

// afVecGeneric is the reference of pass 1 of AdafactorStep: it updates v,
// stores U in u and returns S and P. The squares are rounded to float32
// and added in 16 float32 lanes (element i in lane i mod 16), each lane
// added to its float64 lane after every afChunk elements and at the end,
// then combined by CombineLanes16.
func afVecGeneric(p, g, v, u []float32, b, omb, eps1 float32) (usq, psq float64) {
	var ul, pl [16]float64
	var u32, p32 [16]float32
	g, v, u = g[:len(p)], v[:len(p)], u[:len(p)]
	for i := range p {
		gi := daz32(g[i])
		q := ftz32(ftz32(gi*gi) + eps1)
		vi := ftz32(ftz32(b*daz32(v[i])) + ftz32(omb*q))
		v[i] = vi
		ui := ftz32(gi / ftz32(float32(math.Sqrt(float64(vi)))))
		u[i] = ui
		pi := daz32(p[i])
		l := i & 15
		u32[l] = ftz32(u32[l] + ftz32(ui*ui))
		p32[l] = ftz32(p32[l] + ftz32(pi*pi))
		if (i+1)%afChunk == 0 || i == len(p)-1 {
			for k := range ul {
				ul[k] += float64(u32[k])
				pl[k] += float64(p32[k])
			}
			u32, p32 = [16]float32{}, [16]float32{}
		}
	}
	return CombineLanes16(&ul), CombineLanes16(&pl)
}

// afApplyGeneric is the reference of pass 2 of AdafactorStep.
func afApplyGeneric(p, u, m []float32, k *afConsts) {
	u = u[:len(p)]
	if len(m) == 0 {
		m = nil
	}
	for i := range p {
		p[i] = afStepOne(p[i], daz32(u[i]), m, i, k)
	}
}
