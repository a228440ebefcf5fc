package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSgemmPackEdge checks each level's partial-panel copy against the
// definition for every w ≤ 32 and cols ≤ w, several depths and source
// strides, with NaN guard bands around the destination and NaN in the
// source past column cols (which must not be copied).
func TestSgemmPackEdge(t *testing.T) {
	impls := map[string]func(dst, src []float32, ld, cols, kb, w int){"generic": sgemmPackEdge}
	for _, l := range Supported() {
		impls[l.String()] = sgemmParamsFor(l).packEdge
	}
	nan := float32(math.NaN())
	rng := rand.New(rand.NewPCG(8, 8))
	for name, edge := range impls {
		for w := 1; w <= 32; w++ {
			for cols := 0; cols <= w; cols++ {
				for _, kb := range []int{0, 1, 2, 7, 33} {
					ld := max(1, cols) + rng.IntN(3)
					src := make([]float32, sgemmGuard+kb*ld+sgemmGuard)
					for i := range src {
						src[i] = nan
					}
					for p := 0; p < kb; p++ {
						for j := 0; j < cols; j++ {
							src[sgemmGuard+p*ld+j] = float32(rng.IntN(1000) + 1)
						}
					}
					srcOrig := append([]float32(nil), src...)
					dst := make([]float32, sgemmGuard+kb*w+sgemmGuard)
					for i := range dst {
						dst[i] = nan
					}
					edge(dst[sgemmGuard:sgemmGuard+kb*w], src[sgemmGuard:], ld, cols, kb, w)
					where := fmt.Sprintf("%s: w=%d cols=%d kb=%d ld=%d", name, w, cols, kb, ld)
					for i, v := range dst {
						x := i - sgemmGuard
						want := nan
						if x >= 0 && x < kb*w {
							want = 0
							if p, j := x/w, x%w; j < cols {
								want = src[sgemmGuard+p*ld+j]
							}
						}
						if !sgemmSameBits(v, want) {
							t.Fatalf("%s: dst[%d] = %v, want %v", where, x, v, want)
						}
					}
					for i := range src {
						if !sgemmSameBits(src[i], srcOrig[i]) {
							t.Fatalf("%s: src changed at %d", where, i-sgemmGuard)
						}
					}
				}
			}
		}
	}
}

// TestSgemmSwappedChunks runs the transposed-C macro-kernel (sgemmMacroT)
// on row panels wider than sgemmTChunk, so that each row panel goes to C in
// several transposing copies, at every level with one and two threads.
func TestSgemmSwappedChunks(t *testing.T) {
	for _, l := range Supported() {
		for _, threads := range []int{1, 2} {
			t.Run(fmt.Sprintf("%v/threads=%d", l, threads), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(9, uint64(l)))
				call := sgemmCallParams(sgemmParamsFor(l), threads, true)
				idx := 0
				for tr := 0; tr < 4; tr++ {
					for _, m := range []int{sgemmTChunk + 1, 2*sgemmTChunk + 45} {
						for _, n := range []int{1, 10, 13} {
							idx++
							tc := sgemmCase{transA: tr&1 != 0, transB: tr&2 != 0, m: m, n: n, k: 19 + idx,
								padA: idx % 3, padB: idx % 2, padC: idx % 4,
								alpha: sgemmScalars[idx%4], beta: sgemmScalars[(idx/4)%4]}
							sgemmCheckCase(t, rng, tc, call)
						}
					}
				}
			})
		}
	}
}
