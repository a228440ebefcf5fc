package asm

import (
	"encoding/binary"
	"math"
	"testing"
)

// fusedFuzzFloats decodes little-endian float32s from data, k values per
// element, so the element count follows the input length.
func fusedFuzzFloats(data []byte, k int) [][]float32 {
	n := len(data) / (4 * k)
	out := make([][]float32, k)
	for j := range out {
		out[j] = make([]float32, n)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			out[j][i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*(i*k+j):]))
		}
	}
	return out
}

// fusedFuzzSane maps non-finite or huge values into [-1, 1], keeping
// subnormals, so that the tolerance model of the Adam test applies (it
// assumes no overflow).
func fusedFuzzSane(s []float32) {
	for i, x := range s {
		if math.IsNaN(float64(x)) || math.Abs(float64(x)) > 1e4 {
			s[i] = float32(math.Float32bits(x)%2001)/1000 - 1
		}
	}
}

// FuzzAdamStep compares AdamStep at every supported level with the
// generic reference on fuzzed values (finite, |x| ≤ 1e4, v ≥ 0, including
// subnormals), lengths and hyperparameters.
func FuzzAdamStep(f *testing.F) {
	seed := make([]byte, 16*37)
	for i := range seed {
		seed[i] = byte(i * 7)
	}
	f.Add(seed, uint16(1), uint8(0), uint8(0), false)
	f.Add(seed[:16*5], uint16(900), uint8(200), uint8(90), true)
	f.Add([]byte{}, uint16(3), uint8(1), uint8(1), false)
	f.Fuzz(func(t *testing.T, data []byte, step uint16, hb1, hwd uint8, decoupled bool) {
		in := fusedFuzzFloats(data, 4)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		for i := range in[3] {
			in[3][i] = float32(math.Abs(float64(in[3][i])))
		}
		h := AdamParams{
			LR: 1e-3 * (1 + float64(hb1%7)), Beta1: float64(hb1) / 256, Beta2: 0.9 + 0.0999*float64(hwd)/255,
			Eps: 1e-8, WeightDecay: float64(hwd) / 1000, Step: int(step) + 1, Decoupled: decoupled,
		}
		k := h.consts()
		pr, mr, vr := append([]float32(nil), in[0]...), append([]float32(nil), in[2]...), append([]float32(nil), in[3]...)
		adamStepGeneric(pr, in[1], mr, vr, &k)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			p, m, v := append([]float32(nil), in[0]...), append([]float32(nil), in[2]...), append([]float32(nil), in[3]...)
			AdamStep(p, in[1], m, v, h)
			adamCompare(t, &k, in[0], in[1], in[2], in[3], p, m, v, pr, mr, vr)
		}
	})
}

// FuzzLionStep compares LionStep at every supported level with the
// generic reference on arbitrary float32 bit patterns (NaN, Inf and
// subnormals included): p must match bit for bit, m to one ulp.
func FuzzLionStep(f *testing.F) {
	seed := make([]byte, 12*41)
	for i := range seed {
		seed[i] = byte(i*13 + 1)
	}
	f.Add(seed, uint8(0), uint8(0))
	f.Add(seed[:12*3], uint8(255), uint8(7))
	f.Add([]byte{}, uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, hb, hwd uint8) {
		in := fusedFuzzFloats(data, 3)
		h := LionParams{LR: 1e-4 * (1 + float64(hwd%5)), Beta1: float64(hb) / 256, Beta2: 0.9 + 0.0999*float64(hb)/255,
			WeightDecay: float64(hwd) / 100}
		k := h.consts()
		pr, mr := append([]float32(nil), in[0]...), append([]float32(nil), in[2]...)
		lionStepGeneric(pr, in[1], mr, &k)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			p, m := append([]float32(nil), in[0]...), append([]float32(nil), in[2]...)
			LionStep(p, in[1], m, h)
			lionCompare(t, p, m, pr, mr)
		}
	})
}
