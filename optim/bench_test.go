package optim

import (
	"fmt"
	"testing"
)

// BenchmarkStep times one Step over a single parameter of n elements for
// every optimizer of fusedCases, as Step/<case>/<n> on the fused kernel
// and Step/<case>-chain/<n> on the Transform chain, so that
//
//	go test -cpu 1 -run XXX -bench 'Step/.*/1000000$' ./optim
//
// compares each fused kernel with fused Adam's (and each chain) in one
// run, at n = 1e6, where the zoo's step-cost target (at most 1.5× fused
// Adam) is set; benchmarks/fused/steptable turns the output into that
// table. Elementwise kernels split a large parameter over asm.Parallel;
// -cpu 1 times them on one thread. SetBytes counts the parameter,
// gradient and state traffic of one pass (the multi-pass steps — the
// cautious ones, MARS, Gravity, FAdam, Adafactor, Subset-Norm — read some
// arrays again); ns/param is reported.
func BenchmarkStep(b *testing.B) {
	for _, tc := range fusedCases {
		for _, n := range []int{1 << 10, 1 << 16, 1_000_000} {
			for _, fused := range []bool{true, false} {
				name := tc.name
				if !fused {
					name += "-chain"
				}
				b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
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
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
				})
			}
		}
	}
}
