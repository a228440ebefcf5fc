package fgrad

import (
	"fmt"
	"math"
	"testing"

	"github.com/gograd/gograd/tensor"
)

// TestNormalMoments checks the table's exact moments and the sample
// moments of a long stream: mean 0, variance 1, kurtosis 3, no lag-1
// correlation.
func TestNormalMoments(t *testing.T) {
	tab := table()
	var s1, s2 float64
	for i, v := range tab {
		if v != -tab[len(tab)-1-i] {
			t.Fatalf("table not odd-symmetric at %d", i)
		}
		s1 += float64(v)
		s2 += float64(v) * float64(v)
	}
	if n := float64(len(tab)); math.Abs(s1/n) > 1e-9 || math.Abs(s2/n-1) > 1e-6 {
		t.Errorf("table mean %g, second moment %g; want 0, 1", s1/n, s2/n)
	}
	const n = 1 << 22
	x := make([]float32, n)
	FillNormal(x, 42)
	var m1, m2, m4, c1 float64
	for i, v := range x {
		f := float64(v)
		m1 += f
		m2 += f * f
		m4 += f * f * f * f
		if i > 0 {
			c1 += f * float64(x[i-1])
		}
	}
	m1, m2, m4, c1 = m1/n, m2/n, m4/n, c1/n
	se := 1 / math.Sqrt(n)
	if math.Abs(m1) > 5*se || math.Abs(m2-1) > 5*math.Sqrt2*se || math.Abs(m4-3) > 5*math.Sqrt(96)*se || math.Abs(c1) > 5*se {
		t.Errorf("mean %.5f var %.5f kurtosis %.4f lag-1 %.5f", m1, m2, m4, c1)
	}
}

// TestNormalSeekable checks that a stream is the same however it is
// produced: whole, in AddNormal form, and that keys differ.
func TestNormalSeekable(t *testing.T) {
	for _, n := range []int{0, 1, 3, 5, normalBlock - 1, normalBlock + 3, 4*normalBlock + 7, 9 * normalBlock} {
		a := make([]float32, n)
		FillNormal(a, 7)
		b := make([]float32, n)
		for i := range b {
			b[i] = 1
		}
		AddNormal(b, 2, 7)
		for i := range a {
			if want := 1 + 2*a[i]; b[i] != want {
				t.Fatalf("n=%d: AddNormal[%d] = %v, want %v", n, i, b[i], want)
			}
		}
		if n > normalBlock {
			// The prefix of a longer stream is the shorter stream.
			c := make([]float32, normalBlock+1)
			FillNormal(c, 7)
			for i := range c {
				if c[i] != a[i] {
					t.Fatalf("n=%d: prefix differs at %d", n, i)
				}
			}
			d := make([]float32, n)
			FillNormal(d, 8)
			same := 0
			for i := range d {
				if d[i] == a[i] {
					same++
				}
			}
			if same > n/100 {
				t.Errorf("keys 7 and 8 agree on %d of %d values", same, n)
			}
		}
	}
}

// BenchmarkNormal compares the table generator with math/rand/v2's
// ziggurat (tensor.FillNormal) on the 269,322 values of the W1 MLP.
func BenchmarkNormal(b *testing.B) {
	const n = 269322
	dst := make([]float32, n)
	b.Run(fmt.Sprintf("table/fill/%d", n), func(b *testing.B) {
		b.SetBytes(4 * n)
		b.ReportAllocs()
		for b.Loop() {
			FillNormal(dst, 1)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/value")
	})
	b.Run(fmt.Sprintf("table/add/%d", n), func(b *testing.B) {
		b.SetBytes(4 * n)
		b.ReportAllocs()
		for b.Loop() {
			AddNormal(dst, 0.5, 1)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/value")
	})
	b.Run(fmt.Sprintf("ziggurat/fill/%d", n), func(b *testing.B) {
		rng := tensor.NewRNG(1)
		b.SetBytes(4 * n)
		b.ReportAllocs()
		for b.Loop() {
			tensor.FillNormal(rng, dst, 1)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/value")
	})
}
