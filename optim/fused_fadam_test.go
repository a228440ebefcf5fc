package optim

import (
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
