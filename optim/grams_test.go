package optim

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
)

func TestHandGrams(t *testing.T) {
	const lr, b1, b2, eps, wd = float32(0.01), 0.9, 0.999, 1e-6, float32(0.1)
	η, λ := float64(lr), float64(wd)
	θ := f64s(handTheta)
	m, v := make([]float64, 3), make([]float64, 3)
	var want [][]float64
	for s, g32 := range handGrads {
		g := f64s(g32)
		step := float64(s + 1)
		bc1, bc2 := 1-math.Pow(b1, step), 1-math.Pow(b2, step)
		for i := range θ {
			θ[i] *= 1 - η*λ
			m[i] = b1*m[i] + (1-b1)*g[i]
			v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
			u := g1bSign(g[i]) * math.Abs(m[i])
			θ[i] -= η * math.Sqrt(bc2) / bc1 * u / (math.Sqrt(v[i]) + eps)
		}
		want = append(want, append([]float64(nil), θ...))
	}
	got := g1bRun(t, func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewGrams(ps, GramsConfig{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd})
	}, handTheta, []int{3}, handGrads, nil)
	g1bCheck(t, "grams", got, want, 1e-6)
}

// TestGramsStepSign: with λ = 0 every coordinate moves against its
// gradient's sign (and not at all where g = 0), whatever the momentum.
func TestGramsStepSign(t *testing.T) {
	ps := newParams(3, 64)
	o, _ := NewGrams(ps, DefaultGrams())
	for s := range 20 {
		fillGrads(ps, 4, s)
		g := ps[0].Grad.Data()
		g[0] = 0
		before := append([]float32(nil), ps[0].Value.Data()...)
		o.Step()
		for i, x := range ps[0].Value.Data() {
			if d := float64(x - before[i]); g1bSign(d) != -g1bSign(float64(g[i])) {
				t.Fatalf("step %d: θ[%d] moved by %g with g = %g", s+1, i, d, g[i])
			}
		}
	}
}
