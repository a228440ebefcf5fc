package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// offline makes the go command unable to fetch anything and points it at an
// empty module cache, so that module lookups in a test are hermetic.
func offline(t *testing.T) {
	t.Helper()
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOFLAGS", "-mod=mod")
}

func TestEscapeModulePath(t *testing.T) {
	if got, want := escapeModulePath(MNISTModule), "github.com/petar/!go!m!n!i!s!t"; got != want {
		t.Errorf("escapeModulePath(%q) = %q, want %q", MNISTModule, got, want)
	}
}

func TestFilesIn(t *testing.T) {
	dir := writeSet(t, t.TempDir(), 3, 2, 2, 2, true)
	// A raw file beside the .gz one wins.
	writeFile(t, dir, TestLabelsFile, idxBytes(LabelsMagic, []uint32{2}, []byte{1, 2}))
	f, err := FilesIn(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Files{
		Dir:         dir,
		TrainImages: filepath.Join(dir, TrainImagesFile+".gz"),
		TrainLabels: filepath.Join(dir, TrainLabelsFile+".gz"),
		TestImages:  filepath.Join(dir, TestImagesFile+".gz"),
		TestLabels:  filepath.Join(dir, TestLabelsFile),
	}
	if f != want {
		t.Errorf("FilesIn = %+v, want %+v", f, want)
	}

	if err := os.Remove(filepath.Join(dir, TrainLabelsFile+".gz")); err != nil {
		t.Fatal(err)
	}
	_, err = FilesIn(dir)
	if err == nil || err.Error() != "data: "+dir+": missing "+TrainLabelsFile+"[.gz]" {
		t.Errorf("FilesIn with a file missing: %v", err)
	}
	_, err = FilesIn(filepath.Join(dir, "nope"))
	if err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("FilesIn on a missing folder: %v", err)
	}
}

func TestFindOrder(t *testing.T) {
	offline(t)
	root := t.TempDir()
	explicit := writeSet(t, filepath.Join(root, "explicit"), 3, 2, 2, 2, false)
	env := filepath.Join(root, "env")
	envMNIST := writeSet(t, filepath.Join(env, "mnist"), 4, 2, 2, 2, true)
	writeSet(t, env, 5, 2, 2, 2, false) // the root itself, tried after env/mnist
	t.Setenv(EnvVar, env)

	// 1. The explicit dir wins over GOGRAD_DATA.
	f, err := Find("mnist", explicit)
	if err != nil || f.Dir != explicit {
		t.Fatalf("Find(mnist, explicit) = %+v, %v; want %s", f, err, explicit)
	}
	// 2. Without one, GOGRAD_DATA/mnist comes before GOGRAD_DATA.
	f, err = Find("mnist", "")
	if err != nil || f.Dir != envMNIST {
		t.Fatalf("Find(mnist, \"\") = %+v, %v; want %s", f, err, envMNIST)
	}
	// Fashion has no subfolder there, so the root itself is used.
	f, err = Find("fashion", "")
	if err != nil || f.Dir != env {
		t.Fatalf("Find(fashion, \"\") = %+v, %v; want %s", f, err, env)
	}
	// "fashion-mnist" is an alias; GOGRAD_DATA/fashion-mnist is a subfolder it tries.
	envFashion := writeSet(t, filepath.Join(env, "fashion-mnist"), 3, 3, 2, 2, false)
	f, err = Find("fashion-mnist", "")
	if err != nil || f.Dir != envFashion {
		t.Fatalf("Find(fashion-mnist, \"\") = %+v, %v; want %s", f, err, envFashion)
	}
	train, test, err := Load("mnist", "")
	if err != nil || train.N != 4 || test.N != 2 || train.Name != "mnist/train" || test.Name != "mnist/test" {
		t.Fatalf("Load(mnist) = %+v, %+v, %v", train, test, err)
	}

	// An explicit dir without the files is final, even though GOGRAD_DATA
	// would have them.
	empty := filepath.Join(root, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Find("mnist", empty)
	var nf *NotFoundError
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &nf) {
		t.Fatalf("Find(mnist, empty) error %v, want a NotFoundError", err)
	}
	if len(nf.Tried) != 2 || !strings.HasPrefix(nf.Tried[0], "-data: "+filepath.Join(empty, "mnist")+": not a directory") ||
		!strings.HasPrefix(nf.Tried[1], "-data: "+empty+": missing "+TrainImagesFile) {
		t.Errorf("tried %q", nf.Tried)
	}
	if !strings.Contains(err.Error(), "pass -data DIR or set GOGRAD_DATA") {
		t.Errorf("error without a hint: %v", err)
	}
	if train, test, err := Load("mnist", empty); train != nil || test != nil || !errors.Is(err, ErrNotFound) {
		t.Errorf("Load(mnist, empty) = %v, %v, %v", train, test, err)
	}
}

func TestFindModuleCache(t *testing.T) {
	offline(t)
	t.Setenv(EnvVar, "")
	cache := os.Getenv("GOMODCACHE")
	dir := filepath.Join(cache, "github.com/petar/!go!m!n!i!s!t@"+MNISTModuleVersion, "data")
	writeSet(t, dir, 3, 2, 2, 2, true)
	// With GOPROXY=off, finding it proves no download was attempted.
	f, err := Find("mnist", "")
	if err != nil || f.Dir != dir {
		t.Fatalf("Find = %+v, %v; want %s", f, err, dir)
	}
}

func TestFindNothing(t *testing.T) {
	offline(t)
	env := t.TempDir()
	t.Setenv(EnvVar, env)
	_, err := Find("mnist", "")
	var nf *NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("Find: %v, want a NotFoundError", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"data: mnist: data set not found; tried:",
		EnvVar + ": " + filepath.Join(env, "mnist") + ": not a directory",
		EnvVar + ": " + env + ": missing",
		"module cache: " + os.Getenv("GOMODCACHE"),
		"go mod download -json " + MNISTModule + "@" + MNISTModuleVersion + ": ",
		"GOPROXY=off",
		"pass -data DIR or set GOGRAD_DATA",
		"module proxy",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}

	t.Setenv(EnvVar, "")
	_, err = Find("mnist", "")
	if err == nil || !strings.Contains(err.Error(), EnvVar+": not set") {
		t.Errorf("Find without GOGRAD_DATA: %v", err)
	}
}

func TestFindFashionPackage(t *testing.T) {
	t.Setenv(EnvVar, "")
	saved := fashionDirs
	t.Cleanup(func() { fashionDirs = saved })
	pkg := writeSet(t, t.TempDir(), 3, 2, 2, 2, true)
	fashionDirs = []string{filepath.Join(t.TempDir(), "absent"), pkg}
	f, err := Find("fashion", "")
	if err != nil || f.Dir != pkg {
		t.Fatalf("Find(fashion) = %+v, %v; want %s", f, err, pkg)
	}
	// An installed folder without the files is reported.
	fashionDirs = []string{t.TempDir()}
	_, err = Find("fashion", "")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "missing "+TrainImagesFile) ||
		!strings.Contains(err.Error(), "apt-get install "+FashionPackage) {
		t.Errorf("Find(fashion) in an empty folder: %v", err)
	}
}

func TestDpkgDirs(t *testing.T) {
	listing := []byte("/.\n/usr/share/datasets\n/usr/share/datasets/fashion-mnist\n" +
		"/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz\n" +
		"/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz\n" +
		"/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz\n" +
		"/usr/share/doc/x/train-images-idx3-ubyte\n" +
		"/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte\n")
	got := dpkgDirs(listing)
	want := []string{"/usr/share/datasets/fashion-mnist", "/usr/share/doc/x"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("dpkgDirs = %q, want %q", got, want)
	}
	if got := dpkgDirs([]byte("/usr\n/usr/share\n")); got != nil {
		t.Errorf("dpkgDirs without the file = %q", got)
	}
}

func TestUnknownDataset(t *testing.T) {
	_, err := Find("cifar", "")
	if !errors.Is(err, ErrUnknownDataset) || !strings.Contains(err.Error(), "mnist, fashion") {
		t.Errorf("Find(cifar): %v", err)
	}
	if train, test, err := Load("cifar", t.TempDir()); train != nil || test != nil || !errors.Is(err, ErrUnknownDataset) {
		t.Errorf("Load(cifar) = %v, %v, %v", train, test, err)
	}
}

func TestLoadShapeMismatch(t *testing.T) {
	dir := writeSet(t, t.TempDir(), 3, 2, 2, 2, false)
	px, _ := synth(2, 3, 3, 10)
	p := writeFile(t, dir, TestImagesFile, idxBytes(ImagesMagic, []uint32{2, 3, 3}, px))
	train, test, err := Load("mnist", dir)
	if train != nil || test != nil {
		t.Errorf("half-loaded: %v, %v", train, test)
	}
	checkFileErr(t, err, p, ErrMismatch, "3×3 images, but ")

	// A corrupt file found by Load is reported the same way.
	p = writeFile(t, dir, TestImagesFile, []byte("junk"))
	_, _, err = Load("mnist", dir)
	checkFileErr(t, err, p, ErrNotIDX, "magic 0x6a756e6b")
}

func TestDownloadModuleError(t *testing.T) {
	gobin := goCommand(t)
	offline(t)
	_, err := downloadModule(gobin, MNISTModule+"@"+MNISTModuleVersion)
	if err == nil || !strings.Contains(err.Error(), "GOPROXY=off") {
		t.Errorf("downloadModule offline: %v, want the go command's JSON Error", err)
	}
}
