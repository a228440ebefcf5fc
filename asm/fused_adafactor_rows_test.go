package asm

import (
	"math"
	"testing"
)

// TestAdafactorSumsWideRows checks AdafactorMatrixStep's first two
// passes on rows longer than the 1024-element chunk of its P and S sums
// (a multiple of it, a little over, several chunks plus a tail): every
// level's R, C, P and S equal the reference's bit for bit, and P and S
// equal the order the doc comment states (float32 squares in float32
// lanes j mod 16, moved to float64 lanes after every 1024 elements of a
// row and at its end), computed here independently, within float32
// rounding of the exact sums.
func TestAdafactorSumsWideRows(t *testing.T) {
	rnd := zooRand(77, 78)
	for _, sh := range [][2]int{{2, 1024}, {3, 1040}, {2, 2048}, {3, 2500}, {1, 4097}} {
		rows, cols := sh[0], sh[1]
		n := rows * cols
		g, p := make([]float32, n), make([]float32, n)
		for i := range g {
			g[i] = float32(math.Ldexp(rnd.Float64()-0.5, rnd.IntN(40)-20))
			p[i] = float32(math.Ldexp(rnd.Float64()-0.5, rnd.IntN(24)-12))
		}
		rf, cf := make([]float32, rows), make([]float32, cols)
		for i := range rf {
			rf[i] = float32(0.5 + rnd.Float64())
		}
		for j := range cf {
			cf[j] = float32(0.5 + rnd.Float64())
		}
		u := make([]float32, n)
		for i := range u {
			u[i] = (g[i] * rf[i/cols]) * cf[i%cols]
		}
		want := afRowOrderSum(t, p, rows, cols)
		wantS := afRowOrderSum(t, u, rows, cols)
		rs0, cs0 := make([]float64, rows), make([]float64, cols)
		if p0 := afSumsGeneric(g, p, rows, cols, rs0, cs0); p0 != want {
			t.Fatalf("%d×%d: reference P = %v, stated order %v", rows, cols, p0, want)
		}
		if s0 := afUSumGeneric(g, rf, cf, rows, cols); s0 != wantS {
			t.Fatalf("%d×%d: reference S = %v, stated order %v", rows, cols, s0, wantS)
		}
		fusedForLevels(t, func(t *testing.T, l Level) {
			rs, cs := make([]float64, rows), make([]float64, cols)
			if got := afSums(g, p, rows, cols, rs, cs); got != want {
				t.Errorf("%d×%d: P = %v, reference %v", rows, cols, got, want)
			}
			if got := afUSum(g, rf, cf, rows, cols); got != wantS {
				t.Errorf("%d×%d: S = %v, reference %v", rows, cols, got, wantS)
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
		})
	}
}

// afRowOrderSum returns Σ x² of a rows×cols matrix in the order
// AdafactorMatrixStep states for P and S, checking it against the exact
// sum.
func afRowOrderSum(t *testing.T, x []float32, rows, cols int) float64 {
	t.Helper()
	var lanes [16]float64
	exact := 0.0
	for i := range rows {
		var l32 [16]float32
		for j := range cols {
			v := x[i*cols+j]
			exact += float64(v) * float64(v)
			l32[j%16] += float32(v * v)
			if (j+1)%1024 == 0 || j == cols-1 {
				for k := range lanes {
					lanes[k] += float64(l32[k])
				}
				l32 = [16]float32{}
			}
		}
	}
	s := CombineLanes16(&lanes)
	if math.Abs(s-exact) > 1e-5*exact {
		t.Fatalf("%d×%d: sum by the stated order %v, exact %v", rows, cols, s, exact)
	}
	return s
}
