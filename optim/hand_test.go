package optim

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// Hand-computed first steps: each test writes the update rule out in
// float64 arithmetic on a 3-element parameter (METHODS.md 0.8 (i)) and
// checks three steps of both the fused kernel and the Transform chain.

var (
	handTheta = []float32{1, -2, 0.5}
	handGrads = [][]float32{{0.1, 0.2, -0.3}, {-0.4, 0.5, 0.6}, {0.3, -0.1, 0}}
)

func f64s(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// runHand steps an optimizer made by mk on handTheta with handGrads, with
// the fused kernel on or off, and returns θ after each step.
func runHand(t *testing.T, fused bool, mk func([]*autodiff.Var) (*Optimizer, error)) [][]float32 {
	t.Helper()
	p := autodiff.NewParam("w", tensor.FromSlice(append([]float32(nil), handTheta...), 3))
	o, err := mk([]*autodiff.Var{p})
	if err != nil {
		t.Fatal(err)
	}
	if o.SetFused(fused) != fused {
		t.Fatalf("SetFused(%v) had no effect", fused)
	}
	var out [][]float32
	for _, g := range handGrads {
		p.Grad = tensor.FromSlice(append([]float32(nil), g...), 3)
		o.Step()
		out = append(out, append([]float32(nil), p.Value.Data()...))
	}
	return out
}

func bothPaths(t *testing.T, mk func([]*autodiff.Var) (*Optimizer, error), want [][]float64) {
	for _, fused := range []bool{true, false} {
		got := runHand(t, fused, mk)
		for s := range want {
			name := "chain"
			if fused {
				name = "fused"
			}
			checkValues(t, name+" step "+string(rune('1'+s)), got[s], want[s])
		}
	}
}

func TestHandSGD(t *testing.T) {
	const lr, mu, wd, damp = float32(0.1), 0.9, float32(0.01), 0.25
	for _, tc := range []struct {
		name     string
		nesterov bool
		damp     float64
	}{{"heavy-ball", false, damp}, {"nesterov", true, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			η, λ := float64(lr), float64(wd)
			θ := f64s(handTheta)
			b := make([]float64, 3)
			var want [][]float64
			for s, g32 := range handGrads {
				g := f64s(g32)
				for i := range θ {
					d := g[i] + λ*θ[i]
					if s == 0 {
						b[i] = d
					} else {
						b[i] = mu*b[i] + (1-tc.damp)*d
					}
					if tc.nesterov {
						θ[i] -= η * (d + mu*b[i])
					} else {
						θ[i] -= η * b[i]
					}
				}
				want = append(want, append([]float64(nil), θ...))
			}
			bothPaths(t, func(ps []*autodiff.Var) (*Optimizer, error) {
				return NewSGD(ps, SGDConfig{LR: lr, Momentum: mu, Dampening: tc.damp, WeightDecay: wd, Nesterov: tc.nesterov})
			}, want)
		})
	}
	t.Run("plain", func(t *testing.T) {
		θ := f64s(handTheta)
		var want [][]float64
		for _, g32 := range handGrads {
			for i, g := range f64s(g32) {
				θ[i] -= float64(lr) * (g + float64(wd)*θ[i])
			}
			want = append(want, append([]float64(nil), θ...))
		}
		bothPaths(t, func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewSGD(ps, SGDConfig{LR: lr, WeightDecay: wd})
		}, want)
	})
}

func TestHandAdam(t *testing.T) {
	const lr, b1, b2, eps, wd = float32(0.01), 0.9, 0.999, 1e-8, float32(0.1)
	for _, decoupled := range []bool{false, true} {
		name := "adam"
		if decoupled {
			name = "adamw"
		}
		t.Run(name, func(t *testing.T) {
			η, λ := float64(lr), float64(wd)
			θ := f64s(handTheta)
			m, v := make([]float64, 3), make([]float64, 3)
			var want [][]float64
			for s, g32 := range handGrads {
				g := f64s(g32)
				step := float64(s + 1)
				bc1, bc2 := 1-math.Pow(b1, step), 1-math.Pow(b2, step)
				for i := range θ {
					d := g[i]
					if !decoupled {
						d += λ * θ[i]
					}
					m[i] = b1*m[i] + (1-b1)*d
					v[i] = b2*v[i] + (1-b2)*d*d
					u := (m[i] / bc1) / (math.Sqrt(v[i]/bc2) + eps)
					if decoupled {
						u += λ * θ[i]
					}
					θ[i] -= η * u
				}
				want = append(want, append([]float64(nil), θ...))
			}
			cfg := AdamConfig{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd}
			bothPaths(t, func(ps []*autodiff.Var) (*Optimizer, error) {
				if decoupled {
					return NewAdamW(ps, cfg)
				}
				return NewAdam(ps, cfg)
			}, want)
		})
	}
}

func TestHandLion(t *testing.T) {
	const lr, b1, b2, wd = float32(0.01), 0.9, 0.99, float32(0.5)
	η, λ := float64(lr), float64(wd)
	θ := f64s(handTheta)
	m := make([]float64, 3)
	sign := func(x float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	}
	var want [][]float64
	for _, g32 := range handGrads {
		for i, g := range f64s(g32) {
			c := b1*m[i] + (1-b1)*g
			θ[i] = θ[i]*(1-η*λ) - η*sign(c)
			m[i] = b2*m[i] + (1-b2)*g
		}
		want = append(want, append([]float64(nil), θ...))
	}
	bothPaths(t, func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewLion(ps, LionConfig{LR: lr, Beta1: b1, Beta2: b2, WeightDecay: wd})
	}, want)
}

// TestAdamWZeroGrad checks METHODS 1.3: with g ≡ 0 and m = v = 0, AdamW
// gives θ_t = θ_0·(1−ηλ)^t.
func TestAdamWZeroGrad(t *testing.T) {
	const lr, wd = float32(0.01), float32(0.1)
	for _, fused := range []bool{true, false} {
		p := autodiff.NewParam("w", tensor.FromSlice([]float32{1, -2, 0.5}, 3))
		p.Grad = tensor.New(3)
		o, err := NewAdamW([]*autodiff.Var{p}, AdamConfig{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: wd})
		if err != nil {
			t.Fatal(err)
		}
		o.SetFused(fused)
		const steps = 20
		for range steps {
			o.Step()
		}
		f := math.Pow(1-float64(lr)*float64(wd), steps)
		checkValues(t, "θ", p.Value.Data(), []float64{f, -2 * f, 0.5 * f})
	}
}

// TestSGDConstantGradient checks METHODS 1.1: with a constant gradient
// the heavy-ball step tends to η·g/(1−μ).
func TestSGDConstantGradient(t *testing.T) {
	const lr, mu = float32(0.01), 0.9
	for _, fused := range []bool{true, false} {
		p := autodiff.NewParam("w", tensor.New(2))
		p.Grad = tensor.FromSlice([]float32{1, -3}, 2)
		o, _ := NewSGD([]*autodiff.Var{p}, SGDConfig{LR: lr, Momentum: mu})
		o.SetFused(fused)
		var prev []float32
		for range 300 {
			prev = append(prev[:0], p.Value.Data()...)
			o.Step()
		}
		for i, g := range []float64{1, -3} {
			step := float64(prev[i] - p.Value.Data()[i])
			if want := float64(lr) * g / (1 - mu); !near(step, want, 1e-4, 0) {
				t.Errorf("fused=%v: step[%d] = %g, want %g", fused, i, step, want)
			}
		}
	}
}
