//go:build openblas && cgo

package main

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>

// openblas_get_corename and openblas_set_num_threads come with OpenBLAS's
// cblas.h; declare them for builds whose header lacks them.
char* openblas_get_corename(void);
void openblas_set_num_threads(int);
*/
import "C"

// cblasSgemm calls OpenBLAS's row-major cblas_sgemm with the arguments of
// asm.Sgemm.
func cblasSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, tb := uint32(C.CblasNoTrans), uint32(C.CblasNoTrans)
	if transA {
		ta = C.CblasTrans
	}
	if transB {
		tb = C.CblasTrans
	}
	C.cblas_sgemm(C.CblasRowMajor, C.enum_CBLAS_TRANSPOSE(ta), C.enum_CBLAS_TRANSPOSE(tb),
		C.blasint(m), C.blasint(n), C.blasint(k), C.float(alpha),
		(*C.float)(&a[0]), C.blasint(lda), (*C.float)(&b[0]), C.blasint(ldb),
		C.float(beta), (*C.float)(&c[0]), C.blasint(ldc))
}

// cblasSetThreads sets OpenBLAS's thread count.
func cblasSetThreads(n int) { C.openblas_set_num_threads(C.int(n)) }

// cblasCore names the kernels OpenBLAS chose (OPENBLAS_CORETYPE or cpuid).
func cblasCore() string { return C.GoString(C.openblas_get_corename()) }
