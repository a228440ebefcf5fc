package data

import (
	"errors"
	"strings"
)

// Sentinel errors. Every error returned while reading a file is a *FileError
// naming that file and wrapping one of these (and, where there is one, the
// underlying error from os, gzip or flate), so callers can test the kind of
// failure with errors.Is and recover the path with errors.As.
var (
	// ErrNotIDX: the first two bytes of the magic number are not zero.
	ErrNotIDX = errors.New("not an IDX file")
	// ErrTypeCode: the element type is not unsigned byte (0x08).
	ErrTypeCode = errors.New("unsupported IDX type code")
	// ErrDims: the number of dimensions is not the expected one (3 for
	// images, 1 for labels), a dimension is zero, or the declared size is
	// larger than MaxFileBytes.
	ErrDims = errors.New("bad IDX dimensions")
	// ErrTruncated: the file ends before the header or the data it declares.
	ErrTruncated = errors.New("truncated")
	// ErrTrailing: bytes follow the data the header declares.
	ErrTrailing = errors.New("trailing data")
	// ErrCorrupt: the gzip stream is damaged (bad header, bad deflate data
	// or checksum mismatch); the gzip or flate error is wrapped too.
	ErrCorrupt = errors.New("corrupt gzip stream")
	// ErrMismatch: an images file and its labels file disagree on the
	// number of samples, or a training and test set on the image size.
	ErrMismatch = errors.New("mismatch")
	// ErrLabel: a label is not below the number of classes.
	ErrLabel = errors.New("label out of range")
	// ErrNotFound: no directory holding the data set could be found.
	ErrNotFound = errors.New("data set not found")
	// ErrUnknownDataset: the data set name is not one of Names.
	ErrUnknownDataset = errors.New("unknown data set")
)

// FileError records a failure to read or validate one file.
// Its message is "data: PATH: DETAIL".
type FileError struct {
	Path string // the file that is bad or could not be read
	Err  error  // what is wrong; wraps a sentinel above and/or an os/gzip error
}

func (e *FileError) Error() string { return "data: " + e.Path + ": " + e.Err.Error() }

// Unwrap returns e.Err.
func (e *FileError) Unwrap() error { return e.Err }

// NotFoundError reports that a data set could not be located. It lists every
// place tried, in order, with the reason each one failed, and how to get the
// data. errors.Is(err, ErrNotFound) holds for it.
type NotFoundError struct {
	Name  string   // the data set asked for, e.g. "mnist"
	Tried []string // "place: reason", in lookup order
	Hint  string   // how to make the data available
}

func (e *NotFoundError) Error() string {
	var b strings.Builder
	b.WriteString("data: ")
	b.WriteString(e.Name)
	b.WriteString(": data set not found; tried:")
	for _, t := range e.Tried {
		b.WriteString("\n\t")
		b.WriteString(t)
	}
	if e.Hint != "" {
		b.WriteString("\n")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Is reports whether target is ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }
