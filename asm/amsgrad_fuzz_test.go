package asm

import (
	"math"
	"testing"
)

// FuzzAMSGradStep compares AMSGradStep at every supported level with the
// generic reference on fuzzed values (finite, |x| ≤ 1e4, v and vmax ≥ 0,
// subnormals included), lengths and hyperparameters, with FuzzAdamStep's
// tolerance model; vmax is compared with v's tolerance and p with the
// tolerance of a step whose root is taken of vmax.
func FuzzAMSGradStep(f *testing.F) {
	seed := make([]byte, 20*37)
	for i := range seed {
		seed[i] = byte(i * 11)
	}
	f.Add(seed, uint16(1), uint8(0), uint8(0), false)
	f.Add(seed[:20*5], uint16(900), uint8(200), uint8(90), true)
	f.Add([]byte{}, uint16(3), uint8(1), uint8(1), false)
	f.Fuzz(func(t *testing.T, data []byte, step uint16, hb1, hwd uint8, decoupled bool) {
		in := fusedFuzzFloats(data, 5)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		for _, j := range []int{3, 4} {
			for i := range in[j] {
				in[j][i] = float32(math.Abs(float64(in[j][i])))
			}
		}
		h := AdamParams{
			LR: 1e-3 * (1 + float64(hb1%7)), Beta1: float64(hb1) / 256, Beta2: 0.9 + 0.0999*float64(hwd)/255,
			Eps: 1e-8, WeightDecay: float64(hwd) / 1000, Step: int(step) + 1, Decoupled: decoupled,
		}
		k := h.consts()
		cl := func(s []float32) []float32 { return append([]float32(nil), s...) }
		pr, mr, vr, wr := cl(in[0]), cl(in[2]), cl(in[3]), cl(in[4])
		amsgradStepGeneric(pr, in[1], mr, vr, wr, &k)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			p, m, v, w := cl(in[0]), cl(in[2]), cl(in[3]), cl(in[4])
			AMSGradStep(p, in[1], m, v, w, h)
			for i := range p {
				tm, tv, _ := adamTols(&k, in[0][i], in[1][i], in[2][i], in[3][i], mr[i], vr[i])
				tp := adamPTol(&k, in[0][i], mr[i], tm, wr[i], tv)
				if !fusedClose(m[i], mr[i], tm) || !fusedClose(v[i], vr[i], tv) ||
					!fusedClose(w[i], wr[i], tv) || !fusedClose(p[i], pr[i], tp) {
					t.Fatalf("%v: element %d of %d (p=%v g=%v m=%v v=%v vmax=%v): got p,m,v,vmax = %v %v %v %v; generic %v %v %v %v",
						l, i, len(p), in[0][i], in[1][i], in[2][i], in[3][i], in[4][i], p[i], m[i], v[i], w[i], pr[i], mr[i], vr[i], wr[i])
				}
			}
		}
	})
}
