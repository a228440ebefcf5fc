package optim

import (
	"math"
	"strings"
	"testing"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// norm64 returns the global L2 norm of the gradients in float64.
func norm64(ps []*autodiff.Var) float64 {
	var s float64
	for _, p := range ps {
		if p.Grad != nil {
			for _, g := range p.Grad.Data() {
				s += float64(g) * float64(g)
			}
		}
	}
	return math.Sqrt(s)
}

// TestClipGradNorm checks METHODS 4.1: ‖g_clipped‖ ≤ c with cosine 1 to
// the original, the returned norm is the norm before clipping, and small
// gradients are untouched.
func TestClipGradNorm(t *testing.T) {
	ps := newParams(1, 3, 50, 7)
	ps[1].Grad = nil
	ps = append(ps, newParams(2, 4)...)
	fillGrads([]*autodiff.Var{ps[0], ps[2], ps[3]}, 9, 1)
	before := cloneParams(ps)
	n0 := norm64(ps)
	got := ClipGradNorm(ps, 1)
	if !near(float64(got), n0, 1e-6, 0) {
		t.Fatalf("returned norm %g, want %g", got, n0)
	}
	if n := norm64(ps); !near(n, 1, 1e-6, 0) {
		t.Fatalf("clipped norm %g, want 1", n)
	}
	var dot float64
	for i, p := range ps {
		if p.Grad == nil {
			continue
		}
		for j, g := range p.Grad.Data() {
			dot += float64(g) * float64(before[i].Grad.Data()[j])
		}
	}
	if cos := dot / (n0 * 1); !near(cos, 1, 1e-6, 0) {
		t.Fatalf("cosine to the original %g, want 1", cos)
	}
	// Below the threshold nothing changes.
	snap := cloneParams(ps)
	if n := ClipGradNorm(ps, 10); !near(float64(n), 1, 1e-6, 0) {
		t.Fatalf("norm %g", n)
	}
	for i, p := range ps {
		if p.Grad != nil && !tensorEqual(p.Grad, snap[i].Grad) {
			t.Fatal("gradients below maxNorm changed")
		}
	}
	// A non-finite norm leaves the gradients alone and is returned.
	ps[0].Grad.Data()[1] = float32(math.Inf(1))
	snap = cloneParams(ps)
	if n := ClipGradNorm(ps, 1); !math.IsInf(float64(n), 1) {
		t.Fatalf("norm %g, want +Inf", n)
	}
	for i, p := range ps {
		if p.Grad != nil && !tensorEqual(p.Grad, snap[i].Grad) {
			t.Fatal("gradients changed with an infinite norm")
		}
	}
	mustPanic(t, func() { ClipGradNorm(ps, 0) })
}

// TestClipGradNormHuge checks that an exploding but finite gradient, whose
// float32 squares overflow, is still clipped to the bound (the sum falls
// back to float64 squares) and its norm returned.
func TestClipGradNormHuge(t *testing.T) {
	p := autodiff.NewParam("w", tensor.New(100))
	p.Grad = tensor.New(100)
	g := p.Grad.Data()
	for i := range g {
		g[i] = 0.5
	}
	g[37], g[90] = 3e20, -4e20
	ps := []*autodiff.Var{p}
	if n := ClipGradNorm(ps, 2); !near(float64(n), 5e20, 1e-6, 0) {
		t.Fatalf("returned norm %g, want 5e20", n)
	}
	if n := norm64(ps); !near(n, 2, 1e-6, 0) {
		t.Fatalf("clipped norm %g, want 2", n)
	}
	if !near(float64(g[37]), 1.2, 1e-6, 0) || !near(float64(g[90]), -1.6, 1e-6, 0) {
		t.Fatalf("clipped g[37], g[90] = %g, %g, want 1.2, -1.6", g[37], g[90])
	}
}

func TestClipGradValue(t *testing.T) {
	p := autodiff.NewParam("w", tensor.New(5))
	p.Grad = tensor.FromSlice([]float32{-3, -0.5, 0, 0.25, 7}, 5)
	ClipGradValue([]*autodiff.Var{p, autodiff.NewParam("nograd", tensor.New(1))}, 0.5)
	checkValues(t, "g", p.Grad.Data(), []float64{-0.5, -0.5, 0, 0.25, 0.5})
	mustPanic(t, func() { ClipGradValue(nil, -1) })
}

// TestClipTransforms runs the clipping transforms in a chain ending in
// ScaleByLR with η = 1, so θ moves by exactly the clipped gradient.
func TestClipTransforms(t *testing.T) {
	for _, tc := range []struct {
		tr   Transform
		want func(g [][]float32) [][]float64
	}{
		{ClipByValue(0.5), func(g [][]float32) [][]float64 {
			out := make([][]float64, len(g))
			for i := range g {
				for _, x := range g[i] {
					out[i] = append(out[i], math.Max(-0.5, math.Min(0.5, float64(x))))
				}
			}
			return out
		}},
		{ClipByGlobalNorm(0.5), func(g [][]float32) [][]float64 {
			var s float64
			for i := range g {
				for _, x := range g[i] {
					s += float64(x) * float64(x)
				}
			}
			out := make([][]float64, len(g))
			for i := range g {
				for _, x := range g[i] {
					out[i] = append(out[i], float64(x)*0.5/math.Sqrt(s))
				}
			}
			return out
		}},
	} {
		ps := newParams(3, 4, 9)
		fillGrads(ps, 2, 1)
		before := cloneParams(ps)
		o, err := NewFromTransform("clip", ps, Chain(tc.tr, ScaleByLR()), 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		if o.Fused() || o.SetFused(true) {
			t.Fatal("a custom chain has no fused kernel")
		}
		o.Step()
		g := [][]float32{before[0].Grad.Data(), before[1].Grad.Data()}
		want := tc.want(g)
		for i, p := range ps {
			var moved []float32
			for j, x := range p.Value.Data() {
				moved = append(moved, before[i].Value.Data()[j]-x)
			}
			for j := range want[i] {
				if !near(float64(moved[j]), want[i][j], 1e-5, 1e-6) {
					t.Errorf("%s: Δθ[%d][%d] = %g, want %g", tc.tr.Name(), i, j, moved[j], want[i][j])
				}
			}
		}
		if !tensorEqual(ps[0].Grad, before[0].Grad) {
			t.Errorf("%s: Step wrote the gradient", tc.tr.Name())
		}
	}
	if msg := mustPanic(t, func() { ClipByGlobalNorm(0) }); !strings.Contains(msg, "optim: clip_by_global_norm") {
		t.Error(msg)
	}
	mustPanic(t, func() { ClipByValue(float32(math.NaN())) })
}

// BenchmarkClipGradNorm times ClipGradNorm on one gradient of 1e6
// elements that it clips (ns/param), for comparison with an optimizer's
// Step (BenchmarkStep).
func BenchmarkClipGradNorm(b *testing.B) {
	const n = 1_000_000
	ps := newParams(1, n)
	fillGrads(ps, 1, 1)
	g := ps[0].Grad.Data()
	for b.Loop() {
		ClipGradNorm(ps, 1)
		asm.Scale(g, 1e3) // back above the bound for the next call
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/param")
}
