package asm

import (
	"math"
	"testing"
)

// adaboundTols returns the tolerances on m, v (and vmax) and p for one
// element of AdaBoundStep/AMSBoundStep, given the inputs and the
// reference's m1 and the w1 under the root.
func adaboundTols(k *adaboundConsts, p0, g, m0, v0, m1, w1 float32) (tm, tv, tp float64) {
	D := zooAb(g) + zooAb(k.wd)*zooAb(p0)
	td := 4*fusedU*D + zooAbs
	tm = 8*fusedU*(zooAb(k.b1)*zooAb(m0)+zooAb(k.omb1)*D) + zooAb(k.omb1)*td + zooAbs
	o := zooAb(k.omb2)
	tv = 8*fusedU*(zooAb(k.b2)*zooAb(v0)+o*D*D) + o*(2*D*td+td*td) + zooAbs
	r, tr := zooSqrtTol(float64(w1), tv)
	r += float64(k.eps)
	x, tx := zooQuotTol(float64(k.step), 0, r, tr+4*fusedU*r)
	x = math.Min(math.Max(x, float64(k.lo)), float64(k.hi))
	M := zooAb(m1) + tm
	return tm, tv, 8*fusedU*(zooAb(p0)+x*M) + x*tm + M*tx + zooAbs
}

var adaboundTestParams = []struct {
	name string
	h    AdaBoundParams
}{
	{"default", AdaBoundParams{LR: 1e-3, FinalLR: 0.1, Gamma: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1}},
	{"l2-t50", AdaBoundParams{LR: 1e-2, FinalLR: 0.05, Gamma: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.05, Step: 50}},
	{"t1000", AdaBoundParams{LR: 3e-4, FinalLR: 0.1, Gamma: 1e-2, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, Step: 1000}},
}

// TestAdaBoundStepLevels runs AdaBoundStep and AMSBoundStep at every level
// against the reference over lengths 0..64 and large odd lengths at every
// offset, with NaN guard bands; the bounds clip a part of the elements in
// the later settings.
func TestAdaBoundStepLevels(t *testing.T) {
	names := []string{"p", "g", "m", "v", "vmax"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(35, 36)
		for _, tc := range adaboundTestParams {
			k := tc.h.consts()
			for _, ams := range []bool{false, true} {
				for _, c := range fusedCases(testing.Short()) {
					bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -1, 1),
						fusedUniform(r, -0.1, 0.1), fusedUniform(r, 0, 0.01), fusedUniform(r, 0, 0.02))
					in := zooCopies(bufs)
					out := zooCopies(bufs)
					if ams {
						adaboundStepGeneric(out[0], in[1], out[2], out[3], out[4], &k)
						AMSBoundStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s(), bufs[4].s(), tc.h)
					} else {
						adaboundStepGeneric(out[0], in[1], out[2], out[3], out[3], &k)
						AdaBoundStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s(), tc.h)
						bufs[4].checkUnchanged(t, "unused vmax", in[4])
					}
					zooCheckGuards(t, names, bufs, in, 1)
					for i := range in[0] {
						w := out[3][i]
						if ams {
							w = out[4][i]
						}
						tm, tv, tp := adaboundTols(&k, in[0][i], in[1][i], in[2][i], in[3][i], out[2][i], w)
						for j, tol := range []float64{tp, 0, tm, tv, tv} {
							if j != 1 && (ams || j != 4) && !fusedClose(bufs[j].s()[i], out[j][i], tol) {
								t.Fatalf("%s ams=%v n=%d off=%d [%d]: %s = %v, generic %v (tol %.3g)", tc.name, ams, c.n, c.off, i,
									names[j], bufs[j].s()[i], out[j][i], tol)
							}
						}
					}
					if t.Failed() {
						t.Fatalf("%s: n=%d off=%d", tc.name, c.n, c.off)
					}
				}
			}
		}
	})
}

// TestAdaBoundHand checks three steps of AdaBound and AMSBound against
// float64 arithmetic (METHODS 1.9), with an L2 term, bounds tight enough
// to clip, and that every effective rate (p_old − p_new)/m lies in
// [lo(t), hi(t)].
func TestAdaBoundHand(t *testing.T) {
	grads := [][]float32{{0.5, -1, 0.25, 1e-3}, {0.01, 1, -2, 0.125}, {-0.25, -1, 0.01, 3}}
	for _, ams := range []bool{false, true} {
		fusedForLevels(t, func(t *testing.T, l Level) {
			h := AdaBoundParams{LR: 1e-2, FinalLR: 0.05, Gamma: 0.5, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}
			p, m, v, w := []float32{1, -1, 2, 0.5}, make([]float32, 4), make([]float32, 4), make([]float32, 4)
			p64, m64, v64, w64 := []float64{1, -1, 2, 0.5}, make([]float64, 4), make([]float64, 4), make([]float64, 4)
			clipped := 0
			for s, g := range grads {
				h.Step = s + 1
				before := zooClone(p)
				if ams {
					AMSBoundStep(p, g, m, v, w, h)
				} else {
					AdaBoundStep(p, g, m, v, h)
				}
				tt := float64(h.Step)
				bc1, bc2 := 1-math.Pow(h.Beta1, tt), 1-math.Pow(h.Beta2, tt)
				lo, hi := h.FinalLR*(1-1/(h.Gamma*tt+1)), h.FinalLR*(1+1/(h.Gamma*tt))
				for i := range p64 {
					d := float64(g[i]) + h.WeightDecay*p64[i]
					m64[i] = h.Beta1*m64[i] + (1-h.Beta1)*d
					v64[i] = h.Beta2*v64[i] + (1-h.Beta2)*d*d
					if ams {
						w64[i] = math.Max(w64[i], v64[i])
					} else {
						w64[i] = v64[i]
					}
					x := h.LR * math.Sqrt(bc2) / bc1 / (math.Sqrt(w64[i]) + h.Eps)
					if x < lo || x > hi {
						clipped++
					}
					x = math.Min(math.Max(x, lo), hi)
					p64[i] -= x * m64[i]
					if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Abs(p64[i]) {
						t.Errorf("ams=%v step %d [%d]: p = %v, float64 %v", ams, s+1, i, p[i], p64[i])
					}
					rate := (float64(before[i]) - float64(p[i])) / float64(m[i])
					if tol := 4e-7*math.Abs(float64(before[i])/float64(m[i])) + 1e-6*hi; rate < lo-tol || rate > hi+tol {
						t.Errorf("ams=%v step %d [%d]: rate %v outside [%v, %v]", ams, s+1, i, rate, lo, hi)
					}
				}
			}
			if clipped < 4 {
				t.Errorf("only %d clipped rates: the test checks little", clipped)
			}
		})
	}
	fusedExpectPanic(t, "asm: adabound: length mismatch", func() {
		AdaBoundStep(make([]float32, 2), make([]float32, 2), make([]float32, 3), make([]float32, 2), AdaBoundParams{Step: 1})
	})
	fusedExpectPanic(t, "asm: amsbound: length mismatch", func() {
		AMSBoundStep(make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 2), nil, AdaBoundParams{Step: 1})
	})
	fusedExpectPanic(t, "asm: amsbound: step 0", func() { AMSBoundStep(nil, nil, nil, nil, nil, AdaBoundParams{}) })
}

// FuzzAdaBoundStep compares AdaBoundStep and AMSBoundStep at every
// supported level with the reference on fuzzed values (finite, |x| ≤ 1e4,
// v and vmax ≥ 0, subnormals included), lengths and hyperparameters.
func FuzzAdaBoundStep(f *testing.F) {
	seed := make([]byte, 20*37)
	for i := range seed {
		seed[i] = byte(i*31 + 3)
	}
	f.Add(seed, uint16(1), uint8(0), uint8(0), false)
	f.Add(seed[:20*5], uint16(900), uint8(200), uint8(90), true)
	f.Add([]byte{}, uint16(3), uint8(1), uint8(1), true)
	f.Fuzz(func(t *testing.T, data []byte, step uint16, hb1, hwd uint8, ams bool) {
		in := fusedFuzzFloats(data, 5)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		for _, j := range []int{3, 4} {
			for i := range in[j] {
				in[j][i] = float32(math.Abs(float64(in[j][i])))
			}
		}
		h := AdaBoundParams{
			LR: 1e-3 * (1 + float64(hb1%7)), FinalLR: 0.01 * (1 + float64(hwd%11)), Gamma: math.Pow(10, -float64(hb1%4)),
			Beta1: float64(hb1) / 256, Beta2: 0.9 + 0.0999*float64(hwd)/255,
			Eps: math.Pow(10, -4-float64(hwd%6)), WeightDecay: float64(hwd) / 1000, Step: int(step) + 1,
		}
		k := h.consts()
		out := [][]float32{zooClone(in[0]), nil, zooClone(in[2]), zooClone(in[3]), zooClone(in[4])}
		wr := out[3]
		if ams {
			wr = out[4]
		}
		adaboundStepGeneric(out[0], in[1], out[2], out[3], wr, &k)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			got := [][]float32{zooClone(in[0]), nil, zooClone(in[2]), zooClone(in[3]), zooClone(in[4])}
			if ams {
				AMSBoundStep(got[0], in[1], got[2], got[3], got[4], h)
			} else {
				AdaBoundStep(got[0], in[1], got[2], got[3], h)
			}
			for i := range in[0] {
				tm, tv, tp := adaboundTols(&k, in[0][i], in[1][i], in[2][i], in[3][i], out[2][i], wr[i])
				for j, tol := range []float64{tp, 0, tm, tv, tv} {
					if j != 1 && !fusedClose(got[j][i], out[j][i], tol) {
						t.Fatalf("%v ams=%v: element %d of %d (p=%v g=%v m=%v v=%v vmax=%v): output %d = %v, generic %v",
							l, ams, i, len(in[0]), in[0][i], in[1][i], in[2][i], in[3][i], in[4][i], j, got[j][i], out[j][i])
					}
				}
			}
		}
	})
}

// BenchmarkAMSBound: p, g, m, v, vmax read and p, m, v, vmax written, 36
// bytes per param; run it with BenchmarkAdam and BenchmarkAdaBound to
// compare.
func BenchmarkAMSBound(b *testing.B) {
	fusedBench(b, fusedOptSizes, 36, func(b *testing.B, n int) {
		p, g := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1)
		m, v := fusedBenchSlice(n, 2, -0.1, 0.1), fusedBenchSlice(n, 3, 0, 0.01)
		w := fusedBenchSlice(n, 5, 0, 0.01)
		h := AdaBoundParams{LR: 1e-3, FinalLR: 0.1, Gamma: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
		for i := 0; b.Loop(); i++ {
			h.Step = i + 1
			AMSBoundStep(p, g, m, v, w, h)
		}
	})
}
