package asm

import (
	"math"
	"testing"
)

// cadamwRef and clionRef run a cautious step's reference: the count (for
// C-AdamW with the new m), the scale as the exported step computes it,
// and the update pass, on copies.
func cadamwRef(p, g, m, v []float32, h AdamParams) (pr, mr, vr []float32, k adamConsts, steps float32, cnt int) {
	h.Decoupled = true
	k = h.consts()
	pr, mr, vr = zooClone(p), zooClone(m), zooClone(v)
	cnt = cadamwMomentGeneric(g, mr, k.b1, k.omb1)
	scale := 1 / max(float64(cnt)/float64(len(p)), 1e-3)
	steps = float32(h.LR / (1 - math.Pow(h.Beta1, float64(h.Step))) * scale)
	if len(p) > 0 {
		cadamwStepGeneric(pr, g, mr, vr, &k, steps)
	}
	return pr, mr, vr, k, steps, cnt
}

func clionRef(p, g, m []float32, h LionParams) (pr, mr []float32, cnt int) {
	k := h.consts()
	pr, mr = zooClone(p), zooClone(m)
	cnt = cautiousCountGeneric(g, m, k.b1, k.omb1)
	k.lr = float32(h.LR * float64(len(p)) / float64(cnt+1))
	clionStepGeneric(pr, g, mr, &k)
	return pr, mr, cnt
}

// cadamwCompare checks a CAdamWStep result against the reference with
// adamTols's model (steps in place of η/bc1; m to one ulp, as the
// reference rounds its fused multiply-add through float64).
func cadamwCompare(t *testing.T, k adamConsts, steps float32, p0, g, m0, v0, p, m, v, pr, mr, vr []float32) {
	t.Helper()
	k.step = steps
	for i := range p {
		tm, tv, tp := adamTols(&k, p0[i], g[i], m0[i], v0[i], mr[i], vr[i])
		ulp := float64(math.Nextafter32(float32(math.Abs(float64(mr[i]))), float32(math.Inf(1)))) - math.Abs(float64(mr[i]))
		if !fusedClose(m[i], mr[i], min(tm, ulp)) || !fusedClose(v[i], vr[i], tv) || !fusedClose(p[i], pr[i], tp) {
			t.Fatalf("element %d of %d (p=%v g=%v m=%v v=%v): got p,m,v = %v %v %v; generic %v %v %v",
				i, len(p), p0[i], g[i], m0[i], v0[i], p[i], m[i], v[i], pr[i], mr[i], vr[i])
		}
	}
}

var cautiousTestParams = []struct {
	name string
	a    AdamParams
	l    LionParams
}{
	{"default", AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, Step: 1}, LionParams{LR: 1e-4, Beta1: 0.95, Beta2: 0.98}},
	{"wd-t7", AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Step: 7},
		LionParams{LR: 3e-4, Beta1: 0.9, Beta2: 0.99, WeightDecay: 1}},
	{"t1000", AdamParams{LR: 3e-4, Beta1: 0.5, Beta2: 0.99, Eps: 1e-6, Step: 1000}, LionParams{LR: 1e-3, Beta1: 0.5, Beta2: 0.9}},
}

// TestCautiousStepLevels runs the mask count, CAdamWStep and CLionStep at
// every level against the references over lengths 0..64 and large odd
// lengths at every offset, with NaN guard bands: the count must match
// exactly, C-Lion's p bit for bit and m to one ulp, C-AdamW within
// adamTols. Every 7th gradient is 0 and every 5th m is −(1−β1)/β1·g, so
// that x = 0 occurs.
func TestCautiousStepLevels(t *testing.T) {
	names := []string{"p", "g", "m", "v"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(29, 30)
		for _, tc := range cautiousTestParams {
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -1, 1),
					fusedUniform(r, -0.1, 0.1), fusedUniform(r, 0, 0.01))
				g, m := bufs[1].s(), bufs[2].s()
				for i := range g {
					if i%7 == 3 {
						g[i] = 0
					}
					if i%5 == 2 {
						g[i], m[i] = 0.5, float32(-(1-tc.l.Beta1)/tc.l.Beta1*0.5)
					}
				}
				in := zooCopies(bufs)
				kl := tc.l.consts()
				if got, want := cautiousCount(in[1], in[2], kl.b1, kl.omb1), cautiousCountGeneric(in[1], in[2], kl.b1, kl.omb1); got != want {
					t.Fatalf("%s n=%d off=%d: count %d, generic %d", tc.name, c.n, c.off, got, want)
				}
				cautiousCheckMoment(t, in[1], in[2], kl.b1, kl.omb1)
				// C-Lion on p, g, m.
				pr, mr, _ := clionRef(in[0], in[1], in[2], tc.l)
				CLionStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), tc.l)
				zooCheckGuards(t, names[:3], bufs[:3], in, 1)
				lionCompare(t, bufs[0].s(), bufs[2].s(), pr, mr)
				// C-AdamW on the original values.
				for i, b := range bufs {
					copy(b.s(), in[i])
				}
				pa, ma, va, k, steps, _ := cadamwRef(in[0], in[1], in[2], in[3], tc.a)
				CAdamWStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s(), tc.a)
				zooCheckGuards(t, names, bufs, in, 1)
				cadamwCompare(t, k, steps, in[0], in[1], in[2], in[3], bufs[0].s(), bufs[2].s(), bufs[3].s(), pa, ma, va)
				if t.Failed() {
					t.Fatalf("%s: n=%d off=%d", tc.name, c.n, c.off)
				}
			}
		}
	})
}

// cautiousCheckMoment runs cadamwMoment at the active level and its
// reference on copies of m and checks that the counts agree exactly, that
// the count is cautiousCount's on the old m, and that the new moments
// agree to one ulp (the reference rounds its fused multiply-add through
// float64).
func cautiousCheckMoment(t *testing.T, g, m []float32, b1, omb1 float32) {
	t.Helper()
	ma, mr := zooClone(m), zooClone(m)
	got, want := cadamwMoment(g, ma, b1, omb1), cadamwMomentGeneric(g, mr, b1, omb1)
	if c := cautiousCount(g, m, b1, omb1); got != want || c != want {
		t.Fatalf("n=%d: moment count %d, generic %d, cautiousCount %d", len(g), got, want, c)
	}
	for i := range mr {
		ulp := float64(math.Nextafter32(float32(math.Abs(float64(mr[i]))), float32(math.Inf(1)))) - math.Abs(float64(mr[i]))
		if !fusedClose(ma[i], mr[i], ulp) {
			t.Fatalf("n=%d [%d] (g=%v m=%v): new m %v, generic %v", len(g), i, g[i], m[i], ma[i], mr[i])
		}
	}
}

// TestCautiousHand checks three steps of C-AdamW and C-Lion against
// float64 arithmetic written from METHODS 1.10 (u·g > 0 with u the base
// direction), and that with λ = 0 no coordinate moves along its gradient.
func TestCautiousHand(t *testing.T) {
	grads := [][]float32{{0.5, -1, 0.25, 0, 2}, {-0.5, 1, -2, 0.125, 1}, {-0.25, -1, 0.25, 3, -0.5}}
	theta := []float64{1, -1, 2, 0.5, -3}
	for _, wd := range []float64{0, 0.1} {
		fusedForLevels(t, func(t *testing.T, l Level) {
			ha := AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, WeightDecay: wd}
			hl := LionParams{LR: 1e-2, Beta1: 0.95, Beta2: 0.98, WeightDecay: wd}
			n := len(theta)
			pa, ma, va := make([]float32, n), make([]float32, n), make([]float32, n)
			pl, ml := make([]float32, n), make([]float32, n)
			for i, x := range theta {
				pa[i], pl[i] = float32(x), float32(x)
			}
			a64, m64, v64 := zoo64(theta), make([]float64, n), make([]float64, n)
			l64, n64 := zoo64(theta), make([]float64, n)
			masked := 0
			for s, g := range grads {
				ha.Step = s + 1
				before := zooClone(pa)
				beforeL := zooClone(pl)
				CAdamWStep(pa, g, ma, va, ha)
				CLionStep(pl, g, ml, hl)
				bc1, bc2 := 1-math.Pow(ha.Beta1, float64(ha.Step)), 1-math.Pow(ha.Beta2, float64(ha.Step))
				ua, ul := make([]float64, n), make([]float64, n)
				ca, cl := 0.0, 0.0
				for i := range theta {
					gi := float64(g[i])
					m64[i] = ha.Beta1*m64[i] + (1-ha.Beta1)*gi
					v64[i] = ha.Beta2*v64[i] + (1-ha.Beta2)*gi*gi
					ua[i] = (m64[i] / bc1) / (math.Sqrt(v64[i]/bc2) + ha.Eps)
					ul[i] = g1Sign(hl.Beta1*n64[i] + (1-hl.Beta1)*gi)
					n64[i] = hl.Beta2*n64[i] + (1-hl.Beta2)*gi
					if ua[i]*gi > 0 {
						ca++
					}
					if ul[i]*gi > 0 {
						cl++
					}
				}
				sa, sl := 1/math.Max(ca/float64(n), 1e-3), float64(n)/(cl+1)
				for i := range theta {
					gi := float64(g[i])
					if !(ua[i]*gi > 0) {
						ua[i] = 0
						masked++
					}
					if !(ul[i]*gi > 0) {
						ul[i] = 0
					}
					a64[i] -= ha.LR * (ua[i]*sa + wd*a64[i])
					l64[i] -= hl.LR * (ul[i]*sl + wd*l64[i])
					if math.Abs(float64(pa[i])-a64[i]) > 1e-6*math.Abs(a64[i]) || math.Abs(float64(pl[i])-l64[i]) > 1e-6*math.Abs(l64[i]) {
						t.Errorf("λ=%v step %d [%d]: c-adamw %v, c-lion %v; float64 %v %v", wd, s+1, i, pa[i], pl[i], a64[i], l64[i])
					}
					if wd == 0 && ((pa[i]-before[i])*g[i] > 0 || (pl[i]-beforeL[i])*g[i] > 0) {
						t.Errorf("step %d [%d]: moved along the gradient %v: c-adamw %v → %v, c-lion %v → %v", s+1, i, g[i],
							before[i], pa[i], beforeL[i], pl[i])
					}
				}
			}
			if masked < 3 {
				t.Errorf("only %d masked coordinates: the test checks little", masked)
			}
		})
	}
	fusedExpectPanic(t, "asm: cadamw: length mismatch", func() {
		CAdamWStep(make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 3), AdamParams{Step: 1})
	})
	fusedExpectPanic(t, "asm: cadamw: step 0", func() { CAdamWStep(nil, nil, nil, nil, AdamParams{}) })
	fusedExpectPanic(t, "asm: clion: length mismatch", func() {
		CLionStep(make([]float32, 2), make([]float32, 1), make([]float32, 2), LionParams{})
	})
	CAdamWStep(nil, nil, nil, nil, AdamParams{Step: 1}) // empty: nothing to do
	CLionStep(nil, nil, nil, LionParams{})
}

// g1Sign is sign with sign(0) = 0.
func g1Sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// TestCautiousCountLarge counts over 100003 elements at every level (with
// cautiousCount and with cadamwMoment)
// against a plain loop in float64, where x = 0.9·m + 0.1·g is exact
// enough (coordinates with |x| near rounding are given g = 0, which is
// never counted).
func TestCautiousCountLarge(t *testing.T) {
	const n = 100003
	g, m := make([]float32, n), make([]float32, n)
	want := 0
	r := zooRand(31, 32)
	for i := range g {
		g[i], m[i] = float32(r.Float64()-0.3), float32(r.Float64()-0.5)
		x := 0.9*float64(m[i]) + 0.1*float64(g[i])
		if math.Abs(x) < 1e-5 {
			g[i] = 0
		}
		if x*float64(g[i]) > 0 {
			want++
		}
	}
	fusedForLevels(t, func(t *testing.T, l Level) {
		if got := cautiousCount(g, m, 0.9, 0.1); got != want {
			t.Errorf("count %d, want %d", got, want)
		}
		mm := zooClone(m)
		if got := cadamwMoment(g, mm, 0.9, 0.1); got != want {
			t.Errorf("moment count %d, want %d", got, want)
		}
	})
}

// FuzzCautiousStep compares CAdamWStep and CLionStep at every supported
// level with the references on fuzzed values (C-Lion: any bit pattern;
// C-AdamW: finite, |x| ≤ 1e4, v ≥ 0, subnormals included), lengths and
// hyperparameters; the counts must match exactly.
func FuzzCautiousStep(f *testing.F) {
	seed := make([]byte, 16*37)
	for i := range seed {
		seed[i] = byte(i*29 + 11)
	}
	f.Add(seed, uint16(1), uint8(0), uint8(0))
	f.Add(seed[:16*5], uint16(900), uint8(200), uint8(90))
	f.Add([]byte{}, uint16(3), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, step uint16, hb, hwd uint8) {
		in := fusedFuzzFloats(data, 4)
		hl := LionParams{LR: 1e-4 * (1 + float64(hwd%5)), Beta1: float64(hb) / 256, Beta2: 0.9 + 0.0999*float64(hb)/255,
			WeightDecay: float64(hwd) / 100}
		ha := AdamParams{LR: 1e-3 * (1 + float64(hb%7)), Beta1: float64(hb) / 256, Beta2: 0.9 + 0.0999*float64(hwd)/255,
			Eps: 1e-6, WeightDecay: float64(hwd) / 1000, Step: int(step) + 1}
		plr, mlr, cl := clionRef(in[0], in[1], in[2], hl)
		san := [][]float32{zooClone(in[0]), zooClone(in[1]), zooClone(in[2]), zooClone(in[3])}
		for _, s := range san {
			fusedFuzzSane(s)
		}
		for i := range san[3] {
			san[3][i] = float32(math.Abs(float64(san[3][i])))
		}
		par, mar, var_, k, steps, ca := cadamwRef(san[0], san[1], san[2], san[3], ha)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			kl := hl.consts()
			if got := cautiousCount(in[1], in[2], kl.b1, kl.omb1); got != cl {
				t.Fatalf("%v: c-lion count %d, generic %d", l, got, cl)
			}
			if got := cautiousCount(san[1], san[2], k.b1, k.omb1); got != ca {
				t.Fatalf("%v: c-adamw count %d, generic %d", l, got, ca)
			}
			cautiousCheckMoment(t, san[1], san[2], k.b1, k.omb1)
			p, m := zooClone(in[0]), zooClone(in[2])
			CLionStep(p, in[1], m, hl)
			lionCompare(t, p, m, plr, mlr)
			pa, ma, va := zooClone(san[0]), zooClone(san[2]), zooClone(san[3])
			CAdamWStep(pa, san[1], ma, va, ha)
			cadamwCompare(t, k, steps, san[0], san[1], san[2], san[3], pa, ma, va, par, mar, var_)
		}
	})
}
