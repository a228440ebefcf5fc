package optim

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

func TestHandDiffGrad(t *testing.T) {
	const lr, b1, b2, eps, wd = float32(0.01), 0.9, 0.999, 1e-8, float32(0.01)
	η, λ := float64(lr), float64(wd)
	θ := f64s(handTheta)
	m, v, prev := make([]float64, 3), make([]float64, 3), make([]float64, 3)
	var want [][]float64
	for s, g32 := range handGrads {
		g := f64s(g32)
		step := float64(s + 1)
		bc1, bc2 := 1-math.Pow(b1, step), 1-math.Pow(b2, step)
		for i := range θ {
			d := g[i] + λ*θ[i]
			m[i] = b1*m[i] + (1-b1)*d
			v[i] = b2*v[i] + (1-b2)*d*d
			ξ := 1 / (1 + math.Exp(-math.Abs(prev[i]-d)))
			prev[i] = d
			θ[i] -= η * math.Sqrt(bc2) / bc1 * ξ * m[i] / (math.Sqrt(v[i]) + eps)
		}
		want = append(want, append([]float64(nil), θ...))
	}
	got := g1bRun(t, func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewDiffGrad(ps, DiffGradConfig{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd})
	}, handTheta, []int{3}, handGrads, nil)
	g1bCheck(t, "diffgrad", got, want, 1e-6)
}

// TestDiffGradConstantGradient: with a constant gradient ξ = σ(0) = 0.5
// from step 2 on, so each step is half of Adam's fused-form step
// η·(√bc2/bc1)·m/(√v + ε) (written out here in float64); on step 1
// ξ = σ(|g|) ∈ (0.5, 1).
func TestDiffGradConstantGradient(t *testing.T) {
	const lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
	g := []float32{0.3, -2, 1e-3}
	p := autodiff.NewParam("w", tensor.New(3))
	p.Grad = tensor.FromSlice(g, 3)
	o, _ := NewDiffGrad([]*autodiff.Var{p}, DiffGradConfig{LR: lr, Beta1: b1, Beta2: b2, Eps: eps})
	m, v := make([]float64, 3), make([]float64, 3)
	for s := 1; s <= 10; s++ {
		before := append([]float32(nil), p.Value.Data()...)
		o.Step()
		bc1, bc2 := 1-math.Pow(b1, float64(s)), 1-math.Pow(b2, float64(s))
		for i, gi := range f64s(g) {
			m[i] = b1*m[i] + (1-b1)*gi
			v[i] = b2*v[i] + (1-b2)*gi*gi
			adam := lr * math.Sqrt(bc2) / bc1 * m[i] / (math.Sqrt(v[i]) + eps)
			ξ := 0.5
			if s == 1 {
				ξ = 1 / (1 + math.Exp(-math.Abs(gi)))
			}
			step := float64(before[i] - p.Value.Data()[i])
			if !near(step, ξ*adam, 1e-5, 1e-9) {
				t.Errorf("step %d: θ[%d] moved by %.9g, want ξ·adam = %.9g", s, i, step, ξ*adam)
			}
		}
	}
}
