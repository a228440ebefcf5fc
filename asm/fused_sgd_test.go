package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sgdTols returns tolerances on buf and p: a few unit roundoffs of each
// summed term, propagated through the later operations.
func sgdTols(k *sgdConsts, p0, g, b0 float32) (tb, tp float64) {
	ab := func(x float32) float64 { return math.Abs(float64(x)) }
	const abs = 2 * fusedMinNormal
	d := ab(g) + ab(k.wd)*ab(p0)
	td := 4 * fusedU * d
	b1 := ab(k.mub)*ab(b0) + ab(k.damp)*d
	tb = 4*fusedU*b1 + ab(k.damp)*td + abs
	out, tout := b1, tb
	if k.nest {
		out = d + ab(k.mun)*b1
		tout = td + ab(k.mun)*tb + 4*fusedU*out
	}
	tp = 4*fusedU*(ab(p0)+ab(k.lr)*out) + ab(k.lr)*tout + abs
	return tb, tp
}

var sgdTestParams = []struct {
	name string
	h    SGDParams
}{
	{"momentum", SGDParams{LR: 0.1, Momentum: 0.9}},
	{"momentum-first", SGDParams{LR: 0.1, Momentum: 0.9, FirstStep: true}},
	{"dampening-wd", SGDParams{LR: 0.05, Momentum: 0.8, Dampening: 0.3, WeightDecay: 1e-3}},
	{"nesterov-wd", SGDParams{LR: 0.01, Momentum: 0.9, Nesterov: true, WeightDecay: 5e-4}},
	{"nesterov-first", SGDParams{LR: 0.01, Momentum: 0.9, Nesterov: true, FirstStep: true}},
	{"plain", SGDParams{LR: 0.1}},
	{"plain-wd", SGDParams{LR: 0.1, WeightDecay: 0.01}},
}

// TestSGDStepLevels runs SGDStep at every level against the generic
// reference over many lengths and offsets, with guard bands.
func TestSGDStepLevels(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, tc := range sgdTestParams {
			k := tc.h.consts()
			for _, c := range fusedCases(testing.Short()) {
				pb := fusedNewBuf(c.n, c.off).fill(fusedUniform(r, -1, 1))
				gb := fusedNewBuf(c.n, (c.off+2)%8).fill(fusedUniform(r, -1, 1))
				bb := fusedNewBuf(c.n, (c.off+4)%8).fill(fusedUniform(r, -1, 1))
				p0, g0, b0 := pb.copy(), gb.copy(), bb.copy()
				pr, br := pb.copy(), bb.copy()
				if tc.h.Momentum == 0 {
					if tc.h.WeightDecay == 0 {
						axpyGeneric(pr, float32(-tc.h.LR), g0)
					} else {
						dogStepGeneric(pr, g0, nil, dogDecay, &DoGStepParams{WD: k.wd, Eta: 1, LR: k.lr})
					}
				} else {
					if tc.h.FirstStep {
						clear(br)
					}
					sgdStepGeneric(pr, g0, br, &k)
				}
				SGDStep(pb.s(), gb.s(), bb.s(), tc.h)
				pb.checkGuards(t, tc.name+" p")
				bb.checkGuards(t, tc.name+" buf")
				gb.checkUnchanged(t, tc.name+" g", g0)
				if tc.h.Momentum == 0 {
					bb.checkUnchanged(t, tc.name+" unused buf", b0)
				}
				for i := range p0 {
					bi := b0[i]
					if tc.h.FirstStep {
						bi = 0
					}
					tb, tp := sgdTols(&k, p0[i], g0[i], bi)
					if !fusedClose(pb.s()[i], pr[i], tp) || tc.h.Momentum != 0 && !fusedClose(bb.s()[i], br[i], tb) {
						t.Fatalf("%s n=%d off=%d [%d]: p,buf = %v %v; generic %v %v", tc.name, c.n, c.off, i,
							pb.s()[i], bb.s()[i], pr[i], br[i])
					}
				}
				if t.Failed() {
					t.Fatalf("%s: n=%d off=%d", tc.name, c.n, c.off)
				}
			}
		}
	})
}

// TestSGDHandSteps checks three steps of heavy-ball and Nesterov momentum
// against float64 arithmetic following torch.optim.SGD, starting from a
// buffer full of NaN that the first step must ignore.
func TestSGDHandSteps(t *testing.T) {
	for _, nest := range []bool{false, true} {
		fusedForLevels(t, func(t *testing.T, l Level) {
			const lr, mu, wd = 0.1, 0.9, 0.01
			p := []float32{1, -2, 0.5}
			buf := []float32{float32(math.NaN()), float32(math.NaN()), float32(math.NaN())}
			p64 := []float64{1, -2, 0.5}
			b64 := make([]float64, 3)
			grads := [][]float32{{0.5, -0.25, 0}, {0.25, 0.5, 1}, {-1, 0.125, 0.5}}
			for s, g := range grads {
				SGDStep(p, g, buf, SGDParams{LR: lr, Momentum: mu, WeightDecay: wd, Nesterov: nest, FirstStep: s == 0})
				for i := range p64 {
					d := float64(g[i]) + wd*p64[i]
					if s == 0 {
						b64[i] = d
					} else {
						b64[i] = mu*b64[i] + d
					}
					u := b64[i]
					if nest {
						u = d + mu*b64[i]
					}
					p64[i] -= lr * u
					if math.Abs(float64(p[i])-p64[i]) > 1e-6 || math.Abs(float64(buf[i])-b64[i]) > 1e-6 {
						t.Errorf("nesterov=%v step %d [%d]: p,buf = %v %v; float64 %v %v", nest, s+1, i, p[i], buf[i], p64[i], b64[i])
					}
				}
			}
		})
	}
}

// TestSGDConstantGradient: with a constant gradient the heavy-ball buffer
// tends to g/(1−μ) (METHODS 1.1).
func TestSGDConstantGradient(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		const n, mu = 19, 0.5
		p, g, buf := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range g {
			g[i] = float32(i+1) / 8
		}
		for s := 0; s < 60; s++ {
			SGDStep(p, g, buf, SGDParams{LR: 0.01, Momentum: mu, FirstStep: s == 0})
		}
		for i := range buf {
			if want := float64(g[i]) / (1 - mu); math.Abs(float64(buf[i])-want) > 1e-6*want {
				t.Errorf("[%d] buf = %v, want %v", i, buf[i], want)
			}
		}
	})
}

func TestSGDStepPanics(t *testing.T) {
	a, b := make([]float32, 3), make([]float32, 4)
	fusedExpectPanic(t, "asm: sgd: length mismatch", func() { SGDStep(a, b, a, SGDParams{LR: 0.1}) })
	fusedExpectPanic(t, "asm: sgd: length mismatch", func() { SGDStep(a, a, b, SGDParams{LR: 0.1, Momentum: 0.9}) })
	SGDStep(a, a, nil, SGDParams{LR: 0.1}) // no buffer without momentum
}
