//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused AdEMAMix step; see fused_ademamix_amd64.go for the Go each kernel
// computes. Pointers: DI = p, SI = g, R8 = m1, R9 = m2, R10 = v; AX is the
// byte offset of the current vector, CX the byte length. The caller's
// MXCSR is saved in the frame, FTZ|DAZ (0x8040) set, and restored before
// RET. With eleven constants, the AVX2 form has five registers left for
// temporaries, so d and the quotient reuse them.
//
// At n = 1e6 the five streams come from L3; as in fused_amsgrad_amd64.s,
// every load of a vector is issued before its first store (the slices are
// page aligned, so a load after a store to another slice at the same
// offset waits on 4K aliasing), and each whole 4-vector block prefetches
// every stream MIX_PFD bytes ahead, once per cache line.

// MIX_PFD is the prefetch distance in bytes (not a multiple of 4096).
#define MIX_PFD 3072

// MIX_PF prefetches the cache line MIX_PFD+off bytes past AX in every
// stream.
#define MIX_PF(off) \
	PREFETCHT0 (MIX_PFD+off)(SI)(AX*1)  \
	PREFETCHT0 (MIX_PFD+off)(DI)(AX*1)  \
	PREFETCHT0 (MIX_PFD+off)(R8)(AX*1)  \
	PREFETCHT0 (MIX_PFD+off)(R9)(AX*1)  \
	PREFETCHT0 (MIX_PFD+off)(R10)(AX*1)

// MIX_VEC updates one whole vector at byte offset off+AX; temporaries
// T0..T4, constants as named. Both terms share one division (the divider
// bounds AdamStep's speed already: a second one would cost about 40%).
// All loads precede the stores.
#define MIX_VEC(off, T0, T1, T2, T3, T4, DECAY, B1, OMB1, B2, OMB2, B3, OMB3, RBC2, EPS, STEP, LA) \
	VMOVUPS      off(SI)(AX*1), T0      /* g := g[i] */ \
	VMULPS       off(DI)(AX*1), DECAY, T1 /* p := p[i]*decay */ \
	VMULPS       T0, OMB1, T2           /* f := omb1*g */ \
	VFMADD231PS  off(R8)(AX*1), B1, T2  /* f += b1*m1[i] */ \
	VMULPS       T0, OMB3, T3           /* s := omb3*g */ \
	VFMADD231PS  off(R9)(AX*1), B3, T3  /* s += b3*m2[i] */ \
	VMULPS       T0, OMB2, T4           /* vv := omb2*g */ \
	VMULPS       T0, T4, T4             /* vv *= g */ \
	VFMADD231PS  off(R10)(AX*1), B2, T4 /* vv += b2*v[i] */ \
	VMOVUPS      T2, off(R8)(AX*1)      /* m1[i] = f */ \
	VMOVUPS      T3, off(R9)(AX*1)      /* m2[i] = s */ \
	VMOVUPS      T4, off(R10)(AX*1)     /* v[i] = vv */ \
	VSQRTPS      T4, T4                 /* d := sqrt(vv) */ \
	VFMADD213PS  EPS, RBC2, T4          /* d = d*rbc2 + eps */ \
	VMULPS       T2, STEP, T2           /* num := step*f */ \
	VFMADD231PS  T3, LA, T2             /* num += la*s */ \
	VDIVPS       T4, T2, T2             /* q := num/d */ \
	VSUBPS       T2, T1, T1             /* p -= q */ \
	VMOVUPS      T1, off(DI)(AX*1)      /* p[i] = p */

#define MIX_AVX2(off) MIX_VEC(off, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
#define MIX_AVX512(off) MIX_VEC(off, Z0, Z1, Z2, Z3, Z4, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26)

// MIX_SETUP loads the pointers, sets FTZ|DAZ and CX = byte length.
#define MIX_SETUP \
	MOVQ    p_base+0(FP), DI                  \
	MOVQ    p_len+8(FP), CX                   \
	MOVQ    g_base+24(FP), SI                 \
	MOVQ    m1_base+48(FP), R8                \
	MOVQ    m2_base+72(FP), R9                \
	MOVQ    v_base+96(FP), R10                \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved | FTZ | DAZ */ \
	SHLQ    $2, CX        /* CX = bytes */

// func ademamixAVX2(p, g, m1, m2, v []float32, b1, omb1, b2, omb2, b3, omb3, decay, step, la, rbc2, eps float32)
TEXT ·ademamixAVX2(SB), NOSPLIT, $8-164
	VBROADCASTSS decay+144(FP), Y5  // Y5 = decay
	VBROADCASTSS b1+120(FP), Y6     // Y6 = b1
	VBROADCASTSS omb1+124(FP), Y7   // Y7 = omb1
	VBROADCASTSS b2+128(FP), Y8     // Y8 = b2
	VBROADCASTSS omb2+132(FP), Y9   // Y9 = omb2
	VBROADCASTSS b3+136(FP), Y10    // Y10 = b3
	VBROADCASTSS omb3+140(FP), Y11  // Y11 = omb3
	VBROADCASTSS rbc2+156(FP), Y12  // Y12 = rbc2
	VBROADCASTSS eps+160(FP), Y13   // Y13 = eps
	VBROADCASTSS step+148(FP), Y14  // Y14 = step
	VBROADCASTSS la+152(FP), Y15    // Y15 = la
	MIX_SETUP
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

mix2Block:                          // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  mix2Vec
	MIX_PF(0)
	MIX_AVX2(0)
	MIX_AVX2(32)
	MIX_PF(64)
	MIX_AVX2(64)
	MIX_AVX2(96)
	ADDQ $128, AX
	JMP  mix2Block

mix2Vec:                            // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  mix2Done
	MIX_AVX2(0)
	ADDQ $32, AX
	JMP  mix2Vec

mix2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func ademamixAVX512(p, g, m1, m2, v []float32, b1, omb1, b2, omb2, b3, omb3, decay, step, la, rbc2, eps float32)
TEXT ·ademamixAVX512(SB), NOSPLIT, $8-164
	VBROADCASTSS decay+144(FP), Z16 // Z16 = decay
	VBROADCASTSS b1+120(FP), Z17    // Z17 = b1
	VBROADCASTSS omb1+124(FP), Z18  // Z18 = omb1
	VBROADCASTSS b2+128(FP), Z19    // Z19 = b2
	VBROADCASTSS omb2+132(FP), Z20  // Z20 = omb2
	VBROADCASTSS b3+136(FP), Z21    // Z21 = b3
	VBROADCASTSS omb3+140(FP), Z22  // Z22 = omb3
	VBROADCASTSS rbc2+156(FP), Z23  // Z23 = rbc2
	VBROADCASTSS eps+160(FP), Z24   // Z24 = eps
	VBROADCASTSS step+148(FP), Z25  // Z25 = step
	VBROADCASTSS la+152(FP), Z26    // Z26 = la
	MIX_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

mix5Block:                          // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  mix5Vec
	MIX_PF(0)
	MIX_AVX512(0)
	MIX_PF(64)
	MIX_AVX512(64)
	MIX_PF(128)
	MIX_AVX512(128)
	MIX_PF(192)
	MIX_AVX512(192)
	ADDQ $256, AX
	JMP  mix5Block

mix5Vec:                            // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  mix5Tail
	MIX_AVX512(0)
	ADDQ $64, AX
	JMP  mix5Vec

mix5Tail:                           // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   mix5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0  // g := g[i] (0 beyond the end)
	VMOVUPS.Z    (DI)(AX*1), K1, Z1  // p := p[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z5  // f0 := m1[i]
	VMOVUPS.Z    (R9)(AX*1), K1, Z6  // s0 := m2[i]
	VMOVUPS.Z    (R10)(AX*1), K1, Z7 // v0 := v[i]
	VMULPS       Z16, Z1, Z1         // p *= decay
	VMULPS       Z0, Z18, Z2         // f := omb1*g
	VFMADD231PS  Z5, Z17, Z2         // f += b1*f0
	VMOVUPS      Z2, K1, (R8)(AX*1)  // m1[i] = f
	VMULPS       Z0, Z22, Z3         // s := omb3*g
	VFMADD231PS  Z6, Z21, Z3         // s += b3*s0
	VMOVUPS      Z3, K1, (R9)(AX*1)  // m2[i] = s
	VMULPS       Z0, Z20, Z4         // vv := omb2*g
	VMULPS       Z0, Z4, Z4          // vv *= g
	VFMADD231PS  Z7, Z19, Z4         // vv += b2*v0
	VMOVUPS      Z4, K1, (R10)(AX*1) // v[i] = vv
	VSQRTPS      Z4, Z4              // d := sqrt(vv)
	VFMADD213PS  Z24, Z23, Z4        // d = d*rbc2 + eps
	VMULPS       Z2, Z25, Z2         // num := step*f
	VFMADD231PS  Z3, Z26, Z2         // num += la*s
	VDIVPS       Z4, Z2, Z2          // q := num/d
	VSUBPS       Z2, Z1, Z1          // p -= q
	VMOVUPS      Z1, K1, (DI)(AX*1)  // p[i] = p

mix5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
