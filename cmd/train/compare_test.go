package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompare runs a small comparison and checks the table (one row per
// estimator, in order) and the two PNG plots.
func TestCompare(t *testing.T) {
	dir := synthData(t, 256, 100)
	out := filepath.Join(t.TempDir(), "cmp.md")
	stdout := runOK(t, "-data", dir, "-hidden", "16", "-epochs", "2", "-batch", "32", "-progress", "none",
		"-threads", "1", "-compare", "backprop,fg,dfa", "-cosine-every", "2", "-compare-out", out)
	if strings.Count(stdout, "== -grad ") != 3 {
		t.Errorf("output does not show three runs:\n%s", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "| ") && !strings.HasPrefix(l, "| estimator") {
			rows = append(rows, l)
		}
	}
	if len(rows) != 3 || !strings.HasPrefix(rows[0], "| backprop | sgd lr 0.1 momentum=0.9 |") || !strings.HasPrefix(rows[1], "| fg | ") ||
		!strings.HasPrefix(rows[2], "| dfa | ") || !strings.HasSuffix(rows[0], "| 1.0000 |") {
		t.Errorf("table rows:\n%s", strings.Join(rows, "\n"))
	}
	for _, name := range []string{"compare_acc_epoch.png", "compare_acc_time.png"} {
		f, err := os.Open(filepath.Join(filepath.Dir(out), name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r := img.Bounds(); r.Dx() < 300 || r.Dy() < 200 {
			t.Errorf("%s: %v image", name, r)
		}
	}
}
