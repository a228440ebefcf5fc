package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// lionCompare checks a kernel run against the reference: p must match bit
// for bit (only sign(c) enters it, and η·sign(c) is exact), m to one ulp
// (the reference's fma32 may double-round).
func lionCompare(t *testing.T, p, m, pr, mr []float32) {
	t.Helper()
	for i := range p {
		ulp := float64(math.Nextafter32(float32(math.Abs(float64(mr[i]))), float32(math.Inf(1)))) - math.Abs(float64(mr[i]))
		if math.Float32bits(p[i]) != math.Float32bits(pr[i]) && !(p[i] != p[i] && pr[i] != pr[i]) ||
			!fusedClose(m[i], mr[i], ulp) {
			t.Fatalf("element %d of %d: got p,m = %v %v; generic %v %v", i, len(p), p[i], m[i], pr[i], mr[i])
		}
	}
}

var lionTestParams = []struct {
	name string
	h    LionParams
}{
	{"lion", LionParams{LR: 1e-4, Beta1: 0.9, Beta2: 0.99}},
	{"lion-wd", LionParams{LR: 3e-4, Beta1: 0.95, Beta2: 0.98, WeightDecay: 1}},
}

// TestLionStepLevels runs LionStep at every level against the generic
// reference over many lengths and offsets, with guard bands. Some
// coordinates get c = 0 exactly (m = g = 0).
func TestLionStepLevels(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, tc := range lionTestParams {
			k := tc.h.consts()
			for _, c := range fusedCases(testing.Short()) {
				pb := fusedNewBuf(c.n, c.off).fill(fusedUniform(r, -1, 1))
				gb := fusedNewBuf(c.n, (c.off+1)%8).fill(fusedUniform(r, -1, 1))
				mb := fusedNewBuf(c.n, (c.off+7)%8).fill(fusedUniform(r, -0.1, 0.1))
				for i := 0; i < c.n; i += 5 {
					gb.s()[i], mb.s()[i] = 0, 0
				}
				g0 := gb.copy()
				pr, mr := pb.copy(), mb.copy()
				lionStepGeneric(pr, g0, mr, &k)
				LionStep(pb.s(), gb.s(), mb.s(), tc.h)
				pb.checkGuards(t, tc.name+" p")
				mb.checkGuards(t, tc.name+" m")
				gb.checkUnchanged(t, tc.name+" g", g0)
				lionCompare(t, pb.s(), mb.s(), pr, mr)
				if t.Failed() {
					t.Fatalf("%s: n=%d off=%d", tc.name, c.n, c.off)
				}
			}
		}
	})
}

// TestLionHandSteps checks two Lion steps on five coordinates against
// float64 arithmetic written out here, including c = 0 (no move but the
// decay) and a NaN gradient (NaN propagates into p and m).
func TestLionHandSteps(t *testing.T) {
	const lr, b1, b2, wd = 1e-4, 0.9, 0.99, 0.1
	h := LionParams{LR: lr, Beta1: b1, Beta2: b2, WeightDecay: wd}
	fusedForLevels(t, func(t *testing.T, l Level) {
		p := []float32{1, -1, 0.5, 2, 3}
		m := []float32{0, 0.5, 0, -1, 0}
		p64 := []float64{1, -1, 0.5, 2, 3}
		m64 := []float64{0, 0.5, 0, -1, 0}
		grads := [][]float32{{0.25, -0.125, 0, 0.001, 1}, {-0.5, 0.5, 0, 2, 1}}
		for s, g := range grads {
			LionStep(p, g, m, h)
			for i := range p64 {
				gi := float64(g[i])
				c := b1*m64[i] + (1-b1)*gi
				sg := 0.0
				if c > 0 {
					sg = 1
				} else if c < 0 {
					sg = -1
				}
				p64[i] = p64[i]*(1-lr*wd) - lr*sg
				m64[i] = b2*m64[i] + (1-b2)*gi
				if math.Abs(float64(p[i])-p64[i]) > 6*fusedU*math.Abs(p64[i]) ||
					math.Abs(float64(m[i])-m64[i]) > 1e-6*math.Abs(m64[i]) {
					t.Errorf("step %d [%d]: p,m = %v %v; float64 %v %v", s+1, i, p[i], m[i], p64[i], m64[i])
				}
			}
		}
		// Coordinate 2 never had c ≠ 0: only the decay applied, twice.
		if want := float32(float32(0.5*(1-lr*wd)) * float32(1-lr*wd)); p[2] != want {
			t.Errorf("c = 0: p = %v, want %v", p[2], want)
		}
		nan := float32(math.NaN())
		pn, mn := []float32{1, 1}, []float32{0, 0}
		LionStep(pn, []float32{nan, 1}, mn, h)
		if pn[0] == pn[0] || mn[0] == mn[0] || pn[1] != float32(float32(1-lr*wd)-lr) {
			t.Errorf("NaN gradient: p = %v, m = %v; want NaN, NaN in [0] and p[1] = %v", pn, mn, float32(float32(1-lr*wd)-lr))
		}
	})
}

// TestLionSubnormal: subnormal momenta and gradients are read as zero (no
// move), and nothing subnormal is stored.
func TestLionSubnormal(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		const n = 77
		p, g, m := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i] = 1
			g[i] = float32(1e-39 * float64(i%7-3))
			m[i] = float32(2e-39 * float64(i%5-2))
		}
		k := LionParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.99}.consts()
		pr, mr := append([]float32(nil), p...), append([]float32(nil), m...)
		lionStepGeneric(pr, g, mr, &k)
		LionStep(p, g, m, LionParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.99})
		for i := range p {
			if p[i] != 1 || m[i] != 0 || fusedIsSubnormal(m[i]) {
				t.Fatalf("[%d] p,m = %v %v, want 1, 0", i, p[i], m[i])
			}
		}
		lionCompare(t, p, m, pr, mr)
	})
}

func TestLionStepPanics(t *testing.T) {
	a, b := make([]float32, 3), make([]float32, 4)
	h := LionParams{LR: 1e-4, Beta1: 0.9, Beta2: 0.99}
	fusedExpectPanic(t, "asm: lion: length mismatch", func() { LionStep(a, a, b, h) })
	fusedExpectPanic(t, "asm: lion: length mismatch", func() { LionStep(a, b, a, h) })
}
