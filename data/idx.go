package data

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
)

// IDX magic numbers for unsigned-byte files: 0x0000 0x08 (uint8) NDIMS.
const (
	ImagesMagic = 0x00000803 // N×Rows×Cols unsigned bytes
	LabelsMagic = 0x00000801 // N unsigned bytes
)

// MaxFileBytes bounds the data size an IDX header may declare (1 GiB); a
// larger header is rejected with ErrDims before anything is allocated.
const MaxFileBytes = 1 << 30

const typeUint8 = 0x08

// idxTypeNames names the IDX type codes for error messages.
var idxTypeNames = map[byte]string{
	0x08: "unsigned byte",
	0x09: "signed byte",
	0x0b: "int16",
	0x0c: "int32",
	0x0d: "float32",
	0x0e: "float64",
}

// ReadImages reads an IDX images file (magic 0x00000803: N images of
// Rows×Cols unsigned bytes, row-major), gzip-compressed or raw; gzip is
// recognised by its magic bytes 1f 8b, not by the file name.
// pixels has length n*rows*cols, image i at pixels[i*rows*cols:].
//
// The header must declare three non-zero dimensions, and the file must hold
// exactly that many bytes after it: a short file, bytes past the end or a
// damaged gzip stream are errors. On error pixels is nil and err is a
// *FileError naming path and wrapping ErrNotIDX, ErrTypeCode, ErrDims,
// ErrTruncated, ErrTrailing, ErrCorrupt or the os error.
func ReadImages(path string) (pixels []uint8, n, rows, cols int, err error) {
	dims, data, err := readIDXFile(path, 3, "pixel bytes")
	if err != nil {
		return nil, 0, 0, 0, err
	}
	return data, dims[0], dims[1], dims[2], nil
}

// ReadLabels reads an IDX labels file (magic 0x00000801: N unsigned bytes),
// gzip-compressed or raw, with the same checks as ReadImages, and checks that
// every label is below classes (ErrLabel). On error labels is nil.
// ReadLabels panics if classes is not in [1, 256].
func ReadLabels(path string, classes int) (labels []uint8, err error) {
	if classes < 1 || classes > 256 {
		panic(fmt.Sprintf("data: ReadLabels: classes %d not in [1, 256]", classes))
	}
	_, data, err := readIDXFile(path, 1, "labels")
	if err != nil {
		return nil, err
	}
	for i, l := range data {
		if int(l) >= classes {
			return nil, &FileError{path, fmt.Errorf("%w: label %d at index %d, want < %d", ErrLabel, l, i, classes)}
		}
	}
	return data, nil
}

// readIDXFile opens path and decodes it with readIDX, wrapping every error
// in a *FileError.
func readIDXFile(path string, ndims int, unit string) (dims []int, data []byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, &FileError{path, unwrapPathError(err)}
	}
	defer f.Close()
	dims, data, err = readIDX(f, ndims, unit)
	if err != nil {
		return nil, nil, &FileError{path, err}
	}
	return dims, data, nil
}

// unwrapPathError drops the path from an *fs.PathError, which FileError
// already names, keeping the operation and the cause.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// readIDX decodes an unsigned-byte IDX stream with ndims dimensions from r,
// gunzipping it first if it starts with the gzip magic. unit names the data
// bytes in messages ("pixel bytes"). The errors it returns name no file.
func readIDX(r io.Reader, ndims int, unit string) (dims []int, data []byte, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	src := io.Reader(br)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, streamErr(err, "gzip header")
		}
		defer zr.Close()
		// One member only, so that bytes after it are reported as
		// trailing data rather than as a bad second gzip header.
		zr.Multistream(false)
		src = zr
	}

	var magic [4]byte
	if n, err := io.ReadFull(src, magic[:]); err != nil {
		return nil, nil, shortErr(err, "header bytes", 4, n)
	}
	switch {
	case magic[0] != 0 || magic[1] != 0:
		return nil, nil, fmt.Errorf("%w: magic 0x%08x", ErrNotIDX, binary.BigEndian.Uint32(magic[:]))
	case magic[2] != typeUint8:
		name := idxTypeNames[magic[2]]
		if name == "" {
			name = "unknown"
		}
		return nil, nil, fmt.Errorf("%w: 0x%02x (%s), want 0x08 (unsigned byte)", ErrTypeCode, magic[2], name)
	case int(magic[3]) != ndims:
		hint := ""
		switch {
		case ndims == 3 && magic[3] == 1:
			hint = " (a labels file?)"
		case ndims == 1 && magic[3] == 3:
			hint = " (an images file?)"
		}
		return nil, nil, fmt.Errorf("%w: %d dimensions, want %d%s", ErrDims, magic[3], ndims, hint)
	}

	raw := make([]byte, 4*ndims)
	if n, err := io.ReadFull(src, raw); err != nil {
		return nil, nil, shortErr(err, "header bytes", 4+len(raw), 4+n)
	}
	dims = make([]int, ndims)
	want := 1
	for i := range dims {
		d := int(binary.BigEndian.Uint32(raw[4*i:]))
		if d == 0 {
			return nil, nil, fmt.Errorf("%w: dimension %d is 0", ErrDims, i)
		}
		dims[i] = d
		if want > MaxFileBytes/d {
			return nil, nil, fmt.Errorf("%w: dimensions %v declare more than %d bytes", ErrDims, dims[:i+1], MaxFileBytes)
		}
		want *= d
	}

	data, err = readN(src, want)
	if err != nil {
		return nil, nil, shortErr(err, unit, want, len(data))
	}

	// The data must end exactly here: reading on drives the gzip reader to
	// its trailer, which verifies the CRC-32 and length.
	extra, err := io.Copy(io.Discard, src)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, fmt.Errorf("%w: gzip trailer missing after the %d %s", ErrTruncated, want, unit)
		}
		return nil, nil, streamErr(err, "after the data")
	}
	if extra > 0 {
		return nil, nil, fmt.Errorf("%w: %d bytes after the %d %s", ErrTrailing, extra, want, unit)
	}
	if src != io.Reader(br) {
		if extra, _ := io.Copy(io.Discard, br); extra > 0 {
			return nil, nil, fmt.Errorf("%w: %d bytes after the gzip stream", ErrTrailing, extra)
		}
	}
	return dims, data, nil
}

// readN reads exactly want bytes. It allocates in steps of at most 64 MiB so
// that a header declaring far more than the file holds costs no more memory
// than the file's real size (times two at most). On error it returns the
// bytes read so far.
func readN(r io.Reader, want int) ([]byte, error) {
	const step = 64 << 20
	buf := make([]byte, 0, min(want, step))
	for len(buf) < want {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(want-len(buf), len(buf)))
		}
		n, err := io.ReadFull(r, buf[len(buf):min(cap(buf), want)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// shortErr describes a failed exact read of want bytes of which got arrived.
func shortErr(err error, what string, want, got int) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: want %d %s, got %d", ErrTruncated, want, what, got)
	}
	return streamErr(err, fmt.Sprintf("after %d of %d %s", got, want, what))
}

// streamErr wraps a read error, marking gzip and deflate damage as ErrCorrupt.
func streamErr(err error, where string) error {
	var ce flate.CorruptInputError
	if errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.As(err, &ce) {
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, where, err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %s: %w", ErrTruncated, where, err)
	}
	return fmt.Errorf("read: %s: %w", where, err)
}
