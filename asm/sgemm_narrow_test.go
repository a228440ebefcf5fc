package asm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// sgemmNarrowKernels returns the narrow micro-kernels of the supported
// levels, the pure-Go reference first.
func sgemmNarrowKernels() map[string]sgemmNarrowMicro {
	kernels := map[string]sgemmNarrowMicro{"generic": sgemmKernelNarrowGeneric}
	for _, l := range Supported() {
		if p := sgemmParamsFor(l); p.narrow != nil {
			kernels[l.String()] = p.narrow
		}
	}
	return kernels
}

// TestSgemmNarrowKernel checks each narrow micro-kernel on one 8×n tile
// against the float64 reference for every n ≤ 16 and k in 1..20 plus
// longer odd depths, with padded strides, NaN guard bands and gaps around
// A, B and C, and C full of NaN when beta is 0.
func TestSgemmNarrowKernel(t *testing.T) {
	for name, kern := range sgemmNarrowKernels() {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(6, 6))
			call := func(tc sgemmCase, a, b, c *sgemmMatrix) {
				kern(tc.k, a.data, a.ld, b.data, b.ld, c.data, c.ld, tc.n, tc.alpha, tc.beta)
			}
			idx := 0
			for n := 1; n <= 16; n++ {
				for _, k := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16, 20, 63, 256, 301} {
					idx++
					tc := sgemmCase{m: 8, n: n, k: k, padA: idx % 3, padB: idx % 5 * 3, padC: idx % 4,
						alpha: sgemmScalars[idx%4], beta: sgemmScalars[(idx/4)%4]}
					if tc.alpha == 0 {
						tc.alpha = 1.5 // the kernel always multiplies
					}
					sgemmCheckCase(t, rng, tc, call)
				}
			}
		})
	}
}

// TestSgemmNarrow runs the narrow path (sgemmNarrow) at every level that
// has a narrow kernel, and with the pure-Go narrow kernel on the generic
// blocks (so that -tags purego covers the loop too): m across the 8-row
// tiles and edges, every n ≤ 16 on a few depths, both transposes of B, kc
// shrunk so that depths cross k blocks, and A in and out of place.
func TestSgemmNarrow(t *testing.T) {
	levels := map[string]sgemmParams{}
	gp := sgemmGenericParams
	gp.narrow, gp.narrowMR, gp.narrowNR = sgemmKernelNarrowGeneric, 8, 16
	levels["generic"] = gp
	for _, l := range Supported() {
		if p := sgemmParamsFor(l); p.narrow != nil {
			levels[l.String()] = *p
		}
	}
	for name, p := range levels {
		for _, kc := range []int{p.kc, 7} {
			p.kc = kc
			for _, threads := range []int{1, 2} {
				t.Run(fmt.Sprintf("%s/kc=%d/threads=%d", name, kc, threads), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(7, uint64(kc)))
					call := sgemmCallParams(&p, threads, false)
					idx := 0
					for tr := 0; tr < 2; tr++ {
						for _, m := range []int{1, 7, 8, 9, 16, 23, 130} {
							for n := 1; n <= 16; n += 1 + idx%3 {
								for _, k := range []int{1, 5, 8, 22, 256} {
									idx++
									if raceEnabledSgemm && idx%3 != 0 {
										continue
									}
									tc := sgemmCase{transB: tr == 1, m: m, n: n, k: k,
										padA: idx % 3, padB: idx % 4, padC: idx % 5,
										alpha: sgemmScalars[idx%4], beta: sgemmScalars[(idx/4)%4]}
									g := sgemmGeom{n: n}
									if !sgemmNarrowOK(&p, &g) {
										t.Fatalf("%v: not on the narrow path", tc)
									}
									sgemmCheckCase(t, rng, tc, call)
								}
							}
						}
					}
				})
			}
		}
	}
}
