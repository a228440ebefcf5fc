package data

import (
	"fmt"
	"math"
)

// Norm maps a pixel byte p to the float32 (p/255 - Mean) / Std.
// The zero Norm is invalid; use Unit for plain scaling to [0, 1].
type Norm struct {
	Mean float32 // subtracted after scaling to [0, 1]
	Std  float32 // divisor, > 0
}

var (
	// Unit scales pixels to [0, 1]: p/255.
	Unit = Norm{Mean: 0, Std: 1}
	// MNISTNorm standardizes with the MNIST training set's pixel mean and
	// standard deviation, the customary 0.1307 and 0.3081 (Dataset.Stats
	// recomputes them; TestRealMNIST checks they agree).
	MNISTNorm = Norm{Mean: 0.1307, Std: 0.3081}
)

// validate reports an invalid Norm: Std must be finite and > 0, Mean finite.
func (n Norm) validate() error {
	m, s := float64(n.Mean), float64(n.Std)
	if math.IsNaN(m) || math.IsInf(m, 0) || !(s > 0) || math.IsInf(s, 0) {
		return fmt.Errorf("data: norm: want finite Mean and Std > 0, got Mean %v Std %v", n.Mean, n.Std)
	}
	return nil
}

// Table returns the 256 float32 values n maps the bytes 0..255 to, each
// computed in float64 and rounded once.
func (n Norm) Table() [256]float32 {
	var t [256]float32
	for p := range t {
		t[p] = float32((float64(p)/255 - float64(n.Mean)) / float64(n.Std))
	}
	return t
}

// Apply writes n's value of each src byte into dst: dst[i] = Table[src[i]].
// It panics if len(dst) < len(src).
func (n Norm) Apply(dst []float32, src []uint8) {
	t := n.Table()
	convert(dst, src, &t)
}

// convert is the batch conversion kernel: dst[i] = t[src[i]] for every i.
// A 256-entry table lookup is exact for any Norm and, indexed by a byte,
// needs no bounds check; the body is unrolled by 8 with the bounds checks
// hoisted to one per block (about 15% faster than the plain loop).
// It panics if len(dst) < len(src).
func convert(dst []float32, src []uint8, t *[256]float32) {
	dst = dst[:len(src)]
	i := 0
	for ; i+8 <= len(src); i += 8 {
		s := src[i : i+8 : i+8]
		d := dst[i : i+8 : i+8]
		d[0] = t[s[0]]
		d[1] = t[s[1]]
		d[2] = t[s[2]]
		d[3] = t[s[3]]
		d[4] = t[s[4]]
		d[5] = t[s[5]]
		d[6] = t[s[6]]
		d[7] = t[s[7]]
	}
	for ; i < len(src); i++ {
		dst[i] = t[src[i]]
	}
}
