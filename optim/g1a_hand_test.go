package optim

import (
	"fmt"
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// Hand-computed first steps for AdaMax, RMSProp, AdaGrad, AMSGrad,
// AdaBelief, Adafactor, AdaBound/AMSBound, C-AdamW/C-Lion and AdEMAMix:
// each test writes the update rule out in float64 arithmetic on
// handTheta with handGrads (hand_test.go) and checks three steps of the
// Transform chain, and of the fused kernel where there is one.

// g1aRun steps an optimizer made by mk on a parameter of the given shape
// starting at theta, with grads, on the fused path or the chain, and
// returns θ after each step.
func g1aRun(t *testing.T, fused bool, mk func([]*autodiff.Var) (*Optimizer, error), theta []float32, grads [][]float32, shape ...int) [][]float32 {
	t.Helper()
	if len(shape) == 0 {
		shape = []int{len(theta)}
	}
	p := autodiff.NewParam("w", tensor.FromSlice(append([]float32(nil), theta...), shape...))
	o, err := mk([]*autodiff.Var{p})
	if err != nil {
		t.Fatal(err)
	}
	if o.SetFused(fused) != fused {
		t.Fatalf("SetFused(%v) had no effect", fused)
	}
	var out [][]float32
	for _, g := range grads {
		p.Grad = tensor.FromSlice(append([]float32(nil), g...), shape...)
		o.Step()
		out = append(out, append([]float32(nil), p.Value.Data()...))
	}
	return out
}

// g1aHand checks the chain (and the fused path if withFused) against want.
func g1aHand(t *testing.T, withFused bool, mk func([]*autodiff.Var) (*Optimizer, error), want [][]float64) {
	t.Helper()
	paths := []bool{false}
	if withFused {
		paths = append(paths, true)
	}
	for _, fused := range paths {
		got := g1aRun(t, fused, mk, handTheta, handGrads)
		for s := range want {
			checkValues(t, fmt.Sprintf("fused=%v step %d", fused, s+1), got[s], want[s])
		}
	}
}

// g1aSign is sign with sign(0) = 0.
func g1aSign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func TestHandAdaMax(t *testing.T) {
	const lr, b1, b2, eps, wd = 0.1, 0.9, 0.999, 1e-8, 0.01
	θ := f64s(handTheta)
	m, u := make([]float64, 3), make([]float64, 3)
	var want [][]float64
	for s, g32 := range handGrads {
		g := f64s(g32)
		bc1 := 1 - math.Pow(b1, float64(s+1))
		for i := range θ {
			d := g[i] + wd*θ[i]
			m[i] = b1*m[i] + (1-b1)*d
			u[i] = math.Max(b2*u[i], math.Abs(d)+eps)
			θ[i] -= lr / bc1 * m[i] / u[i]
		}
		want = append(want, append([]float64(nil), θ...))
	}
	g1aHand(t, true, func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewAdaMax(ps, AdaMaxConfig{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd})
	}, want)
}

func TestHandRMSProp(t *testing.T) {
	const lr, rho, eps, wd = 0.1, 0.9, 1e-3, 0.01
	for _, inSqrt := range []bool{true, false} {
		t.Run(fmt.Sprint("eps_in_sqrt=", inSqrt), func(t *testing.T) {
			θ := f64s(handTheta)
			v := make([]float64, 3)
			var want [][]float64
			for _, g32 := range handGrads {
				g := f64s(g32)
				for i := range θ {
					d := g[i] + wd*θ[i]
					v[i] = rho*v[i] + (1-rho)*d*d
					if inSqrt {
						θ[i] -= lr * d / math.Sqrt(v[i]+eps)
					} else {
						θ[i] -= lr * d / (math.Sqrt(v[i]) + eps)
					}
				}
				want = append(want, append([]float64(nil), θ...))
			}
			g1aHand(t, true, func(ps []*autodiff.Var) (*Optimizer, error) {
				return NewRMSProp(ps, RMSPropConfig{LR: lr, Rho: rho, Eps: eps, EpsInSqrt: inSqrt, WeightDecay: wd})
			}, want)
		})
	}
}

func TestHandAdaGrad(t *testing.T) {
	const lr, s0, eps, wd = 0.1, 0.1, 1e-7, 0.01
	θ := f64s(handTheta)
	acc := []float64{s0, s0, s0}
	var want [][]float64
	for _, g32 := range handGrads {
		g := f64s(g32)
		for i := range θ {
			d := g[i] + wd*θ[i]
			acc[i] += d * d
			θ[i] -= lr * d / math.Sqrt(acc[i]+eps)
		}
		want = append(want, append([]float64(nil), θ...))
	}
	g1aHand(t, true, func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewAdaGrad(ps, AdaGradConfig{LR: lr, InitialAcc: s0, Eps: eps, WeightDecay: wd})
	}, want)
}

func TestHandAMSGrad(t *testing.T) {
	const lr, b1, b2, eps, wd = 0.1, 0.9, 0.999, 1e-8, 0.01
	for _, corrected := range []bool{false, true} {
		t.Run(fmt.Sprint("max_corrected=", corrected), func(t *testing.T) {
			θ := f64s(handTheta)
			m, v, vh := make([]float64, 3), make([]float64, 3), make([]float64, 3)
			var want [][]float64
			for s, g32 := range handGrads {
				g := f64s(g32)
				bc1, bc2 := 1-math.Pow(b1, float64(s+1)), 1-math.Pow(b2, float64(s+1))
				for i := range θ {
					d := g[i] + wd*θ[i]
					m[i] = b1*m[i] + (1-b1)*d
					v[i] = b2*v[i] + (1-b2)*d*d
					if corrected {
						vh[i] = math.Max(vh[i], v[i]/bc2)
						θ[i] -= lr * (m[i] / bc1) / (math.Sqrt(vh[i]) + eps)
					} else {
						vh[i] = math.Max(vh[i], v[i])
						θ[i] -= lr * (m[i] / bc1) / (math.Sqrt(vh[i]/bc2) + eps)
					}
				}
				want = append(want, append([]float64(nil), θ...))
			}
			g1aHand(t, !corrected, func(ps []*autodiff.Var) (*Optimizer, error) {
				return NewAMSGrad(ps, AMSGradConfig{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd, MaxCorrected: corrected})
			}, want)
		})
	}
}

func TestHandAdaBelief(t *testing.T) {
	const lr, b1, b2, eps, wd = 0.1, 0.9, 0.999, 1e-16, 0.01
	θ := f64s(handTheta)
	m, sv := make([]float64, 3), make([]float64, 3)
	var want [][]float64
	for s, g32 := range handGrads {
		g := f64s(g32)
		bc1, bc2 := 1-math.Pow(b1, float64(s+1)), 1-math.Pow(b2, float64(s+1))
		for i := range θ {
			m[i] = b1*m[i] + (1-b1)*g[i]
			sv[i] = b2*sv[i] + (1-b2)*(g[i]-m[i])*(g[i]-m[i]) + eps
			θ[i] -= lr * ((m[i]/bc1)/(math.Sqrt(sv[i]/bc2)+eps) + wd*θ[i])
		}
		want = append(want, append([]float64(nil), θ...))
	}
	g1aHand(t, true, func(ps []*autodiff.Var) (*Optimizer, error) {
		return NewAdaBelief(ps, AdaBeliefConfig{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd})
	}, want)
}

func TestHandAdaBound(t *testing.T) {
	// γ = 0.5 makes the bounds bite within three steps: at t = 1 the
	// interval is [0.0333, 0.3] and the unclipped rate is η/|g| ≥ 0.2.
	const lr, final, gamma, b1, b2, eps, wd = 0.1, 0.1, 0.5, 0.9, 0.999, 1e-8, 0.01
	for _, ams := range []bool{false, true} {
		t.Run(fmt.Sprint("amsbound=", ams), func(t *testing.T) {
			θ := f64s(handTheta)
			m, v, vh := make([]float64, 3), make([]float64, 3), make([]float64, 3)
			var want [][]float64
			clipped := 0
			for s, g32 := range handGrads {
				g := f64s(g32)
				tt := float64(s + 1)
				bc1, bc2 := 1-math.Pow(b1, tt), 1-math.Pow(b2, tt)
				a := lr * math.Sqrt(bc2) / bc1
				star := final * lr / lr // η unchanged: α* = final_lr
				lo, hi := star*(1-1/(gamma*tt+1)), star*(1+1/(gamma*tt))
				for i := range θ {
					d := g[i] + wd*θ[i]
					m[i] = b1*m[i] + (1-b1)*d
					v[i] = b2*v[i] + (1-b2)*d*d
					den := v[i]
					if ams {
						vh[i] = math.Max(vh[i], v[i])
						den = vh[i]
					}
					x := a / (math.Sqrt(den) + eps)
					if x < lo || x > hi {
						clipped++
					}
					θ[i] -= math.Min(math.Max(x, lo), hi) * m[i]
				}
				want = append(want, append([]float64(nil), θ...))
			}
			if clipped == 0 {
				t.Fatal("the bounds never bite: the test checks nothing about them")
			}
			ctor := NewAdaBound
			if ams {
				ctor = NewAMSBound
			}
			g1aHand(t, true, func(ps []*autodiff.Var) (*Optimizer, error) {
				return ctor(ps, AdaBoundConfig{LR: lr, FinalLR: final, Gamma: gamma, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd})
			}, want)
		})
	}
}

func TestHandCautious(t *testing.T) {
	t.Run("cadamw", func(t *testing.T) {
		const lr, b1, b2, eps, wd = 0.1, 0.9, 0.999, 1e-6, 0.01
		θ := f64s(handTheta)
		m, v, u := make([]float64, 3), make([]float64, 3), make([]float64, 3)
		var want [][]float64
		masked := 0
		for s, g32 := range handGrads {
			g := f64s(g32)
			bc1, bc2 := 1-math.Pow(b1, float64(s+1)), 1-math.Pow(b2, float64(s+1))
			count := 0.0
			for i := range θ {
				m[i] = b1*m[i] + (1-b1)*g[i]
				v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
				u[i] = (m[i] / bc1) / (math.Sqrt(v[i]/bc2) + eps)
				if u[i]*g[i] > 0 {
					count++
				}
			}
			scale := 1 / math.Max(count/3, 1e-3)
			for i := range θ {
				φ := 0.0
				if u[i]*g[i] > 0 {
					φ = 1
				} else {
					masked++
				}
				θ[i] -= lr * (u[i]*φ*scale + wd*θ[i])
			}
			want = append(want, append([]float64(nil), θ...))
		}
		if masked < 2 {
			t.Fatalf("only %d masked coordinates: the test checks little", masked)
		}
		g1aHand(t, true, func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewCAdamW(ps, AdamConfig{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd})
		}, want)
	})
	t.Run("clion", func(t *testing.T) {
		const lr, b1, b2, wd = 0.1, 0.95, 0.98, 0.01
		θ := f64s(handTheta)
		m, u := make([]float64, 3), make([]float64, 3)
		var want [][]float64
		masked := 0
		for _, g32 := range handGrads {
			g := f64s(g32)
			count := 0.0
			for i := range θ {
				u[i] = g1aSign(b1*m[i] + (1-b1)*g[i])
				m[i] = b2*m[i] + (1-b2)*g[i]
				if u[i]*g[i] > 0 {
					count++
				}
			}
			scale := 3 / (count + 1)
			for i := range θ {
				φ := 0.0
				if u[i]*g[i] > 0 {
					φ = 1
				} else {
					masked++
				}
				θ[i] -= lr * (u[i]*φ*scale + wd*θ[i])
			}
			want = append(want, append([]float64(nil), θ...))
		}
		if masked < 2 {
			t.Fatalf("only %d masked coordinates: the test checks little", masked)
		}
		g1aHand(t, true, func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewCLion(ps, LionConfig{LR: lr, Beta1: b1, Beta2: b2, WeightDecay: wd})
		}, want)
	})
}

func TestHandAdEMAMix(t *testing.T) {
	const lr, b1, b2, b3, alpha, eps, wd = 0.1, 0.9, 0.999, 0.9999, 2.0, 1e-8, 0.01
	for _, warm := range [][2]int{{0, 0}, {2, 3}} {
		t.Run(fmt.Sprintf("warmup=%v", warm), func(t *testing.T) {
			θ := f64s(handTheta)
			m1, m2, v := make([]float64, 3), make([]float64, 3), make([]float64, 3)
			var want [][]float64
			for s, g32 := range handGrads {
				g := f64s(g32)
				tt := float64(s + 1)
				bc1, bc2 := 1-math.Pow(b1, tt), 1-math.Pow(b2, tt)
				α, β3 := alpha, b3
				if s+1 < warm[0] {
					α = tt / float64(warm[0]) * alpha
				}
				if s+1 < warm[1] {
					// half-life interpolation: f(β) = ln 0.5/ln(β+1e-8) − 1
					fb1 := math.Log(0.5)/math.Log(b1+1e-8) - 1
					fb3 := math.Log(0.5)/math.Log(b3+1e-8) - 1
					r := tt / float64(warm[1])
					β3 = math.Pow(0.5, 1/((1-r)*fb1+r*fb3+1))
				}
				for i := range θ {
					m1[i] = b1*m1[i] + (1-b1)*g[i]
					m2[i] = β3*m2[i] + (1-β3)*g[i]
					v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
					θ[i] -= lr * ((m1[i]/bc1+α*m2[i])/(math.Sqrt(v[i]/bc2)+eps) + wd*θ[i])
				}
				want = append(want, append([]float64(nil), θ...))
			}
			g1aHand(t, true, func(ps []*autodiff.Var) (*Optimizer, error) {
				return NewAdEMAMix(ps, AdEMAMixConfig{LR: lr, Beta1: b1, Beta2: b2, Beta3: b3, Alpha: alpha, Eps: eps,
					WeightDecay: wd, AlphaWarmup: warm[0], Beta3Warmup: warm[1]})
			}, want)
		})
	}
}

// g1aAdafactorRef is Adafactor in float64 on a rows×cols parameter
// (factored if factored, else elementwise), with relative step size,
// parameter scaling, clipping threshold d, decay exponent 0.8, momentum β1
// (0: none) and decoupled decay λ, as METHODS.md 1.8 writes it.
func g1aAdafactorRef(theta []float32, grads [][]float32, rows, cols int, factored bool, d, b1, wd float64) [][]float64 {
	const eps1, eps2 = 1e-30, 1e-3
	θ := f64s(theta)
	n := len(θ)
	v, r, c, m := make([]float64, n), make([]float64, rows), make([]float64, cols), make([]float64, n)
	var want [][]float64
	for s, g32 := range grads {
		g := f64s(g32)
		tt := float64(s + 1)
		bh := 1 - math.Pow(tt, -0.8)
		U := make([]float64, n)
		if factored {
			for i := range rows {
				sum := 0.0
				for j := range cols {
					sum += g[i*cols+j]*g[i*cols+j] + eps1
				}
				r[i] = bh*r[i] + (1-bh)*sum/float64(cols)
			}
			for j := range cols {
				sum := 0.0
				for i := range rows {
					sum += g[i*cols+j]*g[i*cols+j] + eps1
				}
				c[j] = bh*c[j] + (1-bh)*sum/float64(rows)
			}
			meanR := 0.0
			for _, x := range r {
				meanR += x / float64(rows)
			}
			for i := range rows {
				for j := range cols {
					U[i*cols+j] = g[i*cols+j] / math.Sqrt(r[i]/meanR*c[j])
				}
			}
		} else {
			for i := range n {
				v[i] = bh*v[i] + (1-bh)*(g[i]*g[i]+eps1)
				U[i] = g[i] / math.Sqrt(v[i])
			}
		}
		rmsU, rmsW := 0.0, 0.0
		for i := range n {
			rmsU += U[i] * U[i] / float64(n)
			rmsW += θ[i] * θ[i] / float64(n)
		}
		clip := math.Max(1, math.Sqrt(rmsU)/d)
		α := math.Max(eps2, math.Sqrt(rmsW)) * math.Min(1e-2, 1/math.Sqrt(tt))
		for i := range n {
			step := α * U[i] / clip
			if b1 > 0 {
				m[i] = b1*m[i] + (1-b1)*step
				step = m[i]
			}
			θ[i] -= step + wd*θ[i]
		}
		want = append(want, append([]float64(nil), θ...))
	}
	return want
}

func TestHandAdafactor(t *testing.T) {
	t.Run("vector", func(t *testing.T) {
		want := g1aAdafactorRef(handTheta, handGrads, 1, 3, false, 1, 0, 0)
		g1aHand(t, false, func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewAdafactor(ps, DefaultAdafactor())
		}, want)
	})
	// A 2×3 matrix, factored (MinDimToFactor 2), with momentum, decay and
	// a clipping threshold that bites.
	theta := []float32{1, -2, 0.5, 0.25, 3, -1}
	grads := [][]float32{{0.1, 0.2, -0.3, 1.5, -0.01, 0.2}, {-0.4, 0.5, 0.6, 0.05, 0.3, -2}, {0.3, -0.1, 0, 0.7, 0.7, 0.1}}
	for _, factored := range []bool{true, false} {
		t.Run(fmt.Sprint("matrix factored=", factored), func(t *testing.T) {
			const d, b1, wd = 0.9, 0.5, 0.01
			want := g1aAdafactorRef(theta, grads, 2, 3, factored, d, b1, wd)
			cfg := DefaultAdafactor()
			cfg.ClipThreshold, cfg.Beta1, cfg.WeightDecay = d, b1, wd
			cfg.MinDimToFactor = 2
			if !factored {
				cfg.MinDimToFactor = 4
			}
			got := g1aRun(t, false, func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdafactor(ps, cfg) },
				theta, grads, 2, 3)
			for s := range want {
				checkValues(t, fmt.Sprintf("step %d", s+1), got[s], want[s])
			}
		})
	}
}
