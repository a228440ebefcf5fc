package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/gograd/gograd/asm"
)

// modeRun is one estimator's training run in a comparison.
type modeRun struct {
	grad, opt string
	args      map[string]string
	lr        float64
	tangents  int
	epochs    []epochMetrics
}

// runCompare trains every estimator of -compare in turn, each with the
// same flags (so the same seed, initial weights and batch order) and its
// own default optimizer and learning rate unless -opt or -lr are given,
// then writes the markdown table of -compare-out and two PNG plots next
// to it.
func runCompare(c *config, out io.Writer) error {
	var modes []string
	for _, m := range strings.Split(c.compare, ",") {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if err := checkGrad(m, c.tangents); err != nil {
			return &flagError{fmt.Errorf("-compare: %v", err)}
		}
		if slices.Contains(modes, m) {
			return &flagError{fmt.Errorf("-compare: %s is listed twice", m)}
		}
		modes = append(modes, m)
	}
	if len(modes) == 0 {
		return &flagError{fmt.Errorf("-compare %q: no estimator", c.compare)}
	}
	if c.save != "" || c.resume != "" {
		return &flagError{fmt.Errorf("-compare: -save and -resume apply to single runs")}
	}
	var runs []modeRun
	for _, m := range modes {
		cc := *c
		cc.compare, cc.grad = "", m
		if !c.lrSet {
			cc.lr = gradDefaults[m].lr
		}
		if !c.optSet {
			cc.opt = gradDefaults[m].opt
			if !c.argsSet {
				cc.optArgs = gradDefaults[m].args
			}
		}
		if !c.kSet {
			cc.tangents = gradDefaults[m].k
		}
		if c.metrics != "" {
			ext := filepath.Ext(c.metrics)
			cc.metrics = strings.TrimSuffix(c.metrics, ext) + "_" + m + ext
		}
		run := modeRun{grad: m, opt: cc.opt, args: cc.optArgs, lr: cc.lr, tangents: cc.tangents}
		cc.onEpoch = func(e epochMetrics) { run.epochs = append(run.epochs, e) }
		args := ""
		if len(cc.optArgs) > 0 {
			args = " -opt-args " + formatArgs(cc.optArgs)
		}
		fmt.Fprintf(out, "== -grad %s -opt %s -lr %g%s -tangents %d\n", m, cc.opt, cc.lr, args, cc.tangents)
		runtime.GC() // the peak heap of this run must not count the last run's garbage
		if err := train(&cc, out); err != nil {
			return fmt.Errorf("-compare %s: %w", m, err)
		}
		runs = append(runs, run)
	}
	if err := writeCompareTable(c, runs); err != nil {
		return err
	}
	dir := filepath.Dir(c.compareOut)
	if err := plotAccuracy(runs, false, filepath.Join(dir, "compare_acc_epoch.png")); err != nil {
		return err
	}
	if err := plotAccuracy(runs, true, filepath.Join(dir, "compare_acc_time.png")); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s, compare_acc_epoch.png and compare_acc_time.png in %s\n", c.compareOut, dir)
	return nil
}

// summary returns a run's final test accuracy, mean seconds per epoch and
// ms per step, its step memory, peak heap and mean cosine (0 when not
// measured).
func (r *modeRun) summary() (acc, secs, ms, stepMiB, heapMiB, cos float64, cosOK bool) {
	n := len(r.epochs)
	var cosN int
	for _, e := range r.epochs {
		secs += e.Seconds
		ms += e.MsPerStep
		if e.Cosine != 0 {
			cos += e.Cosine
			cosN++
		}
		heapMiB = max(heapMiB, e.PeakHeapMiB)
	}
	last := r.epochs[n-1]
	if cosN > 0 {
		cos /= float64(cosN)
	}
	return last.TestAcc, secs / float64(n), ms / float64(n), last.StepMiB, heapMiB, cos, cosN > 0
}

// writeCompareTable writes the markdown table of a comparison.
func writeCompareTable(c *config, runs []modeRun) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Model %s %v on %s, %d epochs, batch %d, seed %d, kernels %s, %d threads, %s/%s.\n\n",
		c.model, c.hidden, c.dataset, c.epochs, c.batch, c.seed, asm.Active(), asm.Threads(), runtime.GOOS, runtime.GOARCH)
	b.WriteString("| estimator | optimizer | K | test acc | s/epoch | ms/step | step memory (MiB) | peak heap (MiB) | mean cosine |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for i := range runs {
		r := &runs[i]
		acc, secs, ms, stepMiB, heapMiB, cos, cosOK := r.summary()
		k := "–"
		if r.grad == "fg" || r.grad == "fg-activity" {
			k = fmt.Sprint(r.tangents)
		}
		cs := "–"
		if cosOK {
			cs = fmt.Sprintf("%.4f", cos)
		}
		opt := fmt.Sprintf("%s lr %g", r.opt, r.lr)
		if len(r.args) > 0 {
			opt += " " + formatArgs(r.args)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f%% | %.2f | %.3f | %.2f | %.0f | %s |\n",
			r.grad, opt, k, 100*acc, secs, ms, stepMiB, heapMiB, cs)
	}
	b.WriteString("\nStep memory: the heap one estimator step needs beyond the model and its Grads (buffers, tape arena), measured with the collector off on the first batch after a warm-up step (fgrad.StepMemory). Peak heap: the whole process, data set included, sampled after every step. ")
	if c.cosineEvery > 0 {
		fmt.Fprintf(&b, "Mean cosine: between the estimate and the backprop gradient on the same batch, every %d steps.\n", c.cosineEvery)
	} else {
		b.WriteString("Cosine not measured (-cosine-every 0).\n")
	}
	fmt.Fprintf(&b, "\n![test accuracy per epoch](compare_acc_epoch.png)\n![test accuracy against training time](compare_acc_time.png)\n")
	if err := os.WriteFile(c.compareOut, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("-compare-out: %w", err)
	}
	return nil
}

// formatArgs writes optimizer arguments as sorted key=value pairs.
func formatArgs(args map[string]string) string {
	keys := slices.Sorted(maps.Keys(args))
	for i, k := range keys {
		keys[i] = k + "=" + args[k]
	}
	return strings.Join(keys, ",")
}

// plotAccuracy draws test accuracy (%) against epoch, or against
// cumulative training seconds, one line per estimator.
func plotAccuracy(runs []modeRun, byTime bool, path string) error {
	p := plot.New()
	p.Title.Text = "MNIST test accuracy"
	p.X.Label.Text = "epoch"
	if byTime {
		p.X.Label.Text = "training time (s)"
	}
	p.Y.Label.Text = "test accuracy (%)"
	p.Legend.Top = false
	p.Legend.Left = false
	var lines []any
	for _, r := range runs {
		xys := make(plotter.XYs, 0, len(r.epochs)+1)
		var t float64
		for _, e := range r.epochs {
			t += e.Seconds
			x := float64(e.Epoch)
			if byTime {
				x = t
			}
			xys = append(xys, plotter.XY{X: x, Y: 100 * e.TestAcc})
		}
		lines = append(lines, r.grad, xys)
	}
	if err := plotutil.AddLinePoints(p, lines...); err != nil {
		return fmt.Errorf("-compare: plot: %w", err)
	}
	if byTime {
		p.X.Min = 0
	}
	p.Add(plotter.NewGrid())
	if err := p.Save(7*vg.Inch, 4.5*vg.Inch, path); err != nil {
		return fmt.Errorf("-compare: plot: %w", err)
	}
	return nil
}
