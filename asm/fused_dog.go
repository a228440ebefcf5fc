package asm

import "fmt"

// The two passes of the global step-size rules (DoG, L-DoG, AdaGrad-Norm,
// SPS: optim's NewDoG and friends): DoGSums reduces over a tensor, the
// caller turns the sums into a step size, and DoGStep applies it.

// dogBlock is the block of DoGSums' reductions: 4 rows of 16 lanes.
const dogBlock = 64

// DoGSums returns, in one pass,
//
//	dist2 = Σ (p[i] − p0[i])²
//	grad2 = Σ u[i]²,   u[i] = g[i] + wd·p[i]   (one fused multiply-add; u = g when wd = 0)
//
// dist2 is 0, and p0 is not read, if p0 is nil; p is read only if p0 is
// not nil or wd ≠ 0 (it may be nil otherwise). The differences and u
// are rounded to float32 and squared in float32; each block of 64
// elements (from the start of the slices; the last one padded with
// zeros) gives lane j (0..15) the float32 sum of its 4 rows,
// fma(x₁, x₁, x₀²) + fma(x₃, x₃, x₂²) with x_k element 16k+j of the
// block, which is added to float64 lane j; the 16 lanes are combined by
// CombineLanes16. Every level follows this order, so the result is the
// same bit for bit at every level and on the generic reference (which
// flushes like the kernels, FTZ and DAZ, see mxcsr.go).
//
// DoGSums panics if g and p0 (if not nil) or p (if read) differ in
// length.
func DoGSums(p, p0, g []float32, wd float32) (dist2, grad2 float64) {
	mode := 0
	if p0 != nil {
		mode |= dogDist
	}
	if wd != 0 {
		mode |= dogDecay
	}
	if (mode&dogDist != 0 && len(p0) != len(g)) || (mode != 0 && len(p) != len(g)) {
		panic(fmt.Sprintf("asm: dogsums: length mismatch: len(p)=%d len(p0)=%d len(g)=%d", len(p), len(p0), len(g)))
	}
	if len(g) == 0 {
		return 0, 0
	}
	fusedRaceRead(g)
	if mode != 0 {
		fusedRaceRead(p)
	}
	if mode&dogDist != 0 {
		fusedRaceRead(p0)
	}
	var l [2 * 16]float64 // dist2 lanes, then grad2 lanes
	dogSums(p, p0, g, wd, mode, &l)
	return CombineLanes16((*[16]float64)(l[:16])), CombineLanes16((*[16]float64)(l[16:]))
}

// DoGStepParams holds the scalars of one DoGStep. They are float32 and
// used as given: the caller (optim's chains) rounds them once, so that
// the kernel and a chain of Axpy and Scale calls agree bit for bit.
type DoGStepParams struct {
	WD  float32 // λ: u = g + λ·p (fused multiply-add); u = g when 0
	Eta float32 // the step size (DoG's r̄/√G, AdaGrad-Norm's 1/b, SPS's γ)
	LR  float32 // the group's learning rate, applied after Eta
	// W and OmW are the average's weight w and 1−w (each rounded from
	// float64): x̄ ← OmW·x̄ + W·p', read only with an avg slice.
	W, OmW float32
}

// DoGStep performs the update pass of DoG (and of AdaGrad-Norm and SPS,
// which have no average) in place: for each i, in float32 and in this
// order (each operation rounded, as the chain AddDecayedWeights,
// ScaleByDoG, ScaleByLR, PolyAverage, θ ← θ − u rounds them),
//
//	u      = g[i] + λ·p[i]        (fused multiply-add; g[i] when λ = 0)
//	u      = (u·Eta)·LR
//	p[i]   = p[i] − u
//	avg[i] = OmW·avg[i] + W·p[i]  (if avg is not nil)
//
// The kernels run with FTZ and DAZ set; the generic reference flushes
// like them, and every level gives the same bits. p and avg are read and
// written, g is only read; they must not overlap. DoGStep panics if g or
// (a non-nil) avg differs in length from p.
func DoGStep(p, g, avg []float32, h DoGStepParams) {
	if len(g) != len(p) || (avg != nil && len(avg) != len(p)) {
		panic(fmt.Sprintf("asm: dogstep: length mismatch: len(p)=%d len(g)=%d len(avg)=%d", len(p), len(g), len(avg)))
	}
	if len(p) == 0 {
		return
	}
	mode := 0
	if h.WD != 0 {
		mode |= dogDecay
	}
	if avg != nil {
		mode |= dogAvg
		fusedRaceWrite(avg)
	}
	fusedRaceRead(g)
	fusedRaceWrite(p)
	dogStep(p, g, avg, mode, &h)
}

// The mode bits of the kernels.
const (
	dogDist  = 1 // DoGSums: sum (p − p0)²
	dogDecay = 2 // u = g + wd·p rather than g
	dogAvg   = 4 // DoGStep: update the average
)
