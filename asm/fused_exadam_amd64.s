//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused EXAdam step; see fused_exadam_amd64.go for the Go each kernel
// computes. Pointers: DI = p, SI = g, R8 = m, R9 = v; AX is the byte
// offset of the current vector, CX the byte length. The caller's MXCSR is
// saved in the frame, FTZ|DAZ (0x8040) set, and restored before RET.
//
// Speed (Zen 4, one thread): a VDIVPS takes 6 cycles a zmm and a VSQRTPS
// 10, so the early form (two divisions) is bound near 22 cycles a vector
// and the late one (one division, d2 = 1) near Adam's 16. Every vector
// issues all its loads before its first store (4K aliasing: the slices
// are page-aligned allocations), and every whole 4-vector block
// prefetches each stream EXA_PFD bytes ahead. The AVX2 form keeps nine
// constants in registers and broadcasts β1^t from the frame where used.

// EXA_PFD is the prefetch distance in bytes (not a multiple of 4096).
#define EXA_PFD 3072

// EXA_PF prefetches the cache line EXA_PFD+off bytes past AX in every
// stream.
#define EXA_PF(off) \
	PREFETCHT0 (EXA_PFD+off)(SI)(AX*1) \
	PREFETCHT0 (EXA_PFD+off)(DI)(AX*1) \
	PREFETCHT0 (EXA_PFD+off)(R8)(AX*1) \
	PREFETCHT0 (EXA_PFD+off)(R9)(AX*1)

// EXA_MOMENTS loads one vector (LOADG, LOADP, LOADM, LOADV read g[i],
// p[i], m[i], v[i]): T0 = g, T1 = p·decay, T2 = m', T3 = v'; no store.
#define EXA_MOMENTS(LOADG, LOADP, LOADM, LOADV, T0, T1, T2, T3, DECAY, B1, OMB1, B2, OMB2) \
	VMOVUPS      LOADG, T0        /* g := g[i] */ \
	VMULPS       LOADP, DECAY, T1 /* p := p[i]*decay */ \
	VMULPS       T0, OMB1, T2     /* mm := omb1*g */ \
	VFMADD231PS  LOADM, B1, T2    /* mm += b1*m[i] */ \
	VMULPS       T0, OMB2, T3     /* vv := omb2*g */ \
	VMULPS       T0, T3, T3       /* vv *= g */ \
	VFMADD231PS  LOADV, B2, T3    /* vv += b2*v[i] */

// EXA_NUM sets T0 = num, T4 = a = v'+eps and T3 = w = v'·rbc2 (T5 free).
#define EXA_NUM(T0, T2, T3, T4, T5, EPS, B2T, RBC2) \
	VADDPS       T2, T0, T0       /* s := g + mm */ \
	VADDPS       EPS, T3, T4      /* a := vv + eps */ \
	VMOVAPS      T4, T5           /* n1 := a */ \
	VFMADD231PS  T3, B2T, T5      /* n1 += b2t*vv */ \
	VMULPS       T5, T0, T0       /* num := s*n1 */ \
	VMULPS       RBC2, T3, T3     /* w := vv*rbc2 */

// EXA_D2 (early steps) multiplies w by d2 (T2, T5, T6 free after);
// LOADB1T(T) puts β1^t in T.
#define EXA_D2(T2, T3, T5, T6, EPS, LOADB1T) \
	VMULPS       T2, T2, T2       /* m2 := mm*mm */ \
	VADDPS       EPS, T2, T5      /* b := m2 + eps */ \
	LOADB1T(T6)                   /* n2 := b1t */ \
	VFMADD213PS  T5, T2, T6       /* n2 = m2*n2 + b */ \
	VDIVPS       T5, T6, T6       /* d2 := n2/b */ \
	VMULPS       T6, T3, T3       /* w *= d2 */

// EXA_FINISH sets T1 to the new p.
#define EXA_FINISH(T0, T1, T3, T4, EPS, STEP) \
	VSQRTPS      T3, T3           /* den := sqrt(w) */ \
	VADDPS       EPS, T3, T3      /* den += eps */ \
	VMULPS       T4, T3, T3       /* den *= a */ \
	VDIVPS       T3, T0, T0       /* q := num/den */ \
	VFNMADD231PS T0, STEP, T1     /* p -= step*q */

#define EXA_B1T_AVX2(T) VBROADCASTSS b1t+124(FP), T
#define EXA_B1T_AVX512(T) VMOVAPS Z23, T

// EXA_AVX2(off, D2) and EXA_AVX512(off, D2) update the whole vector at
// off+AX; D2 is EXA_D2_AVX2/EXA_D2_AVX512 on early steps, else EXA_NOD2.
#define EXA_NOD2
#define EXA_D2_AVX2 EXA_D2(Y2, Y3, Y5, Y6, Y12, EXA_B1T_AVX2)
#define EXA_D2_AVX512 EXA_D2(Z2, Z3, Z5, Z6, Z21, EXA_B1T_AVX512)

#define EXA_AVX2(off, D2) \
	EXA_MOMENTS(off(SI)(AX*1), off(DI)(AX*1), off(R8)(AX*1), off(R9)(AX*1), Y0, Y1, Y2, Y3, Y7, Y8, Y9, Y10, Y11) \
	VMOVUPS Y2, off(R8)(AX*1) /* m[i] = mm */ \
	VMOVUPS Y3, off(R9)(AX*1) /* v[i] = vv */ \
	EXA_NUM(Y0, Y2, Y3, Y4, Y5, Y12, Y14, Y15) \
	D2 \
	EXA_FINISH(Y0, Y1, Y3, Y4, Y12, Y13) \
	VMOVUPS Y1, off(DI)(AX*1) /* p[i] = p */

#define EXA_AVX512_UPDATE(D2) \
	EXA_NUM(Z0, Z2, Z3, Z4, Z5, Z21, Z24, Z26) \
	D2 \
	EXA_FINISH(Z0, Z1, Z3, Z4, Z21, Z22)

#define EXA_AVX512(off, D2) \
	EXA_MOMENTS(off(SI)(AX*1), off(DI)(AX*1), off(R8)(AX*1), off(R9)(AX*1), Z0, Z1, Z2, Z3, Z16, Z17, Z18, Z19, Z20) \
	VMOVUPS Z2, off(R8)(AX*1) /* m[i] = mm */ \
	VMOVUPS Z3, off(R9)(AX*1) /* v[i] = vv */ \
	EXA_AVX512_UPDATE(D2) \
	VMOVUPS Z1, off(DI)(AX*1) /* p[i] = p */

// EXA_SETUP loads the pointers, sets FTZ|DAZ, CX = byte length and R11 =
// early.
#define EXA_SETUP \
	MOVQ    p_base+0(FP), DI                  \
	MOVQ    p_len+8(FP), CX                   \
	MOVQ    g_base+24(FP), SI                 \
	MOVQ    m_base+48(FP), R8                 \
	MOVQ    v_base+72(FP), R9                 \
	MOVBLZX early+136(FP), R11                \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved | FTZ | DAZ */ \
	SHLQ    $2, CX        /* CX = bytes */

// EXA2_LOOPS(D2, block, vec) runs the AVX2 loops, then jumps to exa2Done.
#define EXA2_LOOPS(D2, block, vec) \
block:                               \
	CMPQ AX, BX                      \
	JAE  vec                         \
	EXA_PF(0)                        \
	EXA_PF(64)                       \
	EXA_AVX2(0, D2)                  \
	EXA_AVX2(32, D2)                 \
	EXA_AVX2(64, D2)                 \
	EXA_AVX2(96, D2)                 \
	ADDQ $128, AX                    \
	JMP  block                       \
vec:                                 \
	CMPQ AX, CX                      \
	JAE  exa2Done                    \
	EXA_AVX2(0, D2)                  \
	ADDQ $32, AX                     \
	JMP  vec

// func exadamAVX2(p, g, m, v []float32, b1, omb1, b2, omb2, decay, step, rbc2, b1t, b2t, eps float32, early bool)
TEXT ·exadamAVX2(SB), NOSPLIT, $8-137
	VBROADCASTSS decay+112(FP), Y7  // Y7 = decay
	VBROADCASTSS b1+96(FP), Y8      // Y8 = b1
	VBROADCASTSS omb1+100(FP), Y9   // Y9 = omb1
	VBROADCASTSS b2+104(FP), Y10    // Y10 = b2
	VBROADCASTSS omb2+108(FP), Y11  // Y11 = omb2
	VBROADCASTSS eps+132(FP), Y12   // Y12 = eps
	VBROADCASTSS step+116(FP), Y13  // Y13 = step
	VBROADCASTSS b2t+128(FP), Y14   // Y14 = b2t
	VBROADCASTSS rbc2+120(FP), Y15  // Y15 = rbc2
	EXA_SETUP
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX
	TESTQ R11, R11
	JZ   exa2Late

	EXA2_LOOPS(EXA_D2_AVX2, exa2EarlyBlock, exa2EarlyVec)  // early: d2 computed

exa2Late:
	EXA2_LOOPS(EXA_NOD2, exa2LateBlock, exa2LateVec)  // late: d2 = 1

exa2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// EXA5_LOOPS(D2, block, vec, tail) runs the AVX-512 loops and the masked
// tail, then jumps to exa5Done.
#define EXA5_LOOPS(D2, block, vec, tail) \
block:                                    \
	CMPQ AX, BX                           \
	JAE  vec                              \
	EXA_PF(0)                             \
	EXA_PF(64)                            \
	EXA_PF(128)                           \
	EXA_PF(192)                           \
	EXA_AVX512(0, D2)                     \
	EXA_AVX512(64, D2)                    \
	EXA_AVX512(128, D2)                   \
	EXA_AVX512(192, D2)                   \
	ADDQ $256, AX                         \
	JMP  block                            \
vec:                                      \
	CMPQ AX, DX                           \
	JAE  tail                             \
	EXA_AVX512(0, D2)                     \
	ADDQ $64, AX                          \
	JMP  vec                              \
tail:                                     \
	SUBQ AX, CX                           \
	JZ   exa5Done                         \
	SHRQ $2, CX                           \
	MOVL $1, BX                           \
	SHLL CX, BX                           \
	DECL BX                               \
	KMOVW BX, K1                          \
	VMOVUPS.Z (SI)(AX*1), K1, Z8          \
	VMOVUPS.Z (DI)(AX*1), K1, Z9          \
	VMOVUPS.Z (R8)(AX*1), K1, Z10         \
	VMOVUPS.Z (R9)(AX*1), K1, Z11         \
	EXA_MOMENTS(Z8, Z9, Z10, Z11, Z0, Z1, Z2, Z3, Z16, Z17, Z18, Z19, Z20) \
	VMOVUPS Z2, K1, (R8)(AX*1)            \
	VMOVUPS Z3, K1, (R9)(AX*1)            \
	EXA_AVX512_UPDATE(D2)                 \
	VMOVUPS Z1, K1, (DI)(AX*1)            \
	JMP  exa5Done

// func exadamAVX512(p, g, m, v []float32, b1, omb1, b2, omb2, decay, step, rbc2, b1t, b2t, eps float32, early bool)
TEXT ·exadamAVX512(SB), NOSPLIT, $8-137
	VBROADCASTSS decay+112(FP), Z16      // Z16 = decay
	VBROADCASTSS b1+96(FP), Z17          // Z17 = b1
	VBROADCASTSS omb1+100(FP), Z18       // Z18 = omb1
	VBROADCASTSS b2+104(FP), Z19         // Z19 = b2
	VBROADCASTSS omb2+108(FP), Z20       // Z20 = omb2
	VBROADCASTSS eps+132(FP), Z21        // Z21 = eps
	VBROADCASTSS step+116(FP), Z22       // Z22 = step
	VBROADCASTSS b1t+124(FP), Z23        // Z23 = b1t
	VBROADCASTSS b2t+128(FP), Z24        // Z24 = b2t
	VBROADCASTSS rbc2+120(FP), Z26       // Z26 = rbc2
	EXA_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX
	TESTQ R11, R11
	JZ   exa5Late

	// early: d2 computed; the tail (len(p)%16 floats) under mask K1
	EXA5_LOOPS(EXA_D2_AVX512, exa5EarlyBlock, exa5EarlyVec, exa5EarlyTail)

exa5Late:
	// late: d2 = 1
	EXA5_LOOPS(EXA_NOD2, exa5LateBlock, exa5LateVec, exa5LateTail)

exa5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
