// Command openblas compares gograd's Sgemm (asm package, AVX-512 and AVX2
// levels) with OpenBLAS's cblas_sgemm through cgo and prints a markdown
// table of GFLOP/s at one and two threads, for square sizes and the W1
// MLP's products.
//
// The comparison needs cgo and OpenBLAS (Debian: apt-get install
// libopenblas-dev), so it only builds with the openblas tag:
//
//	OPENBLAS_CORETYPE=SkylakeX go run -tags openblas ./benchmarks/openblas
//
// OPENBLAS_CORETYPE picks OpenBLAS's kernels (SkylakeX, Haswell, Zen, ...);
// the table names the core OpenBLAS reports. Without the tag the command
// only says how to build it. See README.md for measured tables.
package main
