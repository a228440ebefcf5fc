package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// config is the parsed command line.
type config struct {
	model    string // mlp or cnn
	hidden   []int  // MLP hidden widths
	dataset  string // mnist or fashion
	dataDir  string
	opt      string
	optArgs  map[string]string
	lr       float64
	wd       float64
	epochs   int
	batch    int
	seed     uint64
	threads  int
	limit    int
	metrics  string
	save     string
	resume   string
	cpu      string
	progress string // auto, bar, plain, none
	cpuprof  string

	grad        string // gradient estimator (fgrad.Names)
	tangents    int    // K for fg and fg-activity
	cosineEvery int    // measure the cosine to the true gradient every N steps (0: never)
	compare     string // comma-separated estimators to compare; "" trains once
	compareOut  string // markdown table of -compare; the PNGs go next to it
	lrSet       bool   // -lr was given
	wdSet       bool   // -wd was given
	optSet      bool   // -opt was given
	kSet        bool   // -tangents was given
	argsSet     bool   // -opt-args was given

	onEpoch func(epochMetrics) // called after each epoch (-compare collects them)
}

// workload defaults: W1 (mlp) and W2 (cnn) of the reference benchmarks.
var workloadDefaults = map[string]struct {
	batch int
	lr    float64
}{
	"mlp": {batch: 128, lr: 1e-3},
	"cnn": {batch: 64, lr: 1e-3},
}

// errHelp is returned when -h or -help was asked for.
var errHelp = errors.New("help requested")

// parseFlags parses args (without the program name). Errors name the flag.
func parseFlags(args []string, usageOut io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(usageOut)
	fs.StringVar(&c.model, "model", "mlp", "model: mlp (W1: 784-hidden-10 with ReLU) or cnn (W2: the PyTorch MNIST example CNN)")
	hidden := fs.String("hidden", "256,256", "MLP hidden layer widths, comma-separated")
	fs.StringVar(&c.dataset, "dataset", "mnist", "data set: mnist or fashion")
	fs.StringVar(&c.dataDir, "data", "", "directory holding the four IDX files (default: $GOGRAD_DATA, then the MNIST Go module or Debian's Fashion-MNIST package)")
	fs.StringVar(&c.opt, "opt", "adam", "optimizer name (-opt list prints them)")
	optArgs := fs.String("opt-args", "", "optimizer hyperparameters as key=value,key=value")
	fs.Float64Var(&c.lr, "lr", 0, "learning rate (default 1e-3 for both workloads)")
	fs.Float64Var(&c.wd, "wd", 0, "weight decay")
	fs.IntVar(&c.epochs, "epochs", 3, "number of epochs")
	fs.IntVar(&c.batch, "batch", 0, "batch size (default 128 for mlp, 64 for cnn)")
	seed := fs.String("seed", "1", "random seed for initialisation and shuffling")
	fs.IntVar(&c.threads, "threads", 0, "goroutines for matrix products (default: GOMAXPROCS)")
	fs.IntVar(&c.limit, "limit", 0, "train on the first N training images only (0: all)")
	fs.StringVar(&c.metrics, "metrics", "", "write one JSON object per epoch to this file")
	fs.StringVar(&c.save, "save", "", "write a checkpoint (safetensors) here after every epoch")
	fs.StringVar(&c.resume, "resume", "", "continue from this checkpoint")
	fs.StringVar(&c.cpu, "cpu", "", "cap the kernels' CPU level: generic, avx2 or avx512 (default: $GOGRAD_CPU, then the best available)")
	fs.StringVar(&c.progress, "progress", "auto", "progress display: auto (a bar on a terminal), bar, plain or none")
	fs.StringVar(&c.cpuprof, "cpuprofile", "", "write a CPU profile of the training to this file (go tool pprof)")
	fs.StringVar(&c.grad, "grad", "backprop", "gradient estimator: backprop, fg, fg-activity, fg-local or dfa (each has its own default -opt and -lr)")
	fs.IntVar(&c.tangents, "tangents", 1, "random tangents K per step for -grad fg and fg-activity (default: the estimator's)")
	fs.IntVar(&c.cosineEvery, "cosine-every", 0, "every N steps, measure the cosine between the estimate and the true gradient (0: never)")
	fs.StringVar(&c.compare, "compare", "", "train each of these comma-separated estimators on the same seed and batches and write a table and plots")
	fs.StringVar(&c.compareOut, "compare-out", "compare.md", "markdown table of -compare; compare_acc_epoch.png and compare_acc_time.png go next to it")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags start with -)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	switch c.model {
	case "mlp", "cnn":
	default:
		return nil, fmt.Errorf("-model %q: want mlp or cnn", c.model)
	}
	if c.model == "cnn" && set["hidden"] {
		return nil, fmt.Errorf("-hidden applies to -model mlp only")
	}
	var err error
	if c.hidden, err = parseInts(*hidden); err != nil {
		return nil, fmt.Errorf("-hidden %q: %v", *hidden, err)
	}
	switch c.dataset {
	case "mnist", "fashion":
	default:
		return nil, fmt.Errorf("-dataset %q: want mnist or fashion", c.dataset)
	}
	if c.optArgs, err = parseKeyValues(*optArgs); err != nil {
		return nil, fmt.Errorf("-opt-args %q: %v", *optArgs, err)
	}
	d := workloadDefaults[c.model]
	c.lrSet, c.optSet, c.kSet, c.wdSet = set["lr"], set["opt"], set["tangents"], set["wd"]
	c.argsSet = set["opt-args"]
	if !set["lr"] {
		c.lr = d.lr
	}
	if err := checkGrad(c.grad, c.tangents); err != nil {
		return nil, err
	}
	if c.cosineEvery < 0 {
		return nil, fmt.Errorf("-cosine-every %d: must not be negative", c.cosineEvery)
	}
	if c.grad != "backprop" {
		gd := gradDefaults[c.grad]
		if !set["lr"] {
			c.lr = gd.lr
		}
		if !set["opt"] {
			c.opt = gd.opt
			if !set["opt-args"] && gd.args != nil {
				c.optArgs = gd.args
			}
		}
		if !set["tangents"] {
			c.tangents = gd.k
		}
	}
	if !set["batch"] {
		c.batch = d.batch
	}
	if c.lr <= 0 {
		return nil, fmt.Errorf("-lr %v: must be positive", c.lr)
	}
	if c.wd < 0 {
		return nil, fmt.Errorf("-wd %v: must not be negative", c.wd)
	}
	if c.epochs < 1 {
		return nil, fmt.Errorf("-epochs %d: must be at least 1", c.epochs)
	}
	if c.batch < 1 {
		return nil, fmt.Errorf("-batch %d: must be at least 1", c.batch)
	}
	if c.seed, err = strconv.ParseUint(*seed, 10, 64); err != nil {
		return nil, fmt.Errorf("-seed %q: want a non-negative integer", *seed)
	}
	if c.threads < 0 {
		return nil, fmt.Errorf("-threads %d: must not be negative", c.threads)
	}
	if c.limit < 0 {
		return nil, fmt.Errorf("-limit %d: must not be negative", c.limit)
	}
	switch c.progress {
	case "auto", "bar", "plain", "none":
	default:
		return nil, fmt.Errorf("-progress %q: want auto, bar, plain or none", c.progress)
	}
	return c, nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive width", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseKeyValues(s string) (map[string]string, error) {
	m := map[string]string{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		k, v, ok := strings.Cut(f, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%q is not key=value", f)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("%q is given twice", k)
		}
		m[k] = v
	}
	return m, nil
}
