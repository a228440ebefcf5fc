package asm

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// poolPlane fills an h×w plane with values chosen so that windows often
// hold ties, −0 against +0, NaNs, infinities and negatives.
func poolPlane(r *rand.Rand, h, w int) []float32 {
	x := make([]float32, h*w)
	for i := range x {
		switch r.IntN(9) {
		case 0:
			x[i] = float32(math.NaN())
		case 1:
			x[i] = 1
		case 2:
			x[i] = float32(math.Copysign(0, -1))
		case 3:
			x[i] = 0
		case 4:
			x[i] = float32(math.Inf(2*r.IntN(2) - 1))
		case 5:
			x[i] = -float32(r.IntN(3))
		default:
			x[i] = float32(r.NormFloat64())
		}
	}
	return x
}

// TestMaxPool2x2Levels checks every level against the reference on
// planes of every size up to 9×70 (odd edges, partial and several
// vectors per row of windows), with guard entries around idx and dst,
// with and without dst.
func TestMaxPool2x2Levels(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(4, 5))
		for h := 0; h <= 9; h++ {
			for w := 0; w <= 70; w++ {
				x := poolPlane(r, h, w)
				x0 := append([]float32(nil), x...)
				n := (h / 2) * (w / 2)
				base := int32(r.IntN(1000))
				want := make([]int32, n)
				maxPool2x2Generic(nil, want, x, h/2, w/2, w, base)
				for _, withDst := range []bool{false, true} {
					buf := make([]int32, n+32)
					vbuf := make([]float32, n+32)
					for i := range buf {
						buf[i], vbuf[i] = -7, -7
					}
					got := buf[16 : 16+n]
					var vals []float32
					if withDst {
						vals = vbuf[16 : 16+n]
					}
					MaxPool2x2(vals, got, x, h, w, base)
					for i := range 16 {
						if buf[i] != -7 || buf[16+n+i] != -7 || vbuf[i] != -7 || vbuf[16+n+i] != -7 {
							t.Fatalf("%d×%d: write outside idx or dst", h, w)
						}
					}
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("%d×%d window %d (dst %v): got %d, want %d", h, w, i, withDst, got[i], want[i])
						}
						if withDst && math.Float32bits(vals[i]) != math.Float32bits(x[want[i]-base]) {
							t.Fatalf("%d×%d window %d: maximum %v, want x[%d] = %v", h, w, i, vals[i], want[i]-base, x[want[i]-base])
						}
					}
				}
				for i := range x {
					if math.Float32bits(x[i]) != math.Float32bits(x0[i]) {
						t.Fatalf("%d×%d: x changed", h, w)
					}
				}
			}
		}
	})
}

// TestMaxPool2x2Rules checks the reference's rules on single
// windows: the first of equal maxima wins, −0 equals +0, NaN beats
// everything and the first NaN wins.
func TestMaxPool2x2Rules(t *testing.T) {
	nan, negz := float32(math.NaN()), float32(math.Copysign(0, -1))
	inf := float32(math.Inf(1))
	for _, c := range []struct {
		win  [4]float32 // top left, top right, bottom left, bottom right
		want int32      // offset in the window: 0, 1, w, w+1 as 0..3
	}{
		{[4]float32{1, 2, 3, 4}, 3},
		{[4]float32{4, 3, 2, 1}, 0},
		{[4]float32{1, 1, 1, 1}, 0},
		{[4]float32{0, 2, 2, 1}, 1},
		{[4]float32{negz, 0, 0, negz}, 0},
		{[4]float32{-1, negz, 0, -2}, 1},
		{[4]float32{inf, nan, 1, 2}, 1},
		{[4]float32{1, 2, nan, nan}, 2},
		{[4]float32{nan, nan, nan, nan}, 0},
		{[4]float32{-3, -2, -1, -4}, 2},
	} {
		x := []float32{c.win[0], c.win[1], c.win[2], c.win[3]}
		off := []int32{0, 1, 2, 3}
		fusedForLevels(t, func(t *testing.T, l Level) {
			idx, val := make([]int32, 1), make([]float32, 1)
			MaxPool2x2(val, idx, x, 2, 2, 10)
			if idx[0] != 10+off[c.want] {
				t.Errorf("window %v: index %d, want %d", c.win, idx[0], 10+off[c.want])
			}
			if math.Float32bits(val[0]) != math.Float32bits(x[c.want]) {
				t.Errorf("window %v: maximum %v, want %v", c.win, val[0], x[c.want])
			}
		})
	}
}

// TestMaxPool2x2Panics checks the argument checks.
func TestMaxPool2x2Panics(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"short x", func() { MaxPool2x2(nil, make([]int32, 1), make([]float32, 3), 2, 2, 0) }},
		{"long idx", func() { MaxPool2x2(nil, make([]int32, 2), make([]float32, 4), 2, 2, 0) }},
		{"short dst", func() { MaxPool2x2(make([]float32, 1), make([]int32, 2), make([]float32, 8), 2, 4, 0) }},
		{"negative h", func() { MaxPool2x2(nil, nil, nil, -2, 0, 0) }},
		{"overflow", func() { MaxPool2x2(nil, make([]int32, 1), make([]float32, 4), 2, 2, math.MaxInt32-3) }},
	} {
		func() {
			defer func() {
				s, _ := recover().(string)
				if !strings.HasPrefix(s, "asm: maxpool2x2:") {
					t.Errorf("%s: panic %q", c.name, s)
				}
			}()
			c.f()
		}()
	}
}

// BenchmarkMaxPool2x2 pools the W2 CNN's second convolution's output
// ([64, 64, 24, 24]) plane by plane, maxima and indices.
func BenchmarkMaxPool2x2(b *testing.B) {
	const planes, h, w = 64 * 64, 24, 24
	x := make([]float32, planes*h*w)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	idx := make([]int32, planes*(h/2)*(w/2))
	val := make([]float32, len(idx))
	for _, l := range Supported() {
		b.Run(l.String(), func(b *testing.B) {
			old := Active()
			SetLevel(l)
			defer SetLevel(old)
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				for p := range planes {
					MaxPool2x2(val[p*144:(p+1)*144], idx[p*144:(p+1)*144], x[p*h*w:(p+1)*h*w], h, w, int32(p*h*w))
				}
			}
		})
	}
}

// TestMaxUnpool2x2Levels checks every level against a direct scatter of
// g at the indices MaxPool2x2 finds, on planes of every size up to 9×70
// filled with garbage first (every element must be written), with guard
// entries around dst, and with some indices moved out of their windows
// (their g is dropped at every level alike).
func TestMaxUnpool2x2Levels(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := rand.New(rand.NewPCG(6, 7))
		for h := 0; h <= 9; h++ {
			for w := 0; w <= 70; w++ {
				oh, ow := h/2, w/2
				x := poolPlane(r, h, w)
				base := int32(r.IntN(1000))
				idx := make([]int32, oh*ow)
				MaxPool2x2(nil, idx, x, h, w, base)
				g := make([]float32, len(idx))
				for i := range g {
					g[i] = float32(r.NormFloat64())
				}
				want := make([]float32, h*w)
				for i, k := range idx {
					want[k-base] = g[i]
				}
				if len(idx) > 2 && w > 3 {
					// Move one index into the next window: its g goes.
					i := r.IntN(len(idx) - 1)
					if (i+1)%ow != 0 {
						want[idx[i]-base] = 0
						idx[i] += 2
					}
				}
				idx0 := append([]int32(nil), idx...)
				buf := make([]float32, h*w+32)
				for i := range buf {
					buf[i] = -7
				}
				dst := buf[16 : 16+h*w]
				MaxUnpool2x2(dst, g, idx, h, w, base)
				for i := range 16 {
					if buf[i] != -7 || buf[16+h*w+i] != -7 {
						t.Fatalf("%d×%d: write outside dst", h, w)
					}
				}
				for i := range want {
					if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%d×%d element %d: got %v, want %v", h, w, i, dst[i], want[i])
					}
				}
				for i := range idx {
					if idx[i] != idx0[i] {
						t.Fatalf("%d×%d: idx changed", h, w)
					}
				}
			}
		}
	})
}

// TestMaxUnpool2x2Panics checks the argument checks.
func TestMaxUnpool2x2Panics(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"short dst", func() { MaxUnpool2x2(make([]float32, 3), make([]float32, 1), make([]int32, 1), 2, 2, 0) }},
		{"long g", func() { MaxUnpool2x2(make([]float32, 4), make([]float32, 2), make([]int32, 1), 2, 2, 0) }},
		{"short idx", func() { MaxUnpool2x2(make([]float32, 8), make([]float32, 2), make([]int32, 1), 2, 4, 0) }},
		{"overflow", func() {
			MaxUnpool2x2(make([]float32, 4), make([]float32, 1), make([]int32, 1), 2, 2, math.MaxInt32-3)
		}},
	} {
		func() {
			defer func() {
				s, _ := recover().(string)
				if !strings.HasPrefix(s, "asm: maxunpool2x2:") {
					t.Errorf("%s: panic %q", c.name, s)
				}
			}()
			c.f()
		}()
	}
}

// BenchmarkMaxUnpool2x2 spreads the gradient of the W2 CNN's pooled
// activation back over [64, 64, 24, 24] plane by plane.
func BenchmarkMaxUnpool2x2(b *testing.B) {
	const planes, h, w = 64 * 64, 24, 24
	x := make([]float32, planes*h*w)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	idx := make([]int32, planes*(h/2)*(w/2))
	g := make([]float32, len(idx))
	for p := range planes {
		MaxPool2x2(g[p*144:(p+1)*144], idx[p*144:(p+1)*144], x[p*h*w:(p+1)*h*w], h, w, int32(p*h*w))
	}
	for _, l := range Supported() {
		b.Run(l.String(), func(b *testing.B) {
			old := Active()
			SetLevel(l)
			defer SetLevel(old)
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				for p := range planes {
					MaxUnpool2x2(x[p*h*w:(p+1)*h*w], g[p*144:(p+1)*144], idx[p*144:(p+1)*144], h, w, int32(p*h*w))
				}
			}
		})
	}
}
