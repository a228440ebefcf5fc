package optim

import (
	"math"
	"testing"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// The fused SGDM-RS and Gravity paths (whole-parameter kernels) join
// TestFusedMatchesChain, TestStateRoundTrip, the allocation test and
// BenchmarkStep: with and without weight decay and random scaling, and
// Gravity with its defaults and with another α, β and seed.
func init() {
	fusedCases = append(fusedCases, []struct {
		name string
		mk   func([]*autodiff.Var) (*Optimizer, error)
	}{
		{"sgdm-rs", func(ps []*autodiff.Var) (*Optimizer, error) { return NewSGDMRS(ps, DefaultSGDMRS()) }},
		{"sgdm-rs-wd-mu", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewSGDMRS(ps, SGDMRSConfig{LR: 0.01, Beta: 0.95, Mu: 0.5, WeightDecay: 0.1, RandomScaling: true, Seed: 7})
		}},
		{"sgdm-rs-det-wd", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewSGDMRS(ps, SGDMRSConfig{LR: 0.05, Beta: 0.9, WeightDecay: 0.01})
		}},
		{"gravity", func(ps []*autodiff.Var) (*Optimizer, error) { return NewGravity(ps, DefaultGravity()) }},
		{"gravity-alpha-beta", func(ps []*autodiff.Var) (*Optimizer, error) {
			return NewGravity(ps, GravityConfig{LR: 0.05, Alpha: 0.1, Beta: 0.5, Seed: 3})
		}},
	}...)
}

// sgdmrsGravityCases are this file's cases of fusedCases.
func sgdmrsGravityCases() []string {
	return []string{"sgdm-rs", "sgdm-rs-wd-mu", "sgdm-rs-det-wd", "gravity", "gravity-alpha-beta"}
}

// fusedCaseByName returns the constructor of the fusedCases entry name.
func fusedCaseByName(t *testing.T, name string) func([]*autodiff.Var) (*Optimizer, error) {
	t.Helper()
	for _, tc := range fusedCases {
		if tc.name == name {
			return tc.mk
		}
	}
	t.Fatalf("no fused case %q", name)
	return nil
}

// TestSGDMRSGravityFusedBitExact runs each case's fused path and its chain
// for 60 steps, with paths switched and the state carried across:
//
//   - a second parameter group with its own η and λ;
//   - a parameter without gradient for the first 5 steps, so that its
//     step count lags the others' (SGDM-RS draws s from the largest) and
//     Gravity draws its v₀ at step 6 with its own index;
//   - the learning rate changing every step (Cosine), which SGDM-RS's
//     factor β/(1+η·μ) and Gravity's v₀ read;
//   - one run on the chain only, one that alternates fused and chain
//     steps and moves its state into a new optimizer (LoadState) at step
//     30.
//
// The kernels round every operation as the chains do, so the runs must
// agree bit for bit. The exception is the generic level with weight
// decay: there Axpy rounds λ·θ before adding it and the reference of the
// kernel fuses the two, and TestFusedMatchesChain's tolerance applies.
func TestSGDMRSGravityFusedBitExact(t *testing.T) {
	const steps, moveAt = 60, 30
	for _, name := range sgdmrsGravityCases() {
		t.Run(name, func(t *testing.T) {
			mk := fusedCaseByName(t, name)
			build := func(ps []*autodiff.Var) *Optimizer {
				o, err := mk(ps[:3])
				if err != nil {
					t.Fatal(err)
				}
				if err := o.AddParamGroup(ps[3:], WithLR(0.5*o.LR()), WithWeightDecay(0)); err != nil {
					t.Fatal(err)
				}
				return o
			}
			pc := newParams(21, 1, 33, 1000, 17, 4099)
			pf := cloneParams(pc)
			oc, of := build(pc), build(pf)
			if oc.SetFused(false) || !of.Fused() {
				t.Fatal("fused/chain selection")
			}
			if asm.Active() == asm.Generic && oc.Groups()[0].WeightDecay != 0 {
				t.Skip("generic Axpy: λ·θ rounded apart (see TestFusedMatchesChain)")
			}
			sched := Cosine(oc.LR(), steps, 0)
			lr0 := oc.LR()
			run := func(o *Optimizer, ps []*autodiff.Var, s int) {
				live := ps
				if s <= 5 {
					ps[1].Grad = nil
					live = append([]*autodiff.Var{ps[0]}, ps[2:]...)
				} else if ps[1].Grad == nil {
					ps[1].Grad = tensor.New(33)
				}
				fillGrads(live, 4, s)
				o.SetLR(max(sched.LR(s-1), 0.01*lr0))
				o.Step()
			}
			for s := 1; s <= steps; s++ {
				run(oc, pc, s)
				of.SetFused(s%3 != 2) // fused at steps 1 and 6 (first steps: v₀)
				run(of, pf, s)
				if s == moveAt {
					st, err := of.State()
					if err != nil {
						t.Fatal(err)
					}
					of = build(pf)
					if err := of.LoadState(st); err != nil {
						t.Fatal(err)
					}
				}
				for i := range pc {
					for j, a := range pf[i].Value.Data() {
						if b := pc[i].Value.Data()[j]; math.Float32bits(a) != math.Float32bits(b) {
							t.Fatalf("step %d: %s[%d]: fused/alternating %v, chain %v", s, pf[i].Name, j, a, b)
						}
					}
				}
			}
		})
	}
}

// TestSGDMRSGravityFusedOnly checks that the fused path alone (no chain
// step in between) matches the chain bit for bit over 40 steps on one
// group, under the conditions of TestSGDMRSGravityFusedBitExact.
func TestSGDMRSGravityFusedOnly(t *testing.T) {
	for _, name := range sgdmrsGravityCases() {
		t.Run(name, func(t *testing.T) {
			mk := fusedCaseByName(t, name)
			pc := newParams(23, 5, 64, 1001)
			pf := cloneParams(pc)
			oc, _ := mk(pc)
			of, _ := mk(pf)
			oc.SetFused(false)
			if asm.Active() == asm.Generic && oc.Groups()[0].WeightDecay != 0 {
				t.Skip("generic Axpy: λ·θ rounded apart (see TestFusedMatchesChain)")
			}
			for s := 1; s <= 40; s++ {
				fillGrads(pc, 6, s)
				fillGrads(pf, 6, s)
				oc.Step()
				of.Step()
			}
			for i := range pc {
				for j, a := range pf[i].Value.Data() {
					if b := pc[i].Value.Data()[j]; math.Float32bits(a) != math.Float32bits(b) {
						t.Fatalf("%s[%d]: fused %v, chain %v", pf[i].Name, j, a, b)
					}
				}
			}
		})
	}
}
