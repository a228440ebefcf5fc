package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/data"
	"github.com/gograd/gograd/optim"
)

// config holds the command line.
type config struct {
	epochs     int
	epochsFor  map[string]int               // per-method epochs (-epochs-for)
	optArgs    map[string]map[string]string // per-method optimizer arguments (-args)
	limit      int
	methods    []string
	out        string
	evalEvery  int
	subset     int
	timeout    float64
	threads    int
	seed       uint64
	dataDir    string
	target     float64
	args       []string // the command line, for the report
	readmeName string
}

func main() {
	c, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "optimizers:", err)
		os.Exit(2)
	}
	if err := run(c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "optimizers:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line args; errors name the flag.
func parseFlags(args []string, errOut io.Writer) (*config, error) {
	fs := flag.NewFlagSet("optimizers", flag.ContinueOnError)
	fs.SetOutput(errOut)
	c := &config{args: args, readmeName: "README.md"}
	fs.IntVar(&c.epochs, "epochs", 3, "epochs per method")
	epochsFor := fs.String("epochs-for", "", "per-method epochs overriding -epochs, as name=N,name=N")
	fs.IntVar(&c.limit, "limit", 0, "train on the first N training images only (0: all)")
	methods := fs.String("methods", "", "comma-separated optimizers to run (default: all of optim.Names)")
	fs.StringVar(&c.out, "out", "benchmarks/optimizers", "directory for results.md, curves.csv, the PNGs and README.md")
	fs.IntVar(&c.evalEvery, "eval-every", 100, "steps between test-loss evaluations on the subset")
	fs.IntVar(&c.subset, "eval-subset", 2000, "test images (the first N) of the periodic test-loss evaluation")
	fs.Float64Var(&c.timeout, "timeout-per-method", 120, "skip a method whose epoch, estimated from its first steps, would take more than this many seconds (0: no limit)")
	fs.IntVar(&c.threads, "threads", 0, "goroutines for matrix products (0: GOMAXPROCS)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the initial weights and of the batch order")
	fs.StringVar(&c.dataDir, "data", "", "directory holding the MNIST IDX files (default: $GOGRAD_DATA, then the GoMNIST module)")
	fs.Float64Var(&c.target, "target", 0.96, "test accuracy below which a method's status is \"below\"")
	c.optArgs = map[string]map[string]string{}
	fs.Func("args", "optimizer arguments overriding a method's defaults, as name:k=v,k=v (repeatable; wrappers' base_args separate with ';')", c.setArgs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case c.epochs < 1:
		return nil, fmt.Errorf("-epochs %d: want at least 1", c.epochs)
	case c.limit < 0:
		return nil, fmt.Errorf("-limit %d: want 0 or more", c.limit)
	case c.evalEvery < 1:
		return nil, fmt.Errorf("-eval-every %d: want at least 1", c.evalEvery)
	case c.subset < 1:
		return nil, fmt.Errorf("-eval-subset %d: want at least 1", c.subset)
	case !(c.timeout >= 0):
		return nil, fmt.Errorf("-timeout-per-method %v: want 0 or more", c.timeout)
	case c.threads < 0:
		return nil, fmt.Errorf("-threads %d: want 0 or more", c.threads)
	}
	names := optim.Names()
	if strings.TrimSpace(*methods) == "" {
		c.methods = names
	} else {
		for m := range strings.SplitSeq(*methods, ",") {
			m = strings.TrimSpace(m)
			if m == "" || slices.Contains(c.methods, m) {
				continue
			}
			if !slices.Contains(names, m) {
				return nil, fmt.Errorf("-methods: unknown optimizer %q (have %s)", m, strings.Join(names, ", "))
			}
			c.methods = append(c.methods, m)
		}
	}
	kv, err := optim.ParseArgs(*epochsFor)
	if err != nil {
		return nil, fmt.Errorf("-epochs-for: %v", err)
	}
	c.epochsFor = map[string]int{}
	for k, v := range kv {
		if !slices.Contains(names, k) {
			return nil, fmt.Errorf("-epochs-for: unknown optimizer %q", k)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-epochs-for %s=%s: want a positive integer", k, v)
		}
		c.epochsFor[k] = n
	}
	return c, nil
}

// setArgs parses one -args value, "name:k=v,k=v", checking the name
// and every key against optim's registry.
func (c *config) setArgs(s string) error {
	name, list, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("%q: want name:k=v,k=v", s)
	}
	defaults, err := optim.Defaults(name)
	if err != nil {
		return err
	}
	if _, dup := c.optArgs[name]; dup {
		return fmt.Errorf("%s given twice", name)
	}
	kv, err := optim.ParseArgs(list)
	if err != nil {
		return err
	}
	for k := range kv {
		if _, ok := defaults[k]; !ok {
			return fmt.Errorf("%s: unknown argument %q", name, k)
		}
	}
	c.optArgs[name] = kv
	return nil
}

// argsText returns the -args overrides as "name (k=v, k=v); …" sorted by
// name and key, or "" when there are none.
func argsText(optArgs map[string]map[string]string) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(optArgs)) {
		kv := optArgs[name]
		var items []string
		for _, k := range slices.Sorted(maps.Keys(kv)) {
			items = append(items, k+"="+kv[k])
		}
		parts = append(parts, name+" ("+strings.Join(items, ", ")+")")
	}
	return strings.Join(parts, "; ")
}

// epochsOf returns the epochs method name trains for.
func (c *config) epochsOf(name string) int {
	if n, ok := c.epochsFor[name]; ok {
		return n
	}
	return c.epochs
}

// run trains every method of c in turn, rewriting the outputs after each.
func run(c *config, out io.Writer) error {
	if err := asm.EnvError(); err != nil {
		return err
	}
	if c.threads > 0 {
		asm.SetThreads(c.threads)
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	trainSet, testSet, err := data.Load("mnist", c.dataDir)
	if err != nil {
		return err
	}
	w := &workload{
		sizes: []int{trainSet.Features(), 256, 256, trainSet.Classes}, seed: c.seed,
		evalEvery: c.evalEvery, limit: c.timeout, target: c.target, log: out, args: c.optArgs,
	}
	if w.train, err = data.NewLoader(trainSet, data.Config{BatchSize: 128, Shuffle: true, Seed: c.seed, Limit: c.limit}); err != nil {
		return err
	}
	if w.test, err = data.NewLoader(testSet, data.Config{BatchSize: 1000}); err != nil {
		return err
	}
	sub := testSet.Head(c.subset)
	if w.subset, err = data.NewLoader(sub, data.Config{BatchSize: 1000}); err != nil {
		return err
	}
	env := newEnvironment(c, w, sub.N)
	if u := unmapped(); len(u) > 0 {
		fmt.Fprintf(out, "note: no family for %s: listed as %q\n", strings.Join(u, ", "), familyOther)
	}
	fmt.Fprintf(out, "%s\n%s\n", env.workload, env.machine)
	var rs []result
	for i, name := range c.methods {
		fmt.Fprintf(out, "== %d/%d %s (%s), %d epochs\n", i+1, len(c.methods), name, familyOf(name), c.epochsOf(name))
		r := w.run(name, c.epochsOf(name))
		fmt.Fprintf(out, "== %s: %s, test acc %s, test loss %s, %s s/epoch, %s ms/step, state/param %s, objective %s\n",
			name, r.Status, accCell(&r), lossCell(&r), timeCell(r.Steps, r.secPerEpoch(), "%.1f"),
			timeCell(r.Steps, r.msPerStep(), "%.2f"), stateCell(&r), objectiveCell(&r))
		rs = append(rs, r)
		env.done, env.total = len(rs), len(c.methods)
		if err := writeOutputs(c, env, rs); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\n%s", formatTable(sorted(rs)))
	fmt.Fprintf(out, "wrote %s\n", c.out)
	return nil
}

// sorted returns a sorted copy of rs.
func sorted(rs []result) []result {
	s := slices.Clone(rs)
	sortResults(s)
	return s
}

// environment describes the run for the report.
type environment struct {
	workload, machine string
	start             time.Time
	loadStart         string
	done, total       int
	testN             int // images in the full test set
}

func newEnvironment(c *config, w *workload, subsetN int) *environment {
	e := &environment{start: time.Now(), loadStart: loadAverage(), testN: w.test.Samples()}
	overrides := ""
	if a := argsText(c.optArgs); a != "" {
		overrides = ", except for the arguments given with -args: " + a
	}
	e.workload = fmt.Sprintf("Workload W1: MLP %s with ReLU, batch 128, MNIST scaled to [0, 1] (%d training images, %d steps an epoch), seed %d: "+
		"the same initial weights and batches for every method, each optimizer at its registry defaults (optim.New(name, params, 0, -1, nil))%s. "+
		"Test loss on the first %d test images every %d steps (plots), on all %d at the end of each epoch (table).",
		joinInts(w.sizes, "-"), w.train.Samples(), w.train.Len(), c.seed, overrides, subsetN, c.evalEvery, w.test.Samples())
	e.machine = fmt.Sprintf("Machine: %s, %d logical CPUs, GOMAXPROCS %d, kernels %s, %d threads for Sgemm, %s %s/%s.",
		cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), asm.Active(), asm.Threads(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return e
}

func joinInts(xs []int, sep string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, sep)
}

// cpuModel returns the first "model name" of /proc/cpuinfo, or GOARCH.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}

// loadAverage returns the 1-minute load average of /proc/loadavg, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// writeOutputs writes results.md, curves.csv, one PNG per family and
// the README section from the results so far.
func writeOutputs(c *config, env *environment, rs []result) error {
	s := sorted(rs)
	var plots []string
	for _, f := range familyOrder {
		name := "loss_" + f + ".png"
		ok, err := plotFamily(s, f, fmt.Sprintf("first %d test images", c.subset), filepath.Join(c.out, name))
		if err != nil {
			return err
		}
		if ok {
			plots = append(plots, name)
		}
	}
	body := report(c, env, s, plots)
	if err := os.WriteFile(filepath.Join(c.out, "results.md"), []byte("# Optimizer benchmark on W1\n\n"+body), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(c.out, "curves.csv"), []byte(curvesCSV(s)), 0o644); err != nil {
		return err
	}
	return updateReadme(filepath.Join(c.out, c.readmeName), body)
}

// report is the body shared by results.md and the README section.
func report(c *config, env *environment, rs []result, plots []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Written by `go run ./benchmarks/optimizers %s` on %s.\n\n", strings.Join(c.args, " "), env.start.Format("2006-01-02 15:04 MST"))
	if env.done < env.total {
		fmt.Fprintf(&b, "**Partial: %d of %d methods done.**\n\n", env.done, env.total)
	}
	fmt.Fprintf(&b, "%s\n\n%s 1-minute load average %s at the start, %s now, after %.1f minutes: "+
		"the machine is shared, so timings are noisy and comparable only roughly.\n\n",
		env.workload, env.machine, env.loadStart, loadAverage(), time.Since(env.start).Minutes())
	b.WriteString(formatTable(rs))
	fmt.Fprintf(&b, "\nColumns: epochs trained (a fraction when a run stopped early); test accuracy and loss on the %d test images "+
		"at the end of training; training seconds per epoch and milliseconds per step (forward, backward and optimizer step, "+
		"including the objective evaluations the optimizer makes; evaluations excluded); state/param = floats in Optimizer.State "+
		"without its scalar entries, divided by the %d model parameters (buffers outside State, e.g. tape memory of extra passes, "+
		"are not counted); objective = whether the optimizer needs StepWith, with its calls per step (grad: forward+backward, "+
		"hvp: Hessian-vector product, loss: forward, sampled: gradient against sampled labels, sub-batch grad: gradients over parts of the batch in whole-batch equivalents, "+
		"full grad: gradients over the whole training set, in chunks of %d), beyond the step's own gradient; "+
		"status: ok, below %g%% test accuracy, diverged (a non-finite training loss stops the method), skipped when the epoch time "+
		"estimated from steps 2–%d exceeds %g s, stopped when an epoch passes twice that, or the constructor's error.\n",
		env.testN, paramsOf(rs), fullChunk, 100*c.target, probeSteps+1, c.timeout)
	if len(plots) > 0 {
		b.WriteString("\n")
		for _, p := range plots {
			fmt.Fprintf(&b, "![%s](%s)\n", strings.TrimSuffix(strings.TrimPrefix(p, "loss_"), ".png"), p)
		}
	}
	return b.String()
}

// paramsOf returns the model's parameter count from the results.
func paramsOf(rs []result) int {
	for _, r := range rs {
		if r.Params > 0 {
			return r.Params
		}
	}
	return 0
}

// curvesCSV returns every result's subset test-loss curve as CSV.
func curvesCSV(rs []result) string {
	var b strings.Builder
	b.WriteString("method,family,step,test_loss_subset\n")
	for _, r := range rs {
		for _, p := range r.Curve {
			fmt.Fprintf(&b, "%s,%s,%d,%g\n", r.Name, r.Family, p.Step, p.Loss)
		}
	}
	return b.String()
}

// README markers: updateReadme replaces what lies between them.
const (
	readmeBegin = "<!-- results:begin (written by the program; do not edit) -->"
	readmeEnd   = "<!-- results:end -->"
)

// updateReadme puts body between the result markers of the README at
// path, appending the markers if they are missing and creating the file
// if it does not exist.
func updateReadme(path, body string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return os.WriteFile(path, []byte(spliceReadme(string(old), body)), 0o644)
}

// spliceReadme returns readme with body between its result markers.
func spliceReadme(readme, body string) string {
	section := readmeBegin + "\n" + body + readmeEnd + "\n"
	i := strings.Index(readme, readmeBegin)
	j := strings.Index(readme, readmeEnd)
	if i < 0 || j < i {
		if readme != "" && !strings.HasSuffix(readme, "\n") {
			readme += "\n"
		}
		return readme + "\n" + section
	}
	rest := readme[j+len(readmeEnd):]
	rest = strings.TrimPrefix(rest, "\n")
	return readme[:i] + section + rest
}
