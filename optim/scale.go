package optim

import "github.com/gograd/gograd/asm"

// ScaleByLR returns the last transform of an optimizer chain:
//
//	u ← η·u
//
// with η the LR of each parameter's group (so Optimizer.SetLR and
// schedules act on it). The Optimizer then applies θ ← θ − u: ScaleByLR
// multiplies by +η and the subtraction happens once, in Optimizer.Step.
func ScaleByLR() Transform { return scaleByLR{} }

type scaleByLR struct{}

func (scaleByLR) Name() string           { return "scale_by_lr" }
func (scaleByLR) StateNames() []string   { return nil }
func (scaleByLR) Init(n int) [][]float32 { return nil }
func (t scaleByLR) Update(slots []Slot) {
	for i := range slots {
		s := &slots[i]
		stateOf(t, s, 0)
		asm.Scale(s.U, s.LR)
	}
}

// AddDecayedWeights returns the transform
//
//	u ← u + λ·θ
//
// with λ the WeightDecay of each parameter's group. Placed before a
// scaling transform (ScaleByAdam, Trace) it is an L2 penalty added to the
// gradient (torch's Adam and SGD weight_decay); placed after it, just
// before ScaleByLR, it is decoupled weight decay, θ ← θ − η·(u + λ·θ)
// (AdamW, Lion; optax's add_decayed_weights). λ = 0 leaves u unchanged.
func AddDecayedWeights() Transform { return addDecayedWeights{} }

type addDecayedWeights struct{}

func (addDecayedWeights) Name() string           { return "add_decayed_weights" }
func (addDecayedWeights) StateNames() []string   { return nil }
func (addDecayedWeights) Init(n int) [][]float32 { return nil }
func (t addDecayedWeights) Update(slots []Slot) {
	for i := range slots {
		s := &slots[i]
		stateOf(t, s, 0)
		if s.WeightDecay != 0 {
			asm.Axpy(s.U, s.WeightDecay, s.P)
		}
	}
}
