package optim

import (
	"errors"
	"fmt"
	"strings"
)

// PolyAverage returns the polynomial-decay iterate averaging of DoG
// (METHODS 3.3; formll/dog averager.py), as the last transform of a
// chain: it leaves u unchanged and updates the average x̄ of the iterate
// the step produces, θ_t = θ − u:
//
//	w_t = (1+γ)/(t+γ)
//	x̄_t = (1 − w_t)·x̄_{t−1} + w_t·θ_t
//
// with t the parameter's Step (so x̄_1 = θ_1; γ = 0 is the uniform
// average). The state is "poly_avg" (x̄). Training continues from θ; the
// average is the point to evaluate: see SwapAveraged. The caller
// validates γ ≥ 0.
func PolyAverage(gamma float64) Transform { return &polyAverage{gamma: gamma} }

type polyAverage struct{ gamma float64 }

// polyAvgName is the state name SwapAveraged looks for.
const polyAvgName = "poly_avg"

var polyAvgState = []string{polyAvgName}

func (*polyAverage) Name() string           { return "poly_average" }
func (*polyAverage) StateNames() []string   { return polyAvgState }
func (*polyAverage) Init(n int) [][]float32 { return zeros(1, n) }

func (t *polyAverage) Update(slots []Slot) {
	for i := range slots {
		s := &slots[i]
		avg := stateOf(t, s, 1)[0][:len(s.U)]
		w := (1 + t.gamma) / (float64(s.Step) + t.gamma)
		w32, omw := float32(w), float32(1-w)
		p, u := s.P[:len(s.U)], s.U
		for j := range avg {
			avg[j] = omw*avg[j] + w32*(p[j]-u[j])
		}
	}
}

// ErrNoAverage is returned by SwapAveraged for an optimizer without
// iterate averaging.
var ErrNoAverage = errors.New("optim: swapaveraged: the optimizer keeps no averaged iterate (poly_avg)")

// SwapAveraged exchanges every parameter's values with its averaged
// iterate x̄ (the PolyAverage state, e.g. of NewDoG), in place. Call it
// before evaluating and again afterwards to resume training from θ:
//
//	optim.SwapAveraged(o)   // parameters now hold x̄
//	ev := nn.Evaluate(model, batches)
//	optim.SwapAveraged(o)   // back to θ
//
// Parameters not yet updated (no state) are left as they are. It returns
// ErrNoAverage if the optimizer's transform has no "poly_avg" state.
func SwapAveraged(o *Optimizer) error {
	k := -1
	for i, n := range o.tr.StateNames() {
		if n == polyAvgName || strings.HasSuffix(n, "."+polyAvgName) {
			if k >= 0 {
				return fmt.Errorf("optim: %s: swapaveraged: two averaged iterates in %v", o.name, o.tr.StateNames())
			}
			k = i
		}
	}
	if k < 0 {
		return ErrNoAverage
	}
	for gi, g := range o.groups {
		for j, p := range g.Params {
			ps := o.states[gi][j]
			if ps == nil {
				continue
			}
			v, avg := p.Value.Data(), ps.bufs[k]
			for e := range v {
				v[e], avg[e] = avg[e], v[e]
			}
		}
	}
	return nil
}
