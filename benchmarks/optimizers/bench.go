package main

import (
	"fmt"
	"io"
	"iter"
	"math"
	"strings"
	"time"

	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/data"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/optim"
	"github.com/gograd/gograd/tensor"
)

// probeSteps is the number of steps (after the first, which also
// creates the optimizer state) timed to estimate a method's epoch time
// before deciding whether to skip it.
const probeSteps = 20

// workload is what every method shares: the model's shape and seed, the
// data in a fixed order, and the evaluation and time limits.
type workload struct {
	sizes     []int                        // MLP layer widths, e.g. 784, 256, 256, 10
	seed      uint64                       // initial weights (tensor.NewRNG(seed)) and shuffling
	train     *data.Loader                 // shuffled by seed: epoch e's batches are the same for every method
	test      *data.Loader                 // the full test set, evaluated at the end of each epoch
	subset    *data.Loader                 // a fixed subset of the test set, evaluated every evalEvery steps
	evalEvery int                          // steps between subset evaluations (> 0)
	limit     float64                      // seconds per epoch above which a method is skipped; 0: no limit
	target    float64                      // test accuracy below which the status is "below"
	log       io.Writer                    // progress lines
	args      map[string]map[string]string // per-method optimizer arguments (nil: defaults)
}

// curvePoint is the test loss on the subset after Step steps.
type curvePoint struct {
	Step int
	Loss float64
}

// result is one method's run.
type result struct {
	Name, Family  string
	Epochs        int // epochs asked for
	StepsPerEpoch int
	Steps         int     // steps taken
	TrainSeconds  float64 // time spent in training steps (evaluations excluded)
	Tested        bool    // TestAcc and TestLoss hold a full test-set evaluation
	TestAcc       float64
	TestLoss      float64
	Params        int   // model parameters
	StateFloats   int64 // floats of non-scalar optimizer state; -1 if unknown
	NeedsObj      bool
	Passes        passCounts // objective calls inside the steps (NeedsObj only)
	Status        string
	Curve         []curvePoint
}

// secPerEpoch returns the training seconds per epoch, extrapolated from
// the steps taken.
func (r *result) secPerEpoch() float64 {
	if r.Steps == 0 {
		return 0
	}
	return r.TrainSeconds * float64(r.StepsPerEpoch) / float64(r.Steps)
}

// msPerStep returns the mean training milliseconds per step.
func (r *result) msPerStep() float64 {
	if r.Steps == 0 {
		return 0
	}
	return 1000 * r.TrainSeconds / float64(r.Steps)
}

// batches yields l's epoch-0 batches as [n, features] tensors.
func batches(l *data.Loader) iter.Seq2[*tensor.Tensor, []int32] {
	return func(yield func(*tensor.Tensor, []int32) bool) {
		for b := range l.Batches(0) {
			f := b.Rows * b.Cols
			if !yield(tensor.FromSlice(b.X[:b.Size*f], b.Size, f), b.Labels[:b.Size]) {
				return
			}
		}
	}
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// tooSlow returns the status of a method to stop after step steps (of
// stepsPerEpoch) in epoch e (0-based), or "" to go on. Right after step
// probeSteps+1 it extrapolates probe, the time of steps 2 to
// probeSteps+1, to an epoch and skips the method if that exceeds the
// limit; at any step it stops a method whose current epoch has taken
// epochTrain > 2·limit. A zero limit never stops.
func (w *workload) tooSlow(step, stepsPerEpoch, e int, probe, epochTrain time.Duration) string {
	if w.limit <= 0 {
		return ""
	}
	if step == probeSteps+1 && stepsPerEpoch > probeSteps+1 {
		if est := probe.Seconds() / probeSteps * float64(stepsPerEpoch); est > w.limit {
			return fmt.Sprintf("skipped: too slow (est. %.0f s/epoch)", est)
		}
	}
	if epochTrain.Seconds() > 2*w.limit {
		return fmt.Sprintf("stopped: too slow (over %.0f s in epoch %d)", 2*w.limit, e+1)
	}
	return ""
}

// fullChunk is the number of samples per forward and backward pass of a
// full-gradient pass (FullGradienter).
const fullChunk = 1000

// fullSet returns the training samples w.train visits (its -limit
// included), unshuffled in chunks of fullChunk, for the objective's
// full-gradient passes. Its loader is its own: a pass never touches the
// training loader's buffers or epoch position.
func (w *workload) fullSet() (iter.Seq2[*tensor.Tensor, []int32], error) {
	l, err := data.NewLoader(w.train.Dataset(), data.Config{BatchSize: fullChunk, Limit: w.train.Samples()})
	if err != nil {
		return nil, err
	}
	return batches(l), nil
}

// run trains a fresh model with optimizer name at its defaults, but for
// the arguments w.args[name], for the given epochs and returns what it measured. It never panics: a panic in
// the optimizer ends the run with status "panic: …".
func (w *workload) run(name string, epochs int) (r result) {
	r = result{Name: name, Family: familyOf(name), Epochs: epochs, StepsPerEpoch: w.train.Len(), StateFloats: -1}
	model := nn.MLP(w.sizes, tensor.NewRNG(w.seed))
	r.Params = nn.NumParams(model)
	opt, err := optim.New(name, nn.Parameters(model), 0, -1, w.args[name])
	if err != nil {
		r.Status = "error: " + err.Error()
		return r
	}
	defer func() {
		if p := recover(); p != nil {
			r.Status = fmt.Sprintf("panic: %v", p)
		}
	}()
	r.NeedsObj = opt.NeedsObjective()
	var obj *countingObjective
	if r.NeedsObj {
		full, err := w.fullSet()
		if err != nil {
			r.Status = "error: " + err.Error()
			return r
		}
		obj = &countingObjective{obj: nn.NewFullObjective(nn.NewObjective(model, opt.Params()), full)}
	}
	tape := autodiff.NewTape()
	opt.ZeroGrad()
	r.Curve = append(r.Curve, curvePoint{0, nn.Evaluate(model, batches(w.subset)).Loss})

	var train, first time.Duration
	testedAt := -1
loop:
	for e := 0; e < epochs; e++ {
		var epochTrain time.Duration
		epochSteps := 0
		for b := range w.train.Batches(e) {
			f := b.Rows * b.Cols
			x, labels := tensor.FromSlice(b.X[:b.Size*f], b.Size, f), b.Labels[:b.Size]
			t0 := time.Now()
			loss := nn.CrossEntropyLoss(model.Forward(tape.Input(x)), labels)
			tape.Backward(loss)
			l := float64(loss.Item())
			tape.Reset()
			if obj != nil {
				obj.obj.SetBatch(x, labels)
				opt.StepWith(obj)
			} else {
				opt.Step()
			}
			opt.ZeroGrad()
			d := time.Since(t0)
			train += d
			epochTrain += d
			r.Steps++
			epochSteps++
			r.TrainSeconds = train.Seconds()
			if r.Steps == 1 {
				first = d
			}
			if !finite(l) {
				r.Status = fmt.Sprintf("diverged (%v at step %d)", l, r.Steps)
				break loop
			}
			if st := w.tooSlow(r.Steps, r.StepsPerEpoch, e, train-first, epochTrain); st != "" {
				r.Status = st
				break loop
			}
			if r.Steps%w.evalEvery == 0 {
				r.Curve = append(r.Curve, curvePoint{r.Steps, nn.Evaluate(model, batches(w.subset)).Loss})
			}
		}
		ev := nn.Evaluate(model, batches(w.test))
		r.Tested, r.TestAcc, r.TestLoss, testedAt = true, ev.Accuracy, ev.Loss, r.Steps
		fmt.Fprintf(w.log, "  %s epoch %d/%d: test loss %.4f, test acc %.2f%%, %.1f s training (%.2f ms/step)\n",
			name, e+1, epochs, ev.Loss, 100*ev.Accuracy, epochTrain.Seconds(), 1000*epochTrain.Seconds()/float64(max(epochSteps, 1)))
	}
	if r.Steps > 0 {
		if last := r.Curve[len(r.Curve)-1].Step; last != r.Steps {
			r.Curve = append(r.Curve, curvePoint{r.Steps, nn.Evaluate(model, batches(w.subset)).Loss})
		}
		if n, err := stateFloats(opt); err == nil {
			r.StateFloats = n
		}
	}
	if obj != nil {
		r.Passes = obj.n
	}
	skipped := strings.HasPrefix(r.Status, "skipped")
	if testedAt != r.Steps && !skipped {
		ev := nn.Evaluate(model, batches(w.test))
		r.Tested, r.TestAcc, r.TestLoss = true, ev.Accuracy, ev.Loss
	}
	if r.Status == "" {
		switch {
		case !finite(r.TestLoss):
			r.Status = fmt.Sprintf("diverged (test loss %v)", r.TestLoss)
		case r.TestAcc < w.target:
			r.Status = fmt.Sprintf("below %g%%", 100*w.target)
		default:
			r.Status = "ok"
		}
	}
	return r
}
