package fgrad

import (
	"math"
	"testing"

	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

// testProblem returns an MLP and a batch of n random inputs whose labels
// come from a random linear teacher, so that the task is learnable.
func testProblem(seed uint64, sizes []int, n int) (*nn.Sequential, *tensor.Tensor, []int32) {
	rng := tensor.NewRNG(seed)
	m := nn.MLP(sizes, rng)
	x, labels := teacherBatch(seed+1, sizes[0], sizes[len(sizes)-1], n)
	return m, x, labels
}

// teacherBatch draws n inputs of width in and labels them by a fixed
// random linear map (the same for every call with the same in and c).
func teacherBatch(seed uint64, in, c, n int) (*tensor.Tensor, []int32) {
	teacher := tensor.RandN(tensor.NewRNG(99), 1, c, in).Data()
	rng := tensor.NewRNG(seed)
	x := tensor.RandN(rng, 1, n, in)
	xd := x.Data()
	labels := make([]int32, n)
	for r := range n {
		best, arg := math.Inf(-1), 0
		for j := range c {
			var s float64
			for i := range in {
				s += float64(teacher[j*in+i] * xd[r*in+i])
			}
			if s > best {
				best, arg = s, j
			}
		}
		labels[r] = int32(arg)
	}
	return x, labels
}

// grads returns copies of the parameters' Grads.
func grads(m nn.Module) []*tensor.Tensor {
	var gs []*tensor.Tensor
	for _, p := range nn.Parameters(m) {
		gs = append(gs, p.Grad.Clone())
	}
	return gs
}

// trueGrads returns the exact gradient by backprop.
func trueGrads(m nn.Module, x *tensor.Tensor, labels []int32) []*tensor.Tensor {
	NewBackprop(m).Estimate(x, labels)
	return grads(m)
}

// trueDeltas returns ∂L/∂z_l for every layer of the MLP view, [N, out_l],
// by a backward pass written out in float64.
func trueDeltas(t *testing.T, m nn.Module, x *tensor.Tensor, labels []int32) [][]float32 {
	t.Helper()
	ls, err := mlpLayers("test", m)
	if err != nil {
		t.Fatal(err)
	}
	n := len(labels)
	p := newPrimal(ls)
	p.n = n
	xd := x.Data()
	for l := range ls {
		p.layer(xd, l)
	}
	p.loss(labels)
	deltas := make([][]float32, len(ls))
	last := len(ls) - 1
	deltas[last] = append([]float32(nil), p.e...)
	for l := last - 1; l >= 0; l-- {
		up, w := deltas[l+1], ls[l+1].w.Value.Data()
		d := make([]float32, n*ls[l].out)
		for r := range n {
			for i := range ls[l].out {
				var s float64
				for j := range ls[l+1].out {
					s += float64(up[r*ls[l+1].out+j]) * float64(w[j*ls[l].out+i])
				}
				if ls[l].relu && p.z[l][r*ls[l].out+i] <= 0 {
					s = 0
				}
				d[r*ls[l].out+i] = float32(s)
			}
		}
		deltas[l] = d
	}
	return deltas
}

// maxRelDiff returns max|a−b| / max|b| over the lists.
func maxRelDiff(a, b []*tensor.Tensor) float64 {
	var num, den float64
	for i := range a {
		x, y := a[i].Data(), b[i].Data()
		for j := range x {
			num = math.Max(num, math.Abs(float64(x[j]-y[j])))
			den = math.Max(den, math.Abs(float64(y[j])))
		}
	}
	return num / den
}

// averageEstimates returns the mean of m estimates (m steps at the same
// parameters, so with fresh tangents each time).
func averageEstimates(model nn.Module, e Estimator, x *tensor.Tensor, labels []int32, m int) []*tensor.Tensor {
	var sum []*tensor.Tensor
	for range m {
		e.Estimate(x, labels)
		g := grads(model)
		if sum == nil {
			sum = g
			continue
		}
		for i := range sum {
			for j, v := range g[i].Data() {
				sum[i].Data()[j] += v
			}
		}
	}
	for _, s := range sum {
		for j := range s.Data() {
			s.Data()[j] /= float32(m)
		}
	}
	return sum
}
