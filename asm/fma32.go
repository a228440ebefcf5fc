package asm

import "math"

// fma32 returns a·b+c rounded once to float32 (to nearest even), as
// VFMADD…PS does: the product of two float32 values is exact in float64,
// the sum is rounded to float64 with its error recovered exactly (Knuth's
// TwoSum) and the float64 result is then rounded to odd, which makes the
// final rounding to float32 correct (53 ≥ 24 + 2 bits). The Go
// references of the kernels that use VFMADD… compute their fused
// multiply-adds with it; the explicit float64 conversions keep the
// compiler from fusing the sum itself (GOAMD64=v3).
func fma32(a, b, c float32) float32 {
	p := float64(float64(a) * float64(b))
	z := float64(c)
	s := float64(p + z)
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return float32(s)
	}
	bb := float64(s - p)
	err := float64(p-float64(s-bb)) + float64(z-bb)
	if err != 0 {
		if u := math.Float64bits(s); u&1 == 0 {
			if (err > 0) == (s > 0) {
				u++
			} else {
				u--
			}
			s = math.Float64frombits(u)
		}
	}
	return float32(s)
}
