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
// (Step/<case>-chain/<n>) are listed after the fused ones.
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
	n := flag.Int("n", 1000000, "the parameter size whose rows are tabulated")
	limit := flag.Float64("limit", 1.5, "rows above this ratio to adam are marked")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *n, *limit); err != nil {
		fmt.Fprintln(os.Stderr, "steptable:", err)
		os.Exit(1)
	}
}

// parse collects the ns/param samples of every BenchmarkStep/<case>/<n>
// line, in first-seen order of the cases.
func parse(r io.Reader, n int) (order []string, samples map[string][]float64, err error) {
	samples = map[string][]float64{}
	sc := bufio.NewScanner(r)
	suffix := "/" + strconv.Itoa(n)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkStep/") {
			continue
		}
		name := strings.TrimPrefix(f[0], "BenchmarkStep/")
		if i := strings.LastIndexByte(name, '-'); i > strings.LastIndexByte(name, '/') {
			name = name[:i] // the -GOMAXPROCS suffix
		}
		if !strings.HasSuffix(name, suffix) {
			continue
		}
		name = strings.TrimSuffix(name, suffix)
		for i := 1; i+1 < len(f); i++ {
			if f[i+1] != "ns/param" {
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

func run(r io.Reader, w io.Writer, n int, limit float64) error {
	order, samples, err := parse(r, n)
	if err != nil {
		return err
	}
	adam, ok := samples["adam"]
	if !ok {
		return fmt.Errorf("no Step/adam/%d rows in the input", n)
	}
	base := median(adam)
	var fused, chains []string
	for _, c := range order {
		if strings.HasSuffix(c, "-chain") {
			chains = append(chains, c)
		} else {
			fused = append(fused, c)
		}
	}
	fmt.Fprintf(w, "| case | runs | ns/param (min–max) | median / adam's |\n|---|---:|---|---:|\n")
	for _, c := range append(fused, chains...) {
		xs := samples[c]
		ratio := median(xs) / base
		mark := ""
		if ratio > limit {
			mark = " (over)"
		}
		fmt.Fprintf(w, "| %s | %d | %.3f–%.3f | %.2f%s |\n", c, len(xs), slices.Min(xs), slices.Max(xs), ratio, mark)
	}
	return nil
}
