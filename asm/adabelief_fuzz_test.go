package asm

import (
	"math"
	"testing"
)

// FuzzAdaBeliefStep compares AdaBeliefStep at every supported level with
// the generic reference on fuzzed values (finite, |x| ≤ 1e4, s ≥ 0,
// subnormals included), lengths and hyperparameters (ε from 1e-16 to
// 1e-8), with TestAdaBeliefStepLevels's tolerance model.
func FuzzAdaBeliefStep(f *testing.F) {
	seed := make([]byte, 16*37)
	for i := range seed {
		seed[i] = byte(i*5 + 3)
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
			Eps: math.Pow(10, -8-float64(hwd%9)), WeightDecay: float64(hwd) / 1000, Step: int(step) + 1, Decoupled: decoupled,
		}
		k := h.consts()
		cl := func(s []float32) []float32 { return append([]float32(nil), s...) }
		pr, mr, sr := cl(in[0]), cl(in[2]), cl(in[3])
		adabeliefStepGeneric(pr, in[1], mr, sr, &k)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			p, m, s := cl(in[0]), cl(in[2]), cl(in[3])
			AdaBeliefStep(p, in[1], m, s, h)
			for i := range p {
				tm, ts, tp := adabeliefTols(&k, in[0][i], in[1][i], in[2][i], in[3][i], mr[i], sr[i])
				if !fusedClose(m[i], mr[i], tm) || !fusedClose(s[i], sr[i], ts) || !fusedClose(p[i], pr[i], tp) {
					t.Fatalf("%v: element %d of %d (p=%v g=%v m=%v s=%v): got p,m,s = %v %v %v; generic %v %v %v",
						l, i, len(p), in[0][i], in[1][i], in[2][i], in[3][i], p[i], m[i], s[i], pr[i], mr[i], sr[i])
				}
			}
		}
	})
}
