//go:build amd64 && gc && !purego

#include "textflag.h"

// Elementwise kernels; see vec_amd64.go for the Go each one computes.
// Register use: DI = first (destination) slice, SI and DX = inputs, AX =
// byte offset of the current vector, CX = byte length, BX = end of the
// whole 4-vector blocks, R10 = end of the whole vectors (AVX-512). AVX2
// kernels get a multiple of 8 floats; AVX-512 kernels finish the last
// len%16 floats under the mask K1 = 1<<r - 1, set by VEC_TAILMASK.

// VEC_TAILMASK: CX = bytes left (nonzero) -> K1 = lanes 0..CX/4-1.
#define VEC_TAILMASK \
	SHRQ  $2, CX                    /* r := floats left */ \
	MOVL  $1, BX                                 \
	SHLL  CX, BX                                 \
	DECL  BX                        /* BX = 1<<r - 1 */ \
	KMOVW BX, K1                    /* K1 = lanes 0..r-1 */

// VEC_BOUNDS2: CX = len -> bytes, BX = 4-vector end, AX = 0 (AVX2).
#define VEC_BOUNDS2 \
	SHLQ $2, CX                     /* CX = bytes */ \
	MOVQ CX, BX                                  \
	ANDQ $-128, BX                  /* BX = 32-float blocks */ \
	XORQ AX, AX

// VEC_BOUNDS5: as VEC_BOUNDS2 for 64-float blocks, plus R10 = 16-float end.
#define VEC_BOUNDS5 \
	SHLQ $2, CX                     /* CX = bytes */ \
	MOVQ CX, BX                                  \
	ANDQ $-256, BX                  /* BX = 64-float blocks */ \
	MOVQ CX, R10                                 \
	ANDQ $-64, R10                  /* R10 = 16-float vectors */ \
	XORQ AX, AX

// ---- axpy: y[i] = fma(a, x[i], y[i]); DI = y, SI = x, A = a, T temp ----

#define AXPY(off, T, A) \
	VMOVUPS     off(DI)(AX*1), T    /* t := y[i] */ \
	VFMADD231PS off(SI)(AX*1), A, T /* t += a*x[i] */ \
	VMOVUPS     T, off(DI)(AX*1)    /* y[i] = t */

// func axpyAVX2(y []float32, a float32, x []float32)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	MOVQ x_base+32(FP), SI
	VBROADCASTSS a+24(FP), Y15
	VEC_BOUNDS2
axpy2Block:
	CMPQ AX, BX
	JAE  axpy2Vec
	AXPY(0, Y0, Y15)
	AXPY(32, Y0, Y15)
	AXPY(64, Y0, Y15)
	AXPY(96, Y0, Y15)
	ADDQ $128, AX
	JMP  axpy2Block
axpy2Vec:
	CMPQ AX, CX
	JAE  axpy2Done
	AXPY(0, Y0, Y15)
	ADDQ $32, AX
	JMP  axpy2Vec
axpy2Done:
	VZEROUPPER
	RET

// func axpyAVX512(y []float32, a float32, x []float32)
TEXT ·axpyAVX512(SB), NOSPLIT, $0-56
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	MOVQ x_base+32(FP), SI
	VBROADCASTSS a+24(FP), Z15
	VEC_BOUNDS5
axpy5Block:
	CMPQ AX, BX
	JAE  axpy5Vec
	AXPY(0, Z0, Z15)
	AXPY(64, Z0, Z15)
	AXPY(128, Z0, Z15)
	AXPY(192, Z0, Z15)
	ADDQ $256, AX
	JMP  axpy5Block
axpy5Vec:
	CMPQ AX, R10
	JAE  axpy5Tail
	AXPY(0, Z0, Z15)
	ADDQ $64, AX
	JMP  axpy5Vec
axpy5Tail:
	SUBQ AX, CX
	JZ   axpy5Done
	VEC_TAILMASK
	VMOVUPS.Z   (DI)(AX*1), K1, Z0 // t := y[i] (0 beyond the end)
	VMOVUPS.Z   (SI)(AX*1), K1, Z1 // u := x[i]
	VFMADD231PS Z1, Z15, Z0        // t += a*u
	VMOVUPS     Z0, K1, (DI)(AX*1) // y[i] = t
axpy5Done:
	VZEROUPPER
	RET

// ---- scale: dst[i] = a * x[i]; DI = dst, SI = x, A = a, T temp ----

#define SCALE(off, T, A) \
	VMULPS  off(SI)(AX*1), A, T     /* t := a*x[i] */ \
	VMOVUPS T, off(DI)(AX*1)        /* dst[i] = t */

// func scaleAVX2(dst []float32, a float32, x []float32)
TEXT ·scaleAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+32(FP), SI
	VBROADCASTSS a+24(FP), Y15
	VEC_BOUNDS2
scale2Block:
	CMPQ AX, BX
	JAE  scale2Vec
	SCALE(0, Y0, Y15)
	SCALE(32, Y0, Y15)
	SCALE(64, Y0, Y15)
	SCALE(96, Y0, Y15)
	ADDQ $128, AX
	JMP  scale2Block
scale2Vec:
	CMPQ AX, CX
	JAE  scale2Done
	SCALE(0, Y0, Y15)
	ADDQ $32, AX
	JMP  scale2Vec
scale2Done:
	VZEROUPPER
	RET

// func scaleAVX512(dst []float32, a float32, x []float32)
TEXT ·scaleAVX512(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+32(FP), SI
	VBROADCASTSS a+24(FP), Z15
	VEC_BOUNDS5
scale5Block:
	CMPQ AX, BX
	JAE  scale5Vec
	SCALE(0, Z0, Z15)
	SCALE(64, Z0, Z15)
	SCALE(128, Z0, Z15)
	SCALE(192, Z0, Z15)
	ADDQ $256, AX
	JMP  scale5Block
scale5Vec:
	CMPQ AX, R10
	JAE  scale5Tail
	SCALE(0, Z0, Z15)
	ADDQ $64, AX
	JMP  scale5Vec
scale5Tail:
	SUBQ AX, CX
	JZ   scale5Done
	VEC_TAILMASK
	VMOVUPS.Z (SI)(AX*1), K1, Z1 // u := x[i] (0 beyond the end)
	VMULPS    Z1, Z15, Z0        // t := a*u
	VMOVUPS   Z0, K1, (DI)(AX*1) // dst[i] = t
scale5Done:
	VZEROUPPER
	RET

// ---- add and mul: dst[i] = x[i] op y[i]; DI = dst, SI = x, DX = y ----

#define BINOP(op, off, T) \
	VMOVUPS off(SI)(AX*1), T        /* t := x[i] */ \
	op      off(DX)(AX*1), T, T     /* t = t op y[i] */ \
	VMOVUPS T, off(DI)(AX*1)        /* dst[i] = t */

#define BINOP_TAIL(op) \
	VMOVUPS.Z (SI)(AX*1), K1, Z0    /* t := x[i] (0 beyond the end) */ \
	VMOVUPS.Z (DX)(AX*1), K1, Z1    /* u := y[i] */ \
	op        Z1, Z0, Z0            /* t = t op u */ \
	VMOVUPS   Z0, K1, (DI)(AX*1)    /* dst[i] = t */

// func addAVX2(dst, x, y []float32)
TEXT ·addAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ y_base+48(FP), DX
	VEC_BOUNDS2
add2Block:
	CMPQ AX, BX
	JAE  add2Vec
	BINOP(VADDPS, 0, Y0)
	BINOP(VADDPS, 32, Y0)
	BINOP(VADDPS, 64, Y0)
	BINOP(VADDPS, 96, Y0)
	ADDQ $128, AX
	JMP  add2Block
add2Vec:
	CMPQ AX, CX
	JAE  add2Done
	BINOP(VADDPS, 0, Y0)
	ADDQ $32, AX
	JMP  add2Vec
add2Done:
	VZEROUPPER
	RET

// func addAVX512(dst, x, y []float32)
TEXT ·addAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ y_base+48(FP), DX
	VEC_BOUNDS5
add5Block:
	CMPQ AX, BX
	JAE  add5Vec
	BINOP(VADDPS, 0, Z0)
	BINOP(VADDPS, 64, Z0)
	BINOP(VADDPS, 128, Z0)
	BINOP(VADDPS, 192, Z0)
	ADDQ $256, AX
	JMP  add5Block
add5Vec:
	CMPQ AX, R10
	JAE  add5Tail
	BINOP(VADDPS, 0, Z0)
	ADDQ $64, AX
	JMP  add5Vec
add5Tail:
	SUBQ AX, CX
	JZ   add5Done
	VEC_TAILMASK
	BINOP_TAIL(VADDPS)
add5Done:
	VZEROUPPER
	RET

// func mulAVX2(dst, x, y []float32)
TEXT ·mulAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ y_base+48(FP), DX
	VEC_BOUNDS2
mul2Block:
	CMPQ AX, BX
	JAE  mul2Vec
	BINOP(VMULPS, 0, Y0)
	BINOP(VMULPS, 32, Y0)
	BINOP(VMULPS, 64, Y0)
	BINOP(VMULPS, 96, Y0)
	ADDQ $128, AX
	JMP  mul2Block
mul2Vec:
	CMPQ AX, CX
	JAE  mul2Done
	BINOP(VMULPS, 0, Y0)
	ADDQ $32, AX
	JMP  mul2Vec
mul2Done:
	VZEROUPPER
	RET

// func mulAVX512(dst, x, y []float32)
TEXT ·mulAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ y_base+48(FP), DX
	VEC_BOUNDS5
mul5Block:
	CMPQ AX, BX
	JAE  mul5Vec
	BINOP(VMULPS, 0, Z0)
	BINOP(VMULPS, 64, Z0)
	BINOP(VMULPS, 128, Z0)
	BINOP(VMULPS, 192, Z0)
	ADDQ $256, AX
	JMP  mul5Block
mul5Vec:
	CMPQ AX, R10
	JAE  mul5Tail
	BINOP(VMULPS, 0, Z0)
	ADDQ $64, AX
	JMP  mul5Vec
mul5Tail:
	SUBQ AX, CX
	JZ   mul5Done
	VEC_TAILMASK
	BINOP_TAIL(VMULPS)
mul5Done:
	VZEROUPPER
	RET

// ---- relu: dst[i] = max(0, x[i]); DI = dst, SI = x, A = 0, T temp ----
// MAXPS returns its second source (x) if either is NaN or both are zero,
// so NaN and -0 pass through like the reference's "if x < 0 { x = 0 }".

#define RELU(off, T, A) \
	VMAXPS  off(SI)(AX*1), A, T     /* t := max(0, x[i]) */ \
	VMOVUPS T, off(DI)(AX*1)        /* dst[i] = t */

// func reluAVX2(dst, x []float32)
TEXT ·reluAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	VXORPS Y15, Y15, Y15
	VEC_BOUNDS2
relu2Block:
	CMPQ AX, BX
	JAE  relu2Vec
	RELU(0, Y0, Y15)
	RELU(32, Y0, Y15)
	RELU(64, Y0, Y15)
	RELU(96, Y0, Y15)
	ADDQ $128, AX
	JMP  relu2Block
relu2Vec:
	CMPQ AX, CX
	JAE  relu2Done
	RELU(0, Y0, Y15)
	ADDQ $32, AX
	JMP  relu2Vec
relu2Done:
	VZEROUPPER
	RET

// func reluAVX512(dst, x []float32)
TEXT ·reluAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	VXORPS Y15, Y15, Y15       // Z15 = 0 (VEX clears the upper half)
	VEC_BOUNDS5
relu5Block:
	CMPQ AX, BX
	JAE  relu5Vec
	RELU(0, Z0, Z15)
	RELU(64, Z0, Z15)
	RELU(128, Z0, Z15)
	RELU(192, Z0, Z15)
	ADDQ $256, AX
	JMP  relu5Block
relu5Vec:
	CMPQ AX, R10
	JAE  relu5Tail
	RELU(0, Z0, Z15)
	ADDQ $64, AX
	JMP  relu5Vec
relu5Tail:
	SUBQ AX, CX
	JZ   relu5Done
	VEC_TAILMASK
	VMOVUPS.Z (SI)(AX*1), K1, Z1 // u := x[i] (0 beyond the end)
	VMAXPS    Z1, Z15, Z0        // t := max(0, u)
	VMOVUPS   Z0, K1, (DI)(AX*1) // dst[i] = t
relu5Done:
	VZEROUPPER
	RET

// ---- relu backward: dst[i] = x[i] > 0 ? g[i] : 0; DI = dst, SI = g,
// DX = x, Y15/Z15 = 0. Predicate 0x11 is LT_OQ: 0 < x, false for NaN. ----

#define RELUBACK2(off) \
	VCMPPS  $0x11, off(DX)(AX*1), Y15, Y0 /* k := 0 < x[i] */ \
	VANDPS  off(SI)(AX*1), Y0, Y0   /* t := k ? g[i] : 0 */ \
	VMOVUPS Y0, off(DI)(AX*1)       /* dst[i] = t */

#define RELUBACK5(off) \
	VCMPPS    $0x11, off(DX)(AX*1), Z15, K2 /* k := 0 < x[i] */ \
	VMOVUPS.Z off(SI)(AX*1), K2, Z0 /* t := k ? g[i] : 0 */ \
	VMOVUPS   Z0, off(DI)(AX*1)     /* dst[i] = t */

// func reluBackAVX2(dst, g, x []float32)
TEXT ·reluBackAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ x_base+48(FP), DX
	VXORPS Y15, Y15, Y15
	VEC_BOUNDS2
reluBack2Block:
	CMPQ AX, BX
	JAE  reluBack2Vec
	RELUBACK2(0)
	RELUBACK2(32)
	RELUBACK2(64)
	RELUBACK2(96)
	ADDQ $128, AX
	JMP  reluBack2Block
reluBack2Vec:
	CMPQ AX, CX
	JAE  reluBack2Done
	RELUBACK2(0)
	ADDQ $32, AX
	JMP  reluBack2Vec
reluBack2Done:
	VZEROUPPER
	RET

// func reluBackAVX512(dst, g, x []float32)
TEXT ·reluBackAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ x_base+48(FP), DX
	VXORPS Y15, Y15, Y15
	VEC_BOUNDS5
reluBack5Block:
	CMPQ AX, BX
	JAE  reluBack5Vec
	RELUBACK5(0)
	RELUBACK5(64)
	RELUBACK5(128)
	RELUBACK5(192)
	ADDQ $256, AX
	JMP  reluBack5Block
reluBack5Vec:
	CMPQ AX, R10
	JAE  reluBack5Tail
	RELUBACK5(0)
	ADDQ $64, AX
	JMP  reluBack5Vec
reluBack5Tail:
	SUBQ AX, CX
	JZ   reluBack5Done
	VEC_TAILMASK
	VMOVUPS.Z (DX)(AX*1), K1, Z1 // u := x[i] (0 beyond the end)
	VCMPPS    $0x11, Z1, Z15, K2 // k := 0 < u (false beyond the end)
	VMOVUPS.Z (SI)(AX*1), K2, Z0 // t := k ? g[i] : 0
	VMOVUPS   Z0, K1, (DI)(AX*1) // dst[i] = t
reluBack5Done:
	VZEROUPPER
	RET

// ---- sum and dot: four accumulators (Y|Z)0..3, SI = x, DX = y ----

// VEC_HSUM8: X0 = the sum of the 8 lanes of Y0, in lane 0.
#define VEC_HSUM8 \
	VEXTRACTF128 $1, Y0, X1         /* X1 = high half */ \
	VADDPS       X1, X0, X0         /* 4 lanes */ \
	VMOVHLPS     X0, X0, X1         /* X1[0:2] = X0[2:4] */ \
	VADDPS       X1, X0, X0         /* 2 lanes */ \
	VMOVSHDUP    X0, X1             /* X1[0] = X0[1] */ \
	VADDSS       X1, X0, X0         /* X0[0] = the sum */

// func sumAVX2(x []float32) float32
TEXT ·sumAVX2(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VEC_BOUNDS2
sum2Block:
	CMPQ AX, BX
	JAE  sum2Vec
	VADDPS (SI)(AX*1), Y0, Y0   // s0 += x[i:i+8]
	VADDPS 32(SI)(AX*1), Y1, Y1 // s1 += x[i+8:i+16]
	VADDPS 64(SI)(AX*1), Y2, Y2 // s2 += x[i+16:i+24]
	VADDPS 96(SI)(AX*1), Y3, Y3 // s3 += x[i+24:i+32]
	ADDQ $128, AX
	JMP  sum2Block
sum2Vec:
	CMPQ AX, CX
	JAE  sum2Done
	VADDPS (SI)(AX*1), Y0, Y0   // s0 += x[i:i+8]
	ADDQ $32, AX
	JMP  sum2Vec
sum2Done:
	VADDPS Y1, Y0, Y0           // s0 += s1
	VADDPS Y3, Y2, Y2           // s2 += s3
	VADDPS Y2, Y0, Y0           // s0 += s2
	VEC_HSUM8
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func sumAVX512(x []float32) float32
TEXT ·sumAVX512(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VEC_BOUNDS5
sum5Block:
	CMPQ AX, BX
	JAE  sum5Vec
	VADDPS (SI)(AX*1), Z0, Z0    // s0 += x[i:i+16]
	VADDPS 64(SI)(AX*1), Z1, Z1  // s1 += x[i+16:i+32]
	VADDPS 128(SI)(AX*1), Z2, Z2 // s2 += x[i+32:i+48]
	VADDPS 192(SI)(AX*1), Z3, Z3 // s3 += x[i+48:i+64]
	ADDQ $256, AX
	JMP  sum5Block
sum5Vec:
	CMPQ AX, R10
	JAE  sum5Tail
	VADDPS (SI)(AX*1), Z0, Z0    // s0 += x[i:i+16]
	ADDQ $64, AX
	JMP  sum5Vec
sum5Tail:
	SUBQ AX, CX
	JZ   sum5Done
	VEC_TAILMASK
	VMOVUPS.Z (SI)(AX*1), K1, Z4 // u := x[i] (0 beyond the end)
	VADDPS    Z4, Z1, Z1         // s1 += u
sum5Done:
	VADDPS Z1, Z0, Z0            // s0 += s1
	VADDPS Z3, Z2, Z2            // s2 += s3
	VADDPS Z2, Z0, Z0            // s0 += s2
	VEXTRACTF64X4 $1, Z0, Y1     // Y1 = high 8 lanes
	VADDPS Y1, Y0, Y0            // 8 lanes
	VEC_HSUM8
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

#define DOT(off, T, ACC) \
	VMOVUPS     off(SI)(AX*1), T    /* t := x[i] */ \
	VFMADD231PS off(DX)(AX*1), T, ACC /* acc += t*y[i] */

// func dotAVX2(x, y []float32) float32
TEXT ·dotAVX2(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VEC_BOUNDS2
dot2Block:
	CMPQ AX, BX
	JAE  dot2Vec
	DOT(0, Y4, Y0)
	DOT(32, Y4, Y1)
	DOT(64, Y4, Y2)
	DOT(96, Y4, Y3)
	ADDQ $128, AX
	JMP  dot2Block
dot2Vec:
	CMPQ AX, CX
	JAE  dot2Done
	DOT(0, Y4, Y0)
	ADDQ $32, AX
	JMP  dot2Vec
dot2Done:
	VADDPS Y1, Y0, Y0           // s0 += s1
	VADDPS Y3, Y2, Y2           // s2 += s3
	VADDPS Y2, Y0, Y0           // s0 += s2
	VEC_HSUM8
	VMOVSS X0, ret+48(FP)
	VZEROUPPER
	RET

// func dotAVX512(x, y []float32) float32
TEXT ·dotAVX512(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VEC_BOUNDS5
dot5Block:
	CMPQ AX, BX
	JAE  dot5Vec
	DOT(0, Z4, Z0)
	DOT(64, Z4, Z1)
	DOT(128, Z4, Z2)
	DOT(192, Z4, Z3)
	ADDQ $256, AX
	JMP  dot5Block
dot5Vec:
	CMPQ AX, R10
	JAE  dot5Tail
	DOT(0, Z4, Z0)
	ADDQ $64, AX
	JMP  dot5Vec
dot5Tail:
	SUBQ AX, CX
	JZ   dot5Done
	VEC_TAILMASK
	VMOVUPS.Z   (SI)(AX*1), K1, Z4 // t := x[i] (0 beyond the end)
	VMOVUPS.Z   (DX)(AX*1), K1, Z5 // u := y[i]
	VFMADD231PS Z5, Z4, Z1         // s1 += t*u
dot5Done:
	VADDPS Z1, Z0, Z0            // s0 += s1
	VADDPS Z3, Z2, Z2            // s2 += s3
	VADDPS Z2, Z0, Z0            // s0 += s2
	VEXTRACTF64X4 $1, Z0, Y1     // Y1 = high 8 lanes
	VADDPS Y1, Y0, Y0            // 8 lanes
	VEC_HSUM8
	VMOVSS X0, ret+48(FP)
	VZEROUPPER
	RET
