//go:build amd64 && gc && !purego

#include "textflag.h"

// XGrad's fused prediction and step kernels; see fused_xgrad_amd64.go for
// the Go each computes. Pointers: DI = p, R10 = saved/theta, SI = g,
// R8 = m (or d, or b), R9 = v, R11 = dir; AX is the byte offset of the
// current vector, CX the byte length. The caller's MXCSR is saved in the
// frame, FTZ|DAZ (0x8040) set, and restored before RET.

// As in fused_amsgrad_amd64.s: every vector's loads are issued before
// its stores (the slices are page aligned, so a load after a store to
// another slice at the same offset stalls on 4K aliasing), and each whole
// 4-vector block prefetches every stream it reads XG_PFD bytes ahead,
// once per cache line (the distance is not a multiple of 4096) — except
// XGradPredictDir's, which has no software prefetch: its two or three
// streams run faster on the hardware prefetcher alone (n = 1e6, one
// thread, AVX-512, p and saved = d: 0.107 → 0.080 ns/param; the whole
// XGrad step, prediction and update, 0.43 → 0.41 at the minimum of
// rounds interleaved with fused Adam's 0.29).

#define XG_PFD 3072

// XG_PF4 prefetches the line XG_PFD+off bytes past AX in p, saved/theta,
// m and v; XG_PF5 also in g.
#define XG_PF4(off) \
	PREFETCHT0 (XG_PFD+off)(DI)(AX*1)  \
	PREFETCHT0 (XG_PFD+off)(R10)(AX*1) \
	PREFETCHT0 (XG_PFD+off)(R8)(AX*1)  \
	PREFETCHT0 (XG_PFD+off)(R9)(AX*1)

#define XG_PF5(off) \
	XG_PF4(off) \
	PREFETCHT0 (XG_PFD+off)(SI)(AX*1)

// XG_PF3G prefetches in p, theta, b and g (the SGD-momentum step).
#define XG_PF3G(off) \
	PREFETCHT0 (XG_PFD+off)(DI)(AX*1)  \
	PREFETCHT0 (XG_PFD+off)(R10)(AX*1) \
	PREFETCHT0 (XG_PFD+off)(R8)(AX*1)  \
	PREFETCHT0 (XG_PFD+off)(SI)(AX*1)

#define XG_FTZ_ON \
	STMXCSR saved-4(SP)   /* saved := MXCSR         */ \
	MOVL    saved-4(SP), DX \
	ORL     $0x8040, DX   /* FTZ | DAZ              */ \
	MOVL    DX, ftz-8(SP) \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved|FTZ|DAZ  */

// XG_TAILMASK sets K1 to the lanes of the last CX-AX bytes (1..15
// floats) and jumps to done if there are none.
#define XG_TAILMASK(done) \
	SUBQ  AX, CX \
	JZ    done \
	SHRQ  $2, CX          /* CX = r floats left     */ \
	MOVL  $1, BX \
	SHLL  CX, BX \
	DECL  BX              /* BX = 1<<r - 1          */ \
	KMOVW BX, K1

// XPRED_VEC: saved = p; p -= k*(c1*(m/(sqrt(v)*rbc2+eps))), one vector.
#define XPRED_VEC(off, T1, T2, T4, K, C1, RBC2, EPS) \
	VMOVUPS      off(DI)(AX*1), T1      /* p := p[i]              */ \
	VSQRTPS      off(R9)(AX*1), T4      /* d := sqrt(v[i])        */ \
	VMOVUPS      off(R8)(AX*1), T2      /* mm := m[i]             */ \
	VMOVUPS      T1, off(R10)(AX*1)     /* saved[i] = p           */ \
	VFMADD213PS  EPS, RBC2, T4          /* d = d*rbc2 + eps       */ \
	VDIVPS       T4, T2, T4             /* q := mm/d              */ \
	VMULPS       C1, T4, T4             /* u := c1*q              */ \
	VFNMADD231PS T4, K, T1              /* p -= k*u               */ \
	VMOVUPS      T1, off(DI)(AX*1)      /* p[i] = p               */

#define XPRED_AVX2(off) XPRED_VEC(off, Y1, Y2, Y4, Y12, Y13, Y14, Y15)
#define XPRED_AVX512(off) XPRED_VEC(off, Z1, Z2, Z4, Z16, Z17, Z18, Z19)

// func xgradPredictAVX2(p, saved, m, v []float32, k, c1, rbc2, eps float32)
TEXT ·xgradPredictAVX2(SB), NOSPLIT, $8-112
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ saved_base+24(FP), R10
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	VBROADCASTSS k+96(FP), Y12      // Y12 = k
	VBROADCASTSS c1+100(FP), Y13    // Y13 = c1
	VBROADCASTSS rbc2+104(FP), Y14  // Y14 = rbc2
	VBROADCASTSS eps+108(FP), Y15   // Y15 = eps
	XG_FTZ_ON
	SHLQ $2, CX                     // CX = len(p) in bytes
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

xpred2Block:                        // 32 floats
	CMPQ AX, BX
	JAE  xpred2Vec
	XG_PF4(0)
	XPRED_AVX2(0)
	XPRED_AVX2(32)
	XG_PF4(64)
	XPRED_AVX2(64)
	XPRED_AVX2(96)
	ADDQ $128, AX
	JMP  xpred2Block

xpred2Vec:                          // 8 floats
	CMPQ AX, CX
	JAE  xpred2Done
	XPRED_AVX2(0)
	ADDQ $32, AX
	JMP  xpred2Vec

xpred2Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// func xgradPredictAVX512(p, saved, m, v []float32, k, c1, rbc2, eps float32)
TEXT ·xgradPredictAVX512(SB), NOSPLIT, $8-112
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ saved_base+24(FP), R10
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	VBROADCASTSS k+96(FP), Z16      // Z16 = k
	VBROADCASTSS c1+100(FP), Z17    // Z17 = c1
	VBROADCASTSS rbc2+104(FP), Z18  // Z18 = rbc2
	VBROADCASTSS eps+108(FP), Z19   // Z19 = eps
	XG_FTZ_ON
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

xpred5Block:                        // 64 floats
	CMPQ AX, BX
	JAE  xpred5Vec
	XG_PF4(0)
	XPRED_AVX512(0)
	XG_PF4(64)
	XPRED_AVX512(64)
	XG_PF4(128)
	XPRED_AVX512(128)
	XG_PF4(192)
	XPRED_AVX512(192)
	ADDQ $256, AX
	JMP  xpred5Block

xpred5Vec:                          // 16 floats
	CMPQ AX, DX
	JAE  xpred5Tail
	XPRED_AVX512(0)
	ADDQ $64, AX
	JMP  xpred5Vec

xpred5Tail:
	XG_TAILMASK(xpred5Done)
	VMOVUPS.Z    (DI)(AX*1), K1, Z1 // p := p[i] (0 beyond the end)
	VMOVUPS.Z    (R9)(AX*1), K1, Z5 // vv := v[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z2 // mm := m[i]
	VMOVUPS      Z1, K1, (R10)(AX*1) // saved[i] = p
	VSQRTPS      Z5, Z4             // d := sqrt(vv)
	VFMADD213PS  Z19, Z18, Z4       // d = d*rbc2 + eps
	VDIVPS       Z4, Z2, Z4         // q := mm/d
	VMULPS       Z17, Z4, Z4        // u := c1*q
	VFNMADD231PS Z4, Z16, Z1        // p -= k*u
	VMOVUPS      Z1, K1, (DI)(AX*1) // p[i] = p

xpred5Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// XDIR_VEC: x := d; saved = p; p -= k*x, one vector (d may be saved).
#define XDIR_VEC(off, T1, T2, K) \
	VMOVUPS      off(DI)(AX*1), T1      /* p := p[i]              */ \
	VMOVUPS      off(R8)(AX*1), T2      /* x := d[i]              */ \
	VMOVUPS      T1, off(R10)(AX*1)     /* saved[i] = p           */ \
	VFNMADD231PS T2, K, T1              /* p -= k*x               */ \
	VMOVUPS      T1, off(DI)(AX*1)      /* p[i] = p               */

#define XDIR_AVX2(off) XDIR_VEC(off, Y1, Y2, Y12)
#define XDIR_AVX512(off) XDIR_VEC(off, Z1, Z2, Z16)

// func xgradPredictDirAVX2(p, saved, d []float32, k float32)
TEXT ·xgradPredictDirAVX2(SB), NOSPLIT, $8-76
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ saved_base+24(FP), R10
	MOVQ d_base+48(FP), R8
	VBROADCASTSS k+72(FP), Y12      // Y12 = k
	XG_FTZ_ON
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-128, BX
	XORQ AX, AX

xdir2Block:
	CMPQ AX, BX
	JAE  xdir2Vec
	XDIR_AVX2(0)
	XDIR_AVX2(32)
	XDIR_AVX2(64)
	XDIR_AVX2(96)
	ADDQ $128, AX
	JMP  xdir2Block

xdir2Vec:
	CMPQ AX, CX
	JAE  xdir2Done
	XDIR_AVX2(0)
	ADDQ $32, AX
	JMP  xdir2Vec

xdir2Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// func xgradPredictDirAVX512(p, saved, d []float32, k float32)
TEXT ·xgradPredictDirAVX512(SB), NOSPLIT, $8-76
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ saved_base+24(FP), R10
	MOVQ d_base+48(FP), R8
	VBROADCASTSS k+72(FP), Z16      // Z16 = k
	XG_FTZ_ON
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-256, BX
	MOVQ CX, DX
	ANDQ $-64, DX
	XORQ AX, AX

xdir5Block:
	CMPQ AX, BX
	JAE  xdir5Vec
	XDIR_AVX512(0)
	XDIR_AVX512(64)
	XDIR_AVX512(128)
	XDIR_AVX512(192)
	ADDQ $256, AX
	JMP  xdir5Block

xdir5Vec:
	CMPQ AX, DX
	JAE  xdir5Tail
	XDIR_AVX512(0)
	ADDQ $64, AX
	JMP  xdir5Vec

xdir5Tail:
	XG_TAILMASK(xdir5Done)
	VMOVUPS.Z    (DI)(AX*1), K1, Z1  // p := p[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z2  // x := d[i]
	VMOVUPS      Z1, K1, (R10)(AX*1) // saved[i] = p
	VFNMADD231PS Z2, Z16, Z1         // p -= k*x
	VMOVUPS      Z1, K1, (DI)(AX*1)  // p[i] = p

xdir5Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// XSTEP_HEAD computes, for one vector, t := theta*decay into T1, the new
// m and v (stored) and u := c1*(m/(sqrt(v)*rbc2+eps)) into T4;
// XSTEP_END stores p = t − lr*u. theta is read before p is written.
#define XSTEP_HEAD(off, T0, T1, T2, T3, T4, B1, OMB1, B2, OMB2, DECAY, C1, RBC2, EPS) \
	VMOVUPS      off(SI)(AX*1), T0          /* g := g[i]              */ \
	VMULPS       off(R10)(AX*1), DECAY, T1  /* t := theta[i]*decay    */ \
	VMULPS       T0, OMB1, T2               /* mm := omb1*g           */ \
	VFMADD231PS  off(R8)(AX*1), B1, T2      /* mm += b1*m[i]          */ \
	VMULPS       T0, OMB2, T3               /* vv := omb2*g           */ \
	VMULPS       T0, T3, T3                 /* vv *= g                */ \
	VFMADD231PS  off(R9)(AX*1), B2, T3      /* vv += b2*v[i]          */ \
	VMOVUPS      T2, off(R8)(AX*1)          /* m[i] = mm              */ \
	VMOVUPS      T3, off(R9)(AX*1)          /* v[i] = vv              */ \
	VSQRTPS      T3, T4                     /* d := sqrt(vv)          */ \
	VFMADD213PS  EPS, RBC2, T4              /* d = d*rbc2 + eps       */ \
	VDIVPS       T4, T2, T4                 /* q := mm/d              */ \
	VMULPS       C1, T4, T4                 /* u := c1*q              */

#define XSTEP_END(off, T1, T4, LR) \
	VFNMADD231PS T4, LR, T1                 /* t -= lr*u              */ \
	VMOVUPS      T1, off(DI)(AX*1)          /* p[i] = t               */

#define XSTEP_AVX2(off) \
	XSTEP_HEAD(off, Y0, Y1, Y2, Y3, Y4, Y7, Y8, Y9, Y10, Y11, Y13, Y14, Y15) \
	XSTEP_END(off, Y1, Y4, Y12)
#define XSTEPDIR_AVX2(off) \
	XSTEP_HEAD(off, Y0, Y1, Y2, Y3, Y4, Y7, Y8, Y9, Y10, Y11, Y13, Y14, Y15) \
	VMOVUPS Y4, off(R11)(AX*1) \
	XSTEP_END(off, Y1, Y4, Y12)
#define XSTEP_AVX512(off) \
	XSTEP_HEAD(off, Z0, Z1, Z2, Z3, Z4, Z16, Z17, Z18, Z19, Z20, Z22, Z23, Z24) \
	XSTEP_END(off, Z1, Z4, Z21)
#define XSTEPDIR_AVX512(off) \
	XSTEP_HEAD(off, Z0, Z1, Z2, Z3, Z4, Z16, Z17, Z18, Z19, Z20, Z22, Z23, Z24) \
	VMOVUPS Z4, off(R11)(AX*1) \
	XSTEP_END(off, Z1, Z4, Z21)

// XSTEP_TAIL5_HEAD and XSTEP_TAIL5_END are XSTEP_HEAD and XSTEP_END on
// one masked vector (K1) of the AVX-512 step; the dir kernel stores u
// between them.
#define XSTEP_TAIL5_HEAD \
	VMOVUPS.Z    (SI)(AX*1), K1, Z0    /* g := g[i] (0 beyond)   */ \
	VMOVUPS.Z    (R10)(AX*1), K1, Z1   /* t := theta[i]          */ \
	VMOVUPS.Z    (R8)(AX*1), K1, Z5    /* m0 := m[i]             */ \
	VMOVUPS.Z    (R9)(AX*1), K1, Z6    /* v0 := v[i]             */ \
	VMULPS       Z20, Z1, Z1           /* t *= decay             */ \
	VMULPS       Z0, Z17, Z2           /* mm := omb1*g           */ \
	VFMADD231PS  Z5, Z16, Z2           /* mm += b1*m0            */ \
	VMULPS       Z0, Z19, Z3           /* vv := omb2*g           */ \
	VMULPS       Z0, Z3, Z3            /* vv *= g                */ \
	VFMADD231PS  Z6, Z18, Z3           /* vv += b2*v0            */ \
	VMOVUPS      Z2, K1, (R8)(AX*1)    /* m[i] = mm              */ \
	VMOVUPS      Z3, K1, (R9)(AX*1)    /* v[i] = vv              */ \
	VSQRTPS      Z3, Z4                /* d := sqrt(vv)          */ \
	VFMADD213PS  Z24, Z23, Z4          /* d = d*rbc2 + eps       */ \
	VDIVPS       Z4, Z2, Z4            /* q := mm/d              */ \
	VMULPS       Z22, Z4, Z4           /* u := c1*q              */

#define XSTEP_TAIL5_END \
	VFNMADD231PS Z4, Z21, Z1           /* t -= lr*u              */ \
	VMOVUPS      Z1, K1, (DI)(AX*1)    /* p[i] = t               */

// func xgradStepAVX2(p, theta, g, m, v []float32, b1, omb1, b2, omb2, decay, lr, c1, rbc2, eps float32)
TEXT ·xgradStepAVX2(SB), NOSPLIT, $8-156
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ theta_base+24(FP), R10
	MOVQ g_base+48(FP), SI
	MOVQ m_base+72(FP), R8
	MOVQ v_base+96(FP), R9
	VBROADCASTSS b1+120(FP), Y7
	VBROADCASTSS omb1+124(FP), Y8
	VBROADCASTSS b2+128(FP), Y9
	VBROADCASTSS omb2+132(FP), Y10
	VBROADCASTSS decay+136(FP), Y11
	VBROADCASTSS lr+140(FP), Y12
	VBROADCASTSS c1+144(FP), Y13
	VBROADCASTSS rbc2+148(FP), Y14
	VBROADCASTSS eps+152(FP), Y15
	XG_FTZ_ON
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-128, BX
	XORQ AX, AX

xstep2Block:
	CMPQ AX, BX
	JAE  xstep2Vec
	XG_PF5(0)
	XSTEP_AVX2(0)
	XSTEP_AVX2(32)
	XG_PF5(64)
	XSTEP_AVX2(64)
	XSTEP_AVX2(96)
	ADDQ $128, AX
	JMP  xstep2Block

xstep2Vec:
	CMPQ AX, CX
	JAE  xstep2Done
	XSTEP_AVX2(0)
	ADDQ $32, AX
	JMP  xstep2Vec

xstep2Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// func xgradStepDirAVX2(p, theta, g, m, v, dir []float32, b1, omb1, b2, omb2, decay, lr, c1, rbc2, eps float32)
TEXT ·xgradStepDirAVX2(SB), NOSPLIT, $8-180
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ theta_base+24(FP), R10
	MOVQ g_base+48(FP), SI
	MOVQ m_base+72(FP), R8
	MOVQ v_base+96(FP), R9
	MOVQ dir_base+120(FP), R11
	VBROADCASTSS b1+144(FP), Y7
	VBROADCASTSS omb1+148(FP), Y8
	VBROADCASTSS b2+152(FP), Y9
	VBROADCASTSS omb2+156(FP), Y10
	VBROADCASTSS decay+160(FP), Y11
	VBROADCASTSS lr+164(FP), Y12
	VBROADCASTSS c1+168(FP), Y13
	VBROADCASTSS rbc2+172(FP), Y14
	VBROADCASTSS eps+176(FP), Y15
	XG_FTZ_ON
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-128, BX
	XORQ AX, AX

xstepd2Block:
	CMPQ AX, BX
	JAE  xstepd2Vec
	XG_PF5(0)
	XSTEPDIR_AVX2(0)
	XSTEPDIR_AVX2(32)
	XG_PF5(64)
	XSTEPDIR_AVX2(64)
	XSTEPDIR_AVX2(96)
	ADDQ $128, AX
	JMP  xstepd2Block

xstepd2Vec:
	CMPQ AX, CX
	JAE  xstepd2Done
	XSTEPDIR_AVX2(0)
	ADDQ $32, AX
	JMP  xstepd2Vec

xstepd2Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// func xgradStepAVX512(p, theta, g, m, v []float32, b1, omb1, b2, omb2, decay, lr, c1, rbc2, eps float32)
TEXT ·xgradStepAVX512(SB), NOSPLIT, $8-156
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ theta_base+24(FP), R10
	MOVQ g_base+48(FP), SI
	MOVQ m_base+72(FP), R8
	MOVQ v_base+96(FP), R9
	VBROADCASTSS b1+120(FP), Z16
	VBROADCASTSS omb1+124(FP), Z17
	VBROADCASTSS b2+128(FP), Z18
	VBROADCASTSS omb2+132(FP), Z19
	VBROADCASTSS decay+136(FP), Z20
	VBROADCASTSS lr+140(FP), Z21
	VBROADCASTSS c1+144(FP), Z22
	VBROADCASTSS rbc2+148(FP), Z23
	VBROADCASTSS eps+152(FP), Z24
	XG_FTZ_ON
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-256, BX
	MOVQ CX, DX
	ANDQ $-64, DX
	XORQ AX, AX

xstep5Block:
	CMPQ AX, BX
	JAE  xstep5Vec
	XG_PF5(0)
	XSTEP_AVX512(0)
	XG_PF5(64)
	XSTEP_AVX512(64)
	XG_PF5(128)
	XSTEP_AVX512(128)
	XG_PF5(192)
	XSTEP_AVX512(192)
	ADDQ $256, AX
	JMP  xstep5Block

xstep5Vec:
	CMPQ AX, DX
	JAE  xstep5Tail
	XSTEP_AVX512(0)
	ADDQ $64, AX
	JMP  xstep5Vec

xstep5Tail:
	XG_TAILMASK(xstep5Done)
	XSTEP_TAIL5_HEAD
	XSTEP_TAIL5_END

xstep5Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// func xgradStepDirAVX512(p, theta, g, m, v, dir []float32, b1, omb1, b2, omb2, decay, lr, c1, rbc2, eps float32)
TEXT ·xgradStepDirAVX512(SB), NOSPLIT, $8-180
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ theta_base+24(FP), R10
	MOVQ g_base+48(FP), SI
	MOVQ m_base+72(FP), R8
	MOVQ v_base+96(FP), R9
	MOVQ dir_base+120(FP), R11
	VBROADCASTSS b1+144(FP), Z16
	VBROADCASTSS omb1+148(FP), Z17
	VBROADCASTSS b2+152(FP), Z18
	VBROADCASTSS omb2+156(FP), Z19
	VBROADCASTSS decay+160(FP), Z20
	VBROADCASTSS lr+164(FP), Z21
	VBROADCASTSS c1+168(FP), Z22
	VBROADCASTSS rbc2+172(FP), Z23
	VBROADCASTSS eps+176(FP), Z24
	XG_FTZ_ON
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-256, BX
	MOVQ CX, DX
	ANDQ $-64, DX
	XORQ AX, AX

xstepd5Block:
	CMPQ AX, BX
	JAE  xstepd5Vec
	XG_PF5(0)
	XSTEPDIR_AVX512(0)
	XG_PF5(64)
	XSTEPDIR_AVX512(64)
	XG_PF5(128)
	XSTEPDIR_AVX512(128)
	XG_PF5(192)
	XSTEPDIR_AVX512(192)
	ADDQ $256, AX
	JMP  xstepd5Block

xstepd5Vec:
	CMPQ AX, DX
	JAE  xstepd5Tail
	XSTEPDIR_AVX512(0)
	ADDQ $64, AX
	JMP  xstepd5Vec

xstepd5Tail:
	XG_TAILMASK(xstepd5Done)
	XSTEP_TAIL5_HEAD
	VMOVUPS Z4, K1, (R11)(AX*1)        // dir[i] = u
	XSTEP_TAIL5_END

xstepd5Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// XSGD_VEC: d := g + wd*theta; b = mu*b + omd*d; p = theta − lr*b.
#define XSGD_VEC(off, T0, T1, T2, WD, MU, OMD, LR) \
	VMOVUPS      off(SI)(AX*1), T0      /* d := g[i]              */ \
	VMOVUPS      off(R10)(AX*1), T1     /* t := theta[i]          */ \
	VFMADD231PS  T1, WD, T0             /* d += wd*t              */ \
	VMULPS       T0, OMD, T2            /* bb := omd*d            */ \
	VFMADD231PS  off(R8)(AX*1), MU, T2  /* bb += mu*b[i]          */ \
	VMOVUPS      T2, off(R8)(AX*1)      /* b[i] = bb              */ \
	VFNMADD231PS T2, LR, T1             /* t -= lr*bb             */ \
	VMOVUPS      T1, off(DI)(AX*1)      /* p[i] = t               */

#define XSGD_AVX2(off) XSGD_VEC(off, Y0, Y1, Y2, Y12, Y13, Y14, Y15)
#define XSGD_AVX512(off) XSGD_VEC(off, Z0, Z1, Z2, Z16, Z17, Z18, Z19)

// func xgradSGDAVX2(p, theta, g, b []float32, wd, mu, omd, lr float32)
TEXT ·xgradSGDAVX2(SB), NOSPLIT, $8-112
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ theta_base+24(FP), R10
	MOVQ g_base+48(FP), SI
	MOVQ b_base+72(FP), R8
	VBROADCASTSS wd+96(FP), Y12
	VBROADCASTSS mu+100(FP), Y13
	VBROADCASTSS omd+104(FP), Y14
	VBROADCASTSS lr+108(FP), Y15
	XG_FTZ_ON
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-128, BX
	XORQ AX, AX

xsgd2Block:
	CMPQ AX, BX
	JAE  xsgd2Vec
	XG_PF3G(0)
	XSGD_AVX2(0)
	XSGD_AVX2(32)
	XG_PF3G(64)
	XSGD_AVX2(64)
	XSGD_AVX2(96)
	ADDQ $128, AX
	JMP  xsgd2Block

xsgd2Vec:
	CMPQ AX, CX
	JAE  xsgd2Done
	XSGD_AVX2(0)
	ADDQ $32, AX
	JMP  xsgd2Vec

xsgd2Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET

// func xgradSGDAVX512(p, theta, g, b []float32, wd, mu, omd, lr float32)
TEXT ·xgradSGDAVX512(SB), NOSPLIT, $8-112
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ theta_base+24(FP), R10
	MOVQ g_base+48(FP), SI
	MOVQ b_base+72(FP), R8
	VBROADCASTSS wd+96(FP), Z16
	VBROADCASTSS mu+100(FP), Z17
	VBROADCASTSS omd+104(FP), Z18
	VBROADCASTSS lr+108(FP), Z19
	XG_FTZ_ON
	SHLQ $2, CX
	MOVQ CX, BX
	ANDQ $-256, BX
	MOVQ CX, DX
	ANDQ $-64, DX
	XORQ AX, AX

xsgd5Block:
	CMPQ AX, BX
	JAE  xsgd5Vec
	XG_PF3G(0)
	XSGD_AVX512(0)
	XG_PF3G(64)
	XSGD_AVX512(64)
	XG_PF3G(128)
	XSGD_AVX512(128)
	XG_PF3G(192)
	XSGD_AVX512(192)
	ADDQ $256, AX
	JMP  xsgd5Block

xsgd5Vec:
	CMPQ AX, DX
	JAE  xsgd5Tail
	XSGD_AVX512(0)
	ADDQ $64, AX
	JMP  xsgd5Vec

xsgd5Tail:
	XG_TAILMASK(xsgd5Done)
	VMOVUPS.Z    (SI)(AX*1), K1, Z0     // d := g[i]
	VMOVUPS.Z    (R10)(AX*1), K1, Z1    // t := theta[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z3     // b0 := b[i]
	VFMADD231PS  Z1, Z16, Z0            // d += wd*t
	VMULPS       Z0, Z18, Z2            // bb := omd*d
	VFMADD231PS  Z3, Z17, Z2            // bb += mu*b0
	VMOVUPS      Z2, K1, (R8)(AX*1)     // b[i] = bb
	VFNMADD231PS Z2, Z19, Z1            // t -= lr*bb
	VMOVUPS      Z1, K1, (DI)(AX*1)     // p[i] = t

xsgd5Done:
	LDMXCSR saved-4(SP)
	VZEROUPPER
	RET
