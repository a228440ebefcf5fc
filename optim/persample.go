package optim

// SubBatchObjective is implemented by objectives whose minibatch can be
// split into contiguous sub-batches, for methods that estimate the
// gradient noise from sub-batch gradients (AdAdaGrad's norm test, see
// NormTest). nn.Objective implements it.
//
// It is the smallest extension that gives a variance estimate without
// per-sample gradients: two half-batch gradients ḡ₁, ḡ₂ of sizes m₁, m₂
// satisfy E‖ḡ₁ − ḡ₂‖² = (1/m₁ + 1/m₂)·Σ_coords Var_i(g_i).
type SubBatchObjective interface {
	Objective
	// BatchLen returns the number of samples in the minibatch.
	BatchLen() int
	// SubsetGradient overwrites every parameter's Grad with the gradient
	// of the mean loss over samples [lo, hi) of the minibatch at the
	// current values, and returns that loss. It panics unless
	// 0 ≤ lo < hi ≤ BatchLen().
	SubsetGradient(lo, hi int) float32
}
