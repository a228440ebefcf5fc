package asm

import (
	"math"
	"testing"
)

// The Gravity tests hold GravityStep to its reference bit for bit: the
// kernels round every operation as the reference does and take the
// maximum exactly, so on inputs whose intermediates stay clear of
// subnormals nothing may differ. The fuzz target, whose inputs reach the
// flush threshold, allows one ulp of each output and 2^-124 for a
// flushed intermediate.

var gravityTestParams = []struct {
	name string
	h    GravityParams
}{
	{"t1", GravityParams{LR: 0.1, Beta: 0.9, Step: 1}},
	{"t2", GravityParams{LR: 0.05, Beta: 0.99, Step: 2}},
	{"t1000", GravityParams{LR: 0.3, Beta: 0.5, Step: 1000}},
	{"beta0-t7", GravityParams{LR: 1, Beta: 0, Step: 7}},
}

// gravityRef runs both passes of the reference on copies of p and v.
func gravityRef(p, g, v []float32, h GravityParams) (pr, vr []float32, k gravityConsts) {
	k = h.consts(math.Float32frombits(gravityMaxGeneric(g)))
	pr, vr = zooClone(p), zooClone(v)
	gravityStepGeneric(pr, g, vr, &k)
	return pr, vr, k
}

// TestGravityStepLevels runs GravityStep at every level against the
// reference, bit for bit, over lengths 0..64 and large odd lengths at
// every offset, with NaN guard bands, for gradients whose maximum makes
// (g·M)² small and large; g must stay unchanged.
func TestGravityStepLevels(t *testing.T) {
	names := []string{"p", "g", "v"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(71, 72)
		for _, tc := range gravityTestParams {
			for _, gs := range []float64{1e-3, 1, 30} {
				for _, c := range fusedCases(testing.Short()) {
					bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -gs, gs), fusedUniform(r, -0.1, 0.1))
					in := zooCopies(bufs)
					pr, vr, _ := gravityRef(in[0], in[1], in[2], tc.h)
					GravityStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), tc.h)
					zooCheckGuards(t, names, bufs, in, 1)
					for i := range pr {
						if p, v := bufs[0].s()[i], bufs[2].s()[i]; !sgdmrsSame(p, pr[i]) || !sgdmrsSame(v, vr[i]) {
							t.Fatalf("%s g scale %v n=%d off=%d [%d] (p=%v g=%v v=%v): got p,v = %v %v; generic %v %v",
								tc.name, gs, c.n, c.off, i, in[0][i], in[1][i], in[2][i], p, v, pr[i], vr[i])
						}
					}
				}
			}
		}
	})
}

// TestGravityMaxLevels checks the first pass at every level against the
// reference: the maximum magnitude wherever it sits (every position of
// lengths up to 70, tails included), −0, subnormals, +Inf, and a NaN
// anywhere, which wins.
func TestGravityMaxLevels(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(73, 74)
		check := func(what string, g []float32) {
			t.Helper()
			want := gravityMaxGeneric(g)
			if got := gravityMax(g); got != want {
				t.Fatalf("%s n=%d: max bits %#x, reference %#x", what, len(g), got, want)
			}
		}
		for n := 0; n <= 70; n++ {
			g := make([]float32, n)
			for i := range g {
				g[i] = float32(r.Float64()*2 - 1)
			}
			check("random", g)
			for j := 0; j < n; j++ {
				for _, x := range []float32{-3, float32(math.Inf(-1)), float32(math.NaN())} {
					h := zooClone(g)
					h[j] = x
					check("special", h)
					want := math.Float32bits(x) & 0x7fffffff
					if x != x {
						if got := gravityMax(h); got <= 0x7f800000 {
							t.Fatalf("NaN at %d of %d: max bits %#x is not a NaN", j, n, got)
						}
					} else if got := gravityMax(h); got != want {
						t.Fatalf("%v at %d of %d: max bits %#x, want %#x", x, j, n, got, want)
					}
				}
			}
		}
		for _, n := range []int{1000, 4099, 100003} {
			g := make([]float32, n)
			for i := range g {
				g[i] = math.Float32frombits(uint32(r.Uint64()) & 0x807fffff) // ±0 and subnormals
			}
			check("subnormal", g)
			g[n-1] = -0.5
			check("subnormal+last", g)
		}
	})
}

// TestGravityMatchesChain checks GravityStep bit for bit against optim's
// chain written out: M by Go's max builtin, the ScaleByGravity loop, then
// Scale(u, η) (ScaleByLR) and Axpy(p, −1, u), at every level (no fused
// multiply-add is involved: the conversions keep the compiler from fusing
// under GOAMD64=v3, as in optim, and −1·u is exact). The chain does not
// flush; the inputs keep every intermediate normal.
func TestGravityMatchesChain(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(75, 76)
		for _, tc := range gravityTestParams {
			for _, n := range []int{1, 8, 17, 64, 1000, 4099} {
				p, g, v := make([]float32, n), make([]float32, n), make([]float32, n)
				for i := range p {
					p[i], g[i], v[i] = fusedUniform(r, -1, 1)(), fusedUniform(r, -3, 3)(), fusedUniform(r, -0.1, 0.1)()
				}
				pc, u, vc := zooClone(p), zooClone(g), zooClone(v)
				var mx float32
				for _, x := range u {
					mx = max(mx, float32(math.Abs(float64(x))))
				}
				k := float64(tc.h.Step - 1)
				bt := (tc.h.Beta*k + 1) / (k + 2)
				b, omb := float32(bt), float32(1-bt)
				for j, x := range u {
					gm := x * mx
					vj := float32(b*vc[j]) + float32(omb*(x/(1+float32(gm*gm)))) // as optim: no FMA
					vc[j] = vj
					u[j] = vj
				}
				Scale(u, float32(tc.h.LR))
				Axpy(pc, -1, u)
				GravityStep(p, g, v, tc.h)
				for i := range p {
					if !sgdmrsSame(p[i], pc[i]) || !sgdmrsSame(v[i], vc[i]) {
						t.Fatalf("%s n=%d [%d]: got p,v = %v %v; chain %v %v", tc.name, n, i, p[i], v[i], pc[i], vc[i])
					}
				}
			}
		}
	})
}

// TestGravityNaN checks that a NaN anywhere in g makes every v and p NaN
// at every level, as the chain's max does.
func TestGravityNaN(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		for _, n := range []int{1, 9, 33, 100} {
			for _, j := range []int{0, n / 2, n - 1} {
				p, g, v := make([]float32, n), make([]float32, n), make([]float32, n)
				for i := range g {
					g[i] = float32(i%5) - 2
				}
				g[j] = float32(math.NaN())
				GravityStep(p, g, v, GravityParams{LR: 0.1, Beta: 0.9, Step: 3})
				for i := range p {
					if p[i] == p[i] || v[i] == v[i] {
						t.Fatalf("n=%d NaN at %d: [%d] p, v = %v %v, want NaN", n, j, i, p[i], v[i])
					}
				}
			}
		}
	})
}

// TestGravityHand checks three steps against float64 arithmetic of the
// equations in GravityStep's comment, the bound |ζ| ≤ 1/(2M) (with
// equality where |g| = 1/M), and the panics.
func TestGravityHand(t *testing.T) {
	grads := [][]float32{{0.5, -1, 0.25, 0}, {0.5, 1, -2, 0.125}, {-0.25, -4, 0.25, 3}}
	fusedForLevels(t, func(t *testing.T, l Level) {
		const lr, beta = 0.1, 0.9
		p, v := []float32{1, -1, 2, 0.5}, []float32{0.01, -0.02, 0, 0.03}
		p64, v64 := []float64{1, -1, 2, 0.5}, []float64{0.01, -0.02, 0, 0.03}
		for s, g := range grads {
			GravityStep(p, g, v, GravityParams{LR: lr, Beta: beta, Step: s + 1})
			var m float64
			for _, x := range g {
				m = math.Max(m, math.Abs(float64(x)))
			}
			k := float64(s)
			bt := (beta*k + 1) / (k + 2)
			for i := range p64 {
				gi := float64(g[i])
				z := gi / (1 + gi*m*gi*m)
				if math.Abs(z) > 1/(2*m)*(1+1e-15) {
					t.Fatalf("step %d [%d]: |ζ| = %v > 1/(2M) = %v", s+1, i, math.Abs(z), 1/(2*m))
				}
				v64[i] = bt*v64[i] + (1-bt)*z
				p64[i] -= lr * v64[i]
				if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Abs(p64[i])+1e-7 ||
					math.Abs(float64(v[i])-v64[i]) > 1e-6*math.Abs(v64[i])+1e-8 {
					t.Errorf("step %d [%d]: p, v = %v %v; float64 %v %v", s+1, i, p[i], v[i], p64[i], v64[i])
				}
			}
		}
		// |g| = 1/M at M = 2: g = ±0.5 gives ζ = ±0.25 = ±1/(2M) exactly.
		p, v = make([]float32, 3), make([]float32, 3)
		GravityStep(p, []float32{0.5, -2, -0.5}, v, GravityParams{LR: 1, Beta: 0, Step: 1})
		if v[0] != 0.125 || v[2] != -0.125 {
			t.Errorf("ζ at |g| = 1/M: v = %v, want ±(1−β_1)/(2M) = ±0.125", v)
		}
	})
	fusedExpectPanic(t, "asm: gravity: length mismatch", func() {
		GravityStep(make([]float32, 2), make([]float32, 2), make([]float32, 3), GravityParams{Step: 1})
	})
	fusedExpectPanic(t, "asm: gravity: step 0", func() { GravityStep(nil, nil, nil, GravityParams{}) })
}

// gravityFuzzTol is the allowance for want: one ulp, and 2^-124 times the
// magnitudes through which a flushed intermediate can pass.
func gravityFuzzTol(want float32, k *gravityConsts) float64 {
	ulp := math.Abs(float64(math.Nextafter32(want, float32(math.Inf(1)))) - float64(want))
	return ulp + 0x1p-124*(1+math.Abs(float64(k.lr)))
}

// FuzzGravityStep compares GravityStep at every supported level with the
// reference on fuzzed values (finite, |x| ≤ 1e4, subnormals included),
// lengths and hyperparameters.
func FuzzGravityStep(f *testing.F) {
	seed := make([]byte, 12*37)
	for i := range seed {
		seed[i] = byte(i*17 + 1)
	}
	f.Add(seed, uint16(0), uint8(0))
	f.Add(seed[:12*5], uint16(900), uint8(200))
	f.Add(seed[:12*19], uint16(7), uint8(3))
	f.Add([]byte{}, uint16(1), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, step uint16, hb uint8) {
		in := fusedFuzzFloats(data, 3)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		h := GravityParams{LR: 0.01 * (1 + float64(hb%30)), Beta: float64(hb) / 255, Step: int(step) + 1}
		pr, vr, k := gravityRef(in[0], in[1], in[2], h)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			p, v := zooClone(in[0]), zooClone(in[2])
			GravityStep(p, in[1], v, h)
			for i := range p {
				if !fusedClose(v[i], vr[i], gravityFuzzTol(vr[i], &k)) || !fusedClose(p[i], pr[i], gravityFuzzTol(pr[i], &k)) {
					t.Fatalf("%v: element %d of %d (p=%v g=%v v=%v): got p,v = %v %v; generic %v %v (%+v, M=%v)",
						l, i, len(p), in[0][i], in[1][i], in[2][i], p[i], v[i], pr[i], vr[i], h, k.m)
				}
			}
		}
	})
}

// BenchmarkGravity: g read twice (the max pass), p and v read and p, v
// written, 24 bytes per param; run it with BenchmarkAdam to compare.
func BenchmarkGravity(b *testing.B) {
	fusedBench(b, fusedOptSizes, 24, func(b *testing.B, n int) {
		p, g, v := fusedBenchSlice(n, 0, -1, 1), fusedBenchSlice(n, 1, -1, 1), fusedBenchSlice(n, 2, -0.1, 0.1)
		for i := 0; b.Loop(); i++ {
			GravityStep(p, g, v, GravityParams{LR: 0.1, Beta: 0.9, Step: i + 1})
		}
	})
}
