package nn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/nlpodyssey/safetensors"

	"github.com/gograd/gograd/tensor"
)

// Checkpoints are safetensors files (https://github.com/huggingface/safetensors):
// an 8-byte little-endian header length, a JSON header mapping each name to
// {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]} plus an
// optional "__metadata__" object of strings, then the raw little-endian
// data. The encoding and the header validation are those of
// github.com/nlpodyssey/safetensors, the Go port of the reference Rust
// crate: tensors are laid out sorted by name, the header is padded with
// spaces to a multiple of 8 bytes, and a reader rejects overlapping,
// out-of-order or out-of-bounds offsets and trailing bytes. This package
// adds the conversion from and to float32 tensors and the atomic write.

// metadataKey is the reserved header key of the metadata object.
const metadataKey = "__metadata__"

// SaveCheckpoint writes tensors and metadata to path in the safetensors
// format (dtype F32; a scalar has shape []). The write is atomic: the
// data goes to a temporary file in the same directory, which is synced,
// closed and renamed over path, and the directory is synced. If any step
// up to the rename fails, path is left as it was and the temporary file
// is removed. The
// tensors are read, not kept; views are copied out. Names must be
// non-empty and not "__metadata__". Errors name the file.
func SaveCheckpoint(path string, tensors map[string]*tensor.Tensor, metadata map[string]string) error {
	views := make(map[string]f32View, len(tensors))
	for name, t := range tensors {
		if name == "" || name == metadataKey {
			return fmt.Errorf("nn: savecheckpoint: %s: invalid tensor name %q", path, name)
		}
		if t == nil {
			return fmt.Errorf("nn: savecheckpoint: %s: tensor %q is nil", path, name)
		}
		views[name] = newF32View(t)
	}
	md := make(map[string]string, len(metadata))
	for k, v := range metadata {
		md[k] = v
	}
	err := writeAtomic(path, func(w io.Writer) error {
		return safetensors.SerializeToWriter(views, md, w)
	})
	if err != nil {
		return fmt.Errorf("nn: savecheckpoint: %s: %w", path, err)
	}
	return nil
}

// LoadCheckpoint reads a safetensors file written by SaveCheckpoint (or
// any safetensors file whose tensors are all F32) and returns its tensors
// by name and its metadata (empty, not nil, when the file has none). It
// returns an error naming the file if it cannot be read, is truncated or
// malformed, or holds a tensor of another dtype.
func LoadCheckpoint(path string) (map[string]*tensor.Tensor, map[string]string, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("nn: loadcheckpoint: %w", err) // *PathError names the file
	}
	n, header, err := safetensors.ReadMetadata(buf)
	if err != nil {
		return nil, nil, fmt.Errorf("nn: loadcheckpoint: %s: %w", path, err)
	}
	data := buf[8+n:]
	infos := header.Tensors()
	tensors := make(map[string]*tensor.Tensor, len(infos))
	for name, info := range infos {
		if info.DType != safetensors.F32 {
			return nil, nil, fmt.Errorf("nn: loadcheckpoint: %s: tensor %q has dtype %v, want F32", path, name, info.DType)
		}
		shape := make([]int, len(info.Shape))
		for i, d := range info.Shape {
			// ReadMetadata checked that the shape's size matches the
			// offsets, which lie within the file.
			if d > math.MaxInt32 {
				return nil, nil, fmt.Errorf("nn: loadcheckpoint: %s: tensor %q has shape %v out of range", path, name, info.Shape)
			}
			shape[i] = int(d)
		}
		raw := data[info.DataOffsets[0]:info.DataOffsets[1]]
		vals := make([]float32, len(raw)/4)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		tensors[name] = tensor.FromSlice(vals, shape...)
	}
	md := make(map[string]string, len(header.Metadata()))
	for k, v := range header.Metadata() {
		md[k] = v
	}
	return tensors, md, nil
}

// f32View is a float32 tensor encoded for safetensors.SerializeToWriter.
type f32View struct {
	shape []uint64
	data  []byte
}

func newF32View(t *tensor.Tensor) f32View {
	s := t.Shape()
	shape := make([]uint64, len(s))
	for i, d := range s {
		shape[i] = uint64(d)
	}
	vals := t.Contiguous().Data()
	data := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(v))
	}
	return f32View{shape: shape, data: data}
}

func (v f32View) DType() safetensors.DType { return safetensors.F32 }
func (v f32View) Shape() []uint64          { return v.shape }
func (v f32View) Data() []byte             { return v.data }
func (v f32View) DataLen() uint64          { return uint64(len(v.data)) }

// writeHook, when set (by tests), wraps the writer of the temporary file
// so that a test can inject a failure.
var writeHook func(io.Writer) io.Writer

// writeAtomic writes path through write: into a temporary file in the
// same directory, synced, closed and renamed over path, then syncs the
// directory. On error path is untouched and the temporary file removed.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	var w io.Writer = f
	if writeHook != nil {
		w = writeHook(w)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable. Filesystems that cannot sync a
// directory report EINVAL, which is not an error of the write.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, errSyncUnsupported) {
		return nil
	}
	return err
}
