package main

import (
	"fmt"
	"runtime/metrics"
	"slices"
	"strings"
	"time"

	"github.com/gograd/gograd/fgrad"
	"github.com/gograd/gograd/nn"
	"github.com/gograd/gograd/tensor"
)

// gradDefault is the optimizer, learning rate and number of tangents an
// estimator trains with unless -opt, -lr and -tangents are given: the best
// found for the W1 MLP on MNIST over 10 epochs (README, "Forward
// gradients"). fg uses AdaGrad-norm, whose global step lr/√(b0² + Σ‖ĝ‖²)
// decays like 1/√t and so damps the estimate's heavy-tailed norm: with a
// constant SGD rate fg reached 84% and then diverged.
type gradDefault struct {
	opt  string
	lr   float64
	k    int
	args map[string]string // -opt-args
}

var gradDefaults = map[string]gradDefault{
	"backprop":    {"sgd", 0.1, 1, map[string]string{"momentum": "0.9"}}, // in -compare; single runs keep the W1 default, Adam 1e-3
	"fg":          {"adagrad-norm", 20, 24, nil},
	"fg-activity": {"adam", 1e-3, 16, nil},
	"fg-local":    {"adam", 1e-3, 1, nil},
	"dfa":         {"adam", 1e-3, 1, nil},
}

// gradient is the per-step gradient work of a session: which estimator
// fills the Grads, the cosine to the true gradient every so many steps,
// and the memory measurements.
type gradient struct {
	name  string
	cfg   fgrad.Config
	est   fgrad.Estimator // nil for backprop: the session's own tape step
	meter *fgrad.CosineMeter
	every int // -cosine-every; 0: never
	steps int

	cosSum  float64 // over the measured steps of the current epoch
	cosN    int
	meterS  float64 // seconds spent measuring cosines this epoch
	heap    heapPeak
	stepMiB float64 // heap a fresh estimator's first step needs
	measure bool    // stepMiB still to be measured
}

// setupGradient builds the estimator of -grad for the session's model and
// appends its own parameters (fg-local's heads) to s.params, before the
// optimizer is made.
func (s *session) setupGradient() error {
	c := s.c
	g := &gradient{name: c.grad, cfg: fgrad.Config{Tangents: c.tangents, Seed: c.seed}, every: c.cosineEvery, measure: true}
	g.heap.init()
	s.grad = g
	if c.cosineEvery > 0 {
		g.meter = fgrad.NewCosineMeter(s.model)
	}
	if c.grad == "backprop" {
		return nil
	}
	if c.resume != "" {
		return &flagError{fmt.Errorf("-resume: supported with -grad backprop only (the %s estimator's state is not in checkpoints)", c.grad)}
	}
	est, err := fgrad.New(c.grad, s.model, g.cfg)
	if err != nil {
		return &flagError{fmt.Errorf("-grad %s: %v", c.grad, err)}
	}
	g.est = est
	if a, ok := est.(fgrad.AuxTrainer); ok {
		s.params = append(slices.Clip(s.params), a.AuxParams()...)
	}
	return nil
}

// estimatedStep is trainStep for the estimators other than backprop: the
// estimate fills the Grads and the optimizer steps on them.
func (s *session) estimatedStep(x *tensor.Tensor, labels []int32) float32 {
	l := s.grad.est.Estimate(x, labels)
	s.grad.afterGradient(x, labels)
	s.opt.Step()
	s.opt.ZeroGrad()
	return l
}

// beforeStep measures, on the session's first batch, the heap that a
// fresh estimator of the same kind needs for one step (fgrad.StepMemory)
// after a warm-up step, then clears the Grads they left.
func (g *gradient) beforeStep(s *session, x *tensor.Tensor, labels []int32) {
	if !g.measure {
		return
	}
	g.measure = false
	fresh := func() fgrad.Estimator {
		if g.est == nil {
			return fgrad.NewBackprop(s.model)
		}
		e, err := fgrad.New(g.name, s.model, g.cfg)
		if err != nil {
			panic(err) // New already succeeded with the same arguments
		}
		return e
	}
	// A first estimator grows the shared sgemm workspace, so that the
	// measured one pays for its own buffers only (as TestStepMemory).
	fresh().Estimate(x, labels)
	g.stepMiB = float64(fgrad.StepMemory(fresh(), x, labels)) / (1 << 20)
	nn.ZeroGrad(s.model)
}

// afterGradient samples the cosine between the Grads and the true
// gradient when it is due (every -cosine-every steps, counted from 1).
func (g *gradient) afterGradient(x *tensor.Tensor, labels []int32) {
	g.steps++
	if g.meter == nil || g.steps%g.every != 0 {
		return
	}
	start := time.Now()
	g.cosSum += g.meter.Measure(x, labels)
	g.cosN++
	g.meterS += time.Since(start).Seconds()
}

// takeMeterSeconds returns the time the cosine measurements took since
// the last call: the epoch's training time excludes it.
func (g *gradient) takeMeterSeconds() float64 {
	s := g.meterS
	g.meterS = 0
	return s
}

// epochCosine returns the mean cosine of the epoch's measured steps (0 if
// none) and starts a new epoch.
func (g *gradient) epochCosine() float64 {
	var m float64
	if g.cosN > 0 {
		m = g.cosSum / float64(g.cosN)
	}
	g.cosSum, g.cosN = 0, 0
	return m
}

// heapPeak tracks the largest heap seen, from runtime/metrics'
// /memory/classes/heap/objects:bytes (live objects plus garbage not yet
// swept: the heap the process actually holds), sampled after every step.
// Reading one metric does not stop the world and allocates nothing.
type heapPeak struct {
	sample []metrics.Sample
	peak   uint64
}

func (h *heapPeak) init() {
	h.sample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	h.observe()
}

func (h *heapPeak) observe() {
	metrics.Read(h.sample)
	if v := h.sample[0].Value; v.Kind() == metrics.KindUint64 {
		h.peak = max(h.peak, v.Uint64())
	}
}

func (h *heapPeak) peakMiB() float64 { return float64(h.peak) / (1 << 20) }

// checkGradFlags validates -grad and -tangents and returns a flag error.
func checkGrad(grad string, tangents int) error {
	if !slices.Contains(fgrad.Names(), grad) {
		return fmt.Errorf("-grad %q: want one of %s", grad, strings.Join(fgrad.Names(), ", "))
	}
	if tangents < 1 {
		return fmt.Errorf("-tangents %d: must be at least 1", tangents)
	}
	return nil
}
