package asm

import (
	"math"
	"testing"
)

// gramsTols returns the tolerances on m, v and p for one element of
// GramsStep, given the inputs and the reference's m1 and v1.
func gramsTols(k *gramsConsts, p0, g, m0, v0, m1, v1 float32) (tm, tv, tp float64) {
	G := zooAb(g)
	tm = 8*fusedU*(zooAb(k.b1)*zooAb(m0)+zooAb(k.omb1)*G) + zooAbs
	tv = 8*fusedU*(zooAb(k.b2)*zooAb(v0)+zooAb(k.omb2)*G*G) + zooAbs
	r, tr := zooSqrtTol(float64(v1), tv)
	d := r + float64(k.eps)
	q, tq := zooQuotTol(zooAb(m1)+tm, tm, d, tr+4*fusedU*d)
	return tm, tv, zooStepTol(zooAb(p0), float64(k.step), q, tq)
}

// TestGramsStepLevels runs GramsStep at every level against the reference
// over lengths 0..64 and large odd lengths at every offset, with NaN guard
// bands; every 7th gradient is 0 (no move).
func TestGramsStepLevels(t *testing.T) {
	names := []string{"p", "g", "m", "v"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(33, 34)
		for _, tc := range adamTestParams {
			k := gramsConstsOf(tc.h)
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -1, 1),
					fusedUniform(r, -0.1, 0.1), fusedUniform(r, 0, 0.01))
				g := bufs[1].s()
				for i := 3; i < len(g); i += 7 {
					g[i] = 0
				}
				in := zooCopies(bufs)
				pr, mr, vr := zooClone(in[0]), zooClone(in[2]), zooClone(in[3])
				gramsStepGeneric(pr, in[1], mr, vr, &k)
				GramsStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s(), tc.h)
				zooCheckGuards(t, names, bufs, in, 1)
				for i := range pr {
					tm, tv, tp := gramsTols(&k, in[0][i], in[1][i], in[2][i], in[3][i], mr[i], vr[i])
					if !fusedClose(bufs[2].s()[i], mr[i], tm) || !fusedClose(bufs[3].s()[i], vr[i], tv) ||
						!fusedClose(bufs[0].s()[i], pr[i], tp) {
						t.Fatalf("%s n=%d off=%d [%d]: got p,m,v = %v %v %v; generic %v %v %v", tc.name, c.n, c.off, i,
							bufs[0].s()[i], bufs[2].s()[i], bufs[3].s()[i], pr[i], mr[i], vr[i])
					}
				}
				if t.Failed() {
					t.Fatalf("%s: n=%d off=%d", tc.name, c.n, c.off)
				}
			}
		}
	})
}

// TestGramsHand checks three steps against float64 arithmetic (METHODS
// 1.13), with and without decay, and that with λ = 0 every coordinate
// moves against its gradient (or not at all where g = 0) by Adam's
// fused-form step size.
func TestGramsHand(t *testing.T) {
	grads := [][]float32{{0.5, -1, 0.25, 0}, {-0.5, 1, -2, 0.125}, {-0.25, -1, 0.25, 3}}
	for _, wd := range []float64{0, 0.1} {
		fusedForLevels(t, func(t *testing.T, l Level) {
			h := AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, WeightDecay: wd}
			p, m, v := []float32{1, -1, 2, 0.5}, make([]float32, 4), make([]float32, 4)
			p64, m64, v64 := []float64{1, -1, 2, 0.5}, make([]float64, 4), make([]float64, 4)
			for s, g := range grads {
				h.Step = s + 1
				before := zooClone(p)
				GramsStep(p, g, m, v, h)
				c := math.Sqrt(1-math.Pow(h.Beta2, float64(h.Step))) / (1 - math.Pow(h.Beta1, float64(h.Step)))
				for i := range p64 {
					gi := float64(g[i])
					p64[i] *= 1 - h.LR*wd
					m64[i] = h.Beta1*m64[i] + (1-h.Beta1)*gi
					v64[i] = h.Beta2*v64[i] + (1-h.Beta2)*gi*gi
					size := h.LR * c * math.Abs(m64[i]) / (math.Sqrt(v64[i]) + h.Eps)
					p64[i] -= g1Sign(gi) * size
					if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Abs(p64[i]) {
						t.Errorf("λ=%v step %d [%d]: p = %v, float64 %v", wd, s+1, i, p[i], p64[i])
					}
					if wd == 0 {
						d := float64(p[i]) - float64(before[i])
						if d*gi > 0 || (gi == 0) != (d == 0) || math.Abs(math.Abs(d)-size) > 1e-6*math.Max(size, 1) {
							t.Errorf("step %d [%d]: moved %v with gradient %v, want −sign(g)·%v", s+1, i, d, gi, size)
						}
					}
				}
			}
		})
	}
	fusedExpectPanic(t, "asm: grams: length mismatch", func() {
		GramsStep(make([]float32, 2), make([]float32, 2), make([]float32, 3), make([]float32, 2), AdamParams{Step: 1})
	})
	fusedExpectPanic(t, "asm: grams: step 0", func() { GramsStep(nil, nil, nil, nil, AdamParams{}) })
}

// FuzzGramsStep compares GramsStep at every supported level with the
// reference on fuzzed values (finite, |x| ≤ 1e4, v ≥ 0, subnormals
// included), lengths and hyperparameters.
func FuzzGramsStep(f *testing.F) {
	seed := make([]byte, 16*37)
	for i := range seed {
		seed[i] = byte(i*23 + 1)
	}
	f.Add(seed, uint16(1), uint8(0), uint8(0))
	f.Add(seed[:16*5], uint16(900), uint8(200), uint8(90))
	f.Add([]byte{}, uint16(3), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, step uint16, hb1, hwd uint8) {
		in := fusedFuzzFloats(data, 4)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		for i := range in[3] {
			in[3][i] = float32(math.Abs(float64(in[3][i])))
		}
		h := AdamParams{
			LR: 1e-3 * (1 + float64(hb1%7)), Beta1: float64(hb1) / 256, Beta2: 0.9 + 0.0999*float64(hwd)/255,
			Eps: math.Pow(10, -4-float64(hwd%6)), WeightDecay: float64(hwd) / 1000, Step: int(step) + 1,
		}
		k := gramsConstsOf(h)
		pr, mr, vr := zooClone(in[0]), zooClone(in[2]), zooClone(in[3])
		gramsStepGeneric(pr, in[1], mr, vr, &k)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			p, m, v := zooClone(in[0]), zooClone(in[2]), zooClone(in[3])
			GramsStep(p, in[1], m, v, h)
			for i := range p {
				tm, tv, tp := gramsTols(&k, in[0][i], in[1][i], in[2][i], in[3][i], mr[i], vr[i])
				if !fusedClose(m[i], mr[i], tm) || !fusedClose(v[i], vr[i], tv) || !fusedClose(p[i], pr[i], tp) {
					t.Fatalf("%v: element %d of %d (p=%v g=%v m=%v v=%v): got p,m,v = %v %v %v; generic %v %v %v",
						l, i, len(p), in[0][i], in[1][i], in[2][i], in[3][i], p[i], m[i], v[i], pr[i], mr[i], vr[i])
				}
			}
		}
	})
}
