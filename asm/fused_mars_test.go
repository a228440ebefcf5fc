package asm

import (
	"math"
	"testing"
)

// The MARS tests compare MARSStep at every level with marsStepGeneric.
// The reference makes the kernels' operations one for one (fused
// multiply-adds through fma32, flushing through ftz32), so the two differ
// only where fma32 double-rounds (one ulp) and in the clipping factor,
// whose float64 sum of squares the assembly adds in another order (one
// ulp of float32 after rounding). The tolerance below allows 4 unit
// roundoffs on c and 8 on every summed term, carried through the square
// root and the division as in the other zoo tests.

var marsTestParams = []struct {
	name string
	h    MARSParams
}{
	{"mars-t1", MARSParams{LR: 3e-3, Beta1: 0.95, Beta2: 0.99, Eps: 1e-8, Gamma: 0.025, Step: 1}},
	{"mars-wd-t7", MARSParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Gamma: 0.05, WeightDecay: 0.1, Step: 7}},
	{"mars-t1000", MARSParams{LR: 3e-4, Beta1: 0.8, Beta2: 0.95, Eps: 1e-6, Gamma: 1, WeightDecay: 0.01, Step: 1000}},
}

// marsTols returns the tolerances on m, v and p for one element, given
// the inputs, the factor scale and the reference's m1 and v1.
func marsTols(k *adamConsts, kc, scale, p0, g, last, m0, v0, m1, v1 float32) (tm, tv, tp float64) {
	G := (zooAb(g) + zooAb(kc)*(zooAb(g)+zooAb(last))) * float64(scale) * (1 + 8*fusedU)
	tc := 4*fusedU*G + zooAbs
	tm = 8*fusedU*(zooAb(k.b1)*zooAb(m0)+zooAb(k.omb1)*G) + zooAb(k.omb1)*tc + zooAbs
	tv = 8*fusedU*(zooAb(k.b2)*zooAb(v0)+zooAb(k.omb2)*G*G) + 2*zooAb(k.omb2)*G*tc + zooAbs
	r, tr := zooSqrtTol(float64(v1), tv)
	d := r*float64(k.rbc2) + float64(k.eps)
	q, tq := zooQuotTol(zooAb(m1)+tm, tm, d, tr*float64(k.rbc2)+4*fusedU*d)
	return tm, tv, zooStepTol(zooAb(p0), float64(k.step), q, tq)
}

// marsRef runs the reference on copies of the inputs and returns its
// results and constants.
func marsRef(p, g, m, v, last []float32, h MARSParams) (pr, mr, vr, lr []float32, k adamConsts, kc, scale float32) {
	k = AdamParams{LR: h.LR, Beta1: h.Beta1, Beta2: h.Beta2, Eps: h.Eps, WeightDecay: h.WeightDecay,
		Step: h.Step, Decoupled: true}.consts()
	kc = float32(h.Gamma * (h.Beta1 / (1 - h.Beta1)))
	scale = marsScale(marsSumGeneric(g, last, kc))
	pr, mr, vr, lr = zooClone(p), zooClone(m), zooClone(v), zooClone(last)
	marsStepGeneric(pr, g, mr, vr, lr, &k, kc, scale)
	return
}

// marsCompare checks one level's results against the reference.
func marsCompare(t *testing.T, what string, in [][]float32, p, m, v, last, pr, mr, vr, lr []float32, k *adamConsts, kc, scale float32) {
	t.Helper()
	for i := range pr {
		tm, tv, tp := marsTols(k, kc, scale, in[0][i], in[1][i], in[4][i], in[2][i], in[3][i], mr[i], vr[i])
		if !fusedClose(m[i], mr[i], tm) || !fusedClose(v[i], vr[i], tv) || !fusedClose(p[i], pr[i], tp) ||
			math.Float32bits(last[i]) != math.Float32bits(lr[i]) {
			t.Fatalf("%s [%d] (p=%v g=%v m=%v v=%v last=%v): got p,m,v,last = %v %v %v %v; generic %v %v %v %v",
				what, i, in[0][i], in[1][i], in[2][i], in[3][i], in[4][i], p[i], m[i], v[i], last[i], pr[i], mr[i], vr[i], lr[i])
		}
	}
}

// TestMARSStepLevels runs MARSStep at every level against the reference
// over lengths 0..64 and large odd lengths at every offset, with NaN guard
// bands, for gradients large enough to be clipped and small enough not to
// be.
func TestMARSStepLevels(t *testing.T) {
	names := []string{"p", "g", "m", "v", "last"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(41, 42)
		for _, tc := range marsTestParams {
			for _, gs := range []float64{1, 1e-4} {
				for _, c := range fusedCases(testing.Short()) {
					bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -gs, gs),
						fusedUniform(r, -0.1, 0.1), fusedUniform(r, 0, 0.01), fusedUniform(r, -gs, gs))
					in := zooCopies(bufs)
					pr, mr, vr, lr, k, kc, scale := marsRef(in[0], in[1], in[2], in[3], in[4], tc.h)
					MARSStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s(), bufs[4].s(), tc.h)
					zooCheckGuards(t, names, bufs, in, 1)
					marsCompare(t, tc.name, in, bufs[0].s(), bufs[2].s(), bufs[3].s(), bufs[4].s(), pr, mr, vr, lr, &k, kc, scale)
					if t.Failed() {
						t.Fatalf("%s: g scale %v n=%d off=%d", tc.name, gs, c.n, c.off)
					}
				}
			}
		}
	})
}

// TestMARSSumLevels checks the reduction pass at every level against the
// sequential float64 sum, to float64 rounding of the lane order.
func TestMARSSumLevels(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(43, 44)
		for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 31, 33, 64, 1000, 100003} {
			g, last := make([]float32, n), make([]float32, n)
			for i := range g {
				g[i], last[i] = float32(r.Float64()*2-1), float32(r.Float64()*2-1)
			}
			want := marsSumGeneric(g, last, 0.5)
			if got := marsSum(g, last, 0.5); math.Abs(got-want) > 1e-12*want {
				t.Errorf("n=%d: sum %v, sequential %v", n, got, want)
			}
		}
	})
}

// TestMARSHand checks three steps against float64 arithmetic of the
// equations in MARSStep's comment, once clipped (‖c‖ > 1) and once not.
func TestMARSHand(t *testing.T) {
	grads := [][]float32{{0.5, -1, 0.25, 0}, {-0.5, 1, -2, 0.125}, {-0.25, -1, 0.25, 3}}
	for _, gs := range []float64{1, 0.01} {
		fusedForLevels(t, func(t *testing.T, l Level) {
			h := MARSParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, Gamma: 0.05, WeightDecay: 0.1}
			p, m, v, last := []float32{1, -1, 2, 0.5}, make([]float32, 4), make([]float32, 4), make([]float32, 4)
			p64, m64, v64, l64 := []float64{1, -1, 2, 0.5}, make([]float64, 4), make([]float64, 4), make([]float64, 4)
			for s, g0 := range grads {
				g := make([]float32, 4)
				for i := range g {
					g[i] = float32(float64(g0[i]) * gs)
				}
				h.Step = s + 1
				MARSStep(p, g, m, v, last, h)
				kc := h.Gamma * h.Beta1 / (1 - h.Beta1)
				c := make([]float64, 4)
				var sq float64
				for i := range c {
					c[i] = float64(g[i]) + kc*(float64(g[i])-l64[i])
					sq += c[i] * c[i]
					l64[i] = float64(g[i])
				}
				if gs == 1 && math.Sqrt(sq) <= 1 || gs != 1 && math.Sqrt(sq) > 1 {
					t.Fatalf("step %d: ‖c‖ = %v: test does not clip as intended", s+1, math.Sqrt(sq))
				}
				bc1 := 1 - math.Pow(h.Beta1, float64(h.Step))
				bc2 := 1 - math.Pow(h.Beta2, float64(h.Step))
				for i := range p64 {
					ci := c[i]
					if n := math.Sqrt(sq); n > 1 {
						ci /= n
					}
					m64[i] = h.Beta1*m64[i] + (1-h.Beta1)*ci
					v64[i] = h.Beta2*v64[i] + (1-h.Beta2)*ci*ci
					p64[i] -= h.LR * ((m64[i]/bc1)/(math.Sqrt(v64[i]/bc2)+h.Eps) + h.WeightDecay*p64[i])
					if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Max(math.Abs(p64[i]), 1e-2) ||
						math.Abs(float64(m[i])-m64[i]) > 1e-6*math.Abs(m64[i])+1e-12 || last[i] != g[i] {
						t.Errorf("g scale %v step %d [%d]: p, m, last = %v %v %v; float64 %v %v %v",
							gs, s+1, i, p[i], m[i], last[i], p64[i], m64[i], g[i])
					}
				}
			}
		})
	}
	fusedExpectPanic(t, "asm: mars: length mismatch", func() {
		MARSStep(make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 3), MARSParams{Step: 1})
	})
	fusedExpectPanic(t, "asm: mars: step 0", func() { MARSStep(nil, nil, nil, nil, nil, MARSParams{}) })
}

// FuzzMARSStep compares MARSStep at every supported level with the
// reference on fuzzed values (finite, |x| ≤ 1e4, v ≥ 0, subnormals
// included), lengths and hyperparameters.
func FuzzMARSStep(f *testing.F) {
	seed := make([]byte, 20*37)
	for i := range seed {
		seed[i] = byte(i*29 + 3)
	}
	f.Add(seed, uint16(1), uint8(0), uint8(0))
	f.Add(seed[:20*5], uint16(900), uint8(200), uint8(90))
	f.Add([]byte{}, uint16(3), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, step uint16, hb1, hwd uint8) {
		in := fusedFuzzFloats(data, 5)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		for i := range in[3] {
			in[3][i] = float32(math.Abs(float64(in[3][i])))
		}
		h := MARSParams{
			LR: 1e-3 * (1 + float64(hb1%7)), Beta1: float64(hb1) / 256, Beta2: 0.9 + 0.0999*float64(hwd)/255,
			Eps: math.Pow(10, -4-float64(hwd%6)), Gamma: float64(hwd%5) / 40, WeightDecay: float64(hwd) / 1000,
			Step: int(step) + 1,
		}
		pr, mr, vr, lr, k, kc, scale := marsRef(in[0], in[1], in[2], in[3], in[4], h)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			p, m, v, last := zooClone(in[0]), zooClone(in[2]), zooClone(in[3]), zooClone(in[4])
			MARSStep(p, in[1], m, v, last, h)
			marsCompare(t, l.String(), in, p, m, v, last, pr, mr, vr, lr, &k, kc, scale)
		}
	})
}
