package optim

import (
	"fmt"
	"math"
)

// Schedule gives the learning rate for step t = 0, 1, 2, …, the number of
// updates already made (optax's count). Use it between steps:
//
//	o.SetLR(s.LR(o.Steps()))
//	o.Step()
//
// Schedules are pure functions of t and compose (LinearWarmup wraps
// another). They compute in float64 and round once.
type Schedule func(t int) float32

// LR returns the learning rate at step t.
func (s Schedule) LR(t int) float32 { return s(t) }

// Constant returns the schedule η_t = lr.
func Constant(lr float32) Schedule { return func(int) float32 { return lr } }

// StepLR returns torch's StepLR schedule:
//
//	η_t = lr · γ^⌊t/every⌋
//
// It panics if every < 1 or γ is negative or NaN.
func StepLR(lr float32, gamma float64, every int) Schedule {
	if every < 1 || !(gamma >= 0) {
		panic(fmt.Sprintf("optim: steplr: invalid every %d or gamma %v", every, gamma))
	}
	return func(t int) float32 {
		return float32(float64(lr) * math.Pow(gamma, float64(max(t, 0)/every)))
	}
}

// Cosine returns cosine decay from peak to min over total steps (optax
// cosine_decay_schedule, torch CosineAnnealingLR without restarts):
//
//	η_t = min + (peak − min) · ½(1 + cos(π·min(t, T)/T))
//
// with T = total, so η_0 = peak and η_t = min for t ≥ T. It panics if
// total < 1.
func Cosine(peak float32, total int, min float32) Schedule {
	if total < 1 {
		panic(fmt.Sprintf("optim: cosine: invalid total %d", total))
	}
	return func(t int) float32 {
		return cosine(float64(peak), float64(min), float64(clampInt(t, 0, total))/float64(total))
	}
}

// LinearWarmup returns a linear warm-up from init to then's first value
// over warm steps, followed by then shifted by warm steps (METHODS 3.1):
//
//	t < W:   η_t = init + (then(0) − init)·t/W
//	t ≥ W:   η_t = then(t − W)
//
// LinearWarmup(0, W, Cosine(peak, T−W, end)) is optax's
// warmup_cosine_decay_schedule with decay_steps T. It panics if warm < 0
// or then is nil.
func LinearWarmup(init float32, warm int, then Schedule) Schedule {
	if warm < 0 || then == nil {
		panic(fmt.Sprintf("optim: linearwarmup: invalid warm %d or nil schedule", warm))
	}
	peak := float64(then(0))
	return func(t int) float32 {
		if t >= warm {
			return then(t - warm)
		}
		t = max(t, 0)
		return float32(float64(init) + (peak-float64(init))*float64(t)/float64(warm))
	}
}

// SGDR returns cosine annealing with warm restarts (Loshchilov & Hutter,
// "SGDR"; torch CosineAnnealingWarmRestarts), counted in steps: cycle i
// lasts T_i = T0·Tmult^i steps, and within it
//
//	η_t = min + (max − min) · ½(1 + cos(π·T_cur/T_i))
//
// where T_cur is the number of steps since the cycle began; at T_cur = T_i
// the schedule restarts at max. It panics if t0 < 1 or tmult < 1.
func SGDR(max float32, t0, tmult int, min float32) Schedule {
	if t0 < 1 || tmult < 1 {
		panic(fmt.Sprintf("optim: sgdr: invalid t0 %d or tmult %d", t0, tmult))
	}
	return func(t int) float32 {
		cur, ti := clampInt(t, 0, math.MaxInt), t0
		if tmult == 1 {
			cur %= t0
		} else {
			for cur >= ti {
				cur -= ti
				ti *= tmult
			}
		}
		return cosine(float64(max), float64(min), float64(cur)/float64(ti))
	}
}

// cosine returns min + (peak−min)·½(1+cos(π·x)) rounded to float32.
func cosine(peak, min, x float64) float32 {
	return float32(min + (peak-min)*0.5*(1+math.Cos(math.Pi*x)))
}

func clampInt(x, lo, hi int) int {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}
