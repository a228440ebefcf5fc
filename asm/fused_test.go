package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Shared helpers of the fused-optimizer and elementwise tests (prefix
// fused, to stay clear of the other kernels' test helpers).

// fusedU is the unit roundoff of float32, 2^-24 (half an ulp at 1).
const fusedU = 1.0 / (1 << 24)

// fusedMinNormal is the smallest normal float32, 2^-126.
const fusedMinNormal = 0x1p-126

// fusedGuardN is the number of guard elements on each side of a slice.
const fusedGuardN = 8

// fusedGuardBits is the NaN pattern written to guard bands; a kernel that
// writes outside its slice changes it.
const fusedGuardBits = 0x7fc0dead

// fusedForLevels runs f as a subtest at every supported level, restoring
// the active level afterwards.
func fusedForLevels(t *testing.T, f func(t *testing.T, l Level)) {
	t.Helper()
	old := Active()
	defer SetLevel(old)
	for _, l := range Supported() {
		if got := SetLevel(l); got != l {
			t.Fatalf("SetLevel(%v) = %v", l, got)
		}
		t.Run(l.String(), func(t *testing.T) { f(t, l) })
	}
}

// fusedCase is a slice length and a start offset into a larger buffer.
type fusedCase struct{ n, off int }

// fusedCases lists lengths 0..64 at offsets 0..7, large odd lengths at
// several offsets.
func fusedCases(short bool) []fusedCase {
	var cs []fusedCase
	for n := 0; n <= 64; n++ {
		for off := 0; off < 8; off++ {
			cs = append(cs, fusedCase{n, off})
		}
	}
	for _, n := range []int{1000, 4099} {
		for off := 0; off < 8; off++ {
			cs = append(cs, fusedCase{n, off})
		}
	}
	if !short {
		cs = append(cs, fusedCase{100003, 0}, fusedCase{100003, 5})
	}
	return cs
}

// fusedBuf is a slice of length hi-lo inside all, surrounded by NaN guard
// bands.
type fusedBuf struct {
	all    []float32
	lo, hi int
}

func fusedNewBuf(n, off int) fusedBuf {
	all := make([]float32, fusedGuardN+off+n+fusedGuardN)
	for i := range all {
		all[i] = math.Float32frombits(fusedGuardBits)
	}
	lo := fusedGuardN + off
	return fusedBuf{all, lo, lo + n}
}

// s returns the slice under test (capacity cut at its length).
func (b fusedBuf) s() []float32 { return b.all[b.lo:b.hi:b.hi] }

// fill sets the slice to values drawn by f.
func (b fusedBuf) fill(f func() float32) fusedBuf {
	s := b.s()
	for i := range s {
		s[i] = f()
	}
	return b
}

// copy returns an independent copy of the slice's values.
func (b fusedBuf) copy() []float32 { return append([]float32(nil), b.s()...) }

// checkGuards reports any guard element that is no longer the guard NaN.
func (b fusedBuf) checkGuards(t *testing.T, name string) {
	t.Helper()
	for i, x := range b.all {
		if (i < b.lo || i >= b.hi) && math.Float32bits(x) != fusedGuardBits {
			t.Errorf("%s: guard element %d (slice is [%d,%d)) overwritten with %v", name, i, b.lo, b.hi, x)
			return
		}
	}
}

// checkUnchanged reports a read-only input that the kernel modified.
func (b fusedBuf) checkUnchanged(t *testing.T, name string, want []float32) {
	t.Helper()
	b.checkGuards(t, name)
	for i, x := range b.s() {
		if math.Float32bits(x) != math.Float32bits(want[i]) {
			t.Errorf("%s: read-only input changed at %d: %v, was %v", name, i, x, want[i])
			return
		}
	}
}

// fusedUniform returns a generator of values uniform in [lo, hi).
func fusedUniform(r *rand.Rand, lo, hi float64) func() float32 {
	return func() float32 { return float32(lo + (hi-lo)*r.Float64()) }
}

// fusedClose reports whether got is within tol of want, treating two NaNs
// as equal and requiring infinities to match exactly.
func fusedClose(got, want float32, tol float64) bool {
	g, w := float64(got), float64(want)
	switch {
	case math.IsNaN(w) || math.IsNaN(g):
		return math.IsNaN(w) && math.IsNaN(g)
	case math.IsInf(w, 0) || math.IsInf(g, 0):
		return g == w
	}
	return math.Abs(g-w) <= tol
}

// fusedIsSubnormal reports whether x is a nonzero subnormal.
func fusedIsSubnormal(x float32) bool {
	return x != 0 && math.Float32bits(x)&0x7f800000 == 0
}

// fusedExpectPanic runs f and checks that it panics with a string starting
// with prefix.
func fusedExpectPanic(t *testing.T, prefix string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		s, ok := r.(string)
		if !ok || len(s) < len(prefix) || s[:len(prefix)] != prefix {
			t.Errorf("panic %v, want a string starting %q", r, prefix)
		}
	}()
	f()
}
