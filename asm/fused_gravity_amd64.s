//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused Gravity step, two passes; see fused_gravity_amd64.go for the Go
// each kernel computes. Max pass: SI = g. Update pass: DI = p, SI = g,
// R8 = v. AX is the byte offset of the current vector, CX the byte length.
// The update pass saves the caller's MXCSR in the frame, sets FTZ|DAZ
// (0x8040) and restores the saved value before RET; the max pass does
// integer operations only.

// GRV_PFD is the update pass's prefetch distance in bytes (not a
// multiple of 4096, see fused_amsgrad_amd64.s).
#define GRV_PFD 3072

// GRV_PF prefetches the cache line GRV_PFD+off bytes past AX in every
// stream of the update pass.
#define GRV_PF(off) \
	PREFETCHT0 (GRV_PFD+off)(SI)(AX*1)  \
	PREFETCHT0 (GRV_PFD+off)(DI)(AX*1)  \
	PREFETCHT0 (GRV_PFD+off)(R8)(AX*1)

// GRV_VEC updates one whole vector at byte offset off+AX; temporaries
// T0..T3, constants as named. Every load precedes the stores (4K
// aliasing, see fused_amsgrad_amd64.s).
#define GRV_VEC(off, T0, T1, T2, T3, M, ONE, B, OMB, LR) \
	VMOVUPS off(SI)(AX*1), T0      /* g := g[i]            */ \
	VMOVUPS off(DI)(AX*1), T3      /* p := p[i]            */ \
	VMULPS  off(R8)(AX*1), B, T2   /* vv := b*v[i]         */ \
	VMULPS  M, T0, T1              /* gm := g*m            */ \
	VMULPS  T1, T1, T1             /* q := gm*gm           */ \
	VADDPS  ONE, T1, T1            /* q += 1               */ \
	VDIVPS  T1, T0, T1             /* z := g/q             */ \
	VMULPS  OMB, T1, T1            /* z *= omb             */ \
	VADDPS  T1, T2, T2             /* vv += z              */ \
	VMOVUPS T2, off(R8)(AX*1)      /* v[i] = vv            */ \
	VMULPS  LR, T2, T2             /* vv *= lr             */ \
	VSUBPS  T2, T3, T3             /* p -= vv              */ \
	VMOVUPS T3, off(DI)(AX*1)      /* p[i] = p             */

#define GRV_AVX2(off) GRV_VEC(off, Y0, Y1, Y2, Y3, Y11, Y12, Y13, Y14, Y15)
#define GRV_AVX512(off) GRV_VEC(off, Z0, Z1, Z2, Z3, Z16, Z17, Z18, Z19, Z20)

// GRV_SETUP loads the pointers, sets FTZ|DAZ and CX = byte length.
#define GRV_SETUP \
	MOVQ    p_base+0(FP), DI                  \
	MOVQ    p_len+8(FP), CX                   \
	MOVQ    g_base+24(FP), SI                 \
	MOVQ    v_base+48(FP), R8                 \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved | FTZ | DAZ */ \
	SHLQ    $2, CX        /* CX = bytes */

// func gravityMaxAVX2(g []float32) uint32
TEXT ·gravityMaxAVX2(SB), NOSPLIT, $0-28
	MOVQ g_base+0(FP), SI
	MOVQ g_len+8(FP), CX
	MOVL $0x7fffffff, DX
	VMOVD DX, X15
	VPBROADCASTD X15, Y15           // Y15 = magnitude mask
	VPXOR Y4, Y4, Y4                // four maxima of the bit patterns
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	SHLQ $2, CX                     // CX = len(g) in bytes
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

grvMax2Block:                       // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  grvMax2Vec
	VPAND   (SI)(AX*1), Y15, Y0
	VPMAXUD Y0, Y4, Y4
	VPAND   32(SI)(AX*1), Y15, Y1
	VPMAXUD Y1, Y5, Y5
	VPAND   64(SI)(AX*1), Y15, Y2
	VPMAXUD Y2, Y6, Y6
	VPAND   96(SI)(AX*1), Y15, Y3
	VPMAXUD Y3, Y7, Y7
	ADDQ $128, AX
	JMP  grvMax2Block

grvMax2Vec:                         // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  grvMax2Done
	VPAND   (SI)(AX*1), Y15, Y0
	VPMAXUD Y0, Y4, Y4
	ADDQ $32, AX
	JMP  grvMax2Vec

grvMax2Done:
	VPMAXUD Y5, Y4, Y4
	VPMAXUD Y7, Y6, Y6
	VPMAXUD Y6, Y4, Y4              // Y4 = lane maxima
	VEXTRACTI128 $1, Y4, X5
	VPMAXUD X5, X4, X4
	VPSHUFD $0x4e, X4, X5
	VPMAXUD X5, X4, X4
	VPSHUFD $0xb1, X4, X5
	VPMAXUD X5, X4, X4              // every lane = the maximum
	VMOVD X4, DX
	MOVL DX, ret+24(FP)
	VZEROUPPER
	RET

// func gravityMaxAVX512(g []float32) uint32
TEXT ·gravityMaxAVX512(SB), NOSPLIT, $0-28
	MOVQ g_base+0(FP), SI
	MOVQ g_len+8(FP), CX
	MOVL $0x7fffffff, DX
	VPBROADCASTD DX, Z15            // Z15 = magnitude mask
	VPXORD Z4, Z4, Z4               // four maxima of the bit patterns
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	SHLQ $2, CX                     // CX = len(g) in bytes
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

grvMax5Block:                       // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  grvMax5Vec
	VPANDD  (SI)(AX*1), Z15, Z0
	VPMAXUD Z0, Z4, Z4
	VPANDD  64(SI)(AX*1), Z15, Z1
	VPMAXUD Z1, Z5, Z5
	VPANDD  128(SI)(AX*1), Z15, Z2
	VPMAXUD Z2, Z6, Z6
	VPANDD  192(SI)(AX*1), Z15, Z3
	VPMAXUD Z3, Z7, Z7
	ADDQ $256, AX
	JMP  grvMax5Block

grvMax5Vec:                         // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  grvMax5Tail
	VPANDD  (SI)(AX*1), Z15, Z0
	VPMAXUD Z0, Z4, Z4
	ADDQ $64, AX
	JMP  grvMax5Vec

grvMax5Tail:                        // the last len(g)%16 floats under mask K1
	SUBQ AX, CX
	JZ   grvMax5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVDQU32.Z (SI)(AX*1), K1, Z0  // 0 beyond the end
	VPANDD  Z0, Z15, Z0
	VPMAXUD Z0, Z4, Z4

grvMax5Done:
	VPMAXUD Z5, Z4, Z4
	VPMAXUD Z7, Z6, Z6
	VPMAXUD Z6, Z4, Z4              // Z4 = lane maxima
	VEXTRACTI64X4 $1, Z4, Y5
	VPMAXUD Y5, Y4, Y4
	VEXTRACTI128 $1, Y4, X5
	VPMAXUD X5, X4, X4
	VPSHUFD $0x4e, X4, X5
	VPMAXUD X5, X4, X4
	VPSHUFD $0xb1, X4, X5
	VPMAXUD X5, X4, X4              // every lane = the maximum
	VMOVD X4, DX
	MOVL DX, ret+24(FP)
	VZEROUPPER
	RET

// func gravityAVX2(p, g, v []float32, m, b, omb, lr float32)
TEXT ·gravityAVX2(SB), NOSPLIT, $8-88
	VBROADCASTSS m+72(FP), Y11      // Y11 = m
	MOVL $0x3f800000, DX
	VMOVD DX, X12
	VBROADCASTSS X12, Y12           // Y12 = 1
	VBROADCASTSS b+76(FP), Y13      // Y13 = b
	VBROADCASTSS omb+80(FP), Y14    // Y14 = omb
	VBROADCASTSS lr+84(FP), Y15     // Y15 = lr
	GRV_SETUP
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

grv2Block:                          // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  grv2Vec
	GRV_PF(0)
	GRV_PF(64)
	GRV_AVX2(0)
	GRV_AVX2(32)
	GRV_AVX2(64)
	GRV_AVX2(96)
	ADDQ $128, AX
	JMP  grv2Block

grv2Vec:                            // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  grv2Done
	GRV_AVX2(0)
	ADDQ $32, AX
	JMP  grv2Vec

grv2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func gravityAVX512(p, g, v []float32, m, b, omb, lr float32)
TEXT ·gravityAVX512(SB), NOSPLIT, $8-88
	VBROADCASTSS m+72(FP), Z16      // Z16 = m
	MOVL $0x3f800000, DX
	VPBROADCASTD DX, Z17            // Z17 = 1
	VBROADCASTSS b+76(FP), Z18      // Z18 = b
	VBROADCASTSS omb+80(FP), Z19    // Z19 = omb
	VBROADCASTSS lr+84(FP), Z20     // Z20 = lr
	GRV_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

grv5Block:                          // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  grv5Vec
	GRV_PF(0)
	GRV_PF(64)
	GRV_PF(128)
	GRV_PF(192)
	GRV_AVX512(0)
	GRV_AVX512(64)
	GRV_AVX512(128)
	GRV_AVX512(192)
	ADDQ $256, AX
	JMP  grv5Block

grv5Vec:                            // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  grv5Tail
	GRV_AVX512(0)
	ADDQ $64, AX
	JMP  grv5Vec

grv5Tail:                           // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   grv5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z (SI)(AX*1), K1, Z0    // g := g[i] (0 beyond the end)
	VMOVUPS.Z (R8)(AX*1), K1, Z4    // v := v[i]
	VMOVUPS.Z (DI)(AX*1), K1, Z3    // p := p[i]
	VMULPS  Z16, Z0, Z1             // gm := g*m
	VMULPS  Z1, Z1, Z1              // q := gm*gm
	VADDPS  Z17, Z1, Z1             // q += 1
	VDIVPS  Z1, Z0, Z1              // z := g/q
	VMULPS  Z19, Z1, Z1             // z *= omb
	VMULPS  Z4, Z18, Z2             // vv := b*v
	VADDPS  Z1, Z2, Z2              // vv += z
	VMOVUPS Z2, K1, (R8)(AX*1)      // v[i] = vv
	VMULPS  Z20, Z2, Z2             // vv *= lr
	VSUBPS  Z2, Z3, Z3              // p -= vv
	VMOVUPS Z3, K1, (DI)(AX*1)      // p[i] = p

grv5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
