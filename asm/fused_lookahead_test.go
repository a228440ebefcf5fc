package asm

import (
	"math"
	"testing"
)

// lookaheadAlphas are the α the level tests run (0 and 1 included).
var lookaheadAlphas = []float64{0.5, 0.8, 0.1, 0, 1, 1.0 / 3}

// TestLookaheadSyncLevels runs LookaheadSync at every level against the
// reference, bit for bit (NaN payloads aside), over lengths 0..64 and large odd lengths at
// every offset, with NaN guard bands and special values.
func TestLookaheadSyncLevels(t *testing.T) {
	names := []string{"p", "slow"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(41, 42)
		for _, alpha := range lookaheadAlphas {
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, clampGen(r), clampGen(r))
				in := zooCopies(bufs)
				pr, sr := zooClone(in[0]), zooClone(in[1])
				lookaheadSyncGeneric(pr, sr, float32(alpha), float32(1-alpha))
				LookaheadSync(bufs[0].s(), bufs[1].s(), alpha)
				zooCheckGuards(t, names, bufs, in)
				i, okp := sameValues(bufs[0].s(), pr)
				j, oks := sameValues(bufs[1].s(), sr)
				if !okp || !oks {
					t.Fatalf("α=%v n=%d off=%d: p[%d] or slow[%d] differs from the reference: in %v %v, got %v %v, generic %v %v", alpha, c.n, c.off, i, j,
						in[0][max(i, j)], in[1][max(i, j)], bufs[0].s()[max(i, j)], bufs[1].s()[max(i, j)], pr[max(i, j)], sr[max(i, j)])
				}
				if i, ok := sameValues(bufs[0].s(), bufs[1].s()); !ok {
					t.Fatalf("α=%v n=%d off=%d [%d]: p %v ≠ slow %v after the sync", alpha, c.n, c.off, i, bufs[0].s()[i], bufs[1].s()[i])
				}
			}
		}
	})
}

// TestLookaheadSyncHand checks LookaheadSync against float64 arithmetic
// (METHODS 4.2: φ ← φ + α(θ − φ), θ ← φ) to within two roundings, and
// the length check.
func TestLookaheadSyncHand(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		for _, n := range []int{3, 8, 16, 19, 37} {
			p, s := make([]float32, n), make([]float32, n)
			for i := range p {
				p[i], s[i] = float32(i)*0.37-2, 1-float32(i)*0.11
			}
			p0, s0 := zooClone(p), zooClone(s)
			const alpha = 0.3
			LookaheadSync(p, s, alpha)
			for i := range p {
				want := float64(s0[i]) + alpha*(float64(p0[i])-float64(s0[i]))
				tol := 2 * fusedU * (math.Abs((1-alpha)*float64(s0[i])) + math.Abs(alpha*float64(p0[i])) + math.Abs(want))
				if math.Abs(float64(s[i])-want) > tol || p[i] != s[i] {
					t.Fatalf("n=%d [%d]: p, slow = %v %v; float64 %v", n, i, p[i], s[i], want)
				}
			}
		}
	})
	fusedExpectPanic(t, "asm: lookahead: length mismatch", func() {
		LookaheadSync(make([]float32, 2), make([]float32, 3), 0.5)
	})
}

// FuzzLookaheadSync compares LookaheadSync at every supported level with
// the reference, bit for bit (NaN payloads aside), on fuzzed values (any bits), lengths and α.
func FuzzLookaheadSync(f *testing.F) {
	seed := make([]byte, 8*37)
	for i := range seed {
		seed[i] = byte(i*7 + 3)
	}
	f.Add(seed, uint8(128))
	f.Add(seed[:8*19], uint8(0))
	f.Add(seed[:8*5], uint8(255))
	f.Add([]byte{}, uint8(9))
	f.Fuzz(func(t *testing.T, data []byte, ha uint8) {
		in := fusedFuzzFloats(data, 2)
		alpha := float64(ha) / 255
		pr, sr := zooClone(in[0]), zooClone(in[1])
		lookaheadSyncGeneric(pr, sr, float32(alpha), float32(1-alpha))
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			p, s := zooClone(in[0]), zooClone(in[1])
			LookaheadSync(p, s, alpha)
			i, okp := sameValues(p, pr)
			j, oks := sameValues(s, sr)
			if !okp || !oks {
				t.Fatalf("%v: α=%v n=%d: p[%d] or slow[%d] differs from the reference", l, alpha, len(p), i, j)
			}
		}
	})
}

// BenchmarkLookaheadSync: p and slow read and written, 16 bytes per
// element.
func BenchmarkLookaheadSync(b *testing.B) {
	fusedBench(b, fusedOptSizes, 16, func(b *testing.B, n int) {
		p, s := zooClone(fusedBenchSlice(n, 0, -1, 1)), zooClone(fusedBenchSlice(n, 1, -1, 1))
		for b.Loop() {
			LookaheadSync(p, s, 0.5)
		}
	})
}
