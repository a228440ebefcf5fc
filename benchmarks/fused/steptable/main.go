// Command steptable turns the output of optim's BenchmarkStep into a
// Markdown table of each fused step's cost against fused Adam's, the
// measure of the optimizer zoo's step-cost target (at most 1.5× fused
// Adam at n = 1e6):
//
//	go test -cpu 1 -run XXX -bench 'Step/.*/1000000$' -count 3 ./optim | tee step.txt
//	go run ./benchmarks/fused/steptable -n 1000000 < step.txt
//
// Each row gives a case's ns/param over the runs (min–max) and the ratio
// of its median to adam's median, from the same input. Chain rows
// (Step/<case>-chain/<n>) are listed after the fused ones. -bench, -base,
// -size and -metric select other benchmarks of the same form, e.g. optim's
// BenchmarkXGradStep (the objective-using methods) or BenchmarkFactoredStep
// (-size 1000x1000), and their thread-CPU metric cpu-ns/param.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

func main() {
	var c config
	flag.StringVar(&c.bench, "bench", "BenchmarkStep", "the benchmark whose sub-benchmarks <case>/<size> are read")
	flag.StringVar(&c.size, "size", "", "the size whose rows are tabulated (default: -n)")
	n := flag.Int("n", 1000000, "the parameter size whose rows are tabulated, if -size is empty")
	flag.StringVar(&c.base, "base", "adam", "the case the ratios are taken to")
	flag.StringVar(&c.metric, "metric", "ns/param", "the reported metric to tabulate")
	flag.Float64Var(&c.limit, "limit", 1.5, "rows above this ratio to the base are marked")
	flag.Parse()
	if c.size == "" {
		c.size = strconv.Itoa(*n)
	}
	if err := run(os.Stdin, os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, "steptable:", err)
		os.Exit(1)
	}
}

// config selects the rows and the columns of the table.
type config struct {
	bench, size, base, metric string
	limit                     float64
}

// parse collects the metric's samples of every <bench>/<case>/<size>
// line, in first-seen order of the cases.
func parse(r io.Reader, c config) (order []string, samples map[string][]float64, err error) {
	samples = map[string][]float64{}
	sc := bufio.NewScanner(r)
	suffix := "/" + c.size
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], c.bench+"/") {
			continue
		}
		name := strings.TrimPrefix(f[0], c.bench+"/")
		if i := strings.LastIndexByte(name, '-'); i > strings.LastIndexByte(name, '/') {
			name = name[:i] // the -GOMAXPROCS suffix
		}
		if !strings.HasSuffix(name, suffix) {
			continue
		}
		name = strings.TrimSuffix(name, suffix)
		for i := 1; i+1 < len(f); i++ {
			if f[i+1] != c.metric {
				continue
			}
			x, perr := strconv.ParseFloat(f[i], 64)
			if perr != nil {
				return nil, nil, fmt.Errorf("%q: %v", sc.Text(), perr)
			}
			if _, ok := samples[name]; !ok {
				order = append(order, name)
			}
			samples[name] = append(samples[name], x)
		}
	}
	return order, samples, sc.Err()
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func run(r io.Reader, w io.Writer, c config) error {
	order, samples, err := parse(r, c)
	if err != nil {
		return err
	}
	ref, ok := samples[c.base]
	if !ok {
		return fmt.Errorf("no %s/%s/%s rows with %s in the input", c.bench, c.base, c.size, c.metric)
	}
	base := median(ref)
	var fused, chains []string
	for _, name := range order {
		if strings.HasSuffix(name, "-chain") {
			chains = append(chains, name)
		} else {
			fused = append(fused, name)
		}
	}
	fmt.Fprintf(w, "| case | runs | %s (min–max) | median / %s's |\n|---|---:|---|---:|\n", c.metric, c.base)
	for _, name := range append(fused, chains...) {
		xs := samples[name]
		ratio := median(xs) / base
		mark := ""
		if ratio > c.limit {
			mark = " (over)"
		}
		fmt.Fprintf(w, "| %s | %d | %.3f–%.3f | %.2f%s |\n", name, len(xs), slices.Min(xs), slices.Max(xs), ratio, mark)
	}
	return nil
}
