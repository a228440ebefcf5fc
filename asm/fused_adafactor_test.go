package asm

import (
	"math"
	"runtime"
	"testing"
)

// The Adafactor tests compare AdafactorMatrixStep and AdafactorStep at
// every level with the generic level (SetLevel(Generic) runs the
// references). The reductions follow one order at every level, and the
// statistics, U and the scale are computed without fused multiply-adds,
// so r, c, v, u and the sums must agree bit for bit; p and m differ at
// most by the one-ulp double roundings of fma32 in the update (two unit
// roundoffs per summed term allowed).

var afTestParams = []struct {
	name string
	h    AdafactorParams
}{
	{"default-t1", AdafactorParams{LR: 1, DecayRate: 0.8, Eps1: 1e-30, Eps2: 1e-3, ClipThreshold: 1, RelativeStep: true, ScaleParameter: true, Step: 1}},
	{"momentum-wd-t7", AdafactorParams{LR: 0.5, WeightDecay: 0.1, Beta1: 0.9, DecayRate: 0.8, Eps1: 1e-30, Eps2: 1e-3, ClipThreshold: 1, RelativeStep: true, ScaleParameter: true, Step: 7}},
	{"fixed-lr-noclip-t40", AdafactorParams{LR: 1e-2, DecayRate: 0.5, Eps1: 1e-3, ClipThreshold: 100, Step: 40}},
	{"eps0-momentum-t3", AdafactorParams{LR: 1, Beta1: 0.5, DecayRate: 0.8, ClipThreshold: 0.5, RelativeStep: true, ScaleParameter: true, Step: 3}},
}

// afRunLevel runs f at level l, restoring the active level.
func afRunLevel(l Level, f func()) {
	old := Active()
	defer SetLevel(old)
	if SetLevel(l) != l {
		panic("asm: test: level not supported")
	}
	f()
}

// afMatRun runs AdafactorMatrixStep at level l on copies of in (p, g, r,
// c, m) and returns them.
func afMatRun(l Level, in [][]float32, rows, cols int, h AdafactorParams) [][]float32 {
	out := make([][]float32, len(in))
	for i, s := range in {
		out[i] = zooClone(s)
	}
	m := out[4]
	if h.Beta1 == 0 {
		m = nil
	}
	afRunLevel(l, func() { AdafactorMatrixStep(out[0], out[1], out[2], out[3], m, rows, cols, h, nil) })
	return out
}

// afVecRun runs AdafactorStep at level l on copies of in (p, g, v, m, u).
func afVecRun(l Level, in [][]float32, h AdafactorParams) [][]float32 {
	out := make([][]float32, len(in))
	for i, s := range in {
		out[i] = zooClone(s)
	}
	m := out[3]
	if h.Beta1 == 0 {
		m = nil
	}
	afRunLevel(l, func() { AdafactorStep(out[0], out[1], out[2], m, out[4], h) })
	return out
}

// afSame checks that two slices agree bit for bit.
func afSame(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s[%d] = %v, generic %v", what, i, got[i], want[i])
		}
	}
}

// afCheckUpdate checks p and m against the reference, p0 and m0 being
// the inputs: 2 unit roundoffs of p·(1−ηλ) and of the applied update,
// plus η times m's tolerance with momentum.
func afCheckUpdate(t *testing.T, what string, h AdafactorParams, p0, m0, p, m, pr, mr []float32) {
	t.Helper()
	decay := float64(float32(1 - h.LR*h.WeightDecay))
	for i := range pr {
		var tm float64
		if h.Beta1 > 0 {
			tm = 2*fusedU*(h.Beta1*zooAb(m0[i])+zooAb(mr[i])+h.Beta1*zooAb(m0[i])) + zooAbs
			if !fusedClose(m[i], mr[i], tm) {
				t.Fatalf("%s: m[%d] = %v, generic %v (m0 %v)", what, i, m[i], mr[i], m0[i])
			}
		}
		pd := float64(daz32(p0[i])) * decay
		tp := 2*fusedU*(math.Abs(pd)+math.Abs(float64(pr[i])-pd)) + h.LR*tm + zooAbs
		if !fusedClose(p[i], pr[i], tp) {
			t.Fatalf("%s: p[%d] = %v, generic %v (p0 %v)", what, i, p[i], pr[i], p0[i])
		}
	}
}

// afShapes lists the matrix shapes of the level tests: every cols in
// 1..64 with rows 1, 2, 3, 17 and 70, and larger odd shapes.
func afShapes(short bool) [][2]int {
	var sh [][2]int
	for cols := 1; cols <= 64; cols++ {
		for _, rows := range []int{1, 2, 3, 17, 70} {
			sh = append(sh, [2]int{rows, cols})
		}
	}
	sh = append(sh, [2]int{129, 67}, [2]int{67, 129}, [2]int{1000, 1}, [2]int{1, 1000})
	if !short {
		sh = append(sh, [2]int{1001, 999})
	}
	return sh
}

// TestAdafactorMatrixStepLevels runs AdafactorMatrixStep at every level
// against the generic level over many shapes at misaligned offsets, with
// NaN guard bands around every slice.
func TestAdafactorMatrixStepLevels(t *testing.T) {
	names := []string{"p", "g", "r", "c", "m"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		rnd := zooRand(71, 72)
		for _, tc := range afTestParams {
			for si, sh := range afShapes(testing.Short()) {
				rows, cols := sh[0], sh[1]
				n, off := rows*cols, si%8
				gs := 1.0
				if si%3 == 1 {
					gs = 1e-3 // mostly unclipped
				}
				bufs := zooInputs(n, off, fusedUniform(rnd, -1, 1), fusedUniform(rnd, -gs, gs))
				bufs = append(bufs, fusedNewBuf(rows, (off+1)%8).fill(fusedUniform(rnd, 0, 1e-2)),
					fusedNewBuf(cols, (off+2)%8).fill(fusedUniform(rnd, 0, 1e-2)))
				if tc.h.Beta1 > 0 {
					bufs = append(bufs, fusedNewBuf(n, (off+5)%8).fill(fusedUniform(rnd, -1e-2, 1e-2)))
				} else {
					bufs = append(bufs, fusedNewBuf(0, 0))
				}
				in := zooCopies(bufs)
				ref := afMatRun(Generic, in, rows, cols, tc.h)
				m := bufs[4].s()
				if tc.h.Beta1 == 0 {
					m = nil
				}
				AdafactorMatrixStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s(), m, rows, cols, tc.h, nil)
				zooCheckGuards(t, names, bufs, in, 1)
				what := tc.name + " " + l.String() + " " + itoa2(rows, cols)
				afSame(t, what+" r", bufs[2].s(), ref[2])
				afSame(t, what+" c", bufs[3].s(), ref[3])
				afCheckUpdate(t, what, tc.h, in[0], in[4], bufs[0].s(), bufs[4].s(), ref[0], ref[4])
			}
		}
	})
}

func itoa2(rows, cols int) string {
	return string(append(append(append([]byte(nil), []byte(fmtInt(rows))...), 'x'), []byte(fmtInt(cols))...))
}

func fmtInt(x int) string {
	if x == 0 {
		return "0"
	}
	var b []byte
	for ; x > 0; x /= 10 {
		b = append([]byte{byte('0' + x%10)}, b...)
	}
	return string(b)
}

// TestAdafactorStepLevels runs AdafactorStep at every level against the
// generic level over lengths 0..64 and large odd lengths at every offset,
// with guard bands.
func TestAdafactorStepLevels(t *testing.T) {
	names := []string{"p", "g", "v", "m", "u"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		rnd := zooRand(73, 74)
		for _, tc := range afTestParams {
			for ci, c := range fusedCases(testing.Short()) {
				gs := 1.0
				if ci%3 == 1 {
					gs = 1e-3
				}
				mn := c.n
				if tc.h.Beta1 == 0 {
					mn = 0
				}
				bufs := zooInputs(c.n, c.off, fusedUniform(rnd, -1, 1), fusedUniform(rnd, -gs, gs), fusedUniform(rnd, 0, 1e-2))
				bufs = append(bufs, fusedNewBuf(mn, (c.off+1)%8).fill(fusedUniform(rnd, -1e-2, 1e-2)),
					fusedNewBuf(c.n, (c.off+6)%8).fill(fusedUniform(rnd, -1, 1)))
				in := zooCopies(bufs)
				ref := afVecRun(Generic, in, tc.h)
				m := bufs[3].s()
				if tc.h.Beta1 == 0 {
					m = nil
				}
				AdafactorStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), m, bufs[4].s(), tc.h)
				zooCheckGuards(t, names, bufs, in, 1)
				what := tc.name + " " + l.String() + " n=" + fmtInt(c.n)
				afSame(t, what+" v", bufs[2].s(), ref[2])
				afSame(t, what+" u", bufs[4].s(), ref[4])
				afCheckUpdate(t, what, tc.h, in[0], in[3], bufs[0].s(), bufs[3].s(), ref[0], ref[3])
			}
		}
	})
}

// TestAdafactorSumsExact checks that every level's reductions (R_i, C_j,
// P, S) equal the reference's bit for bit, on values of mixed
// magnitudes where any other order would round differently.
func TestAdafactorSumsExact(t *testing.T) {
	rnd := zooRand(75, 76)
	for _, sh := range [][2]int{{1, 1}, {3, 17}, {17, 3}, {5, 33}, {3, 29}, {7, 15}, {2, 47}, {40, 125}, {1, 1000}} {
		rows, cols := sh[0], sh[1]
		n := rows * cols
		g, p := make([]float32, n), make([]float32, n)
		for i := range g {
			g[i] = float32(math.Ldexp(rnd.Float64()-0.5, rnd.IntN(40)-20))
			p[i] = float32(math.Ldexp(rnd.Float64()-0.5, rnd.IntN(40)-20))
		}
		rf, cf := make([]float32, rows), make([]float32, cols)
		for i := range rf {
			rf[i] = float32(0.5 + rnd.Float64())
		}
		for j := range cf {
			cf[j] = float32(0.5 + rnd.Float64())
		}
		rs0, cs0 := make([]float64, rows), make([]float64, cols)
		p0 := afSumsGeneric(g, p, rows, cols, rs0, cs0)
		u0 := afUSumGeneric(g, rf, cf, rows, cols)
		fusedForLevels(t, func(t *testing.T, l Level) {
			rs, cs := make([]float64, rows), make([]float64, cols)
			if got := afSums(g, p, rows, cols, rs, cs); got != p0 {
				t.Errorf("%d×%d: P = %v, reference %v", rows, cols, got, p0)
			}
			for i := range rs {
				if rs[i] != rs0[i] {
					t.Fatalf("%d×%d: R[%d] = %v, reference %v", rows, cols, i, rs[i], rs0[i])
				}
			}
			for j := range cs {
				if cs[j] != cs0[j] {
					t.Fatalf("%d×%d: C[%d] = %v, reference %v", rows, cols, j, cs[j], cs0[j])
				}
			}
			if got := afUSum(g, rf, cf, rows, cols); got != u0 {
				t.Errorf("%d×%d: S = %v, reference %v", rows, cols, got, u0)
			}
		})
	}
}

// TestAdafactorVecSumsExact checks that every level's S and P of
// AdafactorStep's first pass equal the reference's bit for bit, across
// the 1024-element chunks, on values of mixed magnitudes.
func TestAdafactorVecSumsExact(t *testing.T) {
	rnd := zooRand(79, 80)
	for _, n := range []int{1, 15, 17, 1023, 1024, 1025, 2048, 3001, 4113} {
		p, g, v := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i] = float32(math.Ldexp(rnd.Float64()-0.5, rnd.IntN(40)-20))
			g[i] = float32(math.Ldexp(rnd.Float64()-0.5, rnd.IntN(20)-10))
			v[i] = float32(rnd.Float64())
		}
		vr, ur := zooClone(v), make([]float32, n)
		u0, p0 := afVecGeneric(p, g, vr, ur, 0.9, 0.1, 1e-30)
		fusedForLevels(t, func(t *testing.T, l Level) {
			vl, ul := zooClone(v), make([]float32, n)
			if us, ps := afVec(p, g, vl, ul, 0.9, 0.1, 1e-30); us != u0 || ps != p0 {
				t.Errorf("n=%d: S, P = %v %v, reference %v %v", n, us, ps, u0, p0)
			}
		})
	}
}

// afRef64 is a float64 Adafactor step of METHODS.md 1.8 on a rows×cols
// matrix (factored) or a vector (rows = 0), for the hand test.
func afRef64(p, g, r, c, v, m []float64, rows, cols int, h AdafactorParams) {
	n := len(p)
	t := float64(h.Step)
	bh := 1 - math.Pow(t, -h.DecayRate)
	u := make([]float64, n)
	if rows > 0 {
		rs, cs := make([]float64, rows), make([]float64, cols)
		for i := range rows {
			for j := range cols {
				q := g[i*cols+j] * g[i*cols+j]
				rs[i] += q / float64(cols)
				cs[j] += q / float64(rows)
			}
		}
		mr := 0.0
		for i := range rs {
			r[i] = bh*r[i] + (1-bh)*(rs[i]+h.Eps1)
			mr += r[i] / float64(rows)
		}
		for j := range cs {
			c[j] = bh*c[j] + (1-bh)*(cs[j]+h.Eps1)
		}
		for i := range rows {
			for j := range cols {
				u[i*cols+j] = g[i*cols+j] / math.Sqrt(r[i]/mr*c[j])
			}
		}
	} else {
		for i := range p {
			v[i] = bh*v[i] + (1-bh)*(g[i]*g[i]+h.Eps1)
			u[i] = g[i] / math.Sqrt(v[i])
		}
	}
	rms := func(x []float64) float64 {
		s := 0.0
		for _, y := range x {
			s += y * y
		}
		return math.Sqrt(s / float64(len(x)))
	}
	sc := 1 / math.Max(1, rms(u)/h.ClipThreshold)
	if h.RelativeStep {
		sc *= math.Min(1e-2, 1/math.Sqrt(t))
	}
	if h.ScaleParameter {
		sc *= math.Max(h.Eps2, rms(p))
	}
	for i := range p {
		x := sc * u[i]
		if h.Beta1 > 0 {
			m[i] = h.Beta1*m[i] + (1-h.Beta1)*x
			x = m[i]
		}
		p[i] -= h.LR * (x + h.WeightDecay*p[i])
	}
}

// TestAdafactorHand checks three steps of both forms against float64
// arithmetic of METHODS.md 1.8, and the rank-1 property: for G = a·bᵀ the
// factored V̂ = (r_i/mean(r))·c_j equals the unfactored EMA of G² (so the
// two forms take the same step), and RMS(Û) ≤ d.
func TestAdafactorHand(t *testing.T) {
	const rows, cols = 3, 4
	a, b := []float64{0.5, -1, 2}, []float64{1, -0.25, 0.5, 3}
	for _, tc := range afTestParams {
		h := tc.h
		h.Eps1 = 0 // the rank-1 identity is exact without ε1
		fusedForLevels(t, func(t *testing.T, l Level) {
			p0 := []float32{1, -1, 2, 0.5, -0.25, 3, 0.125, -2, 1.5, 0.75, -0.5, 0.25}
			pf, pv := zooClone(p0), zooClone(p0)
			r, c, v, u := make([]float32, rows), make([]float32, cols), make([]float32, rows*cols), make([]float32, rows*cols)
			var mf, mv []float32
			if h.Beta1 > 0 {
				mf, mv = make([]float32, rows*cols), make([]float32, rows*cols)
			}
			p64, r64, c64, m64 := make([]float64, 12), make([]float64, rows), make([]float64, cols), make([]float64, 12)
			for i, x := range p0 {
				p64[i] = float64(x)
			}
			for s := 1; s <= 3; s++ {
				h.Step = s
				g := make([]float32, rows*cols)
				g64 := make([]float64, rows*cols)
				for i := range rows {
					for j := range cols {
						g64[i*cols+j] = a[i] * b[j] * float64(s)
						g[i*cols+j] = float32(g64[i*cols+j])
					}
				}
				AdafactorMatrixStep(pf, g, r, c, mf, rows, cols, h, nil)
				AdafactorStep(pv, g, v, mv, u, h)
				afRef64(p64, g64, r64, c64, nil, m64, rows, cols, h)
				for i := range pf {
					tol := 1e-6 * math.Max(math.Abs(p64[i]), 1e-1)
					if math.Abs(float64(pf[i])-p64[i]) > tol || math.Abs(float64(pv[i])-p64[i]) > tol {
						t.Errorf("%s step %d [%d]: factored %v, unfactored %v, float64 %v", tc.name, s, i, pf[i], pv[i], p64[i])
					}
				}
			}
		})
	}
	// RMS(Û) ≤ d: with η = 1, no decay, no relative step or parameter
	// scale, the step is Û itself.
	h := AdafactorParams{LR: 1, DecayRate: 0.8, Eps1: 1e-30, ClipThreshold: 0.5, Step: 1}
	fusedForLevels(t, func(t *testing.T, l Level) {
		rnd := zooRand(77, 78)
		for _, sh := range [][2]int{{1, 100}, {20, 30}} {
			n := sh[0] * sh[1]
			p, g := make([]float32, n), make([]float32, n)
			for i := range g {
				g[i] = float32(rnd.NormFloat64() * math.Exp(3*rnd.NormFloat64()))
			}
			if sh[0] == 1 {
				AdafactorStep(p, g, make([]float32, n), nil, make([]float32, n), h)
			} else {
				AdafactorMatrixStep(p, g, make([]float32, sh[0]), make([]float32, sh[1]), nil, sh[0], sh[1], h, nil)
			}
			sq := 0.0
			for _, x := range p {
				sq += float64(x) * float64(x)
			}
			if rms := math.Sqrt(sq / float64(n)); rms > h.ClipThreshold*(1+1e-6) || rms < h.ClipThreshold*0.999 {
				t.Errorf("%v: RMS(Û) = %v, want d = %v (clipped)", sh, rms, h.ClipThreshold)
			}
		}
	})
	fusedExpectPanic(t, "asm: adafactor: length mismatch", func() {
		AdafactorMatrixStep(make([]float32, 6), make([]float32, 6), make([]float32, 1), make([]float32, 3), nil, 2, 3, AdafactorParams{Step: 1}, nil)
	})
	fusedExpectPanic(t, "asm: adafactor: length mismatch", func() {
		AdafactorStep(make([]float32, 6), make([]float32, 6), make([]float32, 6), nil, make([]float32, 6), AdafactorParams{Beta1: 0.9, Step: 1})
	})
	fusedExpectPanic(t, "asm: adafactor: invalid shape", func() {
		AdafactorMatrixStep(nil, nil, nil, nil, nil, 0, 3, AdafactorParams{Step: 1}, nil)
	})
	fusedExpectPanic(t, "asm: adafactor: step 0", func() { AdafactorStep(nil, nil, nil, nil, nil, AdafactorParams{}) })
}

// FuzzAdafactorStep compares both forms at every supported level with the
// generic level on fuzzed values (finite, |x| ≤ 1e4, statistics ≥ 0,
// subnormals included), shapes and hyperparameters.
func FuzzAdafactorStep(f *testing.F) {
	seed := make([]byte, 12*37)
	for i := range seed {
		seed[i] = byte(i*29 + 3)
	}
	f.Add(seed, uint8(5), uint16(1), uint8(0))
	f.Add(seed[:12*9], uint8(2), uint16(900), uint8(200))
	f.Add([]byte{}, uint8(0), uint16(3), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, cols uint8, step uint16, hb uint8) {
		in := fusedFuzzFloats(data, 3)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		n := len(in[0])
		for i := range in[2] {
			in[2][i] = float32(math.Abs(float64(in[2][i])))
		}
		h := AdafactorParams{LR: 1 / (1 + float64(hb%7)), WeightDecay: float64(hb%5) / 10, DecayRate: 0.5 + float64(hb%4)/10,
			Eps1: []float64{1e-30, 0, 1e-3}[hb%3], Eps2: 1e-3, ClipThreshold: 0.25 + float64(hb%8)/4,
			RelativeStep: hb&1 == 0, ScaleParameter: hb&2 == 0, Step: int(step) + 1}
		mk := func(k int) []float32 {
			s := make([]float32, k)
			for i := range s {
				if len(in[2]) > 0 {
					s[i] = in[2][i%len(in[2])]
				}
			}
			return s
		}
		for _, beta1 := range []float64{0, float64(hb) / 256} {
			h.Beta1 = beta1
			m := mk(n)
			for i := range m {
				m[i] -= 0.5
			}
			vin := [][]float32{in[0], in[1], in[2], m, make([]float32, n)}
			ref := afVecRun(Generic, vin, h)
			for _, l := range Supported() {
				got := afVecRun(l, vin, h)
				afSame(t, l.String()+" v", got[2], ref[2])
				afSame(t, l.String()+" u", got[4], ref[4])
				afCheckUpdate(t, l.String(), h, in[0], m, got[0], got[3], ref[0], ref[3])
			}
			c := int(cols)%64 + 1
			rows := n / c
			if rows == 0 {
				continue
			}
			nn := rows * c
			min := [][]float32{in[0][:nn], in[1][:nn], mk(rows), mk(c), m[:nn]}
			mref := afMatRun(Generic, min, rows, c, h)
			for _, l := range Supported() {
				got := afMatRun(l, min, rows, c, h)
				afSame(t, l.String()+" r", got[2], mref[2])
				afSame(t, l.String()+" c", got[3], mref[3])
				afCheckUpdate(t, l.String(), h, min[0], min[4], got[0], got[4], mref[0], mref[4])
			}
		}
	})
}

// BenchmarkAdafactorStep times one factored step on a 1000×1000 matrix
// and one unfactored step on 1e6 elements, with AdamStep on 1e6 elements
// for comparison, at the active level. ns/param is reported.
func BenchmarkAdafactorStep(b *testing.B) {
	const n = 1000000
	for _, name := range []string{"factored-1000x1000", "vector-1000000", "adam"} {
		b.Run(name, func(b *testing.B) {
			r := zooRand(1, 2)
			p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range p {
				p[i], g[i] = float32(r.Float64()-0.5), float32(r.Float64()-0.5)
			}
			rs, cs, w := make([]float32, 1000), make([]float32, 1000), new(AdafactorWork)
			h := AdafactorParams{LR: 1, DecayRate: 0.8, Eps1: 1e-30, Eps2: 1e-3, ClipThreshold: 1,
				RelativeStep: true, ScaleParameter: true, Step: 10}
			ha := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Decoupled: true, Step: 10}
			b.SetBytes(4 * n * 4)
			for b.Loop() {
				switch name {
				case "adam":
					AdamStep(p, g, m, v, ha)
				case "vector-1000000":
					AdafactorStep(p, g, v, nil, m, h)
				default:
					AdafactorMatrixStep(p, g, rs, cs, nil, 1000, 1000, h, w)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/param")
		})
	}
}

// BenchmarkAdafactorPasses times the passes of both forms apart at 1e6
// elements (1000×1000), with AdamStep, reporting ns/param and, with the
// goroutine locked to its thread, the thread's CPU ns/param (steadier on
// a loaded machine).
func BenchmarkAdafactorPasses(b *testing.B) {
	const rows, cols = 1000, 1000
	const n = rows * cols
	r := zooRand(3, 4)
	p, g, m, v, u := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range p {
		p[i], g[i], v[i] = float32(r.Float64()-0.5), float32(r.Float64()-0.5), float32(r.Float64())
	}
	rf, cf, rs, cs := make([]float32, rows), make([]float32, cols), make([]float64, rows), make([]float64, cols)
	for i := range rf {
		rf[i], cf[i] = 1.01, 0.99
	}
	k := afConsts{b1: 0.9, omb1: 0.1, sc: 1e-3, step: 1e-3, decay: 1}
	ha := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Decoupled: true, Step: 10}
	passes := []struct {
		name string
		f    func()
	}{
		{"adam", func() { AdamStep(p, g, m, v, ha) }},
		{"vec-pass1", func() { afVec(p, g, v, u, 0.9, 0.1, 1e-30) }},
		{"vec-pass2", func() { afApply(p, u, nil, &k) }},
		{"mat-sums", func() { clear(cs); afSums(g, p, rows, cols, rs, cs) }},
		{"mat-usum", func() { afUSum(g, rf, cf, rows, cols) }},
		{"mat-update", func() { afUpdate(p, g, nil, rf, cf, rows, cols, &k) }},
	}
	for _, ps := range passes {
		b.Run(ps.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			c0 := sgemmCPUTime()
			for b.Loop() {
				ps.f()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/param")
			b.ReportMetric((sgemmCPUTime()-c0)*1e9/float64(b.N)/n, "cpu-ns/param")
		})
	}
}
