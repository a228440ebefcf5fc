package asm

import (
	"fmt"
	"math"
)

// Tile transforms of Winograd F(4×4, 3×3) convolution (Lavin & Gray
// 2016), for n tiles at once. A tile t is located by offs[t], the element
// offset of its top-left corner in an image slice whose rows are w
// elements apart; the transform domain V or M holds the 36 values of tile
// t at v[ξ·sv + t], ξ = 6·i + j for the point (i, j), so that 16 tiles of
// one ξ are one contiguous vector. The AVX-512 kernels take 16 tiles per
// step (the last step masked), gather the image elements of the 16 tiles
// by their offsets (two neighbours at a time, VGATHERDPD), apply the 1-D
// transforms lane-wise (in one direction, through 36 vectors on the
// stack, then in the other) and store or scatter the results; the
// references compute every value with the same operations in the same
// order, so all levels agree bit for bit.
// The other levels run the references.
//
// The 1-D transforms, with x a 6-vector (input and the transposes) or a
// 4-vector (gradient), are
//
//	Bᵀ = [4  0 -5  0 1 0]     Aᵀ = [1 1  1 1  1 0]
//	     [0 -4 -4  1 1 0]          [0 1 -1 2 -2 0]
//	     [0  4 -4 -1 1 0]          [0 1  1 4  4 0]
//	     [0 -2 -1  2 1 0]          [0 1 -1 8 -8 1]
//	     [0  2 -1 -2 1 0]
//	     [0  4  0 -5 0 1]
//
// The kernels that write the image, WinogradInputT and WinogradOutput,
// take even offsets only (they move pairs of neighbouring elements, and
// pairs of two tiles must not overlap) and the offsets of one call must
// be distinct (a repeated offset in the same step of 16 tiles gives
// unspecified results); tiles may overlap otherwise.

// winoPanic panics with the kernel's name and a description.
func winoPanic(kernel, format string, args ...any) {
	panic(fmt.Sprintf("asm: %s: ", kernel) + fmt.Sprintf(format, args...))
}

// winoCheckTiles validates n tiles of size×size elements at offs in an
// image slice of length img with rows w apart, and a transform domain of
// length dom with matrices sd apart.
// With even, every offset must be even.
func winoCheckTiles(kernel string, offs []int32, img, w, size, dom, sd int, even bool) {
	n := len(offs)
	if w < size {
		winoPanic(kernel, "row stride %d below the tile width %d", w, size)
	}
	if sd < n || dom < 35*sd+n {
		winoPanic(kernel, "transform domain of %d elements with matrix stride %d for %d tiles", dom, sd, n)
	}
	lo, hi, odd := int32(math.MaxInt32), int32(-1), int32(0)
	for _, o := range offs {
		lo, hi, odd = min(lo, o), max(hi, o), odd|o
	}
	if even && odd&1 != 0 {
		winoPanic(kernel, "odd tile offset")
	}
	if lo < 0 || int(hi)+(size-1)*w+size > img {
		winoPanic(kernel, "tile offsets %d..%d with row stride %d outside an image of %d elements", lo, hi, w, img)
	}
}

// WinogradInput writes the input transform of n = len(offs) 6×6 patches
// of src: v[ξ·sv + t] = (Bᵀ d B)[ξ] for the patch d whose rows start at
// src[offs[t]], src[offs[t]+w], …, src[offs[t]+5w]. Each 6-vector is
// transformed as
//
//	y1, y2 = (x4 - 4x2) ± (x3 - 4x1)
//	y3, y4 = (x4 - x2) ± 2(x3 - x1)
//	y0 = (4x0 - 5x2) + x4,  y5 = (4x1 - 5x3) + x5
//
// first each row of d, then each column of the result. v must not
// overlap src.
//
// WinogradInput panics if w < 6, sv < n, len(v) < 35·sv + n, or a patch
// leaves src (an offset negative or above len(src) - 5w - 6).
func WinogradInput(v []float32, sv int, src []float32, w int, offs []int32) {
	if len(offs) == 0 {
		return
	}
	winoCheckTiles("winograd input", offs, len(src), w, 6, len(v), sv, false)
	fusedRaceRead(src)
	fusedRaceWrite(v)
	winoInput(v, sv, src, w, offs)
}

// WinogradInputT adds the transpose of WinogradInput for V̄ = v into dst:
// the 6×6 patch of tile t, rows at dst[offs[t]], …, dst[offs[t]+5w],
// gets B V̄_t Bᵀ added, V̄_t[ξ] = v[ξ·sv + t]. Each 6-vector is
// transformed as
//
//	y0 = 4x0,  y5 = x5,  y4 = (x0 + s1) + s2
//	y1 = 4x5 - (4d1 + 2d2),  y2 = (-5x0 + -4s1) - s2,  y3 = (d1 + 2d2) - 5x5
//
// with d1, s1 = x1 ∓ x2 and d2, s2 = x3 ∓ x4, first each column of V̄_t
// (over i), then each row of the result. The additions into dst happen
// 16 tiles at a time: for each group of 16 tiles in order, for each
// patch row, for each patch column, for each tile of the group; so
// overlapping patches add in that order. dst must not overlap v.
//
// WinogradInputT panics under the conditions of WinogradInput, with dst
// for src, and if an offset is odd.
func WinogradInputT(dst []float32, w int, offs []int32, v []float32, sv int) {
	if len(offs) == 0 {
		return
	}
	winoCheckTiles("winograd input transpose", offs, len(dst), w, 6, len(v), sv, true)
	fusedRaceRead(v)
	fusedRaceWrite(dst)
	winoInputT(dst, w, offs, v, sv)
}

// WinogradOutput writes the output transform of n = len(offs) tiles to
// dst: the 4×4 tile whose rows start at dst[offs[t]], dst[offs[t]+w], …,
// dst[offs[t]+3w] is set to Aᵀ M_t A + bias[t], M_t[ξ] = m[ξ·sm + t], or,
// with acc, that is added to it (dst + (Aᵀ M_t A + bias[t])). bias may be
// nil (no bias). Each 6-vector is transformed as
//
//	a, b = x1 ± x2,  c, d = x3 ± x4
//	y0 = (x0 + a) + c,  y1 = b + 2d,  y2 = a + 4c,  y3 = (b + 8d) + x5
//
// first each column of M_t (over i), then each row of the result. dst
// must not overlap m or bias.
//
// WinogradOutput panics if w < 4, sm < n, len(m) < 35·sm + n, bias is
// not nil and len(bias) != n, an offset is odd, or a tile leaves dst (an
// offset negative or above len(dst) - 3w - 4).
func WinogradOutput(dst []float32, w int, offs []int32, m []float32, sm int, bias []float32, acc bool) {
	if bias != nil && len(bias) != len(offs) {
		winoPanic("winograd output", "%d biases for %d tiles", len(bias), len(offs))
	}
	if len(offs) == 0 {
		return
	}
	winoCheckTiles("winograd output", offs, len(dst), w, 4, len(m), sm, true)
	fusedRaceRead(m)
	if bias != nil {
		fusedRaceRead(bias)
	}
	fusedRaceWrite(dst)
	winoOutput(dst, w, offs, m, sm, bias, acc)
}

// WinogradGrad writes the transpose of WinogradOutput for n = len(offs)
// 4×4 tiles of src (the output cotangent): m[ξ·sm + t] = (A ȳ Aᵀ)[ξ] for
// the tile ȳ whose rows start at src[offs[t]], …, src[offs[t]+3w]. Each
// 4-vector is transformed as
//
//	a, b = x0 + x2, x1 + x3,  c = x0 + 4x2,  d = 2x1 + 8x3
//	y0 = x0,  y1, y2 = a ± b,  y3, y4 = c ± d,  y5 = x3
//
// first each row of ȳ, then each column of the result. m must not
// overlap src.
//
// WinogradGrad panics under the conditions of WinogradOutput, with src
// for dst (bias aside).
func WinogradGrad(m []float32, sm int, src []float32, w int, offs []int32) {
	if len(offs) == 0 {
		return
	}
	winoCheckTiles("winograd grad", offs, len(src), w, 4, len(m), sm, false)
	fusedRaceRead(src)
	fusedRaceWrite(m)
	winoGrad(m, sm, src, w, offs)
}
