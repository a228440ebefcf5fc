package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// idxBytes encodes an IDX file: the 4-byte magic, each dimension as a
// big-endian uint32, then data.
func idxBytes(magic uint32, dims []uint32, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

// gzipBytes compresses b as one gzip member.
func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFile writes b to dir/name and returns the path.
func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// synth returns n images of rows×cols whose first two pixels encode the
// sample index (i%256, i/256) and whose other pixels are a deterministic
// mix, and labels (7i+3) mod classes.
func synth(n, rows, cols, classes int) (pixels, labels []byte) {
	f := rows * cols
	pixels = make([]byte, n*f)
	labels = make([]byte, n)
	for i := range n {
		img := pixels[i*f : (i+1)*f]
		for j := range img {
			img[j] = byte(i*31 + j*7 + (i*j)%13)
		}
		img[0], img[1] = byte(i%256), byte(i/256)
		labels[i] = byte((i*7 + 3) % classes)
	}
	return pixels, labels
}

// writeSet writes a complete four-file data set with nTrain and nTest
// samples of rows×cols into dir, gzipped if gz, and returns dir.
func writeSet(t testing.TB, dir string, nTrain, nTest, rows, cols int, gz bool) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(name string, b []byte) {
		if gz {
			writeFile(t, dir, name+".gz", gzipBytes(t, b))
		} else {
			writeFile(t, dir, name, b)
		}
	}
	for _, s := range []struct {
		n            int
		images, labs string
	}{{nTrain, TrainImagesFile, TrainLabelsFile}, {nTest, TestImagesFile, TestLabelsFile}} {
		px, lb := synth(s.n, rows, cols, 10)
		put(s.images, idxBytes(ImagesMagic, []uint32{uint32(s.n), uint32(rows), uint32(cols)}, px))
		put(s.labs, idxBytes(LabelsMagic, []uint32{uint32(s.n)}, lb))
	}
	return dir
}
