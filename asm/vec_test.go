package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// vecSpecial sprinkles −0, +0, NaN, ±Inf and a subnormal into s.
func vecSpecial(s []float32) {
	sp := []float32{float32(math.Copysign(0, -1)), 0, float32(math.NaN()), float32(math.Inf(1)),
		float32(math.Inf(-1)), 1e-40}
	for i := 3; i < len(s); i += 11 {
		s[i] = sp[(i/11)%len(sp)]
	}
}

// vecSame reports bitwise equality, any NaN matching any NaN.
func vecSame(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// TestVecLevels runs every elementwise kernel at every level against its
// reference, with guard bands, read-only checks and special values.
// Scale, Add, Mul and the ReLUs must match bit for bit; Axpy (FMA) within
// one rounding of the product, Sum and Dot within n·u·Σ|terms|.
func TestVecLevels(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(9, 10))
		for _, c := range fusedCases(testing.Short()) {
			xb := fusedNewBuf(c.n, c.off).fill(fusedUniform(r, -2, 2))
			yb := fusedNewBuf(c.n, (c.off+3)%8).fill(fusedUniform(r, -2, 2))
			x0, y0 := xb.copy(), yb.copy()
			vecSpecial(x0)
			copy(xb.s(), x0)
			const a = float32(-0.7)
			exact := func(name string, run func(dst []float32), ref func(dst []float32)) {
				db := fusedNewBuf(c.n, (c.off+5)%8).fill(fusedUniform(r, -1, 1))
				want := db.copy()
				ref(want)
				run(db.s())
				db.checkGuards(t, name+" dst")
				xb.checkUnchanged(t, name+" x", x0)
				yb.checkUnchanged(t, name+" y", y0)
				for i, v := range db.s() {
					if !vecSame(v, want[i]) {
						t.Fatalf("%s n=%d off=%d [%d]: got %v, want %v (x=%v y=%v)", name, c.n, c.off, i, v, want[i], x0[i], y0[i])
					}
				}
			}
			exact("scale", func(d []float32) { ScaleTo(d, a, xb.s()) }, func(d []float32) { scaleToGeneric(d, a, x0) })
			exact("add", func(d []float32) { AddTo(d, xb.s(), yb.s()) }, func(d []float32) { addToGeneric(d, x0, y0) })
			exact("mul", func(d []float32) { MulTo(d, xb.s(), yb.s()) }, func(d []float32) { mulToGeneric(d, x0, y0) })
			exact("relu", func(d []float32) { ReluForwardTo(d, xb.s()) }, func(d []float32) { reluForwardToGeneric(d, x0) })
			exact("relu backward", func(d []float32) { ReluBackwardTo(d, yb.s(), xb.s()) },
				func(d []float32) { reluBackwardToGeneric(d, y0, x0) })

			// Axpy: y += a·x on a copy of y, finite inputs only.
			xf := fusedNewBuf(c.n, c.off).fill(fusedUniform(r, -2, 2))
			xf0 := xf.copy()
			want := yb.copy()
			axpyGeneric(want, a, xf0)
			Axpy(yb.s(), a, xf.s())
			yb.checkGuards(t, "axpy y")
			xf.checkUnchanged(t, "axpy x", xf0)
			for i, v := range yb.s() {
				tol := 2 * fusedU * (math.Abs(float64(a*xf0[i])) + math.Abs(float64(want[i])))
				if !fusedClose(v, want[i], tol) {
					t.Fatalf("axpy n=%d off=%d [%d]: got %v, want %v", c.n, c.off, i, v, want[i])
				}
			}
			copy(yb.s(), y0)

			// Sum and Dot on finite inputs.
			var sabs, dabs float64
			for i := range xf0 {
				sabs += math.Abs(float64(xf0[i]))
				dabs += math.Abs(float64(xf0[i]) * float64(y0[i]))
			}
			tolS := float64(c.n+2) * fusedU * sabs
			if got, want := Sum(xf.s()), sumGeneric(xf0); !fusedClose(got, want, tolS) {
				t.Fatalf("sum n=%d off=%d: got %v, want %v", c.n, c.off, got, want)
			}
			if got, want := Dot(xf.s(), yb.s()), dotGeneric(xf0, y0); !fusedClose(got, want, float64(c.n+2)*fusedU*dabs) {
				t.Fatalf("dot n=%d off=%d: got %v, want %v", c.n, c.off, got, want)
			}
			xf.checkUnchanged(t, "sum/dot x", xf0)
			yb.checkUnchanged(t, "dot y", y0)
		}
	})
}

// TestVecAliasing runs the out-of-place kernels with dst the same slice as
// an input, which the doc comments allow.
func TestVecAliasing(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(11, 12))
		for _, n := range []int{0, 1, 7, 16, 33, 64, 1000, 4099} {
			x := make([]float32, n)
			y := make([]float32, n)
			for i := range x {
				x[i] = float32(r.Float64()*4 - 2)
				y[i] = float32(r.Float64()*4 - 2)
			}
			check := func(name string, got []float32, ref func(dst []float32)) {
				want := make([]float32, n)
				ref(want)
				for i := range got {
					if !vecSame(got[i], want[i]) {
						t.Fatalf("%s n=%d [%d]: got %v, want %v", name, n, i, got[i], want[i])
					}
				}
			}
			d := append([]float32(nil), x...)
			AddTo(d, d, y)
			check("add dst=x", d, func(w []float32) { addToGeneric(w, x, y) })
			d = append([]float32(nil), y...)
			MulTo(d, x, d)
			check("mul dst=y", d, func(w []float32) { mulToGeneric(w, x, y) })
			d = append([]float32(nil), x...)
			Scale(d, 3)
			check("scale in place", d, func(w []float32) { scaleToGeneric(w, 3, x) })
			d = append([]float32(nil), x...)
			ReluForwardTo(d, d)
			check("relu in place", d, func(w []float32) { reluForwardToGeneric(w, x) })
			d = append([]float32(nil), y...)
			ReluBackwardTo(d, d, x)
			check("relu backward dst=g", d, func(w []float32) { reluBackwardToGeneric(w, y, x) })
			d = append([]float32(nil), x...)
			Axpy(d, 1, d)
			check("axpy y=x", d, func(w []float32) { scaleToGeneric(w, 2, x) })
		}
	})
}

// TestVecHand checks a few values written out by hand.
func TestVecHand(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		x := []float32{1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16, 17}
		y := make([]float32, len(x))
		for i := range y {
			y[i] = 2
		}
		if got := Sum(x); got != 9 {
			t.Errorf("Sum = %v, want 9", got)
		}
		if got := Dot(x, y); got != 18 {
			t.Errorf("Dot = %v, want 18", got)
		}
		d := make([]float32, len(x))
		ReluForwardTo(d, x)
		ReluBackwardTo(y, y, x)
		for i := range x {
			if want := float32(i + 1); i%2 == 0 && (d[i] != want || y[i] != 2) || i%2 == 1 && (d[i] != 0 || y[i] != 0) {
				t.Errorf("[%d] relu %v, relu backward %v", i, d[i], y[i])
			}
		}
		Axpy(d, -1, x) // d = relu(x) − x = max(−x, 0)
		for i := range x {
			if want := float32(0); i%2 == 1 {
				if d[i] != float32(i+1) {
					t.Errorf("axpy [%d] = %v, want %v", i, d[i], i+1)
				}
			} else if d[i] != want {
				t.Errorf("axpy [%d] = %v, want 0", i, d[i])
			}
		}
	})
}

func TestVecPanics(t *testing.T) {
	a, b := make([]float32, 3), make([]float32, 4)
	fusedExpectPanic(t, "asm: axpy: length mismatch", func() { Axpy(a, 1, b) })
	fusedExpectPanic(t, "asm: scale: length mismatch", func() { ScaleTo(a, 1, b) })
	fusedExpectPanic(t, "asm: add: length mismatch", func() { AddTo(a, a, b) })
	fusedExpectPanic(t, "asm: mul: length mismatch", func() { MulTo(a, b, a) })
	fusedExpectPanic(t, "asm: relu: length mismatch", func() { ReluForwardTo(a, b) })
	fusedExpectPanic(t, "asm: relu backward: length mismatch", func() { ReluBackwardTo(a, a, b) })
	fusedExpectPanic(t, "asm: dot: length mismatch", func() { Dot(a, b) })
}
