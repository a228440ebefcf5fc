package asm

import (
	"math"
	"strconv"
	"testing"
)

// The FAdam tests compare FAdamStep at every level with the generic
// reference bit for bit: the kernels fuse no float32 operation, flush as
// the reference does, and sum in the reference's lane order, so the sums,
// p, m, f and r must be identical (NaNs compare equal to NaNs).

var fadamTestParams = []struct {
	name string
	h    FAdamParams
}{
	{"t1", FAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Clip: 1, Step: 1}},
	{"t7-nowd", FAdamParams{LR: 1e-2, Beta1: 0.8, Beta2: 0.99, Eps: 1e-8, Clip: 1, Step: 7}},
	{"t100-clip", FAdamParams{LR: 3e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, WeightDecay: 0.5, Clip: 0.05, Step: 100}},
	{"t3-eps0", FAdamParams{LR: 1e-3, Beta1: 0.5, Beta2: 0.9, Eps: 0, WeightDecay: 0.1, Clip: 2, Step: 3}},
}

// fadamRef runs the generic passes on copies of the inputs and returns
// the results and the constants.
func fadamRef(p, g, m, f []float32, h FAdamParams) (pr, mr, fr, rr []float32, k fadamConsts) {
	pr, mr, fr, rr = zooClone(p), zooClone(m), zooClone(f), make([]float32, len(p))
	if len(p) == 0 {
		return
	}
	var acc [2 * fadamLanes]float64
	fadamSumGeneric(g, (*[fadamLanes]float64)(acc[:fadamLanes]))
	k.setPrecond(h, len(p), fadamFold(acc[:fadamLanes]))
	acc = [2 * fadamLanes]float64{}
	fadamPrecondGeneric(g, pr, fr, rr, &acc, &k)
	sh, sw := fadamFinish(&acc, g, pr, rr, fr, &k)
	k.setUpdate(h, len(p), sh, sw)
	fadamUpdateGeneric(pr, g, mr, rr, &k)
	return
}

// fadamSame reports whether a and b are the same float32, NaNs equal.
func fadamSame(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// fadamCompare checks one level's results against the reference's.
func fadamCompare(t *testing.T, what string, in [][]float32, got, want [][]float32) {
	t.Helper()
	names := []string{"p", "m", "f", "r"}
	for j := range want {
		for i := range want[j] {
			if !fadamSame(got[j][i], want[j][i]) {
				t.Fatalf("%s: %s[%d] (p=%v g=%v m=%v f=%v) = %v, reference %v",
					what, names[j], i, in[0][i], in[1][i], in[2][i], in[3][i], got[j][i], want[j][i])
			}
		}
	}
}

// fadamBufs returns guarded buffers holding copies of in, at offsets
// derived from off as zooInputs places them.
func fadamBufs(in [][]float32, off int) []fusedBuf {
	gens := make([]func() float32, len(in))
	for j, s := range in {
		i := 0
		gens[j] = func() float32 { i++; return s[i-1] }
	}
	return zooInputs(len(in[0]), off, gens...)
}

// TestFAdamStepLevels runs FAdamStep at every level against the reference
// over lengths 0..64 and large odd lengths at every offset, with NaN guard
// bands, for gradients large and small (clipped or not), with some f and g
// exactly zero so that ε = 0 meets √f + ε̂ = 0; with scratch and without
// (r = nil), which must give the same p, m and f.
func TestFAdamStepLevels(t *testing.T) {
	names := []string{"p", "g", "m", "f", "r"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(61, 62)
		for _, tc := range fadamTestParams {
			for _, gs := range []float64{1, 1e-3} {
				for _, c := range fusedCases(testing.Short()) {
					gu := fusedUniform(r, -gs, gs)
					gen := func() float32 {
						if r.IntN(8) == 0 {
							return 0
						}
						return gu()
					}
					fu := fusedUniform(r, 0, 0.01)
					fgen := func() float32 {
						if r.IntN(8) == 0 {
							return 0
						}
						return fu()
					}
					bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), gen,
						fusedUniform(r, -0.1, 0.1), fgen, fusedUniform(r, -9, 9))
					in := zooCopies(bufs)
					pr, mr, fr, rr, _ := fadamRef(in[0], in[1], in[2], in[3], tc.h)
					FAdamStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s(), bufs[4].s(), tc.h)
					zooCheckGuards(t, names, bufs, in, 1)
					fadamCompare(t, tc.name, in, [][]float32{bufs[0].s(), bufs[2].s(), bufs[3].s(), bufs[4].s()},
						[][]float32{pr, mr, fr, rr})
					nb := fadamBufs(in[:4], c.off)
					FAdamStep(nb[0].s(), nb[1].s(), nb[2].s(), nb[3].s(), nil, tc.h)
					zooCheckGuards(t, names[:4], nb, in[:4], 1)
					fadamCompare(t, tc.name+" (r nil)", in, [][]float32{nb[0].s(), nb[2].s(), nb[3].s()},
						[][]float32{pr, mr, fr})
					if t.Failed() {
						t.Fatalf("%s: g scale %v n=%d off=%d", tc.name, gs, c.n, c.off)
					}
				}
			}
		}
	})
}

// TestFAdamSumsLevels checks that the three sums are bit-identical at
// every level, and each within 4 float32 roundings of a sequential
// float64 sum of exact squares; with p scaled by 2^70 (ŵ² overflows
// float32) the second pass's sums are that sequential sum exactly.
func TestFAdamSumsLevels(t *testing.T) {
	h := fadamTestParams[0].h
	r := zooRand(63, 64)
	for _, scale := range []float32{1, 0x1p70} {
		for _, n := range []int{1, 15, 16, 17, 33, 63, 64, 65, 1000, 100003} {
			in := make([][]float32, 4)
			for j := range in {
				in[j] = make([]float32, n)
				for i := range in[j] {
					in[j][i] = float32(r.Float64()*2 - 1)
				}
			}
			for i := range in[3] {
				in[0][i] *= scale
				in[3][i] = float32(math.Abs(float64(in[3][i])))
			}
			_, _, _, rr, want := fadamRef(in[0], in[1], in[2], in[3], h)
			var sg, sh, sw float64
			for i := range in[1] {
				g := float64(in[1][i])
				sg += g * g
				gh, w := float64(in[1][i]*rr[i]), float64(in[0][i]*rr[i])
				sh += gh * gh
				sw += w * w
			}
			const tol = 4.01 / (1 << 24)
			for _, c := range [][2]float64{{want.sumG, sg}, {want.sumH, sh}, {want.sumW, sw}} {
				if math.Abs(c[0]-c[1]) > tol*c[1] {
					t.Errorf("scale %v n=%d: block sum %v, sequential %v", scale, n, c[0], c[1])
				}
			}
			if scale != 1 && (want.sumH != sh || want.sumW != sw) {
				t.Errorf("scale %v n=%d: sums %v %v, want the sequential %v %v", scale, n, want.sumH, want.sumW, sh, sw)
			}
			fusedForLevels(t, func(t *testing.T, l Level) {
				p, m, f, rs := zooClone(in[0]), zooClone(in[2]), zooClone(in[3]), make([]float32, n)
				var k fadamConsts
				fadamRun(p, in[1], m, f, rs, h, &k)
				var kn fadamConsts
				fadamRun(zooClone(in[0]), in[1], zooClone(in[2]), zooClone(in[3]), nil, h, &kn)
				for _, k := range []fadamConsts{k, kn} {
					if k.sumG != want.sumG || k.sumH != want.sumH || k.sumW != want.sumW {
						t.Errorf("scale %v n=%d: sums %v %v %v, reference %v %v %v", scale, n, k.sumG, k.sumH, k.sumW,
							want.sumG, want.sumH, want.sumW)
					}
				}
			})
		}
	}
}

// TestFAdamHand checks three steps against float64 arithmetic of the
// equations in FAdamStep's comment (with ĝ = g/(√F+ε̂) and ŵ = θ/(√F+ε̂)
// as divisions), once with the clip active and once not, at every level.
func TestFAdamHand(t *testing.T) {
	grads := [][]float32{{0.5, -1, 0.25, 0}, {-0.5, 1, -2, 0.125}, {-0.25, -1, 0.25, 3}}
	for _, clip := range []float64{10, 0.3} {
		fusedForLevels(t, func(t *testing.T, l Level) {
			h := FAdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-3, WeightDecay: 0.1, Clip: clip}
			p, m, f, rs := []float32{1, -1, 2, 0.5}, make([]float32, 4), make([]float32, 4), make([]float32, 4)
			p64, m64, f64 := []float64{1, -1, 2, 0.5}, make([]float64, 4), make([]float64, 4)
			clipped := false
			for s, g := range grads {
				h.Step = s + 1
				FAdamStep(p, g, m, f, rs, h)
				tt := float64(h.Step)
				bh := h.Beta2 * (1 - math.Pow(h.Beta2, tt-1)) / (1 - math.Pow(h.Beta2, tt))
				var sg float64
				for i := range g {
					gi := float64(g[i])
					f64[i] = bh*f64[i] + (1-bh)*gi*gi
					sg += gi * gi
				}
				eh := h.Eps * math.Min(1, math.Sqrt(sg/4))
				gh, w := make([]float64, 4), make([]float64, 4)
				var sh, sw float64
				for i := range g {
					d := math.Sqrt(f64[i]) + eh
					gh[i], w[i] = float64(g[i])/d, p64[i]/d
					sh += gh[i] * gh[i]
					sw += w[i] * w[i]
				}
				dg := math.Max(1, math.Sqrt(sh/4)/clip)
				dw := math.Max(1, math.Sqrt(sw/4)/clip)
				clipped = clipped || dg > 1
				for i := range g {
					m64[i] = h.Beta1*m64[i] + (1-h.Beta1)*gh[i]/dg
					p64[i] -= h.LR * (m64[i] + h.WeightDecay*w[i]/dw)
					if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Max(math.Abs(p64[i]), 1e-2) ||
						math.Abs(float64(m[i])-m64[i]) > 1e-5*math.Abs(m64[i])+1e-9 ||
						math.Abs(float64(f[i])-f64[i]) > 1e-6*f64[i] {
						t.Errorf("clip %v step %d [%d]: p, m, f = %v %v %v; float64 %v %v %v",
							clip, s+1, i, p[i], m[i], f[i], p64[i], m64[i], f64[i])
					}
				}
			}
			if clipped != (clip < 1) {
				t.Fatalf("clip %v: RMS(ĝ) clipped = %v, not as intended", clip, clipped)
			}
		})
	}
	// F = g² after step 1 (β̂2 = 0).
	g := []float32{3, -0.5, 0, 1e-3}
	f := []float32{7, 7, 7, 7}
	FAdamStep(make([]float32, 4), g, make([]float32, 4), f, make([]float32, 4),
		FAdamParams{LR: 1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Clip: 1, Step: 1})
	for i := range g {
		if f[i] != g[i]*g[i] {
			t.Errorf("step 1: f[%d] = %v, want g² = %v", i, f[i], g[i]*g[i])
		}
	}
	fusedExpectPanic(t, "asm: fadam: length mismatch", func() {
		FAdamStep(make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 3),
			FAdamParams{Clip: 1, Step: 1})
	})
	fusedExpectPanic(t, "asm: fadam: step 0", func() { FAdamStep(nil, nil, nil, nil, nil, FAdamParams{Clip: 1}) })
	fusedExpectPanic(t, "asm: fadam: clip 0", func() { FAdamStep(nil, nil, nil, nil, nil, FAdamParams{Step: 1}) })
}

// TestFAdamRMSClipped checks RMS(ĝ) ≤ c: with m = 0 and β1 = 0 the new m
// is the clipped ĝ itself.
func TestFAdamRMSClipped(t *testing.T) {
	r := zooRand(65, 66)
	for _, clip := range []float64{0.01, 0.5, 1} {
		fusedForLevels(t, func(t *testing.T, l Level) {
			n := 1001
			p, g, m, f, rs := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range g {
				p[i], g[i], f[i] = float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.Float64()*1e-4)
			}
			FAdamStep(p, g, m, f, rs, FAdamParams{LR: 1e-3, Eps: 1e-8, Beta2: 0.999, Clip: clip, Step: 5})
			var s float64
			for _, x := range m {
				s += float64(x) * float64(x)
			}
			if rms := math.Sqrt(s / float64(n)); rms > clip*(1+1e-6) {
				t.Errorf("clip %v: RMS(ĝ) = %v", clip, rms)
			}
		})
	}
}

// FuzzFAdamStep compares FAdamStep at every supported level with the
// reference on fuzzed values (finite, |x| ≤ 1e4, f ≥ 0, subnormals
// included), lengths and hyperparameters.
func FuzzFAdamStep(f *testing.F) {
	seed := make([]byte, 16*37)
	for i := range seed {
		seed[i] = byte(i*29 + 3)
	}
	f.Add(seed, uint16(1), uint8(0), uint8(0))
	f.Add(seed[:16*5], uint16(900), uint8(200), uint8(90))
	f.Add([]byte{}, uint16(3), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, step uint16, hb, hc uint8) {
		in := fusedFuzzFloats(data, 4)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		for i := range in[3] {
			in[3][i] = float32(math.Abs(float64(in[3][i])))
		}
		h := FAdamParams{
			LR: 1e-3 * (1 + float64(hb%7)), Beta1: float64(hb) / 256, Beta2: 0.9 + 0.0999*float64(hc)/255,
			Eps: []float64{0, 1e-8, 1e-3}[hc%3], WeightDecay: float64(hc) / 1000,
			Clip: 0.01 + float64(hb%50)/10, Step: int(step) + 1,
		}
		pr, mr, fr, rr, _ := fadamRef(in[0], in[1], in[2], in[3], h)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			p, m, fs, rs := zooClone(in[0]), zooClone(in[2]), zooClone(in[3]), make([]float32, len(in[0]))
			FAdamStep(p, in[1], m, fs, rs, h)
			fadamCompare(t, l.String(), in, [][]float32{p, m, fs, rs}, [][]float32{pr, mr, fr, rr})
			p, m, fs = zooClone(in[0]), zooClone(in[2]), zooClone(in[3])
			FAdamStep(p, in[1], m, fs, nil, h)
			fadamCompare(t, l.String()+" (r nil)", in, [][]float32{p, m, fs}, [][]float32{pr, mr, fr})
		}
	})
}

// BenchmarkFAdamStep times FAdamStep at each level, with scratch and
// without (fadam-nil), against AdamStep on the same n (one thread), as
// ns/param.
func BenchmarkFAdamStep(b *testing.B) {
	old := Active()
	defer SetLevel(old)
	for _, n := range []int{16384, 1_000_000} {
		for _, l := range Supported() {
			if l == Generic {
				continue
			}
			SetLevel(l)
			bufs := make([][]float32, 5)
			for j := range bufs {
				bufs[j] = make([]float32, n)
				for i := range bufs[j] {
					bufs[j][i] = float32(i%97+1) * 1e-3
				}
			}
			h := FAdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Clip: 1, Step: 10}
			b.Run(l.String()+"/fadam/"+strconv.Itoa(n), func(b *testing.B) {
				b.SetBytes(int64(4 * n * 5))
				for b.Loop() {
					FAdamStep(bufs[0], bufs[1], bufs[2], bufs[3], bufs[4], h)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
			})
			b.Run(l.String()+"/fadam-nil/"+strconv.Itoa(n), func(b *testing.B) {
				b.SetBytes(int64(4 * n * 4))
				for b.Loop() {
					FAdamStep(bufs[0], bufs[1], bufs[2], bufs[3], nil, h)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
			})
			ha := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 10}
			b.Run(l.String()+"/adam/"+strconv.Itoa(n), func(b *testing.B) {
				b.SetBytes(int64(4 * n * 4))
				for b.Loop() {
					AdamStep(bufs[0], bufs[1], bufs[2], bufs[3], ha)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
			})
		}
	}
}
