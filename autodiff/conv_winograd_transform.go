package autodiff

// The tile transforms of Winograd F(4×4, 3×3) (see conv_winograd.go):
// between image planes and the transform domain for the input (Bᵀ d B and
// its transpose), the output (Aᵀ M A and its transpose) and the weights
// (G w Gᵀ and its transpose). Each works tile by tile in scalar Go; V and
// M hold the 36 values of a tile a matrix stride apart.

// inputTransform writes V [36][Cin][T] (matrices sv apart) of the nb
// images of src [nb, Cin, H, W], T = nb·tiles: V[ξ][c][t] = (Bᵀ d B)[ξ]
// for the 6×6 patch d of channel c under tile t.
func (g *winoGeom) inputTransform(v []float32, sv int, src []float32, nb int) {
	hw, tpi := g.h*g.w, g.tiles()
	var d [36]float32
	for i := 0; i < nb; i++ {
		for c := 0; c < g.cin; c++ {
			plane := src[(i*g.cin+c)*hw : (i*g.cin+c+1)*hw]
			t := c*nb*tpi + i*tpi
			for ty := 0; ty < g.th; ty++ {
				y0 := 4*ty - g.pad
				for tx := 0; tx < g.tw; tx++ {
					x0 := 4*tx - g.pad
					if y0 >= 0 && x0 >= 0 && y0+6 <= g.h && x0+6 <= g.w {
						winoInput(v[t:], sv, plane[y0*g.w+x0:], g.w)
					} else {
						g.loadPatch(&d, plane, y0, x0)
						winoInput(v[t:], sv, d[:], 6)
					}
					t++
				}
			}
		}
	}
}

// loadPatch copies the 6×6 patch of plane [H, W] at (y0, x0) into d,
// zero outside the plane.
func (g *winoGeom) loadPatch(d *[36]float32, plane []float32, y0, x0 int) {
	*d = [36]float32{}
	lo, hi := max(0, -x0), min(6, g.w-x0)
	for r := max(0, -y0); r < min(6, g.h-y0); r++ {
		row := plane[(y0+r)*g.w : (y0+r+1)*g.w]
		for s := lo; s < hi; s++ {
			d[6*r+s] = row[x0+s]
		}
	}
}

// inputTransformT sets the nb images of dst [nb, Cin, H, W] to the
// transpose of inputTransform applied to V̄ [36][Cin][T] (matrices sv
// apart): the sum over tiles of B V̄ Bᵀ added into each tile's 6×6 patch,
// clipped to the plane.
func (g *winoGeom) inputTransformT(dst, v []float32, sv, nb int) {
	hw, tpi := g.h*g.w, g.tiles()
	clear(dst[:nb*g.cin*hw])
	var d [36]float32
	for i := 0; i < nb; i++ {
		for c := 0; c < g.cin; c++ {
			plane := dst[(i*g.cin+c)*hw : (i*g.cin+c+1)*hw]
			t := c*nb*tpi + i*tpi
			for ty := 0; ty < g.th; ty++ {
				y0 := 4*ty - g.pad
				for tx := 0; tx < g.tw; tx++ {
					x0 := 4*tx - g.pad
					if y0 >= 0 && x0 >= 0 && y0+6 <= g.h && x0+6 <= g.w {
						winoInputT(plane[y0*g.w+x0:], g.w, v[t:], sv)
					} else {
						d = [36]float32{}
						winoInputT(d[:], 6, v[t:], sv)
						lo, hi := max(0, -x0), min(6, g.w-x0)
						for r := max(0, -y0); r < min(6, g.h-y0); r++ {
							row := plane[(y0+r)*g.w : (y0+r+1)*g.w]
							for s := lo; s < hi; s++ {
								row[x0+s] += d[6*r+s]
							}
						}
					}
					t++
				}
			}
		}
	}
}

// winoInputT adds B V̄ Bᵀ, for the 6×6 V̄ held in vt[ξ·sv], ξ = 0, …, 35,
// to the patch whose rows start at p[0], p[w], …, p[5w]: the transpose of
// winoInput.
func winoInputT(p []float32, w int, vt []float32, sv int) {
	var t [36]float32 // B V̄
	_ = vt[35*sv]
	for j := 0; j < 6; j++ {
		t[j], t[6+j], t[12+j], t[18+j], t[24+j], t[30+j] = winoBT(vt[j*sv], vt[(6+j)*sv], vt[(12+j)*sv], vt[(18+j)*sv], vt[(24+j)*sv], vt[(30+j)*sv])
	}
	for r := 0; r < 6; r++ {
		x := (*[6]float32)(t[6*r : 6*r+6])
		z := (*[6]float32)(p[r*w : r*w+6])
		y0, y1, y2, y3, y4, y5 := winoBT(x[0], x[1], x[2], x[3], x[4], x[5])
		z[0] += y0
		z[1] += y1
		z[2] += y2
		z[3] += y3
		z[4] += y4
		z[5] += y5
	}
}

// winoBT returns B x for a 6-vector x: the transpose of winoB.
func winoBT(x0, x1, x2, x3, x4, x5 float32) (y0, y1, y2, y3, y4, y5 float32) {
	d1, d2 := x1-x2, x3-x4
	s1, s2 := x1+x2, x3+x4
	return 4 * x0, -4*d1 - 2*d2 + 4*x5, -5*x0 - 4*s1 - s2, d1 + 2*d2 - 5*x5, x0 + s1 + s2, x5
}

// winoInput writes Bᵀ d B to vt[ξ·sv], ξ = 0, …, 35, for the 6×6 patch d
// whose rows start at p[0], p[w], …, p[5w], with
//
//	Bᵀ = [4  0 -5  0 1 0]
//	     [0 -4 -4  1 1 0]
//	     [0  4 -4 -1 1 0]
//	     [0 -2 -1  2 1 0]
//	     [0  2 -1 -2 1 0]
//	     [0  4  0 -5 0 1]
func winoInput(vt []float32, sv int, p []float32, w int) {
	var t [36]float32 // d B
	for r := 0; r < 6; r++ {
		x := (*[6]float32)(p[r*w : r*w+6])
		z := (*[6]float32)(t[6*r : 6*r+6])
		z[0], z[1], z[2], z[3], z[4], z[5] = winoB(x[0], x[1], x[2], x[3], x[4], x[5])
	}
	_ = vt[35*sv]
	for j := 0; j < 6; j++ {
		y0, y1, y2, y3, y4, y5 := winoB(t[j], t[6+j], t[12+j], t[18+j], t[24+j], t[30+j])
		vt[j*sv] = y0
		vt[(6+j)*sv] = y1
		vt[(12+j)*sv] = y2
		vt[(18+j)*sv] = y3
		vt[(24+j)*sv] = y4
		vt[(30+j)*sv] = y5
	}
}

// outputTransform writes the nb images of dst [nb, Cout, OH, OW] from M
// [36][Cout][T] (matrices sm apart): each tile is Aᵀ M A, clipped to the
// plane, plus bias[o] (nil: none); with acc it is added to dst.
func (g *winoGeom) outputTransform(dst, m []float32, sm, nb int, bias []float32, acc bool) {
	ohw, tpi, ow := g.oh*g.ow, g.tiles(), g.ow
	for i := 0; i < nb; i++ {
		for o := 0; o < g.cout; o++ {
			plane := dst[(i*g.cout+o)*ohw : (i*g.cout+o+1)*ohw]
			var bv float32
			if bias != nil {
				bv = bias[o]
			}
			t := o*nb*tpi + i*tpi
			for ty := 0; ty < g.th; ty++ {
				rows := min(4, g.oh-4*ty)
				for tx := 0; tx < g.tw; tx++ {
					var y [16]float32
					winoOutput(&y, m[t:], sm)
					t++
					cols := min(4, ow-4*tx)
					off := 4*ty*ow + 4*tx
					if rows == 4 && cols == 4 && !acc {
						for r := 0; r < 4; r++ {
							dr := (*[4]float32)(plane[off+r*ow : off+r*ow+4])
							dr[0], dr[1], dr[2], dr[3] = y[4*r]+bv, y[4*r+1]+bv, y[4*r+2]+bv, y[4*r+3]+bv
						}
						continue
					}
					for r := 0; r < rows; r++ {
						dr := plane[off+r*ow : off+r*ow+cols]
						yr := y[4*r : 4*r+cols]
						if acc {
							for s := range dr {
								dr[s] += yr[s] + bv
							}
						} else {
							for s := range dr {
								dr[s] = yr[s] + bv
							}
						}
					}
				}
			}
		}
	}
}

// gradTransform writes M̄ [36][Cout][T] (matrices sm apart) of the nb
// images of gy [nb, Cout, OH, OW]: M̄[ξ][o][t] = (A ȳ Aᵀ)[ξ] for the 4×4
// tile ȳ of plane o, zero outside the plane.
func (g *winoGeom) gradTransform(m []float32, sm int, gy []float32, nb int) {
	ohw, tpi, ow := g.oh*g.ow, g.tiles(), g.ow
	for i := 0; i < nb; i++ {
		for o := 0; o < g.cout; o++ {
			plane := gy[(i*g.cout+o)*ohw : (i*g.cout+o+1)*ohw]
			t := o*nb*tpi + i*tpi
			for ty := 0; ty < g.th; ty++ {
				rows := min(4, g.oh-4*ty)
				for tx := 0; tx < g.tw; tx++ {
					cols := min(4, ow-4*tx)
					off := 4*ty*ow + 4*tx
					var z [24]float32 // ȳ Aᵀ: 4×6
					for r := 0; r < rows; r++ {
						var x [4]float32
						if cols == 4 {
							x = *(*[4]float32)(plane[off+r*ow : off+r*ow+4])
						} else {
							copy(x[:], plane[off+r*ow:off+r*ow+cols])
						}
						zr := (*[6]float32)(z[6*r : 6*r+6])
						zr[0], zr[1], zr[2], zr[3], zr[4], zr[5] = winoAT(x[0], x[1], x[2], x[3])
					}
					mt := m[t:]
					t++
					_ = mt[35*sm]
					for j := 0; j < 6; j++ {
						m0, m1, m2, m3, m4, m5 := winoAT(z[j], z[6+j], z[12+j], z[18+j])
						mt[j*sm] = m0
						mt[(6+j)*sm] = m1
						mt[(12+j)*sm] = m2
						mt[(18+j)*sm] = m3
						mt[(24+j)*sm] = m4
						mt[(30+j)*sm] = m5
					}
				}
			}
		}
	}
}

// winoB returns Bᵀ x for a 6-vector x.
func winoB(x0, x1, x2, x3, x4, x5 float32) (y0, y1, y2, y3, y4, y5 float32) {
	t1, t2 := x4-4*x2, x3-4*x1
	t3, t4 := x4-x2, 2*(x3-x1)
	return 4*x0 - 5*x2 + x4, t1 + t2, t1 - t2, t3 + t4, t3 - t4, 4*x1 - 5*x3 + x5
}

// winoOutput sets y (4×4) to Aᵀ M A for the 6×6 M held in mt[ξ·sm],
// ξ = 0, …, 35, with
//
//	Aᵀ = [1 1  1 1  1 0]
//	     [0 1 -1 2 -2 0]
//	     [0 1  1 4  4 0]
//	     [0 1 -1 8 -8 1]
func winoOutput(y *[16]float32, mt []float32, sm int) {
	var t [24]float32 // Aᵀ M: 4×6
	_ = mt[35*sm]
	for j := 0; j < 6; j++ {
		t[j], t[6+j], t[12+j], t[18+j] = winoA(mt[j*sm], mt[(6+j)*sm], mt[(12+j)*sm], mt[(18+j)*sm], mt[(24+j)*sm], mt[(30+j)*sm])
	}
	for r := 0; r < 4; r++ {
		x := (*[6]float32)(t[6*r : 6*r+6])
		y[4*r], y[4*r+1], y[4*r+2], y[4*r+3] = winoA(x[0], x[1], x[2], x[3], x[4], x[5])
	}
}

// winoA returns Aᵀ m for a 6-vector m.
func winoA(m0, m1, m2, m3, m4, m5 float32) (y0, y1, y2, y3 float32) {
	a, b := m1+m2, m1-m2
	c, d := m3+m4, m3-m4
	return m0 + a + c, b + 2*d, a + 4*c, b + 8*d + m5
}

// winoAT returns A y for a 4-vector y.
func winoAT(y0, y1, y2, y3 float32) (m0, m1, m2, m3, m4, m5 float32) {
	a, b := y0+y2, y1+y3
	c, d := y0+4*y2, 2*y1+8*y3
	return y0, a + b, a - b, c + d, c - d, y3
}

// winoWeights sets u [36][O][C] to G w[o,c] Gᵀ for w [O, C, 3, 3], with
//
//	G = [ 1/4     0    0 ]
//	    [-1/6  -1/6 -1/6 ]
//	    [-1/6   1/6 -1/6 ]
//	    [1/24  1/12  1/6 ]
//	    [1/24 -1/12  1/6 ]
//	    [   0     0    1 ]
func winoWeights(u, w []float32, oc, c int) {
	var t [18]float32 // G k: 6×3
	for o := 0; o < oc; o++ {
		for ci := 0; ci < c; ci++ {
			k := (*[9]float32)(w[(o*c+ci)*9 : (o*c+ci+1)*9])
			for j := 0; j < 3; j++ {
				t[j], t[3+j], t[6+j], t[9+j], t[12+j], t[15+j] = winoG(k[j], k[3+j], k[6+j])
			}
			ut := u[o*c+ci:]
			stride := oc * c
			for r := 0; r < 6; r++ {
				v0, v1, v2, v3, v4, v5 := winoG(t[3*r], t[3*r+1], t[3*r+2])
				ut[(6*r)*stride] = v0
				ut[(6*r+1)*stride] = v1
				ut[(6*r+2)*stride] = v2
				ut[(6*r+3)*stride] = v3
				ut[(6*r+4)*stride] = v4
				ut[(6*r+5)*stride] = v5
			}
		}
	}
}

// winoG returns G k for a 3-vector k.
func winoG(k0, k1, k2 float32) (u0, u1, u2, u3, u4, u5 float32) {
	a := -(k0 + k2) / 6
	b := k1 / 6
	c := k0/24 + k2/6
	d := k1 / 12
	return k0 / 4, a - b, a + b, c + d, c - d, k2
}

// winoWeightsT sets dw [O, C, 3, 3] to Gᵀ du[·][o][c] G for du [36][O][C]:
// the transpose of winoWeights.
func winoWeightsT(dw, du []float32, oc, c int) {
	stride := oc * c
	var t [18]float32 // Gᵀ over rows: 3×6
	for at := 0; at < stride; at++ {
		ut := du[at:]
		for j := 0; j < 6; j++ {
			t[j], t[6+j], t[12+j] = winoGT(ut[j*stride], ut[(6+j)*stride], ut[(12+j)*stride],
				ut[(18+j)*stride], ut[(24+j)*stride], ut[(30+j)*stride])
		}
		k := (*[9]float32)(dw[at*9 : at*9+9])
		for r := 0; r < 3; r++ {
			x := (*[6]float32)(t[6*r : 6*r+6])
			k[3*r], k[3*r+1], k[3*r+2] = winoGT(x[0], x[1], x[2], x[3], x[4], x[5])
		}
	}
}

// winoGT returns Gᵀ u for a 6-vector u.
func winoGT(u0, u1, u2, u3, u4, u5 float32) (k0, k1, k2 float32) {
	s, d := u1+u2, u2-u1
	p, q := u3+u4, u3-u4
	return u0/4 - s/6 + p/24, d/6 + q/12, -s/6 + p/6 + u5
}
