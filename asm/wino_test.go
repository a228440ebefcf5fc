package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// winoBT and winoAT are Bᵀ and Aᵀ of F(4×4, 3×3), written out as in
// wino.go, for the float64 checks of the references.
var (
	winoBT = [6][6]float64{
		{4, 0, -5, 0, 1, 0},
		{0, -4, -4, 1, 1, 0},
		{0, 4, -4, -1, 1, 0},
		{0, -2, -1, 2, 1, 0},
		{0, 2, -1, -2, 1, 0},
		{0, 4, 0, -5, 0, 1},
	}
	winoAT = [4][6]float64{
		{1, 1, 1, 1, 1, 0},
		{0, 1, -1, 2, -2, 0},
		{0, 1, 1, 4, 4, 0},
		{0, 1, -1, 8, -8, 1},
	}
)

// winoTestCase is one call: n tiles in an image of rows w apart, the
// transform domain's matrix stride sd, and the offsets of the slices in
// their guarded buffers.
type winoTestCase struct {
	n, w, sd int
	off      int
}

func winoTestCases(short bool) []winoTestCase {
	var cs []winoTestCase
	for n := 0; n <= 64; n++ {
		for off := 0; off < 8; off++ {
			cs = append(cs, winoTestCase{n: n, w: 6 + (n+off)%7, sd: n + off%3, off: off})
		}
	}
	for _, n := range []int{257, 1000} {
		for off := 0; off < 8; off += 3 {
			cs = append(cs, winoTestCase{n: n, w: 26 + off, sd: n + 16*off + 1, off: off})
		}
	}
	if !short {
		cs = append(cs, winoTestCase{n: 4099, w: 61, sd: 4099 + 5, off: 5})
	}
	return cs
}

// winoOffsets returns n distinct tile offsets, in random order, for
// size×size tiles in an image of rows w apart, and the image's length,
// and n distinct even offsets in the same image. Neighbouring offsets
// often give overlapping tiles.
func winoOffsets(r *rand.Rand, n, w, size int) (offs, even []int32, img int) {
	img = w*(size+n/3+1) + size
	span := img - (size-1)*w - size + 1
	perm, half := r.Perm(span), r.Perm((span+1)/2)
	offs, even = make([]int32, n), make([]int32, n)
	for i := range offs {
		offs[i], even[i] = int32(perm[i]), int32(2*half[i])
	}
	return offs, even, img
}

// winoSameAll fails t unless got and want agree bit for bit (any NaN
// matching any NaN).
func winoSameAll(t *testing.T, name string, c winoTestCase, got, want []float32) {
	t.Helper()
	for i := range want {
		if !vecSame(got[i], want[i]) {
			t.Fatalf("%s n=%d w=%d off=%d [%d]: got %v, want %v", name, c.n, c.w, c.off, i, got[i], want[i])
		}
	}
}

// TestWinogradLevels runs the four transforms at every level against
// their references on random offsets (overlapping tiles included), with
// NaN guard bands, special values in the inputs and read-only checks. The
// kernels round the same operations in the same order as the references,
// so they must agree bit for bit.
func TestWinogradLevels(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(21, 22))
		for _, c := range winoTestCases(testing.Short()) {
			dom := 35*c.sd + c.n
			for _, size := range []int{6, 4} {
				offs, even, img := winoOffsets(r, c.n, c.w, size)
				offs0 := append([]int32(nil), offs...)
				even0 := append([]int32(nil), even...)
				ib := fusedNewBuf(img, c.off).fill(fusedUniform(r, -2, 2))
				vecSpecial(ib.s())
				i0 := ib.copy()
				db := fusedNewBuf(dom, (c.off+3)%8).fill(fusedUniform(r, -2, 2))
				vecSpecial(db.s())
				d0 := db.copy()
				if size == 6 {
					// Input: image -> domain.
					want := db.copy()
					winoInputGeneric(want, c.sd, i0, c.w, offs0)
					WinogradInput(db.s(), c.sd, ib.s(), c.w, offs)
					db.checkGuards(t, "input v")
					ib.checkUnchanged(t, "input src", i0)
					winoSameAll(t, "input", c, db.s(), want)
					copy(db.s(), d0)

					// Input transpose: domain -> image (adds).
					want = ib.copy()
					winoInputTGeneric(want, c.w, even0, d0, c.sd)
					WinogradInputT(ib.s(), c.w, even, db.s(), c.sd)
					ib.checkGuards(t, "input transpose dst")
					db.checkUnchanged(t, "input transpose v", d0)
					winoSameAll(t, "input transpose", c, ib.s(), want)
				} else {
					// Gradient: image -> domain.
					want := db.copy()
					winoGradGeneric(want, c.sd, i0, c.w, offs0)
					WinogradGrad(db.s(), c.sd, ib.s(), c.w, offs)
					db.checkGuards(t, "grad m")
					ib.checkUnchanged(t, "grad src", i0)
					winoSameAll(t, "grad", c, db.s(), want)
					copy(db.s(), d0)

					// Output: domain -> image, with and without bias and acc.
					bb := fusedNewBuf(c.n, (c.off+5)%8).fill(fusedUniform(r, -1, 1))
					b0 := bb.copy()
					for _, withBias := range []bool{false, true} {
						for _, acc := range []bool{false, true} {
							var bias, bias0 []float32
							if withBias {
								bias, bias0 = bb.s(), b0
							}
							copy(ib.s(), i0)
							want = ib.copy()
							winoOutputGeneric(want, c.w, even0, d0, c.sd, bias0, acc)
							WinogradOutput(ib.s(), c.w, even, db.s(), c.sd, bias, acc)
							name := fmt.Sprintf("output bias %v acc %v", withBias, acc)
							ib.checkGuards(t, name+" dst")
							db.checkUnchanged(t, name+" m", d0)
							bb.checkUnchanged(t, name+" bias", b0)
							winoSameAll(t, name, c, ib.s(), want)
						}
					}
				}
				for i := range offs {
					if offs[i] != offs0[i] || even[i] != even0[i] {
						t.Fatalf("n=%d: offs changed", c.n)
					}
				}
			}
		}
	})
}

// winoMat returns the float64 product a·x·bᵀ of an r×k, a k×k and an
// s×k matrix, all row-major.
func winoMat(a []float64, x []float64, b []float64, r, k, s int) []float64 {
	y := make([]float64, r*s)
	for i := 0; i < r; i++ {
		for j := 0; j < s; j++ {
			for p := 0; p < k; p++ {
				for q := 0; q < k; q++ {
					y[i*s+j] += a[i*k+p] * x[p*k+q] * b[j*k+q]
				}
			}
		}
	}
	return y
}

// TestWinogradTransforms checks that the four kernels compute the
// documented products with Bᵀ and Aᵀ, in float64 from the matrices above,
// on one tile each, within 1e-6 of the largest term.
func TestWinogradTransforms(t *testing.T) {
	var bt, b, at, a []float64 // Bᵀ, B, Aᵀ (4×6) and A (6×4) row-major
	for i := 0; i < 6; i++ {
		for j := 0; j < 6; j++ {
			bt = append(bt, winoBT[i][j])
			b = append(b, winoBT[j][i])
		}
	}
	for i := 0; i < 4; i++ {
		for j := 0; j < 6; j++ {
			at = append(at, winoAT[i][j])
		}
	}
	for i := 0; i < 6; i++ {
		for j := 0; j < 4; j++ {
			a = append(a, winoAT[j][i])
		}
	}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(3, 4))
		x := make([]float32, 36)
		xd := make([]float64, 36)
		for i := range x {
			x[i] = float32(r.NormFloat64())
			xd[i] = float64(x[i])
		}
		check := func(name string, got []float32, want []float64) {
			var scale float64
			for _, v := range want {
				scale = max(scale, math.Abs(v))
			}
			for i, v := range want {
				if math.Abs(float64(got[i])-v) > 1e-6*20*scale {
					t.Errorf("%s [%d]: got %v, want %v", name, i, got[i], v)
				}
			}
		}
		offs := []int32{0}
		// V = Bᵀ d B: rows of Bᵀ on both sides.
		v := make([]float32, 36)
		WinogradInput(v, 1, x, 6, offs)
		check("input", v, winoMat(bt, xd, bt, 6, 6, 6))
		// dst += B V̄ Bᵀ.
		d := make([]float32, 36)
		WinogradInputT(d, 6, offs, x, 1)
		check("input transpose", d, winoMat(b, xd, b, 6, 6, 6))
		// Y = Aᵀ M A (a 4×4 tile in rows of 4).
		y := make([]float32, 16)
		WinogradOutput(y, 4, offs, x, 1, nil, false)
		check("output", y, winoMat(at, xd, at, 4, 6, 4))
		// M̄ = A ȳ Aᵀ for the 4×4 ȳ in the first 16 elements of x.
		m := make([]float32, 36)
		WinogradGrad(m, 1, x[:16], 4, offs)
		check("grad", m, winoMat(a, xd[:16], a, 6, 4, 6))
	})
}

func TestWinogradPanics(t *testing.T) {
	v := make([]float32, 36*4)
	img := make([]float32, 100)
	offs := []int32{0, 4}
	fusedExpectPanic(t, "asm: winograd input: row stride", func() { WinogradInput(v, 4, img, 5, offs) })
	fusedExpectPanic(t, "asm: winograd input: transform domain", func() { WinogradInput(v, 1, img, 10, offs) })
	fusedExpectPanic(t, "asm: winograd input: transform domain", func() { WinogradInput(v[:35*4+1], 4, img, 10, offs) })
	fusedExpectPanic(t, "asm: winograd input: tile offsets", func() { WinogradInput(v, 4, img, 10, []int32{0, 45}) })
	fusedExpectPanic(t, "asm: winograd input: tile offsets", func() { WinogradInput(v, 4, img, 10, []int32{-1}) })
	fusedExpectPanic(t, "asm: winograd input transpose: tile offsets", func() { WinogradInputT(img, 10, []int32{46}, v, 4) })
	fusedExpectPanic(t, "asm: winograd output: 1 biases for 2 tiles", func() { WinogradOutput(img, 10, offs, v, 4, []float32{1}, false) })
	fusedExpectPanic(t, "asm: winograd output: tile offsets", func() { WinogradOutput(img, 10, []int32{68}, v, 4, nil, false) })
	fusedExpectPanic(t, "asm: winograd grad: row stride", func() { WinogradGrad(v, 4, img, 3, offs) })
	fusedExpectPanic(t, "asm: winograd input transpose: odd tile offset", func() { WinogradInputT(img, 10, []int32{0, 3}, v, 4) })
	fusedExpectPanic(t, "asm: winograd output: odd tile offset", func() { WinogradOutput(img, 10, []int32{5}, v, 4, nil, true) })
	WinogradInput(v, 4, img, 10, []int32{1, 3}) // odd offsets are fine for reading
	// The last valid offsets pass.
	WinogradInput(v, 4, img, 10, []int32{44})
	WinogradOutput(img, 10, []int32{66}, v, 4, nil, true)
}

// BenchmarkWinograd times the four kernels per tile at each level on the
// W2 CNN's second convolution's layout: 26×26 planes (6×6 tiles of 4, the
// input's patches 6×6), 72 tiles per plane pair and 32 planes.
func BenchmarkWinograd(b *testing.B) {
	const planes, w, tw = 32, 26, 6
	n := planes * 2 * tw * tw
	r := rand.New(rand.NewPCG(1, 2))
	img := make([]float32, planes*2*w*w)
	for i := range img {
		img[i] = float32(r.NormFloat64())
	}
	offs := make([]int32, 0, n)
	for p := 0; p < planes*2; p++ {
		for ty := 0; ty < tw; ty++ {
			for tx := 0; tx < tw; tx++ {
				offs = append(offs, int32(p*w*w+4*ty*w+4*tx))
			}
		}
	}
	sd := n + 16
	dom := make([]float32, 36*sd)
	for i := range dom {
		dom[i] = float32(r.NormFloat64())
	}
	old := Active()
	defer SetLevel(old)
	for _, l := range Supported() {
		SetLevel(l)
		for _, k := range []struct {
			name string
			f    func()
		}{
			{"input", func() { WinogradInput(dom, sd, img, w, offs) }},
			{"inputT", func() { WinogradInputT(img, w, offs, dom, sd) }},
			{"output", func() { WinogradOutput(img, w, offs, dom, sd, nil, false) }},
			{"grad", func() { WinogradGrad(dom, sd, img, w, offs) }},
		} {
			b.Run(l.String()+"/"+k.name, func(b *testing.B) {
				for b.Loop() {
					k.f()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/tile")
			})
		}
	}
}
