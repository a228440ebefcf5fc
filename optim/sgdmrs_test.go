package optim

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
)

func TestHandSGDMRS(t *testing.T) {
	const lr, β, μ, wd = float32(0.1), 0.9, 0.5, float32(0.01)
	const seed = 42
	for _, random := range []bool{false, true} {
		η, λ := float64(lr), float64(wd)
		θ := f64s(handTheta)
		Δ := make([]float64, 3)
		var want [][]float64
		for s, g32 := range handGrads {
			g := f64s(g32)
			sc := 1.0
			if random {
				sc = float64(float32(ExpScale(seed, uint64(s+1)))) // the draw is an input here
			}
			for i := range θ {
				Δ[i] = β * (Δ[i] - η*(g[i]+λ*θ[i])) / (1 + η*μ)
				θ[i] += sc * Δ[i]
			}
			want = append(want, append([]float64(nil), θ...))
		}
		got := g1bRun(t, func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewSGDMRS(ps, SGDMRSConfig{LR: lr, Beta: β, Mu: μ, WeightDecay: wd, RandomScaling: random, Seed: seed})
		}, handTheta, []int{3}, handGrads, nil)
		g1bCheck(t, "sgdm-rs", got, want, 1e-6)
	}
}

// TestExpScaleMoments: the draws have mean ≈ 1 and variance ≈ 1
// (Exponential(1)), differ between steps and seeds, and repeat for the
// same (seed, k).
func TestExpScaleMoments(t *testing.T) {
	const n = 200000
	var s1, s2 float64
	for k := range uint64(n) {
		x := ExpScale(5, k)
		if !(x > 0) || math.IsInf(x, 0) {
			t.Fatalf("ExpScale(5, %d) = %v", k, x)
		}
		s1 += x
		s2 += x * x
	}
	mean := s1 / n
	variance := s2/n - mean*mean
	// Standard errors: 1/√n ≈ 0.0022 for the mean, √8/√n ≈ 0.0063 for the variance.
	if math.Abs(mean-1) > 0.011 || math.Abs(variance-1) > 0.035 {
		t.Errorf("mean %v, variance %v, want 1, 1", mean, variance)
	}
	if ExpScale(5, 3) != ExpScale(5, 3) || ExpScale(5, 3) == ExpScale(5, 4) || ExpScale(5, 3) == ExpScale(6, 3) {
		t.Error("ExpScale is not a function of (seed, k) alone, or ignores one of them")
	}
}
