package optim

import (
	"fmt"
	"testing"
)

// BenchmarkStep times one Step over a single parameter of n elements,
// fused kernel against the Transform chain (impl/size sub-benchmarks).
// SetBytes counts the parameter, gradient and state traffic per step.
func BenchmarkStep(b *testing.B) {
	for _, tc := range fusedCases {
		for _, n := range []int{1 << 10, 1 << 16, 1 << 20} {
			for _, fused := range []bool{true, false} {
				impl := "chain"
				if fused {
					impl = "fused"
				}
				b.Run(fmt.Sprintf("%s/%s/%d", tc.name, impl, n), func(b *testing.B) {
					ps := newParams(1, n)
					fillGrads(ps, 1, 1)
					o, err := tc.mk(ps)
					if err != nil {
						b.Fatal(err)
					}
					o.SetFused(fused)
					o.Step()
					bufs := len(o.Transform().StateNames())
					b.SetBytes(int64(4 * n * (2 + bufs)))
					b.ResetTimer()
					for b.Loop() {
						o.Step()
					}
				})
			}
		}
	}
}
