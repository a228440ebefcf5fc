package asm

// References of the Winograd tile transforms (see wino.go). Every product
// by a constant is wrapped in float32() so that the compiler cannot fuse
// it into an FMA: the assembly rounds the same operations in the same
// order and must agree bit for bit. The kernels that write the image
// (input transpose, output) work in groups of 16 tiles, as the assembly
// does, so that overlapping tiles add in its order.

// winoGroup is the number of tiles the kernels take per step.
const winoGroup = 16

// winoBGeneric returns Bᵀ x.
func winoBGeneric(x0, x1, x2, x3, x4, x5 float32) (y0, y1, y2, y3, y4, y5 float32) {
	b, e := float32(4*x1), x3-x1
	t1, t2, t3 := x4-float32(4*x2), x3-b, x4-x2
	return float32(4*x0) - float32(5*x2) + x4, t1 + t2, t1 - t2, t3 + (e + e), t3 - (e + e), b - float32(5*x3) + x5
}

// winoBTGeneric returns B x.
func winoBTGeneric(x0, x1, x2, x3, x4, x5 float32) (y0, y1, y2, y3, y4, y5 float32) {
	d1, d2 := x1-x2, x3-x4
	s1, s2 := x1+x2, x3+x4
	y1 = float32(4*x5) - (float32(4*d1) + (d2 + d2))
	y2 = float32(-5*x0) + float32(-4*s1) - s2
	y3 = d1 + (d2 + d2) - float32(5*x5)
	return float32(4 * x0), y1, y2, y3, x0 + s1 + s2, x5
}

// winoAGeneric returns Aᵀ x.
func winoAGeneric(x0, x1, x2, x3, x4, x5 float32) (y0, y1, y2, y3 float32) {
	a, b := x1+x2, x1-x2
	c, d := x3+x4, x3-x4
	return x0 + a + c, b + (d + d), a + float32(4*c), b + float32(8*d) + x5
}

// winoATGeneric returns A x.
func winoATGeneric(x0, x1, x2, x3 float32) (y0, y1, y2, y3, y4, y5 float32) {
	a, b := x0+x2, x1+x3
	c := x0 + float32(4*x2)
	d := (x1 + x1) + float32(8*x3)
	return x0, a + b, a - b, c + d, c - d, x3
}

// winoInputGeneric is the reference of WinogradInput.
func winoInputGeneric(v []float32, sv int, src []float32, w int, offs []int32) {
	var t [36]float32 // d B, row by row
	for k, o := range offs {
		for r := 0; r < 6; r++ {
			x := (*[6]float32)(src[int(o)+r*w:])
			z := (*[6]float32)(t[6*r:])
			z[0], z[1], z[2], z[3], z[4], z[5] = winoBGeneric(x[0], x[1], x[2], x[3], x[4], x[5])
		}
		vt := v[k:]
		_ = vt[35*sv]
		for j := 0; j < 6; j++ {
			y0, y1, y2, y3, y4, y5 := winoBGeneric(t[j], t[6+j], t[12+j], t[18+j], t[24+j], t[30+j])
			vt[j*sv] = y0
			vt[(6+j)*sv] = y1
			vt[(12+j)*sv] = y2
			vt[(18+j)*sv] = y3
			vt[(24+j)*sv] = y4
			vt[(30+j)*sv] = y5
		}
	}
}

// winoInputTGeneric is the reference of WinogradInputT.
func winoInputTGeneric(dst []float32, w int, offs []int32, v []float32, sv int) {
	var p [winoGroup][36]float32 // B V̄ Bᵀ of each tile of the group
	for k0 := 0; k0 < len(offs); k0 += winoGroup {
		grp := offs[k0:min(k0+winoGroup, len(offs))]
		for l := range grp {
			var t [36]float32 // B V̄, column by column
			vt := v[k0+l:]
			_ = vt[35*sv]
			for j := 0; j < 6; j++ {
				t[j], t[6+j], t[12+j], t[18+j], t[24+j], t[30+j] = winoBTGeneric(vt[j*sv], vt[(6+j)*sv],
					vt[(12+j)*sv], vt[(18+j)*sv], vt[(24+j)*sv], vt[(30+j)*sv])
			}
			for r := 0; r < 6; r++ {
				x, z := (*[6]float32)(t[6*r:]), (*[6]float32)(p[l][6*r:])
				z[0], z[1], z[2], z[3], z[4], z[5] = winoBTGeneric(x[0], x[1], x[2], x[3], x[4], x[5])
			}
		}
		var rows [winoGroup]*[6]float32
		for r := 0; r < 6; r++ {
			for l, o := range grp {
				rows[l] = (*[6]float32)(dst[int(o)+r*w:])
			}
			for s := 0; s < 6; s++ {
				for l := range grp {
					rows[l][s] += p[l][6*r+s]
				}
			}
		}
	}
}

// winoOutputGeneric is the reference of WinogradOutput.
func winoOutputGeneric(dst []float32, w int, offs []int32, m []float32, sm int, bias []float32, acc bool) {
	var y [winoGroup][16]float32 // Aᵀ M A (+ bias) of each tile of the group
	for k0 := 0; k0 < len(offs); k0 += winoGroup {
		grp := offs[k0:min(k0+winoGroup, len(offs))]
		for l := range grp {
			var t [24]float32 // Aᵀ M: 4×6, column by column
			k := k0 + l
			mt := m[k:]
			_ = mt[35*sm]
			for j := 0; j < 6; j++ {
				t[j], t[6+j], t[12+j], t[18+j] = winoAGeneric(mt[j*sm], mt[(6+j)*sm],
					mt[(12+j)*sm], mt[(18+j)*sm], mt[(24+j)*sm], mt[(30+j)*sm])
			}
			for r := 0; r < 4; r++ {
				x, z := (*[6]float32)(t[6*r:]), (*[16]float32)(y[l][:])
				z[4*r], z[4*r+1], z[4*r+2], z[4*r+3] = winoAGeneric(x[0], x[1], x[2], x[3], x[4], x[5])
				if bias != nil {
					for s := 0; s < 4; s++ {
						z[4*r+s] += bias[k]
					}
				}
			}
		}
		var rows [winoGroup]*[4]float32
		for r := 0; r < 4; r++ {
			for l, o := range grp {
				rows[l] = (*[4]float32)(dst[int(o)+r*w:])
			}
			for s := 0; s < 4; s++ {
				if acc {
					for l := range grp {
						rows[l][s] += y[l][4*r+s]
					}
				} else {
					for l := range grp {
						rows[l][s] = y[l][4*r+s]
					}
				}
			}
		}
	}
}

// winoGradGeneric is the reference of WinogradGrad.
func winoGradGeneric(m []float32, sm int, src []float32, w int, offs []int32) {
	var t [24]float32 // ȳ Aᵀ: 4×6, row by row
	for k, o := range offs {
		for r := 0; r < 4; r++ {
			x := (*[4]float32)(src[int(o)+r*w:])
			z := (*[6]float32)(t[6*r:])
			z[0], z[1], z[2], z[3], z[4], z[5] = winoATGeneric(x[0], x[1], x[2], x[3])
		}
		mt := m[k:]
		_ = mt[35*sm]
		for j := 0; j < 6; j++ {
			y0, y1, y2, y3, y4, y5 := winoATGeneric(t[j], t[6+j], t[12+j], t[18+j])
			mt[j*sm] = y0
			mt[(6+j)*sm] = y1
			mt[(12+j)*sm] = y2
			mt[(18+j)*sm] = y3
			mt[(24+j)*sm] = y4
			mt[(30+j)*sm] = y5
		}
	}
}
