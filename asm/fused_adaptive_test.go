package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Tests of AMSGradStep and AdaBeliefStep, the lower-priority relatives of
// AdamStep, with the same harness.

// TestAMSGradStepLevels runs AMSGradStep at every level against the
// reference; half of vmax starts above the new v, half below.
func TestAMSGradStepLevels(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(13, 14))
		for _, tc := range adamTestParams {
			k := tc.h.consts()
			for _, c := range fusedCases(testing.Short()) {
				pb := fusedNewBuf(c.n, c.off).fill(fusedUniform(r, -1, 1))
				gb := fusedNewBuf(c.n, (c.off+3)%8).fill(fusedUniform(r, -1, 1))
				mb := fusedNewBuf(c.n, (c.off+5)%8).fill(fusedUniform(r, -0.1, 0.1))
				vb := fusedNewBuf(c.n, (c.off+6)%8).fill(fusedUniform(r, 0, 0.01))
				wb := fusedNewBuf(c.n, (c.off+1)%8).fill(fusedUniform(r, 0, 0.02))
				p0, g0, m0, v0 := pb.copy(), gb.copy(), mb.copy(), vb.copy()
				pr, mr, vr, wr := pb.copy(), mb.copy(), vb.copy(), wb.copy()
				amsgradStepGeneric(pr, g0, mr, vr, wr, &k)
				AMSGradStep(pb.s(), gb.s(), mb.s(), vb.s(), wb.s(), tc.h)
				pb.checkGuards(t, "p")
				mb.checkGuards(t, "m")
				vb.checkGuards(t, "v")
				wb.checkGuards(t, "vmax")
				gb.checkUnchanged(t, "g", g0)
				for i := range p0 {
					tm, tv, _ := adamTols(&k, p0[i], g0[i], m0[i], v0[i], mr[i], vr[i])
					tp := adamPTol(&k, p0[i], mr[i], tm, wr[i], tv)
					if !fusedClose(mb.s()[i], mr[i], tm) || !fusedClose(vb.s()[i], vr[i], tv) ||
						!fusedClose(wb.s()[i], wr[i], tv) || !fusedClose(pb.s()[i], pr[i], tp) {
						t.Fatalf("%s n=%d off=%d [%d]: got p,m,v,vmax = %v %v %v %v; generic %v %v %v %v", tc.name, c.n, c.off, i,
							pb.s()[i], mb.s()[i], vb.s()[i], wb.s()[i], pr[i], mr[i], vr[i], wr[i])
					}
				}
				if t.Failed() {
					t.Fatalf("%s: n=%d off=%d", tc.name, c.n, c.off)
				}
			}
		}
	})
}

// TestAMSGradHand checks three steps against float64 arithmetic and that
// vmax never decreases; with a shrinking gradient AMSGrad keeps the old
// maximum, so its step is smaller than Adam's.
func TestAMSGradHand(t *testing.T) {
	h := AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	fusedForLevels(t, func(t *testing.T, l Level) {
		p, m, v, w := []float32{1, -1}, []float32{0, 0}, []float32{0, 0}, []float32{0, 0}
		p64, m64, v64, w64 := []float64{1, -1}, []float64{0, 0}, []float64{0, 0}, []float64{0, 0}
		grads := [][]float32{{1, -0.5}, {0.01, -0.5}, {0.01, 0.25}}
		for s, g := range grads {
			h.Step = s + 1
			wOld := append([]float32(nil), w...)
			AMSGradStep(p, g, m, v, w, h)
			bc1, bc2 := 1-math.Pow(h.Beta1, float64(h.Step)), 1-math.Pow(h.Beta2, float64(h.Step))
			for i := range p64 {
				gi := float64(g[i])
				m64[i] = h.Beta1*m64[i] + (1-h.Beta1)*gi
				v64[i] = h.Beta2*v64[i] + (1-h.Beta2)*gi*gi
				w64[i] = math.Max(w64[i], v64[i])
				p64[i] -= h.LR / bc1 * m64[i] / (math.Sqrt(w64[i])/math.Sqrt(bc2) + h.Eps)
				if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Abs(p64[i]) || math.Abs(float64(w[i])-w64[i]) > 1e-6*w64[i] {
					t.Errorf("step %d [%d]: p, vmax = %v %v; float64 %v %v", s+1, i, p[i], w[i], p64[i], w64[i])
				}
				if w[i] < wOld[i] {
					t.Errorf("step %d [%d]: vmax decreased from %v to %v", s+1, i, wOld[i], w[i])
				}
			}
		}
	})
	fusedExpectPanic(t, "asm: amsgrad: length mismatch", func() {
		AMSGradStep(make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 3), h)
	})
}

// adabeliefTols: as adamTols, with the residual r = g' − m in place of g.
func adabeliefTols(k *adamConsts, p0, g, m0, s0, m1, s1 float32) (tm, ts, tp float64) {
	ab := func(x float32) float64 { return math.Abs(float64(x)) }
	const abs = 2 * fusedMinNormal
	G := ab(g) + ab(k.wd)*ab(p0)
	tm = 8*fusedU*(ab(k.b1)*ab(m0)+ab(k.omb1)*G) + abs
	R := G + ab(m1)
	dR := tm + 2*fusedU*R
	o := ab(k.omb2)
	ts = 8*fusedU*(ab(k.b2)*ab(s0)+o*R*R+ab(k.eps)) + o*(2*R*dR+dR*dR) + abs
	return tm, ts, adamPTol(k, p0, m1, tm, s1, ts)
}

// TestAdaBeliefStepLevels runs AdaBeliefStep at every level against the
// reference.
func TestAdaBeliefStepLevels(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(15, 16))
		for _, tc := range adamTestParams {
			h := tc.h
			h.Eps = 1e-16
			k := h.consts()
			for _, c := range fusedCases(testing.Short()) {
				pb := fusedNewBuf(c.n, c.off).fill(fusedUniform(r, -1, 1))
				gb := fusedNewBuf(c.n, (c.off+3)%8).fill(fusedUniform(r, -1, 1))
				mb := fusedNewBuf(c.n, (c.off+5)%8).fill(fusedUniform(r, -0.1, 0.1))
				sb := fusedNewBuf(c.n, (c.off+6)%8).fill(fusedUniform(r, 0, 0.01))
				p0, g0, m0, s0 := pb.copy(), gb.copy(), mb.copy(), sb.copy()
				pr, mr, sr := pb.copy(), mb.copy(), sb.copy()
				adabeliefStepGeneric(pr, g0, mr, sr, &k)
				AdaBeliefStep(pb.s(), gb.s(), mb.s(), sb.s(), h)
				pb.checkGuards(t, "p")
				mb.checkGuards(t, "m")
				sb.checkGuards(t, "s")
				gb.checkUnchanged(t, "g", g0)
				for i := range p0 {
					tm, ts, tp := adabeliefTols(&k, p0[i], g0[i], m0[i], s0[i], mr[i], sr[i])
					if !fusedClose(mb.s()[i], mr[i], tm) || !fusedClose(sb.s()[i], sr[i], ts) || !fusedClose(pb.s()[i], pr[i], tp) {
						t.Fatalf("%s n=%d off=%d [%d]: got p,m,s = %v %v %v; generic %v %v %v", tc.name, c.n, c.off, i,
							pb.s()[i], mb.s()[i], sb.s()[i], pr[i], mr[i], sr[i])
					}
				}
				if t.Failed() {
					t.Fatalf("%s: n=%d off=%d", tc.name, c.n, c.off)
				}
			}
		}
	})
}

// TestAdaBeliefHand checks three steps against float64 arithmetic
// (METHODS 1.7), and the method's point: with a constant gradient s
// shrinks, so the step grows past Adam's η.
func TestAdaBeliefHand(t *testing.T) {
	h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-16}
	fusedForLevels(t, func(t *testing.T, l Level) {
		p, m, s := []float32{1, -1, 2}, []float32{0, 0, 0}, []float32{0, 0, 0}
		p64, m64, s64 := []float64{1, -1, 2}, []float64{0, 0, 0}, []float64{0, 0, 0}
		grads := [][]float32{{0.5, -1, 0.25}, {0.5, 1, 0.25}, {0.5, -1, 0.25}}
		for st, g := range grads {
			h.Step = st + 1
			AdaBeliefStep(p, g, m, s, h)
			bc1, bc2 := 1-math.Pow(h.Beta1, float64(h.Step)), 1-math.Pow(h.Beta2, float64(h.Step))
			for i := range p64 {
				gi := float64(g[i])
				m64[i] = h.Beta1*m64[i] + (1-h.Beta1)*gi
				s64[i] = h.Beta2*s64[i] + (1-h.Beta2)*(gi-m64[i])*(gi-m64[i]) + h.Eps
				p64[i] -= h.LR / bc1 * m64[i] / (math.Sqrt(s64[i]/bc2) + h.Eps)
				if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Abs(p64[i]) || math.Abs(float64(s[i])-s64[i]) > 1e-5*s64[i] {
					t.Errorf("step %d [%d]: p, s = %v %v; float64 %v %v", st+1, i, p[i], s[i], p64[i], s64[i])
				}
			}
		}
		// Coordinates 0 and 2 saw a constant gradient: each step after the
		// first moved p by more than η (Adam would move by about η).
		if d := 1 - float64(p[0]); d < 3*h.LR {
			t.Errorf("constant gradient: moved %v in 3 steps, want > 3η", d)
		}
	})
	fusedExpectPanic(t, "asm: adabelief: length mismatch", func() {
		AdaBeliefStep(make([]float32, 2), make([]float32, 2), make([]float32, 3), make([]float32, 2), h)
	})
}
