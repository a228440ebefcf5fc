package data

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadRoundTrip(t *testing.T) {
	const n, rows, cols = 7, 5, 3
	px, lb := synth(n, rows, cols, 10)
	imgs := idxBytes(ImagesMagic, []uint32{n, rows, cols}, px)
	labs := idxBytes(LabelsMagic, []uint32{n}, lb)
	dir := t.TempDir()
	// Names lie about the compression on purpose: detection is by content.
	for _, tc := range []struct {
		name string
		gz   bool
	}{{"raw", false}, {"raw.gz", false}, {"gzip", true}, {"gzip.idx", true}} {
		t.Run(tc.name, func(t *testing.T) {
			ib, lbb := imgs, labs
			if tc.gz {
				ib, lbb = gzipBytes(t, imgs), gzipBytes(t, labs)
			}
			ip := writeFile(t, dir, "images-"+tc.name, ib)
			lp := writeFile(t, dir, "labels-"+tc.name, lbb)
			gotPx, gn, gr, gc, err := ReadImages(ip)
			if err != nil {
				t.Fatal(err)
			}
			if gn != n || gr != rows || gc != cols || !bytes.Equal(gotPx, px) {
				t.Fatalf("ReadImages = %d×%d×%d %v, want %d×%d×%d %v", gn, gr, gc, gotPx, n, rows, cols, px)
			}
			gotLb, err := ReadLabels(lp, 10)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gotLb, lb) {
				t.Fatalf("ReadLabels = %v, want %v", gotLb, lb)
			}
			d, err := LoadFiles("synth", ip, lp, 10)
			if err != nil {
				t.Fatal(err)
			}
			if d.N != n || d.Rows != rows || d.Cols != cols || d.Classes != 10 || d.Name != "synth" ||
				!bytes.Equal(d.Pixels, px) || !bytes.Equal(d.Labels, lb) {
				t.Fatalf("LoadFiles = %+v", d)
			}
			if !bytes.Equal(d.Image(3), px[3*rows*cols:4*rows*cols]) {
				t.Fatalf("Image(3) = %v", d.Image(3))
			}
		})
	}
}

// corruptCase is a file whose reading must fail with sentinel, and whose
// message must contain msg (besides the path).
type corruptCase struct {
	name     string
	file     []byte
	labels   bool // read with ReadLabels instead of ReadImages
	sentinel error
	msg      string
}

func corruptCases(t *testing.T) []corruptCase {
	const n, rows, cols = 3, 5, 7 // 105 pixel bytes
	px, lb := synth(n, rows, cols, 10)
	good := idxBytes(ImagesMagic, []uint32{n, rows, cols}, px)
	goodLabels := idxBytes(LabelsMagic, []uint32{n}, lb)
	gz := gzipBytes(t, good)

	badCRC := bytes.Clone(gz)
	badCRC[len(badCRC)-8] ^= 0xff // first byte of the CRC-32 trailer
	badDeflate := bytes.Clone(gz)
	for i := 10; i < 16; i++ { // just after the 10-byte gzip header
		badDeflate[i] = 0xff
	}
	labelsOutOfRange := bytes.Clone(goodLabels)
	labelsOutOfRange[len(labelsOutOfRange)-1] = 10

	return []corruptCase{
		{"empty", nil, false, ErrTruncated, "want 4 header bytes, got 0"},
		{"short magic", []byte{0, 0, 8}, false, ErrTruncated, "want 4 header bytes, got 3"},
		{"bad magic", idxBytes(0x12345678, []uint32{n, rows, cols}, px), false, ErrNotIDX, "magic 0x12345678"},
		{"float32 type", idxBytes(0x00000d03, []uint32{n, rows, cols}, px), false, ErrTypeCode, "0x0d (float32), want 0x08"},
		{"unknown type", idxBytes(0x00000103, []uint32{n, rows, cols}, px), false, ErrTypeCode, "0x01 (unknown)"},
		{"two dims", idxBytes(0x00000802, []uint32{n, rows * cols}, px), false, ErrDims, "2 dimensions, want 3"},
		{"labels as images", goodLabels, false, ErrDims, "1 dimensions, want 3 (a labels file?)"},
		{"images as labels", good, true, ErrDims, "3 dimensions, want 1 (an images file?)"},
		{"zero dim", idxBytes(ImagesMagic, []uint32{n, 0, cols}, nil), false, ErrDims, "dimension 1 is 0"},
		{"huge dims", idxBytes(ImagesMagic, []uint32{1 << 20, 1 << 10, 1 << 10}, px), false, ErrDims, "more than 1073741824 bytes"},
		{"short dims", good[:9], false, ErrTruncated, "want 16 header bytes, got 9"},
		{"truncated data", good[:16+50], false, ErrTruncated, "want 105 pixel bytes, got 50"},
		{"trailing data", append(bytes.Clone(good), 1, 2), false, ErrTrailing, "2 bytes after the 105 pixel bytes"},
		{"truncated labels", goodLabels[:8+1], true, ErrTruncated, "want 3 labels, got 1"},
		{"gzip truncated", gz[:len(gz)/2], false, ErrTruncated, "pixel bytes, got"},
		{"gzip no trailer", gz[:len(gz)-8], false, ErrTruncated, "gzip trailer missing"},
		{"gzip trailing inside", gzipBytes(t, append(bytes.Clone(good), 9)), false, ErrTrailing, "1 bytes after the 105 pixel bytes"},
		{"gzip trailing outside", append(bytes.Clone(gz), 0, 0, 0), false, ErrTrailing, "3 bytes after the gzip stream"},
		{"gzip bad crc", badCRC, false, ErrCorrupt, "checksum"},
		{"gzip bad header", []byte{0x1f, 0x8b, 0x99, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3}, false, ErrCorrupt, "gzip header"},
		{"gzip bad deflate", badDeflate, false, ErrCorrupt, "flate"},
		{"label out of range", labelsOutOfRange, true, ErrLabel, "label 10 at index 2, want < 10"},
	}
}

func TestReadCorrupt(t *testing.T) {
	dir := t.TempDir()
	for i, tc := range corruptCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, "f"+string(rune('a'+i)), tc.file)
			var err error
			if tc.labels {
				var got []uint8
				got, err = ReadLabels(path, 10)
				if got != nil {
					t.Errorf("labels not nil on error: %v", got)
				}
			} else {
				var got []uint8
				var n, r, c int
				got, n, r, c, err = ReadImages(path)
				if got != nil || n != 0 || r != 0 || c != 0 {
					t.Errorf("half-loaded on error: %d×%d×%d, %d bytes", n, r, c, len(got))
				}
			}
			checkFileErr(t, err, path, tc.sentinel, tc.msg)
		})
	}
}

// checkFileErr checks that err is a *FileError for path wrapping sentinel,
// whose message starts with "data: PATH: " and contains msg.
func checkFileErr(t *testing.T, err error, path string, sentinel error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %q is not %v", err, sentinel)
	}
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != path {
		t.Errorf("error %q is not a *FileError for %s", err, path)
	}
	if !strings.HasPrefix(err.Error(), "data: "+path+": ") || !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q, want prefix %q and %q in it", err, "data: "+path+": ", msg)
	}
}

func TestReadErrorWrapsCause(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	_, _, _, _, err := ReadImages(missing)
	checkFileErr(t, err, missing, fs.ErrNotExist, "open: ")

	px, _ := synth(1, 2, 2, 10)
	gz := gzipBytes(t, idxBytes(ImagesMagic, []uint32{1, 2, 2}, px))
	gz[len(gz)-8] ^= 1
	p := writeFile(t, dir, "crc", gz)
	_, _, _, _, err = ReadImages(p)
	checkFileErr(t, err, p, gzip.ErrChecksum, "corrupt gzip stream")

	// The message the package documents for a truncated file.
	px, _ = synth(2, 3, 3, 10)
	p = writeFile(t, dir, "train-images-idx3-ubyte", idxBytes(ImagesMagic, []uint32{2, 3, 3}, px[:5]))
	_, _, _, _, err = ReadImages(p)
	if want := "data: " + p + ": truncated: want 18 pixel bytes, got 5"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestReadLabelsClasses(t *testing.T) {
	p := writeFile(t, t.TempDir(), "l", idxBytes(LabelsMagic, []uint32{3}, []byte{0, 2, 1}))
	if _, err := ReadLabels(p, 3); err != nil {
		t.Errorf("classes 3: %v", err)
	}
	_, err := ReadLabels(p, 2)
	checkFileErr(t, err, p, ErrLabel, "label 2 at index 1, want < 2")
	for _, c := range []int{0, -1, 257} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "data: ReadLabels: classes") {
					t.Errorf("classes %d: recovered %v", c, r)
				}
			}()
			ReadLabels(p, c)
		}()
	}
}

func TestLoadFilesMismatch(t *testing.T) {
	dir := t.TempDir()
	px, lb := synth(4, 2, 2, 10)
	ip := writeFile(t, dir, "images", idxBytes(ImagesMagic, []uint32{4, 2, 2}, px))
	lp := writeFile(t, dir, "labels", idxBytes(LabelsMagic, []uint32{3}, lb[:3]))
	d, err := LoadFiles("x", ip, lp, 10)
	if d != nil {
		t.Errorf("half-loaded: %+v", d)
	}
	checkFileErr(t, err, lp, ErrMismatch, "3 labels, but "+ip+" has 4 images")

	// A bad labels file after a good images file still yields nil.
	bad := writeFile(t, dir, "bad", []byte{0, 0, 8, 1, 0})
	d, err = LoadFiles("x", ip, bad, 10)
	if d != nil {
		t.Errorf("half-loaded: %+v", d)
	}
	checkFileErr(t, err, bad, ErrTruncated, "header")
}

// FuzzReadIDX checks that no input makes the decoder panic or return both
// data and an error, and that accepted data has the declared size.
func FuzzReadIDX(f *testing.F) {
	px, _ := synth(2, 3, 3, 10)
	good := idxBytes(ImagesMagic, []uint32{2, 3, 3}, px)
	f.Add(good)
	f.Add(gzipBytes(f, good))
	f.Add(good[:10])
	f.Fuzz(func(t *testing.T, b []byte) {
		dims, data, err := readIDX(bytes.NewReader(b), 3, "pixel bytes")
		if err != nil {
			if dims != nil || data != nil {
				t.Fatalf("error %v with %v and %d bytes", err, dims, len(data))
			}
			return
		}
		if len(dims) != 3 || dims[0]*dims[1]*dims[2] != len(data) {
			t.Fatalf("dims %v, %d bytes", dims, len(data))
		}
	})
}
