// Command e2e runs gograd's reference training workloads and, where
// /usr/bin/python3 has torch, the same workloads in PyTorch, in one run,
// and prints a markdown table: seconds per epoch, milliseconds per step,
// peak RSS, test accuracy and the ratio gograd/PyTorch.
//
//	go run ./benchmarks/e2e                        # W1 and W2, 1 and 2 threads, 1 epoch each
//	go run ./benchmarks/e2e -workloads w1 -epochs 3 -out benchmarks/e2e/latest.md
//
// Workloads (the defaults of cmd/train): W1 is the MLP 784-256-256-10 with
// Adam 1e-3 at batch 128, W2 the PyTorch MNIST example CNN without dropout
// with Adam 1e-3 at batch 64, both on the 60k MNIST training images scaled
// to [0,1]. PyTorch runs with OPENBLAS_CORETYPE=SkylakeX (OpenBLAS 0.3.21
// misdetects this CPU otherwise) and, with 2 threads, OMP_WAIT_POLICY=PASSIVE.
// Runs are sequential: never two at once.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type result struct {
	framework  string
	workload   string
	threads    int
	secPerEp   float64 // fastest epoch
	msPerStep  float64
	peakRSSMiB float64
	testAcc    float64 // after the last epoch
	epochs     int
	note       string
}

func main() {
	workloads := flag.String("workloads", "w1,w2", "comma-separated: w1 (MLP) and/or w2 (CNN)")
	threads := flag.String("threads", "1,2", "comma-separated thread counts")
	epochs := flag.Int("epochs", 1, "epochs per run (the table shows the fastest epoch and the final accuracy)")
	limit := flag.Int("limit", 0, "train on the first N images only (0: all)")
	python := flag.String("python", "/usr/bin/python3", "Python with torch; empty skips PyTorch")
	out := flag.String("out", "", "also write the table to this file")
	flag.Parse()
	if err := run(strings.Split(*workloads, ","), *threads, *epochs, *limit, *python, *out); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
}

func run(workloads []string, threadList string, epochs, limit int, python, out string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "gograd-e2e")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "train")
	build := exec.Command("go", "build", "-o", bin, "./cmd/train")
	build.Dir, build.Stderr = root, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building cmd/train: %w", err)
	}
	torch := python != "" && hasTorch(python)
	var results []result
	for _, w := range workloads {
		model := map[string]string{"w1": "mlp", "w2": "cnn"}[strings.TrimSpace(w)]
		if model == "" {
			return fmt.Errorf("-workloads: unknown workload %q (want w1 or w2)", w)
		}
		for _, ts := range strings.Split(threadList, ",") {
			th, err := strconv.Atoi(strings.TrimSpace(ts))
			if err != nil || th < 1 {
				return fmt.Errorf("-threads: bad count %q", ts)
			}
			r, err := runGograd(bin, tmp, model, th, epochs, limit)
			if err != nil {
				return err
			}
			r.workload = strings.ToUpper(w)
			results = append(results, r)
			fmt.Fprintf(os.Stderr, "%s gograd %d threads: %.2f s/epoch, acc %.4f\n", r.workload, th, r.secPerEp, r.testAcc)
			if torch {
				r, err := runTorch(python, root, model, th, epochs, limit)
				if err != nil {
					return err
				}
				r.workload = strings.ToUpper(w)
				results = append(results, r)
				fmt.Fprintf(os.Stderr, "%s pytorch %d threads: %.2f s/epoch, acc %.4f\n", r.workload, th, r.secPerEp, r.testAcc)
			}
		}
	}
	var buf bytes.Buffer
	writeTable(&buf, results, epochs, limit, torch)
	os.Stdout.Write(buf.Bytes())
	if out != "" {
		return os.WriteFile(out, buf.Bytes(), 0o644)
	}
	return nil
}

func repoRoot() (string, error) {
	b, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("finding the module root: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func hasTorch(python string) bool {
	return exec.Command(python, "-c", "import torch").Run() == nil
}

// childPeakRSS returns the peak RSS of a finished child in MiB.
func childPeakRSS(ps *os.ProcessState) float64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024
	}
	return 0
}

type epochLine struct {
	Epoch     int     `json:"epoch"`
	TestAcc   float64 `json:"test_acc"`
	Seconds   float64 `json:"seconds"`
	MsPerStep float64 `json:"ms_per_step"`
}

func runGograd(bin, tmp, model string, threads, epochs, limit int) (result, error) {
	metrics := filepath.Join(tmp, fmt.Sprintf("%s-%d.jsonl", model, threads))
	args := []string{"-model", model, "-epochs", strconv.Itoa(epochs), "-threads", strconv.Itoa(threads),
		"-limit", strconv.Itoa(limit), "-metrics", metrics, "-progress", "none"}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("gograd %v: %w", args, err)
	}
	f, err := os.Open(metrics)
	if err != nil {
		return result{}, err
	}
	defer f.Close()
	r := result{framework: "gograd", threads: threads, peakRSSMiB: childPeakRSS(cmd.ProcessState)}
	if err := collect(f, &r); err != nil {
		return result{}, fmt.Errorf("gograd metrics: %w", err)
	}
	r.note = fmt.Sprintf("Go %s", strings.TrimPrefix(runtime.Version(), "go"))
	return r, nil
}

func runTorch(python, root, model string, threads, epochs, limit int) (result, error) {
	args := []string{filepath.Join(root, "benchmarks/pytorch/train.py"), "--model", model, "--epochs", strconv.Itoa(epochs),
		"--threads", strconv.Itoa(threads), "--limit", strconv.Itoa(limit), "--json"}
	cmd := exec.Command(python, args...)
	env := append(os.Environ(), "OPENBLAS_CORETYPE=SkylakeX")
	note := "OPENBLAS_CORETYPE=SkylakeX"
	if threads > 1 {
		env = append(env, "OMP_WAIT_POLICY=PASSIVE")
		note += ", OMP_WAIT_POLICY=PASSIVE"
	}
	cmd.Env = env
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("pytorch %v: %w", args, err)
	}
	r := result{framework: "pytorch", threads: threads, peakRSSMiB: childPeakRSS(cmd.ProcessState), note: note}
	if err := collect(&stdout, &r); err != nil {
		return result{}, fmt.Errorf("pytorch output: %w", err)
	}
	return r, nil
}

// collect reads JSON lines with per-epoch records (others are skipped).
func collect(rd io.Reader, r *result) error {
	sc := bufio.NewScanner(rd)
	for sc.Scan() {
		var e epochLine
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Epoch == 0 {
			continue
		}
		if r.epochs == 0 || e.Seconds < r.secPerEp {
			r.secPerEp, r.msPerStep = e.Seconds, e.MsPerStep
		}
		r.epochs++
		r.testAcc = e.TestAcc
	}
	if r.epochs == 0 {
		return fmt.Errorf("no epoch records")
	}
	return sc.Err()
}

func writeTable(w io.Writer, rs []result, epochs, limit int, torch bool) {
	host, _ := os.Hostname()
	fmt.Fprintf(w, "Measured %s on %s (%s, %d CPUs), %d epoch(s) per run", time.Now().UTC().Format("2006-01-02 15:04 MST"), cpuModel(), host, runtime.NumCPU(), epochs)
	if limit > 0 {
		fmt.Fprintf(w, ", first %d training images", limit)
	}
	fmt.Fprintln(w, ".")
	if !torch {
		fmt.Fprintln(w, "PyTorch was not available (no torch in the given Python): gograd only.")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| workload | threads | framework | s/epoch (best) | ms/step | peak RSS MiB | test acc | gograd/PyTorch time | settings |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for i, r := range rs {
		ratio := ""
		if r.framework == "gograd" {
			for _, o := range rs[i:] {
				if o.framework == "pytorch" && o.workload == r.workload && o.threads == r.threads {
					ratio = fmt.Sprintf("%.2f", r.secPerEp/o.secPerEp)
				}
			}
		}
		fmt.Fprintf(w, "| %s | %d | %s | %.2f | %.2f | %.0f | %.2f%% | %s | %s |\n",
			r.workload, r.threads, r.framework, r.secPerEp, r.msPerStep, r.peakRSSMiB, 100*r.testAcc, ratio, r.note)
	}
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "model name") {
			if _, v, ok := strings.Cut(line, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}
