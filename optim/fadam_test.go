package optim

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

func TestHandFAdam(t *testing.T) {
	const lr, b1, b2, eps, wd = float32(0.01), 0.9, 0.999, 1e-8, float32(0.1)
	rms := func(x []float64) float64 {
		var s float64
		for _, v := range x {
			s += v * v
		}
		return math.Sqrt(s / float64(len(x)))
	}
	for _, tc := range []struct{ clip, p float64 }{{1, 0.5}, {0.5, 0.5}, {1, 0.25}} {
		η, λ := float64(lr), float64(wd)
		θ := f64s(handTheta)
		m, F := make([]float64, 3), make([]float64, 3)
		var want [][]float64
		for s, g32 := range handGrads {
			g := f64s(g32)
			t := float64(s + 1)
			bh := b2 * (1 - math.Pow(b2, t-1)) / (1 - math.Pow(b2, t))
			gh, w := make([]float64, 3), make([]float64, 3)
			for i := range F {
				F[i] = bh*F[i] + (1-bh)*g[i]*g[i]
			}
			ε := eps * math.Min(1, rms(g))
			for i := range gh {
				gh[i] = g[i] / (math.Pow(F[i], tc.p) + ε)
				w[i] = θ[i] / (math.Pow(F[i], tc.p) + ε)
			}
			dg, dw := math.Max(1, rms(gh)/tc.clip), math.Max(1, rms(w)/tc.clip)
			for i := range θ {
				m[i] = b1*m[i] + (1-b1)*gh[i]/dg
				θ[i] -= η * (m[i] + λ*w[i]/dw)
			}
			want = append(want, append([]float64(nil), θ...))
		}
		got := g1bRun(t, func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewFAdam(ps, FAdamConfig{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd, Clip: tc.clip, P: tc.p})
		}, handTheta, []int{3}, handGrads, nil)
		g1bCheck(t, "fadam", got, want, 2e-6)
	}
}

// TestFAdamProperties: F = g² after step 1 (β̂2 = 0), RMS(ĝ) ≤ c (read
// from m = (1−β1)·ĝ after step 1), and an all-zero first gradient leaves
// the parameter finite.
func TestFAdamProperties(t *testing.T) {
	for _, c := range []float64{1, 0.1} {
		ps := newParams(2, 50)
		fillGrads(ps, 3, 1)
		g := append([]float32(nil), ps[0].Grad.Data()...)
		cfg := DefaultFAdam()
		cfg.Clip = c
		o, _ := NewFAdam(ps, cfg)
		o.Step()
		st, _ := o.State()
		var sq float64
		for i, f := range st["state.p0.fim"].Data() {
			if f != g[i]*g[i] {
				t.Fatalf("F[%d] = %v after step 1, want g² = %v", i, f, g[i]*g[i])
			}
			gh := float64(st["state.p0.momentum"].Data()[i]) / (1 - cfg.Beta1)
			sq += gh * gh
		}
		if r := math.Sqrt(sq / 50); r > c*(1+1e-6) {
			t.Errorf("c = %v: RMS(ĝ) = %v", c, r)
		}
	}
	p := autodiff.NewParam("w", tensor.FromSlice([]float32{1, -2, 3}, 3))
	p.Grad = tensor.New(3)
	o, _ := NewFAdam([]*autodiff.Var{p}, DefaultFAdam())
	o.Step()
	for i, x := range p.Value.Data() {
		if x != []float32{1, -2, 3}[i] {
			t.Errorf("zero gradient at step 1: θ[%d] = %v", i, x)
		}
	}
}
