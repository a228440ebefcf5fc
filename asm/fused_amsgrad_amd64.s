//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused AMSGrad step; see fused_amsgrad_amd64.go for the Go each kernel
// computes. Pointers: DI = p, SI = g, R8 = m, R9 = v, R10 = vmax; AX is the
// byte offset of the current vector, CX the byte length. The caller's
// MXCSR is saved in the frame, FTZ|DAZ (0x8040) set, and restored before
// RET.
//
// At n = 1e6 the five streams come from L3, and two things decide the
// speed there (measured on Zen 4, one thread, ratios to AdamStep's kernel):
//
//   - Every load of a vector is issued before its first store. The slices
//     are separate large allocations, page aligned, so p[i], g[i], m[i],
//     v[i] and vmax[i] share their address bits below 4096; a load issued
//     after a store to another slice at the same offset is held back by
//     the core's memory disambiguation (4K aliasing). Loading vmax[i]
//     after storing m[i] and v[i] made the kernel 1.6–1.7× Adam's; loading
//     it first, 1.15–1.25×.
//   - Each whole 4-vector block prefetches (PREFETCHT0) every stream
//     AMS_PFD bytes ahead, once per cache line: about 5–10% more. The
//     distance must not be a multiple of 4096, or the five prefetched
//     lines and the five current ones fall in the same L1 set.

// AMS_PFD is the prefetch distance in bytes.
#define AMS_PFD 3072

// AMS_PF prefetches the cache line AMS_PFD+off bytes past AX in every
// stream.
#define AMS_PF(off) \
	PREFETCHT0 (AMS_PFD+off)(SI)(AX*1)  \
	PREFETCHT0 (AMS_PFD+off)(DI)(AX*1)  \
	PREFETCHT0 (AMS_PFD+off)(R8)(AX*1)  \
	PREFETCHT0 (AMS_PFD+off)(R9)(AX*1)  \
	PREFETCHT0 (AMS_PFD+off)(R10)(AX*1)

// AMS_VEC updates one whole vector at byte offset off+AX; temporaries
// T0..T5, constants as named. All loads precede the stores (see above).
#define AMS_VEC(off, T0, T1, T2, T3, T4, T5, WD, DECAY, B1, OMB1, B2, OMB2, RBC2, EPS, STEP) \
	VMOVUPS      off(R10)(AX*1), T5    /* w := vmax[i] */ \
	VMOVUPS      off(SI)(AX*1), T0     /* g := g[i] */ \
	VMOVUPS      off(DI)(AX*1), T1     /* p := p[i] */ \
	VFMADD231PS  T1, WD, T0            /* g += wd*p */ \
	VMULPS       DECAY, T1, T1         /* p *= decay */ \
	VMULPS       T0, OMB1, T2          /* mm := omb1*g */ \
	VFMADD231PS  off(R8)(AX*1), B1, T2 /* mm += b1*m[i] */ \
	VMULPS       T0, OMB2, T3          /* vv := omb2*g */ \
	VMULPS       T0, T3, T3            /* vv *= g */ \
	VFMADD231PS  off(R9)(AX*1), B2, T3 /* vv += b2*v[i] */ \
	VMOVUPS      T2, off(R8)(AX*1)     /* m[i] = mm */ \
	VMOVUPS      T3, off(R9)(AX*1)     /* v[i] = vv */ \
	VMAXPS       T3, T5, T5            /* w = w > vv ? w : vv */ \
	VMOVUPS      T5, off(R10)(AX*1)    /* vmax[i] = w */ \
	VSQRTPS      T5, T4                /* d := sqrt(w) */ \
	VFMADD213PS  EPS, RBC2, T4         /* d = d*rbc2 + eps */ \
	VDIVPS       T4, T2, T4            /* q := mm/d */ \
	VFNMADD231PS T4, STEP, T1          /* p -= step*q */ \
	VMOVUPS      T1, off(DI)(AX*1)     /* p[i] = p */

#define AMS_AVX2(off) AMS_VEC(off, Y0, Y1, Y2, Y3, Y4, Y5, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
#define AMS_AVX512(off) AMS_VEC(off, Z0, Z1, Z2, Z3, Z4, Z5, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24)

// AMS_SETUP loads the pointers, sets FTZ|DAZ and CX = byte length.
#define AMS_SETUP \
	MOVQ    p_base+0(FP), DI                  \
	MOVQ    p_len+8(FP), CX                   \
	MOVQ    g_base+24(FP), SI                 \
	MOVQ    m_base+48(FP), R8                 \
	MOVQ    v_base+72(FP), R9                 \
	MOVQ    vmax_base+96(FP), R10             \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved | FTZ | DAZ */ \
	SHLQ    $2, CX        /* CX = bytes */

// func amsgradAVX2(p, g, m, v, vmax []float32, b1, omb1, b2, omb2, wd, decay, step, rbc2, eps float32)
TEXT ·amsgradAVX2(SB), NOSPLIT, $8-156
	VBROADCASTSS wd+136(FP), Y7     // Y7 = wd
	VBROADCASTSS decay+140(FP), Y8  // Y8 = decay
	VBROADCASTSS b1+120(FP), Y9     // Y9 = b1
	VBROADCASTSS omb1+124(FP), Y10  // Y10 = omb1
	VBROADCASTSS b2+128(FP), Y11    // Y11 = b2
	VBROADCASTSS omb2+132(FP), Y12  // Y12 = omb2
	VBROADCASTSS rbc2+148(FP), Y13  // Y13 = rbc2
	VBROADCASTSS eps+152(FP), Y14   // Y14 = eps
	VBROADCASTSS step+144(FP), Y15  // Y15 = step
	AMS_SETUP
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

ams2Block:                          // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  ams2Vec
	AMS_PF(0)
	AMS_AVX2(0)
	AMS_AVX2(32)
	AMS_PF(64)
	AMS_AVX2(64)
	AMS_AVX2(96)
	ADDQ $128, AX
	JMP  ams2Block

ams2Vec:                            // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  ams2Done
	AMS_AVX2(0)
	ADDQ $32, AX
	JMP  ams2Vec

ams2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func amsgradAVX512(p, g, m, v, vmax []float32, b1, omb1, b2, omb2, wd, decay, step, rbc2, eps float32)
TEXT ·amsgradAVX512(SB), NOSPLIT, $8-156
	VBROADCASTSS wd+136(FP), Z16    // Z16 = wd
	VBROADCASTSS decay+140(FP), Z17 // Z17 = decay
	VBROADCASTSS b1+120(FP), Z18    // Z18 = b1
	VBROADCASTSS omb1+124(FP), Z19  // Z19 = omb1
	VBROADCASTSS b2+128(FP), Z20    // Z20 = b2
	VBROADCASTSS omb2+132(FP), Z21  // Z21 = omb2
	VBROADCASTSS rbc2+148(FP), Z22  // Z22 = rbc2
	VBROADCASTSS eps+152(FP), Z23   // Z23 = eps
	VBROADCASTSS step+144(FP), Z24  // Z24 = step
	AMS_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

ams5Block:                          // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  ams5Vec
	AMS_PF(0)
	AMS_AVX512(0)
	AMS_PF(64)
	AMS_AVX512(64)
	AMS_PF(128)
	AMS_AVX512(128)
	AMS_PF(192)
	AMS_AVX512(192)
	ADDQ $256, AX
	JMP  ams5Block

ams5Vec:                            // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  ams5Tail
	AMS_AVX512(0)
	ADDQ $64, AX
	JMP  ams5Vec

ams5Tail:                           // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   ams5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0  // g := g[i] (0 beyond the end)
	VMOVUPS.Z    (DI)(AX*1), K1, Z1  // p := p[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z6  // m := m[i]
	VMOVUPS.Z    (R9)(AX*1), K1, Z7  // v := v[i]
	VMOVUPS.Z    (R10)(AX*1), K1, Z5 // w := vmax[i]
	VFMADD231PS  Z1, Z16, Z0         // g += wd*p
	VMULPS       Z17, Z1, Z1         // p *= decay
	VMULPS       Z0, Z19, Z2         // mm := omb1*g
	VFMADD231PS  Z6, Z18, Z2         // mm += b1*m
	VMULPS       Z0, Z21, Z3         // vv := omb2*g
	VMULPS       Z0, Z3, Z3          // vv *= g
	VFMADD231PS  Z7, Z20, Z3         // vv += b2*v
	VMAXPS       Z3, Z5, Z5          // w = w > vv ? w : vv
	VMOVUPS      Z2, K1, (R8)(AX*1)  // m[i] = mm
	VMOVUPS      Z3, K1, (R9)(AX*1)  // v[i] = vv
	VMOVUPS      Z5, K1, (R10)(AX*1) // vmax[i] = w
	VSQRTPS      Z5, Z4              // d := sqrt(w)
	VFMADD213PS  Z23, Z22, Z4        // d = d*rbc2 + eps
	VDIVPS       Z4, Z2, Z4          // q := mm/d
	VFNMADD231PS Z4, Z24, Z1         // p -= step*q
	VMOVUPS      Z1, K1, (DI)(AX*1)  // p[i] = p

ams5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
