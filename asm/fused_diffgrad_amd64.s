//go:build amd64 && gc && !purego

#include "textflag.h"

// Fused diffGrad step; see fused_diffgrad_amd64.go for the Go each kernel
// computes and fused_diffgrad_generic.go (diffgradDen) for the exp.
// Pointers: DI = p, SI = g, R8 = m, R9 = v, R10 = prev; AX is the byte
// offset of the current vector, CX the byte length. The caller's MXCSR is
// saved in the frame, FTZ|DAZ (0x8040) set, and restored before RET.
//
// Speed (Zen 4, one thread, measured): VSQRTPS + VDIVPS take 16 cycles
// a zmm and bound Adam; beside them the two FMA pipes (one zmm multiply
// or FMA a cycle) lose about 4 cycles, so a vector's FMA-pipe operations
// decide diffGrad's speed: 13 in the plain loops, 14 with a λ term (the
// modes compute only their own), against 20 in the Cephes-style exp
// this replaced. The exp is 2^n·P(f) with P of degree 5 (Horner: an
// Estrin form, one operation more, was slower) and 2^n added to P's
// exponent bits, and 1+e is folded into the multiply by √v+ε. Every
// vector issues all its loads before its first store (the slices are
// page-aligned allocations and a load after a store to the same offset
// of another slice waits on 4K aliasing), and every whole 4-vector block
// prefetches each stream DG_PFD bytes ahead (the five streams of a 1e6
// step come from L3).

// diffgradC<>: 8 copies each (one AVX2 vector) of −log2 e, 1.5·2^23, 87,
// c5, c4, c3, c2, c1, c0, then the |·| mask.
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
DATA diffgradC<>+96(SB)/4, $0x3aaddd0a
DATA diffgradC<>+100(SB)/4, $0x3aaddd0a
DATA diffgradC<>+104(SB)/4, $0x3aaddd0a
DATA diffgradC<>+108(SB)/4, $0x3aaddd0a
DATA diffgradC<>+112(SB)/4, $0x3aaddd0a
DATA diffgradC<>+116(SB)/4, $0x3aaddd0a
DATA diffgradC<>+120(SB)/4, $0x3aaddd0a
DATA diffgradC<>+124(SB)/4, $0x3aaddd0a
DATA diffgradC<>+128(SB)/4, $0x3c1e7544
DATA diffgradC<>+132(SB)/4, $0x3c1e7544
DATA diffgradC<>+136(SB)/4, $0x3c1e7544
DATA diffgradC<>+140(SB)/4, $0x3c1e7544
DATA diffgradC<>+144(SB)/4, $0x3c1e7544
DATA diffgradC<>+148(SB)/4, $0x3c1e7544
DATA diffgradC<>+152(SB)/4, $0x3c1e7544
DATA diffgradC<>+156(SB)/4, $0x3c1e7544
DATA diffgradC<>+160(SB)/4, $0x3d635ba9
DATA diffgradC<>+164(SB)/4, $0x3d635ba9
DATA diffgradC<>+168(SB)/4, $0x3d635ba9
DATA diffgradC<>+172(SB)/4, $0x3d635ba9
DATA diffgradC<>+176(SB)/4, $0x3d635ba9
DATA diffgradC<>+180(SB)/4, $0x3d635ba9
DATA diffgradC<>+184(SB)/4, $0x3d635ba9
DATA diffgradC<>+188(SB)/4, $0x3d635ba9
DATA diffgradC<>+192(SB)/4, $0x3e75fce1
DATA diffgradC<>+196(SB)/4, $0x3e75fce1
DATA diffgradC<>+200(SB)/4, $0x3e75fce1
DATA diffgradC<>+204(SB)/4, $0x3e75fce1
DATA diffgradC<>+208(SB)/4, $0x3e75fce1
DATA diffgradC<>+212(SB)/4, $0x3e75fce1
DATA diffgradC<>+216(SB)/4, $0x3e75fce1
DATA diffgradC<>+220(SB)/4, $0x3e75fce1
DATA diffgradC<>+224(SB)/4, $0x3f317215
DATA diffgradC<>+228(SB)/4, $0x3f317215
DATA diffgradC<>+232(SB)/4, $0x3f317215
DATA diffgradC<>+236(SB)/4, $0x3f317215
DATA diffgradC<>+240(SB)/4, $0x3f317215
DATA diffgradC<>+244(SB)/4, $0x3f317215
DATA diffgradC<>+248(SB)/4, $0x3f317215
DATA diffgradC<>+252(SB)/4, $0x3f317215
DATA diffgradC<>+256(SB)/4, $0x3f800000
DATA diffgradC<>+260(SB)/4, $0x3f800000
DATA diffgradC<>+264(SB)/4, $0x3f800000
DATA diffgradC<>+268(SB)/4, $0x3f800000
DATA diffgradC<>+272(SB)/4, $0x3f800000
DATA diffgradC<>+276(SB)/4, $0x3f800000
DATA diffgradC<>+280(SB)/4, $0x3f800000
DATA diffgradC<>+284(SB)/4, $0x3f800000
DATA diffgradC<>+288(SB)/4, $0x7fffffff
DATA diffgradC<>+292(SB)/4, $0x7fffffff
DATA diffgradC<>+296(SB)/4, $0x7fffffff
DATA diffgradC<>+300(SB)/4, $0x7fffffff
DATA diffgradC<>+304(SB)/4, $0x7fffffff
DATA diffgradC<>+308(SB)/4, $0x7fffffff
DATA diffgradC<>+312(SB)/4, $0x7fffffff
DATA diffgradC<>+316(SB)/4, $0x7fffffff
GLOBL diffgradC<>(SB), RODATA|NOPTR, $320

// DG_PFD is the prefetch distance in bytes (not a multiple of 4096, so
// that the prefetched lines and the current ones of the five streams do
// not share an L1 set).
#define DG_PFD 3072

// DG_PF prefetches the cache line DG_PFD+off bytes past AX in every
// stream.
#define DG_PF(off) \
	PREFETCHT0 (DG_PFD+off)(SI)(AX*1)  \
	PREFETCHT0 (DG_PFD+off)(DI)(AX*1)  \
	PREFETCHT0 (DG_PFD+off)(R8)(AX*1)  \
	PREFETCHT0 (DG_PFD+off)(R9)(AX*1)  \
	PREFETCHT0 (DG_PFD+off)(R10)(AX*1)

// DG_MOMENTS loads one vector: T4 = prev[i], T0 = g', T1 = p', T2 = m'
// and T3 = v' (LOADM, LOADV: operands reading m[i] and v[i]), with no
// store. WDD(T0, T1) applies the mode's λ term: DG_WD_* (g += wd·p),
// DG_DECAY_* (p *= decay) or nothing (DG_PLAIN).
#define DG_MOMENTS(LOADPREV, LOADG, LOADP, LOADM, LOADV, T0, T1, T2, T3, T4, WDD, B1, OMB1, B2, OMB2) \
	VMOVUPS      LOADPREV, T4      /* a := prev[i] */ \
	VMOVUPS      LOADG, T0         /* g := g[i] */ \
	VMOVUPS      LOADP, T1         /* p := p[i] */ \
	WDD(T0, T1)                    /* g += wd*p, or p *= decay, or nothing */ \
	VMULPS       T0, OMB1, T2      /* mm := omb1*g */ \
	VFMADD231PS  LOADM, B1, T2     /* mm += b1*m[i] */ \
	VMULPS       T0, OMB2, T3      /* vv := omb2*g */ \
	VMULPS       T0, T3, T3        /* vv *= g */ \
	VFMADD231PS  LOADV, B2, T3     /* vv += b2*v[i] */

// DG_UPDATE finishes the vector from DG_MOMENTS's registers: T2 becomes
// the quotient m'/den and T1 the new p. REDUCE(T4, T5, T6) sets T6 = f = t −
// round(t) from t in T4 and s = t + 1.5·2^23 in T5; MIN87(T4, T6) sets
// T4 = min(T4, 87) keeping NaN (T6 free); C5..C0, ABS, NLOG2E, MAGIC are
// registers or full-vector memory operands.
#define DG_UPDATE(T0, T1, T2, T3, T4, T5, T6, T7, EPS, STEP, NLOG2E, MAGIC, C5, C4, C3, C2, C1, C0, ABS, MIN87, REDUCE) \
	VSUBPS       T0, T4, T4        /* a -= g */ \
	VANDPS       ABS, T4, T4       /* a = |a| */ \
	MIN87(T4, T6)                  /* a = 87 < a ? 87 : a (NaN: a) */ \
	VMULPS       NLOG2E, T4, T4    /* t := a*(-log2 e) */ \
	VADDPS       MAGIC, T4, T5     /* s := t + 1.5*2^23: n = round(t) in the low bits */ \
	REDUCE(T4, T5, T6)             /* f := t - n */ \
	VPSLLD       $23, T5, T5       /* s = n<<23 */ \
	VMOVUPS      C5, T7            /* P := c5 */ \
	VFMADD213PS  C4, T6, T7        /* P = P*f + c4 */ \
	VFMADD213PS  C3, T6, T7        /* P = P*f + c3 */ \
	VFMADD213PS  C2, T6, T7        /* P = P*f + c2 */ \
	VFMADD213PS  C1, T6, T7        /* P = P*f + c1 */ \
	VFMADD213PS  C0, T6, T7        /* P = P*f + c0: 2^f */ \
	VPADDD       T5, T7, T7        /* e := P*2^n (exponent bits) */ \
	VSQRTPS      T3, T3            /* r := sqrt(vv) */ \
	VADDPS       EPS, T3, T3       /* r += eps */ \
	VFMADD213PS  T3, T3, T7        /* den := e*r + r */ \
	VDIVPS       T7, T2, T2        /* q := mm/den */ \
	VFNMADD231PS T2, STEP, T1      /* p -= step*q */

// AVX2: the exp constants come from memory; 87 is loaded into a register
// for VMINPS (whose NaN rule returns the second source); f by two
// subtractions. AVX-512: all in registers; f by VREDUCEPS (the same exact
// value).
#define DG_MIN87_AVX2(A, T) \
	VMOVUPS diffgradC<>+64(SB), T \
	VMINPS  A, T, A
#define DG_REDUCE_AVX2(T, S, F) \
	VSUBPS diffgradC<>+32(SB), S, F \
	VSUBPS F, T, F
#define DG_MIN87_AVX512(A, T) VMINPS A, Z26, A
#define DG_REDUCE_AVX512(T, S, F) VREDUCEPS $0, T, F

#define DG_PLAIN(T0, T1)
#define DG_WD_AVX2(T0, T1) VFMADD231PS T1, Y8, T0
#define DG_DECAY_AVX2(T0, T1) VMULPS Y9, T1, T1
#define DG_WD_AVX512(T0, T1) VFMADD231PS T1, Z16, T0
#define DG_DECAY_AVX512(T0, T1) VMULPS Z17, T1, T1

// DG_AVX2(off, WDD) and DG_AVX512(off, WDD) update the whole vector at
// off+AX.
#define DG_AVX2(off, WDD) \
	DG_MOMENTS(off(R10)(AX*1), off(SI)(AX*1), off(DI)(AX*1), off(R8)(AX*1), off(R9)(AX*1), Y0, Y1, Y2, Y3, Y4, WDD, Y10, Y11, Y12, Y13) \
	VMOVUPS Y2, off(R8)(AX*1)  /* m[i] = mm */ \
	VMOVUPS Y3, off(R9)(AX*1)  /* v[i] = vv */ \
	VMOVUPS Y0, off(R10)(AX*1) /* prev[i] = g */ \
	DG_UPDATE(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y14, Y15, diffgradC<>+0(SB), diffgradC<>+32(SB), diffgradC<>+96(SB), diffgradC<>+128(SB), diffgradC<>+160(SB), diffgradC<>+192(SB), diffgradC<>+224(SB), diffgradC<>+256(SB), diffgradC<>+288(SB), DG_MIN87_AVX2, DG_REDUCE_AVX2) \
	VMOVUPS Y1, off(DI)(AX*1)  /* p[i] = p */

#define DG_AVX512_UPDATE(T0, T1, T2, T3, T4, T5, T6, T7) \
	DG_UPDATE(T0, T1, T2, T3, T4, T5, T6, T7, Z22, Z23, Z24, Z25, Z27, Z28, Z29, Z30, Z31, Z15, Z14, DG_MIN87_AVX512, DG_REDUCE_AVX512)

#define DG_AVX512(off, WDD) \
	DG_MOMENTS(off(R10)(AX*1), off(SI)(AX*1), off(DI)(AX*1), off(R8)(AX*1), off(R9)(AX*1), Z0, Z1, Z2, Z3, Z4, WDD, Z18, Z19, Z20, Z21) \
	VMOVUPS Z2, off(R8)(AX*1)  /* m[i] = mm */ \
	VMOVUPS Z3, off(R9)(AX*1)  /* v[i] = vv */ \
	VMOVUPS Z0, off(R10)(AX*1) /* prev[i] = g */ \
	DG_AVX512_UPDATE(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7) \
	VMOVUPS Z1, off(DI)(AX*1)  /* p[i] = p */

// DG_SETUP loads the pointers, sets FTZ|DAZ, CX = byte length and R11 =
// mode.
#define DG_SETUP \
	MOVQ    p_base+0(FP), DI                  \
	MOVQ    p_len+8(FP), CX                   \
	MOVQ    g_base+24(FP), SI                 \
	MOVQ    m_base+48(FP), R8                 \
	MOVQ    v_base+72(FP), R9                 \
	MOVQ    prev_base+96(FP), R10             \
	MOVBLZX mode+152(FP), R11                 \
	STMXCSR saved-4(SP)   /* saved := MXCSR */ \
	MOVL    saved-4(SP), DX                   \
	ORL     $0x8040, DX   /* FTZ | DAZ */     \
	MOVL    DX, ftz-8(SP)                     \
	LDMXCSR ftz-8(SP)     /* MXCSR = saved | FTZ | DAZ */ \
	SHLQ    $2, CX        /* CX = bytes */

// DG2_LOOPS(WDD, block, vec) runs the AVX2 loops, then jumps to dg2Done.
#define DG2_LOOPS(WDD, block, vec) \
block:                      \
	CMPQ AX, BX             \
	JAE  vec                \
	DG_PF(0)                \
	DG_PF(64)               \
	DG_AVX2(0, WDD)         \
	DG_AVX2(32, WDD)        \
	DG_AVX2(64, WDD)        \
	DG_AVX2(96, WDD)        \
	ADDQ $128, AX           \
	JMP  block              \
vec:                        \
	CMPQ AX, CX             \
	JAE  dg2Done            \
	DG_AVX2(0, WDD)         \
	ADDQ $32, AX            \
	JMP  vec

// func diffgradAVX2(p, g, m, v, prev []float32, b1, omb1, b2, omb2, wd, decay, step, eps float32, mode uint8)
TEXT ·diffgradAVX2(SB), NOSPLIT, $8-153
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

	CMPQ R11, $1
	JEQ  dg2L2
	JA   dg2Decoupled
	DG2_LOOPS(DG_PLAIN, dg2PlainBlock, dg2PlainVec)  // dgPlain: λ = 0

dg2L2:
	DG2_LOOPS(DG_WD_AVX2, dg2L2Block, dg2L2Vec)  // dgL2: g += wd*p

dg2Decoupled:
	DG2_LOOPS(DG_DECAY_AVX2, dg2DecBlock, dg2DecVec)  // dgDecoupled: p *= decay

dg2Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET

// DG5_LOOPS(WDD, block, vec, tail) runs the AVX-512 loops and the last
// len(p)%16 floats under mask K1 (zeros loaded beyond the end), then
// jumps to dg5Done.
#define DG5_LOOPS(WDD, block, vec, tail) \
block:                                    \
	CMPQ AX, BX                           \
	JAE  vec                              \
	DG_PF(0)                              \
	DG_PF(64)                             \
	DG_PF(128)                            \
	DG_PF(192)                            \
	DG_AVX512(0, WDD)                     \
	DG_AVX512(64, WDD)                    \
	DG_AVX512(128, WDD)                   \
	DG_AVX512(192, WDD)                   \
	ADDQ $256, AX                         \
	JMP  block                            \
vec:                                      \
	CMPQ AX, DX                           \
	JAE  tail                             \
	DG_AVX512(0, WDD)                     \
	ADDQ $64, AX                          \
	JMP  vec                              \
tail:                                     \
	SUBQ AX, CX                           \
	JZ   dg5Done                          \
	SHRQ $2, CX                           \
	MOVL $1, BX                           \
	SHLL CX, BX                           \
	DECL BX                               \
	KMOVW BX, K1                          \
	VMOVUPS.Z (R10)(AX*1), K1, Z4         \
	VMOVUPS.Z (SI)(AX*1), K1, Z0          \
	VMOVUPS.Z (DI)(AX*1), K1, Z1          \
	VMOVUPS.Z (R8)(AX*1), K1, Z8          \
	VMOVUPS.Z (R9)(AX*1), K1, Z9          \
	DG_MOMENTS(Z4, Z0, Z1, Z8, Z9, Z0, Z1, Z2, Z3, Z4, WDD, Z18, Z19, Z20, Z21) \
	VMOVUPS Z2, K1, (R8)(AX*1)            \
	VMOVUPS Z3, K1, (R9)(AX*1)            \
	VMOVUPS Z0, K1, (R10)(AX*1)           \
	DG_AVX512_UPDATE(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7) \
	VMOVUPS Z1, K1, (DI)(AX*1)            \
	JMP  dg5Done

// func diffgradAVX512(p, g, m, v, prev []float32, b1, omb1, b2, omb2, wd, decay, step, eps float32, mode uint8)
TEXT ·diffgradAVX512(SB), NOSPLIT, $8-153
	VBROADCASTSS wd+136(FP), Z16               // Z16 = wd
	VBROADCASTSS decay+140(FP), Z17            // Z17 = decay
	VBROADCASTSS b1+120(FP), Z18               // Z18 = b1
	VBROADCASTSS omb1+124(FP), Z19             // Z19 = omb1
	VBROADCASTSS b2+128(FP), Z20               // Z20 = b2
	VBROADCASTSS omb2+132(FP), Z21             // Z21 = omb2
	VBROADCASTSS eps+148(FP), Z22              // Z22 = eps
	VBROADCASTSS step+144(FP), Z23             // Z23 = step
	VBROADCASTSS diffgradC<>+0(SB), Z24        // Z24 = -log2 e
	VBROADCASTSS diffgradC<>+32(SB), Z25       // Z25 = 1.5*2^23
	VBROADCASTSS diffgradC<>+64(SB), Z26       // Z26 = 87
	VBROADCASTSS diffgradC<>+96(SB), Z27       // Z27..Z31, Z15 = c5..c0
	VBROADCASTSS diffgradC<>+128(SB), Z28
	VBROADCASTSS diffgradC<>+160(SB), Z29
	VBROADCASTSS diffgradC<>+192(SB), Z30
	VBROADCASTSS diffgradC<>+224(SB), Z31
	VBROADCASTSS diffgradC<>+256(SB), Z15
	VBROADCASTSS diffgradC<>+288(SB), Z14      // Z14 = |.| mask
	DG_SETUP
	MOVQ CX, BX
	ANDQ $-256, BX                  // BX = bytes in whole 4-vector blocks
	MOVQ CX, DX
	ANDQ $-64, DX                   // DX = bytes in whole vectors
	XORQ AX, AX

	CMPQ R11, $1
	JEQ  dg5L2
	JA   dg5Decoupled
	DG5_LOOPS(DG_PLAIN, dg5PlainBlock, dg5PlainVec, dg5PlainTail)  // dgPlain: λ = 0

dg5L2:
	DG5_LOOPS(DG_WD_AVX512, dg5L2Block, dg5L2Vec, dg5L2Tail)  // dgL2: g += wd*p

dg5Decoupled:
	DG5_LOOPS(DG_DECAY_AVX512, dg5DecBlock, dg5DecVec, dg5DecTail)  // dgDecoupled: p *= decay

dg5Done:
	LDMXCSR saved-4(SP)             // MXCSR = saved
	VZEROUPPER
	RET
