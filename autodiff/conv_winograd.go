package autodiff

import (
	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/tensor"
)

// Winograd minimal filtering F(4×4, 3×3) (Lavin & Gray, "Fast Algorithms
// for Convolutional Neural Networks", 2016) for 3×3 stride-1 convolutions:
// each 4×4 tile of an output plane is
//
//	Y = Aᵀ [ Σ_c (G w[o,c] Gᵀ) ⊙ (Bᵀ d[c] B) ] A
//
// where d[c] is the 6×6 input patch of channel c under the tile (zero
// outside the image) and A (6×4), B (6×6), G (6×3) are the transforms for
// the interpolation points 0, ±1, ±2, ∞. In the transform domain the sum
// over channels is, for each of the 36 points ξ, one product
//
//	M[ξ] (O × T) = U[ξ] (O × C) · V[ξ] (C × T)
//
// over the T tiles of a block of images: 36 sgemms with k = C instead of
// one with k = 9·C over 16 times as many columns, 4× fewer flops.
//
// The weight gradient is the transpose: with Ȳ the output cotangent of a
// tile, M̄ = A Ȳ Aᵀ, Ū[ξ] = Σ_tiles M̄[ξ]·V[ξ]ᵀ (36 sgemms with k = T) and
// w̄ = Gᵀ Ū G; the input cotangent is V̄[ξ] = U[ξ]ᵀ·M̄[ξ] (36 sgemms with
// k = O) and each tile's B V̄ Bᵀ added into its 6×6 input patch. All three
// use the forward's tiling, so they cost about the same; when conv2d's VJP
// wants both cotangents, one pass over the blocks computes both and
// transforms ḡ once (gradXW, winoShare).
//
// Layouts: U is [36][rows][cols] (ξ = 6·i + j for the point (i, j)); V is
// [36][C][T] and M [36][O][T] for a block, tile t = image·tiles + ty·tw +
// tx. The tile transforms run in package asm, 16 tiles per step with
// AVX-512 (conv_winograd_transform.go).

// winoTiles is the number of tiles a block aims for: enough columns for
// the sgemms to run near peak, few enough for a block's V and M to stay
// in the L2 cache.
const winoTiles = 72

// winoGeom is a 3×3 stride-1 correlation of src [N, Cin, H, W] with zero
// padding pad into dst [N, Cout, OH, OW], cut into 4×4 output tiles.
type winoGeom struct {
	n, cin, cout int
	h, w, pad    int
	oh, ow       int
	th, tw       int // tiles down and across one image
	nb           int // images per block
}

func newWinoGeom(n, cin, cout, h, w, pad int) winoGeom {
	g := winoGeom{n: n, cin: cin, cout: cout, h: h, w: w, pad: pad}
	g.oh, g.ow = h+2*pad-2, w+2*pad-2
	g.th, g.tw = (g.oh+3)/4, (g.ow+3)/4
	g.nb = max(1, min(n, (winoTiles+g.tiles()/2)/g.tiles()))
	return g
}

// tiles returns the tiles of one image.
func (g *winoGeom) tiles() int { return g.th * g.tw }

// blockSize is the scratch of one goroutine: V and M of a block, the
// bias of its output tiles and its staging planes (see winoBlock).
func (g *winoGeom) blockSize() int {
	nt := g.nb * g.tiles()
	return 36*(winoStride(g.cin*nt)+winoStride(g.cout*nt)) + g.cout*nt + g.padSize()
}

// winoStride returns the distance in elements between the 36 matrices of
// n elements each in V or M: n rounded up to an odd number of 64-byte
// lines, so that the 36 elements of one tile, read or written together by
// a transform, fall in distinct L1 cache sets instead of aliasing (n is
// often a multiple of 4 KB).
func winoStride(n int) int {
	l := (n + 15) / 16
	if l%2 == 0 {
		l++
	}
	return 16 * l
}

// blockMats splits a goroutine's scratch for a block of nt tiles into V
// and M with their strides.
func (g *winoGeom) blockMats(sc []float32, nt int) (v []float32, sv int, m []float32, sm int) {
	sv, sm = winoStride(g.cin*nt), winoStride(g.cout*nt)
	return sc[:36*sv], sv, sc[36*sv : 36*(sv+sm)], sm
}

// scratch returns the goroutines sharing the images of g and their
// scratch, blockSize elements each, from the tape's arena.
func (g *winoGeom) scratch(t *Tape) (p int, s []float32) {
	p = parts(g.n, g.n*g.cin*g.cout*g.oh*g.ow)
	return p, t.alloc(p, g.blockSize()).Data()
}

// winoPair is one term of winoGeom.conv: an input [N, Cin, H, W] and
// transformed weights U [36][Cout][Cin]. A pair with a nil member is
// skipped.
type winoPair struct{ src, u []float32 }

// conv sets dst [N, Cout, OH, OW] to Σ_pairs conv(src, w) plus bias
// [Cout] (nil: none), or adds all that to dst when acc is set, splitting
// the images over p goroutines with scratch of p·blockSize elements. At
// least one pair must be complete.
func (g *winoGeom) conv(dst, bias []float32, acc bool, scratch []float32, p int, pairs ...winoPair) {
	chw, ohw, tpi := g.cin*g.h*g.w, g.cout*g.oh*g.ow, g.tiles()
	size := g.blockSize()
	parallelFor(g.n, p, func(lo, hi, part int) {
		blk := g.newBlock(scratch[part*size : (part+1)*size])
		for n0 := lo; n0 < hi; n0 += g.nb {
			nb := min(g.nb, hi-n0)
			nt := nb * tpi
			v, sv, m, sm := blk.mats(nt)
			beta := float32(0)
			for _, pr := range pairs {
				if pr.src == nil || pr.u == nil {
					continue
				}
				blk.input(v, sv, pr.src[n0*chw:(n0+nb)*chw], nb)
				for k := 0; k < 36; k++ {
					tensor.Sgemm(false, false, g.cout, nt, g.cin, 1,
						pr.u[k*g.cout*g.cin:(k+1)*g.cout*g.cin], g.cin,
						v[k*sv:k*sv+g.cin*nt], nt,
						beta, m[k*sm:k*sm+g.cout*nt], nt)
				}
				beta = 1
			}
			blk.output(dst[n0*ohw:(n0+nb)*ohw], m, sm, nb, bias, acc)
		}
	})
}

// gradX sets dx [N, Cin, H, W] to Σ_pairs the input cotangent of
// conv(·, w) at src = gy [N, Cout, OH, OW], u = U(w) [36][Cout][Cin]: the
// transpose of conv, V̄[ξ] = U[ξ]ᵀ·M̄[ξ] with M̄ = A ȳ Aᵀ, then each
// tile's B V̄ Bᵀ added into its 6×6 patch. It splits the images over p
// goroutines with scratch of p·blockSize elements. At least one pair must
// be complete.
func (g *winoGeom) gradX(dx, scratch []float32, p int, pairs ...winoPair) {
	chw, ohw, tpi := g.cin*g.h*g.w, g.cout*g.oh*g.ow, g.tiles()
	size := g.blockSize()
	parallelFor(g.n, p, func(lo, hi, part int) {
		blk := g.newBlock(scratch[part*size : (part+1)*size])
		for n0 := lo; n0 < hi; n0 += g.nb {
			nb := min(g.nb, hi-n0)
			nt := nb * tpi
			v, sv, m, sm := blk.mats(nt)
			beta := float32(0)
			for _, pr := range pairs {
				if pr.src == nil || pr.u == nil {
					continue
				}
				blk.grad(m, sm, pr.src[n0*ohw:(n0+nb)*ohw], nb)
				for k := 0; k < 36; k++ {
					tensor.Sgemm(true, false, g.cin, nt, g.cout, 1,
						pr.u[k*g.cout*g.cin:(k+1)*g.cout*g.cin], g.cin,
						m[k*sm:k*sm+g.cout*nt], nt,
						beta, v[k*sv:k*sv+g.cin*nt], nt)
				}
				beta = 1
			}
			blk.inputT(dx[n0*chw:(n0+nb)*chw], v, sv, nb)
		}
	})
}

// winoShare carries the weight cotangent from conv2d's input-cotangent op
// to its weight-cotangent op when conv2d's VJP wants both (see
// conv2dOp.VJP): both transform the same ḡ, so the first does the work of
// the second too. The ops compare tensors by identity, so a share only
// serves the very x and ḡ it was made for.
type winoShare struct {
	x, gy *tensor.Tensor // conv2d's input and output cotangent
	dw    *tensor.Tensor // conv2dgradw(x, gy), nil until computed
}

// gradXW is gradX for one pair (gy, u) that also sets du [36][Cout][Cin]
// to gradU's result for (x, gy), transforming gy once per block: after
// the input cotangent of a block is out of V, V takes x's transform.
// sums is (p-1)·len(du) elements of scratch, as for gradU.
func (g *winoGeom) gradXW(dx, du, scratch, sums []float32, p int, x, gy, u []float32) {
	chw, ohw, tpi := g.cin*g.h*g.w, g.cout*g.oh*g.ow, g.tiles()
	size, usize := g.blockSize(), len(du)
	parallelFor(g.n, p, func(lo, hi, part int) {
		blk := g.newBlock(scratch[part*size : (part+1)*size])
		acc := du
		if part < p-1 {
			acc = sums[part*usize : (part+1)*usize]
		}
		beta := float32(0)
		for n0 := lo; n0 < hi; n0 += g.nb {
			nb := min(g.nb, hi-n0)
			nt := nb * tpi
			v, sv, m, sm := blk.mats(nt)
			blk.grad(m, sm, gy[n0*ohw:(n0+nb)*ohw], nb)
			for k := 0; k < 36; k++ {
				tensor.Sgemm(true, false, g.cin, nt, g.cout, 1,
					u[k*g.cout*g.cin:(k+1)*g.cout*g.cin], g.cin,
					m[k*sm:k*sm+g.cout*nt], nt,
					0, v[k*sv:k*sv+g.cin*nt], nt)
			}
			blk.inputT(dx[n0*chw:(n0+nb)*chw], v, sv, nb)
			blk.input(v, sv, x[n0*chw:(n0+nb)*chw], nb)
			for k := 0; k < 36; k++ {
				tensor.Sgemm(false, true, g.cout, g.cin, nt, 1,
					m[k*sm:k*sm+g.cout*nt], nt,
					v[k*sv:k*sv+g.cin*nt], nt,
					beta, acc[k*g.cout*g.cin:(k+1)*g.cout*g.cin], g.cin)
			}
			beta = 1
		}
	})
	for part := 0; part < p-1; part++ {
		asm.Axpy(du, 1, sums[part*usize:(part+1)*usize])
	}
}

// winoGradPair is one term of winoGeom.gradU: an input x [N, Cin, H, W]
// and an output cotangent gy [N, Cout, OH, OW]. A pair with a nil member
// is skipped.
type winoGradPair struct{ x, gy []float32 }

// gradU sets du [36][Cout][Cin] to Σ_pairs Σ_tiles M̄[ξ]·V[ξ]ᵀ, the
// transform-domain weight cotangent (winoWeightsT maps it to [Cout, Cin,
// 3, 3]), splitting the images over p goroutines with scratch of
// p·blockSize elements and sums of (p-1)·len(du) elements, where
// goroutines but the last accumulate. At least one pair must be complete.
func (g *winoGeom) gradU(du, scratch, sums []float32, p int, pairs ...winoGradPair) {
	chw, ohw, tpi := g.cin*g.h*g.w, g.cout*g.oh*g.ow, g.tiles()
	size, usize := g.blockSize(), len(du)
	parallelFor(g.n, p, func(lo, hi, part int) {
		blk := g.newBlock(scratch[part*size : (part+1)*size])
		acc := du
		if part < p-1 {
			acc = sums[part*usize : (part+1)*usize]
		}
		beta := float32(0)
		for n0 := lo; n0 < hi; n0 += g.nb {
			nb := min(g.nb, hi-n0)
			nt := nb * tpi
			v, sv, m, sm := blk.mats(nt)
			for _, pr := range pairs {
				if pr.x == nil || pr.gy == nil {
					continue
				}
				blk.input(v, sv, pr.x[n0*chw:(n0+nb)*chw], nb)
				blk.grad(m, sm, pr.gy[n0*ohw:(n0+nb)*ohw], nb)
				for k := 0; k < 36; k++ {
					tensor.Sgemm(false, true, g.cout, g.cin, nt, 1,
						m[k*sm:k*sm+g.cout*nt], nt,
						v[k*sv:k*sv+g.cin*nt], nt,
						beta, acc[k*g.cout*g.cin:(k+1)*g.cout*g.cin], g.cin)
				}
				beta = 1
			}
		}
	})
	for part := 0; part < p-1; part++ {
		asm.Axpy(du, 1, sums[part*usize:(part+1)*usize])
	}
}
