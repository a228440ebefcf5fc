package optim

import (
	"math"
	"strings"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

var xgradH = []float32{0.5, 2, 8}

// TestHandXGrad runs XGrad (AdamW base) on ½Σ h_i θ_i²: the gradient of
// steps 2 and 3 is taken at θ̂ = θ − s·η·(m/bc1)/(√(v/bc2)+ε) with the
// previous step's moments.
func TestHandXGrad(t *testing.T) {
	const lr, b1, b2, eps, wd = float32(0.05), 0.9, 0.999, 1e-8, float32(0.1)
	for _, steps := range []float64{1, 2.5} {
		η, λ := float64(lr), float64(wd)
		h := f64s(xgradH)
		θ := f64s(handTheta)
		m, v := make([]float64, 3), make([]float64, 3)
		var want [][]float64
		for s := range 3 {
			t1 := float64(s + 1)
			g := make([]float64, 3)
			for i := range θ {
				θh := θ[i]
				if s > 0 {
					bc1, bc2 := 1-math.Pow(b1, t1-1), 1-math.Pow(b2, t1-1)
					θh -= steps * η * (m[i] / bc1) / (math.Sqrt(v[i]/bc2) + eps)
				}
				g[i] = h[i] * θh
			}
			bc1, bc2 := 1-math.Pow(b1, t1), 1-math.Pow(b2, t1)
			for i := range θ {
				m[i] = b1*m[i] + (1-b1)*g[i]
				v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
				θ[i] -= η * ((m[i]/bc1)/(math.Sqrt(v[i]/bc2)+eps) + λ*θ[i])
			}
			want = append(want, append([]float64(nil), θ...))
		}
		got := g1bRun(t, func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewXGrad(ps, XGradConfig{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd, Steps: steps})
		}, handTheta, []int{3}, make([][]float32, 3), xgradH)
		g1bCheck(t, "xgrad", got, want, 1e-6)
	}
}

func TestHandXGradSGD(t *testing.T) {
	const lr, μ, τ, wd, steps = float32(0.05), 0.9, 0.1, float32(0.01), 1.0
	η, λ := float64(lr), float64(wd)
	h := f64s(xgradH)
	θ := f64s(handTheta)
	b := make([]float64, 3)
	var want [][]float64
	for s := range 3 {
		for i := range θ {
			θh := θ[i]
			if s > 0 {
				θh -= steps * η * b[i]
			}
			g := h[i]*θh + λ*θ[i]
			b[i] = μ*b[i] + (1-τ)*g
			θ[i] -= η * b[i]
		}
		want = append(want, append([]float64(nil), θ...))
	}
	got := g1bRun(t, func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewXGradSGD(ps, XGradSGDConfig{LR: lr, Momentum: μ, Dampening: τ, WeightDecay: wd, Steps: steps})
	}, handTheta, []int{3}, make([][]float32, 3), xgradH)
	g1bCheck(t, "xgrad-sgdm", got, want, 1e-6)
}

// TestXGradZeroStepsIsBase: s = 0 gives exactly the base optimizer
// (AdamW), bit for bit, on the chain (AdamW's chain) and on the fused
// path (AdamW's fused kernel).
func TestXGradZeroStepsIsBase(t *testing.T) {
	cfg := DefaultXGrad()
	cfg.Steps, cfg.LR = 0, 0.05
	for _, fused := range []bool{false, true} {
		a := newParams(5, 9)
		b := cloneParams(a)
		ox, _ := NewXGrad(a, cfg)
		ow, _ := NewAdamW(b, AdamConfig{LR: cfg.LR, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps, WeightDecay: cfg.WeightDecay})
		if ox.SetFused(fused) != fused || ow.SetFused(fused) != fused {
			t.Fatal("fused/chain selection")
		}
		h := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
		qa, qb := &quadObjective{p: a[0], h: h}, &quadObjective{p: b[0], h: h}
		for range 10 {
			qa.Gradient()
			qb.Gradient()
			ox.StepWith(qa)
			ow.Step()
		}
		if !tensorEqual(a[0].Value, b[0].Value) {
			t.Errorf("fused=%v: xgrad s=0 differs from adamw:\n%v\n%v", fused, a[0].Value.Data(), b[0].Value.Data())
		}
	}
}

// TestXGradRestoresWeights: during the step the objective sees θ̂ ≠ θ,
// and after it θ is exactly θ − η·update(∇L(θ̂)); a plain Step panics.
func TestXGradRestoresWeights(t *testing.T) {
	p := autodiff.NewParam("w", tensor.FromSlice(append([]float32(nil), handTheta...), 3))
	o, _ := NewXGrad([]*autodiff.Var{p}, DefaultXGrad())
	q := &g1bRecorder{quadObjective: quadObjective{p: p, h: xgradH}}
	q.Gradient()
	o.StepWith(q)
	if q.calls != 1 {
		t.Fatalf("step 1 called Gradient %d times, want 0 extra", q.calls-1)
	}
	q.Gradient()
	before := append([]float32(nil), p.Value.Data()...)
	o.StepWith(q)
	if q.calls != 3 {
		t.Fatalf("step 2 called Gradient %d times, want 1", q.calls-2)
	}
	for i, x := range q.seen {
		if x == before[i] {
			t.Errorf("θ̂[%d] = θ[%d]: no prediction", i, i)
		}
	}
	p.Grad = tensor.New(3)
	msg := mustPanic(t, func() { o.Step() })
	if !strings.Contains(msg, "StepWith") {
		t.Errorf("Step panic %q", msg)
	}
}

// g1bRecorder counts Gradient calls and records the values it saw last.
type g1bRecorder struct {
	quadObjective
	calls int
	seen  []float32
}

func (r *g1bRecorder) Gradient() float32 {
	r.calls++
	r.seen = append(r.seen[:0], r.p.Value.Data()...)
	return r.quadObjective.Gradient()
}
