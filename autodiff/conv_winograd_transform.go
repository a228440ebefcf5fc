package autodiff

import "github.com/gograd/gograd/asm"

// The tile transforms of Winograd F(4×4, 3×3) (see conv_winograd.go):
// between image planes and the transform domain for the input (Bᵀ d B and
// its transpose), the output (Aᵀ M A and its transpose) and the weights
// (G w Gᵀ and its transpose). The first four run in package asm
// (WinogradInput, WinogradInputT, WinogradOutput, WinogradGrad: 16 tiles
// per step with AVX-512), which finds each tile by the offset of its
// top-left corner in the images: a winoBlock keeps those offsets for a
// block of images, in V's and M's tile order, and the staging planes the
// kernels work on. The weight transforms are
// scalar Go: they run once per op, not per image.

// winoBlock is one goroutine's working set for blocks of images of g:
// V and M, the tile offsets for blocks of nb images, the staging planes
// and the bias of every output tile.
type winoBlock struct {
	g      *winoGeom
	sc     []float32 // the goroutine's scratch, blockSize elements
	nb     int       // images the offsets and bias are for (0: none yet)
	inOffs []int32   // patch origins of the cin·nt input tiles
	outOff []int32   // tile origins of the cout·nt output tiles
	bias   []float32 // bias of every output tile (nil: no bias yet)
	biasOf []float32 // the bias bias was made from
}

// The kernels never touch the images themselves: each block of images
// is first copied into the goroutine's staging planes (zero-padded to
// whole tiles) or computed there and copied out. The staging planes stay
// in the cache from block to block, so the kernels' gathers and scatters
// hit it, and the images are read and written in order (with the tiles
// gathered straight from the images, conv2d and conv2dgradw of the W2
// CNN's second convolution took 10–15% more CPU time).

// inPlane returns the row stride and size of a staged input plane: the
// plane with its zero padding, (4·th+2)×(4·tw+2), and whether that is the
// plane itself (no padding, whole tiles), so that a block is one copy.
func (g *winoGeom) inPlane() (w, size int, same bool) {
	w, size = 4*g.tw+2, (4*g.th+2)*(4*g.tw+2)
	return w, size, g.pad == 0 && w == g.w && size == g.h*g.w
}

// outPlane is inPlane for output planes: 4·th×4·tw.
func (g *winoGeom) outPlane() (w, size int, same bool) {
	w, size = 4*g.tw, 16*g.th*g.tw
	return w, size, w == g.ow && size == g.oh*g.ow
}

// padSize is the scratch of the staging planes of a block: input and
// output planes share it (a block uses one at a time).
func (g *winoGeom) padSize() int {
	_, in, _ := g.inPlane()
	_, out, _ := g.outPlane()
	return g.nb * max(g.cin*in, g.cout*out)
}

// newBlock returns the working set on sc (blockSize elements).
func (g *winoGeom) newBlock(sc []float32) *winoBlock {
	nt := g.nb * g.tiles()
	return &winoBlock{g: g, sc: sc, inOffs: make([]int32, g.cin*nt), outOff: make([]int32, g.cout*nt)}
}

// mats returns V and M of a block of nt tiles with their strides.
func (b *winoBlock) mats(nt int) (v []float32, sv int, m []float32, sm int) {
	return b.g.blockMats(b.sc, nt)
}

// pads returns the staging planes' scratch, after V, M and the tile bias.
func (b *winoBlock) pads() []float32 {
	g := b.g
	nt := g.nb * g.tiles()
	off := 36*(winoStride(g.cin*nt)+winoStride(g.cout*nt)) + g.cout*nt
	return b.sc[off : off+g.padSize()]
}

// images sets the offsets (and drops the tile bias) for blocks of nb
// images, unless they are set already.
func (b *winoBlock) images(nb int) {
	if b.nb == nb {
		return
	}
	g := b.g
	b.nb, b.bias, b.biasOf = nb, nil, nil
	tpi := g.tiles()
	set := func(offs []int32, planes, w, size int) {
		t := 0
		for c := 0; c < planes; c++ {
			for i := 0; i < nb; i++ {
				base := (i*planes + c) * size
				for ty := 0; ty < g.th; ty++ {
					for tx := 0; tx < g.tw; tx++ {
						offs[t] = int32(base + 4*ty*w + 4*tx)
						t++
					}
				}
			}
		}
	}
	w, size, _ := g.inPlane()
	set(b.inOffs[:g.cin*nb*tpi], g.cin, w, size)
	w, size, _ = g.outPlane()
	set(b.outOff[:g.cout*nb*tpi], g.cout, w, size)
}

// tileBias returns the bias [Cout] of every output tile of a block of
// nb images (set by images), or nil for a nil bias.
func (b *winoBlock) tileBias(bias []float32, nb int) []float32 {
	if bias == nil {
		return nil
	}
	if b.bias == nil || &b.biasOf[0] != &bias[0] {
		g := b.g
		nt := g.nb * g.tiles()
		off := 36 * (winoStride(g.cin*nt) + winoStride(g.cout*nt))
		b.bias, b.biasOf = b.sc[off:off+g.cout*nb*g.tiles()], bias
		n := nb * g.tiles()
		for o := 0; o < g.cout; o++ {
			bt := b.bias[o*n : (o+1)*n]
			for i := range bt {
				bt[i] = bias[o]
			}
		}
	}
	return b.bias
}

// input writes V [36][Cin][T] (matrices sv apart, T = nb·tiles) of the
// nb images of src [nb, Cin, H, W]: V[ξ][c][t] = (Bᵀ d B)[ξ] for the 6×6
// patch d of channel c under tile t, zero outside the plane.
func (b *winoBlock) input(v []float32, sv int, src []float32, nb int) {
	g := b.g
	b.images(nb)
	w, size, same := g.inPlane()
	pad := b.pads()[:nb*g.cin*size]
	if same {
		copy(pad, src[:len(pad)])
	} else {
		clear(pad)
		hw := g.h * g.w
		for pl := 0; pl < nb*g.cin; pl++ {
			for y := 0; y < g.h; y++ {
				copy(pad[pl*size+(y+g.pad)*w+g.pad:], src[pl*hw+y*g.w:pl*hw+(y+1)*g.w])
			}
		}
	}
	asm.WinogradInput(v, sv, pad, w, b.inOffs[:g.cin*nb*g.tiles()])
}

// inputT sets the nb images of dst [nb, Cin, H, W] to the transpose of
// input applied to V̄ [36][Cin][T] (matrices sv apart): the sum over
// tiles of B V̄ Bᵀ added into each tile's 6×6 patch, clipped to the
// plane.
func (b *winoBlock) inputT(dst, v []float32, sv, nb int) {
	g := b.g
	b.images(nb)
	w, size, same := g.inPlane()
	pad := b.pads()[:nb*g.cin*size]
	clear(pad)
	asm.WinogradInputT(pad, w, b.inOffs[:g.cin*nb*g.tiles()], v, sv)
	if same {
		copy(dst[:len(pad)], pad)
		return
	}
	hw := g.h * g.w
	for pl := 0; pl < nb*g.cin; pl++ {
		for y := 0; y < g.h; y++ {
			copy(dst[pl*hw+y*g.w:pl*hw+(y+1)*g.w], pad[pl*size+(y+g.pad)*w+g.pad:])
		}
	}
}

// output writes the nb images of dst [nb, Cout, OH, OW] from M
// [36][Cout][T] (matrices sm apart): each tile is Aᵀ M A, clipped to the
// plane, plus bias[o] (nil: none); with acc it is added to dst.
func (b *winoBlock) output(dst, m []float32, sm, nb int, bias []float32, acc bool) {
	g := b.g
	b.images(nb)
	w, size, same := g.outPlane()
	pad := b.pads()[:nb*g.cout*size]
	asm.WinogradOutput(pad, w, b.outOff[:g.cout*nb*g.tiles()], m, sm, b.tileBias(bias, nb), false)
	if same {
		if d := dst[:len(pad)]; acc {
			asm.AddTo(d, d, pad)
		} else {
			copy(d, pad)
		}
		return
	}
	ohw := g.oh * g.ow
	for pl := 0; pl < nb*g.cout; pl++ {
		for y := 0; y < g.oh; y++ {
			d := dst[pl*ohw+y*g.ow : pl*ohw+(y+1)*g.ow]
			p := pad[pl*size+y*w : pl*size+y*w+g.ow]
			if acc {
				asm.AddTo(d, d, p)
			} else {
				copy(d, p)
			}
		}
	}
}

// grad writes M̄ [36][Cout][T] (matrices sm apart) of the nb images of
// gy [nb, Cout, OH, OW]: M̄[ξ][o][t] = (A ȳ Aᵀ)[ξ] for the 4×4 tile ȳ of
// plane o, zero outside the plane.
func (b *winoBlock) grad(m []float32, sm int, gy []float32, nb int) {
	g := b.g
	b.images(nb)
	w, size, same := g.outPlane()
	pad := b.pads()[:nb*g.cout*size]
	if same {
		copy(pad, gy[:len(pad)])
	} else {
		clear(pad)
		ohw := g.oh * g.ow
		for pl := 0; pl < nb*g.cout; pl++ {
			for y := 0; y < g.oh; y++ {
				copy(pad[pl*size+y*w:], gy[pl*ohw+y*g.ow:pl*ohw+(y+1)*g.ow])
			}
		}
	}
	asm.WinogradGrad(m, sm, pad, w, b.outOff[:g.cout*nb*g.tiles()])
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
