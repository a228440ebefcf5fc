package asm

import (
	"fmt"
	"math"
	"testing"
)

// rmspropTols returns the tolerances on v and p for one element of
// RMSPropStep or AdaGradStep, given the inputs p0, g, v0 and the
// reference's v1.
func rmspropTols(k *rmspropConsts, p0, g, v0, v1 float32) (tv, tp float64) {
	D := zooAb(g) + zooAb(k.wd)*zooAb(p0)
	td := 4*fusedU*D + zooAbs
	o := zooAb(k.omr)
	tv = 8*fusedU*(zooAb(k.rho)*zooAb(v0)+o*D*D) + o*(2*D*td+td*td) + zooAbs
	r, tr := zooSqrtTol(float64(v1)+float64(k.e1), tv+4*fusedU*float64(v1))
	den := r + float64(k.e2)
	q, tq := zooQuotTol(D, td, den, tr+4*fusedU*den)
	return tv, zooStepTol(zooAb(p0), float64(k.lr), q, tq)
}

// rmspropTestParams are the settings the level tests run: both ε forms,
// with and without λ, and AdaGrad.
var rmspropTestParams = []struct {
	name string
	k    rmspropConsts
	run  func(p, g, v []float32)
}{
	{"optax", RMSPropParams{LR: 1e-3, Rho: 0.9, Eps: 1e-8, EpsInSqrt: true}.consts(),
		func(p, g, v []float32) {
			RMSPropStep(p, g, v, RMSPropParams{LR: 1e-3, Rho: 0.9, Eps: 1e-8, EpsInSqrt: true})
		}},
	{"torch-wd", RMSPropParams{LR: 1e-2, Rho: 0.99, Eps: 1e-8, WeightDecay: 0.05}.consts(),
		func(p, g, v []float32) {
			RMSPropStep(p, g, v, RMSPropParams{LR: 1e-2, Rho: 0.99, Eps: 1e-8, WeightDecay: 0.05})
		}},
	{"adagrad-wd", AdaGradParams{LR: 1e-2, Eps: 1e-7, WeightDecay: 0.01}.consts(),
		func(p, g, v []float32) { AdaGradStep(p, g, v, AdaGradParams{LR: 1e-2, Eps: 1e-7, WeightDecay: 0.01}) }},
}

// TestRMSPropStepLevels runs RMSPropStep and AdaGradStep at every level
// against the reference over lengths 0..64 and large odd lengths at every
// offset, with NaN guard bands; g must stay unchanged.
func TestRMSPropStepLevels(t *testing.T) {
	names := []string{"p", "g", "v"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(21, 22)
		for _, tc := range rmspropTestParams {
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, fusedUniform(r, -1, 1), fusedUniform(r, -1, 1), fusedUniform(r, 0, 0.5))
				in := zooCopies(bufs)
				pr, vr := zooClone(in[0]), zooClone(in[2])
				rmspropStepGeneric(pr, in[1], vr, &tc.k)
				tc.run(bufs[0].s(), bufs[1].s(), bufs[2].s())
				zooCheckGuards(t, names, bufs, in, 1)
				for i := range pr {
					tv, tp := rmspropTols(&tc.k, in[0][i], in[1][i], in[2][i], vr[i])
					if !fusedClose(bufs[2].s()[i], vr[i], tv) || !fusedClose(bufs[0].s()[i], pr[i], tp) {
						t.Fatalf("%s n=%d off=%d [%d]: got p,v = %v %v; generic %v %v", tc.name, c.n, c.off, i,
							bufs[0].s()[i], bufs[2].s()[i], pr[i], vr[i])
					}
				}
				if t.Failed() {
					t.Fatalf("%s: n=%d off=%d", tc.name, c.n, c.off)
				}
			}
		}
	})
}

// TestRMSPropHand checks three steps of both ε forms of RMSProp and of
// AdaGrad against float64 arithmetic (METHODS 1.4), and that AdaGrad's
// per-coordinate rate η/√(s+ε) never grows.
func TestRMSPropHand(t *testing.T) {
	grads := [][]float32{{0.5, -1, 0.25, 0}, {0.5, 1, -2, 0.125}, {-0.25, -1, 0.25, 3}}
	for _, form := range []string{"optax", "torch", "adagrad"} {
		fusedForLevels(t, func(t *testing.T, l Level) {
			const lr, rho, eps, wd, s0 = 0.1, 0.9, 1e-3, 0.01, 0.1
			p, v := []float32{1, -1, 2, 0.5}, make([]float32, 4)
			p64, v64 := []float64{1, -1, 2, 0.5}, make([]float64, 4)
			if form == "adagrad" {
				v, v64 = []float32{s0, s0, s0, s0}, []float64{s0, s0, s0, s0}
			}
			for s, g := range grads {
				vOld := zooClone(v)
				switch form {
				case "adagrad":
					AdaGradStep(p, g, v, AdaGradParams{LR: lr, Eps: eps, WeightDecay: wd})
				default:
					RMSPropStep(p, g, v, RMSPropParams{LR: lr, Rho: rho, Eps: eps, EpsInSqrt: form == "optax", WeightDecay: wd})
				}
				for i := range p64 {
					d := float64(g[i]) + wd*p64[i]
					switch form {
					case "adagrad":
						v64[i] += d * d
						p64[i] -= lr * d / math.Sqrt(v64[i]+eps)
					case "optax":
						v64[i] = rho*v64[i] + (1-rho)*d*d
						p64[i] -= lr * d / math.Sqrt(v64[i]+eps)
					default:
						v64[i] = rho*v64[i] + (1-rho)*d*d
						p64[i] -= lr * d / (math.Sqrt(v64[i]) + eps)
					}
					if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Abs(p64[i])+1e-7 ||
						math.Abs(float64(v[i])-v64[i]) > 1e-6*v64[i] {
						t.Errorf("%s step %d [%d]: p, v = %v %v; float64 %v %v", form, s+1, i, p[i], v[i], p64[i], v64[i])
					}
					if form == "adagrad" && v[i] < vOld[i] {
						t.Errorf("adagrad step %d [%d]: accumulator fell from %v to %v", s+1, i, vOld[i], v[i])
					}
				}
			}
		})
	}
	fusedExpectPanic(t, "asm: rmsprop: length mismatch", func() {
		RMSPropStep(make([]float32, 2), make([]float32, 2), make([]float32, 3), RMSPropParams{})
	})
	fusedExpectPanic(t, "asm: adagrad: length mismatch", func() {
		AdaGradStep(make([]float32, 2), make([]float32, 1), make([]float32, 2), AdaGradParams{})
	})
}

// TestRMSPropIsAdamWithoutMomentum: with ε = 0, RMSProp is Adam with
// β1 = 0 and no bias correction (METHODS 1.4): Adam's move is √bc2 times
// RMSProp's, and on step 1 (bc2 = 1−ρ) RMSProp moves each coordinate by
// η·g/√((1−ρ)g²).
func TestRMSPropIsAdamWithoutMomentum(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		const rho = 0.75
		p, g := []float32{0, 0, 0, 0, 0, 0, 0, 0, 0}, []float32{1, -2, 4, 0.5, -0.25, 8, 1, -1, 2}
		pa, m, v := zooClone(p), make([]float32, 9), make([]float32, 9)
		RMSPropStep(p, g, make([]float32, 9), RMSPropParams{LR: 1, Rho: rho, EpsInSqrt: false})
		AdamStep(pa, g, m, v, AdamParams{LR: 1, Beta2: rho, Step: 1})
		for i := range p {
			if want := -float64(g[i]) / math.Sqrt((1-rho)*float64(g[i])*float64(g[i])); math.Abs(float64(p[i])-want) > 4*fusedU*math.Abs(want) ||
				math.Abs(float64(p[i])*math.Sqrt(1-rho)-float64(pa[i])) > 8*fusedU*math.Abs(want) {
				t.Errorf("[%d] rmsprop %v, closed form %v; adam %v, want rmsprop·√bc2", i, p[i], want, pa[i])
			}
		}
	})
}

// FuzzRMSPropStep compares RMSPropStep and AdaGradStep at every supported
// level with the reference on fuzzed values (finite, |x| ≤ 1e4, v ≥ 0,
// subnormals included), lengths and hyperparameters.
func FuzzRMSPropStep(f *testing.F) {
	seed := make([]byte, 12*37)
	for i := range seed {
		seed[i] = byte(i*9 + 2)
	}
	f.Add(seed, uint8(0), uint8(0), false, false)
	f.Add(seed[:12*5], uint8(200), uint8(90), true, false)
	f.Add(seed[:12*19], uint8(7), uint8(3), false, true)
	f.Add([]byte{}, uint8(1), uint8(1), true, true)
	f.Fuzz(func(t *testing.T, data []byte, hr, hwd uint8, inSqrt, adagrad bool) {
		in := fusedFuzzFloats(data, 3)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		for i := range in[2] {
			in[2][i] = float32(math.Abs(float64(in[2][i])))
		}
		eps := math.Pow(10, -4-float64(hwd%6))
		lr := 1e-3 * (1 + float64(hr%7))
		rp := RMSPropParams{LR: lr, Rho: 0.5 + 0.4999*float64(hr)/255, Eps: eps, EpsInSqrt: inSqrt, WeightDecay: float64(hwd) / 1000}
		ap := AdaGradParams{LR: lr, Eps: eps, WeightDecay: float64(hwd) / 1000}
		k := rp.consts()
		if adagrad {
			k = ap.consts()
		}
		pr, vr := zooClone(in[0]), zooClone(in[2])
		rmspropStepGeneric(pr, in[1], vr, &k)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			p, v := zooClone(in[0]), zooClone(in[2])
			if adagrad {
				AdaGradStep(p, in[1], v, ap)
			} else {
				RMSPropStep(p, in[1], v, rp)
			}
			for i := range p {
				tv, tp := rmspropTols(&k, in[0][i], in[1][i], in[2][i], vr[i])
				if !fusedClose(v[i], vr[i], tv) || !fusedClose(p[i], pr[i], tp) {
					t.Fatalf("%v: element %d of %d (p=%v g=%v v=%v): got p,v = %v %v; generic %v %v (%s)",
						l, i, len(p), in[0][i], in[1][i], in[2][i], p[i], v[i], pr[i], vr[i], fmt.Sprint(k))
				}
			}
		}
	})
}
