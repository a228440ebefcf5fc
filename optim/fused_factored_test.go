package optim

import (
	"fmt"
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
)

// The fused Adafactor and AdamW-SN steps in the fused-vs-chain test and
// BenchmarkStep: factorMatrices makes matrices of both orientations (and
// BenchmarkStep's 1e6-element parameter a 1000×1000 matrix), the "-vec"
// cases keep the parameters vectors.

func init() {
	fusedCases = append(fusedCases, []struct {
		name string
		mk   func([]*autodiff.Var) (*Optimizer, error)
	}{
		// Default: factored from 128×128 (BenchmarkStep's 1000×1000),
		// the small test matrices unfactored.
		{"adafactor", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewAdafactor(factorMatrices(ps), DefaultAdafactor())
		}},
		{"adafactor-vec", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdafactor(ps, DefaultAdafactor()) }},
		// Every matrix factored, a fixed step so that the tolerance
		// counts ulps of the step itself, momentum and decay.
		{"adafactor-factored", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultAdafactor()
			c.LR, c.RelativeStep, c.ScaleParameter, c.MinDimToFactor, c.WeightDecay = 0.01, false, false, 2, 0.1
			return NewAdafactor(factorMatrices(ps), c)
		}},
		{"adafactor-factored-momentum", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultAdafactor()
			c.MinDimToFactor, c.Beta1, c.ClipThreshold, c.WeightDecay = 2, 0.9, 0.5, 0.01
			return NewAdafactor(factorMatrices(ps), c)
		}},
		{"adafactor-vec-momentum", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultAdafactor()
			c.LR, c.RelativeStep, c.ScaleParameter, c.Beta1, c.WeightDecay = 0.01, false, false, 0.9, 0.1
			return NewAdafactor(ps, c)
		}},
		{"adamw-sn", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewAdamWSN(factorMatrices(ps), DefaultAdamWSN())
		}},
		{"adamw-sn-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultAdamWSN()
			c.Beta1, c.Beta2, c.Eps, c.WeightDecay = 0.8, 0.99, 1e-8, 0.1
			return NewAdamWSN(factorMatrices(ps), c)
		}},
		{"adamw-sn-vec", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdamWSN(ps, DefaultAdamWSN()) }},
	}...)
}

// factorMatrices reshapes, in place, every parameter whose size n has a
// divisor in [2, n) to a d×(n/d) matrix, d the largest divisor ≤ √n, at
// even positions and to (n/d)×d at odd ones (so both orientations
// occur), leaving sizes 1 and primes as vectors, and returns ps. A 1e6-
// element parameter becomes 1000×1000.
func factorMatrices(ps []*autodiff.Var) []*autodiff.Var {
	for i, p := range ps {
		n := p.Value.Size()
		d := 0
		for k := 2; k*k <= n; k++ {
			if n%k == 0 {
				d = k
			}
		}
		switch {
		case d == 0:
		case i%2 == 0:
			p.Value = p.Value.Reshape(d, n/d)
		default:
			p.Value = p.Value.Reshape(n/d, d)
		}
	}
	return ps
}

// TestFactorMatricesShapes checks that the fused-vs-chain sizes give
// matrices of both orientations and vectors.
func TestFactorMatricesShapes(t *testing.T) {
	ps := factorMatrices(newParams(1, 1, 3, 8, 17, 64, 133, 1000000))
	want := [][]int{{1}, {3}, {2, 4}, {17}, {8, 8}, {19, 7}, {1000, 1000}}
	for i, p := range ps {
		if got := p.Value.Shape(); fmt.Sprint(got) != fmt.Sprint(want[i]) {
			t.Errorf("parameter %d: shape %v, want %v", i, got, want[i])
		}
	}
}

// BenchmarkFactoredStep times one fused Step of Adafactor and AdamW-SN on
// a 1000×1000 matrix (factored; one subset per row), a 100×10000 one
// (AdamW-SN's subsets per column) and a vector of 1e6, with fused Adam on
// the same 1e6 elements in the same run:
//
//	go test -cpu 1 -run XXX -bench FactoredStep -count 5 ./optim
//
// ns/param is reported, and the thread's CPU ns/param (the goroutine is
// locked to its thread), steadier on a loaded machine; compare with
// adam/1000x1000.
func BenchmarkFactoredStep(b *testing.B) {
	mks := []struct {
		name string
		mk   func([]*autodiff.Var) (*Optimizer, error)
	}{
		{"adam", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdam(ps, DefaultAdam()) }},
		{"adafactor", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdafactor(ps, DefaultAdafactor()) }},
		{"adamw-sn", func(ps []*autodiff.Var) (*Optimizer, error) { return NewAdamWSN(ps, DefaultAdamWSN()) }},
	}
	for _, sh := range [][]int{{1000, 1000}, {100, 10000}, {1000000}} {
		for _, tc := range mks {
			name := fmt.Sprint(sh[0])
			if len(sh) == 2 {
				name = fmt.Sprintf("%dx%d", sh[0], sh[1])
			}
			b.Run(tc.name+"/"+name, func(b *testing.B) {
				ps := newParams(1, 1000000)
				ps[0].Value = ps[0].Value.Reshape(sh...)
				fillGrads(ps, 1, 1)
				o, err := tc.mk(ps)
				if err != nil {
					b.Fatal(err)
				}
				if !o.Fused() {
					b.Fatal("not fused")
				}
				o.Step()
				timeSteps(b, 1000000, o.Step)
			})
		}
	}
}

// factoredCases are this file's cases of fusedCases.
var factoredCases = []string{"adafactor", "adafactor-vec", "adafactor-factored", "adafactor-factored-momentum",
	"adafactor-vec-momentum", "adamw-sn", "adamw-sn-wd", "adamw-sn-vec"}

// TestFactoredFusedSwitchState runs each case for 40 steps on the chain
// only and, beside it, alternating fused and chain steps with the state
// moved into a new optimizer (State, LoadState) at step 20: the two paths
// share the state buffers and their layout, so the runs agree within
// TestFusedMatchesChain's tolerance.
func TestFactoredFusedSwitchState(t *testing.T) {
	const steps, moveAt = 40, 20
	sizes := []int{1, 3, 8, 17, 64, 133, 150}
	for _, name := range factoredCases {
		t.Run(name, func(t *testing.T) {
			mk := fusedCaseByName(t, name)
			pc, pa := newParams(5, sizes...), newParams(5, sizes...)
			oc, err := mk(pc)
			if err != nil {
				t.Fatal(err)
			}
			oa, _ := mk(pa)
			oc.SetFused(false)
			lr := float64(oc.LR()) * fusedStepOf(name)
			for s := 1; s <= steps; s++ {
				fillGrads(pc, 4, s)
				fillGrads(pa, 4, s)
				oa.SetFused(s%2 == 1)
				oc.Step()
				oa.Step()
				if s == moveAt {
					st, err := oa.State()
					if err != nil {
						t.Fatal(err)
					}
					if oa, err = mk(pa); err != nil {
						t.Fatal(err)
					}
					if err := oa.LoadState(st); err != nil {
						t.Fatal(err)
					}
				}
				for i := range pc {
					for j, a := range pa[i].Value.Data() {
						b := pc[i].Value.Data()[j]
						if tol := 4 * float64(s) * (ulp32(b) + ulp32(float32(lr))); math.Abs(float64(a)-float64(b)) > tol {
							t.Fatalf("step %d: %s[%d]: switched %.9g, chain %.9g", s, pa[i].Name, j, a, b)
						}
					}
				}
			}
		})
	}
}

// TestFactoredStepNoAlloc checks that after the first step neither the
// fused path nor the chain of each case allocates.
func TestFactoredStepNoAlloc(t *testing.T) {
	for _, name := range factoredCases {
		for _, fused := range []bool{true, false} {
			ps := newParams(2, 3, 64, 133, 150)
			fillGrads(ps, 2, 1)
			o, err := fusedCaseByName(t, name)(ps)
			if err != nil {
				t.Fatal(err)
			}
			o.SetFused(fused)
			o.Step()
			if n := testing.AllocsPerRun(5, o.Step); n != 0 {
				t.Errorf("%s fused=%v: Step allocates %v times", name, fused, n)
			}
		}
	}
}
