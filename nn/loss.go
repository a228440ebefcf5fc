package nn

import (
	"fmt"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// CrossEntropyLoss returns the mean softmax cross-entropy of logits [N, C]
// against labels in [0, C), as torch.nn.CrossEntropyLoss: see
// autodiff.CrossEntropy, which it calls. The labels must not change until
// the tape is reset.
func CrossEntropyLoss(logits *autodiff.Var, labels []int32) *autodiff.Var {
	return autodiff.CrossEntropy(logits, labels)
}

// MSELoss returns mean((pred − target)²), as torch.nn.MSELoss. pred and
// target must have broadcast-compatible shapes.
func MSELoss(pred, target *autodiff.Var) *autodiff.Var {
	return autodiff.MSE(pred, target)
}

// Accuracy returns the fraction of rows of logits [N, C] whose largest
// entry (the first one on ties) is at the label's index. It returns 0 for
// N = 0 and panics with a *tensor.ShapeError if logits is not [N, C] with
// N = len(labels).
func Accuracy(logits *tensor.Tensor, labels []int32) float64 {
	n := Correct(logits, labels)
	if len(labels) == 0 {
		return 0
	}
	return float64(n) / float64(len(labels))
}

// Correct returns how many rows of logits [N, C] have their largest entry
// at the label's index; see Accuracy.
func Correct(logits *tensor.Tensor, labels []int32) int {
	s := logits.Shape()
	if len(s) != 2 || s[0] != len(labels) {
		panic(&tensor.ShapeError{Op: "accuracy", Reason: fmt.Sprintf("logits must be [N, C] with N = %d labels", len(labels)),
			Shapes: [][]int{s}})
	}
	c := s[1]
	d := logits.Contiguous().Data()
	n := 0
	for i, y := range labels {
		if argmax(d[i*c:(i+1)*c]) == int(y) {
			n++
		}
	}
	return n
}

// argmax returns the index of the first largest value of row, or −1 for
// an empty row. NaN entries are never the largest.
func argmax(row []float32) int {
	best := -1
	for j, v := range row {
		if v == v && (best < 0 || v > row[best]) {
			best = j
		}
	}
	return best
}
