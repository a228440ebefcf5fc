package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeIDX writes a raw IDX file of unsigned bytes with the given dims.
func writeIDX(t *testing.T, path string, magic uint32, dims []int, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	binary.Write(&buf, binary.BigEndian, magic)
	for _, d := range dims {
		binary.Write(&buf, binary.BigEndian, uint32(d))
	}
	buf.Write(body)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// synthData writes a small learnable MNIST-shaped data set: class c lights
// up a 4×4 block at a class-dependent place, plus noise.
func synthData(t *testing.T, nTrain, nTest int) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	make1 := func(n int) ([]byte, []byte) {
		px := make([]byte, n*784)
		lb := make([]byte, n)
		for i := 0; i < n; i++ {
			c := rng.IntN(10)
			lb[i] = byte(c)
			img := px[i*784 : (i+1)*784]
			for j := range img {
				img[j] = byte(rng.IntN(60))
			}
			r0, c0 := 2+(c/5)*12, 2+(c%5)*5
			for r := r0; r < r0+4; r++ {
				for cc := c0; cc < c0+4; cc++ {
					img[r*28+cc] = 255
				}
			}
		}
		return px, lb
	}
	px, lb := make1(nTrain)
	writeIDX(t, filepath.Join(dir, "train-images-idx3-ubyte"), 0x803, []int{nTrain, 28, 28}, px)
	writeIDX(t, filepath.Join(dir, "train-labels-idx1-ubyte"), 0x801, []int{nTrain}, lb)
	px, lb = make1(nTest)
	writeIDX(t, filepath.Join(dir, "t10k-images-idx3-ubyte"), 0x803, []int{nTest, 28, 28}, px)
	writeIDX(t, filepath.Join(dir, "t10k-labels-idx1-ubyte"), 0x801, []int{nTest}, lb)
	return dir
}

func readMetrics(t *testing.T, path string) []epochMetrics {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []epochMetrics
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m epochMetrics
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("metrics line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("train %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// sameTraining compares the deterministic fields of two metrics lines.
func sameTraining(a, b epochMetrics) bool {
	return a.Epoch == b.Epoch && a.TrainLoss == b.TrainLoss && a.TestLoss == b.TestLoss && a.TestAcc == b.TestAcc && a.Steps == b.Steps
}

func TestTrainMLPLearnsAndIsDeterministic(t *testing.T) {
	dir := synthData(t, 512, 200)
	tmp := t.TempDir()
	m1, m2 := filepath.Join(tmp, "a.jsonl"), filepath.Join(tmp, "b.jsonl")
	common := []string{"-data", dir, "-hidden", "32", "-epochs", "3", "-batch", "32", "-lr", "0.01", "-progress", "none", "-threads", "1"}
	out := runOK(t, append(common, "-metrics", m1)...)
	if !strings.Contains(out, "kernels ") || !strings.Contains(out, "done:") {
		t.Errorf("output lacks the kernel level or the summary:\n%s", out)
	}
	runOK(t, append(common, "-metrics", m2)...)
	a, b := readMetrics(t, m1), readMetrics(t, m2)
	if len(a) != 3 || len(b) != 3 {
		t.Fatalf("want 3 metrics lines, got %d and %d", len(a), len(b))
	}
	for i := range a {
		if !sameTraining(a[i], b[i]) {
			t.Errorf("epoch %d differs between identical runs: %+v vs %+v", i+1, a[i], b[i])
		}
		if a[i].Seconds <= 0 || a[i].SamplesPerSec <= 0 || a[i].MsPerStep <= 0 {
			t.Errorf("epoch %d: bad timing fields %+v", i+1, a[i])
		}
	}
	if a[2].TestAcc < 0.9 || a[2].TrainLoss >= a[0].TrainLoss {
		t.Errorf("did not learn: %+v", a)
	}
}

func TestResumeContinuesExactly(t *testing.T) {
	dir := synthData(t, 256, 100)
	tmp := t.TempDir()
	ck := filepath.Join(tmp, "ck.safetensors")
	full, part := filepath.Join(tmp, "full.jsonl"), filepath.Join(tmp, "part.jsonl")
	common := []string{"-data", dir, "-hidden", "16,16", "-batch", "32", "-progress", "none", "-seed", "7"}
	runOK(t, append(common, "-epochs", "3", "-metrics", full)...)
	runOK(t, append(common, "-epochs", "1", "-metrics", part, "-save", ck)...)
	runOK(t, append(common, "-epochs", "3", "-metrics", part, "-resume", ck, "-save", ck)...)
	a, b := readMetrics(t, full), readMetrics(t, part)
	if len(a) != 3 || len(b) != 3 {
		t.Fatalf("want 3 metrics lines each, got %d and %d", len(a), len(b))
	}
	for i := range a {
		if !sameTraining(a[i], b[i]) {
			t.Errorf("epoch %d: resumed run differs: %+v vs %+v", i+1, b[i], a[i])
		}
	}
	// A checkpoint from another configuration is refused, naming the flag.
	var stdout, stderr bytes.Buffer
	code := run(append(common, "-epochs", "4", "-resume", ck, "-batch", "16"), &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "-batch") {
		t.Errorf("resume with another -batch: exit %d, stderr %q", code, stderr.String())
	}
}

func TestTrainCNNOneEpoch(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir := synthData(t, 128, 64)
	out := runOK(t, "-data", dir, "-model", "cnn", "-epochs", "1", "-batch", "32", "-progress", "plain")
	if !strings.Contains(out, "epoch 1/1") {
		t.Errorf("output:\n%s", out)
	}
}

func TestBadInputGivesOneLineAndNonZeroExit(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-model", "rnn"}, 2, "-model"},
		{[]string{"-opt", "nosuch", "-data", empty}, 2, "-opt"},
		{[]string{"-data", empty, "-epochs", "1"}, 1, empty},
		// EGN finds at its first step that the W1 Jacobian would not fit.
		{[]string{"-opt", "egn", "-data", synthData(t, 32, 10), "-epochs", "1", "-progress", "none"}, 2, "-opt egn"},
		{[]string{"-resume", filepath.Join(empty, "missing.safetensors"), "-data", synthData(t, 32, 10)}, 1, "missing.safetensors"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		msg := stderr.String()
		if code != tc.code || strings.Count(strings.TrimSpace(msg), "\n") != 0 || !strings.Contains(msg, tc.want) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want one line naming %q)", tc.args, code, tc.code, msg, tc.want)
		}
	}
}

func TestOptList(t *testing.T) {
	out := runOK(t, "-opt", "list")
	for _, name := range []string{"adam", "adamw", "lion", "sgd"} {
		if !strings.Contains(out, name) {
			t.Errorf("-opt list lacks %s:\n%s", name, out)
		}
	}
}
