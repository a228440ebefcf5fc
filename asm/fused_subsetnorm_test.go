package asm

import (
	"fmt"
	"math"
	"testing"
)

// The AdamW-SN tests compare SubsetNormStep at every level with the
// generic level (SetLevel(Generic) runs the references). The kernels make
// the references' operations one for one and sum the subsets in the same
// float64 lanes, so the statistics s and the quotients in work must agree
// bit for bit; m and p may differ by the one-ulp double roundings of
// fma32 (the tolerance allows two unit roundoffs per summed term).

var snTestParams = []struct {
	name string
	h    SubsetNormParams
}{
	{"sn-t1", SubsetNormParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, Step: 1}},
	{"sn-wd-t9", SubsetNormParams{LR: 3e-2, Beta1: 0.8, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1, Step: 9}},
	{"rmsprop-sn-t300", SubsetNormParams{LR: 1e-3, Beta1: 0, Beta2: 0.9, Eps: 0, WeightDecay: 0.01, Step: 300}},
}

// snShapes lists matrix shapes: every cols in 0..64 with rows from 0 up
// past cols (both orientations), and larger odd shapes.
func snShapes(short bool) [][2]int {
	var sh [][2]int
	for cols := 0; cols <= 64; cols++ {
		for _, rows := range []int{0, 1, 2, 3, 17, 70} {
			sh = append(sh, [2]int{rows, cols})
		}
	}
	sh = append(sh, [2]int{129, 67}, [2]int{67, 129}, [2]int{1000, 1}, [2]int{1, 1000}, [2]int{33, 33})
	if !short {
		sh = append(sh, [2]int{1001, 999}, [2]int{999, 1001})
	}
	return sh
}

// snRun runs SubsetNormStep at level l on copies of the inputs.
func snRun(l Level, in [][]float32, rows, cols int, h SubsetNormParams) (p, m, s, w []float32) {
	old := Active()
	defer SetLevel(old)
	if SetLevel(l) != l {
		panic("asm: test: level not supported")
	}
	p, m, s, w = zooClone(in[0]), zooClone(in[2]), zooClone(in[3]), zooClone(in[4])
	SubsetNormStep(p, in[1], m, s, w, rows, cols, h)
	return
}

// snCompare checks one level's results against the reference's.
func snCompare(t *testing.T, what string, in [][]float32, rows, cols int, h SubsetNormParams, p, m, s, w, pr, mr, sr, wr []float32) {
	t.Helper()
	for i := range sr {
		if math.Float32bits(s[i]) != math.Float32bits(sr[i]) {
			t.Fatalf("%s %d×%d: s[%d] = %v, generic %v", what, rows, cols, i, s[i], sr[i])
		}
	}
	if rows < cols {
		for j := range cols {
			if math.Float32bits(w[j]) != math.Float32bits(wr[j]) {
				t.Fatalf("%s %d×%d: work[%d] = %v, generic %v", what, rows, cols, j, w[j], wr[j])
			}
		}
	}
	k := h.consts()
	for i := range pr {
		sub := i / max(cols, 1)
		if rows < cols {
			sub = i % cols
		}
		q := float64(snQuot(sr[sub], &k))
		tm := 2*fusedU*(zooAb(k.b1)*zooAb(in[2][i])+zooAb(k.omb1)*zooAb(in[1][i])) + zooAbs
		tp := 4*fusedU*(zooAb(in[0][i])+q*zooAb(mr[i])) + q*tm + zooAbs
		if !fusedClose(m[i], mr[i], tm) || !fusedClose(p[i], pr[i], tp) {
			t.Fatalf("%s %d×%d [%d] (p=%v g=%v m=%v, q=%v): got p, m = %v %v; generic %v %v",
				what, rows, cols, i, in[0][i], in[1][i], in[2][i], q, p[i], m[i], pr[i], mr[i])
		}
	}
}

// TestSubsetNormStepLevels runs SubsetNormStep at every level against the
// generic level over many shapes of both orientations at misaligned
// offsets, with NaN guard bands around every slice.
func TestSubsetNormStepLevels(t *testing.T) {
	names := []string{"p", "g", "m", "s", "work"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(61, 62)
		for _, tc := range snTestParams {
			for si, sh := range snShapes(testing.Short()) {
				rows, cols := sh[0], sh[1]
				n, off := rows*cols, si%8
				bufs := zooInputs(n, off, fusedUniform(r, -0.01, 0.01), fusedUniform(r, -1, 1), fusedUniform(r, -0.1, 0.1))
				bufs = append(bufs, fusedNewBuf(max(rows, cols), (off+5)%8).fill(fusedUniform(r, 0, 1e-3)),
					fusedNewBuf(cols, (off+7)%8).fill(fusedUniform(r, -1, 1)))
				in := zooCopies(bufs)
				pr, mr, sr, wr := snRun(Generic, in, rows, cols, tc.h)
				SubsetNormStep(bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s(), bufs[4].s(), rows, cols, tc.h)
				zooCheckGuards(t, names, bufs, in, 1)
				snCompare(t, tc.name+" "+l.String(), in, rows, cols, tc.h,
					bufs[0].s(), bufs[2].s(), bufs[3].s(), bufs[4].s(), pr, mr, sr, wr)
				if rows >= cols {
					bufs[4].checkUnchanged(t, "work", in[4])
				}
			}
		}
	})
}

// TestSubsetNormHand checks three steps on a 3×2 and a 2×3 matrix
// against float64 arithmetic of the equations in SubsetNormStep's
// comment.
func TestSubsetNormHand(t *testing.T) {
	grads := [][]float32{{0.5, -1, 0.25, 0, 2, -0.125}, {-0.5, 1, -2, 0.125, 0, 1}, {-0.25, -1, 0.25, 3, 0.5, 0.5}}
	for _, sh := range [][2]int{{3, 2}, {2, 3}} {
		rows, cols := sh[0], sh[1]
		fusedForLevels(t, func(t *testing.T, l Level) {
			h := SubsetNormParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, WeightDecay: 0.1}
			p, m, s, w := []float32{1, -1, 2, 0.5, -0.25, 3}, make([]float32, 6), make([]float32, 3), make([]float32, 3)
			p64, m64, s64 := []float64{1, -1, 2, 0.5, -0.25, 3}, make([]float64, 6), make([]float64, 3)
			for st, g := range grads {
				h.Step = st + 1
				SubsetNormStep(p, g, m, s, w, rows, cols, h)
				bc1 := 1 - math.Pow(h.Beta1, float64(h.Step))
				bc2 := 1 - math.Pow(h.Beta2, float64(h.Step))
				sum := make([]float64, 3)
				for i := range g {
					sub := i / cols
					if rows < cols {
						sub = i % cols
					}
					sum[sub] += float64(g[i]) * float64(g[i])
				}
				for k := range s64 {
					s64[k] = h.Beta2*s64[k] + (1-h.Beta2)*sum[k]
					if math.Abs(float64(s[k])-s64[k]) > 1e-6*s64[k] {
						t.Errorf("%d×%d step %d: s[%d] = %v, float64 %v", rows, cols, st+1, k, s[k], s64[k])
					}
				}
				for i := range p64 {
					sub := i / cols
					if rows < cols {
						sub = i % cols
					}
					m64[i] = h.Beta1*m64[i] + (1-h.Beta1)*float64(g[i])
					p64[i] -= h.LR * (math.Sqrt(bc2)/bc1*m64[i]/(math.Sqrt(s64[sub])+h.Eps) + h.WeightDecay*p64[i])
					if math.Abs(float64(p[i])-p64[i]) > 1e-6*math.Max(math.Abs(p64[i]), 1e-2) ||
						math.Abs(float64(m[i])-m64[i]) > 1e-6*math.Abs(m64[i])+1e-12 {
						t.Errorf("%d×%d step %d [%d]: p, m = %v %v; float64 %v %v", rows, cols, st+1, i, p[i], m[i], p64[i], m64[i])
					}
				}
			}
		})
	}
	fusedExpectPanic(t, "asm: subsetnorm: length mismatch", func() {
		SubsetNormStep(make([]float32, 6), make([]float32, 6), make([]float32, 6), make([]float32, 3), make([]float32, 2), 2, 3, SubsetNormParams{Step: 1})
	})
	fusedExpectPanic(t, "asm: subsetnorm: invalid shape", func() { SubsetNormStep(nil, nil, nil, nil, nil, -1, 0, SubsetNormParams{Step: 1}) })
	fusedExpectPanic(t, "asm: subsetnorm: step 0", func() { SubsetNormStep(nil, nil, nil, nil, nil, 0, 0, SubsetNormParams{}) })
}

// FuzzSubsetNormStep compares SubsetNormStep at every supported level with
// the generic level on fuzzed values (finite, |x| ≤ 1e4, s ≥ 0,
// subnormals included), shapes and hyperparameters.
func FuzzSubsetNormStep(f *testing.F) {
	seed := make([]byte, 16*37)
	for i := range seed {
		seed[i] = byte(i*29 + 3)
	}
	f.Add(seed, uint8(5), uint16(1), uint8(0))
	f.Add(seed[:16*9], uint8(2), uint16(900), uint8(200))
	f.Add([]byte{}, uint8(0), uint16(3), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, cols uint8, step uint16, hb uint8) {
		in := fusedFuzzFloats(data, 4)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		n := len(in[0])
		c := int(cols)%64 + 1
		rows := n / c
		n = rows * c
		ns := max(rows, c)
		s := make([]float32, ns)
		for i := range s {
			if len(in[3]) > 0 {
				s[i] = float32(math.Abs(float64(in[3][i%len(in[3])])))
			}
		}
		args := [][]float32{in[0][:n], in[1][:n], in[2][:n], s, make([]float32, c)}
		h := SubsetNormParams{LR: 1e-3 * (1 + float64(hb%7)), Beta1: float64(hb) / 256, Beta2: 0.9 + 0.0999*float64(hb%13)/12,
			Eps: math.Pow(10, -4-float64(hb%6)), WeightDecay: float64(hb) / 1000, Step: int(step) + 1}
		pr, mr, sr, wr := snRun(Generic, args, rows, c, h)
		for _, l := range Supported() {
			p, m, s, w := snRun(l, args, rows, c, h)
			snCompare(t, l.String(), args, rows, c, h, p, m, s, w, pr, mr, sr, wr)
		}
	})
}

// BenchmarkSubsetNormStep times one step on a 1000×1000 matrix (one row
// sum per row) and a 100×10000 one (column sums), with AdamStep on 1e6
// elements for comparison, at the active level. ns/param is reported.
func BenchmarkSubsetNormStep(b *testing.B) {
	const n = 1000000
	for _, sh := range [][2]int{{1000, 1000}, {100, 10000}, {0, 0}} {
		rows, cols := sh[0], sh[1]
		name := "adam"
		if rows > 0 {
			name = fmt.Sprintf("sn-%dx%d", rows, cols)
		}
		b.Run(name, func(b *testing.B) {
			r := zooRand(1, 2)
			p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range p {
				p[i], g[i] = float32(r.Float64()-0.5), float32(r.Float64()-0.5)
			}
			s, w := make([]float32, n), make([]float32, n)
			h := SubsetNormParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, WeightDecay: 0.01, Step: 10}
			ha := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Decoupled: true, Step: 10}
			b.SetBytes(4 * n * 5)
			for b.Loop() {
				if rows == 0 {
					AdamStep(p, g, m, v, ha)
				} else {
					SubsetNormStep(p, g, m, s, w, rows, cols, h)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/param")
		})
	}
}
