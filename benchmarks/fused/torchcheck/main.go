// Command torchcheck compares gograd's fused optimizer kernels (package
// asm) with PyTorch 1.13 on the data torch_golden.py prints: three steps
// of Adam, Adam with L2, AdamW, AMSGrad, SGD (Nesterov, dampening) and
// Lion over 1000 random parameters, at every CPU level this machine
// supports. It prints, per case and level, the largest difference of each
// result in ulps of that result's largest magnitude, and exits with status
// 1 if any exceeds -maxulp.
//
//	/usr/bin/python3 benchmarks/fused/torch_golden.py | go run ./benchmarks/fused/torchcheck
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/gograd/gograd/asm"
)

type config struct {
	Kind        string  `json:"kind"`
	LR          float64 `json:"lr"`
	Beta1       float64 `json:"beta1"`
	Beta2       float64 `json:"beta2"`
	Eps         float64 `json:"eps"`
	WeightDecay float64 `json:"weight_decay"`
	Momentum    float64 `json:"momentum"`
	Dampening   float64 `json:"dampening"`
	Nesterov    bool    `json:"nesterov"`
}

type golden struct {
	Torch string    `json:"torch"`
	P0    []int32   `json:"p0"`
	Grads [][]int32 `json:"grads"`
	Cases []struct {
		Name   string             `json:"name"`
		Config config             `json:"config"`
		P      []int32            `json:"p"`
		State  map[string][]int32 `json:"state"`
	} `json:"cases"`
}

func floats(b []int32) []float32 {
	s := make([]float32, len(b))
	for i, x := range b {
		s[i] = math.Float32frombits(uint32(x))
	}
	return s
}

// ulps returns the largest |a[i]−b[i]| in units of the last place of
// max_j |b[j]|, the largest reference value: a normwise measure, since
// elementwise ulps blow up where a moment nearly cancels to zero
// (β·m + (1−β)·g with opposite signs), and there the absolute error, not
// the relative one, is what the rounding bounds.
func ulps(a, b []float32) float64 {
	var big float32
	for _, y := range b {
		big = max(big, float32(math.Abs(float64(y))))
	}
	ulp := float64(math.Nextafter32(big, float32(math.Inf(1))) - big)
	worst := 0.0
	for i := range a {
		if a[i] != b[i] {
			worst = math.Max(worst, math.Abs(float64(a[i])-float64(b[i]))/ulp)
		}
	}
	return worst
}

// run applies the case's optimizer for len(grads) steps and returns p and
// the named state slices.
func run(c config, p0 []float32, grads [][]float32) ([]float32, map[string][]float32) {
	n := len(p0)
	p := append([]float32(nil), p0...)
	m, v, w := make([]float32, n), make([]float32, n), make([]float32, n)
	for t, g := range grads {
		h := asm.AdamParams{LR: c.LR, Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, WeightDecay: c.WeightDecay, Step: t + 1}
		switch c.Kind {
		case "adam":
			asm.AdamStep(p, g, m, v, h)
		case "adamw":
			h.Decoupled = true
			asm.AdamStep(p, g, m, v, h)
		case "amsgrad":
			asm.AMSGradStep(p, g, m, v, w, h)
		case "sgd":
			asm.SGDStep(p, g, m, asm.SGDParams{LR: c.LR, Momentum: c.Momentum, Dampening: c.Dampening,
				WeightDecay: c.WeightDecay, Nesterov: c.Nesterov, FirstStep: t == 0})
		case "lion":
			asm.LionStep(p, g, m, asm.LionParams{LR: c.LR, Beta1: c.Beta1, Beta2: c.Beta2, WeightDecay: c.WeightDecay})
		default:
			panic("unknown kind " + c.Kind)
		}
	}
	switch c.Kind {
	case "sgd":
		return p, map[string][]float32{"buf": m}
	case "lion":
		return p, map[string][]float32{"m": m}
	case "amsgrad":
		return p, map[string][]float32{"m": m, "v": v, "vmax": w}
	}
	return p, map[string][]float32{"m": m, "v": v}
}

func main() {
	maxULP := flag.Float64("maxulp", 4, "fail if any result differs from torch by more ulps (of its largest magnitude)")
	flag.Parse()
	var gd golden
	if err := json.NewDecoder(os.Stdin).Decode(&gd); err != nil {
		fmt.Fprintln(os.Stderr, "torchcheck: reading torch_golden.py output:", err)
		os.Exit(2)
	}
	p0 := floats(gd.P0)
	grads := make([][]float32, len(gd.Grads))
	for i, g := range gd.Grads {
		grads[i] = floats(g)
	}
	fmt.Printf("torch %s, n = %d, %d steps; max difference in ulps of each result's largest magnitude\n", gd.Torch, len(p0), len(grads))
	fail := false
	for _, l := range asm.Supported() {
		asm.SetLevel(l)
		for _, c := range gd.Cases {
			p, st := run(c.Config, p0, grads)
			line := fmt.Sprintf("%-7s %-14s p %5.1f", l, c.Name, ulps(p, floats(c.P)))
			worst := ulps(p, floats(c.P))
			keys := make([]string, 0, len(c.State))
			for k := range c.State {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				u := ulps(st[k], floats(c.State[k]))
				worst = math.Max(worst, u)
				line += fmt.Sprintf("  %s %5.1f", k, u)
			}
			if worst > *maxULP {
				line += "  FAIL"
				fail = true
			}
			fmt.Println(line)
		}
	}
	if fail {
		os.Exit(1)
	}
}
