package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// clampSpecials are the values mixed into the clamp and lookahead
// inputs: NaN (with a payload), infinities, signed zeros, subnormals, the
// largest finite values.
var clampSpecials = []float32{
	math.Float32frombits(0x7fc01234), float32(math.Inf(1)), float32(math.Inf(-1)),
	0, float32(math.Copysign(0, -1)), 0x1p-140, -0x1p-149, math.MaxFloat32, -math.MaxFloat32,
}

// clampGen returns a generator of values uniform in [-2, 2), with one in
// eight drawn from clampSpecials.
func clampGen(r *rand.Rand) func() float32 {
	return func() float32 {
		if r.IntN(8) == 0 {
			return clampSpecials[r.IntN(len(clampSpecials))]
		}
		return float32(4*r.Float64() - 2)
	}
}

// clampBounds are the bounds the level tests run: symmetric (weight
// clipping), one-sided with a zero bound of either sign, equal, infinite.
var clampBounds = [][2]float32{
	{-0.5, 0.5}, {0, 1}, {-1, float32(math.Copysign(0, -1))}, {0.25, 0.25},
	{float32(math.Inf(-1)), float32(math.Inf(1))}, {-0x1p-140, 0x1p-140},
}

// sameBits reports whether a and b are equal bit for bit, and the first
// index where they differ.
func sameBits(a, b []float32) (int, bool) {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i, false
		}
	}
	return -1, true
}

// sameValues is sameBits with every NaN equal to every other: which
// operand's payload a sum of two NaNs keeps depends on the operand order
// the compiler picks.
func sameValues(a, b []float32) (int, bool) {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
			return i, false
		}
	}
	return -1, true
}

// TestClampLevels runs Clamp at every level against the reference, bit
// for bit, over lengths 0..64 and large odd lengths at every offset, with
// NaN guard bands.
func TestClampLevels(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(31, 32)
		for _, b := range clampBounds {
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, clampGen(r))
				in := zooCopies(bufs)
				want := zooClone(in[0])
				clampGeneric(want, b[0], b[1])
				Clamp(bufs[0].s(), b[0], b[1])
				zooCheckGuards(t, []string{"x"}, bufs, in)
				if i, ok := sameBits(bufs[0].s(), want); !ok {
					t.Fatalf("bounds %v n=%d off=%d [%d]: x=%v: got %v, generic %v", b, c.n, c.off, i, in[0][i], bufs[0].s()[i], want[i])
				}
			}
		}
	})
}

// TestClampHand checks Clamp's result against its definition at every
// level: inside values and NaNs unchanged, the rest replaced by the bound
// they cross, and max|x| ≤ c for symmetric bounds.
func TestClampHand(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	nan := math.Float32frombits(0x7fc01234)
	fusedForLevels(t, func(t *testing.T, l Level) {
		for _, n := range []int{5, 8, 16, 21, 40} {
			x := make([]float32, n)
			for i := range x {
				x[i] = []float32{-3, -0.5, -0.25, negZero, 0, 0.3, 0.5, 0.75, nan, float32(math.Inf(1))}[i%10]
			}
			want := make([]float32, n)
			for i, v := range x {
				switch {
				case v > 0.5:
					want[i] = 0.5
				case v < -0.5:
					want[i] = -0.5
				default:
					want[i] = v
				}
			}
			Clamp(x, -0.5, 0.5)
			if i, ok := sameBits(x, want); !ok {
				t.Fatalf("n=%d [%d]: got %v, want %v", n, i, x[i], want[i])
			}
			for i, v := range x {
				if math.Abs(float64(v)) > 0.5 {
					t.Fatalf("n=%d [%d]: |%v| > 0.5", n, i, v)
				}
			}
			// A zero bound keeps a zero of the other sign.
			z := []float32{negZero, negZero, negZero, negZero, negZero, negZero, negZero, negZero, negZero}
			Clamp(z, 0, 1)
			for i, v := range z {
				if math.Float32bits(v) != math.Float32bits(negZero) {
					t.Fatalf("[%d]: clamp(−0, 0, 1) = %v, want −0", i, v)
				}
			}
		}
	})
	fusedExpectPanic(t, "asm: clamp: invalid bounds", func() { Clamp(make([]float32, 2), 1, -1) })
	fusedExpectPanic(t, "asm: clamp: invalid bounds", func() { Clamp(make([]float32, 2), float32(math.NaN()), 1) })
}

// FuzzClamp compares Clamp at every supported level with the reference,
// bit for bit, on fuzzed values (any bits: NaNs, infinities, subnormals),
// lengths and bounds.
func FuzzClamp(f *testing.F) {
	seed := make([]byte, 4*37)
	for i := range seed {
		seed[i] = byte(i*13 + 5)
	}
	f.Add(seed, float32(-0.5), float32(0.5))
	f.Add(seed[:4*17], float32(0), float32(1e-3))
	f.Add([]byte{}, float32(-1), float32(-1))
	f.Fuzz(func(t *testing.T, data []byte, lo, hi float32) {
		if !(lo <= hi) {
			lo, hi = -1, 1
		}
		x := fusedFuzzFloats(data, 1)[0]
		want := zooClone(x)
		clampGeneric(want, lo, hi)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			got := zooClone(x)
			Clamp(got, lo, hi)
			if i, ok := sameBits(got, want); !ok {
				t.Fatalf("%v: element %d of %d (x=%v, bounds %v %v): got %v, generic %v", l, i, len(x), x[i], lo, hi, got[i], want[i])
			}
		}
	})
}

// BenchmarkClamp: x read and written, 8 bytes per element; values in
// [-1, 1) clamped to ±0.5 (about half of them change).
func BenchmarkClamp(b *testing.B) {
	fusedBench(b, fusedOptSizes, 8, func(b *testing.B, n int) {
		x := zooClone(fusedBenchSlice(n, 0, -1, 1))
		for b.Loop() {
			Clamp(x, -0.5, 0.5)
		}
	})
}
