package autodiff

import (
	"fmt"
	"slices"

	"github.com/gograd/gograd/tensor"
)

// reducedShape returns the shape of x reduced over axes, keeping size-1
// dimensions (keep) or dropping them, and the keep-dims shape.
func reducedShape(op string, shape []int, axes []int, keep bool) (out, kept []int) {
	kept = slices.Clone(shape)
	if len(axes) == 0 {
		for i := range kept {
			kept[i] = 1
		}
	}
	for _, a := range axes {
		if a < 0 {
			a += len(shape)
		}
		if a < 0 || a >= len(shape) {
			panic(&tensor.ShapeError{Op: op, Reason: fmt.Sprintf("axis %v out of range", axes), Shapes: [][]int{shape}})
		}
		kept[a] = 1
	}
	if keep {
		return kept, kept
	}
	out = []int{}
	for i, d := range shape {
		reduced := len(axes) == 0
		for _, a := range axes {
			if a == i || a+len(shape) == i {
				reduced = true
			}
		}
		if !reduced {
			out = append(out, d)
		}
	}
	return out, kept
}

// Sum returns the sum of x over the given axes (all axes when none are
// given), dropping the reduced dimensions. Negative axes count from the
// end.
func Sum(x *Var, axes ...int) *Var { return sum(x, false, axes) }

// SumKeep is Sum keeping the reduced dimensions with size 1.
func SumKeep(x *Var, axes ...int) *Var { return sum(x, true, axes) }

func sum(x *Var, keep bool, axes []int) *Var {
	out, kept := reducedShape("sum", x.Shape(), axes, keep)
	s := SumTo(x, kept)
	if !keep {
		return Reshape(s, out...)
	}
	return s
}

// Mean returns the mean of x over the given axes (all when none).
func Mean(x *Var, axes ...int) *Var { return mean(x, false, axes) }

// MeanKeep is Mean keeping the reduced dimensions with size 1.
func MeanKeep(x *Var, axes ...int) *Var { return mean(x, true, axes) }

func mean(x *Var, keep bool, axes []int) *Var {
	_, kept := reducedShape("mean", x.Shape(), axes, keep)
	n := x.Value.Size() / max(sizeOf(kept), 1)
	if n == 0 {
		n = 1
	}
	return Scale(sum(x, keep, axes), 1/float32(n))
}

func sizeOf(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
