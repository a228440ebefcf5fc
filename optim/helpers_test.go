package optim

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// newParams returns parameters named p0, p1, … of the given sizes with
// N(0, 1) values from seed, each with a zero gradient.
func newParams(seed uint64, sizes ...int) []*autodiff.Var {
	rng := tensor.NewRNG(seed)
	ps := make([]*autodiff.Var, len(sizes))
	for i, n := range sizes {
		ps[i] = autodiff.NewParam(fmt.Sprintf("p%d", i), tensor.RandN(rng, 1, n))
		ps[i].Grad = tensor.New(n)
	}
	return ps
}

// cloneParams deep-copies values and gradients, keeping names.
func cloneParams(ps []*autodiff.Var) []*autodiff.Var {
	out := make([]*autodiff.Var, len(ps))
	for i, p := range ps {
		out[i] = autodiff.NewParam(p.Name, p.Value.Clone())
		if p.Grad != nil {
			out[i].Grad = p.Grad.Clone()
		}
	}
	return out
}

// fillGrads sets every gradient to N(0, 1) values determined by seed and
// step, so two runs see the same gradients at the same step.
func fillGrads(ps []*autodiff.Var, seed uint64, step int) {
	rng := tensor.NewRNG(seed*1000003 + uint64(step))
	for _, p := range ps {
		tensor.FillNormal(rng, p.Grad.Data(), 1)
	}
}

// ulp32 returns the spacing of float32 values at |x|.
func ulp32(x float32) float64 {
	x = float32(math.Abs(float64(x)))
	return float64(math.Nextafter32(x, float32(math.Inf(1))) - x)
}

// near reports whether got is within rel·|want| + abs of want.
func near(got, want, rel, abs float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)+abs
}

// checkValues compares a parameter with float64 expectations.
func checkValues(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	for i := range want {
		if !near(float64(got[i]), want[i], 4e-7, 1e-9) {
			t.Errorf("%s[%d] = %.9g, want %.9g", what, i, got[i], want[i])
		}
	}
}

// mustPanic runs f and returns the panic message (failing if none).
func mustPanic(t *testing.T, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("no panic")
		}
		msg = fmt.Sprint(r)
	}()
	f()
	return ""
}

// timeSteps times step, one optimizer step over n parameter elements, on
// a locked OS thread, and reports ns/param and, where threadCPU works,
// cpu-ns/param: the thread's CPU time, which leaves out the time other
// processes held the core on a shared machine.
func timeSteps(b *testing.B, n int, step func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	c0 := threadCPU()
	for b.Loop() {
		step()
	}
	if c1 := threadCPU(); c0 >= 0 && c1 >= 0 {
		b.ReportMetric(float64(c1-c0)/float64(b.N)/float64(n), "cpu-ns/param")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
}

// fusedChainPair returns two equal sets of parameters of the given sizes
// (newParams(seed, sizes...)) with an optimizer made by mk on each: of on
// its fused path, oc switched to its chain. It fails t if mk fails or
// either path is not what it should be.
func fusedChainPair(t *testing.T, mk func([]*autodiff.Var) (*Optimizer, error), seed uint64, sizes ...int) (pf, pc []*autodiff.Var, of, oc *Optimizer) {
	t.Helper()
	pf = newParams(seed, sizes...)
	pc = cloneParams(pf)
	of, err := mk(pf)
	if err != nil {
		t.Fatal(err)
	}
	if oc, err = mk(pc); err != nil {
		t.Fatal(err)
	}
	if !of.Fused() || oc.SetFused(false) {
		t.Fatal("fused/chain selection")
	}
	return pf, pc, of, oc
}

// constObjective is an objective whose loss is the constant loss and
// whose Gradient leaves every parameter's Grad as it is (the optimizer
// only reads it), so it costs nothing: the step benchmarks use it to time
// an optimizer that needs the objective (XGrad, SPS) without the model's
// forward and backward pass.
type constObjective struct {
	ps   []*autodiff.Var
	loss float32
}

func (o constObjective) Params() []*autodiff.Var               { return o.ps }
func (o constObjective) Loss() float32                         { return o.loss }
func (o constObjective) Gradient() float32                     { return o.loss }
func (o constObjective) HVP([]*tensor.Tensor) []*tensor.Tensor { panic("constObjective: no HVP") }
