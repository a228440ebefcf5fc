package optim

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

func TestHandGravity(t *testing.T) {
	const lr, α, β = float32(0.1), 0.01, 0.9
	const seed = 9
	η := float64(lr)
	θ := f64s(handTheta)
	v := make([]float64, 3)
	for j := range v { // the random initial velocity is an input of the rule
		v[j] = float64(float32(α / η * GravityNormal(seed, 0, uint64(j))))
	}
	var want [][]float64
	for s, g32 := range handGrads {
		g := f64s(g32)
		M := 0.0
		for _, x := range g {
			M = math.Max(M, math.Abs(x))
		}
		k := float64(s)
		bt := (β*k + 1) / (k + 2)
		for i := range θ {
			ζ := g[i] / (1 + (g[i]*M)*(g[i]*M))
			v[i] = bt*v[i] + (1-bt)*ζ
			θ[i] -= η * v[i]
		}
		want = append(want, append([]float64(nil), θ...))
	}
	got := g1bRun(t, func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewGravity(ps, GravityConfig{LR: lr, Alpha: α, Beta: β, Seed: seed})
	}, handTheta, []int{3}, handGrads, nil)
	g1bCheck(t, "gravity", got, want, 1e-6)
}

// TestGravityZetaBound: with α = 0 the velocity after step 1 is ζ/2, and
// |ζ_i| ≤ 1/(2M) with equality where |g_i| = 1/M.
func TestGravityZetaBound(t *testing.T) {
	g := []float32{2, 0.5, -0.25, 1, -2, 0}
	M := 2.0
	p := autodiff.NewParam("w", tensor.New(6))
	p.Grad = tensor.FromSlice(g, 6)
	o, _ := NewGravity([]*autodiff.Var{p}, GravityConfig{LR: 0.1, Beta: 0.9})
	o.Step()
	st, _ := o.State()
	for i, v := range st["state.w.velocity"].Data() {
		ζ := 2 * float64(v)
		if math.Abs(ζ) > 1/(2*M)*(1+1e-6) {
			t.Errorf("|ζ[%d]| = %v > 1/(2M) = %v", i, math.Abs(ζ), 1/(2*M))
		}
		if g[i] == 0.5 && !near(ζ, 1/(2*M), 1e-6, 0) {
			t.Errorf("ζ at |g| = 1/M is %v, want %v", ζ, 1/(2*M))
		}
	}
}

// TestGravityNormalMoments: the initial-velocity draws are standard
// normal (mean 0, variance 1) and reproducible.
func TestGravityNormalMoments(t *testing.T) {
	const n = 200000
	var s1, s2 float64
	for j := range uint64(n) {
		x := GravityNormal(1, 2, j)
		s1 += x
		s2 += x * x
	}
	mean, variance := s1/n, s2/n-(s1/n)*(s1/n)
	if math.Abs(mean) > 0.011 || math.Abs(variance-1) > 0.02 {
		t.Errorf("mean %v, variance %v, want 0, 1", mean, variance)
	}
	if GravityNormal(1, 2, 3) != GravityNormal(1, 2, 3) || GravityNormal(1, 2, 3) == GravityNormal(1, 3, 3) {
		t.Error("GravityNormal is not a function of (seed, param, j)")
	}
}
