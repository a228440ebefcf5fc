package autodiff

import (
	"fmt"
	"slices"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/tensor"
)

// broadcastShape returns the NumPy broadcast of shapes a and b, or panics
// with a *tensor.ShapeError naming op.
func broadcastShape(op string, a, b []int) []int {
	if slices.Equal(a, b) {
		return a
	}
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := 0; i < n; i++ {
		da, db := dimFromRight(a, n-1-i), dimFromRight(b, n-1-i)
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			panic(&tensor.ShapeError{Op: op, Reason: "shapes do not broadcast", Shapes: [][]int{a, b}})
		}
	}
	return out
}

// dimFromRight returns dimension k counted from the right (0 = last) of
// shape, or 1 beyond its rank.
func dimFromRight(shape []int, k int) int {
	if k >= len(shape) {
		return 1
	}
	return shape[len(shape)-1-k]
}

// broadcastStrides returns the strides of a contiguous tensor of shape in
// the index space of out: 0 along broadcast dimensions.
func broadcastStrides(shape, out []int) []int {
	st := make([]int, len(out))
	s := 1
	for i := len(out) - 1; i >= 0; i-- {
		k := len(out) - 1 - i
		d := dimFromRight(shape, k)
		if d != 1 {
			st[i] = s
		}
		s *= d
	}
	return st
}

// binaryKind names the four broadcasting arithmetic ops.
type binaryKind int

const (
	kindAdd binaryKind = iota
	kindSub
	kindMul
	kindDiv
)

// binaryTo computes dst = a ∘ b with broadcasting, where dst has shape
// out and a, b are contiguous with shapes as, bs. The loop runs over rows
// of the last dimension, each row handled by a tight kernel.
func binaryTo(kind binaryKind, dst, a, b []float32, out, as, bs []int) {
	if slices.Equal(as, out) && slices.Equal(bs, out) {
		binaryRow(kind, dst, a, b, 1, 1)
		return
	}
	if len(out) == 0 {
		binaryRow(kind, dst, a, b, 1, 1)
		return
	}
	sa, sb := broadcastStrides(as, out), broadcastStrides(bs, out)
	last := len(out) - 1
	inner := out[last]
	ia, ib := sa[last], sb[last]
	rows := len(dst) / max(inner, 1)
	if inner == 0 {
		return
	}
	idx := make([]int, last)
	oa, ob := 0, 0
	for r := 0; r < rows; r++ {
		binaryRow(kind, dst[r*inner:(r+1)*inner], a[oa:], b[ob:], ia, ib)
		for d := last - 1; d >= 0; d-- {
			idx[d]++
			oa += sa[d]
			ob += sb[d]
			if idx[d] < out[d] {
				break
			}
			oa -= sa[d] * out[d]
			ob -= sb[d] * out[d]
			idx[d] = 0
		}
	}
}

// binaryRow computes dst[i] = a[i*ia] ∘ b[i*ib] with ia, ib in {0, 1}.
func binaryRow(kind binaryKind, dst, a, b []float32, ia, ib int) {
	n := len(dst)
	switch {
	case ia == 1 && ib == 1:
		a, b = a[:n], b[:n]
		switch kind {
		case kindAdd:
			for i := range dst {
				dst[i] = a[i] + b[i]
			}
		case kindSub:
			for i := range dst {
				dst[i] = a[i] - b[i]
			}
		case kindMul:
			for i := range dst {
				dst[i] = a[i] * b[i]
			}
		case kindDiv:
			for i := range dst {
				dst[i] = a[i] / b[i]
			}
		}
	case ia == 1:
		a = a[:n]
		s := b[0]
		switch kind {
		case kindAdd:
			for i := range dst {
				dst[i] = a[i] + s
			}
		case kindSub:
			for i := range dst {
				dst[i] = a[i] - s
			}
		case kindMul:
			for i := range dst {
				dst[i] = a[i] * s
			}
		case kindDiv:
			for i := range dst {
				dst[i] = a[i] / s
			}
		}
	case ib == 1:
		b = b[:n]
		s := a[0]
		switch kind {
		case kindAdd:
			for i := range dst {
				dst[i] = s + b[i]
			}
		case kindSub:
			for i := range dst {
				dst[i] = s - b[i]
			}
		case kindMul:
			for i := range dst {
				dst[i] = s * b[i]
			}
		case kindDiv:
			for i := range dst {
				dst[i] = s / b[i]
			}
		}
	default:
		var v float32
		switch kind {
		case kindAdd:
			v = a[0] + b[0]
		case kindSub:
			v = a[0] - b[0]
		case kindMul:
			v = a[0] * b[0]
		case kindDiv:
			v = a[0] / b[0]
		}
		for i := range dst {
			dst[i] = v
		}
	}
}

// sumToInto sums src (shape from) into dst (shape to, which broadcasts to
// from), overwriting dst.
func sumToInto(dst, src []float32, to, from []int) {
	clear(dst)
	if len(from) == 0 {
		dst[0] = src[0]
		return
	}
	st := broadcastStrides(to, from)
	last := len(from) - 1
	inner := from[last]
	if inner == 0 {
		return
	}
	is := st[last]
	rows := len(src) / inner
	idx := make([]int, last)
	o := 0
	for r := 0; r < rows; r++ {
		row := src[r*inner : (r+1)*inner]
		if is == 1 {
			d := dst[o : o+inner]
			for i, v := range row {
				d[i] += v
			}
		} else {
			dst[o] += asm.Sum(row)
		}
		for d := last - 1; d >= 0; d-- {
			idx[d]++
			o += st[d]
			if idx[d] < from[d] {
				break
			}
			o -= st[d] * from[d]
			idx[d] = 0
		}
	}
}

// broadcastInto copies src (shape from) into dst (shape to), repeating
// along broadcast dimensions.
func broadcastInto(dst, src []float32, to, from []int) {
	if len(to) == 0 {
		dst[0] = src[0]
		return
	}
	st := broadcastStrides(from, to)
	last := len(to) - 1
	inner := to[last]
	if inner == 0 {
		return
	}
	is := st[last]
	rows := len(dst) / inner
	idx := make([]int, last)
	o := 0
	for r := 0; r < rows; r++ {
		row := dst[r*inner : (r+1)*inner]
		if is == 1 {
			copy(row, src[o:o+inner])
		} else {
			v := src[o]
			for i := range row {
				row[i] = v
			}
		}
		for d := last - 1; d >= 0; d-- {
			idx[d]++
			o += st[d]
			if idx[d] < to[d] {
				break
			}
			o -= st[d] * to[d]
			idx[d] = 0
		}
	}
}

// checkBroadcastsTo panics unless shape small broadcasts to shape big.
func checkBroadcastsTo(op string, small, big []int) {
	if len(small) > len(big) {
		panic(&tensor.ShapeError{Op: op, Reason: "target has fewer dimensions", Shapes: [][]int{small, big}})
	}
	for k := 0; k < len(small); k++ {
		s, b := dimFromRight(small, k), dimFromRight(big, k)
		if s != b && s != 1 {
			panic(&tensor.ShapeError{Op: op, Reason: fmt.Sprintf("dimension %d does not broadcast", len(big)-1-k), Shapes: [][]int{small, big}})
		}
	}
}
