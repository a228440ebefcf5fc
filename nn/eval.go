package nn

import (
	"iter"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/tensor"
)

// EvalResult summarizes a model's predictions over a dataset.
type EvalResult struct {
	Loss     float64 // mean cross-entropy per sample
	Accuracy float64 // fraction of samples whose argmax logit is the label
	Samples  int     // number of samples seen
}

// Evaluate runs the classifier m over batches in evaluation mode and
// returns the mean cross-entropy and the accuracy over all samples. Each
// batch is an input tensor whose first axis is the batch (shaped as m
// expects, e.g. [N, 1, 28, 28] for MNISTCNN) and its N labels; m must
// return logits [N, C]. Nothing is recorded (the tape's recording is off)
// and the parameters' gradients are untouched. Evaluate restores m's
// previous mode before it returns. The batch tensors and labels may be
// reused by the iterator once the next batch is requested.
func Evaluate(m Module, batches iter.Seq2[*tensor.Tensor, []int32]) EvalResult {
	was := m.Train(false)
	defer m.Train(was)
	t := autodiff.NewTape()
	t.SetRecording(false)
	var lossSum float64
	var correct, n int
	for x, labels := range batches {
		t.Reset()
		logits := m.Forward(t.Input(x))
		loss := autodiff.CrossEntropy(logits, labels)
		lossSum += float64(loss.Item()) * float64(len(labels))
		correct += Correct(logits.Value, labels)
		n += len(labels)
	}
	t.Reset()
	r := EvalResult{Samples: n}
	if n > 0 {
		r.Loss = lossSum / float64(n)
		r.Accuracy = float64(correct) / float64(n)
	}
	return r
}
