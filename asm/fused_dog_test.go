package asm

import (
	"fmt"
	"math"
	"testing"
)

// dogModes are the four input combinations of DoGSums (distance or not,
// decay or not) and of DoGStep (decay or not, average or not).
var dogModes = []struct {
	name   string
	dist   bool // DoGSums: p0 given; DoGStep: avg given
	wd     float32
	dec    bool
	params DoGStepParams
}{
	{"plain", false, 0, false, DoGStepParams{Eta: 0.37, LR: 1}},
	{"decay", false, 0.03, true, DoGStepParams{WD: 0.03, Eta: 1.7e-3, LR: 0.5}},
	{"dist", true, 0, false, DoGStepParams{Eta: 2.5e-2, LR: 3, W: 0.3, OmW: 0.7}},
	{"dist-decay", true, 0.1, true, DoGStepParams{WD: 0.1, Eta: 0.011, LR: 1, W: 0.9, OmW: 0.1}},
}

// dogSumsRef returns DoGSums' result from the generic reference alone.
func dogSumsRef(p, p0, g []float32, wd float32) (float64, float64) {
	mode := 0
	if p0 != nil {
		mode |= dogDist
	}
	if wd != 0 {
		mode |= dogDecay
	}
	var l [32]float64
	dogSumsGeneric(p, p0, g, wd, mode, &l, 0)
	return CombineLanes16((*[16]float64)(l[:16])), CombineLanes16((*[16]float64)(l[16:]))
}

// dogSumsExact returns the sums in float64 from float64 differences and
// u = g + wd·p: DoGSums must be within a relative 1e-6 of them.
func dogSumsExact(p, p0, g []float32, wd float32) (d2, g2 float64) {
	for i := range g {
		if p0 != nil {
			d := float64(p[i]) - float64(p0[i])
			d2 += d * d
		}
		u := float64(g[i])
		if wd != 0 {
			u += float64(wd) * float64(p[i])
		}
		g2 += u * u
	}
	return d2, g2
}

// TestDoGSumsLevels runs DoGSums at every level in each mode over lengths
// 0..64 and large odd lengths at every offset, with NaN guard bands: the
// sums must equal the reference's bit for bit and the float64 sums to a
// relative 1e-6, and no input may change.
func TestDoGSumsLevels(t *testing.T) {
	names := []string{"p", "p0", "g"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(31, 32)
		for _, m := range dogModes {
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, fusedUniform(r, -2, 2), fusedUniform(r, -2, 2), fusedUniform(r, -1, 1))
				in := zooCopies(bufs)
				var p0 []float32
				if m.dist {
					p0 = bufs[1].s()
				}
				d2, g2 := DoGSums(bufs[0].s(), p0, bufs[2].s(), m.wd)
				var r0 []float32
				if m.dist {
					r0 = in[1]
				}
				rd, rg := dogSumsRef(in[0], r0, in[2], m.wd)
				zooCheckGuards(t, names, bufs, in, 0, 1, 2)
				if math.Float64bits(d2) != math.Float64bits(rd) || math.Float64bits(g2) != math.Float64bits(rg) {
					t.Fatalf("%s n=%d off=%d: sums %v %v, reference %v %v", m.name, c.n, c.off, d2, g2, rd, rg)
				}
				ed, eg := dogSumsExact(in[0], r0, in[2], m.wd)
				if math.Abs(d2-ed) > 1e-6*ed || math.Abs(g2-eg) > 1e-6*eg || (!m.dist && d2 != 0) {
					t.Fatalf("%s n=%d off=%d: sums %v %v, float64 %v %v", m.name, c.n, c.off, d2, g2, ed, eg)
				}
			}
		}
	})
}

// TestDoGStepLevels runs DoGStep at every level in each mode against the
// reference, bit for bit, over lengths 0..64 and large odd lengths at
// every offset, with NaN guard bands; g must stay unchanged.
func TestDoGStepLevels(t *testing.T) {
	names := []string{"p", "g", "avg"}
	fusedForLevels(t, func(t *testing.T, l Level) {
		r := zooRand(33, 34)
		for _, m := range dogModes {
			for _, c := range fusedCases(testing.Short()) {
				bufs := zooInputs(c.n, c.off, fusedUniform(r, -2, 2), fusedUniform(r, -1, 1), fusedUniform(r, -2, 2))
				in := zooCopies(bufs)
				pr, ar := zooClone(in[0]), zooClone(in[2])
				mode := 0
				var avg []float32
				if m.dec {
					mode |= dogDecay
				}
				if m.dist {
					mode |= dogAvg
					avg = bufs[2].s()
				}
				dogStepGeneric(pr, in[1], ar, mode, &m.params)
				DoGStep(bufs[0].s(), bufs[1].s(), avg, m.params)
				zooCheckGuards(t, names, bufs, in, 1)
				if !m.dist {
					bufs[2].checkUnchanged(t, "avg", in[2])
				}
				for i := range pr {
					if math.Float32bits(bufs[0].s()[i]) != math.Float32bits(pr[i]) ||
						math.Float32bits(bufs[2].s()[i]) != math.Float32bits(ar[i]) {
						t.Fatalf("%s n=%d off=%d [%d]: p, avg = %v %v; reference %v %v", m.name, c.n, c.off, i,
							bufs[0].s()[i], bufs[2].s()[i], pr[i], ar[i])
					}
				}
				if t.Failed() {
					t.Fatalf("%s: n=%d off=%d", m.name, c.n, c.off)
				}
			}
		}
	})
}

// TestDoGHand checks DoGStep on a few elements against float64
// arithmetic, DoGSums' lane order on a block where float32 row sums round
// (a value of 2²⁴ next to ones), and the panics.
func TestDoGHand(t *testing.T) {
	fusedForLevels(t, func(t *testing.T, l Level) {
		p := []float32{1, -2, 0.5, 4, 3}
		g := []float32{0.25, 1, -3, 0, 2}
		avg := []float32{0, 1, 2, 3, 4}
		h := DoGStepParams{WD: 0.5, Eta: 0.25, LR: 2, W: 0.75, OmW: 0.25}
		want := make([]float64, 5)
		wantAvg := make([]float64, 5)
		for i := range p {
			u := (float64(g[i]) + 0.5*float64(p[i])) * 0.25 * 2
			want[i] = float64(p[i]) - u
			wantAvg[i] = 0.25*float64(avg[i]) + 0.75*want[i]
		}
		DoGStep(p, g, avg, h)
		for i := range p {
			if float64(p[i]) != want[i] || float64(avg[i]) != wantAvg[i] {
				t.Errorf("[%d]: p, avg = %v %v, want %v %v", i, p[i], avg[i], want[i], wantAvg[i])
			}
		}
		// Lane 0 of one block holds rows 2¹², 1, 1, 1: fma(1, 1, 2²⁴) rounds
		// to 2²⁴ in float32, so the lane is 2²⁴ + 2, not 2²⁴ + 3.
		x := make([]float32, 64)
		x[0], x[16], x[32], x[48] = 4096, 1, 1, 1
		if _, g2 := DoGSums(nil, nil, x, 0); g2 != 1<<24+2 {
			t.Errorf("lane order: Σx² = %v, want %v", g2, 1<<24+2)
		}
		if d2, _ := DoGSums(x, make([]float32, 64), x, 0); d2 != 1<<24+2 {
			t.Errorf("lane order: Σ(p−p0)² = %v, want %v", d2, 1<<24+2)
		}
	})
	fusedExpectPanic(t, "asm: dogsums: length mismatch", func() { DoGSums(make([]float32, 2), make([]float32, 3), make([]float32, 2), 0) })
	fusedExpectPanic(t, "asm: dogsums: length mismatch", func() { DoGSums(nil, nil, make([]float32, 2), 1) })
	fusedExpectPanic(t, "asm: dogstep: length mismatch", func() {
		DoGStep(make([]float32, 2), make([]float32, 2), make([]float32, 1), DoGStepParams{})
	})
	fusedExpectPanic(t, "asm: dogstep: length mismatch", func() {
		DoGStep(make([]float32, 2), make([]float32, 3), nil, DoGStepParams{})
	})
}

// FuzzDoG compares DoGSums and DoGStep at every supported level with the
// reference, bit for bit, on fuzzed values (finite, |x| ≤ 1e4, subnormals
// included), lengths, modes and scalars.
func FuzzDoG(f *testing.F) {
	seed := make([]byte, 12*133)
	for i := range seed {
		seed[i] = byte(i*13 + 5)
	}
	f.Add(seed, uint8(0), uint8(3))
	f.Add(seed[:12*64], uint8(90), uint8(1))
	f.Add(seed[:12*130], uint8(200), uint8(2))
	f.Add([]byte{}, uint8(1), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, hs, mode uint8) {
		in := fusedFuzzFloats(data, 3)
		for _, s := range in {
			fusedFuzzSane(s)
		}
		wd := float32(0)
		if mode&1 != 0 {
			wd = float32(hs) / 512
		}
		var p0, avg []float32
		if mode&2 != 0 {
			p0 = in[1]
			avg = in[1]
		}
		h := DoGStepParams{WD: wd, Eta: float32(1+int(hs)) / 300, LR: float32(1 + hs%3), W: float32(hs) / 255, OmW: 1 - float32(hs)/255}
		rd, rg := dogSumsRef(in[0], p0, in[2], wd)
		pr, ar := zooClone(in[0]), zooClone(in[1])
		smode := 0
		if wd != 0 {
			smode |= dogDecay
		}
		if avg != nil {
			smode |= dogAvg
		}
		dogStepGeneric(pr, in[2], ar, smode, &h)
		old := Active()
		defer SetLevel(old)
		for _, l := range Supported() {
			SetLevel(l)
			d2, g2 := DoGSums(in[0], p0, in[2], wd)
			if math.Float64bits(d2) != math.Float64bits(rd) || math.Float64bits(g2) != math.Float64bits(rg) {
				t.Fatalf("%v: n=%d: sums %v %v, reference %v %v", l, len(in[2]), d2, g2, rd, rg)
			}
			p, a := zooClone(in[0]), zooClone(in[1])
			if avg == nil {
				DoGStep(p, in[2], nil, h)
			} else {
				DoGStep(p, in[2], a, h)
			}
			for i := range p {
				if math.Float32bits(p[i]) != math.Float32bits(pr[i]) || math.Float32bits(a[i]) != math.Float32bits(ar[i]) {
					t.Fatalf("%v: element %d of %d: p, avg = %v %v; reference %v %v (%s)", l, i, len(p),
						p[i], a[i], pr[i], ar[i], fmt.Sprint(h))
				}
			}
		}
	})
}

// BenchmarkDoG times DoGSums (with distance and decay, and g alone) and
// DoGStep (with decay and average, and plain) at every level, at n = 2¹⁴
// (in L2) and 1e6.
func BenchmarkDoG(b *testing.B) {
	old := Active()
	defer SetLevel(old)
	for _, l := range Supported() {
		SetLevel(l)
		for _, n := range []int{1 << 14, 1_000_000} {
			r := zooRand(1, 2)
			mk := func() []float32 {
				s := make([]float32, n)
				for i := range s {
					s[i] = float32(r.NormFloat64())
				}
				return s
			}
			p, p0, g, avg := mk(), mk(), mk(), mk()
			for _, bc := range []struct {
				name  string
				bytes int
				run   func()
			}{
				{"sums-dist-decay", 12, func() { DoGSums(p, p0, g, 0.01) }},
				{"sums-dist", 12, func() { DoGSums(p, p0, g, 0) }},
				{"sums-g", 4, func() { DoGSums(nil, nil, g, 0) }},
				{"step-decay-avg", 20, func() { DoGStep(p, g, avg, DoGStepParams{WD: 1e-6, Eta: 1e-9, LR: 1, W: 0.5, OmW: 0.5}) }},
				{"step-plain", 12, func() { DoGStep(p, g, nil, DoGStepParams{Eta: 1e-9, LR: 1}) }},
			} {
				b.Run(fmt.Sprintf("%v/%s/%d", l, bc.name, n), func(b *testing.B) {
					b.SetBytes(int64(bc.bytes * n))
					for b.Loop() {
						bc.run()
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
				})
			}
		}
	}
}
