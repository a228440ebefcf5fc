package fgrad

import (
	"runtime"
	"runtime/debug"

	"github.com/gograd/gograd/tensor"
)

// StepMemory runs one Estimate with the garbage collector off and returns
// the bytes it allocated on the heap. On a fresh estimator this is the
// peak heap the estimator's step adds beyond the model's parameters: its
// buffers, tape arena and, when they were not allocated yet, the Grads,
// all of which a step keeps for the next one (nothing is freed during a step with the collector off, so the
// peak is the starting heap plus this). It calls runtime.GC first and
// restores the collector's setting.
func StepMemory(e Estimator, x *tensor.Tensor, labels []int32) uint64 {
	runtime.GC()
	old := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(old)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	e.Estimate(x, labels)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
