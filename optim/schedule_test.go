package optim

import (
	"math"
	"testing"
)

func TestSchedules(t *testing.T) {
	cos := func(peak, min, x float64) float64 { return min + (peak-min)*0.5*(1+math.Cos(math.Pi*x)) }
	for _, tc := range []struct {
		name string
		s    Schedule
		at   []int
		want func(t int) float64
	}{
		{"constant", Constant(0.1), []int{0, 1, 1000}, func(int) float64 { return 0.1 }},
		{"steplr", StepLR(0.1, 0.5, 10), []int{0, 9, 10, 25, 30},
			func(t int) float64 { return 0.1 * math.Pow(0.5, math.Floor(float64(t)/10)) }},
		{"cosine", Cosine(1, 100, 0.1), []int{0, 25, 50, 99, 100, 150},
			func(t int) float64 { return cos(1, 0.1, math.Min(float64(t), 100)/100) }},
		{"warmup-cosine", LinearWarmup(0, 10, Cosine(1, 90, 0)), []int{0, 5, 10, 55, 100, 200},
			func(t int) float64 {
				if t < 10 {
					return float64(t) / 10
				}
				return cos(1, 0, math.Min(float64(t-10), 90)/90)
			}},
		{"sgdr", SGDR(1, 10, 2, 0.1), []int{0, 5, 9, 10, 20, 29, 30, 70},
			func(t int) float64 {
				// Cycles [0,10), [10,30), [30,70), [70,150).
				switch {
				case t < 10:
					return cos(1, 0.1, float64(t)/10)
				case t < 30:
					return cos(1, 0.1, float64(t-10)/20)
				case t < 70:
					return cos(1, 0.1, float64(t-30)/40)
				}
				return cos(1, 0.1, float64(t-70)/80)
			}},
		{"sgdr-tmult1", SGDR(0.5, 4, 1, 0), []int{0, 3, 4, 6, 8},
			func(t int) float64 { return cos(0.5, 0, float64(t%4)/4) }},
	} {
		for _, step := range tc.at {
			if got, want := tc.s.LR(step), tc.want(step); !near(float64(got), want, 1e-6, 1e-7) {
				t.Errorf("%s: LR(%d) = %.9g, want %.9g", tc.name, step, got, want)
			}
		}
	}
}

// TestScheduleProperties checks METHODS 3.1/3.2: η_W = η_peak, η_T =
// η_end, monotone phases; SGDR restarts at max with cycle lengths
// T0·Tmult^i.
func TestScheduleProperties(t *testing.T) {
	const W, T = 20, 200
	s := LinearWarmup(0.01, W, Cosine(1, T-W, 0.05))
	if s.LR(W) != 1 || s.LR(T) != 0.05 {
		t.Errorf("η_W = %v, η_T = %v", s.LR(W), s.LR(T))
	}
	for i := 1; i <= T; i++ {
		if i <= W && s.LR(i) < s.LR(i-1) || i > W && s.LR(i) > s.LR(i-1) {
			t.Fatalf("not monotone at %d", i)
		}
	}
	r := SGDR(2, 3, 3, 0)
	var restarts []int
	for i := 0; i < 200; i++ {
		if r.LR(i) == 2 {
			restarts = append(restarts, i)
		}
	}
	if want := []int{0, 3, 12, 39, 120}; len(restarts) != len(want) {
		t.Fatalf("restarts at %v, want %v", restarts, want)
	} else {
		for i := range want {
			if restarts[i] != want[i] {
				t.Fatalf("restarts at %v, want %v", restarts, want)
			}
		}
	}
	mustPanic(t, func() { SGDR(1, 0, 2, 0) })
	mustPanic(t, func() { Cosine(1, 0, 0) })
	mustPanic(t, func() { StepLR(1, 0.5, 0) })
	mustPanic(t, func() { LinearWarmup(0, -1, Constant(1)) })
}
