//go:build amd64 && gc && !purego

#include "textflag.h"
#include "fused_amd64.h"

// Fused Adafactor kernels; see fused_adafactor_amd64.go for the Go each
// computes. Row loops: SI = g row, DI = p row, R10 = m row (advanced by
// CX, the row length in bytes), R9 = the per-row pointer (rs or rf), R8
// = the per-column array (cs or cf, not advanced); AX is the byte offset
// of the 16-float block in the row, BX the bytes in whole blocks. The
// last cols%16 floats of a row run under masks: K1 (floats 0..15; for
// float64 lanes, K1 for lanes 0..7 and K2 = K1>>8 for 8..15) on AVX-512,
// and on AVX2 the dword masks at R12 (floats 0..7) and 32(R12) (8..15)
// with VMASKMOVPS. Lane sums follow the references: element j of a row
// in lane j mod 16, combined as lanes16 does (afVec first adds in float32
// lanes, moved to float64 every 4096 bytes). The MXCSR of the caller is saved in the frame,
// FTZ|DAZ (0x8040) set, and the saved value restored before RET.
//
// The vector passes (afVec, afApply) load every stream of a vector before
// they store to any: the slices are often page aligned, and a load after a
// store to another slice at the same offset mod 4096 waits on 4K
// aliasing. They issue no software prefetch (the hardware prefetchers
// keep up; PREFETCHT0 made afApply about a fifth slower at n = 1e6), and
// afApply runs from the end of the slices to the start, so that it first
// reads the lines afVec left in L2.

// AF_BYTES turns CX = cols into the row bytes and sets BX to the bytes in
// whole 16-float blocks.
#define AF_BYTES \
	SHLQ $2, CX    \
	MOVQ CX, BX    \
	ANDQ $-64, BX

// AF_K12 sets K1 to the lanes of the last cols%16 floats of a row and K2
// = K1>>8, from CX = row bytes, which it keeps (clobbers DX, R11).
#define AF_K12 \
	MOVQ CX, R11   \
	SHRQ $2, CX    \
	ANDQ $15, CX   \
	MOVL $1, DX    \
	SHLL CX, DX    \
	DECL DX        \
	KMOVW DX, K1   \
	KSHIFTRW $8, K1, K2 \
	MOVQ R11, CX

// AF_MASKPTR sets R12 to the AVX2 dword masks of the last cols%16 floats
// of a row, from CX = row bytes (clobbers DX).
#define AF_MASKPTR \
	MOVQ CX, DX    \
	SHRQ $2, DX    \
	ANDQ $15, DX   \
	NEGQ DX        \
	ADDQ $16, DX   \
	LEAQ ·fusedTailMask(SB), R12 \
	LEAQ (R12)(DX*4), R12

// AF_SQ512F adds the squares of the 16 floats in Z (Y its low half), in
// float64, to the lanes LA (0..7) and LB (8..15); temporaries Z6, Z7.
#define AF_SQ512F(Z, Y, LA, LB) \
	VCVTPS2PD     Y, Z6      \
	VEXTRACTF64X4 $1, Z, Y7  \
	VCVTPS2PD     Y7, Z7     \
	VFMADD231PD   Z6, Z6, LA \
	VFMADD231PD   Z7, Z7, LB

// AF_GSQ512 squares the 16 floats of g in Z0 into Z1 (0..7) and Z2
// (8..15) in float64 and adds them to the row lanes Z8, Z9.
#define AF_GSQ512 \
	VCVTPS2PD     Y0, Z1     \
	VEXTRACTF64X4 $1, Z0, Y2 \
	VCVTPS2PD     Y2, Z2     \
	VMULPD        Z1, Z1, Z1 \
	VMULPD        Z2, Z2, Z2 \
	VADDPD        Z1, Z8, Z8 \
	VADDPD        Z2, Z9, Z9

// AF_PFLUSH512 adds the float32 P lanes Z13 to the float64 lanes Z10
// (0..7), Z11 (8..15) and clears them; temporaries Z6, Z7.
#define AF_PFLUSH512 \
	VCVTPS2PD     Y13, Z6     \
	VEXTRACTF64X4 $1, Z13, Y7 \
	VCVTPS2PD     Y7, Z7      \
	VADDPD        Z6, Z10, Z10 \
	VADDPD        Z7, Z11, Z11 \
	VXORPS        Z13, Z13, Z13

// func afSumsAVX512(g, p []float32, rows, cols int, rs, cs []float64) (psq float64)
TEXT ·afSumsAVX512(SB), NOSPLIT, $8-120
	MOVQ g_base+0(FP), SI
	MOVQ p_base+24(FP), DI
	MOVQ rows+48(FP), R10
	MOVQ cols+56(FP), CX
	MOVQ rs_base+64(FP), R9
	MOVQ cs_base+88(FP), R8
	FUSED_FTZ
	AF_BYTES
	AF_K12
	VXORPD Z10, Z10, Z10            // P lanes, float64
	VXORPD Z11, Z11, Z11
	VXORPS Z13, Z13, Z13            // P lanes, float32 (this row's chunk)

afs5Row:
	VXORPD Z8, Z8, Z8               // row lanes
	VXORPD Z9, Z9, Z9
	XORQ AX, AX

afs5Vec:
	CMPQ AX, BX
	JAE  afs5Tail
	VMOVUPS (SI)(AX*1), Z0
	VMOVUPS (DI)(AX*1), Z5
	VMULPS  Z5, Z5, Z5
	VADDPS  Z5, Z13, Z13
	AF_GSQ512
	VADDPD  (R8)(AX*2), Z1, Z3
	VMOVUPD Z3, (R8)(AX*2)
	VADDPD  64(R8)(AX*2), Z2, Z4
	VMOVUPD Z4, 64(R8)(AX*2)
	ADDQ $64, AX
	TESTQ $4095, AX                 // a chunk of 1024 floats done
	JNZ  afs5Vec
	AF_PFLUSH512
	JMP  afs5Vec

afs5Tail:
	CMPQ AX, CX
	JAE  afs5RowDone
	VMOVUPS.Z (SI)(AX*1), K1, Z0
	VMOVUPS.Z (DI)(AX*1), K1, Z5
	VMULPS  Z5, Z5, Z5
	VADDPS  Z5, Z13, Z13
	AF_GSQ512
	VMOVUPD.Z (R8)(AX*2), K1, Z3
	VADDPD  Z1, Z3, Z3
	VMOVUPD Z3, K1, (R8)(AX*2)
	VMOVUPD.Z 64(R8)(AX*2), K2, Z4
	VADDPD  Z2, Z4, Z4
	VMOVUPD Z4, K2, 64(R8)(AX*2)

afs5RowDone:
	AF_PFLUSH512
	LANES16_512(Z8, Z9, Y8, X8, Y12, X12)
	VMOVSD X8, (R9)
	ADDQ $8, R9
	ADDQ CX, SI
	ADDQ CX, DI
	DECQ R10
	JNZ  afs5Row
	LANES16_512(Z10, Z11, Y10, X10, Y12, X12)
	VMOVSD X10, psq+112(FP)
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// AF_UFLUSH512 adds the float32 U lanes Z13 to the float64 lanes Z8
// (0..7), Z9 (8..15) and clears them; temporaries Z6, Z7.
#define AF_UFLUSH512 \
	VCVTPS2PD     Y13, Z6     \
	VEXTRACTF64X4 $1, Z13, Y7 \
	VCVTPS2PD     Y7, Z7      \
	VADDPD        Z6, Z8, Z8  \
	VADDPD        Z7, Z9, Z9  \
	VXORPS        Z13, Z13, Z13

// func afUSumAVX512(g, rf, cf []float32, rows, cols int) (usq float64)
TEXT ·afUSumAVX512(SB), NOSPLIT, $8-96
	MOVQ g_base+0(FP), SI
	MOVQ rf_base+24(FP), R9
	MOVQ cf_base+48(FP), R8
	MOVQ rows+72(FP), R10
	MOVQ cols+80(FP), CX
	FUSED_FTZ
	AF_BYTES
	AF_K12
	VXORPD Z8, Z8, Z8               // U lanes, float64
	VXORPD Z9, Z9, Z9
	VXORPS Z13, Z13, Z13            // U lanes, float32 (this row's chunk)

afq5Row:
	VBROADCASTSS (R9), Z15          // a = rf[i]
	XORQ AX, AX

afq5Vec:
	CMPQ AX, BX
	JAE  afq5Tail
	VMOVUPS (SI)(AX*1), Z0
	VMULPS  Z15, Z0, Z0             // g*a
	VMULPS  (R8)(AX*1), Z0, Z0      // U = (g*a)*b
	VMULPS  Z0, Z0, Z0
	VADDPS  Z0, Z13, Z13
	ADDQ $64, AX
	TESTQ $4095, AX                 // a chunk of 1024 floats done
	JNZ  afq5Vec
	AF_UFLUSH512
	JMP  afq5Vec

afq5Tail:
	CMPQ AX, CX
	JAE  afq5Next
	VMOVUPS.Z (SI)(AX*1), K1, Z0
	VMOVUPS.Z (R8)(AX*1), K1, Z1
	VMULPS  Z15, Z0, Z0
	VMULPS  Z1, Z0, Z0
	VMULPS  Z0, Z0, Z0
	VADDPS  Z0, Z13, Z13

afq5Next:
	AF_UFLUSH512
	ADDQ $4, R9
	ADDQ CX, SI
	DECQ R10
	JNZ  afq5Row
	LANES16_512(Z8, Z9, Y8, X8, Y12, X12)
	VMOVSD X8, usq+88(FP)
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// AF_P512 finishes an update without momentum: Z0 = U, Z2 = p on entry;
// p = p*decay - step*U in Z2.
#define AF_P512 \
	VMULPS       Z2, Z20, Z2 \
	VFNMADD231PS Z0, Z19, Z2

// AF_M512 finishes an update with momentum: Z0 = U, Z1 = m, Z2 = p on
// entry; x = sc*U, m = b1*m + omb1*x in Z0, p = p*decay - step*m in Z2.
#define AF_M512 \
	VMULPS       Z0, Z18, Z0 \
	VMULPS       Z0, Z17, Z0 \
	VFMADD231PS  Z1, Z16, Z0 \
	VMULPS       Z2, Z20, Z2 \
	VFNMADD231PS Z0, Z19, Z2

// func afUpdateAVX512(p, g, m, rf, cf []float32, rows, cols int, b1, omb1, sc, step, decay float32)
TEXT ·afUpdateAVX512(SB), NOSPLIT, $8-156
	MOVQ p_base+0(FP), DI
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R10
	MOVQ m_len+56(FP), R12
	MOVQ rf_base+72(FP), R9
	MOVQ cf_base+96(FP), R8
	MOVQ rows+120(FP), R13
	MOVQ cols+128(FP), CX
	VBROADCASTSS b1+136(FP), Z16
	VBROADCASTSS omb1+140(FP), Z17
	VBROADCASTSS sc+144(FP), Z18
	VBROADCASTSS step+148(FP), Z19
	VBROADCASTSS decay+152(FP), Z20
	FUSED_FTZ
	AF_BYTES
	AF_K12
	TESTQ R12, R12
	JNZ   afm5Row

afu5Row:
	VBROADCASTSS (R9), Z15
	XORQ AX, AX

afu5Vec:
	CMPQ AX, BX
	JAE  afu5Tail
	VMOVUPS (SI)(AX*1), Z0
	VMULPS  Z15, Z0, Z0
	VMULPS  (R8)(AX*1), Z0, Z0
	VMOVUPS (DI)(AX*1), Z2
	AF_P512
	VMOVUPS Z2, (DI)(AX*1)
	ADDQ $64, AX
	JMP  afu5Vec

afu5Tail:
	CMPQ AX, CX
	JAE  afu5Next
	VMOVUPS.Z (SI)(AX*1), K1, Z0
	VMOVUPS.Z (R8)(AX*1), K1, Z1
	VMULPS  Z15, Z0, Z0
	VMULPS  Z1, Z0, Z0
	VMOVUPS.Z (DI)(AX*1), K1, Z2
	AF_P512
	VMOVUPS Z2, K1, (DI)(AX*1)

afu5Next:
	ADDQ $4, R9
	ADDQ CX, SI
	ADDQ CX, DI
	DECQ R13
	JNZ  afu5Row
	JMP  afUpd5Done

afm5Row:
	VBROADCASTSS (R9), Z15
	XORQ AX, AX

afm5Vec:
	CMPQ AX, BX
	JAE  afm5Tail
	VMOVUPS (SI)(AX*1), Z0
	VMULPS  Z15, Z0, Z0
	VMULPS  (R8)(AX*1), Z0, Z0
	VMOVUPS (R10)(AX*1), Z1
	VMOVUPS (DI)(AX*1), Z2
	AF_M512
	VMOVUPS Z0, (R10)(AX*1)
	VMOVUPS Z2, (DI)(AX*1)
	ADDQ $64, AX
	JMP  afm5Vec

afm5Tail:
	CMPQ AX, CX
	JAE  afm5Next
	VMOVUPS.Z (SI)(AX*1), K1, Z0
	VMOVUPS.Z (R8)(AX*1), K1, Z1
	VMULPS  Z15, Z0, Z0
	VMULPS  Z1, Z0, Z0
	VMOVUPS.Z (R10)(AX*1), K1, Z1
	VMOVUPS.Z (DI)(AX*1), K1, Z2
	AF_M512
	VMOVUPS Z0, K1, (R10)(AX*1)
	VMOVUPS Z2, K1, (DI)(AX*1)

afm5Next:
	ADDQ $4, R9
	ADDQ CX, SI
	ADDQ CX, DI
	ADDQ CX, R10
	DECQ R13
	JNZ  afm5Row

afUpd5Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// AF_VEC512 computes, for g in Z0 and v in Z1: q = g*g + eps1,
// v = b*v + omb*q in Z1 (every product and sum rounded, no fused
// multiply-add), U = g/sqrt(v) in Z3 (Z16 = b, Z17 = omb, Z18 = eps1).
#define AF_VEC512 \
	VMULPS  Z0, Z0, Z2   \
	VADDPS  Z18, Z2, Z2  \
	VMULPS  Z2, Z17, Z2  \
	VMULPS  Z1, Z16, Z1  \
	VADDPS  Z2, Z1, Z1   \
	VSQRTPS Z1, Z2       \
	VDIVPS  Z2, Z0, Z3

// AF_VEC512_BLK runs AF_VEC512 on the whole vector at byte offset off+AX:
// v and u stored, the squares of U and p (rounded to float32) added to
// the float32 lanes Z12 and Z13. p is loaded before the stores (4K
// aliasing: pass 1 at n = 1e6 went from 1.11 to 0.97 times AdamStep).
#define AF_VEC512_BLK(off) \
	VMOVUPS off(SI)(AX*1), Z0   \
	VMOVUPS off(R8)(AX*1), Z1   \
	VMOVUPS off(DI)(AX*1), Z5   \
	VMULPS  Z5, Z5, Z5          \
	VADDPS  Z5, Z13, Z13        \
	AF_VEC512                   \
	VMOVUPS Z1, off(R8)(AX*1)   \
	VMOVUPS Z3, off(R9)(AX*1)   \
	VMULPS  Z3, Z3, Z4          \
	VADDPS  Z4, Z12, Z12

// AF_FLUSH512 adds the float32 lanes Z12 (U) and Z13 (p) to the float64
// lanes Z8, Z9 and Z10, Z11, and clears them.
#define AF_FLUSH512 \
	VCVTPS2PD     Y12, Z4     \
	VEXTRACTF64X4 $1, Z12, Y5 \
	VCVTPS2PD     Y5, Z5      \
	VADDPD        Z4, Z8, Z8  \
	VADDPD        Z5, Z9, Z9  \
	VCVTPS2PD     Y13, Z4     \
	VEXTRACTF64X4 $1, Z13, Y5 \
	VCVTPS2PD     Y5, Z5      \
	VADDPD        Z4, Z10, Z10 \
	VADDPD        Z5, Z11, Z11 \
	VXORPS        Z12, Z12, Z12 \
	VXORPS        Z13, Z13, Z13

// func afVecAVX512(p, g, v, u []float32, b, omb, eps1 float32) (usq, psq float64)
TEXT ·afVecAVX512(SB), NOSPLIT, $8-128
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ v_base+48(FP), R8
	MOVQ u_base+72(FP), R9
	VBROADCASTSS b+96(FP), Z16
	VBROADCASTSS omb+100(FP), Z17
	VBROADCASTSS eps1+104(FP), Z18
	FUSED_FTZ
	AF_BYTES
	AF_K12
	VXORPD Z8, Z8, Z8               // U lanes, float64
	VXORPD Z9, Z9, Z9
	VXORPD Z10, Z10, Z10            // P lanes, float64
	VXORPD Z11, Z11, Z11
	VXORPS Z12, Z12, Z12            // U lanes, float32 (this chunk)
	VXORPS Z13, Z13, Z13            // P lanes, float32
	MOVQ CX, R11
	ANDQ $-128, R11                 // R11 = bytes in whole 2-vector blocks
	XORQ AX, AX

afv5Two:                            // 32 floats; a chunk (4096 B) is 32 of these
	CMPQ AX, R11
	JAE  afv5Vec
	AF_VEC512_BLK(0)
	AF_VEC512_BLK(64)
	ADDQ $128, AX
	TESTQ $4095, AX
	JNZ  afv5Two
	AF_FLUSH512
	JMP  afv5Two

afv5Vec:                            // at most one whole vector left
	CMPQ AX, BX
	JAE  afv5Tail
	AF_VEC512_BLK(0)
	ADDQ $64, AX

afv5Tail:
	CMPQ AX, CX
	JAE  afv5Done
	VMOVUPS.Z (SI)(AX*1), K1, Z0
	VMOVUPS.Z (R8)(AX*1), K1, Z1
	VMOVUPS.Z (DI)(AX*1), K1, Z5
	VMULPS  Z5, Z5, Z5
	VADDPS  Z5, Z13, K1, Z13
	AF_VEC512
	VMOVUPS Z1, K1, (R8)(AX*1)
	VMOVUPS Z3, K1, (R9)(AX*1)
	VMULPS  Z3, Z3, Z4
	VADDPS  Z4, Z12, K1, Z12

afv5Done:
	AF_FLUSH512
	LANES16_512(Z8, Z9, Y8, X8, Y12, X12)
	VMOVSD X8, usq+112(FP)
	LANES16_512(Z10, Z11, Y10, X10, Y12, X12)
	VMOVSD X10, psq+120(FP)
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// AF_APP512 and AF_APPM512 update the whole vector at byte offset off+AX
// from U in u (SI), without and with momentum (m at R10).
#define AF_APP512(off) \
	VMOVUPS off(SI)(AX*1), Z0   \
	VMOVUPS off(DI)(AX*1), Z2   \
	AF_P512                     \
	VMOVUPS Z2, off(DI)(AX*1)

#define AF_APPM512(off) \
	VMOVUPS off(SI)(AX*1), Z0   \
	VMOVUPS off(R10)(AX*1), Z1  \
	VMOVUPS off(DI)(AX*1), Z2   \
	AF_M512                     \
	VMOVUPS Z0, off(R10)(AX*1)  \
	VMOVUPS Z2, off(DI)(AX*1)

// func afApplyAVX512(p, u, m []float32, b1, omb1, sc, step, decay float32)
TEXT ·afApplyAVX512(SB), NOSPLIT, $8-92
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ u_base+24(FP), SI
	MOVQ m_base+48(FP), R10
	MOVQ m_len+56(FP), R12
	VBROADCASTSS b1+72(FP), Z16
	VBROADCASTSS omb1+76(FP), Z17
	VBROADCASTSS sc+80(FP), Z18
	VBROADCASTSS step+84(FP), Z19
	VBROADCASTSS decay+88(FP), Z20
	FUSED_FTZ
	AF_BYTES
	AF_K12
	MOVQ BX, AX                     // backwards: the masked tail first
	TESTQ R12, R12
	JNZ   afam5Tail

afa5Tail:
	CMPQ AX, CX
	JAE  afa5Vec
	VMOVUPS.Z (SI)(AX*1), K1, Z0
	VMOVUPS.Z (DI)(AX*1), K1, Z2
	AF_P512
	VMOVUPS Z2, K1, (DI)(AX*1)

afa5Vec:                            // an odd whole vector, then pairs
	TESTQ $64, AX
	JZ    afa5Two
	SUBQ  $64, AX
	AF_APP512(0)

afa5Two:
	TESTQ AX, AX
	JZ    afApp5Done
	SUBQ  $128, AX
	AF_APP512(64)
	AF_APP512(0)
	JMP   afa5Two

afam5Tail:
	CMPQ AX, CX
	JAE  afam5Vec
	VMOVUPS.Z (SI)(AX*1), K1, Z0
	VMOVUPS.Z (R10)(AX*1), K1, Z1
	VMOVUPS.Z (DI)(AX*1), K1, Z2
	AF_M512
	VMOVUPS Z0, K1, (R10)(AX*1)
	VMOVUPS Z2, K1, (DI)(AX*1)

afam5Vec:
	TESTQ $64, AX
	JZ    afam5Two
	SUBQ  $64, AX
	AF_APPM512(0)

afam5Two:
	TESTQ AX, AX
	JZ    afApp5Done
	SUBQ  $128, AX
	AF_APPM512(64)
	AF_APPM512(0)
	JMP   afam5Two

afApp5Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// AF_CVT2 converts the 8 floats in Y (X its low half) to float64 in Y1
// (0..3) and Y2 (4..7).
#define AF_CVT2(Y, X) \
	VCVTPS2PD    X, Y1      \
	VEXTRACTF128 $1, Y, X2  \
	VCVTPS2PD    X2, Y2

// AF_SUMS2 is one half (8 floats at byte off, float64 at offd0/offd1) of
// an afSums block: row lanes RA, RB, column sums at R8, float32 P lanes
// PL.
#define AF_SUMS2(off, offd0, offd1, RA, RB, PL) \
	VMOVUPS off(DI)(AX*1), Y3    \
	VMULPS  Y3, Y3, Y3           \
	VADDPS  Y3, PL, PL           \
	VMOVUPS off(SI)(AX*1), Y0    \
	AF_CVT2(Y0, X0)              \
	VMULPD Y1, Y1, Y1            \
	VMULPD Y2, Y2, Y2            \
	VADDPD Y1, RA, RA            \
	VADDPD Y2, RB, RB            \
	VADDPD offd0(R8)(AX*2), Y1, Y3 \
	VMOVUPD Y3, offd0(R8)(AX*2)  \
	VADDPD offd1(R8)(AX*2), Y2, Y3 \
	VMOVUPD Y3, offd1(R8)(AX*2)

// AF_SUMS2M is AF_SUMS2 for the tail half whose dword mask is at moff(R12).
#define AF_SUMS2M(off, moff, offd0, offd1, RA, RB, PL) \
	VMOVDQU moff(R12), Y6            \
	VMASKMOVPS off(DI)(AX*1), Y6, Y3 \
	VMULPS  Y3, Y3, Y3               \
	VADDPS  Y3, PL, PL               \
	VMASKMOVPS off(SI)(AX*1), Y6, Y0 \
	AF_CVT2(Y0, X0)                  \
	VMULPD Y1, Y1, Y1                \
	VMULPD Y2, Y2, Y2                \
	VADDPD Y1, RA, RA                \
	VADDPD Y2, RB, RB                \
	VPMOVSXDQ X6, Y3                 \
	VEXTRACTI128 $1, Y6, X4          \
	VPMOVSXDQ X4, Y4                 \
	VMASKMOVPD offd0(R8)(AX*2), Y3, Y0 \
	VADDPD Y1, Y0, Y0                \
	VMASKMOVPD Y0, Y3, offd0(R8)(AX*2) \
	VMASKMOVPD offd1(R8)(AX*2), Y4, Y0 \
	VADDPD Y2, Y0, Y0                \
	VMASKMOVPD Y0, Y4, offd1(R8)(AX*2)

// AF_PFLUSH2 adds the float32 P lanes Y5 (0..7) and Y7 (8..15) to the
// float64 lanes Y12..Y15 and clears them; temporaries Y1, Y2, X2.
#define AF_PFLUSH2 \
	AF_CVT2(Y5, X5)        \
	VADDPD Y1, Y12, Y12    \
	VADDPD Y2, Y13, Y13    \
	AF_CVT2(Y7, X7)        \
	VADDPD Y1, Y14, Y14    \
	VADDPD Y2, Y15, Y15    \
	VXORPS Y5, Y5, Y5      \
	VXORPS Y7, Y7, Y7

// func afSumsAVX2(g, p []float32, rows, cols int, rs, cs []float64) (psq float64)
TEXT ·afSumsAVX2(SB), NOSPLIT, $8-120
	MOVQ g_base+0(FP), SI
	MOVQ p_base+24(FP), DI
	MOVQ rows+48(FP), R10
	MOVQ cols+56(FP), CX
	MOVQ rs_base+64(FP), R9
	MOVQ cs_base+88(FP), R8
	FUSED_FTZ
	AF_BYTES
	AF_MASKPTR
	VXORPD Y12, Y12, Y12            // P lanes 0..15 in Y12..Y15, float64
	VXORPD Y13, Y13, Y13
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15
	VXORPS Y5, Y5, Y5               // P lanes, float32: Y5 (0..7), Y7 (8..15)
	VXORPS Y7, Y7, Y7

afs2Row:
	VXORPD Y8, Y8, Y8               // row lanes 0..15 in Y8..Y11
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	XORQ AX, AX

afs2Vec:
	CMPQ AX, BX
	JAE  afs2Tail
	AF_SUMS2(0, 0, 32, Y8, Y9, Y5)
	AF_SUMS2(32, 64, 96, Y10, Y11, Y7)
	ADDQ $64, AX
	TESTQ $4095, AX                 // a chunk of 1024 floats done
	JNZ  afs2Vec
	AF_PFLUSH2
	JMP  afs2Vec

afs2Tail:
	CMPQ AX, CX
	JAE  afs2RowDone
	AF_SUMS2M(0, 0, 0, 32, Y8, Y9, Y5)
	AF_SUMS2M(32, 32, 64, 96, Y10, Y11, Y7)

afs2RowDone:
	AF_PFLUSH2
	LANES16_AVX2(Y8, Y9, Y10, Y11, X8, X10)
	VMOVSD X8, (R9)
	ADDQ $8, R9
	ADDQ CX, SI
	ADDQ CX, DI
	DECQ R10
	JNZ  afs2Row
	LANES16_AVX2(Y12, Y13, Y14, Y15, X12, X14)
	VMOVSD X12, psq+112(FP)
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// AF_USQ2 adds the float32 squares of U = (g*a)*b for the 8 floats at
// off to the float32 lanes L (Y15 = a).
#define AF_USQ2(off, L) \
	VMOVUPS off(SI)(AX*1), Y0     \
	VMULPS  Y15, Y0, Y0           \
	VMULPS  off(R8)(AX*1), Y0, Y0 \
	VMULPS  Y0, Y0, Y0            \
	VADDPS  Y0, L, L

#define AF_USQ2M(off, L) \
	VMOVDQU off(R12), Y6             \
	VMASKMOVPS off(SI)(AX*1), Y6, Y0 \
	VMASKMOVPS off(R8)(AX*1), Y6, Y3 \
	VMULPS  Y15, Y0, Y0              \
	VMULPS  Y3, Y0, Y0               \
	VMULPS  Y0, Y0, Y0               \
	VADDPS  Y0, L, L

// AF_UFLUSH2 adds the float32 U lanes Y4 (0..7) and Y5 (8..15) to the
// float64 lanes Y8..Y11 and clears them; temporaries Y1, Y2, X2.
#define AF_UFLUSH2 \
	AF_CVT2(Y4, X4)        \
	VADDPD Y1, Y8, Y8      \
	VADDPD Y2, Y9, Y9      \
	AF_CVT2(Y5, X5)        \
	VADDPD Y1, Y10, Y10    \
	VADDPD Y2, Y11, Y11    \
	VXORPS Y4, Y4, Y4      \
	VXORPS Y5, Y5, Y5

// func afUSumAVX2(g, rf, cf []float32, rows, cols int) (usq float64)
TEXT ·afUSumAVX2(SB), NOSPLIT, $8-96
	MOVQ g_base+0(FP), SI
	MOVQ rf_base+24(FP), R9
	MOVQ cf_base+48(FP), R8
	MOVQ rows+72(FP), R10
	MOVQ cols+80(FP), CX
	FUSED_FTZ
	AF_BYTES
	AF_MASKPTR
	VXORPD Y8, Y8, Y8               // U lanes 0..15 in Y8..Y11, float64
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPS Y4, Y4, Y4               // U lanes, float32: Y4 (0..7), Y5 (8..15)
	VXORPS Y5, Y5, Y5

afq2Row:
	VBROADCASTSS (R9), Y15
	XORQ AX, AX

afq2Vec:
	CMPQ AX, BX
	JAE  afq2Tail
	AF_USQ2(0, Y4)
	AF_USQ2(32, Y5)
	ADDQ $64, AX
	TESTQ $4095, AX                 // a chunk of 1024 floats done
	JNZ  afq2Vec
	AF_UFLUSH2
	JMP  afq2Vec

afq2Tail:
	CMPQ AX, CX
	JAE  afq2Next
	AF_USQ2M(0, Y4)
	AF_USQ2M(32, Y5)

afq2Next:
	AF_UFLUSH2
	ADDQ $4, R9
	ADDQ CX, SI
	DECQ R10
	JNZ  afq2Row
	LANES16_AVX2(Y8, Y9, Y10, Y11, X8, X10)
	VMOVSD X8, usq+88(FP)
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// AF_P2 and AF_M2 are AF_P512 and AF_M512 on 8 floats: Y0 = U, Y1 = m,
// Y2 = p; constants Y10 = b1, Y11 = omb1, Y12 = sc, Y13 = step,
// Y14 = decay.
#define AF_P2 \
	VMULPS       Y2, Y14, Y2 \
	VFNMADD231PS Y0, Y13, Y2

#define AF_M2 \
	VMULPS       Y0, Y12, Y0 \
	VMULPS       Y0, Y11, Y0 \
	VFMADD231PS  Y1, Y10, Y0 \
	VMULPS       Y2, Y14, Y2 \
	VFNMADD231PS Y0, Y13, Y2

// AF_U2 loads U = (g*a)*b for the 8 floats at off into Y0 (Y15 = a).
#define AF_U2(off) \
	VMOVUPS off(SI)(AX*1), Y0     \
	VMULPS  Y15, Y0, Y0           \
	VMULPS  off(R8)(AX*1), Y0, Y0

// AF_U2M is AF_U2 under the mask Y6.
#define AF_U2M(off) \
	VMASKMOVPS off(SI)(AX*1), Y6, Y0 \
	VMASKMOVPS off(R8)(AX*1), Y6, Y3 \
	VMULPS  Y15, Y0, Y0              \
	VMULPS  Y3, Y0, Y0

#define AF_UPD2(off) \
	AF_U2(off)                    \
	VMOVUPS off(DI)(AX*1), Y2     \
	AF_P2                         \
	VMOVUPS Y2, off(DI)(AX*1)

#define AF_UPD2M(off) \
	VMOVDQU off(R12), Y6             \
	AF_U2M(off)                      \
	VMASKMOVPS off(DI)(AX*1), Y6, Y2 \
	AF_P2                            \
	VMASKMOVPS Y2, Y6, off(DI)(AX*1)

#define AF_MOM2(off) \
	AF_U2(off)                    \
	VMOVUPS off(R10)(AX*1), Y1    \
	VMOVUPS off(DI)(AX*1), Y2     \
	AF_M2                         \
	VMOVUPS Y0, off(R10)(AX*1)    \
	VMOVUPS Y2, off(DI)(AX*1)

#define AF_MOM2M(off) \
	VMOVDQU off(R12), Y6              \
	AF_U2M(off)                       \
	VMASKMOVPS off(R10)(AX*1), Y6, Y1 \
	VMASKMOVPS off(DI)(AX*1), Y6, Y2  \
	AF_M2                             \
	VMASKMOVPS Y0, Y6, off(R10)(AX*1) \
	VMASKMOVPS Y2, Y6, off(DI)(AX*1)

// func afUpdateAVX2(p, g, m, rf, cf []float32, rows, cols int, b1, omb1, sc, step, decay float32)
TEXT ·afUpdateAVX2(SB), NOSPLIT, $8-156
	MOVQ p_base+0(FP), DI
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R10
	MOVQ m_len+56(FP), R13
	MOVQ rf_base+72(FP), R9
	MOVQ cf_base+96(FP), R8
	MOVQ cols+128(FP), CX
	VBROADCASTSS b1+136(FP), Y10
	VBROADCASTSS omb1+140(FP), Y11
	VBROADCASTSS sc+144(FP), Y12
	VBROADCASTSS step+148(FP), Y13
	VBROADCASTSS decay+152(FP), Y14
	FUSED_FTZ
	AF_BYTES
	AF_MASKPTR
	TESTQ R13, R13
	MOVQ rows+120(FP), R13
	JNZ   afm2Row

afu2Row:
	VBROADCASTSS (R9), Y15
	XORQ AX, AX

afu2Vec:
	CMPQ AX, BX
	JAE  afu2Tail
	AF_UPD2(0)
	AF_UPD2(32)
	ADDQ $64, AX
	JMP  afu2Vec

afu2Tail:
	CMPQ AX, CX
	JAE  afu2Next
	AF_UPD2M(0)
	AF_UPD2M(32)

afu2Next:
	ADDQ $4, R9
	ADDQ CX, SI
	ADDQ CX, DI
	DECQ R13
	JNZ  afu2Row
	JMP  afUpd2Done

afm2Row:
	VBROADCASTSS (R9), Y15
	XORQ AX, AX

afm2Vec:
	CMPQ AX, BX
	JAE  afm2Tail
	AF_MOM2(0)
	AF_MOM2(32)
	ADDQ $64, AX
	JMP  afm2Vec

afm2Tail:
	CMPQ AX, CX
	JAE  afm2Next
	AF_MOM2M(0)
	AF_MOM2M(32)

afm2Next:
	ADDQ $4, R9
	ADDQ CX, SI
	ADDQ CX, DI
	ADDQ CX, R10
	DECQ R13
	JNZ  afm2Row

afUpd2Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// AF_VEC2 is AF_VEC512 on the 8 floats at off: v stored, U stored to u
// (R9), the squares of U and p (float32) added to the float32 lanes UL
// and PL (Y13 = b, Y14 = omb, Y15 = eps1).
#define AF_VEC2(off, UL, PL) \
	VMOVUPS off(DI)(AX*1), Y5    \
	VMULPS  Y5, Y5, Y5           \
	VADDPS  Y5, PL, PL           \
	VMOVUPS off(SI)(AX*1), Y0    \
	VMULPS  Y0, Y0, Y1           \
	VADDPS  Y15, Y1, Y1          \
	VMULPS  Y1, Y14, Y1          \
	VMULPS  off(R8)(AX*1), Y13, Y4 \
	VADDPS  Y4, Y1, Y1           \
	VMOVUPS Y1, off(R8)(AX*1)    \
	VSQRTPS Y1, Y1               \
	VDIVPS  Y1, Y0, Y0           \
	VMOVUPS Y0, off(R9)(AX*1)    \
	VMULPS  Y0, Y0, Y0           \
	VADDPS  Y0, UL, UL

// AF_VEC2M is AF_VEC2 under the dword mask at off(R12) (in Y3); U and p
// are zero outside the mask before their squares are added.
#define AF_VEC2M(off, UL, PL) \
	VMOVDQU off(R12), Y3             \
	VMASKMOVPS off(DI)(AX*1), Y3, Y5 \
	VMULPS  Y5, Y5, Y5               \
	VADDPS  Y5, PL, PL               \
	VMASKMOVPS off(SI)(AX*1), Y3, Y0 \
	VMASKMOVPS off(R8)(AX*1), Y3, Y4 \
	VMULPS  Y0, Y0, Y1               \
	VADDPS  Y15, Y1, Y1              \
	VMULPS  Y1, Y14, Y1              \
	VMULPS  Y4, Y13, Y4              \
	VADDPS  Y4, Y1, Y1               \
	VMASKMOVPS Y1, Y3, off(R8)(AX*1) \
	VSQRTPS Y1, Y1                   \
	VDIVPS  Y1, Y0, Y0               \
	VANDPS  Y3, Y0, Y0               \
	VMASKMOVPS Y0, Y3, off(R9)(AX*1) \
	VMULPS  Y0, Y0, Y0               \
	VADDPS  Y0, UL, UL

// AF_FLUSH2L adds the 8 float32 lanes L to the float64 lanes at
// off(R13) (4 + 4 doubles) and clears L.
#define AF_FLUSH2L(L, XL, off) \
	VCVTPS2PD    XL, Y0            \
	VADDPD       off(R13), Y0, Y0  \
	VMOVUPD      Y0, off(R13)      \
	VEXTRACTF128 $1, L, X1         \
	VCVTPS2PD    X1, Y1            \
	VADDPD       (off+32)(R13), Y1, Y1 \
	VMOVUPD      Y1, (off+32)(R13) \
	VXORPS       L, L, L

// AF_FLUSH2 flushes the U lanes Y8 (0..7), Y9 (8..15) to the float64
// lanes at 0(R13) and the P lanes Y10, Y11 to those at 128(R13).
#define AF_FLUSH2 \
	AF_FLUSH2L(Y8, X8, 0)     \
	AF_FLUSH2L(Y9, X9, 64)    \
	AF_FLUSH2L(Y10, X10, 128) \
	AF_FLUSH2L(Y11, X11, 192)

// func afVecAVX2(p, g, v, u []float32, b, omb, eps1 float32) (usq, psq float64)
TEXT ·afVecAVX2(SB), NOSPLIT, $264-128
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ v_base+48(FP), R8
	MOVQ u_base+72(FP), R9
	VBROADCASTSS b+96(FP), Y13
	VBROADCASTSS omb+100(FP), Y14
	VBROADCASTSS eps1+104(FP), Y15
	FUSED_FTZ
	AF_BYTES
	AF_MASKPTR
	LEAQ lanes-264(SP), R13         // 32 float64 lanes: U at 0, P at 128
	VXORPD Y0, Y0, Y0
	VMOVUPD Y0, 0(R13)
	VMOVUPD Y0, 32(R13)
	VMOVUPD Y0, 64(R13)
	VMOVUPD Y0, 96(R13)
	VMOVUPD Y0, 128(R13)
	VMOVUPD Y0, 160(R13)
	VMOVUPD Y0, 192(R13)
	VMOVUPD Y0, 224(R13)
	VXORPS Y8, Y8, Y8               // U lanes, float32: Y8 (0..7), Y9 (8..15)
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10            // P lanes, float32: Y10, Y11
	VXORPS Y11, Y11, Y11
	XORQ AX, AX

afv2Vec:                            // 16 floats; a chunk (4096 B) is 64 of these
	CMPQ AX, BX
	JAE  afv2Tail
	AF_VEC2(0, Y8, Y10)
	AF_VEC2(32, Y9, Y11)
	ADDQ $64, AX
	TESTQ $4095, AX
	JNZ  afv2Vec
	AF_FLUSH2
	JMP  afv2Vec

afv2Tail:
	CMPQ AX, CX
	JAE  afv2Done
	AF_VEC2M(0, Y8, Y10)
	AF_VEC2M(32, Y9, Y11)

afv2Done:
	AF_FLUSH2
	VMOVUPD 0(R13), Y8
	VMOVUPD 32(R13), Y9
	VMOVUPD 64(R13), Y10
	VMOVUPD 96(R13), Y11
	LANES16_AVX2(Y8, Y9, Y10, Y11, X8, X10)
	VMOVSD X8, usq+112(FP)
	VMOVUPD 128(R13), Y8
	VMOVUPD 160(R13), Y9
	VMOVUPD 192(R13), Y10
	VMOVUPD 224(R13), Y11
	LANES16_AVX2(Y8, Y9, Y10, Y11, X8, X10)
	VMOVSD X8, psq+120(FP)
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

#define AF_APP2(off) \
	VMOVUPS off(SI)(AX*1), Y0     \
	VMOVUPS off(DI)(AX*1), Y2     \
	AF_P2                         \
	VMOVUPS Y2, off(DI)(AX*1)

#define AF_APP2M(off) \
	VMOVDQU off(R12), Y6             \
	VMASKMOVPS off(SI)(AX*1), Y6, Y0 \
	VMASKMOVPS off(DI)(AX*1), Y6, Y2 \
	AF_P2                            \
	VMASKMOVPS Y2, Y6, off(DI)(AX*1)

#define AF_APPM2(off) \
	VMOVUPS off(SI)(AX*1), Y0     \
	VMOVUPS off(R10)(AX*1), Y1    \
	VMOVUPS off(DI)(AX*1), Y2     \
	AF_M2                         \
	VMOVUPS Y0, off(R10)(AX*1)    \
	VMOVUPS Y2, off(DI)(AX*1)

#define AF_APPM2M(off) \
	VMOVDQU off(R12), Y6              \
	VMASKMOVPS off(SI)(AX*1), Y6, Y0  \
	VMASKMOVPS off(R10)(AX*1), Y6, Y1 \
	VMASKMOVPS off(DI)(AX*1), Y6, Y2  \
	AF_M2                             \
	VMASKMOVPS Y0, Y6, off(R10)(AX*1) \
	VMASKMOVPS Y2, Y6, off(DI)(AX*1)

// func afApplyAVX2(p, u, m []float32, b1, omb1, sc, step, decay float32)
TEXT ·afApplyAVX2(SB), NOSPLIT, $8-92
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ u_base+24(FP), SI
	MOVQ m_base+48(FP), R10
	MOVQ m_len+56(FP), R13
	VBROADCASTSS b1+72(FP), Y10
	VBROADCASTSS omb1+76(FP), Y11
	VBROADCASTSS sc+80(FP), Y12
	VBROADCASTSS step+84(FP), Y13
	VBROADCASTSS decay+88(FP), Y14
	FUSED_FTZ
	AF_BYTES
	AF_MASKPTR
	MOVQ BX, AX                     // backwards: the masked tail first
	TESTQ R13, R13
	JNZ   afam2Tail

afa2Tail:
	CMPQ AX, CX
	JAE  afa2Vec
	AF_APP2M(0)
	AF_APP2M(32)

afa2Vec:
	TESTQ AX, AX
	JZ    afApp2Done
	SUBQ  $64, AX
	AF_APP2(32)
	AF_APP2(0)
	JMP   afa2Vec

afam2Tail:
	CMPQ AX, CX
	JAE  afam2Vec
	AF_APPM2M(0)
	AF_APPM2M(32)

afam2Vec:
	TESTQ AX, AX
	JZ    afApp2Done
	SUBQ  $64, AX
	AF_APPM2(32)
	AF_APPM2(0)
	JMP   afam2Vec

afApp2Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET
