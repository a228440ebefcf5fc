package asm

import (
	"math"
	"testing"
)

// TestFAdamSplitLevels reruns the FAdam level tests with fadamSplitMin = 0,
// so that FAdamStep with scratch takes the split form at AVX-512 on every
// length (lengths 0..64, odd large ones, every offset, guard bands, the
// overflowing sums, the hand-computed steps and the clip): p, m, f and
// the sums must equal the three-pass reference bit for bit. Elsewhere it
// repeats the three-pass tests.
func TestFAdamSplitLevels(t *testing.T) {
	old := fadamSplitMin
	defer func() { fadamSplitMin = old }()
	fadamSplitMin = 0
	t.Run("step", TestFAdamStepLevels)
	t.Run("sums", TestFAdamSumsLevels)
	t.Run("hand", TestFAdamHand)
	t.Run("clip", TestFAdamRMSClipped)
}

// TestFAdamSplitScratch checks that at AVX-512 the split form leaves √f'
// in r (so it did run) and the three-pass form the reciprocals, with the
// same p, m and f.
func TestFAdamSplitScratch(t *testing.T) {
	old, oldMin := Active(), fadamSplitMin
	defer func() { SetLevel(old); fadamSplitMin = oldMin }()
	if SetLevel(AVX512) != AVX512 {
		t.Skip("no AVX-512")
	}
	const n = 1000
	r := zooRand(67, 68)
	in := make([][]float32, 4)
	for j := range in {
		in[j] = make([]float32, n)
		for i := range in[j] {
			in[j][i] = float32(r.Float64())
		}
	}
	h := fadamTestParams[1].h
	var out [2][4][]float32
	for j, min := range []int{n + 1, n} {
		fadamSplitMin = min
		p, m, f, rs := zooClone(in[0]), zooClone(in[2]), zooClone(in[3]), make([]float32, n)
		FAdamStep(p, in[1], m, f, rs, h)
		out[j] = [4][]float32{p, m, f, rs}
	}
	for i := range n {
		for j := range 3 {
			if !fadamSame(out[0][j][i], out[1][j][i]) {
				t.Fatalf("buffer %d [%d]: split %v, three-pass %v", j, i, out[1][j][i], out[0][j][i])
			}
		}
		f := out[1][2][i]
		if s, want := out[1][3][i], ftz32(float32(math.Sqrt(float64(f)))); s != want {
			t.Fatalf("split r[%d] = %v, want √f' = %v", i, s, want)
		}
	}
}
