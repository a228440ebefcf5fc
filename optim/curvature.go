package optim

import (
	"fmt"
	"math/rand/v2"

	"github.com/gograd/gograd/tensor"
)

// This file holds what the curvature methods (AdaHessian, Sophia, OASIS,
// PSGD, lazy Newton, SANIA) share: the objective check, the per-step
// random source, Rademacher probes and Hessian-vector products over the
// slots being updated.

// probeRNG is a random source reseeded at every use from (seed, step,
// stream), so a step's probes depend on nothing but those three: a run
// restored with LoadState draws the same probes as the uninterrupted run
// without any random state in the checkpoint.
type probeRNG struct {
	pcg rand.PCG
	r   *rand.Rand
}

func newProbeRNG() *probeRNG {
	p := &probeRNG{}
	p.r = rand.New(&p.pcg)
	return p
}

// at reseeds the source for the given step and stream and returns it.
func (p *probeRNG) at(seed uint64, step int, stream uint64) *rand.Rand {
	p.pcg.Seed(seed, uint64(step)<<8|stream)
	return p.r
}

// rademacher fills z with independent ±1 values.
func rademacher(r *rand.Rand, z []float32) {
	var bits uint64
	left := 0
	for i := range z {
		if left == 0 {
			bits, left = r.Uint64(), 64
		}
		z[i] = float32(int(bits&1)*2 - 1)
		bits >>= 1
		left--
	}
}

// objectiveOf returns the objective of the slots, panicking with a
// message naming the transform if there is none (the optimizer was
// stepped with Step, or the transform was run outside an Optimizer
// without setting Slot.Obj).
func objectiveOf(t Transform, slots []Slot) Objective {
	obj := slots[0].Obj
	for i := range slots {
		if slots[i].Obj == nil || slots[i].Obj != obj {
			panic(fmt.Sprintf("optim: %s: parameter %q: no objective: step with StepWith", t.Name(), slots[i].Name))
		}
	}
	return obj
}

// shapeOf returns the parameter's shape, or [len(U)] when the slot does
// not carry one.
func shapeOf(s *Slot) []int {
	if s.Shape == nil {
		return []int{len(s.U)}
	}
	return s.Shape
}

// hvpSlots returns H·v for the slots' parameters: v[i] is the direction
// on slots[i]'s parameter (the other parameters of the objective get
// zero), and the result's element i is (H·v) on that parameter, a new
// slice of len(slots[i].U). One call of obj.HVP.
func hvpSlots(t Transform, obj Objective, slots []Slot, v [][]float32) [][]float32 {
	ps := obj.Params()
	vt := make([]*tensor.Tensor, len(ps))
	for i := range slots {
		s := &slots[i]
		if s.Index < 0 || s.Index >= len(ps) {
			panic(fmt.Sprintf("optim: %s: parameter %q: index %d outside the objective's %d parameters", t.Name(), s.Name, s.Index, len(ps)))
		}
		vt[s.Index] = tensor.FromSlice(v[i], shapeOf(s)...)
	}
	hv := obj.HVP(vt)
	out := make([][]float32, len(slots))
	for i := range slots {
		d := hv[slots[i].Index].Contiguous().Data()
		if len(d) != len(slots[i].U) {
			panic(fmt.Sprintf("optim: %s: parameter %q: hvp has %d elements, want %d", t.Name(), slots[i].Name, len(d), len(slots[i].U)))
		}
		out[i] = d
	}
	return out
}

// hutchinson draws a Rademacher z over the slots' parameters from r and
// returns z and H·z, per slot. E[z ⊙ Hz] = diag(H), exactly so for a
// diagonal H.
func hutchinson(t Transform, obj Objective, slots []Slot, r *rand.Rand) (z, hz [][]float32) {
	z = make([][]float32, len(slots))
	for i := range slots {
		z[i] = make([]float32, len(slots[i].U))
		rademacher(r, z[i])
	}
	return z, hvpSlots(t, obj, slots, z)
}

// scalarShapes returns shape for each of the first k buffers and [1]
// for the rest, the layout of a transform with k parameter-shaped
// buffers followed by scalars.
func scalarShapes(shape []int, k, scalars int) [][]int {
	out := make([][]int, k+scalars)
	for i := range out {
		if i < k {
			out[i] = shape
		} else {
			out[i] = []int{1}
		}
	}
	return out
}

// initScalars returns zeroed state for scalarShapes(shape, k, scalars).
func initScalars(shape []int, k, scalars int) [][]float32 {
	n := numel(shape)
	st := zeros(k, n)
	for range scalars {
		st = append(st, make([]float32, 1))
	}
	return st
}

// checkState panics with a state mismatch unless s carries exactly the
// buffers of lengths want.
func checkState(t Transform, s *Slot, want ...int) [][]float32 {
	st := s.State()
	if len(st) != len(want) {
		stateMismatch(t.Name(), s, "%d state buffers, want %d %v", len(st), len(want), t.StateNames())
	}
	if len(s.P) != len(s.U) {
		stateMismatch(t.Name(), s, "len(P) = %d, len(U) = %d", len(s.P), len(s.U))
	}
	for k, b := range st {
		if len(b) != want[k] {
			stateMismatch(t.Name(), s, "buffer %q has %d elements, want %d", t.StateNames()[k], len(b), want[k])
		}
	}
	return st
}
