package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// adamTols returns the tolerances on m, v and p for one element: a few
// unit roundoffs of the magnitudes of the terms each result sums (the
// assembly fuses multiply-adds and so rounds fewer times), carried through
// the square root and the division, plus 2^-125 for flushed
// intermediates. p0, g, m0, v0 are the inputs; m1, v1 the reference's
// outputs.
func adamTols(k *adamConsts, p0, g, m0, v0, m1, v1 float32) (tm, tv, tp float64) {
	ab := func(x float32) float64 { return math.Abs(float64(x)) }
	const abs = 2 * fusedMinNormal
	G := ab(g) + ab(k.wd)*ab(p0)
	tm = 8*fusedU*(ab(k.b1)*ab(m0)+ab(k.omb1)*G) + abs
	tv = 8*fusedU*(ab(k.b2)*ab(v0)+ab(k.omb2)*G*G) + abs
	return tm, tv, adamPTol(k, p0, m1, tm, v1, tv)
}

// adamPTol is the tolerance on p' − step·m/(√w·rbc2 + ε) given the
// reference's m and w (the v under the root) and their tolerances.
func adamPTol(k *adamConsts, p0, m1 float32, tm float64, w float32, tw float64) float64 {
	ab := func(x float32) float64 { return math.Abs(float64(x)) }
	const abs = 2 * fusedMinNormal
	r := float64(k.rbc2)
	vv := float64(w)
	d := math.Sqrt(vv)*r + float64(k.eps)
	dd := r*(math.Sqrt(vv+tw)-math.Sqrt(math.Max(vv-tw, 0))) + 4*fusedU*d
	if d-dd <= 0 {
		return math.Inf(1)
	}
	q := ab(m1) / d
	dq := tm/(d-dd) + ab(m1)*dd/(d*(d-dd)) + 4*fusedU*q
	return 8*fusedU*(ab(p0)+float64(k.step)*q) + float64(k.step)*dq + abs
}

// adamCompare checks one kernel run against the reference run on copies.
func adamCompare(t *testing.T, k *adamConsts, p0, g, m0, v0, p, m, v, pr, mr, vr []float32) {
	t.Helper()
	for i := range p {
		tm, tv, tp := adamTols(k, p0[i], g[i], m0[i], v0[i], mr[i], vr[i])
		if !fusedClose(m[i], mr[i], tm) || !fusedClose(v[i], vr[i], tv) || !fusedClose(p[i], pr[i], tp) {
			t.Fatalf("element %d of %d (p=%v g=%v m=%v v=%v): got p,m,v = %v %v %v; generic %v %v %v (tol %.3g %.3g %.3g)",
				i, len(p), p0[i], g[i], m0[i], v0[i], p[i], m[i], v[i], pr[i], mr[i], vr[i], tp, tm, tv)
		}
	}
}

var adamTestParams = []struct {
	name string
	h    AdamParams
}{
	{"adam", AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1}},
	{"adam-l2-t7", AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.05, Step: 7}},
	{"adamw-t1000", AdamParams{LR: 3e-4, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1, Step: 1000, Decoupled: true}},
}

// TestAdamStepLevels runs AdamStep at every level against the generic
// reference over many lengths and offsets, with guard bands.
func TestAdamStepLevels(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, tc := range adamTestParams {
			k := tc.h.consts()
			for _, c := range fusedCases(testing.Short()) {
				pb := fusedNewBuf(c.n, c.off).fill(fusedUniform(r, -1, 1))
				gb := fusedNewBuf(c.n, (c.off+3)%8).fill(fusedUniform(r, -1, 1))
				mb := fusedNewBuf(c.n, (c.off+5)%8).fill(fusedUniform(r, -0.1, 0.1))
				vb := fusedNewBuf(c.n, (c.off+6)%8).fill(fusedUniform(r, 0, 0.01))
				p0, g0, m0, v0 := pb.copy(), gb.copy(), mb.copy(), vb.copy()
				pr, mr, vr := pb.copy(), mb.copy(), vb.copy()
				adamStepGeneric(pr, g0, mr, vr, &k)
				AdamStep(pb.s(), gb.s(), mb.s(), vb.s(), tc.h)
				for _, b := range []struct {
					name string
					b    fusedBuf
				}{{"p", pb}, {"m", mb}, {"v", vb}} {
					b.b.checkGuards(t, tc.name+" "+b.name)
				}
				gb.checkUnchanged(t, tc.name+" g", g0)
				adamCompare(t, &k, p0, g0, m0, v0, pb.s(), mb.s(), vb.s(), pr, mr, vr)
				if t.Failed() {
					t.Fatalf("%s: n=%d off=%d", tc.name, c.n, c.off)
				}
			}
		}
	})
}

// adamStep64 is an independent float64 transcription of torch's Adam and
// AdamW update for the hand-checked tests.
func adamStep64(p, g, m, v []float64, h AdamParams) {
	t := float64(h.Step)
	bc1 := 1 - math.Pow(h.Beta1, t)
	bc2 := 1 - math.Pow(h.Beta2, t)
	for i := range p {
		gi := g[i]
		if h.Decoupled {
			p[i] *= 1 - h.LR*h.WeightDecay
		} else {
			gi += h.WeightDecay * p[i]
		}
		m[i] = h.Beta1*m[i] + (1-h.Beta1)*gi
		v[i] = h.Beta2*v[i] + (1-h.Beta2)*gi*gi
		p[i] -= h.LR / bc1 * m[i] / (math.Sqrt(v[i])/math.Sqrt(bc2) + h.Eps)
	}
}

// TestAdamHandSteps checks the first steps of Adam, Adam with L2 and AdamW
// on four coordinates against float64 arithmetic, and the first step
// against its closed form p − η·g/(|g|+ε).
func TestAdamHandSteps(t *testing.T) {
	p0 := []float64{1, -2, 0.5, 3}
	grads := [][]float64{{0.1, -0.2, 0.3, 0}, {-0.05, -0.1, 0.4, 2}, {0.2, 0.3, -0.1, 1}}
	for _, tc := range []struct {
		name string
		h    AdamParams
	}{
		{"adam", AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}},
		{"adam-l2", AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1}},
		{"adamw", AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Decoupled: true}},
	} {
		fusedForLevels(t, func(t *testing.T, l Level) {
			p64 := append([]float64(nil), p0...)
			m64, v64 := make([]float64, 4), make([]float64, 4)
			p := []float32{1, -2, 0.5, 3}
			m, v := make([]float32, 4), make([]float32, 4)
			for s, g := range grads {
				h := tc.h
				h.Step = s + 1
				g32 := []float32{float32(g[0]), float32(g[1]), float32(g[2]), float32(g[3])}
				g64 := []float64{float64(g32[0]), float64(g32[1]), float64(g32[2]), float64(g32[3])}
				AdamStep(p, g32, m, v, h)
				adamStep64(p64, g64, m64, v64, h)
				for i := range p {
					if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Abs(p64[i])+1e-9 ||
						math.Abs(float64(m[i])-m64[i]) > 1e-6*math.Abs(m64[i]) ||
						math.Abs(float64(v[i])-v64[i]) > 1e-6*math.Abs(v64[i]) {
						t.Errorf("%s step %d [%d]: p,m,v = %v %v %v; float64 %v %v %v",
							tc.name, s+1, i, p[i], m[i], v[i], p64[i], m64[i], v64[i])
					}
				}
				if s == 0 && tc.h.WeightDecay == 0 {
					for i, gi := range g64 {
						want := p0[i] - tc.h.LR*gi/(math.Abs(gi)+tc.h.Eps)
						if math.Abs(float64(p[i])-want) > 1e-7*math.Abs(want) {
							t.Errorf("%s step 1 [%d]: p = %v, closed form %v", tc.name, i, p[i], want)
						}
					}
				}
			}
		})
	}
	// A literal: Adam's first step on p = 1, g = 0.1 is 1 − 1e-3·0.1/(0.1+1e-8).
	p, g, m, v := []float32{1}, []float32{0.1}, []float32{0}, []float32{0}
	AdamStep(p, g, m, v, AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1})
	if p[0] != float32(0.9990000001) {
		t.Errorf("literal first step: p = %.10g, want %.10g", p[0], float32(0.9990000001))
	}
}

// TestAdamWZeroGradDecay: with g ≡ 0 and zero moments AdamW only decays,
// p_t = p_0·(1−ηλ)^t, while Adam with L2 moves p by ≈η per step.
func TestAdamWZeroGradDecay(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		const n = 37
		p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i] = float32(i) - 18.5
		}
		h := AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Decoupled: true}
		for s := 1; s <= 20; s++ {
			h.Step = s
			AdamStep(p, g, m, v, h)
		}
		f := math.Pow(1-h.LR*h.WeightDecay, 20)
		for i := range p {
			want := (float64(i) - 18.5) * f
			if math.Abs(float64(p[i])-want) > 40*fusedU*math.Abs(want) || m[i] != 0 || v[i] != 0 {
				t.Errorf("[%d] p=%v m=%v v=%v, want p=%v, m=v=0", i, p[i], m[i], v[i], want)
			}
		}
		// Adam with the same λ as an L2 term moves p[0] = -18.5 by about η per step.
		p2 := []float32{-18.5}
		m2, v2 := []float32{0}, []float32{0}
		h.Decoupled, h.Step = false, 1
		AdamStep(p2, []float32{0}, m2, v2, h)
		if d := float64(p2[0]) + 18.5; math.Abs(d-1e-2) > 1e-6 {
			t.Errorf("adam with L2: moved by %v, want ≈ η = 1e-2", d)
		}
	})
}

// TestAdamSubnormal feeds subnormal gradients and moments: no level may
// store a subnormal, and all agree with the reference.
func TestAdamSubnormal(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		const n = 203
		r := rand.New(rand.NewPCG(3, 4))
		p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i] = float32(r.Float64()*2 - 1)
			g[i] = float32((r.Float64()*2 - 1) * 1e-39)
			m[i] = float32((r.Float64()*2 - 1) * 1e-38)
			v[i] = float32(r.Float64() * 1e-40)
			if i%3 == 0 { // normal values whose products underflow
				g[i] = float32((r.Float64()*2 - 1) * 1e-25)
				m[i] = float32((r.Float64()*2 - 1) * 1.5e-38)
			}
		}
		h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 5000}
		k := h.consts()
		p0, g0, m0, v0 := append([]float32(nil), p...), append([]float32(nil), g...), append([]float32(nil), m...), append([]float32(nil), v...)
		pr, mr, vr := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
		adamStepGeneric(pr, g0, mr, vr, &k)
		AdamStep(p, g, m, v, h)
		for i := range p {
			if fusedIsSubnormal(p[i]) || fusedIsSubnormal(m[i]) || fusedIsSubnormal(v[i]) ||
				fusedIsSubnormal(pr[i]) || fusedIsSubnormal(mr[i]) || fusedIsSubnormal(vr[i]) {
				t.Fatalf("[%d] subnormal stored: p,m,v = %v %v %v; generic %v %v %v", i, p[i], m[i], v[i], pr[i], mr[i], vr[i])
			}
		}
		adamCompare(t, &k, p0, g0, m0, v0, p, m, v, pr, mr, vr)
	})
}

func TestAdamStepPanics(t *testing.T) {
	h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1}
	a, b := make([]float32, 3), make([]float32, 4)
	fusedExpectPanic(t, "asm: adam: length mismatch", func() { AdamStep(a, a, a, b, h) })
	fusedExpectPanic(t, "asm: adam: length mismatch", func() { AdamStep(b, a, a, a, h) })
	h.Step = 0
	fusedExpectPanic(t, "asm: adam: step 0", func() { AdamStep(a, a, a, a, h) })
}
