package asm

import (
	"math"
	"math/big"
	"testing"
)

// fmaBig returns a·b+c rounded once to float32 by math/big (in float64
// if an input is not finite: then the result is ±Inf or NaN, exactly).
func fmaBig(a, b, c float32) float32 {
	for _, x := range []float32{a, b, c} {
		if math.IsInf(float64(x), 0) || x != x {
			return float32(float64(a)*float64(b) + float64(c))
		}
	}
	x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetPrec(200).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetPrec(200).SetFloat64(float64(c)))
	f, _ := x.Float32()
	return f
}

// TestFMA32 checks fma32 against math/big and against the
// hardware FMA of Axpy at the assembly levels, on random triples, triples
// whose sum cancels, and a case where rounding the float64 sum to float32
// double-rounds: (2^-24 − 2^-70) + (1 + 2^-23) is just below a float32
// midpoint, and its float64 rounding is the midpoint itself.
func TestFMA32(t *testing.T) {
	type triple struct{ a, b, c float32 }
	cases := []triple{
		{1 + 0x1p-23, 0x1p-24 * (1 - 0x1p-23), 1 + 0x1p-23},
		{-(1 + 0x1p-23), 0x1p-24 * (1 - 0x1p-23), -(1 + 0x1p-23)},
		{0, float32(math.Inf(1)), 1}, {2, 3, float32(math.Inf(-1))}, {0x1p-100, 0x1p-100, 0x1p-149},
	}
	if got, naive := fma32(cases[0].a, cases[0].b, cases[0].c), float32(float64(cases[0].a)*float64(cases[0].b)+float64(cases[0].c)); got != 1+0x1p-23 || naive == got {
		t.Fatalf("double-rounding case: fma32 %v, float64 then float32 %v; want %v and a different naive result", got, naive, float32(1+0x1p-23))
	}
	r := zooRand(65, 66)
	for range 200000 {
		a := float32(math.Ldexp(r.Float64()*2-1, r.IntN(40)-20))
		b := float32(math.Ldexp(r.Float64()*2-1, r.IntN(40)-20))
		c := float32(math.Ldexp(r.Float64()*2-1, r.IntN(60)-30))
		if r.IntN(4) == 0 {
			c = -float32(float64(a) * float64(b)) // cancellation: the exact low part remains
		}
		cases = append(cases, triple{a, b, c})
	}
	for _, tc := range cases {
		got := fma32(tc.a, tc.b, tc.c)
		if want := fmaBig(tc.a, tc.b, tc.c); !sgdmrsSame(got, want) {
			t.Fatalf("fma32(%g, %g, %g) = %g, math/big %g", tc.a, tc.b, tc.c, got, want)
		}
	}
	fusedForLevels(t, func(t *testing.T, l Level) {
		if l == Generic {
			t.Skip("the generic Axpy does not fuse")
		}
		y, x := make([]float32, 16), make([]float32, 16) // whole vectors: the assembly runs
		for _, tc := range cases[:4000] {
			clear(y)
			clear(x)
			y[0], x[0] = tc.c, tc.b
			Axpy(y, tc.a, x)
			if want := fma32(tc.a, tc.b, tc.c); !sgdmrsSame(y[0], want) {
				t.Fatalf("Axpy: fma(%g, %g, %g) = %g, fma32 %g", tc.a, tc.b, tc.c, y[0], want)
			}
		}
	})
}
