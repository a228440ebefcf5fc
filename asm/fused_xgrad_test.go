package asm

import (
	"fmt"
	"math"
	"runtime"
	"testing"
)

// xgradQTol returns the bound on |m/(√w·rbc2+ε)| and its tolerance,
// given m's magnitude with tolerance tm and w with tolerance tw (as
// adamPTol carries them).
func xgradQTol(rbc2, eps float32, m float32, tm float64, w float32, tw float64) (q, tq float64) {
	r := float64(rbc2)
	d := math.Sqrt(float64(w))*r + float64(eps)
	dd := r*(math.Sqrt(float64(w)+tw)-math.Sqrt(math.Max(float64(w)-tw, 0))) + 4*fusedU*d
	return zooQuotTol(zooAb(m), tm, d, dd)
}

// xgradPredictTol is the tolerance on p' = p0 − k·(c1·q).
func xgradPredictTol(k *xgradPredictConsts, p0, m, v float32) float64 {
	q, tq := xgradQTol(k.rbc2, k.eps, m, zooAbs, v, zooAbs)
	s := float64(k.k) * float64(k.c1)
	return 8*fusedU*(zooAb(p0)+s*q) + s*tq + zooAbs
}

// xgradStepTols returns the tolerances on m, v, dir and p of one element
// of XGradStep, given the inputs and the reference's m and v.
func xgradStepTols(k *xgradConsts, t0, g, m0, v0, m1, v1 float32) (tm, tv, td, tp float64) {
	G := zooAb(g)
	tm = 8*fusedU*(zooAb(k.b1)*zooAb(m0)+zooAb(k.omb1)*G) + zooAbs
	tv = 8*fusedU*(zooAb(k.b2)*zooAb(v0)+zooAb(k.omb2)*G*G) + zooAbs
	q, tq := xgradQTol(k.rbc2, k.eps, m1, tm, v1, tv)
	c1, lr := float64(k.c1), float64(k.lr)
	td = c1*tq + 4*fusedU*c1*q + zooAbs
	tp = 8*fusedU*(zooAb(t0)+lr*c1*q) + lr*td + zooAbs
	return tm, tv, td, tp
}

// xgradSGDTols returns the tolerances on b and p of XGradSGDStep.
func xgradSGDTols(k *xgradSGDConsts, t0, g, b0, b1 float32) (tb, tp float64) {
	D := zooAb(g) + zooAb(k.wd)*zooAb(t0)
	tb = 8*fusedU*(zooAb(k.mu)*zooAb(b0)+zooAb(k.omd)*D) + zooAb(k.omd)*4*fusedU*D + zooAbs
	tp = 8*fusedU*(zooAb(t0)+zooAb(k.lr)*zooAb(b1)) + zooAb(k.lr)*tb + zooAbs
	return tb, tp
}

var xgradPredictTestParams = []XGradPredictParams{
	{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1},
	{LR: 2.5e-2, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, Step: 1000},
}

var xgradTestParams = []XGradParams{
	{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1},
	{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Step: 7},
	{LR: 3e-4, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.01, Step: 1000},
}

var xgradSGDTestParams = []XGradSGDParams{
	{LR: 1e-2, Momentum: 0.9},
	{LR: 5e-2, Momentum: 0.5, Dampening: 0.1, WeightDecay: 0.01},
}

// TestXGradPredictLevels runs XGradPredict at every level against the
// reference over lengths 0..64 and large odd lengths at every offset,
// with NaN guard bands: saved must get p's bits, m and v stay unchanged.
func TestXGradPredictLevels(t *testing.T) {
	names := []string{"p", "saved", "m", "v"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(61, 62)
		for _, h := range xgradPredictTestParams {
			k := h.consts()
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -9, 9),
					fusedUniform(r, -0.1, 0.1), fusedUniform(r, 0, 0.01))
				in := zooCopies(bufs)
				pr, sr := zooClone(in[0]), zooClone(in[1])
				xgradPredictGeneric(pr, sr, in[2], in[3], &k)
				XGradPredict(bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s(), h)
				zooCheckGuards(t, names, bufs, in, 2, 3)
				bufs[1].checkUnchanged(t, "saved", in[0])
				for i := range pr {
					if tp := xgradPredictTol(&k, in[0][i], in[2][i], in[3][i]); !fusedClose(bufs[0].s()[i], pr[i], tp) {
						t.Fatalf("step %d n=%d off=%d [%d]: p = %v, generic %v (tol %.3g)", h.Step, c.n, c.off, i, bufs[0].s()[i], pr[i], tp)
					}
				}
				if t.Failed() {
					t.Fatalf("step %d: n=%d off=%d", h.Step, c.n, c.off)
				}
			}
		}
	})
}

// TestXGradPredictDirLevels runs XGradPredictDir at every level against
// the reference, with d apart and with d the saved slice itself.
func TestXGradPredictDirLevels(t *testing.T) {
	names := []string{"p", "saved", "d"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(63, 64)
		const lr = 0.0375
		k := float32(lr)
		for _, alias := range []bool{false, true} {
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -9, 9), fusedUniform(r, -2, 2))
				if alias {
					copy(bufs[1].s(), bufs[2].s())
				}
				in := zooCopies(bufs)
				d := bufs[2].s()
				if alias {
					d = bufs[1].s()
				}
				pr, sr := zooClone(in[0]), zooClone(in[1])
				dr := in[2]
				if alias {
					dr = sr
				}
				xgradPredictDirGeneric(pr, sr, dr, k)
				XGradPredictDir(bufs[0].s(), bufs[1].s(), d, lr)
				zooCheckGuards(t, names, bufs, in, 2)
				bufs[1].checkUnchanged(t, "saved", in[0])
				for i := range pr {
					x := in[2][i]
					tp := 4*fusedU*(zooAb(in[0][i])+float64(k)*zooAb(x)) + zooAbs
					if !fusedClose(bufs[0].s()[i], pr[i], tp) {
						t.Fatalf("alias=%v n=%d off=%d [%d]: p = %v, generic %v", alias, c.n, c.off, i, bufs[0].s()[i], pr[i])
					}
				}
				if t.Failed() {
					t.Fatalf("alias=%v: n=%d off=%d", alias, c.n, c.off)
				}
			}
		}
	})
}

// xgradStepCase runs XGradStep once on fresh guarded buffers in the given
// aliasing mode and checks it against the reference: "apart" (all slices
// distinct), "nodir" (dir nil), "theta=p" (no prediction), "dir=theta"
// (the direction overwrites the saved θ). It returns the p it computed.
func xgradStepCase(t *testing.T, h XGradParams, mode string, n, off int, gens []func() float32) []float32 {
	t.Helper()
	k := h.consts()
	names := []string{"p", "theta", "g", "m", "v", "dir"}
	bufs := zooInputs(n, off, gens...)
	in := zooCopies(bufs)
	s := func(i int) []float32 { return bufs[i].s() }
	p, theta, dir := s(0), s(1), s(5)
	readOnly := []int{1, 2}
	switch mode {
	case "nodir":
		dir = nil
		readOnly = append(readOnly, 5)
	case "theta=p":
		theta = p
		readOnly = []int{1, 2}
	case "dir=theta":
		dir = theta
		readOnly = []int{2, 5}
	}
	t0 := in[1]
	if mode == "theta=p" {
		t0 = in[0]
	}
	pr, mr, vr, dr := zooClone(in[0]), zooClone(in[3]), zooClone(in[4]), make([]float32, n)
	thr := zooClone(t0)
	if mode == "theta=p" {
		thr = pr
	}
	xgradStepGeneric(pr, thr, in[2], mr, vr, dr, &k)
	XGradStep(p, theta, s(2), s(3), s(4), dir, h)
	zooCheckGuards(t, names, bufs, in, readOnly...)
	for i := range pr {
		tm, tv, td, tp := xgradStepTols(&k, t0[i], in[2][i], in[3][i], in[4][i], mr[i], vr[i])
		if !fusedClose(s(3)[i], mr[i], tm) || !fusedClose(s(4)[i], vr[i], tv) || !fusedClose(p[i], pr[i], tp) ||
			(dir != nil && !fusedClose(dir[i], dr[i], td)) {
			var di float32
			if dir != nil {
				di = dir[i]
			}
			t.Fatalf("%s step %d n=%d off=%d [%d]: got p,m,v,dir = %v %v %v %v; generic %v %v %v %v",
				mode, h.Step, n, off, i, p[i], s(3)[i], s(4)[i], di, pr[i], mr[i], vr[i], dr[i])
		}
	}
	return zooClone(p)
}

// TestXGradStepLevels runs XGradStep at every level against the
// reference in every aliasing mode, and checks that storing the
// direction does not change p, m or v by a bit.
func TestXGradStepLevels(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		for hi, h := range xgradTestParams {
			for _, c := range fusedCases(testing.Short()) {
				var ps [][]float32
				for _, mode := range []string{"apart", "nodir", "theta=p", "dir=theta"} {
					r := zooRand(65, uint64(hi*1000+c.n*8+c.off))
					gens := []func() float32{fusedUniform(r, -1, 1), fusedUniform(r, -1, 1), fusedUniform(r, -1, 1),
						fusedUniform(r, -0.1, 0.1), fusedUniform(r, 0, 0.01), fusedUniform(r, -5, 5)}
					ps = append(ps, xgradStepCase(t, h, mode, c.n, c.off, gens))
				}
				for i := range ps[0] {
					if math.Float32bits(ps[0][i]) != math.Float32bits(ps[1][i]) || math.Float32bits(ps[0][i]) != math.Float32bits(ps[3][i]) {
						t.Fatalf("step %d n=%d [%d]: p with dir %v, without %v, dir=theta %v", h.Step, c.n, i, ps[0][i], ps[1][i], ps[3][i])
					}
				}
			}
		}
	})
}

// TestXGradSGDStepLevels runs XGradSGDStep at every level against the
// reference, with theta apart and theta = p.
func TestXGradSGDStepLevels(t *testing.T) {
	names := []string{"p", "theta", "g", "b"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(67, 68)
		for _, h := range xgradSGDTestParams {
			k := h.consts()
			for _, same := range []bool{false, true} {
				for _, c := range fusedCases(testing.Short()) {
					bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -1, 1),
						fusedUniform(r, -1, 1), fusedUniform(r, -0.5, 0.5))
					in := zooCopies(bufs)
					theta, t0 := bufs[1].s(), in[1]
					if same {
						theta, t0 = bufs[0].s(), in[0]
					}
					pr, br := zooClone(in[0]), zooClone(in[3])
					thr := zooClone(t0)
					if same {
						thr = pr
					}
					xgradSGDStepGeneric(pr, thr, in[2], br, &k)
					XGradSGDStep(bufs[0].s(), theta, bufs[2].s(), bufs[3].s(), h)
					zooCheckGuards(t, names, bufs, in, 1, 2)
					for i := range pr {
						tb, tp := xgradSGDTols(&k, t0[i], in[2][i], in[3][i], br[i])
						if !fusedClose(bufs[3].s()[i], br[i], tb) || !fusedClose(bufs[0].s()[i], pr[i], tp) {
							t.Fatalf("same=%v n=%d off=%d [%d]: got p,b = %v %v; generic %v %v",
								same, c.n, c.off, i, bufs[0].s()[i], bufs[3].s()[i], pr[i], br[i])
						}
					}
					if t.Failed() {
						t.Fatalf("same=%v: n=%d off=%d", same, c.n, c.off)
					}
				}
			}
		}
	})
}

// xgrad64 is an independent float64 transcription of three XGrad-AdamW
// steps with the gradient of ½Σ h_i θ_i² taken at the predicted point.
func xgrad64(theta, hs []float64, h XGradParams, s float64, steps int) []float64 {
	θ := append([]float64(nil), theta...)
	m, v := make([]float64, len(θ)), make([]float64, len(θ))
	for t := 1; t <= steps; t++ {
		g := make([]float64, len(θ))
		for i := range θ {
			x := θ[i]
			if t > 1 {
				bc1, bc2 := 1-math.Pow(h.Beta1, float64(t-1)), 1-math.Pow(h.Beta2, float64(t-1))
				x -= s * h.LR * (m[i] / bc1) / (math.Sqrt(v[i]/bc2) + h.Eps)
			}
			g[i] = float64(float32(hs[i] * x))
		}
		bc1, bc2 := 1-math.Pow(h.Beta1, float64(t)), 1-math.Pow(h.Beta2, float64(t))
		for i := range θ {
			m[i] = h.Beta1*m[i] + (1-h.Beta1)*g[i]
			v[i] = h.Beta2*v[i] + (1-h.Beta2)*g[i]*g[i]
			θ[i] -= h.LR * ((m[i]/bc1)/(math.Sqrt(v[i]/bc2)+h.Eps) + h.WeightDecay*θ[i])
		}
	}
	return θ
}

// TestXGradHandSteps runs XGrad-AdamW for 5 steps on ½Σ h_i θ_i² at
// every level in both forms: the prediction from m and v
// (XGradPredict, XGradStep without dir) and from the direction the
// previous step stored (XGradPredictDir, XGradStep with dir = saved), and
// checks both against float64 arithmetic; the two forms must agree to a
// few ulps, and θ must come back bit for bit from saved.
func TestXGradHandSteps(t *testing.T) {
	theta := []float64{1, -2, 0.5, 3, -0.25, 4, 0.125, -1.5, 2, 1e-3, -7, 0.75, 1.25, -3, 5, 0.3, -0.6}
	hs := make([]float64, len(theta))
	for i := range hs {
		hs[i] = 0.5 + float64(i%5)
	}
	h := XGradParams{LR: 0.05, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1}
	const s, steps = 1.5, 5
	want := xgrad64(theta, hs, h, s, steps)
	fusedForLevels(t, func(t *testing.T, l Level) {
		var got [2][]float32
		for form := range 2 {
			n := len(theta)
			p, saved, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
			for i, x := range theta {
				p[i] = float32(x)
			}
			for ti := 1; ti <= steps; ti++ {
				th := p
				if ti > 1 {
					before := zooClone(p)
					k := float64(float32(s) * float32(h.LR))
					if form == 0 {
						XGradPredict(p, saved, m, v, XGradPredictParams{LR: k, Beta1: h.Beta1, Beta2: h.Beta2, Eps: h.Eps, Step: ti - 1})
					} else {
						XGradPredictDir(p, saved, saved, k)
					}
					for i := range p {
						if math.Float32bits(saved[i]) != math.Float32bits(before[i]) {
							t.Fatalf("form %d step %d: saved[%d] = %v, θ was %v", form, ti, i, saved[i], before[i])
						}
					}
					th = saved
				}
				for i := range g {
					g[i] = float32(hs[i]) * p[i]
				}
				hh := h
				hh.Step = ti
				var dir []float32
				if form == 1 {
					dir = saved
				}
				XGradStep(p, th, g, m, v, dir, hh)
			}
			got[form] = p
			for i := range p {
				if math.Abs(float64(p[i])-want[i]) > 1e-5*math.Abs(want[i])+1e-6 {
					t.Errorf("form %d [%d]: θ = %v, float64 %v", form, i, p[i], want[i])
				}
			}
		}
		for i := range got[0] {
			if d := math.Abs(float64(got[0][i] - got[1][i])); d > 8*ulp32(got[0][i]) {
				t.Errorf("[%d]: from m, v %v; from the stored direction %v", i, got[0][i], got[1][i])
			}
		}
	})
}

// ulp32 is the spacing of float32 at x.
func ulp32(x float32) float64 {
	a := float32(math.Abs(float64(x)))
	return float64(math.Nextafter32(a, float32(math.Inf(1))) - a)
}

// TestXGradSGDHand checks 4 steps of XGrad-SGDM (predict with
// XGradPredictDir from b, step with XGradSGDStep) against float64.
func TestXGradSGDHand(t *testing.T) {
	theta := []float64{1, -2, 0.5, 3, -0.25, 4, 0.125, -1.5, 2, 1e-3, -7}
	const lr, mu, tau, wd, s = 0.05, 0.9, 0.1, 0.01, 1.0
	θ := append([]float64(nil), theta...)
	b := make([]float64, len(θ))
	for t := 1; t <= 4; t++ {
		for i := range θ {
			x := θ[i]
			if t > 1 {
				x -= s * lr * b[i]
			}
			g := float64(float32((0.5+float64(i%3))*x)) + wd*θ[i]
			b[i] = mu*b[i] + (1-tau)*g
			θ[i] -= lr * b[i]
		}
	}
	fusedForLevels(t, func(t *testing.T, l Level) {
		n := len(theta)
		p, saved, g, bb := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i, x := range theta {
			p[i] = float32(x)
		}
		for ti := 1; ti <= 4; ti++ {
			th := p
			if ti > 1 {
				XGradPredictDir(p, saved, bb, s*lr)
				th = saved
			}
			for i := range g {
				g[i] = float32(0.5+float64(i%3)) * p[i]
			}
			XGradSGDStep(p, th, g, bb, XGradSGDParams{LR: lr, Momentum: mu, Dampening: tau, WeightDecay: wd})
		}
		for i := range p {
			if math.Abs(float64(p[i])-θ[i]) > 1e-5*math.Abs(θ[i])+1e-6 {
				t.Errorf("[%d]: θ = %v, float64 %v", i, p[i], θ[i])
			}
		}
	})
}

func TestXGradPanics(t *testing.T) {
	a, b := make([]float32, 3), make([]float32, 4)
	ph := XGradPredictParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Step: 1}
	fusedExpectPanic(t, "asm: xgradpredict: length mismatch", func() { XGradPredict(a, a, a, b, ph) })
	fusedExpectPanic(t, "asm: xgradpredict: length mismatch", func() { XGradPredict(a, b, a, a, ph) })
	ph.Step = 0
	fusedExpectPanic(t, "asm: xgradpredict: step 0", func() { XGradPredict(a, make([]float32, 3), a, a, ph) })
	fusedExpectPanic(t, "asm: xgradpredictdir: length mismatch", func() { XGradPredictDir(a, b, a, 1) })
	fusedExpectPanic(t, "asm: xgradpredictdir: length mismatch", func() { XGradPredictDir(a, a, b, 1) })
	h := XGradParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Step: 1}
	fusedExpectPanic(t, "asm: xgrad: length mismatch", func() { XGradStep(a, a, a, a, b, nil, h) })
	fusedExpectPanic(t, "asm: xgrad: length mismatch", func() { XGradStep(a, b, a, a, a, nil, h) })
	fusedExpectPanic(t, "asm: xgrad: length mismatch", func() { XGradStep(a, a, a, a, a, b, h) })
	h.Step = 0
	fusedExpectPanic(t, "asm: xgrad: step 0", func() { XGradStep(a, a, a, a, a, nil, h) })
	fusedExpectPanic(t, "asm: xgradsgd: length mismatch", func() { XGradSGDStep(a, a, a, b, XGradSGDParams{}) })
	fusedExpectPanic(t, "asm: xgradsgd: length mismatch", func() { XGradSGDStep(a, a, b, a, XGradSGDParams{}) })
}

// FuzzXGradStep compares the four XGrad kernels at every supported level
// with their references on fuzzed values (finite, |x| ≤ 1e4, v ≥ 0,
// subnormals included), lengths and hyperparameters.
func FuzzXGradStep(f *testing.F) {
	seed := make([]byte, 20*37)
	for i := range seed {
		seed[i] = byte(i*7 + 3)
	}
	f.Add(seed, uint8(0), uint8(0), uint16(1))
	f.Add(seed[:20*5], uint8(200), uint8(90), uint16(7))
	f.Add(seed[:20*19], uint8(7), uint8(3), uint16(1000))
	f.Add([]byte{}, uint8(1), uint8(1), uint16(2))
	f.Fuzz(func(t *testing.T, data []byte, hb, hwd uint8, step uint16) {
		in := fusedFuzzFloats(data, 5) // p, theta, g, m, v (v also d, b)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		for i := range in[4] {
			in[4][i] = float32(math.Abs(float64(in[4][i])))
		}
		st := 1 + int(step%2000)
		lr := 1e-3 * (1 + float64(hb%7))
		b1, b2 := 0.5+0.45*float64(hb)/255, 0.9+0.0999*float64(hwd)/255
		eps := math.Pow(10, -4-float64(hwd%6))
		ph := XGradPredictParams{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, Step: st}
		h := XGradParams{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: float64(hwd) / 1000, Step: st}
		sh := XGradSGDParams{LR: lr, Momentum: b1, Dampening: float64(hwd%100) / 200, WeightDecay: float64(hwd) / 1000}
		kp, k, ks := ph.consts(), h.consts(), sh.consts()
		n := len(in[0])
		pp, ps := zooClone(in[0]), make([]float32, n)
		xgradPredictGeneric(pp, ps, in[3], in[4], &kp)
		pd, ds := zooClone(in[0]), zooClone(in[2])
		xgradPredictDirGeneric(pd, ds, ds, float32(lr))
		pr, mr, vr, dr := zooClone(in[0]), zooClone(in[3]), zooClone(in[4]), make([]float32, n)
		xgradStepGeneric(pr, in[1], in[2], mr, vr, dr, &k)
		psg, bsg := zooClone(in[0]), zooClone(in[3])
		xgradSGDStepGeneric(psg, in[1], in[2], bsg, &ks)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			fail := func(what string, i int, got, want float32) {
				t.Fatalf("%v %s: element %d of %d (p=%v θ=%v g=%v m=%v v=%v): got %v, generic %v (%s)",
					l, what, i, n, in[0][i], in[1][i], in[2][i], in[3][i], in[4][i], got, want, fmt.Sprint(h))
			}
			p, s := zooClone(in[0]), make([]float32, n)
			XGradPredict(p, s, in[3], in[4], ph)
			for i := range p {
				if math.Float32bits(s[i]) != math.Float32bits(in[0][i]) {
					fail("predict saved", i, s[i], in[0][i])
				}
				if !fusedClose(p[i], pp[i], xgradPredictTol(&kp, in[0][i], in[3][i], in[4][i])) {
					fail("predict p", i, p[i], pp[i])
				}
			}
			p, s = zooClone(in[0]), zooClone(in[2])
			XGradPredictDir(p, s, s, lr)
			for i := range p {
				if !fusedClose(p[i], pd[i], 4*fusedU*(zooAb(in[0][i])+lr*zooAb(in[2][i]))+zooAbs) ||
					math.Float32bits(s[i]) != math.Float32bits(in[0][i]) {
					fail("predictdir", i, p[i], pd[i])
				}
			}
			p, m, v, d := zooClone(in[0]), zooClone(in[3]), zooClone(in[4]), make([]float32, n)
			XGradStep(p, in[1], in[2], m, v, d, h)
			for i := range p {
				tm, tv, td, tp := xgradStepTols(&k, in[1][i], in[2][i], in[3][i], in[4][i], mr[i], vr[i])
				if !fusedClose(m[i], mr[i], tm) || !fusedClose(v[i], vr[i], tv) ||
					!fusedClose(d[i], dr[i], td) || !fusedClose(p[i], pr[i], tp) {
					fail("step p", i, p[i], pr[i])
				}
			}
			p, b := zooClone(in[0]), zooClone(in[3])
			XGradSGDStep(p, in[1], in[2], b, sh)
			for i := range p {
				tb, tp := xgradSGDTols(&ks, in[1][i], in[2][i], in[3][i], bsg[i])
				if !fusedClose(b[i], bsg[i], tb) || !fusedClose(p[i], psg[i], tp) {
					fail("sgd p", i, p[i], psg[i])
				}
			}
		}
	})
}

// BenchmarkXGradKernels times the elementwise work of one XGrad step on
// one parameter of n elements, one thread, next to fused AdamW's step in
// the same run (the objective's gradient is not included):
//
//	adamw        AdamStep (decoupled)
//	xgrad-mv     XGradPredict from m and v, then XGradStep without dir
//	xgrad-dir    XGradPredictDir from the stored direction, then XGradStep
//	             storing the next one over it
//	sgdm         SGDStep with momentum
//	xgrad-sgdm   XGradPredictDir from b, then XGradSGDStep
//
// ns/param is reported, and cpu-ns/param, the thread's CPU time
// (sgemmCPUTime), which leaves out the time other processes held the
// core on a shared machine.
func BenchmarkXGradKernels(b *testing.B) {
	for _, n := range []int{1 << 14, 1_000_000} {
		r := zooRand(71, 72)
		mk := func(lo, hi float64) []float32 { return fusedNewBuf(n, 0).fill(fusedUniform(r, lo, hi)).s() }
		p, g, m, v, s := mk(-1, 1), mk(-1, 1), mk(-0.1, 0.1), mk(0, 0.01), mk(-1, 1)
		h := XGradParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Step: 10}
		ph := XGradPredictParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 9}
		ah := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Step: 10, Decoupled: true}
		sh := XGradSGDParams{LR: 1e-3, Momentum: 0.9}
		for _, c := range []struct {
			name string
			run  func()
		}{
			{"adamw", func() { AdamStep(p, g, m, v, ah) }},
			{"xgrad-mv", func() { XGradPredict(p, s, m, v, ph); XGradStep(p, s, g, m, v, nil, h) }},
			{"xgrad-dir", func() { XGradPredictDir(p, s, s, 1e-3); XGradStep(p, s, g, m, v, s, h) }},
			{"sgdm", func() { SGDStep(p, g, m, SGDParams{LR: 1e-3, Momentum: 0.9}) }},
			{"xgrad-sgdm", func() { XGradPredictDir(p, s, m, 1e-3); XGradSGDStep(p, s, g, m, sh) }},
		} {
			b.Run(fmt.Sprintf("%s/%d", c.name, n), func(b *testing.B) {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				c0 := sgemmCPUTime()
				for b.Loop() {
					c.run()
				}
				b.ReportMetric((sgemmCPUTime()-c0)*1e9/float64(b.N)/float64(n), "cpu-ns/param")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
			})
		}
	}
}
