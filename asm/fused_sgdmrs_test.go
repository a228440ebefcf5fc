package asm

import (
	"math"
	"testing"
)

// The SGDM-RS tests hold SGDMRSStep to its reference bit for bit: the
// kernels round every operation as the reference does (the one fused
// multiply-add, λ·p + g, through fma32), so on inputs whose
// intermediates stay clear of subnormals nothing may differ. The fuzz
// target, whose inputs reach the flush threshold, allows one ulp of each
// output and 2^-124 for a flushed intermediate.

var sgdmrsTestParams = []struct {
	name string
	h    SGDMRSParams
}{
	{"rs", SGDMRSParams{LR: 0.05, Beta: 0.9, Scale: 1.7320508}},
	{"rs-wd-mu", SGDMRSParams{LR: 0.01, Beta: 0.95, Mu: 0.5, WeightDecay: 0.1, Scale: 0.25}},
	{"det-wd", SGDMRSParams{LR: 0.1, Beta: 1, WeightDecay: 1e-3, Scale: 1}},
	{"beta0-big-s", SGDMRSParams{LR: 0.02, Beta: 0, Mu: 2, WeightDecay: 0.5, Scale: 36.7}},
}

// sgdmrsSame reports whether got and want have the same bits (any two
// NaNs match).
func sgdmrsSame(got, want float32) bool {
	if got != got || want != want {
		return got != got && want != want
	}
	return math.Float32bits(got) == math.Float32bits(want)
}

// TestSGDMRSStepLevels runs SGDMRSStep at every level against the
// reference, bit for bit, over lengths 0..64 and large odd lengths at
// every offset, with NaN guard bands; g must stay unchanged.
func TestSGDMRSStepLevels(t *testing.T) {
	names := []string{"p", "g", "d"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(61, 62)
		for _, tc := range sgdmrsTestParams {
			k := tc.h.consts()
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -1, 1), fusedUniform(r, -0.1, 0.1))
				in := zooCopies(bufs)
				pr, dr := zooClone(in[0]), zooClone(in[2])
				sgdmrsStepGeneric(pr, in[1], dr, &k)
				SGDMRSStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), tc.h)
				zooCheckGuards(t, names, bufs, in, 1)
				for i := range pr {
					if p, d := bufs[0].s()[i], bufs[2].s()[i]; !sgdmrsSame(p, pr[i]) || !sgdmrsSame(d, dr[i]) {
						t.Fatalf("%s n=%d off=%d [%d] (p=%v g=%v d=%v): got p,d = %v %v; generic %v %v",
							tc.name, c.n, c.off, i, in[0][i], in[1][i], in[2][i], p, d, pr[i], dr[i])
					}
				}
				if t.Failed() {
					t.Fatalf("%s: n=%d off=%d", tc.name, c.n, c.off)
				}
			}
		}
	})
}

// TestSGDMRSMatchesChain checks SGDMRSStep bit for bit against optim's
// chain written out with this package's kernels: u = g, Axpy(u, λ, p),
// the ScaleBySGDMRS loop (u ← −s·Δ), then Axpy(p, −1, u). The generic
// Axpy rounds λ·p before adding it, so with λ > 0 the comparison runs at
// the assembly levels only. The chain does not flush; the inputs keep
// every intermediate normal.
func TestSGDMRSMatchesChain(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(63, 64)
		for _, tc := range sgdmrsTestParams {
			if tc.h.WeightDecay != 0 && l == Generic {
				continue
			}
			for _, n := range []int{1, 8, 17, 64, 1000, 4099} {
				p, g, d := make([]float32, n), make([]float32, n), make([]float32, n)
				for i := range p {
					p[i], g[i], d[i] = fusedUniform(r, -1, 1)(), fusedUniform(r, -1, 1)(), fusedUniform(r, -0.1, 0.1)()
				}
				pc, u, dc := zooClone(p), zooClone(g), zooClone(d)
				wd, eta, sc := float32(tc.h.WeightDecay), float32(tc.h.LR), float32(tc.h.Scale)
				f := float32(tc.h.Beta / (1 + float64(eta)*tc.h.Mu))
				if wd != 0 {
					Axpy(u, wd, pc)
				}
				for j, gj := range u {
					dj := f * (dc[j] - float32(eta*gj)) // as optim: no FMA under GOAMD64=v3
					dc[j] = dj
					u[j] = -sc * dj
				}
				Axpy(pc, -1, u)
				SGDMRSStep(p, g, d, tc.h)
				for i := range p {
					if !sgdmrsSame(p[i], pc[i]) || !sgdmrsSame(d[i], dc[i]) {
						t.Fatalf("%s n=%d [%d]: got p,d = %v %v; chain %v %v", tc.name, n, i, p[i], d[i], pc[i], dc[i])
					}
				}
			}
		}
	})
}

// TestSGDMRSWeightDecayZero checks that λ = 0 leaves u = g as the chain
// does: a p of +Inf stays +Inf (0·p would make it NaN), and a −0
// gradient stays −0 (0·(+0) + (−0) would be +0, and Δ = f·(−0 − η·u)
// then −0 instead of +0).
func TestSGDMRSWeightDecayZero(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		const n = 37
		inf := float32(math.Inf(1))
		negz := float32(math.Copysign(0, -1))
		p, g, d := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i], g[i], d[i] = 0, negz, negz
		}
		p[3], p[n-1] = inf, inf
		SGDMRSStep(p, g, d, SGDMRSParams{LR: 0.1, Beta: 0.9, Scale: 2})
		for i := range p {
			// Δ = 0.9·(−0 − 0.1·(−0)) = 0.9·(+0) = +0; θ = +0 + 2·(+0) = +0.
			want := float32(0)
			if i == 3 || i == n-1 {
				want = inf
			}
			if !sgdmrsSame(p[i], want) || !sgdmrsSame(d[i], 0) {
				t.Fatalf("[%d]: p, d = %v %v (bits %#x %#x), want %v +0", i, p[i], d[i],
					math.Float32bits(p[i]), math.Float32bits(d[i]), want)
			}
		}
	})
}

// TestSGDMRSHand checks three steps against float64 arithmetic of the
// equations in SGDMRSStep's comment, and the length panic.
func TestSGDMRSHand(t *testing.T) {
	grads := [][]float32{{0.5, -1, 0.25, 0}, {0.5, 1, -2, 0.125}, {-0.25, -1, 0.25, 3}}
	scales := []float64{1.5, 0.125, 3}
	fusedForLevels(t, func(t *testing.T, l Level) {
		const lr, beta, mu, wd = 0.1, 0.9, 0.5, 0.01
		p, d := []float32{1, -1, 2, 0.5}, make([]float32, 4)
		p64, d64 := []float64{1, -1, 2, 0.5}, make([]float64, 4)
		for s, g := range grads {
			SGDMRSStep(p, g, d, SGDMRSParams{LR: lr, Beta: beta, Mu: mu, WeightDecay: wd, Scale: scales[s]})
			for i := range p64 {
				u := float64(g[i]) + wd*p64[i]
				d64[i] = beta * (d64[i] - lr*u) / (1 + lr*mu)
				p64[i] += scales[s] * d64[i]
				if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Abs(p64[i])+1e-7 ||
					math.Abs(float64(d[i])-d64[i]) > 1e-6*math.Abs(d64[i])+1e-8 {
					t.Errorf("step %d [%d]: p, d = %v %v; float64 %v %v", s+1, i, p[i], d[i], p64[i], d64[i])
				}
			}
		}
	})
	fusedExpectPanic(t, "asm: sgdmrs: length mismatch", func() {
		SGDMRSStep(make([]float32, 2), make([]float32, 2), make([]float32, 3), SGDMRSParams{})
	})
	fusedExpectPanic(t, "asm: sgdmrs: length mismatch", func() {
		SGDMRSStep(make([]float32, 2), make([]float32, 1), make([]float32, 2), SGDMRSParams{})
	})
}

// sgdmrsFuzzTol is the allowance for want: one ulp, and 2^-124 times the
// magnitudes through which a flushed intermediate can pass.
func sgdmrsFuzzTol(want float32, k *sgdmrsConsts) float64 {
	ulp := math.Abs(float64(math.Nextafter32(want, float32(math.Inf(1)))) - float64(want))
	return ulp + 0x1p-124*(1+math.Abs(float64(k.s)))*(1+math.Abs(float64(k.f)))
}

// FuzzSGDMRSStep compares SGDMRSStep at every supported level with the
// reference on fuzzed values (finite, |x| ≤ 1e4, subnormals included),
// lengths and hyperparameters.
func FuzzSGDMRSStep(f *testing.F) {
	seed := make([]byte, 12*37)
	for i := range seed {
		seed[i] = byte(i*13 + 5)
	}
	f.Add(seed, uint8(0), uint8(0), uint8(10))
	f.Add(seed[:12*5], uint8(200), uint8(90), uint8(255))
	f.Add(seed[:12*19], uint8(7), uint8(3), uint8(1))
	f.Add([]byte{}, uint8(1), uint8(1), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, hb, hwd, hs uint8) {
		in := fusedFuzzFloats(data, 3)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		h := SGDMRSParams{LR: 1e-3 * (1 + float64(hb%50)), Beta: float64(hb) / 255, Mu: float64(hwd%4) / 2,
			WeightDecay: float64(hwd%3) * float64(hwd) / 1000, Scale: -math.Log((float64(hs) + 0.5) / 256)}
		k := h.consts()
		pr, dr := zooClone(in[0]), zooClone(in[2])
		sgdmrsStepGeneric(pr, in[1], dr, &k)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			p, d := zooClone(in[0]), zooClone(in[2])
			SGDMRSStep(p, in[1], d, h)
			for i := range p {
				if !fusedClose(d[i], dr[i], sgdmrsFuzzTol(dr[i], &k)) || !fusedClose(p[i], pr[i], sgdmrsFuzzTol(pr[i], &k)) {
					t.Fatalf("%v: element %d of %d (p=%v g=%v d=%v): got p,d = %v %v; generic %v %v (%+v)",
						l, i, len(p), in[0][i], in[1][i], in[2][i], p[i], d[i], pr[i], dr[i], h)
				}
			}
		}
	})
}

// BenchmarkSGDMRS: p, g, d read and p, d written, 20 bytes per param;
// run it with BenchmarkAdam to compare.
func BenchmarkSGDMRS(b *testing.B) {
	fusedBench(b, fusedOptSizes, 20, func(b *testing.B, n int) {
		p, g, d := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1), fusedBenchSlice(n, 2, -0.1, 0.1)
		h := SGDMRSParams{LR: 0.05, Beta: 0.9, WeightDecay: 1e-4, Scale: 1.3}
		for b.Loop() {
			SGDMRSStep(p, g, d, h)
		}
	})
}
