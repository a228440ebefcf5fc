package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Shared helpers of the tests of the zoo kernels (RMSProp/AdaGrad,
// AdaMax, AdEMAMix, C-AdamW/C-Lion), prefix zoo. Their tolerance models
// follow adamTols: a few unit roundoffs of the magnitude of every summed
// term (the assembly fuses multiply-adds, so it rounds fewer times than
// the reference), carried through square roots and divisions, plus 2^-125
// for flushed intermediates.

// zooAbs is the absolute slack for flushed intermediates.
const zooAbs = 2 * fusedMinNormal

func zooAb(x float32) float64 { return math.Abs(float64(x)) }

// zooQuotTol returns the bound q on |num/den| and its tolerance, given a
// bound num on the numerator's magnitude with tolerance tnum and a
// denominator den > 0 with tolerance tden; it returns an infinite
// tolerance if den might be 0.
func zooQuotTol(num, tnum, den, tden float64) (q, tq float64) {
	if den-tden <= 0 {
		return math.Inf(1), math.Inf(1)
	}
	q = num / den
	return q, tnum/(den-tden) + num*tden/(den*(den-tden)) + 4*fusedU*q
}

// zooSqrtTol returns √x and the tolerance of a rounded √ of x ± tx.
func zooSqrtTol(x, tx float64) (r, tr float64) {
	r = math.Sqrt(math.Max(x, 0))
	return r, math.Sqrt(math.Max(x, 0)+tx) - math.Sqrt(math.Max(x-tx, 0)) + 4*fusedU*r
}

// zooStepTol is the tolerance on p' − s·q with |q| ≤ qb known to tq.
func zooStepTol(p0, s, qb, tq float64) float64 {
	return 8*fusedU*(p0+s*qb) + s*tq + zooAbs
}

// zooInputs makes n-element guarded buffers at offsets derived from off,
// filled by the generators in order.
func zooInputs(n, off int, gens ...func() float32) []fusedBuf {
	bufs := make([]fusedBuf, len(gens))
	for i, f := range gens {
		bufs[i] = fusedNewBuf(n, (off+3*i)%8).fill(f)
	}
	return bufs
}

// zooCopies returns a copy of each buffer's slice.
func zooCopies(bufs []fusedBuf) [][]float32 {
	out := make([][]float32, len(bufs))
	for i, b := range bufs {
		out[i] = b.copy()
	}
	return out
}

// zooCheckGuards checks every buffer's guard bands, and that the buffers
// named read-only (by index) are unchanged.
func zooCheckGuards(t *testing.T, names []string, bufs []fusedBuf, before [][]float32, readOnly ...int) {
	t.Helper()
	for i, b := range bufs {
		b.checkGuards(t, names[i])
	}
	for _, i := range readOnly {
		bufs[i].checkUnchanged(t, names[i], before[i])
	}
}

// zooRand is a generator source shared by a test.
func zooRand(a, b uint64) *rand.Rand { return rand.New(rand.NewPCG(a, b)) }

// zooClone copies a slice.
func zooClone(s []float32) []float32 { return append([]float32(nil), s...) }
