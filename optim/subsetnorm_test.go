package optim

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// snRef is AdamW-SN in float64 on an r×c matrix stored row-major: one s
// per row if r ≥ c, per column otherwise; vector = true gives per-element
// s (Adam's fused form).
func snRef(theta []float64, grads [][]float32, r, c int, vector bool, lr, b1, b2, eps, wd float64) [][]float64 {
	θ := append([]float64(nil), theta...)
	m := make([]float64, len(θ))
	ns := max(r, c)
	if vector {
		ns = len(θ)
	}
	sv := make([]float64, ns)
	subset := func(i, j int) int {
		switch {
		case vector:
			return i*c + j
		case r >= c:
			return i
		}
		return j
	}
	var want [][]float64
	for s, g32 := range grads {
		g := f64s(g32)
		t := float64(s + 1)
		bc1, bc2 := 1-math.Pow(b1, t), 1-math.Pow(b2, t)
		sum := make([]float64, ns)
		for i := range r {
			for j := range c {
				sum[subset(i, j)] += g[i*c+j] * g[i*c+j]
			}
		}
		for k := range sv {
			sv[k] = b2*sv[k] + (1-b2)*sum[k]
		}
		for i := range r {
			for j := range c {
				k := i*c + j
				m[k] = b1*m[k] + (1-b1)*g[k]
				θ[k] -= lr * (math.Sqrt(bc2)/bc1*m[k]/(math.Sqrt(sv[subset(i, j)])+eps) + wd*θ[k])
			}
		}
		want = append(want, append([]float64(nil), θ...))
	}
	return want
}

func TestHandAdamWSN(t *testing.T) {
	const lr, b2, eps, wd = float32(0.01), 0.999, 1e-6, float32(0.1)
	theta := []float32{1, -2, 0.5, 0.25, 3, -1}
	grads := [][]float32{{0.1, 0.2, -0.3, 0.05, 1, -0.5}, {-0.4, 0.5, 0.6, 0, 0.2, 0.1}, {0.3, -0.1, 0, 2, -1, 0.3}}
	for _, b1 := range []float64{0.9, 0} { // β1 = 0: RMSProp-SN
		for _, tc := range []struct {
			name   string
			shape  []int
			r, c   int
			vector bool
		}{{"rows", []int{3, 2}, 3, 2, false}, {"cols", []int{2, 3}, 2, 3, false}, {"vector", []int{6}, 1, 6, true}} {
			want := snRef(f64s(theta), grads, tc.r, tc.c, tc.vector, float64(lr), b1, b2, eps, float64(wd))
			got := g1bRun(t, func(ps []*autodiff.Var) (*Optimizer, error) {
				return NewAdamWSN(ps, SubsetNormConfig{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd})
			}, theta, tc.shape, grads, nil)
			g1bCheck(t, "adamw-sn "+tc.name, got, want, 1e-6)
		}
	}
}

// TestAdamWSNColumnIsPerElement: an n×1 matrix has one element per row
// subset, so AdamW-SN on it equals AdamW-SN on the same values as a
// vector (per-element v), bit for bit.
func TestAdamWSNColumnIsPerElement(t *testing.T) {
	rng := tensor.NewRNG(4)
	a := autodiff.NewParam("a", tensor.RandN(rng, 1, 7, 1))
	b := autodiff.NewParam("b", tensor.FromSlice(append([]float32(nil), a.Value.Data()...), 7))
	oa, _ := NewAdamWSN([]*autodiff.Var{a}, DefaultAdamWSN())
	ob, _ := NewAdamWSN([]*autodiff.Var{b}, DefaultAdamWSN())
	for s := range 10 {
		g := tensor.RandN(tensor.NewRNG(uint64(s)), 1, 7)
		a.Grad, b.Grad = g.Clone().Reshape(7, 1), g
		oa.Step()
		ob.Step()
	}
	for i, x := range a.Value.Data() {
		if x != b.Value.Data()[i] {
			t.Fatalf("θ[%d]: %v as a 7×1 matrix, %v as a vector", i, x, b.Value.Data()[i])
		}
	}
}
