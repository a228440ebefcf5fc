package asm

import "math"

// Subnormal handling in the fused optimizer kernels.
//
// Moments such as Adam's v = β2·v + (1−β2)·g² decay geometrically once a
// gradient stops, and reach the subnormal range (|x| < 2^-126) after a few
// thousand steps. Many x86 cores take a slow microcode path for every
// subnormal operand or result, which can slow a step down many times over.
// The assembly kernels of the fused optimizer steps (every …Step function:
// AdamStep, AMSGradStep, AdaBeliefStep, LionStep, SGDStep, RMSPropStep,
// AdaGradStep, AdaMaxStep, AdEMAMixStep, CAdamWStep, CLionStep, GramsStep,
// AdaBoundStep, AMSBoundStep, DiffGradStep, EXAdamStep, MARSStep,
// FAdamStep, AdafactorStep, AdafactorMatrixStep, SubsetNormStep,
// SGDMRSStep, GravityStep, XGradStep, XGradSGDStep, and XGradPredict and
// XGradPredictDir) therefore save the MXCSR register (STMXCSR) on entry, set its FTZ
// (flush-to-zero, bit 15) and DAZ (denormals-are-zero, bit 6) bits, and
// restore the saved value (LDMXCSR) before they return, so Go code never
// runs with the changed mode. With DAZ a subnormal input is read as a
// zero of the same sign; with FTZ a result that would be subnormal is
// written as a zero of that sign.
//
// The generic references emulate this where it shows: they read every
// input through daz32 and pass every value they store (p, m, v, buf)
// through ftz32. The Adam-family and SGD references do not flush
// intermediate results (g·g, the update term); where an intermediate is
// subnormal the assembly flushes it and the reference does not, a
// difference below 2^-126 in absolute value. The Lion reference flushes
// its intermediates too, because a flushed c changes sign(c) from ±1 to 0.
//
// The elementwise kernels (Axpy, AddTo, ...) do not touch MXCSR: they run
// in Go's default mode, subnormals included, like the Go loops they
// replace.

// mxcsrFTZDAZ is the MXCSR bit mask the kernels OR in: FTZ (0x8000) and
// DAZ (0x0040).
const mxcsrFTZDAZ = 0x8040

// ftz32 returns x, or a zero with x's sign if x is subnormal. It emulates
// the FTZ and DAZ modes of the assembly kernels (daz32 is the same
// function, named for the input side).
func ftz32(x float32) float32 {
	b := math.Float32bits(x)
	if b&0x7f800000 == 0 {
		return math.Float32frombits(b & 0x80000000)
	}
	return x
}

// daz32 reads an input as DAZ does: subnormals become signed zeros.
func daz32(x float32) float32 { return ftz32(x) }
