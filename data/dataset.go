package data

import (
	"fmt"
	"math"
)

// Dataset is a set of grey-scale images with integer class labels, held as
// the raw bytes of the IDX files: 60000 MNIST training images take 47 MB as
// bytes instead of 188 MB as float32. Loader converts them to float32 one
// batch at a time.
type Dataset struct {
	Name    string  // e.g. "mnist/train"
	Pixels  []uint8 // N*Rows*Cols bytes; image i is Pixels[i*Rows*Cols : (i+1)*Rows*Cols], row-major
	Labels  []uint8 // N labels, each < Classes
	N       int     // number of samples
	Rows    int     // image height
	Cols    int     // image width
	Classes int     // number of classes
}

// Features returns the number of pixels per image, Rows*Cols.
func (d *Dataset) Features() int { return d.Rows * d.Cols }

// Image returns the bytes of image i; it aliases d.Pixels.
// It panics if i is not in [0, N).
func (d *Dataset) Image(i int) []uint8 {
	if i < 0 || i >= d.N {
		panic(fmt.Sprintf("data: %s: Image: index %d out of range [0, %d)", d.Name, i, d.N))
	}
	f := d.Features()
	return d.Pixels[i*f : (i+1)*f : (i+1)*f]
}

// Head returns a Dataset of the first n samples of d (file order, before any
// shuffling), sharing d's memory; it returns d itself when n <= 0 or n >= N.
// This is what a -limit flag means.
func (d *Dataset) Head(n int) *Dataset {
	if n <= 0 || n >= d.N {
		return d
	}
	h := *d
	h.N = n
	h.Pixels = d.Pixels[:n*d.Features()]
	h.Labels = d.Labels[:n]
	return &h
}

// Stats returns the mean and standard deviation of d's pixels scaled to
// [0, 1] (p/255), as a Norm. For the MNIST training set it gives
// Mean ≈ 0.1307, Std ≈ 0.3081 (see MNISTNorm).
// It returns Norm{0, 1} for an empty data set or one of constant pixels.
func (d *Dataset) Stats() Norm {
	var hist [256]int64
	for _, p := range d.Pixels {
		hist[p]++
	}
	// Two passes over the 256-bin histogram, in float64.
	var n, sum float64
	for v, c := range hist {
		n += float64(c)
		sum += float64(c) * float64(v) / 255
	}
	if n == 0 {
		return Unit
	}
	mean := sum / n
	var ss float64
	for v, c := range hist {
		dx := float64(v)/255 - mean
		ss += float64(c) * dx * dx
	}
	std := math.Sqrt(ss / n)
	if std == 0 {
		return Unit
	}
	return Norm{Mean: float32(mean), Std: float32(std)}
}

// LoadFiles reads an images file and its labels file (see ReadImages and
// ReadLabels) into a Dataset with the given name and number of classes.
// The two files must hold the same number of samples (ErrMismatch).
// On error it returns nil and a *FileError naming the bad file.
// It panics if classes is not in [1, 256].
func LoadFiles(name, imagesPath, labelsPath string, classes int) (*Dataset, error) {
	pixels, n, rows, cols, err := ReadImages(imagesPath)
	if err != nil {
		return nil, err
	}
	labels, err := ReadLabels(labelsPath, classes)
	if err != nil {
		return nil, err
	}
	if len(labels) != n {
		return nil, &FileError{labelsPath, fmt.Errorf("%w: %d labels, but %s has %d images", ErrMismatch, len(labels), imagesPath, n)}
	}
	return &Dataset{
		Name:    name,
		Pixels:  pixels,
		Labels:  labels,
		N:       n,
		Rows:    rows,
		Cols:    cols,
		Classes: classes,
	}, nil
}
