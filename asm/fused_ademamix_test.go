package asm

import (
	"math"
	"testing"
)

// ademamixTols returns the tolerances on m1, m2, v and p for one element
// of AdEMAMixStep, given the inputs and the reference's outputs.
func ademamixTols(k *ademamixConsts, p0, g, f0, s0, v0, f1, s1, v1 float32) (tf, ts, tv, tp float64) {
	G := zooAb(g)
	tf = 8*fusedU*(zooAb(k.b1)*zooAb(f0)+zooAb(k.omb1)*G) + zooAbs
	ts = 8*fusedU*(zooAb(k.b3)*zooAb(s0)+zooAb(k.omb3)*G) + zooAbs
	tv = 8*fusedU*(zooAb(k.b2)*zooAb(v0)+zooAb(k.omb2)*G*G) + zooAbs
	r, tr := zooSqrtTol(float64(v1), tv)
	d := r*float64(k.rbc2) + float64(k.eps)
	td := tr*float64(k.rbc2) + 4*fusedU*d
	st, la := float64(k.step), zooAb(k.la)
	num := st*(zooAb(f1)+tf) + la*(zooAb(s1)+ts)
	// The products step·m1 and α·η·m2 may be subnormal: the assembly
	// flushes them (zooAbs), and the division by d can magnify that.
	q, tq := zooQuotTol(num, st*tf+la*ts+8*fusedU*num+zooAbs, d, td)
	return tf, ts, tv, zooStepTol(zooAb(p0), 1, q, tq)
}

var ademamixTestParams = []struct {
	name string
	h    AdEMAMixParams
}{
	{"default", AdEMAMixParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Beta3: 0.9999, Alpha: 2, Eps: 1e-8, Step: 1}},
	{"wd-t7", AdEMAMixParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Beta3: 0.999, Alpha: 5, Eps: 1e-8, WeightDecay: 0.1, Step: 7}},
	{"t1000", AdEMAMixParams{LR: 3e-4, Beta1: 0.8, Beta2: 0.99, Beta3: 0.95, Alpha: 8, Eps: 1e-6, WeightDecay: 0.01, Step: 1000}},
}

// TestAdEMAMixStepLevels runs AdEMAMixStep at every level against the
// reference over lengths 0..64 and large odd lengths at every offset, with
// NaN guard bands.
func TestAdEMAMixStepLevels(t *testing.T) {
	names := []string{"p", "g", "m1", "m2", "v"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(25, 26)
		for _, tc := range ademamixTestParams {
			k := tc.h.consts()
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -1, 1),
					fusedUniform(r, -0.1, 0.1), fusedUniform(r, -0.1, 0.1), fusedUniform(r, 0, 0.01))
				in := zooCopies(bufs)
				out := zooCopies(bufs)
				ademamixStepGeneric(out[0], in[1], out[2], out[3], out[4], &k)
				AdEMAMixStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s(), bufs[4].s(), tc.h)
				zooCheckGuards(t, names, bufs, in, 1)
				for i := range in[0] {
					tf, ts, tv, tp := ademamixTols(&k, in[0][i], in[1][i], in[2][i], in[3][i], in[4][i], out[2][i], out[3][i], out[4][i])
					for j, tol := range []float64{tp, 0, tf, ts, tv} {
						if j != 1 && !fusedClose(bufs[j].s()[i], out[j][i], tol) {
							t.Fatalf("%s n=%d off=%d [%d]: %s = %v, generic %v (tol %.3g)", tc.name, c.n, c.off, i,
								names[j], bufs[j].s()[i], out[j][i], tol)
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

// TestAdEMAMixHand checks three steps against float64 arithmetic (METHODS
// 1.11, the official update with λ added to it), with α changing between
// steps as a warm-up does, and that m2 is not bias-corrected.
func TestAdEMAMixHand(t *testing.T) {
	grads := [][]float32{{0.5, -1, 0.25, 0}, {0.5, 1, -2, 0.125}, {-0.25, -1, 0.25, 3}}
	alphas := []float64{0, 2.5, 5}
	fusedForLevels(t, func(t *testing.T, l Level) {
		h := AdEMAMixParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Beta3: 0.99, Eps: 1e-8, WeightDecay: 0.1}
		p, m1, m2, v := []float32{1, -1, 2, 0.5}, make([]float32, 4), make([]float32, 4), make([]float32, 4)
		p64, f64, s64, v64 := []float64{1, -1, 2, 0.5}, make([]float64, 4), make([]float64, 4), make([]float64, 4)
		for s, g := range grads {
			h.Step, h.Alpha = s+1, alphas[s]
			AdEMAMixStep(p, g, m1, m2, v, h)
			bc1, bc2 := 1-math.Pow(h.Beta1, float64(h.Step)), 1-math.Pow(h.Beta2, float64(h.Step))
			for i := range p64 {
				gi := float64(g[i])
				f64[i] = h.Beta1*f64[i] + (1-h.Beta1)*gi
				sScale := h.Beta3*math.Abs(s64[i]) + (1-h.Beta3)*math.Abs(gi) // m2 may cancel
				s64[i] = h.Beta3*s64[i] + (1-h.Beta3)*gi
				v64[i] = h.Beta2*v64[i] + (1-h.Beta2)*gi*gi
				p64[i] -= h.LR * ((f64[i]/bc1+h.Alpha*s64[i])/(math.Sqrt(v64[i]/bc2)+h.Eps) + h.WeightDecay*p64[i])
				if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Abs(p64[i]) || math.Abs(float64(m2[i])-s64[i]) > 1e-6*sScale {
					t.Errorf("step %d [%d]: p, m2 = %v %v; float64 %v %v", s+1, i, p[i], m2[i], p64[i], s64[i])
				}
			}
		}
	})
	h := AdEMAMixParams{Step: 1}
	fusedExpectPanic(t, "asm: ademamix: length mismatch", func() {
		AdEMAMixStep(make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 1), make([]float32, 2), h)
	})
	h.Alpha = math.Inf(1)
	fusedExpectPanic(t, "asm: ademamix: alpha", func() { AdEMAMixStep(nil, nil, nil, nil, nil, h) })
	h.Step = 0
	fusedExpectPanic(t, "asm: ademamix: step 0", func() { AdEMAMixStep(nil, nil, nil, nil, nil, h) })
}

// TestAdEMAMixAlphaZeroIsAdamW: with α = 0, AdEMAMixStep is AdamStep
// (decoupled) at every level (METHODS 1.11): m1 and v equal Adam's m and v
// bit for bit over 20 steps, whatever m2 holds, and p agrees to a few ulps
// of θ and of the step per step (η/bc1 multiplies before the division
// here, after it in AdamStep), over lengths that cover the vector bodies
// and tails.
func TestAdEMAMixAlphaZeroIsAdamW(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(27, 28)
		for _, n := range []int{1, 7, 8, 15, 16, 33, 100, 1027} {
			p, g := make([]float32, n), make([]float32, n)
			m1, m2, v := make([]float32, n), make([]float32, n), make([]float32, n)
			fill := fusedUniform(r, -1, 1)
			for i := range p {
				p[i], m2[i] = fill(), fill()
			}
			pa, ma, va := zooClone(p), make([]float32, n), make([]float32, n)
			const lr = 1e-2
			for s := 1; s <= 20; s++ {
				for i := range g {
					g[i] = fill()
				}
				AdEMAMixStep(p, g, m1, m2, v, AdEMAMixParams{LR: lr, Beta1: 0.9, Beta2: 0.999, Beta3: 0.999, Eps: 1e-8,
					WeightDecay: 0.1, Step: s})
				AdamStep(pa, g, ma, va, AdamParams{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1,
					Step: s, Decoupled: true})
				for i := range p {
					tol := 4 * float64(s) * (zooAb(pa[i]) + lr) * 2 * fusedU
					if m1[i] != ma[i] || v[i] != va[i] || math.Abs(float64(p[i])-float64(pa[i])) > tol {
						t.Fatalf("n=%d step %d [%d]: ademamix p,m1,v = %v %v %v; adamw %v %v %v", n, s, i, p[i], m1[i], v[i], pa[i], ma[i], va[i])
					}
				}
			}
		}
	})
}

// FuzzAdEMAMixStep compares AdEMAMixStep at every supported level with the
// reference on fuzzed values (finite, |x| ≤ 1e4, v ≥ 0, subnormals
// included), lengths and hyperparameters.
func FuzzAdEMAMixStep(f *testing.F) {
	seed := make([]byte, 20*37)
	for i := range seed {
		seed[i] = byte(i*17 + 5)
	}
	f.Add(seed, uint16(1), uint8(0), uint8(0))
	f.Add(seed[:20*5], uint16(900), uint8(200), uint8(90))
	f.Add([]byte{}, uint16(3), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, step uint16, hb, hwd uint8) {
		in := fusedFuzzFloats(data, 5)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		for i := range in[4] {
			in[4][i] = float32(math.Abs(float64(in[4][i])))
		}
		h := AdEMAMixParams{
			LR: 1e-3 * (1 + float64(hb%7)), Beta1: float64(hb) / 256, Beta2: 0.9 + 0.0999*float64(hwd)/255,
			Beta3: 0.99 + 0.00999*float64(hb)/255, Alpha: float64(hwd % 11), Eps: 1e-8,
			WeightDecay: float64(hwd) / 1000, Step: int(step) + 1,
		}
		k := h.consts()
		out := [][]float32{zooClone(in[0]), nil, zooClone(in[2]), zooClone(in[3]), zooClone(in[4])}
		ademamixStepGeneric(out[0], in[1], out[2], out[3], out[4], &k)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			got := [][]float32{zooClone(in[0]), nil, zooClone(in[2]), zooClone(in[3]), zooClone(in[4])}
			AdEMAMixStep(got[0], in[1], got[2], got[3], got[4], h)
			for i := range in[0] {
				tf, ts, tv, tp := ademamixTols(&k, in[0][i], in[1][i], in[2][i], in[3][i], in[4][i], out[2][i], out[3][i], out[4][i])
				for j, tol := range []float64{tp, 0, tf, ts, tv} {
					if j != 1 && !fusedClose(got[j][i], out[j][i], tol) {
						t.Fatalf("%v: element %d of %d (p=%v g=%v m1=%v m2=%v v=%v): output %d = %v, generic %v",
							l, i, len(in[0]), in[0][i], in[1][i], in[2][i], in[3][i], in[4][i], j, got[j][i], out[j][i])
					}
				}
			}
		}
	})
}
