//go:build amd64 && gc && !purego

#include "textflag.h"
#include "fused_amd64.h"

// Fused AdamW-SN kernels; see fused_subsetnorm_amd64.go for the Go each
// computes. Row loops: DI = p row, SI = g row, R8 = m row (advanced by
// CX, the row length in bytes, after each row); AX is the byte offset in
// the row, BX the bytes in whole 16-float blocks. The last cols%16
// floats of a row run under a mask (K1 on AVX-512; Y12/Y13 lane masks
// with VMASKMOVPS on AVX2). The MXCSR of the caller is saved in the
// frame, FTZ|DAZ (0x8040) set, and the saved value restored before RET.

// SN_K1 sets K1 to the lanes of the last cols%16 floats of a row, from
// CX = cols*4, which it keeps (clobbers DX, R11).
#define SN_K1 \
	MOVQ CX, R11   \
	SHRQ $2, CX    \
	ANDQ $15, CX   \
	MOVL $1, DX    \
	SHLL CX, DX    \
	DECL DX        \
	KMOVW DX, K1   \
	MOVQ R11, CX

// SN_MASK2 loads the AVX2 tail masks Y12 (floats 0..7) and Y13 (8..15)
// of the last cols%16 floats of a row, from CX = cols*4 (clobbers DX, R11).
#define SN_MASK2 \
	MOVQ CX, DX    \
	SHRQ $2, DX    \
	ANDQ $15, DX   \
	NEGQ DX        \
	ADDQ $16, DX   \
	LEAQ ·fusedTailMask(SB), R11 \
	VMOVDQU (R11)(DX*4), Y12 \
	VMOVDQU 32(R11)(DX*4), Y13

// SN_SQ512 adds the squares of the 16 floats in Z0 to the lanes Z8, Z9.
#define SN_SQ512 \
	VCVTPS2PD     Y0, Z4     \
	VEXTRACTF64X4 $1, Z0, Y5 \
	VCVTPS2PD     Y5, Z5     \
	VFMADD231PD   Z4, Z4, Z8 \
	VFMADD231PD   Z5, Z5, Z9

// SN_UPD512 updates 16 elements: Z0 = g, Z1 = m, Z2 = p, Q the quotients;
// out: Z4 = m, Z2 = p. Constants Z16 = b1, Z17 = omb1, Z18 = decay.
#define SN_UPD512(Q) \
	VMULPS       Z0, Z17, Z4 /* mm := omb1*g          */ \
	VFMADD231PS  Z1, Z16, Z4 /* mm += b1*m            */ \
	VMULPS       Z2, Z18, Z2 /* p *= decay            */ \
	VFNMADD231PS Z4, Q, Z2   /* p -= q*mm             */

// func snRowsAVX512(p, g, m, s []float32, rows, cols int, b1, omb1, b2, omb2, decay, step, eps float32)
TEXT ·snRowsAVX512(SB), NOSPLIT, $8-140
	MOVQ p_base+0(FP), DI
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ s_base+72(FP), R9
	MOVQ rows+96(FP), R10
	MOVQ cols+104(FP), CX
	VBROADCASTSS b1+112(FP), Z16
	VBROADCASTSS omb1+116(FP), Z17
	VMOVSS b2+120(FP), X12
	VMOVSS omb2+124(FP), X13
	VBROADCASTSS decay+128(FP), Z18
	VMOVSS step+132(FP), X14
	VMOVSS eps+136(FP), X15
	FUSED_FTZ
	SHLQ $2, CX                     // CX = row bytes
	MOVQ CX, BX
	ANDQ $-64, BX                   // BX = bytes in whole vectors
	SN_K1

snr5Row:
	VXORPD Z8, Z8, Z8
	VXORPD Z9, Z9, Z9
	XORQ AX, AX

snr5Sum:                            // S = Σ g² in lanes Z8, Z9
	CMPQ AX, BX
	JAE  snr5SumTail
	VMOVUPS (SI)(AX*1), Z0
	SN_SQ512
	ADDQ $64, AX
	JMP  snr5Sum

snr5SumTail:
	CMPQ AX, CX
	JAE  snr5SumDone
	VMOVUPS.Z (SI)(AX*1), K1, Z0
	SN_SQ512

snr5SumDone:
	LANES16_512(Z8, Z9, Y8, X8, Y10, X10)
	VCVTSD2SS X8, X8, X8            // S in float32
	VMULSS X13, X8, X8              // omb2*S
	VMOVSS (R9), X1
	VMULSS X12, X1, X1              // b2*s
	VADDSS X8, X1, X1               // s = b2*s + omb2*S
	VMOVSS X1, (R9)
	VSQRTSS X1, X1, X2
	VADDSS X15, X2, X2              // d = sqrt(s) + eps
	VDIVSS X2, X14, X3              // q = step/d
	VBROADCASTSS X3, Z3
	XORQ AX, AX

snr5Upd:
	CMPQ AX, BX
	JAE  snr5UpdTail
	VMOVUPS (SI)(AX*1), Z0
	VMOVUPS (R8)(AX*1), Z1
	VMOVUPS (DI)(AX*1), Z2
	SN_UPD512(Z3)
	VMOVUPS Z4, (R8)(AX*1)
	VMOVUPS Z2, (DI)(AX*1)
	ADDQ $64, AX
	JMP  snr5Upd

snr5UpdTail:
	CMPQ AX, CX
	JAE  snr5Next
	VMOVUPS.Z (SI)(AX*1), K1, Z0
	VMOVUPS.Z (R8)(AX*1), K1, Z1
	VMOVUPS.Z (DI)(AX*1), K1, Z2
	SN_UPD512(Z3)
	VMOVUPS Z4, K1, (R8)(AX*1)
	VMOVUPS Z2, K1, (DI)(AX*1)

snr5Next:
	ADDQ CX, SI
	ADDQ CX, DI
	ADDQ CX, R8
	ADDQ $4, R9
	DECQ R10
	JNZ  snr5Row
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// SN_COL512 adds omb2*(g*g) for the 16 floats in Z0 to Z1 (Z15 = omb2).
#define SN_COL512 \
	VMULPS Z0, Z0, Z0  \
	VMULPS Z0, Z15, Z0 \
	VADDPS Z0, Z1, Z1

// func snColSumAVX512(s, g []float32, rows, cols int, omb2 float32)
TEXT ·snColSumAVX512(SB), NOSPLIT, $8-68
	MOVQ s_base+0(FP), R8
	MOVQ g_base+24(FP), SI
	MOVQ rows+48(FP), R10
	MOVQ cols+56(FP), CX
	VBROADCASTSS omb2+64(FP), Z15
	FUSED_FTZ
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-64, BX
	SN_K1

snc5Row:
	XORQ AX, AX

snc5Vec:
	CMPQ AX, BX
	JAE  snc5Tail
	VMOVUPS (SI)(AX*1), Z0
	VMOVUPS (R8)(AX*1), Z1
	SN_COL512
	VMOVUPS Z1, (R8)(AX*1)
	ADDQ $64, AX
	JMP  snc5Vec

snc5Tail:
	CMPQ AX, CX
	JAE  snc5Next
	VMOVUPS.Z (SI)(AX*1), K1, Z0
	VMOVUPS.Z (R8)(AX*1), K1, Z1
	SN_COL512
	VMOVUPS Z1, K1, (R8)(AX*1)

snc5Next:
	ADDQ CX, SI
	DECQ R10
	JNZ  snc5Row
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// func snColsAVX512(p, g, m, q []float32, rows, cols int, b1, omb1, decay float32)
TEXT ·snColsAVX512(SB), NOSPLIT, $8-124
	MOVQ p_base+0(FP), DI
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ q_base+72(FP), R9
	MOVQ rows+96(FP), R10
	MOVQ cols+104(FP), CX
	VBROADCASTSS b1+112(FP), Z16
	VBROADCASTSS omb1+116(FP), Z17
	VBROADCASTSS decay+120(FP), Z18
	FUSED_FTZ
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-64, BX
	SN_K1

snq5Row:
	XORQ AX, AX

snq5Vec:
	CMPQ AX, BX
	JAE  snq5Tail
	VMOVUPS (SI)(AX*1), Z0
	VMOVUPS (R8)(AX*1), Z1
	VMOVUPS (DI)(AX*1), Z2
	VMOVUPS (R9)(AX*1), Z3
	SN_UPD512(Z3)
	VMOVUPS Z4, (R8)(AX*1)
	VMOVUPS Z2, (DI)(AX*1)
	ADDQ $64, AX
	JMP  snq5Vec

snq5Tail:
	CMPQ AX, CX
	JAE  snq5Next
	VMOVUPS.Z (SI)(AX*1), K1, Z0
	VMOVUPS.Z (R8)(AX*1), K1, Z1
	VMOVUPS.Z (DI)(AX*1), K1, Z2
	VMOVUPS.Z (R9)(AX*1), K1, Z3
	SN_UPD512(Z3)
	VMOVUPS Z4, K1, (R8)(AX*1)
	VMOVUPS Z2, K1, (DI)(AX*1)

snq5Next:
	ADDQ CX, SI
	ADDQ CX, DI
	ADDQ CX, R8
	DECQ R10
	JNZ  snq5Row
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// SN_SQ2 adds the squares of the 8 floats in Y0 to the lanes LA (4 low)
// and LB (4 high); temporaries Y2, Y3.
#define SN_SQ2(LA, LB) \
	VCVTPS2PD    X0, Y2      \
	VEXTRACTF128 $1, Y0, X3  \
	VCVTPS2PD    X3, Y3      \
	VFMADD231PD  Y2, Y2, LA  \
	VFMADD231PD  Y3, Y3, LB

// SN_UPD2 updates 8 elements: Y0 = g, Y1 = m, Y2 = p, Q the quotients;
// out: Y4 = m, Y2 = p. Constants Y14 = b1, Y15 = omb1, Y7 = decay.
#define SN_UPD2(Q) \
	VMULPS       Y0, Y15, Y4 \
	VFMADD231PS  Y1, Y14, Y4 \
	VMULPS       Y2, Y7, Y2  \
	VFNMADD231PS Y4, Q, Y2

// SN_UPD2_VEC updates the 8 elements at byte offset off+AX, quotients Q.
#define SN_UPD2_VEC(off, Q) \
	VMOVUPS off(SI)(AX*1), Y0 \
	VMOVUPS off(R8)(AX*1), Y1 \
	VMOVUPS off(DI)(AX*1), Y2 \
	SN_UPD2(Q)                \
	VMOVUPS Y4, off(R8)(AX*1) \
	VMOVUPS Y2, off(DI)(AX*1)

// SN_UPD2_MASK updates the 8 elements at off+AX under the lane mask M.
#define SN_UPD2_MASK(off, M, Q) \
	VMASKMOVPS off(SI)(AX*1), M, Y0 \
	VMASKMOVPS off(R8)(AX*1), M, Y1 \
	VMASKMOVPS off(DI)(AX*1), M, Y2 \
	SN_UPD2(Q)                      \
	VMASKMOVPS Y4, M, off(R8)(AX*1) \
	VMASKMOVPS Y2, M, off(DI)(AX*1)

// func snRowsAVX2(p, g, m, s []float32, rows, cols int, b1, omb1, b2, omb2, decay, step, eps float32)
TEXT ·snRowsAVX2(SB), NOSPLIT, $8-140
	MOVQ p_base+0(FP), DI
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ s_base+72(FP), R9
	MOVQ rows+96(FP), R10
	MOVQ cols+104(FP), CX
	VBROADCASTSS b1+112(FP), Y14
	VBROADCASTSS omb1+116(FP), Y15
	VBROADCASTSS decay+128(FP), Y7
	FUSED_FTZ
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-64, BX
	SN_MASK2

snr2Row:
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	XORQ AX, AX

snr2Sum:
	CMPQ AX, BX
	JAE  snr2SumTail
	VMOVUPS (SI)(AX*1), Y0
	SN_SQ2(Y8, Y9)
	VMOVUPS 32(SI)(AX*1), Y0
	SN_SQ2(Y10, Y11)
	ADDQ $64, AX
	JMP  snr2Sum

snr2SumTail:
	CMPQ AX, CX
	JAE  snr2SumDone
	VMASKMOVPS (SI)(AX*1), Y12, Y0
	SN_SQ2(Y8, Y9)
	VMASKMOVPS 32(SI)(AX*1), Y13, Y0
	SN_SQ2(Y10, Y11)

snr2SumDone:
	LANES16_AVX2(Y8, Y9, Y10, Y11, X8, X10)
	VCVTSD2SS X8, X8, X8
	VMULSS omb2+124(FP), X8, X8
	VMOVSS (R9), X1
	VMULSS b2+120(FP), X1, X1
	VADDSS X8, X1, X1
	VMOVSS X1, (R9)
	VSQRTSS X1, X1, X2
	VADDSS eps+136(FP), X2, X2
	VMOVSS step+132(FP), X3
	VDIVSS X2, X3, X3
	VBROADCASTSS X3, Y6
	XORQ AX, AX

snr2Upd:
	CMPQ AX, BX
	JAE  snr2UpdTail
	SN_UPD2_VEC(0, Y6)
	SN_UPD2_VEC(32, Y6)
	ADDQ $64, AX
	JMP  snr2Upd

snr2UpdTail:
	CMPQ AX, CX
	JAE  snr2Next
	SN_UPD2_MASK(0, Y12, Y6)
	SN_UPD2_MASK(32, Y13, Y6)

snr2Next:
	ADDQ CX, SI
	ADDQ CX, DI
	ADDQ CX, R8
	ADDQ $4, R9
	DECQ R10
	JNZ  snr2Row
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// SN_COL2 adds omb2*(g*g) for the 8 floats in Y0 to Y1 (Y15 = omb2).
#define SN_COL2 \
	VMULPS Y0, Y0, Y0  \
	VMULPS Y0, Y15, Y0 \
	VADDPS Y0, Y1, Y1

// func snColSumAVX2(s, g []float32, rows, cols int, omb2 float32)
TEXT ·snColSumAVX2(SB), NOSPLIT, $8-68
	MOVQ s_base+0(FP), R8
	MOVQ g_base+24(FP), SI
	MOVQ rows+48(FP), R10
	MOVQ cols+56(FP), CX
	VBROADCASTSS omb2+64(FP), Y15
	FUSED_FTZ
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-64, BX
	SN_MASK2

snc2Row:
	XORQ AX, AX

snc2Vec:
	CMPQ AX, BX
	JAE  snc2Tail
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS (R8)(AX*1), Y1
	SN_COL2
	VMOVUPS Y1, (R8)(AX*1)
	VMOVUPS 32(SI)(AX*1), Y0
	VMOVUPS 32(R8)(AX*1), Y1
	SN_COL2
	VMOVUPS Y1, 32(R8)(AX*1)
	ADDQ $64, AX
	JMP  snc2Vec

snc2Tail:
	CMPQ AX, CX
	JAE  snc2Next
	VMASKMOVPS (SI)(AX*1), Y12, Y0
	VMASKMOVPS (R8)(AX*1), Y12, Y1
	SN_COL2
	VMASKMOVPS Y1, Y12, (R8)(AX*1)
	VMASKMOVPS 32(SI)(AX*1), Y13, Y0
	VMASKMOVPS 32(R8)(AX*1), Y13, Y1
	SN_COL2
	VMASKMOVPS Y1, Y13, 32(R8)(AX*1)

snc2Next:
	ADDQ CX, SI
	DECQ R10
	JNZ  snc2Row
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// func snColsAVX2(p, g, m, q []float32, rows, cols int, b1, omb1, decay float32)
TEXT ·snColsAVX2(SB), NOSPLIT, $8-124
	MOVQ p_base+0(FP), DI
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ q_base+72(FP), R9
	MOVQ rows+96(FP), R10
	MOVQ cols+104(FP), CX
	VBROADCASTSS b1+112(FP), Y14
	VBROADCASTSS omb1+116(FP), Y15
	VBROADCASTSS decay+120(FP), Y7
	FUSED_FTZ
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-64, BX
	SN_MASK2

snq2Row:
	XORQ AX, AX

snq2Vec:
	CMPQ AX, BX
	JAE  snq2Tail
	VMOVUPS (R9)(AX*1), Y6
	SN_UPD2_VEC(0, Y6)
	VMOVUPS 32(R9)(AX*1), Y6
	SN_UPD2_VEC(32, Y6)
	ADDQ $64, AX
	JMP  snq2Vec

snq2Tail:
	CMPQ AX, CX
	JAE  snq2Next
	VMASKMOVPS (R9)(AX*1), Y12, Y6
	SN_UPD2_MASK(0, Y12, Y6)
	VMASKMOVPS 32(R9)(AX*1), Y13, Y6
	SN_UPD2_MASK(32, Y13, Y6)

snq2Next:
	ADDQ CX, SI
	ADDQ CX, DI
	ADDQ CX, R8
	DECQ R10
	JNZ  snq2Row
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET
