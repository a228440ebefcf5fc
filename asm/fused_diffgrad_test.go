package asm

import (
	"math"
	"testing"
)

// diffgradTols returns the tolerances on m, v, prev and p for one element
// of DiffGradStep, given the inputs and the reference's outputs; the
// kernels' exp adds a few ulps of ξ.
func diffgradTols(k *diffgradConsts, p0, g, m0, v0, q0, m1, v1 float32) (tm, tv, tg, tp float64) {
	G := zooAb(g) + zooAb(k.wd)*zooAb(p0)
	tg = 4*fusedU*G + zooAbs
	tm = 8*fusedU*(zooAb(k.b1)*zooAb(m0)+zooAb(k.omb1)*G) + zooAb(k.omb1)*tg + zooAbs
	o := zooAb(k.omb2)
	tv = 8*fusedU*(zooAb(k.b2)*zooAb(v0)+o*G*G) + o*(2*G*tg+tg*tg) + zooAbs
	x := math.Abs(float64(q0) - float64(g))
	tx := tg + 4*fusedU*(zooAb(q0)+G)
	e := math.Exp(-math.Max(x-tx, 0))
	te := e*tx + 16*fusedU*e
	r, tr := zooSqrtTol(float64(v1), tv)
	r += float64(k.eps)
	den := (1 + math.Exp(-x)) * r
	tden := r*te + 2*tr + 4*fusedU*den
	q, tq := zooQuotTol(zooAb(m1)+tm, tm, den, tden)
	return tm, tv, tg, zooStepTol(zooAb(p0), float64(k.step), q, tq)
}

// TestDiffGradStepLevels runs DiffGradStep at every level against the
// reference, which it must match bit for bit, over lengths 0..64 and
// large odd lengths at every offset, with NaN guard bands; |prev − g|
// spans 0 to 3 (and 100 for every 9th element, where ξ is 1).
func TestDiffGradStepLevels(t *testing.T) {
	names := []string{"p", "g", "m", "v", "prev"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(37, 38)
		for _, tc := range adamTestParams {
			k := diffgradConstsOf(tc.h)
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -1, 1),
					fusedUniform(r, -0.1, 0.1), fusedUniform(r, 0, 0.01), fusedUniform(r, -2, 2))
				prev := bufs[4].s()
				for i := 4; i < len(prev); i += 9 {
					prev[i] = 100
				}
				in := zooCopies(bufs)
				out := zooCopies(bufs)
				diffgradStepGeneric(out[0], in[1], out[2], out[3], out[4], &k)
				DiffGradStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s(), bufs[4].s(), tc.h)
				zooCheckGuards(t, names, bufs, in, 1)
				for i := range in[0] {
					for _, j := range []int{0, 2, 3, 4} {
						if !vecSame(bufs[j].s()[i], out[j][i]) {
							t.Fatalf("%s n=%d off=%d [%d]: %s = %v, generic %v (bit for bit)", tc.name, c.n, c.off, i,
								names[j], bufs[j].s()[i], out[j][i])
						}
					}
				}
				if t.Failed() {
					t.Fatalf("%s: n=%d off=%d", tc.name, c.n, c.off)
				}
			}
		}
	})
}

// TestDiffGradGenericAccuracy checks the reference (which every level
// matches bit for bit) against the step evaluated in float64 from the
// same inputs, within diffgradTols' bounds on float32 rounding and the
// exp's error, on random inputs with |prev − g| from 0 to 100.
func TestDiffGradGenericAccuracy(t *testing.T) {
	r := zooRand(41, 42)
	for _, tc := range adamTestParams {
		k := diffgradConstsOf(tc.h)
		const n = 20000
		fill := func(lo, hi float64) []float32 {
			s, u := make([]float32, n), fusedUniform(r, lo, hi)
			for i := range s {
				s[i] = u()
			}
			return s
		}
		p, g, m, v, prev := fill(-1, 1), fill(-1, 1), fill(-0.1, 0.1), fill(0, 0.01), fill(-2, 2)
		for i := 0; i < n; i += 7 {
			prev[i] = g[i] + float32(i%100)
		}
		p1, m1, v1, q1 := zooClone(p), zooClone(m), zooClone(v), zooClone(prev)
		diffgradStepGeneric(p1, g, m1, v1, q1, &k)
		for i := range p {
			gi := float64(g[i]) + float64(k.wd)*float64(p[i])
			mi := float64(k.b1)*float64(m[i]) + float64(k.omb1)*gi
			vi := float64(k.b2)*float64(v[i]) + float64(k.omb2)*gi*gi
			xi := 1 / (1 + math.Exp(-math.Abs(float64(prev[i])-gi)))
			want := float64(p[i])*float64(k.decay) - float64(k.step)*xi*mi/(math.Sqrt(vi)+float64(k.eps))
			tm, tv, tg, tp := diffgradTols(&k, p[i], g[i], m[i], v[i], prev[i], m1[i], v1[i])
			for j, c := range [][2]float64{{float64(p1[i]), want}, {float64(m1[i]), mi}, {float64(v1[i]), vi}, {float64(q1[i]), gi}} {
				if tol := []float64{tp, tm, tv, tg}[j]; math.Abs(c[0]-c[1]) > tol {
					t.Fatalf("%s [%d] output %d: generic %v, float64 %v (tol %.3g)", tc.name, i, j, c[0], c[1], tol)
				}
			}
		}
	}
}

// TestDiffGradDenAccuracy checks diffgradDen's 1+e (r = 1) against
// 1+exp(−a) in float64 on every 997th float32 a from 1e-30 to 20 and on
// a = 0: within 1.55 ulps, as DiffGradStep's doc states.
func TestDiffGradDenAccuracy(t *testing.T) {
	check := func(a float32) {
		got := float64(diffgradDen(a, 0, 1))
		want := 1 + math.Exp(-float64(a))
		if ulp := math.Ldexp(1, math.Ilogb(want)-23); math.Abs(got-want) > 1.55*ulp {
			t.Fatalf("a = %v: 1+e = %v, float64 %v (%.2f ulps)", a, got, want, math.Abs(got-want)/ulp)
		}
	}
	check(0)
	for b := math.Float32bits(1e-30); math.Float32frombits(b) <= 20; b += 997 {
		check(math.Float32frombits(b))
	}
}

// TestDiffGradExp checks the kernels' exp against math.Exp through ξ, for
// a = |prev − g| from 0 to 100 in steps of 1/64: with g = 0, v = 0, ε = 1
// and m' = β1·m = 2, the step is p = −(η·√bc2/bc1)·2·ξ, which must be
// within 4 ulps of the float64 value.
func TestDiffGradExp(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		const n = 6401
		p, g, m, v, prev := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		h := AdamParams{LR: 1, Beta1: 0.5, Beta2: 0.5, Eps: 1, Step: 1}
		for i := range prev {
			prev[i], m[i] = float32(i)/64, 4
		}
		DiffGradStep(p, g, m, v, prev, h)
		step := float64(diffgradConstsOf(h).step)
		for i := range p {
			xi := 1 / (1 + math.Exp(-float64(i)/64))
			if want := -step * 2 * xi; math.Abs(float64(p[i])-want) > 4*2*fusedU*math.Abs(want) {
				t.Fatalf("a=%v: p = %v, want %v (ξ = %v)", float64(i)/64, p[i], want, xi)
			}
		}
	})
}

// TestDiffGradHand checks three steps against float64 arithmetic (METHODS
// 1.15, diffGrad_v2.py), with an L2 term, and that with a constant
// gradient ξ = 0.5 from step 2 on: the step is half of Adam's fused-form
// step.
func TestDiffGradHand(t *testing.T) {
	grads := [][]float32{{0.5, -1, 0.25, 0.5}, {0.5, 1, -2, 0.5}, {0.5, -1, 0.25, 0.5}}
	for _, wd := range []float64{0, 0.01} {
		fusedForLevels(t, func(t *testing.T, l Level) {
			h := AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: wd}
			p, m, v, q := []float32{1, -1, 2, 0.5}, make([]float32, 4), make([]float32, 4), make([]float32, 4)
			p64, m64, v64, q64 := []float64{1, -1, 2, 0.5}, make([]float64, 4), make([]float64, 4), make([]float64, 4)
			for s, g := range grads {
				h.Step = s + 1
				before := zooClone(p)
				DiffGradStep(p, g, m, v, q, h)
				c := math.Sqrt(1-math.Pow(h.Beta2, float64(h.Step))) / (1 - math.Pow(h.Beta1, float64(h.Step)))
				for i := range p64 {
					d := float64(g[i]) + wd*p64[i]
					m64[i] = h.Beta1*m64[i] + (1-h.Beta1)*d
					v64[i] = h.Beta2*v64[i] + (1-h.Beta2)*d*d
					xi := 1 / (1 + math.Exp(-math.Abs(q64[i]-d)))
					q64[i] = d
					adam := h.LR * c * m64[i] / (math.Sqrt(v64[i]) + h.Eps)
					p64[i] -= xi * adam
					if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Abs(p64[i]) {
						t.Errorf("λ=%v step %d [%d]: p = %v, float64 %v", wd, s+1, i, p[i], p64[i])
					}
					if wd == 0 && i == 3 && s > 0 { // constant gradient 0.5
						if got := float64(before[i]) - float64(p[i]); math.Abs(got-adam/2) > 1e-6*adam {
							t.Errorf("step %d: moved %v, want half of Adam's %v", s+1, got, adam)
						}
					}
				}
			}
		})
	}
	fusedExpectPanic(t, "asm: diffgrad: length mismatch", func() {
		DiffGradStep(make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 2), nil, AdamParams{Step: 1})
	})
	fusedExpectPanic(t, "asm: diffgrad: step 0", func() { DiffGradStep(nil, nil, nil, nil, nil, AdamParams{}) })
}

// FuzzDiffGradStep compares DiffGradStep at every supported level with the
// reference, bit for bit, on fuzzed values (finite, |x| ≤ 1e4, v ≥ 0, subnormals
// included), lengths and hyperparameters.
func FuzzDiffGradStep(f *testing.F) {
	seed := make([]byte, 20*37)
	for i := range seed {
		seed[i] = byte(i*37 + 9)
	}
	f.Add(seed, uint16(1), uint8(0), uint8(0), false)
	f.Add(seed[:20*5], uint16(900), uint8(200), uint8(90), true)
	f.Add([]byte{}, uint16(3), uint8(1), uint8(1), false)
	f.Fuzz(func(t *testing.T, data []byte, step uint16, hb1, hwd uint8, decoupled bool) {
		in := fusedFuzzFloats(data, 5)
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
		k := diffgradConstsOf(h)
		out := [][]float32{zooClone(in[0]), nil, zooClone(in[2]), zooClone(in[3]), zooClone(in[4])}
		diffgradStepGeneric(out[0], in[1], out[2], out[3], out[4], &k)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			got := [][]float32{zooClone(in[0]), nil, zooClone(in[2]), zooClone(in[3]), zooClone(in[4])}
			DiffGradStep(got[0], in[1], got[2], got[3], got[4], h)
			for i := range in[0] {
				for _, j := range []int{0, 2, 3, 4} {
					if !vecSame(got[j][i], out[j][i]) {
						t.Fatalf("%v: element %d of %d (p=%v g=%v m=%v v=%v prev=%v): output %d = %v, generic %v",
							l, i, len(in[0]), in[0][i], in[1][i], in[2][i], in[3][i], in[4][i], j, got[j][i], out[j][i])
					}
				}
			}
		}
	})
}

// BenchmarkDiffGradL2 is BenchmarkDiffGrad (fused_zoo_bench_test.go, λ =
// 0, the dgPlain loops) with an L2 term λ = 0.01 (the dgL2 loops).
func BenchmarkDiffGradL2(b *testing.B) {
	fusedBench(b, fusedOptSizes, 36, func(b *testing.B, n int) {
		p, g := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1)
		m, v := fusedBenchSlice(n, 2, -0.1, 0.1), fusedBenchSlice(n, 3, 0, 0.01)
		prev := fusedBenchSlice(n, 4, -1, 1)
		h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}
		for i := 0; b.Loop(); i++ {
			h.Step = i + 1
			DiffGradStep(p, g, m, v, prev, h)
		}
	})
}
