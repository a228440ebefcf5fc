package tensor

import (
	"fmt"
	"strings"
)

// ShapeError reports shapes that do not fit an op. Functions that panic on
// a shape mistake panic with a *ShapeError.
type ShapeError struct {
	Op     string  // the op's name, e.g. "matmul"
	Shapes [][]int // the shapes involved, in argument order
	Reason string  // what is wrong, e.g. "inner dimensions differ"
}

func (e *ShapeError) Error() string {
	parts := make([]string, len(e.Shapes))
	for i, s := range e.Shapes {
		parts[i] = fmt.Sprint(s)
	}
	return fmt.Sprintf("tensor: %s: %s (shapes %s)", e.Op, e.Reason, strings.Join(parts, ", "))
}

// shapePanic panics with a *ShapeError; the shapes are copied.
func shapePanic(op, reason string, shapes ...[]int) {
	cp := make([][]int, len(shapes))
	for i, s := range shapes {
		cp[i] = append([]int(nil), s...)
	}
	panic(&ShapeError{Op: op, Shapes: cp, Reason: reason})
}
