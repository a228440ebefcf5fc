package optim

import (
	"math"
	"testing"

	"github.com/gograd/gograd/autodiff"
)

// FAdam's fused step (asm.FAdamStep, p = 0.5) joins the fused-vs-chain,
// state and benchmark tables: the defaults, and a case with weight decay
// 0.3 and clip c = 0.5 (so both clips act and differ from
// pytorch_optimizer's max(1, RMS)/c).
func init() {
	fusedCases = append(fusedCases, []struct {
		name string
		mk   func([]*autodiff.Var) (*Optimizer, error)
	}{
		{"fadam", func(ps []*autodiff.Var) (*Optimizer, error) { return NewFAdam(ps, DefaultFAdam()) }},
		{"fadam-wd-clip", func(ps []*autodiff.Var) (*Optimizer, error) {
			c := DefaultFAdam()
			c.LR, c.WeightDecay, c.Clip = 3e-3, 0.3, 0.5
			return NewFAdam(ps, c)
		}},
	}...)
}

// TestFAdamFusedOnlyForSqrt checks that p = 0.5 selects the fused step and
// any other p the chain alone.
func TestFAdamFusedOnlyForSqrt(t *testing.T) {
	for _, tc := range []struct {
		p     float64
		fused bool
	}{{0.5, true}, {0.25, false}, {1, false}} {
		c := DefaultFAdam()
		c.P = tc.p
		o, err := NewFAdam(newParams(1, 4), c)
		if err != nil {
			t.Fatal(err)
		}
		if o.Fused() != tc.fused {
			t.Errorf("p = %v: Fused() = %v, want %v", tc.p, o.Fused(), tc.fused)
		}
	}
}

// TestFAdamFusedScratchOrNot runs the fused step with the reciprocals in
// the scratch and recomputed (fadamScratchMax = 0) side by side for 20
// steps: θ and the state must agree bit for bit.
func TestFAdamFusedScratchOrNot(t *testing.T) {
	sizes := []int{1, 17, 64, 133, 1000}
	pa := newParams(5, sizes...)
	pb := cloneParams(pa)
	c := DefaultFAdam()
	c.WeightDecay, c.Clip = 0.2, 0.7
	oa, _ := NewFAdam(pa, c)
	ob, _ := NewFAdam(pb, c)
	defer func(v int) { fadamScratchMax = v }(fadamScratchMax)
	for s := 1; s <= 20; s++ {
		fillGrads(pa, 4, s)
		fillGrads(pb, 4, s)
		fadamScratchMax = 1 << 30
		oa.Step()
		fadamScratchMax = 0
		ob.Step()
		sa, _ := oa.State()
		sb, _ := ob.State()
		for i := range pa {
			for j, x := range pa[i].Value.Data() {
				if y := pb[i].Value.Data()[j]; math.Float32bits(x) != math.Float32bits(y) {
					t.Fatalf("step %d: %s[%d]: scratch %v, recomputed %v", s, pa[i].Name, j, x, y)
				}
			}
		}
		for k, v := range sa {
			for j, x := range v.Data() {
				if y := sb[k].Data()[j]; math.Float32bits(x) != math.Float32bits(y) {
					t.Fatalf("step %d: %s[%d]: scratch %v, recomputed %v", s, k, j, x, y)
				}
			}
		}
	}
}
