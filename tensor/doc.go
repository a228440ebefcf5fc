// Package tensor provides gograd's float32 n-dimensional tensor.
//
// A *Tensor wraps a gorgonia.org/tensor *Dense, which holds its shape,
// strides and views: Reshape, Transpose and Slice return views that share
// memory with their source, and Contiguous or Clone copy. Kernels reach the
// backing []float32 without a copy through Data, which requires a
// contiguous row-major tensor.
//
// The package converts to and from gorgonia's *tensor.Dense (FromDense,
// Dense) and gonum's *mat.Dense (FromMat, ToMat), and offers the few
// whole-tensor kernels the rest of gograd shares, such as MatMul, built on
// package asm.
//
// Errors: functions that take user data (FromDense, FromMat, ToMat) return
// errors; shape mistakes in hot paths are programmer errors and panic with a
// *ShapeError naming the op and the shapes.
package tensor
