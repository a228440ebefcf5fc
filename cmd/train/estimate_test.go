package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestGradEstimators trains with every estimator on the synthetic data
// and checks the new metrics: a descent direction for every estimator
// (positive mean cosine), exactly 1 for backprop, a step memory and a
// peak heap, and determinism for a fixed seed.
func TestGradEstimators(t *testing.T) {
	dir := synthData(t, 512, 200)
	tmp := t.TempDir()
	for _, g := range []string{"backprop", "fg", "fg-activity", "fg-local", "dfa"} {
		t.Run(g, func(t *testing.T) {
			m1, m2 := filepath.Join(tmp, g+"1.jsonl"), filepath.Join(tmp, g+"2.jsonl")
			common := []string{"-data", dir, "-hidden", "32", "-epochs", "2", "-batch", "32", "-progress", "none",
				"-threads", "1", "-grad", g, "-tangents", "2", "-cosine-every", "4"}
			runOK(t, append(common, "-metrics", m1)...)
			runOK(t, append(common, "-metrics", m2)...)
			a, b := readMetrics(t, m1), readMetrics(t, m2)
			if len(a) != 2 || len(b) != 2 {
				t.Fatalf("want 2 metrics lines, got %d and %d", len(a), len(b))
			}
			for i := range a {
				if !sameTraining(a[i], b[i]) || a[i].Cosine != b[i].Cosine {
					t.Errorf("epoch %d differs between identical runs: %+v vs %+v", i+1, a[i], b[i])
				}
				if a[i].Grad != g || a[i].StepMiB <= 0 || a[i].PeakHeapMiB <= 0 {
					t.Errorf("epoch %d: grad %q step_mib %v peak_heap_mib %v", i+1, a[i].Grad, a[i].StepMiB, a[i].PeakHeapMiB)
				}
				if !(a[i].Cosine > 0 && a[i].Cosine <= 1+1e-6) || (g == "backprop" && a[i].Cosine < 1-1e-6) {
					t.Errorf("epoch %d: mean cosine %v", i+1, a[i].Cosine)
				}
			}
		})
	}
}

// TestGradFlagErrors checks the new flags' errors.
func TestGradFlagErrors(t *testing.T) {
	dir := synthData(t, 64, 20)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-grad", "nope"}, "-grad \"nope\": want one of backprop, fg, fg-activity, fg-local, dfa"},
		{[]string{"-tangents", "0"}, "-tangents 0: must be at least 1"},
		{[]string{"-cosine-every", "-1"}, "-cosine-every -1: must not be negative"},
		{[]string{"-grad", "dfa", "-model", "cnn"}, "-grad dfa: fgrad: dfa: layer 0 is a *nn.Conv2d"},
		{[]string{"-grad", "fg", "-resume", "x.safetensors"}, "-resume: supported with -grad backprop only"},
		{[]string{"-compare", "fg,fg"}, "-compare: fg is listed twice"},
		{[]string{"-compare", "fg,bp"}, "-compare: -grad \"bp\""},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"-data", dir, "-progress", "none", "-epochs", "1"}, c.args...), &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr.String(), c.want)
		}
	}
}
