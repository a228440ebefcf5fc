package tensor

import (
	"fmt"

	"github.com/gograd/gograd/asm"
)

// MatMulShape returns the shape [m, n] of op(a)·op(b) for 2-D a and b,
// where op transposes when the flag is set, or panics with a *ShapeError
// naming op.
func MatMulShape(op string, a, b []int, transA, transB bool) (m, k, n int) {
	if len(a) != 2 || len(b) != 2 {
		shapePanic(op, "operands must be 2-D", a, b)
	}
	m, k = a[0], a[1]
	if transA {
		m, k = k, m
	}
	kb, n := b[0], b[1]
	if transB {
		kb, n = n, kb
	}
	if k != kb {
		shapePanic(op, fmt.Sprintf("inner dimensions differ (%d and %d; transA=%v transB=%v)", k, kb, transA, transB), a, b)
	}
	return m, k, n
}

// MatMulTo computes dst = alpha·op(a)·op(b) + beta·dst for 2-D contiguous
// tensors, where op(x) is x or its transpose. dst must be m×n and must not
// alias a or b; with beta = 0 dst is not read. It panics with a *ShapeError
// on mismatched shapes.
func MatMulTo(dst, a, b *Tensor, transA, transB bool, alpha, beta float32) {
	m, k, n := MatMulShape("matmul", a.Shape(), b.Shape(), transA, transB)
	if ds := dst.Shape(); len(ds) != 2 || ds[0] != m || ds[1] != n {
		shapePanic("matmul", fmt.Sprintf("destination must be %dx%d", m, n), dst.Shape(), a.Shape(), b.Shape())
	}
	Sgemm(transA, transB, m, n, k, alpha, a.Data(), a.Shape()[1], b.Data(), b.Shape()[1], beta, dst.Data(), n)
}

// MatMul returns op(a)·op(b) for 2-D tensors in a new tensor.
func MatMul(a, b *Tensor, transA, transB bool) *Tensor {
	m, _, n := MatMulShape("matmul", a.Shape(), b.Shape(), transA, transB)
	dst := New(m, n)
	MatMulTo(dst, a.Contiguous(), b.Contiguous(), transA, transB, 1, 0)
	return dst
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C on row-major slices with
// leading dimensions, as CBLAS does with CblasRowMajor: gograd's one
// matrix-multiply entry point, on asm.Sgemm (see there for the contract,
// threads and panics).
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	asm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
