//go:build amd64 && gc && !purego

#include "textflag.h"

// FAdam's three passes; see fused_fadam_amd64.go for the Go each kernel
// computes. AX is the byte offset of the current vector, CX the byte
// length. Every kernel saves the caller's MXCSR in its frame, sets
// FTZ|DAZ (0x8040) and restores it before RET. No float32 operation is
// fused, so that every level rounds as the reference. The reductions go
// by blocks of 64 floats, 4 rows of 16 lanes: the rows' squares are
// summed in float32 as (r0+r1)+(r2+r3), converted to float64 and added
// to the lanes' partial sums (see fadamAddBlock). Every load of a vector
// is issued before its first store: the slices are often page aligned,
// and a load after a store to another slice at the same offset mod 4096
// waits on 4K aliasing (pass 2 in L2: 0.39 -> 0.33 ns/param).

// FA_MXCSR saves MXCSR and sets FTZ|DAZ.
#define FA_MXCSR \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)

// FS_ROW2 loads 8 floats at off into R and squares them.
#define FS_ROW2(off, R) \
	VMOVUPS off(SI)(AX*1), R \
	VMULPS  R, R, R

// FS_HALF2 adds lanes 8h..8h+7 of the block at AX (rows at o0..o3, the
// 8-float half h of each) to the float64 lanes LO (first 4) and HI.
#define FS_HALF2(o0, o1, o2, o3, LO, HI) \
	FS_ROW2(o0, Y0)             \
	FS_ROW2(o1, Y1)             \
	FS_ROW2(o2, Y2)             \
	FS_ROW2(o3, Y3)             \
	VADDPS       Y1, Y0, Y0     /* r0+r1 */ \
	VADDPS       Y3, Y2, Y2     /* r2+r3 */ \
	VADDPS       Y2, Y0, Y0     \
	VCVTPS2PD    X0, Y1         \
	VADDPD       Y1, LO, LO     \
	VEXTRACTF128 $1, Y0, X0     \
	VCVTPS2PD    X0, Y0         \
	VADDPD       Y0, HI, HI

// FS_TREE adds the block sum of the squared rows Z0..Z3 to the float64
// lanes Z20 (0-7) and Z21 (8-15).
#define FS_TREE \
	VADDPS        Z1, Z0, Z0   /* r0+r1 */ \
	VADDPS        Z3, Z2, Z2   /* r2+r3 */ \
	VADDPS        Z2, Z0, Z0   \
	VCVTPS2PD     Y0, Z4       \
	VEXTRACTF64X4 $1, Z0, Y0   \
	VCVTPS2PD     Y0, Z0       \
	VADDPD        Z4, Z20, Z20 \
	VADDPD        Z0, Z21, Z21

// FP_ROW does one 16-float row at off of pass 2, leaving (g·r)² in G and
// (p·r)² in W. Z16 = b2, Z17 = omb2, Z18 = epsh, Z19 = 1, Z25 = 0.
#define FP_ROW(off, G, W) \
	VMOVUPS  off(SI)(AX*1), Z0      /* g */ \
	VMOVUPS  off(DI)(AX*1), Z3      /* p (loaded before the stores) */ \
	VMULPS   off(R9)(AX*1), Z16, Z1 /* b2*f */ \
	VMULPS   Z0, Z17, Z2            /* omb2*g */ \
	VMULPS   Z0, Z2, Z2             /* (omb2*g)*g */ \
	VADDPS   Z2, Z1, Z1             /* f' */ \
	VSQRTPS  Z1, Z2                 \
	VADDPS   Z18, Z2, Z2            /* d = sqrt(f')+epsh */ \
	VCMPPS   $4, Z25, Z2, K2        /* K2 = d != 0 */ \
	VDIVPS.Z Z2, Z19, K2, Z2        /* r = 1/d, 0 where d = 0 */ \
	VMOVUPS  Z2, off(R10)(AX*1)     /* r[i] = r */ \
	VMOVUPS  Z1, off(R9)(AX*1)      /* f[i] = f' (after r, which may alias f) */ \
	VMULPS   Z2, Z0, Z0             /* gh = g*r */ \
	VMULPS   Z3, Z2, Z1             /* w = p*r */ \
	VMULPS   Z0, Z0, G              \
	VMULPS   Z1, Z1, W

// FP_ROWM is FP_ROW for the lanes of mask K (0 elsewhere, nothing
// stored there).
#define FP_ROWM(off, K, G, W) \
	VMOVUPS.Z off(SI)(AX*1), K, Z0  /* g */ \
	VMOVUPS.Z off(R9)(AX*1), K, Z1  /* f */ \
	VMOVUPS.Z off(DI)(AX*1), K, Z3  /* p */ \
	VMULPS    Z1, Z16, Z1           /* b2*f */ \
	VMULPS    Z0, Z17, Z2           /* omb2*g */ \
	VMULPS    Z0, Z2, Z2            /* (omb2*g)*g */ \
	VADDPS    Z2, Z1, Z1            /* f' */ \
	VSQRTPS   Z1, Z2                \
	VADDPS    Z18, Z2, Z2           /* d */ \
	VCMPPS    $4, Z25, Z2, K, K2    /* K2 = K && d != 0 */ \
	VDIVPS.Z  Z2, Z19, K2, Z2       /* r */ \
	VMOVUPS   Z2, K, off(R10)(AX*1) /* r[i] = r */ \
	VMOVUPS   Z1, K, off(R9)(AX*1)  /* f[i] = f' (after r) */ \
	VMULPS    Z2, Z0, Z0            /* gh */ \
	VMULPS    Z3, Z2, Z1            /* w */ \
	VMULPS    Z0, Z0, G             \
	VMULPS    Z1, Z1, W

// FP_TREE adds the block sums of rows Z4/Z5 .. Z10/Z11 (ĝ², ŵ²) to the
// float64 lanes Z20, Z21 (ĝ) and Z22, Z23 (ŵ).
#define FP_TREE \
	VADDPS        Z6, Z4, Z4   /* r0+r1 */ \
	VADDPS        Z10, Z8, Z8  /* r2+r3 */ \
	VADDPS        Z8, Z4, Z4   \
	VADDPS        Z7, Z5, Z5   \
	VADDPS        Z11, Z9, Z9  \
	VADDPS        Z9, Z5, Z5   \
	VCVTPS2PD     Y4, Z12      \
	VEXTRACTF64X4 $1, Z4, Y4   \
	VCVTPS2PD     Y4, Z4       \
	VADDPD        Z12, Z20, Z20 \
	VADDPD        Z4, Z21, Z21 \
	VCVTPS2PD     Y5, Z12      \
	VEXTRACTF64X4 $1, Z5, Y5   \
	VCVTPS2PD     Y5, Z5       \
	VADDPD        Z12, Z22, Z22 \
	VADDPD        Z5, Z23, Z23

// FP_SUB2 does 8 floats at off of pass 2 with AVX2, leaving (g·r)² in G
// and (p·r)² in W. Y3 = b2, Y4 = omb2, Y5 = epsh, Y6 = 1.
#define FP_SUB2(off, G, W) \
	VMOVUPS off(SI)(AX*1), Y0      /* g */ \
	VMOVUPS off(DI)(AX*1), Y14     /* p (loaded before the stores) */ \
	VMULPS  off(R9)(AX*1), Y3, Y1  /* b2*f */ \
	VMULPS  Y0, Y4, Y2             /* omb2*g */ \
	VMULPS  Y0, Y2, Y2             /* (omb2*g)*g */ \
	VADDPS  Y2, Y1, Y1             /* f' */ \
	VSQRTPS Y1, Y15                \
	VADDPS  Y5, Y15, Y15           /* d = sqrt(f')+epsh */ \
	VXORPS  Y2, Y2, Y2             \
	VCMPPS  $4, Y2, Y15, Y2        /* d != 0 */ \
	VDIVPS  Y15, Y6, Y15           /* 1/d */ \
	VANDPS  Y2, Y15, Y15           /* r, 0 where d = 0 */ \
	VMOVUPS Y15, off(R10)(AX*1)    /* r[i] = r */ \
	VMOVUPS Y1, off(R9)(AX*1)      /* f[i] = f' (after r, which may alias f) */ \
	VMULPS  Y15, Y0, Y0            /* gh = g*r */ \
	VMULPS  Y14, Y15, Y1           /* w = p*r */ \
	VMULPS  Y0, Y0, G              \
	VMULPS  Y1, Y1, W

// FP_LANES2 adds the 8 float32 lane sums in YS (XS its low half) to
// the float64 lanes at a0(R8) (first 4) and a1(R8).
#define FP_LANES2(XS, YS, a0, a1) \
	VCVTPS2PD    XS, Y7          \
	VADDPD       a0(R8), Y7, Y7  \
	VMOVUPD      Y7, a0(R8)      \
	VEXTRACTF128 $1, YS, XS      \
	VCVTPS2PD    XS, YS          \
	VADDPD       a1(R8), YS, YS  \
	VMOVUPD      YS, a1(R8)

// FP_HALF2 does the 8-float half h of the four rows of the block at AX
// (offsets o0..o3) and adds its lane sums to acc: ĝ at g0, g1; ŵ at w0,
// w1 (byte offsets into acc).
#define FP_HALF2(o0, o1, o2, o3, g0, g1, w0, w1) \
	FP_SUB2(o0, Y8, Y9)     \
	FP_SUB2(o1, Y10, Y11)   \
	VADDPS Y10, Y8, Y8      /* r0+r1 */ \
	VADDPS Y11, Y9, Y9      \
	FP_SUB2(o2, Y10, Y11)   \
	FP_SUB2(o3, Y12, Y13)   \
	VADDPS Y12, Y10, Y10    /* r2+r3 */ \
	VADDPS Y13, Y11, Y11    \
	VADDPS Y10, Y8, Y8      \
	VADDPS Y11, Y9, Y9      \
	FP_LANES2(X8, Y8, g0, g1) \
	FP_LANES2(X9, Y9, w0, w1)

// FA_MASKS sets K1, K3, K4, K5 to the lanes of rows 0..3 of a block of
// the CX floats (1..63) left; clobbers BX.
#define FA_MASKS \
	MOVQ  $1, BX     \
	SHLQ  CX, BX     \
	DECQ  BX         /* BX = 1<<CX - 1 */ \
	KMOVW BX, K1     \
	SHRQ  $16, BX    \
	KMOVW BX, K3     \
	SHRQ  $16, BX    \
	KMOVW BX, K4     \
	SHRQ  $16, BX    \
	KMOVW BX, K5

// FP_SETUP loads the pointers, sets FTZ|DAZ and CX = byte length.
#define FP_SETUP \
	MOVQ g_base+0(FP), SI  \
	MOVQ g_len+8(FP), CX   \
	MOVQ p_base+24(FP), DI \
	MOVQ f_base+48(FP), R9 \
	MOVQ r_base+72(FP), R10 \
	MOVQ acc+96(FP), R8    \
	FA_MXCSR               \
	SHLQ $2, CX

// FU_REST finishes one vector of pass 3 at off from gh = g·r in T0,
// r in T1, b1·m in T2 and p in T3 (all loaded before its stores).
#define FU_REST(off, T0, T1, T2, T3, SG, OMB1, SW, WD, LR) \
	VMULPS  SG, T0, T0            /* gh*sg */ \
	VMULPS  T0, OMB1, T0          /* omb1*(gh*sg) */ \
	VADDPS  T0, T2, T2            /* m' */ \
	VMOVUPS T2, off(R8)(AX*1)     /* m[i] = m' */ \
	VMULPS  T3, T1, T1            /* w = p*r */ \
	VMULPS  SW, T1, T1            /* w*sw */ \
	VMULPS  T1, WD, T1            /* wd*(w*sw) */ \
	VADDPS  T1, T2, T1            /* m' + wd*w */ \
	VMULPS  T1, LR, T1            /* u = lr*(m'+wd*w) */ \
	VSUBPS  T1, T3, T3            /* p - u */ \
	VMOVUPS T3, off(DI)(AX*1)     /* p[i] */

// FU_VEC updates one whole vector at off, r read from R9; temporaries
// T0..T3, constants as named.
#define FU_VEC(off, T0, T1, T2, T3, SG, OMB1, B1, SW, WD, LR) \
	VMOVUPS off(R9)(AX*1), T1     /* r */ \
	VMULPS  off(SI)(AX*1), T1, T0 /* gh = g*r */ \
	VMULPS  off(R8)(AX*1), B1, T2 /* b1*m */ \
	VMOVUPS off(DI)(AX*1), T3     /* p (loaded before the stores) */ \
	FU_REST(off, T0, T1, T2, T3, SG, OMB1, SW, WD, LR)

// FR_AVX2 is FU_VEC with r recomputed from f (R9) as pass 2 made it:
// Y4 = epsh, Y5 = 1; Y6, Y7 are clobbered.
#define FR_AVX2(off) \
	VSQRTPS off(R9)(AX*1), Y1      /* sqrt(f) */ \
	VMOVUPS off(SI)(AX*1), Y6      /* g */ \
	VMULPS  off(R8)(AX*1), Y12, Y2 /* b1*m */ \
	VMOVUPS off(DI)(AX*1), Y3      /* p */ \
	VADDPS  Y4, Y1, Y1             /* d */ \
	VXORPS  Y7, Y7, Y7             \
	VCMPPS  $4, Y7, Y1, Y7         /* d != 0 */ \
	VDIVPS  Y1, Y5, Y1             \
	VANDPS  Y7, Y1, Y1             /* r */ \
	VMULPS  Y6, Y1, Y0             /* gh = g*r */ \
	FU_REST(off, Y0, Y1, Y2, Y3, Y10, Y11, Y13, Y14, Y15)

// FR_AVX512 is FR_AVX2 with AVX-512: Z22 = epsh, Z23 = 1, Z25 = 0.
#define FR_AVX512(off) \
	VSQRTPS  off(R9)(AX*1), Z1      /* sqrt(f) */ \
	VMOVUPS  off(SI)(AX*1), Z4      /* g */ \
	VMULPS   off(R8)(AX*1), Z18, Z2 /* b1*m */ \
	VMOVUPS  off(DI)(AX*1), Z3      /* p */ \
	VADDPS   Z22, Z1, Z1            /* d */ \
	VCMPPS   $4, Z25, Z1, K2        /* d != 0 */ \
	VDIVPS.Z Z1, Z23, K2, Z1        /* r */ \
	VMULPS   Z4, Z1, Z0             /* gh = g*r */ \
	FU_REST(off, Z0, Z1, Z2, Z3, Z16, Z17, Z19, Z20, Z21)

#define FU_AVX2(off) FU_VEC(off, Y0, Y1, Y2, Y3, Y10, Y11, Y12, Y13, Y14, Y15)

#define FU_AVX512(off) FU_VEC(off, Z0, Z1, Z2, Z3, Z16, Z17, Z18, Z19, Z20, Z21)

// FU_SETUP loads the pointers, sets FTZ|DAZ and CX = byte length.
#define FU_SETUP \
	MOVQ p_base+0(FP), DI  \
	MOVQ p_len+8(FP), CX   \
	MOVQ g_base+24(FP), SI \
	MOVQ m_base+48(FP), R8 \
	MOVQ r_base+72(FP), R9 \
	FA_MXCSR               \
	SHLQ $2, CX

// ---------------------------------------------------------------------
// Pass 1: the block sums of g². SI = g, R8 = acc.

// func fadamSumAVX2(g []float32, acc *[16]float64)
TEXT ·fadamSumAVX2(SB), NOSPLIT, $8-32
	MOVQ    g_base+0(FP), SI
	MOVQ    g_len+8(FP), CX
	MOVQ    acc+24(FP), R8
	FA_MXCSR
	SHLQ    $2, CX                  // CX = bytes, a multiple of 256
	VMOVUPD (R8), Y8                // lanes 0-3, 4-7, 8-11, 12-15
	VMOVUPD 32(R8), Y9
	VMOVUPD 64(R8), Y10
	VMOVUPD 96(R8), Y11
	XORQ    AX, AX

fs2Block:                           // for ; AX < CX; AX += 256: 64 floats
	CMPQ AX, CX
	JAE  fs2Done
	FS_HALF2(0, 64, 128, 192, Y8, Y9)
	FS_HALF2(32, 96, 160, 224, Y10, Y11)
	ADDQ $256, AX
	JMP  fs2Block

fs2Done:
	VMOVUPD Y8, (R8)
	VMOVUPD Y9, 32(R8)
	VMOVUPD Y10, 64(R8)
	VMOVUPD Y11, 96(R8)
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func fadamSumAVX512(g []float32, acc *[16]float64)
TEXT ·fadamSumAVX512(SB), NOSPLIT, $8-32
	MOVQ    g_base+0(FP), SI
	MOVQ    g_len+8(FP), CX
	MOVQ    acc+24(FP), R8
	FA_MXCSR
	SHLQ    $2, CX                  // CX = bytes
	VMOVUPD (R8), Z20               // lanes 0-7
	VMOVUPD 64(R8), Z21             // lanes 8-15
	MOVQ    CX, BX
	ANDQ    $-256, BX               // BX = bytes in whole blocks
	XORQ    AX, AX

fs5Block:                           // for ; AX < BX; AX += 256: 64 floats
	CMPQ    AX, BX
	JAE     fs5Tail
	VMOVUPS (SI)(AX*1), Z0
	VMOVUPS 64(SI)(AX*1), Z1
	VMOVUPS 128(SI)(AX*1), Z2
	VMOVUPS 192(SI)(AX*1), Z3
	VMULPS  Z0, Z0, Z0
	VMULPS  Z1, Z1, Z1
	VMULPS  Z2, Z2, Z2
	VMULPS  Z3, Z3, Z3
	FS_TREE
	ADDQ    $256, AX
	JMP     fs5Block

fs5Tail:                            // the last len(g)%64 floats, rows under masks
	SUBQ      AX, CX
	JZ        fs5Done
	SHRQ      $2, CX                // CX = 1..63 floats left
	FA_MASKS
	VMOVUPS.Z (SI)(AX*1), K1, Z0
	VMOVUPS.Z 64(SI)(AX*1), K3, Z1
	VMOVUPS.Z 128(SI)(AX*1), K4, Z2
	VMOVUPS.Z 192(SI)(AX*1), K5, Z3
	VMULPS    Z0, Z0, Z0
	VMULPS    Z1, Z1, Z1
	VMULPS    Z2, Z2, Z2
	VMULPS    Z3, Z3, Z3
	FS_TREE

fs5Done:
	VMOVUPD Z20, (R8)
	VMOVUPD Z21, 64(R8)
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// ---------------------------------------------------------------------
// Pass 2. SI = g, DI = p, R9 = f, R10 = r, R8 = acc.

// func fadamPrecondAVX2(g, p, f, r []float32, acc *[32]float64, b2, omb2, epsh float32)
TEXT ·fadamPrecondAVX2(SB), NOSPLIT, $8-116
	VBROADCASTSS b2+104(FP), Y3
	VBROADCASTSS omb2+108(FP), Y4
	VBROADCASTSS epsh+112(FP), Y5
	MOVL         $0x3f800000, R11
	MOVQ         R11, X6
	VBROADCASTSS X6, Y6             // Y6 = 1
	FP_SETUP                        // CX = bytes, a multiple of 256
	XORQ         AX, AX

fp2Block:                           // for ; AX < CX; AX += 256: 64 floats
	CMPQ AX, CX
	JAE  fp2Done
	FP_HALF2(0, 64, 128, 192, 0, 32, 128, 160)
	FP_HALF2(32, 96, 160, 224, 64, 96, 192, 224)
	ADDQ $256, AX
	JMP  fp2Block

fp2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func fadamPrecondAVX512(g, p, f, r []float32, acc *[32]float64, b2, omb2, epsh float32)
TEXT ·fadamPrecondAVX512(SB), NOSPLIT, $8-116
	VBROADCASTSS b2+104(FP), Z16
	VBROADCASTSS omb2+108(FP), Z17
	VBROADCASTSS epsh+112(FP), Z18
	MOVL         $0x3f800000, R11
	MOVQ         R11, X0
	VBROADCASTSS X0, Z19            // Z19 = 1
	VPXORD       Z25, Z25, Z25      // Z25 = 0
	FP_SETUP
	VMOVUPD (R8), Z20               // Σĝ² lanes 0-7, 8-15
	VMOVUPD 64(R8), Z21
	VMOVUPD 128(R8), Z22            // Σŵ² lanes 0-7, 8-15
	VMOVUPD 192(R8), Z23
	MOVQ    CX, BX
	ANDQ    $-256, BX               // BX = bytes in whole blocks
	XORQ    AX, AX

fp5Block:                           // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  fp5Tail
	FP_ROW(0, Z4, Z5)
	FP_ROW(64, Z6, Z7)
	FP_ROW(128, Z8, Z9)
	FP_ROW(192, Z10, Z11)
	FP_TREE
	ADDQ $256, AX
	JMP  fp5Block

fp5Tail:                            // the last len(g)%64 floats, rows under masks
	SUBQ AX, CX
	JZ   fp5Done
	SHRQ $2, CX                     // CX = 1..63 floats left
	FA_MASKS
	FP_ROWM(0, K1, Z4, Z5)
	FP_ROWM(64, K3, Z6, Z7)
	FP_ROWM(128, K4, Z8, Z9)
	FP_ROWM(192, K5, Z10, Z11)
	FP_TREE

fp5Done:
	VMOVUPD Z20, (R8)
	VMOVUPD Z21, 64(R8)
	VMOVUPD Z22, 128(R8)
	VMOVUPD Z23, 192(R8)
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// ---------------------------------------------------------------------
// Pass 3. DI = p, SI = g, R8 = m, R9 = r.

// func fadamUpdateAVX2(p, g, m, r []float32, sg, omb1, b1, sw, wd, lr float32)
TEXT ·fadamUpdateAVX2(SB), NOSPLIT, $8-120
	VBROADCASTSS sg+96(FP), Y10
	VBROADCASTSS omb1+100(FP), Y11
	VBROADCASTSS b1+104(FP), Y12
	VBROADCASTSS sw+108(FP), Y13
	VBROADCASTSS wd+112(FP), Y14
	VBROADCASTSS lr+116(FP), Y15
	FU_SETUP
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

fu2Block:                           // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  fu2Vec
	FU_AVX2(0)
	FU_AVX2(32)
	FU_AVX2(64)
	FU_AVX2(96)
	ADDQ $128, AX
	JMP  fu2Block

fu2Vec:                             // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  fu2Done
	FU_AVX2(0)
	ADDQ $32, AX
	JMP  fu2Vec

fu2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func fadamUpdateAVX512(p, g, m, r []float32, sg, omb1, b1, sw, wd, lr float32)
TEXT ·fadamUpdateAVX512(SB), NOSPLIT, $8-120
	VBROADCASTSS sg+96(FP), Z16
	VBROADCASTSS omb1+100(FP), Z17
	VBROADCASTSS b1+104(FP), Z18
	VBROADCASTSS sw+108(FP), Z19
	VBROADCASTSS wd+112(FP), Z20
	VBROADCASTSS lr+116(FP), Z21
	FU_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	MOVQ DX, AX                     // backwards: the masked tail first

fu5Tail:                            // the last len(p)%16 floats under mask K1
	SUBQ  DX, CX
	JZ    fu5Vec
	SHRQ  $2, CX                    // CX = 1..15 floats left
	MOVL  $1, R11
	SHLL  CX, R11
	DECL  R11
	KMOVW R11, K1                   // K1 = lanes 0..CX-1
	VMOVUPS.Z (R9)(AX*1), K1, Z1    // r
	VMOVUPS.Z (SI)(AX*1), K1, Z4    // g
	VMOVUPS.Z (R8)(AX*1), K1, Z5    // m
	VMOVUPS.Z (DI)(AX*1), K1, Z3    // p
	VMULPS  Z4, Z1, Z0              // gh = g*r
	VMULPS  Z16, Z0, Z0             // gh*sg
	VMULPS  Z0, Z17, Z0             // omb1*(gh*sg)
	VMULPS  Z5, Z18, Z2             // b1*m
	VADDPS  Z0, Z2, Z2              // m'
	VMOVUPS Z2, K1, (R8)(AX*1)      // m[i] = m'
	VMULPS  Z3, Z1, Z1              // w = p*r
	VMULPS  Z19, Z1, Z1             // w*sw
	VMULPS  Z1, Z20, Z1             // wd*(w*sw)
	VADDPS  Z1, Z2, Z1              // m' + wd*w
	VMULPS  Z1, Z21, Z1             // u
	VSUBPS  Z1, Z3, Z3              // p - u
	VMOVUPS Z3, K1, (DI)(AX*1)      // p[i]

fu5Vec:                             // for AX > BX: the whole vectors past the blocks
	CMPQ AX, BX
	JBE  fu5Block
	SUBQ $64, AX
	FU_AVX512(0)
	JMP  fu5Vec

fu5Block:                           // for AX > 0: 64 floats
	TESTQ AX, AX
	JZ    fu5Done
	SUBQ  $256, AX
	FU_AVX512(192)
	FU_AVX512(128)
	FU_AVX512(64)
	FU_AVX512(0)
	JMP   fu5Block

fu5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func fadamUpdateRecipAVX2(p, g, m, f []float32, epsh, sg, omb1, b1, sw, wd, lr float32)
TEXT ·fadamUpdateRecipAVX2(SB), NOSPLIT, $8-124
	VBROADCASTSS epsh+96(FP), Y4
	VBROADCASTSS sg+100(FP), Y10
	VBROADCASTSS omb1+104(FP), Y11
	VBROADCASTSS b1+108(FP), Y12
	VBROADCASTSS sw+112(FP), Y13
	VBROADCASTSS wd+116(FP), Y14
	VBROADCASTSS lr+120(FP), Y15
	MOVL         $0x3f800000, R11
	MOVQ         R11, X5
	VBROADCASTSS X5, Y5             // Y5 = 1
	MOVQ         p_base+0(FP), DI
	MOVQ         p_len+8(FP), CX
	MOVQ         g_base+24(FP), SI
	MOVQ         m_base+48(FP), R8
	MOVQ         f_base+72(FP), R9
	FA_MXCSR
	SHLQ         $2, CX             // CX = bytes, a multiple of 32
	XORQ         AX, AX

fr2Vec:                             // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  fr2Done
	FR_AVX2(0)
	ADDQ $32, AX
	JMP  fr2Vec

fr2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func fadamUpdateRecipAVX512(p, g, m, f []float32, epsh, sg, omb1, b1, sw, wd, lr float32)
TEXT ·fadamUpdateRecipAVX512(SB), NOSPLIT, $8-124
	VBROADCASTSS epsh+96(FP), Z22
	VBROADCASTSS sg+100(FP), Z16
	VBROADCASTSS omb1+104(FP), Z17
	VBROADCASTSS b1+108(FP), Z18
	VBROADCASTSS sw+112(FP), Z19
	VBROADCASTSS wd+116(FP), Z20
	VBROADCASTSS lr+120(FP), Z21
	MOVL         $0x3f800000, R11
	MOVQ         R11, X0
	VBROADCASTSS X0, Z23            // Z23 = 1
	VPXORD       Z25, Z25, Z25      // Z25 = 0
	MOVQ         p_base+0(FP), DI
	MOVQ         p_len+8(FP), CX
	MOVQ         g_base+24(FP), SI
	MOVQ         m_base+48(FP), R8
	MOVQ         f_base+72(FP), R9
	FA_MXCSR
	SHLQ         $2, CX             // CX = bytes
	MOVQ         CX, BX
	ANDQ         $-256, BX          // BX = bytes in whole 4-vector blocks
	MOVQ         CX, DX
	ANDQ         $-64, DX           // DX = bytes in whole vectors
	MOVQ         DX, AX             // backwards: the masked tail first

fr5Tail:                            // the last len(p)%16 floats under mask K1
	SUBQ  DX, CX
	JZ    fr5Vec
	SHRQ  $2, CX                    // CX = 1..15 floats left
	MOVL  $1, R11
	SHLL  CX, R11
	DECL  R11
	KMOVW R11, K1                   // K1 = lanes 0..CX-1
	VMOVUPS.Z (R9)(AX*1), K1, Z1    // f
	VMOVUPS.Z (SI)(AX*1), K1, Z4    // g
	VMOVUPS.Z (R8)(AX*1), K1, Z5    // m
	VMOVUPS.Z (DI)(AX*1), K1, Z3    // p
	VSQRTPS  Z1, Z1
	VADDPS   Z22, Z1, Z1            // d
	VCMPPS   $4, Z25, Z1, K1, K2    // K2 = K1 && d != 0
	VDIVPS.Z Z1, Z23, K2, Z1        // r
	VMULPS   Z4, Z1, Z0             // gh = g*r
	VMULPS   Z5, Z18, Z2            // b1*m
	VMULPS   Z16, Z0, Z0            // gh*sg
	VMULPS   Z0, Z17, Z0            // omb1*(gh*sg)
	VADDPS   Z0, Z2, Z2             // m'
	VMOVUPS  Z2, K1, (R8)(AX*1)     // m[i] = m'
	VMULPS   Z3, Z1, Z1             // w = p*r
	VMULPS   Z19, Z1, Z1            // w*sw
	VMULPS   Z1, Z20, Z1            // wd*(w*sw)
	VADDPS   Z1, Z2, Z1             // m' + wd*w
	VMULPS   Z1, Z21, Z1            // u
	VSUBPS   Z1, Z3, Z3             // p - u
	VMOVUPS  Z3, K1, (DI)(AX*1)     // p[i]

fr5Vec:                             // for AX > BX: the whole vectors past the blocks
	CMPQ AX, BX
	JBE  fr5Block
	SUBQ $64, AX
	FR_AVX512(0)
	JMP  fr5Vec

fr5Block:                           // for AX > 0: 64 floats
	TESTQ AX, AX
	JZ    fr5Done
	SUBQ  $256, AX
	FR_AVX512(192)
	FR_AVX512(128)
	FR_AVX512(64)
	FR_AVX512(0)
	JMP   fr5Block

fr5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
