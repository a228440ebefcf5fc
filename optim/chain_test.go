package optim

import (
	"math"
	"strings"
	"testing"
)

func TestChainStateNames(t *testing.T) {
	c := Chain(Trace(0.9, 0, false), ScaleByAdam(0.9, 0.999, 1e-8), Chain(Trace(0.5, 0, true)), ScaleByLR())
	got := strings.Join(c.StateNames(), " ")
	if want := "0.momentum_buffer exp_avg exp_avg_sq 2.momentum_buffer"; got != want {
		t.Fatalf("StateNames() = %q, want %q", got, want)
	}
	st := c.Init(5)
	if len(st) != 4 || len(st[3]) != 5 {
		t.Fatalf("Init(5) = %d buffers", len(st))
	}
	if c.Name() != "chain(trace, scale_by_adam, chain(trace), scale_by_lr)" {
		t.Fatal(c.Name())
	}
}

// TestChainStateMismatch: a slot whose state was made by another chain
// fails loudly, naming the transform and the parameter.
func TestChainStateMismatch(t *testing.T) {
	a := Chain(ScaleByAdam(0.9, 0.999, 1e-8), ScaleByLR())
	b := Chain(Trace(0.9, 0, false), ScaleByLR())
	u, p := make([]float32, 3), make([]float32, 3)
	slots := []Slot{NewSlot("w", u, p, b.Init(3), 1, 0.1, 0)}
	msg := mustPanic(t, func() { a.Update(slots) })
	if want := `optim: chain(scale_by_adam, scale_by_lr): parameter "w": state mismatch: 1 state buffers, want 2 [exp_avg exp_avg_sq]`; msg != want {
		t.Fatalf("panic %q, want %q", msg, want)
	}
	// Right count, wrong length.
	slots = []Slot{NewSlot("w", u, p, ScaleByAdam(0.9, 0.999, 1e-8).Init(4), 1, 0.1, 0)}
	msg = mustPanic(t, func() { a.Update(slots) })
	if !strings.Contains(msg, `optim: scale_by_adam: parameter "w": state mismatch: buffer "exp_avg" has 4 elements, want 3`) {
		t.Fatalf("panic %q", msg)
	}
	// A chain restores the slots' state windows after running.
	slots = []Slot{NewSlot("w", u, p, a.Init(3), 1, 0.1, 0)}
	a.Update(slots)
	if len(slots[0].State()) != 2 {
		t.Fatal("chain did not restore the slot's state window")
	}
	mustPanic(t, func() { Chain(nil) })
}

// TestLionMovesByLR checks METHODS 1.6 (i): with λ = 0 every coordinate
// with c ≠ 0 moves by exactly η.
func TestLionMovesByLR(t *testing.T) {
	for _, fused := range []bool{true, false} {
		ps := newParams(5, 100)
		for j, x := range ps[0].Value.Data() { // multiples of η: θ ± η is exact
			ps[0].Value.Data()[j] = float32(math.Round(float64(x)*8)) / 8
		}
		o, _ := NewLion(ps, LionConfig{LR: 0.125, Beta1: 0.9, Beta2: 0.99})
		o.SetFused(fused)
		for s := range 5 {
			fillGrads(ps, 1, s)
			before := ps[0].Value.Clone()
			o.Step()
			for j, x := range ps[0].Value.Data() {
				if d := x - before.Data()[j]; d != 0.125 && d != -0.125 {
					t.Fatalf("fused=%v: moved by %g", fused, d)
				}
			}
		}
	}
}
