// Package asm holds gograd's hand-written compute kernels:
//
//   - single-precision matrix multiplication (Sgemm): BLIS-style loops in
//     Go around one assembly micro-kernel per level (6×16 for AVX2, 12×32
//     for AVX-512), plus an AVX-512 8×n kernel with masked loads and stores
//     for C with at most 16 columns, which reads A and B in place;
//   - the fused optimizer steps, one kernel call per parameter: AdamStep
//     (Adam and AdamW), AMSGradStep, AdaBeliefStep, LionStep, SGDStep,
//     RMSPropStep, AdaGradStep, AdaMaxStep, AdEMAMixStep, GramsStep,
//     AdaBoundStep, AMSBoundStep, DiffGradStep, EXAdamStep and SGDMRSStep
//     in one pass; CAdamWStep and CLionStep (the mask count, then the
//     update), MARSStep (‖c‖, then the update), GravityStep (max|g|, then
//     the update), SubsetNormStep (row or column sums, then the update),
//     AdafactorStep and AdafactorMatrixStep (the factored or full second
//     moment with the RMS sums, then the update) and FAdamStep (three
//     passes: Σg², the Fisher estimate with Σĝ² and Σŵ², the update), whose
//     sums follow one order on every level; XGradPredict and
//     XGradPredictDir (weight prediction, saving θ) with XGradStep and
//     XGradSGDStep (the step from the saved θ); DoGSums and DoGStep (the
//     norms, then the update with an optional iterate average) for the
//     global step-size rules DoG, L-DoG, AdaGrad-Norm and SPS, and for
//     SGDStep with weight decay and no momentum; Clamp and LookaheadSync,
//     the passes of the fused weight-clipping and Lookahead wrappers;
//   - the elementwise kernels autodiff's hot paths use (Axpy, Scale,
//     ScaleTo, AddTo, MulTo, ReluForwardTo, ReluBackwardTo, Sum, Dot), the
//     2×2 max pool and its transpose (MaxPool2x2, MaxUnpool2x2), and the
//     Winograd F(4×4, 3×3) tile transforms (WinogradInput, WinogradInputT,
//     WinogradOutput, WinogradGrad);
//   - Parallel, which runs ranges of a loop on Sgemm's persistent worker
//     goroutines, so that callers can split work too small to pay for a
//     new goroutine.
//
// The optimizer kernels set MXCSR's FTZ and DAZ bits on entry and restore
// the caller's MXCSR before they return, so moments decaying into
// subnormals do not slow them down; their Go references flush the same
// values to zero.
//
// Every kernel has three parts that share one name and one doc comment:
//
//   - an exported entry point that validates its arguments and panics with
//     a message prefixed "asm: <kernel>:" on a programmer error;
//   - a pure-Go reference with the Generic suffix, compiled on every
//     platform and used by the tests on amd64 too;
//   - amd64 assembly, one small function per CPU level.
//
// The level is chosen once at start-up from the CPU's features
// (github.com/klauspost/cpuid/v2): Generic, AVX2 (AVX, AVX2 and FMA3
// together) or AVX512 (AVX-512 F, DQ, BW and VL). The environment variable
// GOGRAD_CPU=generic|avx2|avx512 caps the level, as ATEN_CPU_CAPABILITY does
// in PyTorch. Building with the purego tag forces the generic references.
//
// Package asm knows only slices: it imports nothing else of gograd.
package asm
