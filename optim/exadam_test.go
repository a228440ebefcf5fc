package optim

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
)

// exadamRef is EXAdam written out in float64 (METHODS.md 1.16).
func exadamRef(theta []float64, grads [][]float32, lr, b1, b2, eps, wd float64, dynamic bool) [][]float64 {
	θ := append([]float64(nil), theta...)
	m, v := make([]float64, len(θ)), make([]float64, len(θ))
	var want [][]float64
	for s, g32 := range grads {
		g := f64s(g32)
		t := float64(s + 1)
		bc1, bc2 := 1-math.Pow(b1, t), 1-math.Pow(b2, t)
		αt := lr
		if dynamic {
			αt = lr * math.Log(math.Sqrt2*math.Sqrt(t+1))
		}
		for i := range θ {
			θ[i] *= 1 - lr*wd
			m[i] = b1*m[i] + (1-b1)*g[i]
			v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
			d1 := 1 + v[i]/(v[i]+eps)*math.Pow(b2, t)
			d2 := 1 + m[i]*m[i]/(m[i]*m[i]+eps)*math.Pow(b1, t)
			mt, vt, gt := m[i]/bc1*d1, v[i]/bc2*d2, g[i]/bc1*d1
			θ[i] -= αt * (mt + gt) / (math.Sqrt(vt) + eps)
		}
		want = append(want, append([]float64(nil), θ...))
	}
	return want
}

func TestHandEXAdam(t *testing.T) {
	const lr, b1, b2, eps, wd = float32(0.01), 0.9, 0.999, 1e-8, float32(0.1)
	for _, dynamic := range []bool{false, true} {
		want := exadamRef(f64s(handTheta), handGrads, float64(lr), b1, b2, eps, float64(wd), dynamic)
		got := g1bRun(t, func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewEXAdam(ps, EXAdamConfig{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd, DynamicLR: dynamic})
		}, handTheta, []int{3}, handGrads, nil)
		g1bCheck(t, "exadam", got, want, 2e-6)
	}
}

// TestEXAdamLateSteps: after many steps d1, d2 → 1 and the step tends to
// α·(m̂ + g/bc1)/(√v̂ + ε); the float64 trace of the full rule is checked
// over 300 steps with the hand gradients repeated.
func TestEXAdamLateSteps(t *testing.T) {
	const lr, b1, b2, eps = float32(1e-3), 0.9, 0.99, 1e-8
	var grads [][]float32
	for s := range 300 {
		grads = append(grads, handGrads[s%len(handGrads)])
	}
	want := exadamRef(f64s(handTheta), grads, float64(lr), b1, b2, eps, 0, false)
	got := g1bRun(t, func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewEXAdam(ps, EXAdamConfig{LR: lr, Beta1: b1, Beta2: b2, Eps: eps})
	}, handTheta, []int{3}, grads, nil)
	g1bCheck(t, "exadam late", got[len(got)-1:], want[len(want)-1:], 1e-5)
	// At t = 300, β1^t ≈ 2e-14: the correction factors are 1 to float32.
	if d := math.Pow(b2, 300); d > 0.05 {
		t.Fatalf("β2^300 = %g", d)
	}
}
