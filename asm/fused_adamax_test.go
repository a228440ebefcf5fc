package asm

import (
	"math"
	"testing"
)

// adamaxTols returns the tolerances on m, u and p for one element of
// AdaMaxStep, given the inputs and the reference's m1 and u1.
func adamaxTols(k *adamConsts, p0, g, m0, m1, u1 float32) (tm, tu, tp float64) {
	G := zooAb(g) + zooAb(k.wd)*zooAb(p0)
	tm = 8*fusedU*(zooAb(k.b1)*zooAb(m0)+zooAb(k.omb1)*G) + zooAbs
	tu = 8*fusedU*(G+zooAb(k.eps)) + zooAbs
	q, tq := zooQuotTol(zooAb(m1)+tm, tm, float64(u1), tu)
	return tm, tu, zooStepTol(zooAb(p0), float64(k.step), q, tq)
}

// TestAdaMaxStepLevels runs AdaMaxStep at every level against the
// reference over lengths 0..64 and large odd lengths at every offset, with
// NaN guard bands; half of u starts above β2·u's competitor |g|+ε.
func TestAdaMaxStepLevels(t *testing.T) {
	names := []string{"p", "g", "m", "u"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(23, 24)
		for _, tc := range adamTestParams {
			k := tc.h.consts()
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -1, 1),
					fusedUniform(r, -0.1, 0.1), fusedUniform(r, 0, 2))
				in := zooCopies(bufs)
				pr, mr, ur := zooClone(in[0]), zooClone(in[2]), zooClone(in[3])
				adamaxStepGeneric(pr, in[1], mr, ur, &k)
				AdaMaxStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s(), tc.h)
				zooCheckGuards(t, names, bufs, in, 1)
				for i := range pr {
					tm, tu, tp := adamaxTols(&k, in[0][i], in[1][i], in[2][i], mr[i], ur[i])
					if !fusedClose(bufs[2].s()[i], mr[i], tm) || !fusedClose(bufs[3].s()[i], ur[i], tu) ||
						!fusedClose(bufs[0].s()[i], pr[i], tp) {
						t.Fatalf("%s n=%d off=%d [%d]: got p,m,u = %v %v %v; generic %v %v %v", tc.name, c.n, c.off, i,
							bufs[0].s()[i], bufs[2].s()[i], bufs[3].s()[i], pr[i], mr[i], ur[i])
					}
				}
				if t.Failed() {
					t.Fatalf("%s: n=%d off=%d", tc.name, c.n, c.off)
				}
			}
		}
	})
}

// TestAdaMaxHand checks three steps against float64 arithmetic (METHODS
// 1.2), with an L2 term, and the first step's closed form: m/bc1 = g and
// u = |g|+ε, so p moves by η·g/(|g|+ε).
func TestAdaMaxHand(t *testing.T) {
	grads := [][]float32{{0.5, -1, 0.25, 0}, {0.5, 1, -2, 0.125}, {-0.25, -1, 0.25, 3}}
	for _, wd := range []float64{0, 0.01} {
		fusedForLevels(t, func(t *testing.T, l Level) {
			h := AdamParams{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: wd}
			p0 := []float64{1, -1, 2, 0.5}
			p, m, u := []float32{1, -1, 2, 0.5}, make([]float32, 4), make([]float32, 4)
			p64, m64, u64 := zoo64(p0), make([]float64, 4), make([]float64, 4)
			for s, g := range grads {
				h.Step = s + 1
				AdaMaxStep(p, g, m, u, h)
				bc1 := 1 - math.Pow(h.Beta1, float64(h.Step))
				for i := range p64 {
					d := float64(g[i]) + wd*p64[i]
					m64[i] = h.Beta1*m64[i] + (1-h.Beta1)*d
					u64[i] = math.Max(h.Beta2*u64[i], math.Abs(d)+h.Eps)
					p64[i] -= h.LR / bc1 * m64[i] / u64[i]
					if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Abs(p64[i]) || math.Abs(float64(u[i])-u64[i]) > 1e-6*u64[i] ||
						math.Abs(float64(m[i])-m64[i]) > 1e-6*math.Abs(m64[i]) {
						t.Errorf("λ=%v step %d [%d]: p,m,u = %v %v %v; float64 %v %v %v", wd, s+1, i, p[i], m[i], u[i], p64[i], m64[i], u64[i])
					}
					if s == 0 && wd == 0 {
						gi := float64(g[i])
						if want := p0[i] - h.LR*gi/(math.Abs(gi)+h.Eps); math.Abs(float64(p[i])-want) > 1e-7*math.Abs(want) {
							t.Errorf("step 1 [%d]: p = %v, closed form %v", i, p[i], want)
						}
					}
				}
			}
		})
	}
	fusedExpectPanic(t, "asm: adamax: length mismatch", func() {
		AdaMaxStep(make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 3), AdamParams{Step: 1})
	})
	fusedExpectPanic(t, "asm: adamax: step 0", func() {
		AdaMaxStep(nil, nil, nil, nil, AdamParams{})
	})
}

// zoo64 copies a float64 slice.
func zoo64(s []float64) []float64 { return append([]float64(nil), s...) }

// FuzzAdaMaxStep compares AdaMaxStep at every supported level with the
// reference on fuzzed values (finite, |x| ≤ 1e4, u ≥ 0, subnormals
// included), lengths and hyperparameters.
func FuzzAdaMaxStep(f *testing.F) {
	seed := make([]byte, 16*37)
	for i := range seed {
		seed[i] = byte(i*3 + 7)
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
			Eps: math.Pow(10, -4-float64(hwd%6)), WeightDecay: float64(hwd) / 1000, Step: int(step) + 1, Decoupled: decoupled,
		}
		k := h.consts()
		pr, mr, ur := zooClone(in[0]), zooClone(in[2]), zooClone(in[3])
		adamaxStepGeneric(pr, in[1], mr, ur, &k)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			p, m, u := zooClone(in[0]), zooClone(in[2]), zooClone(in[3])
			AdaMaxStep(p, in[1], m, u, h)
			for i := range p {
				tm, tu, tp := adamaxTols(&k, in[0][i], in[1][i], in[2][i], mr[i], ur[i])
				if !fusedClose(m[i], mr[i], tm) || !fusedClose(u[i], ur[i], tu) || !fusedClose(p[i], pr[i], tp) {
					t.Fatalf("%v: element %d of %d (p=%v g=%v m=%v u=%v): got p,m,u = %v %v %v; generic %v %v %v",
						l, i, len(p), in[0][i], in[1][i], in[2][i], in[3][i], p[i], m[i], u[i], pr[i], mr[i], ur[i])
				}
			}
		}
	})
}
