package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gograd/gograd/tensor"
)

// specialTensors covers values whose bits must survive: signed zeros,
// infinities, a NaN with a payload, subnormals, a scalar and an empty
// tensor.
func specialTensors() map[string]*tensor.Tensor {
	bits := []uint32{0x80000000, 0x7f800000, 0xff800000, 0x7fc01234, 0x00000001, 0x807fffff, 0x3f800000}
	vals := make([]float32, len(bits))
	for i, b := range bits {
		vals[i] = math.Float32frombits(b)
	}
	return map[string]*tensor.Tensor{
		"special":       tensor.FromSlice(vals, 7),
		"scalar":        tensor.Scalar(-2.5),
		"empty":         tensor.New(0, 3),
		"layer.0.w":     tensor.RandN(tensor.NewRNG(1), 1, 3, 4, 5),
		"optim.step.0":  tensor.Scalar(42),
		"transposed.3d": tensor.RandN(tensor.NewRNG(2), 1, 2, 3).Transpose(1, 0),
	}
}

func sameBits(a, b *tensor.Tensor) bool {
	if !tensor.SameShape(a, b) {
		return false
	}
	ad, bd := a.Contiguous().Data(), b.Contiguous().Data()
	for i := range ad {
		if math.Float32bits(ad[i]) != math.Float32bits(bd[i]) {
			return false
		}
	}
	return true
}

func TestCheckpointRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	in := specialTensors()
	md := map[string]string{"epoch": "3", "step": "1200", "rng": "pcg:0123abcd", "empty": ""}
	if err := SaveCheckpoint(path, in, md); err != nil {
		t.Fatal(err)
	}
	out, gotMD, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d tensors, want %d", len(out), len(in))
	}
	for k, v := range in {
		if !sameBits(v, out[k]) {
			t.Errorf("%s: %v, want %v (bit for bit)", k, out[k], v)
		}
	}
	if len(gotMD) != len(md) {
		t.Errorf("metadata %v, want %v", gotMD, md)
	}
	for k, v := range md {
		if gotMD[k] != v {
			t.Errorf("metadata[%q] = %q, want %q", k, gotMD[k], v)
		}
	}
	// Saving the same content twice gives the same bytes.
	path2 := filepath.Join(t.TempDir(), "ck2.safetensors")
	if err := SaveCheckpoint(path2, in, md); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(path)
	b2, _ := os.ReadFile(path2)
	if !bytes.Equal(b1, b2) {
		t.Error("two saves of the same tensors differ")
	}
	// No metadata: an empty, non-nil map.
	if err := SaveCheckpoint(path, map[string]*tensor.Tensor{"a": tensor.Scalar(1)}, nil); err != nil {
		t.Fatal(err)
	}
	_, md0, err := LoadCheckpoint(path)
	if err != nil || md0 == nil || len(md0) != 0 {
		t.Errorf("no metadata: %v, %v", md0, err)
	}
}

// TestCheckpointFormat parses a saved file by the safetensors
// specification, independently of the library.
func TestCheckpointFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.safetensors")
	a := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := tensor.Scalar(0.5)
	if err := SaveCheckpoint(path, map[string]*tensor.Tensor{"b": b, "a": a}, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw)
	if n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &header); err != nil {
		t.Fatalf("header: %v", err)
	}
	var meta map[string]string
	if err := json.Unmarshal(header["__metadata__"], &meta); err != nil || meta["k"] != "v" {
		t.Errorf("__metadata__ = %s (%v)", header["__metadata__"], err)
	}
	data := raw[8+n:]
	for name, want := range map[string]*tensor.Tensor{"a": a, "b": b} {
		var info struct {
			DType       string    `json:"dtype"`
			Shape       []int     `json:"shape"`
			DataOffsets [2]uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(header[name], &info); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if info.DType != "F32" || !slices.Equal(info.Shape, want.Shape()) {
			t.Errorf("%s: dtype %s shape %v, want F32 %v", name, info.DType, info.Shape, want.Shape())
		}
		seg := data[info.DataOffsets[0]:info.DataOffsets[1]]
		for i, v := range want.Data() {
			if got := math.Float32frombits(binary.LittleEndian.Uint32(seg[4*i:])); got != v {
				t.Errorf("%s[%d] = %v, want %v", name, i, got, v)
			}
		}
	}
	if len(data) != 4*7 {
		t.Errorf("%d data bytes, want 28", len(data))
	}
}

// writeFile writes a safetensors file built by hand from a header value
// and data bytes.
func writeFile(t *testing.T, path string, header any, data []byte) {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	binary.Write(&buf, binary.LittleEndian, uint64(len(h)))
	buf.Write(h)
	buf.Write(data)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadHandWritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hand.safetensors")
	data := make([]byte, 12)
	for i, v := range []float32{1.5, -2, 8} {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(v))
	}
	// Unpadded header, keys out of order: any writer's file is accepted.
	writeFile(t, path, map[string]any{
		"z": map[string]any{"dtype": "F32", "shape": []int{2}, "data_offsets": []int{0, 8}},
		"a": map[string]any{"dtype": "F32", "shape": []int{}, "data_offsets": []int{8, 12}},
	}, data)
	ts, md, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := ts["z"].Data(); !slices.Equal(got, []float32{1.5, -2}) {
		t.Errorf("z = %v", got)
	}
	if got := ts["a"]; got.Dims() != 0 || got.Item() != 8 {
		t.Errorf("a = %v", got)
	}
	if len(md) != 0 {
		t.Errorf("metadata %v", md)
	}

	// Another dtype is refused with the key's name.
	bad := filepath.Join(dir, "i64.safetensors")
	writeFile(t, bad, map[string]any{
		"num_batches_tracked": map[string]any{"dtype": "I64", "shape": []int{}, "data_offsets": []int{0, 8}},
	}, make([]byte, 8))
	_, _, err = LoadCheckpoint(bad)
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), `"num_batches_tracked"`) || !strings.Contains(err.Error(), "I64") {
		t.Errorf("I64 tensor: error %v", err)
	}
}

func TestLoadCorrupt(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	if err := SaveCheckpoint(good, specialTensors(), map[string]string{"epoch": "1"}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	n := int(binary.LittleEndian.Uint64(raw))
	cases := map[string][]byte{
		"empty":            {},
		"short length":     raw[:5],
		"length only":      raw[:8],
		"truncated header": raw[:8+n/2],
		"header only":      raw[:8+n],
		"truncated data":   raw[:len(raw)-3],
		"trailing bytes":   append(slices.Clone(raw), 0, 0, 0, 0),
		"huge length": func() []byte {
			b := slices.Clone(raw)
			binary.LittleEndian.PutUint64(b, 1<<40)
			return b
		}(),
		"broken json": func() []byte {
			b := slices.Clone(raw)
			b[8] = 'x'
			return b
		}(),
		"bad offsets": func() []byte {
			b := slices.Clone(raw)
			i := bytes.Index(b[:8+n], []byte(`"data_offsets":[0,`))
			if i < 0 {
				t.Fatal("no tensor at offset 0 in the header")
			}
			b[i+len(`"data_offsets":[`)] = '4'
			return b
		}(),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".safetensors")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := LoadCheckpoint(path)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), path) || !strings.HasPrefix(err.Error(), "nn: loadcheckpoint: ") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	_, _, err := LoadCheckpoint(filepath.Join(dir, "missing.safetensors"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.safetensors") {
		t.Errorf("missing file: %v", err)
	}
}

// failingWriter passes n bytes through and then fails.
type failingWriter struct {
	w io.Writer
	n int
}

var errInjected = errors.New("injected write failure")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k, _ := f.w.Write(p[:f.n])
		f.n = 0
		return k, errInjected
	}
	f.n -= len(p)
	return f.w.Write(p)
}

func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	old := map[string]*tensor.Tensor{"w": tensor.Full(1, 4)}
	if err := SaveCheckpoint(path, old, map[string]string{"epoch": "1"}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	big := map[string]*tensor.Tensor{"w": tensor.RandN(tensor.NewRNG(3), 1, 1<<16)}
	for _, n := range []int{0, 7, 100, 1 << 17} {
		writeHook = func(w io.Writer) io.Writer { return &failingWriter{w: w, n: n} }
		err := SaveCheckpoint(path, big, map[string]string{"epoch": "2"})
		writeHook = nil
		if !errors.Is(err, errInjected) || !strings.Contains(err.Error(), path) {
			t.Errorf("failure after %d bytes: error %v", n, err)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Fatalf("failure after %d bytes changed the old file", n)
		}
		if _, md, err := LoadCheckpoint(path); err != nil || md["epoch"] != "1" {
			t.Fatalf("old checkpoint unreadable after failed save: %v %v", md, err)
		}
		ents, _ := os.ReadDir(dir)
		if len(ents) != 1 {
			t.Fatalf("failure after %d bytes left files: %v", n, ents)
		}
	}
	// A successful save replaces the file and leaves no temporary.
	if err := SaveCheckpoint(path, big, map[string]string{"epoch": "2"}); err != nil {
		t.Fatal(err)
	}
	if _, md, err := LoadCheckpoint(path); err != nil || md["epoch"] != "2" {
		t.Fatalf("new checkpoint: %v %v", md, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("successful save left files: %v", ents)
	}
}

func TestSaveErrors(t *testing.T) {
	dir := t.TempDir()
	missingDir := filepath.Join(dir, "no", "such", "ck.safetensors")
	if err := SaveCheckpoint(missingDir, map[string]*tensor.Tensor{"a": tensor.Scalar(1)}, nil); err == nil || !strings.Contains(err.Error(), missingDir) {
		t.Errorf("missing dir: %v", err)
	}
	path := filepath.Join(dir, "ck.safetensors")
	for name, ts := range map[string]map[string]*tensor.Tensor{
		"empty name": {"": tensor.Scalar(1)},
		"reserved":   {"__metadata__": tensor.Scalar(1)},
		"nil tensor": {"a": nil},
	} {
		if err := SaveCheckpoint(path, ts, nil); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v", name, err)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused save created the file: %v", err)
	}
	// A read-only directory refuses the temporary file (root ignores
	// permissions, so the check needs an unprivileged user).
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o555)
		p := filepath.Join(ro, "ck.safetensors")
		if err := SaveCheckpoint(p, map[string]*tensor.Tensor{"a": tensor.Scalar(1)}, nil); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("read-only dir: %v", err)
		}
	}
}
