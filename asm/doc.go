// Package asm holds gograd's hand-written compute kernels: single-precision
// matrix multiplication (Sgemm) and the fused optimizer steps (Adam, AdamW,
// Lion), plus the elementwise kernels autodiff's hot paths use.
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
