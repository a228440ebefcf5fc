package asm

import (
	"math"
	"testing"
)

// exadamTols returns the tolerances on m, v and p for one element of
// EXAdamStep, given the inputs and the reference's m1 and v1: the moments'
// roundings carried through d1 (whose slope in v is ε·β2^t/(v+ε)²), d2
// (slope in m 2|m|ε·β1^t/(m²+ε)²), the root and the division.
func exadamTols(k *exadamConsts, p0, g, m0, v0, m1, v1 float32) (tm, tv, tp float64) {
	G := zooAb(g)
	tm = 8*fusedU*(zooAb(k.b1)*zooAb(m0)+zooAb(k.omb1)*G) + zooAbs
	tv = 8*fusedU*(zooAb(k.b2)*zooAb(v0)+zooAb(k.omb2)*G*G) + zooAbs
	eps, b1t, b2t := float64(k.eps), float64(k.b1t), float64(k.b2t)
	M, V := zooAb(m1)+tm, float64(v1)+tv
	vlo, mlo := math.Max(float64(v1)-tv, 0), math.Max(zooAb(m1)-tm, 0)
	d1 := 1 + float64(v1)/(float64(v1)+eps)*b2t
	d2 := 1 + float64(m1)*float64(m1)/(float64(m1)*float64(m1)+eps)*b1t
	td1 := b2t*eps*tv/((vlo+eps)*(vlo+eps)) + 32*fusedU
	td2 := b1t*2*M*eps*tm/((mlo*mlo+eps)*(mlo*mlo+eps)) + 32*fusedU
	S := zooAb(m1) + G
	num := S * d1
	tnum := (tm+4*fusedU*S)*(d1+td1) + S*td1 + 8*fusedU*num
	rb := float64(k.rbc2)
	w := float64(v1) * rb * d2
	tw := (tv*(d2+td2)+V*td2)*rb + 8*fusedU*w
	r, tr := zooSqrtTol(w, tw)
	den := r + eps
	q, tq := zooQuotTol(num+tnum, tnum, den, tr+4*fusedU*den)
	return tm, tv, zooStepTol(zooAb(p0), float64(k.step), q, tq)
}

var exadamTestParams = []struct {
	name string
	h    EXAdamParams
}{
	{"default", EXAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1}},
	{"wd-dynamic-t7", EXAdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Step: 7, DynamicLR: true}},
	{"t1000", EXAdamParams{LR: 3e-4, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.01, Step: 1000}},
	{"t157-early", EXAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 157}},
	{"t158-late", EXAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 158}},
}

// TestEXAdamStepLevels runs EXAdamStep at every level against the
// reference, which it must match bit for bit, over lengths 0..64 and large odd lengths at every offset, with
// NaN guard bands; m spans the scale √ε where d2 changes fastest.
func TestEXAdamStepLevels(t *testing.T) {
	names := []string{"p", "g", "m", "v"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(39, 40)
		for _, tc := range exadamTestParams {
			k := tc.h.consts()
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -1, 1),
					fusedUniform(r, -0.1, 0.1), fusedUniform(r, 0, 0.01))
				m := bufs[2].s()
				for i := 1; i < len(m); i += 4 {
					m[i] *= 1e-3
				}
				in := zooCopies(bufs)
				pr, mr, vr := zooClone(in[0]), zooClone(in[2]), zooClone(in[3])
				exadamStepGeneric(pr, in[1], mr, vr, &k)
				EXAdamStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s(), tc.h)
				zooCheckGuards(t, names, bufs, in, 1)
				for i := range pr {
					if !vecSame(bufs[2].s()[i], mr[i]) || !vecSame(bufs[3].s()[i], vr[i]) || !vecSame(bufs[0].s()[i], pr[i]) {
						t.Fatalf("%s n=%d off=%d [%d]: got p,m,v = %v %v %v; generic %v %v %v (bit for bit)", tc.name, c.n, c.off, i,
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

// TestEXAdamGenericAccuracy checks the reference (which every level
// matches bit for bit) against the step evaluated in float64 from the
// same inputs as METHODS 1.16 writes it (three divisions), within
// exadamTols' bounds, on both sides of the switch to d2 = 1 (t = 157 and
// 158 at β1 = 0.9, where β1^t crosses 2^-24); it also checks that the
// switch is where float32 rounds 1 + β1^t·m²/(m²+ε) to 1 for every m.
func TestEXAdamGenericAccuracy(t *testing.T) {
	r := zooRand(43, 44)
	const n = 20000
	fill := func(lo, hi float64) []float32 {
		s, u := make([]float32, n), fusedUniform(r, lo, hi)
		for i := range s {
			s[i] = u()
		}
		return s
	}
	for _, tc := range exadamTestParams {
		k := tc.h.consts()
		if late := math.Pow(tc.h.Beta1, float64(tc.h.Step)) <= 0x1p-24; late == k.early {
			t.Fatalf("%s: early = %v at β1^t = %g", tc.name, k.early, math.Pow(tc.h.Beta1, float64(tc.h.Step)))
		}
		p, g, m, v := fill(-1, 1), fill(-1, 1), fill(-0.1, 0.1), fill(0, 0.01)
		for i := 1; i < n; i += 4 {
			m[i] *= 1e-3
		}
		p1, m1, v1 := zooClone(p), zooClone(m), zooClone(v)
		exadamStepGeneric(p1, g, m1, v1, &k)
		for i := range p {
			gi := float64(g[i])
			mi := float64(k.b1)*float64(m[i]) + float64(k.omb1)*gi
			vi := float64(k.b2)*float64(v[i]) + float64(k.omb2)*gi*gi
			eps := float64(k.eps)
			d1 := 1 + vi/(vi+eps)*float64(k.b2t)
			d2 := 1 + mi*mi/(mi*mi+eps)*float64(k.b1t)
			want := float64(p[i])*float64(k.decay) - float64(k.step)*(mi+gi)*d1/(math.Sqrt(vi*float64(k.rbc2)*d2)+eps)
			tm, tv, tp := exadamTols(&k, p[i], g[i], m[i], v[i], m1[i], v1[i])
			if math.Abs(float64(m1[i])-mi) > tm || math.Abs(float64(v1[i])-vi) > tv || math.Abs(float64(p1[i])-want) > tp {
				t.Fatalf("%s [%d]: generic p,m,v = %v %v %v, float64 %v %v %v (tol p %.3g)", tc.name, i, p1[i], m1[i], v1[i], want, mi, vi, tp)
			}
			if m2 := m1[i] * m1[i]; !k.early && 1+m2/(m2+k.eps)*k.b1t != 1 {
				t.Fatalf("%s [%d]: d2 = %v rounds above 1 on a late step", tc.name, i, 1+m2/(m2+k.eps)*k.b1t)
			}
		}
	}
}

// TestEXAdamHand checks three steps against float64 arithmetic written
// from METHODS 1.16 (three separate divisions), with decay and both step
// sizes, and that late in a run (β^t ≈ 0) the step is Adam's with g/bc1
// added to m/bc1.
func TestEXAdamHand(t *testing.T) {
	grads := [][]float32{{0.5, -1, 0.25, 0}, {-0.5, 1, -2, 0.125}, {-0.25, -1, 0.25, 3}}
	for _, dyn := range []bool{false, true} {
		fusedForLevels(t, func(t *testing.T, l Level) {
			h := EXAdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, DynamicLR: dyn}
			p, m, v := []float32{1, -1, 2, 0.5}, make([]float32, 4), make([]float32, 4)
			p64, m64, v64 := []float64{1, -1, 2, 0.5}, make([]float64, 4), make([]float64, 4)
			for s, g := range grads {
				h.Step = s + 1
				EXAdamStep(p, g, m, v, h)
				tt := float64(h.Step)
				b1t, b2t := math.Pow(h.Beta1, tt), math.Pow(h.Beta2, tt)
				at := h.LR
				if dyn {
					at *= math.Log(math.Sqrt2 * math.Sqrt(tt+1))
				}
				for i := range p64 {
					gi := float64(g[i])
					p64[i] *= 1 - h.LR*h.WeightDecay
					m64[i] = h.Beta1*m64[i] + (1-h.Beta1)*gi
					v64[i] = h.Beta2*v64[i] + (1-h.Beta2)*gi*gi
					d1 := 1 + v64[i]/(v64[i]+h.Eps)*b2t
					d2 := 1 + m64[i]*m64[i]/(m64[i]*m64[i]+h.Eps)*b1t
					mt, vt, gt := m64[i]/(1-b1t)*d1, v64[i]/(1-b2t)*d2, gi/(1-b1t)*d1
					p64[i] -= at * (mt + gt) / (math.Sqrt(vt) + h.Eps)
					if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Abs(p64[i]) {
						t.Errorf("dynamic=%v step %d [%d]: p = %v, float64 %v", dyn, s+1, i, p[i], p64[i])
					}
				}
			}
		})
	}
	// Late in a run d1 = d2 = 1 to rounding: one step from given moments.
	h := EXAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, Step: 5000}
	p, g, m, v := []float32{1}, []float32{0.5}, []float32{0.2}, []float32{0.04}
	EXAdamStep(p, g, m, v, h)
	m1, v1 := 0.9*0.2+0.1*0.5, 0.99*0.04+0.01*0.25
	if want := 1 - 1e-3*(m1+0.5)/(math.Sqrt(v1)+1e-8); math.Abs(float64(p[0])-want) > 1e-7 {
		t.Errorf("t=5000: p = %v, want %v", p[0], want)
	}
	fusedExpectPanic(t, "asm: exadam: length mismatch", func() {
		EXAdamStep(make([]float32, 2), make([]float32, 2), make([]float32, 3), make([]float32, 2), EXAdamParams{Step: 1})
	})
	fusedExpectPanic(t, "asm: exadam: step 0", func() { EXAdamStep(nil, nil, nil, nil, EXAdamParams{}) })
}

// FuzzEXAdamStep compares EXAdamStep at every supported level with the
// reference, bit for bit, on fuzzed values (finite, |x| ≤ 1e4, v ≥ 0, subnormals
// included), lengths and hyperparameters (ε from 1e-4 to 1e-9).
func FuzzEXAdamStep(f *testing.F) {
	seed := make([]byte, 16*37)
	for i := range seed {
		seed[i] = byte(i*41 + 13)
	}
	f.Add(seed, uint16(1), uint8(0), uint8(0), false)
	f.Add(seed[:16*5], uint16(900), uint8(200), uint8(90), true)
	f.Add([]byte{}, uint16(3), uint8(1), uint8(1), false)
	f.Fuzz(func(t *testing.T, data []byte, step uint16, hb1, hwd uint8, dyn bool) {
		in := fusedFuzzFloats(data, 4)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		for i := range in[3] {
			in[3][i] = float32(math.Abs(float64(in[3][i])))
		}
		h := EXAdamParams{
			LR: 1e-3 * (1 + float64(hb1%7)), Beta1: float64(hb1) / 256, Beta2: 0.9 + 0.0999*float64(hwd)/255,
			Eps: math.Pow(10, -4-float64(hwd%6)), WeightDecay: float64(hwd) / 1000, Step: int(step) + 1, DynamicLR: dyn,
		}
		k := h.consts()
		pr, mr, vr := zooClone(in[0]), zooClone(in[2]), zooClone(in[3])
		exadamStepGeneric(pr, in[1], mr, vr, &k)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			p, m, v := zooClone(in[0]), zooClone(in[2]), zooClone(in[3])
			EXAdamStep(p, in[1], m, v, h)
			for i := range p {
				if !vecSame(m[i], mr[i]) || !vecSame(v[i], vr[i]) || !vecSame(p[i], pr[i]) {
					t.Fatalf("%v: element %d of %d (p=%v g=%v m=%v v=%v): got p,m,v = %v %v %v; generic %v %v %v",
						l, i, len(p), in[0][i], in[1][i], in[2][i], in[3][i], p[i], m[i], v[i], pr[i], mr[i], vr[i])
				}
			}
		}
	})
}

// BenchmarkEXAdamEarly is BenchmarkEXAdam (fused_zoo_bench_test.go) on
// early steps only (t cycling through 1..157, where β1^t > 2^-24 and d2
// takes a second division); BenchmarkEXAdam's t = 1, 2, … is late after
// its first 157 calls.
func BenchmarkEXAdamEarly(b *testing.B) {
	fusedBench(b, fusedOptSizes, 28, func(b *testing.B, n int) {
		p, g := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1)
		m, v := fusedBenchSlice(n, 2, -0.1, 0.1), fusedBenchSlice(n, 3, 0, 0.01)
		h := EXAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
		for i := 0; b.Loop(); i++ {
			h.Step = i%157 + 1
			EXAdamStep(p, g, m, v, h)
		}
	})
}
