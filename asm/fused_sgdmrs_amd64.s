//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused SGDM-RS step; see fused_sgdmrs_amd64.go for the Go each kernel
// computes. Pointers: DI = p, SI = g, R8 = d; AX is the byte offset of the
// current vector, CX the byte length. The caller's MXCSR is saved in the
// frame, FTZ|DAZ (0x8040) set, and restored before RET. Each kernel has
// two sets of loops, with and without λ·p (hasWD), so that λ = 0 leaves
// u = g exactly as the chain does.

// SRS_PFD is the prefetch distance in bytes (not a multiple of 4096, see
// fused_amsgrad_amd64.s).
#define SRS_PFD 3072

// SRS_PF prefetches the cache line SRS_PFD+off bytes past AX in every
// stream.
#define SRS_PF(off) \
	PREFETCHT0 (SRS_PFD+off)(SI)(AX*1)  \
	PREFETCHT0 (SRS_PFD+off)(DI)(AX*1)  \
	PREFETCHT0 (SRS_PFD+off)(R8)(AX*1)

// SRS_REST finishes one vector from u in U and p in P: d and p are
// updated at byte offset off+AX. Temporary D.
#define SRS_REST(off, U, P, D, ETA, F, S) \
	VMULPS  ETA, U, U              /* u = eta*u            */ \
	VMOVUPS off(R8)(AX*1), D       /* dd := d[i]           */ \
	VSUBPS  U, D, D                /* dd -= u              */ \
	VMULPS  F, D, D                /* dd *= f              */ \
	VMOVUPS D, off(R8)(AX*1)       /* d[i] = dd            */ \
	VMULPS  S, D, D                /* dd *= s              */ \
	VADDPS  D, P, P                /* p += dd              */ \
	VMOVUPS P, off(DI)(AX*1)       /* p[i] = p             */

// SRS_VEC updates one whole vector without λ.
#define SRS_VEC(off, U, P, D, ETA, F, S) \
	VMOVUPS off(SI)(AX*1), U       /* u := g[i]            */ \
	VMOVUPS off(DI)(AX*1), P       /* p := p[i]            */ \
	SRS_REST(off, U, P, D, ETA, F, S)

// SRS_VEC_WD updates one whole vector with λ.
#define SRS_VEC_WD(off, U, P, D, WD, ETA, F, S) \
	VMOVUPS     off(SI)(AX*1), U   /* u := g[i]            */ \
	VMOVUPS     off(DI)(AX*1), P   /* p := p[i]            */ \
	VFMADD231PS P, WD, U           /* u += wd*p            */ \
	SRS_REST(off, U, P, D, ETA, F, S)

#define SRS_AVX2(off) SRS_VEC(off, Y0, Y1, Y2, Y13, Y14, Y15)
#define SRS_AVX2_WD(off) SRS_VEC_WD(off, Y0, Y1, Y2, Y12, Y13, Y14, Y15)
#define SRS_AVX512(off) SRS_VEC(off, Z0, Z1, Z2, Z17, Z18, Z19)
#define SRS_AVX512_WD(off) SRS_VEC_WD(off, Z0, Z1, Z2, Z16, Z17, Z18, Z19)

// SRS_SETUP loads the pointers, sets FTZ|DAZ, CX = byte length and
// R9 = hasWD.
#define SRS_SETUP \
	MOVQ    p_base+0(FP), DI                  \
	MOVQ    p_len+8(FP), CX                   \
	MOVQ    g_base+24(FP), SI                 \
	MOVQ    d_base+48(FP), R8                 \
	MOVL    hasWD+88(FP), R9                  \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved | FTZ | DAZ */ \
	SHLQ    $2, CX        /* CX = bytes */

// func sgdmrsAVX2(p, g, d []float32, wd, eta, f, s float32, hasWD uint32)
TEXT ·sgdmrsAVX2(SB), NOSPLIT, $8-92
	VBROADCASTSS wd+72(FP), Y12     // Y12 = wd
	VBROADCASTSS eta+76(FP), Y13    // Y13 = eta
	VBROADCASTSS f+80(FP), Y14      // Y14 = f
	VBROADCASTSS s+84(FP), Y15      // Y15 = s
	SRS_SETUP
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX
	TESTL R9, R9
	JNZ  srs2WDBlock

srs2Block:                          // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  srs2Vec
	SRS_PF(0)
	SRS_PF(64)
	SRS_AVX2(0)
	SRS_AVX2(32)
	SRS_AVX2(64)
	SRS_AVX2(96)
	ADDQ $128, AX
	JMP  srs2Block

srs2Vec:                            // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  srs2Done
	SRS_AVX2(0)
	ADDQ $32, AX
	JMP  srs2Vec

srs2WDBlock:                        // the same loops with λ
	CMPQ AX, BX
	JAE  srs2WDVec
	SRS_PF(0)
	SRS_PF(64)
	SRS_AVX2_WD(0)
	SRS_AVX2_WD(32)
	SRS_AVX2_WD(64)
	SRS_AVX2_WD(96)
	ADDQ $128, AX
	JMP  srs2WDBlock

srs2WDVec:
	CMPQ AX, CX
	JAE  srs2Done
	SRS_AVX2_WD(0)
	ADDQ $32, AX
	JMP  srs2WDVec

srs2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func sgdmrsAVX512(p, g, d []float32, wd, eta, f, s float32, hasWD uint32)
TEXT ·sgdmrsAVX512(SB), NOSPLIT, $8-92
	VBROADCASTSS wd+72(FP), Z16     // Z16 = wd
	VBROADCASTSS eta+76(FP), Z17    // Z17 = eta
	VBROADCASTSS f+80(FP), Z18      // Z18 = f
	VBROADCASTSS s+84(FP), Z19      // Z19 = s
	SRS_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX
	TESTL R9, R9
	JNZ  srs5WDBlock

srs5Block:                          // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  srs5Vec
	SRS_PF(0)
	SRS_PF(64)
	SRS_PF(128)
	SRS_PF(192)
	SRS_AVX512(0)
	SRS_AVX512(64)
	SRS_AVX512(128)
	SRS_AVX512(192)
	ADDQ $256, AX
	JMP  srs5Block

srs5Vec:                            // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  srs5Tail
	SRS_AVX512(0)
	ADDQ $64, AX
	JMP  srs5Vec

srs5WDBlock:                        // the same loops with λ
	CMPQ AX, BX
	JAE  srs5WDVec
	SRS_PF(0)
	SRS_PF(64)
	SRS_PF(128)
	SRS_PF(192)
	SRS_AVX512_WD(0)
	SRS_AVX512_WD(64)
	SRS_AVX512_WD(128)
	SRS_AVX512_WD(192)
	ADDQ $256, AX
	JMP  srs5WDBlock

srs5WDVec:
	CMPQ AX, DX
	JAE  srs5Tail
	SRS_AVX512_WD(0)
	ADDQ $64, AX
	JMP  srs5WDVec

srs5Tail:                           // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   srs5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z (SI)(AX*1), K1, Z0    // u := g[i] (0 beyond the end)
	VMOVUPS.Z (DI)(AX*1), K1, Z1    // p := p[i]
	VMOVUPS.Z (R8)(AX*1), K1, Z2    // dd := d[i]
	TESTL R9, R9
	JZ   srs5TailNoWD
	VFMADD231PS Z1, Z16, Z0         // u += wd*p

srs5TailNoWD:
	VMULPS  Z17, Z0, Z0             // u = eta*u
	VSUBPS  Z0, Z2, Z2              // dd -= u
	VMULPS  Z18, Z2, Z2             // dd *= f
	VMOVUPS Z2, K1, (R8)(AX*1)      // d[i] = dd
	VMULPS  Z19, Z2, Z2             // dd *= s
	VADDPS  Z2, Z1, Z1              // p += dd
	VMOVUPS Z1, K1, (DI)(AX*1)      // p[i] = p

srs5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
