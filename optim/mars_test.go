package optim

import (
	"math"
	"strings"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

func TestHandMARS(t *testing.T) {
	const lr, b1, b2, eps, γ, wd = float32(0.01), 0.95, 0.99, 1e-8, 0.025, float32(0.1)
	grads := g1bScaled(1) // ‖c‖ > 1 on step 2 only
	η, λ := float64(lr), float64(wd)
	θ := f64s(handTheta)
	m, v, last := make([]float64, 3), make([]float64, 3), make([]float64, 3)
	var want [][]float64
	clipped := 0
	for s, g32 := range grads {
		g := f64s(g32)
		step := float64(s + 1)
		bc1, bc2 := 1-math.Pow(b1, step), 1-math.Pow(b2, step)
		c := make([]float64, 3)
		var sq float64
		for i := range c {
			c[i] = g[i] + γ*(b1/(1-b1))*(g[i]-last[i])
			sq += c[i] * c[i]
			last[i] = g[i]
		}
		if n := math.Sqrt(sq); n > 1 {
			clipped++
			for i := range c {
				c[i] /= n
			}
		}
		for i := range θ {
			m[i] = b1*m[i] + (1-b1)*c[i]
			v[i] = b2*v[i] + (1-b2)*c[i]*c[i]
			θ[i] -= η * ((m[i]/bc1)/(math.Sqrt(v[i]/bc2)+eps) + λ*θ[i])
		}
		want = append(want, append([]float64(nil), θ...))
	}
	if clipped == 0 || clipped == len(grads) {
		t.Fatalf("clip taken on %d of %d steps: the test should cover both", clipped, len(grads))
	}
	cfg := DefaultMARS()
	cfg.LR, cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.Gamma, cfg.WeightDecay = lr, b1, b2, eps, γ, wd
	got := g1bRun(t, func(ps []*autodiff.Var) (*Optimizer, error) { return NewMARS(ps, cfg) },
		handTheta, []int{1, 3}, grads, nil)
	g1bCheck(t, "mars 2-D", got, want, 1e-6)

	// Optimize1D: the same rule on a vector.
	cfg.Optimize1D = true
	got = g1bRun(t, func(ps []*autodiff.Var) (*Optimizer, error) { return NewMARS(ps, cfg) },
		handTheta, []int{3}, grads, nil)
	g1bCheck(t, "mars optimize_1d", got, want, 1e-6)
}

// TestHandMARS1D: a vector takes AdamW with β_1d, λ_1d and the step
// η·η_1d/η_cfg.
func TestHandMARS1D(t *testing.T) {
	cfg := DefaultMARS()
	cfg.LR, cfg.LR1D, cfg.WeightDecay1D, cfg.WeightDecay = 0.01, 0.003, 0.1, 0.5
	b1, b2, eps := cfg.Beta1_1D, cfg.Beta2_1D, cfg.Eps
	η := float64(float32(0.01)) * (float64(float32(0.003)) / float64(float32(0.01)))
	λ := float64(float32(0.1))
	θ := f64s(handTheta)
	m, v := make([]float64, 3), make([]float64, 3)
	var want [][]float64
	for s, g32 := range handGrads {
		g := f64s(g32)
		step := float64(s + 1)
		bc1, bc2 := 1-math.Pow(b1, step), 1-math.Pow(b2, step)
		for i := range θ {
			m[i] = b1*m[i] + (1-b1)*g[i]
			v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
			θ[i] -= η * ((m[i]/bc1)/(math.Sqrt(v[i]/bc2)+eps) + λ*θ[i])
		}
		want = append(want, append([]float64(nil), θ...))
	}
	got := g1bRun(t, func(ps []*autodiff.Var) (*Optimizer, error) { return NewMARS(ps, cfg) },
		handTheta, []int{3}, handGrads, nil)
	g1bCheck(t, "mars 1-D", got, want, 1e-6)
}

// TestMARSGammaZeroIsAdamW: with γ = 0 and every ‖g‖ ≤ 1, MARS on a
// matrix is AdamW with the same betas (METHODS.md 1.12), bit for bit with
// λ = 0 and to rounding with λ > 0.
func TestMARSGammaZeroIsAdamW(t *testing.T) {
	for _, wd := range []float32{0, 0.1} {
		rng := tensor.NewRNG(9)
		a := autodiff.NewParam("a", tensor.RandN(rng, 1, 4, 5))
		b := autodiff.NewParam("b", a.Value.Clone())
		cfg := DefaultMARS()
		cfg.Gamma, cfg.WeightDecay = 0, wd
		om, _ := NewMARS([]*autodiff.Var{a}, cfg)
		ow, _ := NewAdamW([]*autodiff.Var{b}, AdamConfig{LR: cfg.LR, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps, WeightDecay: wd})
		ow.SetFused(false)
		for s := range 20 {
			g := tensor.RandN(tensor.NewRNG(uint64(100+s)), 0.05, 4, 5) // ‖g‖ ≈ 0.22
			a.Grad, b.Grad = g, g.Clone()
			om.Step()
			ow.Step()
		}
		for i, x := range a.Value.Data() {
			y := b.Value.Data()[i]
			if wd == 0 && x != y || !near(float64(x), float64(y), 1e-6, 0) {
				t.Fatalf("λ=%v: θ[%d]: mars %.9g, adamw %.9g", wd, i, x, y)
			}
		}
	}
}

// TestMARSFusedState: after steps on the fused kernel and on the chain,
// the checkpointed state agrees (last_grad bit for bit, the moments to a
// few ulps), for a matrix and a vector, so SetFused may switch paths
// mid-run.
func TestMARSFusedState(t *testing.T) {
	pf := marsMatrices(newParams(5, 12, 7))
	pc := cloneParams(pf)
	of, err := NewMARS(pf, DefaultMARS())
	if err != nil {
		t.Fatal(err)
	}
	oc, _ := NewMARS(pc, DefaultMARS())
	if !of.Fused() || oc.SetFused(false) {
		t.Fatal("fused/chain selection")
	}
	for s := 1; s <= 5; s++ {
		fillGrads(pf, 2, s)
		fillGrads(pc, 2, s)
		of.Step()
		oc.Step()
	}
	sf, err := of.State()
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := oc.State()
	if len(sf) != len(sc) {
		t.Fatalf("%d state entries fused, %d chain", len(sf), len(sc))
	}
	checked := 0
	for k, a := range sf {
		b, ok := sc[k]
		if !ok {
			t.Fatalf("chain state lacks %q", k)
		}
		x, y := a.Data(), b.Data()
		for i := range x {
			exact := strings.Contains(k, "last_grad")
			if exact && x[i] != y[i] || !exact && math.Abs(float64(x[i]-y[i])) > 16*(ulp32(y[i])+ulp32(0.1)) {
				t.Fatalf("%s[%d]: fused %v, chain %v", k, i, x[i], y[i])
			}
			if exact {
				checked++
			}
		}
	}
	if checked != 12+7 {
		t.Fatalf("checked %d last_grad elements, want 19", checked)
	}
}
