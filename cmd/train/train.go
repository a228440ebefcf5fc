package main

import (
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
	"github.com/gograd/gograd/data"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/optim"
	"github.com/gograd/gograd/tensor"
)

// listOptimizers prints every optimizer with its default arguments.
func listOptimizers(w io.Writer) error {
	for _, name := range optim.Names() {
		d, err := optim.Defaults(name)
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(d))
		for k := range d {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + d[k]
		}
		fmt.Fprintf(w, "%-10s %s\n", name, strings.Join(parts, ","))
	}
	return nil
}

// run state shared by the epochs.
type session struct {
	c        *config
	out      io.Writer
	model    nn.Module
	params   []*autodiff.Var
	opt      *optim.Optimizer
	train    *data.Loader
	test     *data.Loader
	shape    func(n int) []int // input shape of a batch of n
	start    int               // first epoch to run (0-based)
	metrics  *metricsWriter
	tape     *autodiff.Tape
	obj      *fullObjective // for optimizers that re-evaluate the objective; nil otherwise
	stepErr  error          // set when the optimizer's step panicked
	features int
	grad     *gradient // -grad: the estimator, cosine and memory measurements
}

// train runs the whole training session described by c, or the
// comparison of -compare.
func train(c *config, out io.Writer) error {
	if c.compare != "" {
		return runCompare(c, out)
	}
	if !slices.Contains(optim.Names(), c.opt) {
		return &flagError{fmt.Errorf("-opt %q: unknown optimizer (have %s; -opt list shows their arguments)", c.opt, strings.Join(optim.Names(), ", "))}
	}
	if err := setupCPU(c, out); err != nil {
		return err
	}
	s, err := newSession(c, out)
	if err != nil {
		return err
	}
	defer s.metrics.close()
	if c.cpuprof != "" {
		f, err := os.Create(c.cpuprof)
		if err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("-cpuprofile %s: %w", c.cpuprof, err)
		}
		defer pprof.StopCPUProfile()
	}
	var last epochMetrics
	for e := s.start; e < c.epochs; e++ {
		passes := s.fullPasses()
		m, err := s.epoch(e)
		if err != nil {
			return err
		}
		last = m
		if c.onEpoch != nil {
			c.onEpoch(m)
		}
		fmt.Fprintf(out, "epoch %d/%d  train_loss %.4f  test_loss %.4f  test_acc %.2f%%  %.2fs (%.2f ms/step, %.0f samples/s)\n",
			m.Epoch, c.epochs, m.TrainLoss, m.TestLoss, 100*m.TestAcc, m.Seconds, m.MsPerStep, m.SamplesPerSec)
		if n := s.fullPasses() - passes; n > 0 {
			fmt.Fprintf(out, "  %d full-gradient passes over the training set in the epoch (counted in its time)\n", n)
		}
		if err := s.metrics.write(m); err != nil {
			return err
		}
		if c.save != "" {
			if err := s.save(c.save, e+1); err != nil {
				return err
			}
		}
	}
	if s.start >= c.epochs {
		fmt.Fprintf(out, "checkpoint already at epoch %d of %d: nothing to train\n", s.start, c.epochs)
		return s.metrics.close()
	}
	fmt.Fprintf(out, "done: %s on %s, %d epochs, test accuracy %.2f%%, peak RSS %.0f MiB\n",
		c.model, c.dataset, c.epochs, 100*last.TestAcc, last.PeakRSSMiB)
	return s.metrics.close()
}

// setupCPU applies -cpu and -threads and prints the kernel level.
func setupCPU(c *config, out io.Writer) error {
	if err := asm.EnvError(); err != nil {
		return &flagError{err}
	}
	if c.cpu != "" {
		l, err := asm.ParseLevel(c.cpu)
		if err != nil {
			return &flagError{fmt.Errorf("-cpu: %v", err)}
		}
		asm.SetLevel(l)
	}
	if c.threads > 0 {
		asm.SetThreads(c.threads)
	}
	fmt.Fprintf(out, "gograd: kernels %s (detected %s), %d threads, %s/%s\n",
		asm.Active(), asm.Detected(), asm.Threads(), runtime.GOOS, runtime.GOARCH)
	return nil
}

func newSession(c *config, out io.Writer) (*session, error) {
	trainSet, testSet, err := data.Load(c.dataset, c.dataDir)
	if err != nil {
		return nil, err
	}
	s := &session{c: c, out: out, tape: autodiff.NewTape(), features: trainSet.Features()}
	s.train, err = data.NewLoader(trainSet, data.Config{BatchSize: c.batch, Shuffle: true, Seed: c.seed, Limit: c.limit})
	if err != nil {
		return nil, &flagError{fmt.Errorf("-batch/-limit: %v", err)}
	}
	// Evaluation batches: large for the MLP (fewer, bigger products),
	// smaller for the CNN, whose activations take about 1 MB a sample.
	evalBatch := 1000
	if c.model == "cnn" {
		evalBatch = 100
	}
	s.test, err = data.NewLoader(testSet, data.Config{BatchSize: evalBatch})
	if err != nil {
		return nil, err
	}
	rng := tensor.NewRNG(c.seed)
	switch c.model {
	case "mlp":
		sizes := append([]int{s.features}, c.hidden...)
		sizes = append(sizes, trainSet.Classes)
		s.model = nn.MLP(sizes, rng)
		s.shape = func(n int) []int { return []int{n, s.features} }
	case "cnn":
		if trainSet.Rows != 28 || trainSet.Cols != 28 {
			return nil, fmt.Errorf("-model cnn needs 28×28 images, %s has %d×%d", trainSet.Name, trainSet.Rows, trainSet.Cols)
		}
		s.model = nn.MNISTCNN(rng)
		s.shape = func(n int) []int { return []int{n, 1, trainSet.Rows, trainSet.Cols} }
	}
	s.params = nn.Parameters(s.model)
	if err := s.setupGradient(); err != nil {
		return nil, err
	}
	// An optimizer picked with -opt runs at its own defaults unless -lr or
	// -wd say otherwise; the workload's default optimizer (Adam) takes the
	// workload's learning rate.
	lr, wd := float32(0), float32(-1)
	if c.lrSet || !c.optSet {
		lr = float32(c.lr)
	}
	if c.wdSet {
		wd = float32(c.wd)
	}
	s.opt, err = optim.New(c.opt, s.params, lr, wd, c.optArgs)
	if err != nil {
		return nil, &flagError{fmt.Errorf("-opt %s: %v", c.opt, err)}
	}
	if s.opt.NeedsObjective() && s.grad.est != nil {
		return nil, &flagError{fmt.Errorf("-opt %s re-evaluates the objective: use it with -grad backprop", c.opt)}
	}
	if s.opt.NeedsObjective() {
		if err := s.setupObjective(trainSet, evalBatch); err != nil {
			return nil, err
		}
	}
	if c.resume != "" {
		if s.start, err = s.load(c.resume); err != nil {
			return nil, err
		}
	}
	if s.metrics, err = openMetrics(c.metrics, c.resume != ""); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "model %s (%d parameters), %s: %d training and %d test images, optimizer %s lr %g, batch %d\n",
		c.model, nn.NumParams(s.model), c.dataset, s.train.Samples(), testSet.N, s.opt.Name(), s.opt.LR(), c.batch)
	return s, nil
}

// setupObjective builds the objective of an optimizer that re-evaluates
// it: the minibatch objective with the training set (the same samples as
// s.train, -limit included), so that it also gives the full gradient
// (optim.FullGradienter) to an optimizer that asks for it (AI-SARAH's
// outer loop); a pass runs only when asked. The pass reads its own
// unshuffled loader in chunks of chunk samples, so it never touches the
// training loader's buffers or epoch position.
func (s *session) setupObjective(trainSet *data.Dataset, chunk int) error {
	full, err := data.NewLoader(trainSet, data.Config{BatchSize: chunk, Limit: s.c.limit})
	if err != nil {
		return err
	}
	set := func(yield func(*tensor.Tensor, []int32) bool) {
		for b := range full.Batches(0) {
			if !yield(tensor.FromSlice(b.X[:b.Size*s.features], s.shape(b.Size)...), b.Labels[:b.Size]) {
				return
			}
		}
	}
	s.obj = &fullObjective{FullObjective: nn.NewFullObjective(nn.NewObjective(s.model, s.opt.Params()), set)}
	return nil
}

// fullPasses returns the full-gradient passes the optimizer has made.
func (s *session) fullPasses() int {
	if s.obj == nil {
		return 0
	}
	return s.obj.passes
}

// fullObjective is nn.FullObjective counting its full-gradient passes.
type fullObjective struct {
	*nn.FullObjective
	passes int // FullGradient calls so far
}

var _ optim.FullGradienter = (*fullObjective)(nil)

func (f *fullObjective) FullGradient() float32 {
	f.passes++
	return f.FullObjective.FullGradient()
}

// epoch trains epoch e (0-based) and evaluates on the test set.
func (s *session) epoch(e int) (epochMetrics, error) {
	steps := s.train.Len()
	bar := newProgress(s.c.progress, s.out, e+1, s.c.epochs, steps)
	var lossSum float64
	samples, step := 0, 0
	start := time.Now()
	for b := range s.train.Batches(e) {
		x := tensor.FromSlice(b.X[:b.Size*s.features], s.shape(b.Size)...)
		l := float64(s.trainStep(x, b.Labels[:b.Size]))
		if s.stepErr != nil {
			return epochMetrics{}, s.stepErr
		}
		s.grad.heap.observe()
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return epochMetrics{}, fmt.Errorf("epoch %d step %d: loss is %v (lower -lr?)", e+1, step+1, l)
		}
		lossSum += l * float64(b.Size)
		samples += b.Size
		step++
		bar.step(step, lossSum/float64(samples), samples)
	}
	elapsed := time.Since(start).Seconds() - s.grad.takeMeterSeconds()
	bar.finish()
	ev := nn.Evaluate(s.model, s.testBatches())
	return epochMetrics{
		Epoch:         e + 1,
		TrainLoss:     lossSum / float64(max(samples, 1)),
		TestLoss:      ev.Loss,
		TestAcc:       ev.Accuracy,
		Seconds:       elapsed,
		MsPerStep:     1000 * elapsed / float64(max(step, 1)),
		SamplesPerSec: float64(samples) / elapsed,
		Steps:         step,
		PeakRSSMiB:    peakRSSMiB(),
		PeakHeapMiB:   s.grad.heap.peakMiB(),
		StepMiB:       s.grad.stepMiB,
		Cosine:        s.grad.epochCosine(),
		Grad:          s.c.grad,
	}, nil
}

// trainStep runs one optimization step on a batch (x shaped for the
// model, with its labels) and returns the batch's loss before the step.
func (s *session) trainStep(x *tensor.Tensor, labels []int32) float32 {
	s.grad.beforeStep(s, x, labels)
	if s.grad.est != nil {
		return s.estimatedStep(x, labels)
	}
	loss := nn.CrossEntropyLoss(s.model.Forward(s.tape.Input(x)), labels)
	s.tape.Backward(loss)
	s.grad.afterGradient(x, labels)
	l := loss.Item()
	s.tape.Reset()
	s.optimizerStep(x, labels)
	s.opt.ZeroGrad()
	return l
}

// optimizerStep updates the parameters from their gradients. An optimizer
// that finds at its first step that it cannot handle this model (EGN's
// Jacobian or lazy Newton's Hessian would not fit) panics; that becomes
// s.stepErr, reported as a one-line error naming -opt.
func (s *session) optimizerStep(x *tensor.Tensor, labels []int32) {
	defer func() {
		if r := recover(); r != nil {
			s.stepErr = &flagError{fmt.Errorf("-opt %s: %v", s.c.opt, r)}
		}
	}()
	if s.obj != nil {
		s.obj.SetBatch(x, labels)
		s.opt.StepWith(s.obj)
	} else {
		s.opt.Step()
	}
}

// testBatches yields the test set in the model's input shape.
func (s *session) testBatches() iter.Seq2[*tensor.Tensor, []int32] {
	return func(yield func(*tensor.Tensor, []int32) bool) {
		for b := range s.test.Batches(0) {
			x := tensor.FromSlice(b.X[:b.Size*s.features], s.shape(b.Size)...)
			if !yield(x, b.Labels[:b.Size]) {
				return
			}
		}
	}
}
