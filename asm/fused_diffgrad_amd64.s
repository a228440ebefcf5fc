//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused diffGrad step; see fused_diffgrad_amd64.go for the Go each kernel
// computes. Pointers: DI = p, SI = g, R8 = m, R9 = v, R10 = prev; AX is
// the byte offset of the current vector, CX the byte length. The caller's
// MXCSR is saved in the frame, FTZ|DAZ (0x8040) set, and restored before
// RET.
//
// exp(−a), a in [0, 87], follows Cephes' expf: n = round(−a·log2 e) by
// adding and subtracting 1.5·2^23 (round to nearest), r = −a − n·ln 2
// with ln 2 = C1 + C2, exp(r) = 1 + r + r²·P(r), and 2^n built from n's
// bits, (n+127)<<23, for n in [−126, 0].

// diffgradC<>: 8 copies each (one AVX2 vector) of −log2 e, 1.5·2^23, 87,
// C1, C2, P0..P5, 1.0 (whose bits are 127<<23), then the |·| mask.
DATA diffgradC<>+0(SB)/4, $0xbfb8aa3b
DATA diffgradC<>+4(SB)/4, $0xbfb8aa3b
DATA diffgradC<>+8(SB)/4, $0xbfb8aa3b
DATA diffgradC<>+12(SB)/4, $0xbfb8aa3b
DATA diffgradC<>+16(SB)/4, $0xbfb8aa3b
DATA diffgradC<>+20(SB)/4, $0xbfb8aa3b
DATA diffgradC<>+24(SB)/4, $0xbfb8aa3b
DATA diffgradC<>+28(SB)/4, $0xbfb8aa3b
DATA diffgradC<>+32(SB)/4, $0x4b400000
DATA diffgradC<>+36(SB)/4, $0x4b400000
DATA diffgradC<>+40(SB)/4, $0x4b400000
DATA diffgradC<>+44(SB)/4, $0x4b400000
DATA diffgradC<>+48(SB)/4, $0x4b400000
DATA diffgradC<>+52(SB)/4, $0x4b400000
DATA diffgradC<>+56(SB)/4, $0x4b400000
DATA diffgradC<>+60(SB)/4, $0x4b400000
DATA diffgradC<>+64(SB)/4, $0x42ae0000
DATA diffgradC<>+68(SB)/4, $0x42ae0000
DATA diffgradC<>+72(SB)/4, $0x42ae0000
DATA diffgradC<>+76(SB)/4, $0x42ae0000
DATA diffgradC<>+80(SB)/4, $0x42ae0000
DATA diffgradC<>+84(SB)/4, $0x42ae0000
DATA diffgradC<>+88(SB)/4, $0x42ae0000
DATA diffgradC<>+92(SB)/4, $0x42ae0000
DATA diffgradC<>+96(SB)/4, $0x3f318000
DATA diffgradC<>+100(SB)/4, $0x3f318000
DATA diffgradC<>+104(SB)/4, $0x3f318000
DATA diffgradC<>+108(SB)/4, $0x3f318000
DATA diffgradC<>+112(SB)/4, $0x3f318000
DATA diffgradC<>+116(SB)/4, $0x3f318000
DATA diffgradC<>+120(SB)/4, $0x3f318000
DATA diffgradC<>+124(SB)/4, $0x3f318000
DATA diffgradC<>+128(SB)/4, $0xb95e8083
DATA diffgradC<>+132(SB)/4, $0xb95e8083
DATA diffgradC<>+136(SB)/4, $0xb95e8083
DATA diffgradC<>+140(SB)/4, $0xb95e8083
DATA diffgradC<>+144(SB)/4, $0xb95e8083
DATA diffgradC<>+148(SB)/4, $0xb95e8083
DATA diffgradC<>+152(SB)/4, $0xb95e8083
DATA diffgradC<>+156(SB)/4, $0xb95e8083
DATA diffgradC<>+160(SB)/4, $0x39506967
DATA diffgradC<>+164(SB)/4, $0x39506967
DATA diffgradC<>+168(SB)/4, $0x39506967
DATA diffgradC<>+172(SB)/4, $0x39506967
DATA diffgradC<>+176(SB)/4, $0x39506967
DATA diffgradC<>+180(SB)/4, $0x39506967
DATA diffgradC<>+184(SB)/4, $0x39506967
DATA diffgradC<>+188(SB)/4, $0x39506967
DATA diffgradC<>+192(SB)/4, $0x3ab743ce
DATA diffgradC<>+196(SB)/4, $0x3ab743ce
DATA diffgradC<>+200(SB)/4, $0x3ab743ce
DATA diffgradC<>+204(SB)/4, $0x3ab743ce
DATA diffgradC<>+208(SB)/4, $0x3ab743ce
DATA diffgradC<>+212(SB)/4, $0x3ab743ce
DATA diffgradC<>+216(SB)/4, $0x3ab743ce
DATA diffgradC<>+220(SB)/4, $0x3ab743ce
DATA diffgradC<>+224(SB)/4, $0x3c088908
DATA diffgradC<>+228(SB)/4, $0x3c088908
DATA diffgradC<>+232(SB)/4, $0x3c088908
DATA diffgradC<>+236(SB)/4, $0x3c088908
DATA diffgradC<>+240(SB)/4, $0x3c088908
DATA diffgradC<>+244(SB)/4, $0x3c088908
DATA diffgradC<>+248(SB)/4, $0x3c088908
DATA diffgradC<>+252(SB)/4, $0x3c088908
DATA diffgradC<>+256(SB)/4, $0x3d2aa9c1
DATA diffgradC<>+260(SB)/4, $0x3d2aa9c1
DATA diffgradC<>+264(SB)/4, $0x3d2aa9c1
DATA diffgradC<>+268(SB)/4, $0x3d2aa9c1
DATA diffgradC<>+272(SB)/4, $0x3d2aa9c1
DATA diffgradC<>+276(SB)/4, $0x3d2aa9c1
DATA diffgradC<>+280(SB)/4, $0x3d2aa9c1
DATA diffgradC<>+284(SB)/4, $0x3d2aa9c1
DATA diffgradC<>+288(SB)/4, $0x3e2aaaaa
DATA diffgradC<>+292(SB)/4, $0x3e2aaaaa
DATA diffgradC<>+296(SB)/4, $0x3e2aaaaa
DATA diffgradC<>+300(SB)/4, $0x3e2aaaaa
DATA diffgradC<>+304(SB)/4, $0x3e2aaaaa
DATA diffgradC<>+308(SB)/4, $0x3e2aaaaa
DATA diffgradC<>+312(SB)/4, $0x3e2aaaaa
DATA diffgradC<>+316(SB)/4, $0x3e2aaaaa
DATA diffgradC<>+320(SB)/4, $0x3f000000
DATA diffgradC<>+324(SB)/4, $0x3f000000
DATA diffgradC<>+328(SB)/4, $0x3f000000
DATA diffgradC<>+332(SB)/4, $0x3f000000
DATA diffgradC<>+336(SB)/4, $0x3f000000
DATA diffgradC<>+340(SB)/4, $0x3f000000
DATA diffgradC<>+344(SB)/4, $0x3f000000
DATA diffgradC<>+348(SB)/4, $0x3f000000
DATA diffgradC<>+352(SB)/4, $0x3f800000
DATA diffgradC<>+356(SB)/4, $0x3f800000
DATA diffgradC<>+360(SB)/4, $0x3f800000
DATA diffgradC<>+364(SB)/4, $0x3f800000
DATA diffgradC<>+368(SB)/4, $0x3f800000
DATA diffgradC<>+372(SB)/4, $0x3f800000
DATA diffgradC<>+376(SB)/4, $0x3f800000
DATA diffgradC<>+380(SB)/4, $0x3f800000
DATA diffgradC<>+384(SB)/4, $0x7fffffff
DATA diffgradC<>+388(SB)/4, $0x7fffffff
DATA diffgradC<>+392(SB)/4, $0x7fffffff
DATA diffgradC<>+396(SB)/4, $0x7fffffff
DATA diffgradC<>+400(SB)/4, $0x7fffffff
DATA diffgradC<>+404(SB)/4, $0x7fffffff
DATA diffgradC<>+408(SB)/4, $0x7fffffff
DATA diffgradC<>+412(SB)/4, $0x7fffffff
GLOBL diffgradC<>(SB), RODATA|NOPTR, $416

// DG_VEC updates one whole vector at byte offset off+AX; temporaries
// T0..T6, the Adam constants as named, and the exp constants NLOG2E,
// MAGIC, XMAX, C1, C2, P0..P5, ONE, ABS as registers or full-vector
// memory operands.
#define DG_VEC(off, T0, T1, T2, T3, T4, T5, T6, WD, DECAY, B1, OMB1, B2, OMB2, EPS, STEP, NLOG2E, MAGIC, XMAX, C1, C2, P0, P1, P2, P3, P4, P5, ONE, ABS) \
	VMOVUPS      off(SI)(AX*1), T0      /* g := g[i] */ \
	VMOVUPS      off(DI)(AX*1), T1      /* p := p[i] */ \
	VFMADD231PS  T1, WD, T0             /* g += wd*p */ \
	VMULPS       DECAY, T1, T1          /* p *= decay */ \
	VMULPS       T0, OMB1, T2           /* mm := omb1*g */ \
	VFMADD231PS  off(R8)(AX*1), B1, T2  /* mm += b1*m[i] */ \
	VMOVUPS      T2, off(R8)(AX*1)      /* m[i] = mm */ \
	VMULPS       T0, OMB2, T3           /* vv := omb2*g */ \
	VMULPS       T0, T3, T3             /* vv *= g */ \
	VFMADD231PS  off(R9)(AX*1), B2, T3  /* vv += b2*v[i] */ \
	VMOVUPS      T3, off(R9)(AX*1)      /* v[i] = vv */ \
	VSQRTPS      T3, T3                 /* r0 := sqrt(vv) */ \
	VADDPS       EPS, T3, T3            /* r0 += eps */ \
	VMOVUPS      off(R10)(AX*1), T4     /* a := prev[i] */ \
	VMOVUPS      T0, off(R10)(AX*1)     /* prev[i] = g */ \
	VSUBPS       T0, T4, T4             /* a -= g */ \
	VANDPS       ABS, T4, T4            /* a = |a| */ \
	VMOVUPS      XMAX, T6               /* c := 87 */ \
	VMINPS       T4, T6, T4             /* a = c < a ? c : a (NaN: a) */ \
	VMULPS       NLOG2E, T4, T5         /* s := -a*log2(e) */ \
	VADDPS       MAGIC, T5, T5          /* s += 1.5*2^23: n in the low bits */ \
	VSUBPS       MAGIC, T5, T6          /* n := s - 1.5*2^23 */ \
	VPSLLD       $23, T5, T5            /* s = n<<23 */ \
	VPADDD       ONE, T5, T5            /* s = (n+127)<<23 = 2^n */ \
	VFNMSUB231PS C1, T6, T4             /* r := -(n*C1) - a */ \
	VFNMADD231PS C2, T6, T4             /* r -= n*C2 */ \
	VMULPS       T4, T4, T6             /* z := r*r */ \
	VMOVUPS      P0, T0                 /* q := P0 */ \
	VFMADD213PS  P1, T4, T0             /* q = q*r + P1 */ \
	VFMADD213PS  P2, T4, T0             /* q = q*r + P2 */ \
	VFMADD213PS  P3, T4, T0             /* q = q*r + P3 */ \
	VFMADD213PS  P4, T4, T0             /* q = q*r + P4 */ \
	VFMADD213PS  P5, T4, T0             /* q = q*r + P5 */ \
	VFMADD213PS  T4, T6, T0             /* q = q*z + r */ \
	VADDPS       ONE, T0, T0            /* q += 1: exp(r) */ \
	VMULPS       T5, T0, T0             /* e := q*2^n */ \
	VADDPS       ONE, T0, T0            /* e += 1 */ \
	VMULPS       T0, T3, T3             /* den := (1+e)*r0 */ \
	VDIVPS       T3, T2, T2             /* q2 := mm/den */ \
	VFNMADD231PS T2, STEP, T1           /* p -= step*q2 */ \
	VMOVUPS      T1, off(DI)(AX*1)      /* p[i] = p */

#define DG_AVX2(off) DG_VEC(off, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15, diffgradC<>+0(SB), diffgradC<>+32(SB), diffgradC<>+64(SB), diffgradC<>+96(SB), diffgradC<>+128(SB), diffgradC<>+160(SB), diffgradC<>+192(SB), diffgradC<>+224(SB), diffgradC<>+256(SB), diffgradC<>+288(SB), diffgradC<>+320(SB), diffgradC<>+352(SB), diffgradC<>+384(SB))
#define DG_AVX512(off) DG_VEC(off, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z8, Z9, Z10, Z11, Z12, Z13, Z29, Z30)

// DG_SETUP loads the pointers, sets FTZ|DAZ and CX = byte length.
#define DG_SETUP \
	MOVQ    p_base+0(FP), DI                  \
	MOVQ    p_len+8(FP), CX                   \
	MOVQ    g_base+24(FP), SI                 \
	MOVQ    m_base+48(FP), R8                 \
	MOVQ    v_base+72(FP), R9                 \
	MOVQ    prev_base+96(FP), R10             \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved | FTZ | DAZ */ \
	SHLQ    $2, CX        /* CX = bytes */

// func diffgradAVX2(p, g, m, v, prev []float32, b1, omb1, b2, omb2, wd, decay, step, eps float32)
TEXT ·diffgradAVX2(SB), NOSPLIT, $8-152
	VBROADCASTSS wd+136(FP), Y8     // Y8 = wd
	VBROADCASTSS decay+140(FP), Y9  // Y9 = decay
	VBROADCASTSS b1+120(FP), Y10    // Y10 = b1
	VBROADCASTSS omb1+124(FP), Y11  // Y11 = omb1
	VBROADCASTSS b2+128(FP), Y12    // Y12 = b2
	VBROADCASTSS omb2+132(FP), Y13  // Y13 = omb2
	VBROADCASTSS eps+148(FP), Y14   // Y14 = eps
	VBROADCASTSS step+144(FP), Y15  // Y15 = step
	DG_SETUP
	MOVQ CX, BX
	ANDQ $-128, BX                  // BX = bytes in whole 4-vector blocks
	XORQ AX, AX

dg2Block:                           // for ; AX < BX; AX += 128: 32 floats
	CMPQ AX, BX
	JAE  dg2Vec
	DG_AVX2(0)
	DG_AVX2(32)
	DG_AVX2(64)
	DG_AVX2(96)
	ADDQ $128, AX
	JMP  dg2Block

dg2Vec:                             // for ; AX < CX; AX += 32: 8 floats
	CMPQ AX, CX
	JAE  dg2Done
	DG_AVX2(0)
	ADDQ $32, AX
	JMP  dg2Vec

dg2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// func diffgradAVX512(p, g, m, v, prev []float32, b1, omb1, b2, omb2, wd, decay, step, eps float32)
TEXT ·diffgradAVX512(SB), NOSPLIT, $8-152
	VBROADCASTSS wd+136(FP), Z16               // Z16 = wd
	VBROADCASTSS decay+140(FP), Z17            // Z17 = decay
	VBROADCASTSS b1+120(FP), Z18               // Z18 = b1
	VBROADCASTSS omb1+124(FP), Z19             // Z19 = omb1
	VBROADCASTSS b2+128(FP), Z20               // Z20 = b2
	VBROADCASTSS omb2+132(FP), Z21             // Z21 = omb2
	VBROADCASTSS eps+148(FP), Z22              // Z22 = eps
	VBROADCASTSS step+144(FP), Z23             // Z23 = step
	VBROADCASTSS diffgradC<>+0(SB), Z24        // Z24 = -log2(e)
	VBROADCASTSS diffgradC<>+32(SB), Z25       // Z25 = 1.5*2^23
	VBROADCASTSS diffgradC<>+64(SB), Z26       // Z26 = 87
	VBROADCASTSS diffgradC<>+96(SB), Z27       // Z27 = C1
	VBROADCASTSS diffgradC<>+128(SB), Z28      // Z28 = C2
	VBROADCASTSS diffgradC<>+160(SB), Z8       // Z8..Z13 = P0..P5
	VBROADCASTSS diffgradC<>+192(SB), Z9
	VBROADCASTSS diffgradC<>+224(SB), Z10
	VBROADCASTSS diffgradC<>+256(SB), Z11
	VBROADCASTSS diffgradC<>+288(SB), Z12
	VBROADCASTSS diffgradC<>+320(SB), Z13
	VBROADCASTSS diffgradC<>+352(SB), Z29      // Z29 = 1.0 (bits 127<<23)
	VBROADCASTSS diffgradC<>+384(SB), Z30      // Z30 = |·| mask
	DG_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

dg5Block:                           // for ; AX < BX; AX += 256: 64 floats
	CMPQ AX, BX
	JAE  dg5Vec
	DG_AVX512(0)
	DG_AVX512(64)
	DG_AVX512(128)
	DG_AVX512(192)
	ADDQ $256, AX
	JMP  dg5Block

dg5Vec:                             // for ; AX < DX; AX += 64: 16 floats
	CMPQ AX, DX
	JAE  dg5Tail
	DG_AVX512(0)
	ADDQ $64, AX
	JMP  dg5Vec

dg5Tail:                            // the last len(p)%16 floats under mask K1
	SUBQ AX, CX
	JZ   dg5Done
	SHRQ $2, CX                     // CX = r, 1..15 floats left
	MOVL $1, BX
	SHLL CX, BX
	DECL BX                         // BX = 1<<r - 1
	KMOVW BX, K1                    // K1 = lanes 0..r-1
	VMOVUPS.Z    (SI)(AX*1), K1, Z0  // g := g[i] (0 beyond the end)
	VMOVUPS.Z    (DI)(AX*1), K1, Z1  // p := p[i]
	VMOVUPS.Z    (R8)(AX*1), K1, Z14 // m0 := m[i]
	VMOVUPS.Z    (R9)(AX*1), K1, Z15 // v0 := v[i]
	VMOVUPS.Z    (R10)(AX*1), K1, Z4 // a := prev[i]
	VFMADD231PS  Z1, Z16, Z0         // g += wd*p
	VMULPS       Z17, Z1, Z1         // p *= decay
	VMULPS       Z0, Z19, Z2         // mm := omb1*g
	VFMADD231PS  Z14, Z18, Z2        // mm += b1*m0
	VMOVUPS      Z2, K1, (R8)(AX*1)  // m[i] = mm
	VMULPS       Z0, Z21, Z3         // vv := omb2*g
	VMULPS       Z0, Z3, Z3          // vv *= g
	VFMADD231PS  Z15, Z20, Z3        // vv += b2*v0
	VMOVUPS      Z3, K1, (R9)(AX*1)  // v[i] = vv
	VSQRTPS      Z3, Z3              // r0 := sqrt(vv)
	VADDPS       Z22, Z3, Z3         // r0 += eps
	VMOVUPS      Z0, K1, (R10)(AX*1) // prev[i] = g
	VSUBPS       Z0, Z4, Z4          // a -= g
	VANDPS       Z30, Z4, Z4         // a = |a|
	VMINPS       Z4, Z26, Z4         // a = min(87, a)
	VMULPS       Z24, Z4, Z5         // s := -a*log2(e)
	VADDPS       Z25, Z5, Z5         // s += 1.5*2^23
	VSUBPS       Z25, Z5, Z6         // n := s - 1.5*2^23
	VPSLLD       $23, Z5, Z5         // s = n<<23
	VPADDD       Z29, Z5, Z5         // s = 2^n
	VFNMSUB231PS Z27, Z6, Z4         // r := -(n*C1) - a
	VFNMADD231PS Z28, Z6, Z4         // r -= n*C2
	VMULPS       Z4, Z4, Z6          // z := r*r
	VMOVUPS      Z8, Z0              // q := P0
	VFMADD213PS  Z9, Z4, Z0          // q = q*r + P1
	VFMADD213PS  Z10, Z4, Z0         // q = q*r + P2
	VFMADD213PS  Z11, Z4, Z0         // q = q*r + P3
	VFMADD213PS  Z12, Z4, Z0         // q = q*r + P4
	VFMADD213PS  Z13, Z4, Z0         // q = q*r + P5
	VFMADD213PS  Z4, Z6, Z0          // q = q*z + r
	VADDPS       Z29, Z0, Z0         // q += 1
	VMULPS       Z5, Z0, Z0          // e := q*2^n
	VADDPS       Z29, Z0, Z0         // e += 1
	VMULPS       Z0, Z3, Z3          // den := (1+e)*r0
	VDIVPS       Z3, Z2, Z2          // q2 := mm/den
	VFNMADD231PS Z2, Z23, Z1         // p -= step*q2
	VMOVUPS      Z1, K1, (DI)(AX*1)  // p[i] = p

dg5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
