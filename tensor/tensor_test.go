package tensor

import (
	"errors"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
	gt "gorgonia.org/tensor"
)

func seq(shape ...int) *Tensor {
	t := New(shape...)
	for i := range t.Data() {
		t.Data()[i] = float32(i)
	}
	return t
}

func mustPanicShape(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		err, ok := r.(error)
		var se *ShapeError
		if !ok || !errors.As(err, &se) {
			t.Errorf("%s: panic %v, want *ShapeError", name, r)
		}
	}()
	f()
}

func TestConstructors(t *testing.T) {
	z := New(2, 3)
	if !slices.Equal(z.Shape(), []int{2, 3}) || z.Size() != 6 || z.Dims() != 2 {
		t.Fatalf("New(2,3): shape %v size %d", z.Shape(), z.Size())
	}
	s := Scalar(4)
	if s.Dims() != 0 || s.Size() != 1 || s.Item() != 4 {
		t.Fatalf("Scalar: dims %d size %d item %v", s.Dims(), s.Size(), s.Item())
	}
	f := Full(2.5, 3)
	for _, v := range f.Data() {
		if v != 2.5 {
			t.Fatalf("Full: %v", f.Data())
		}
	}
	data := []float32{1, 2, 3, 4}
	x := FromSlice(data, 2, 2)
	data[3] = 9
	if x.At(1, 1) != 9 {
		t.Error("FromSlice copied its data")
	}
	mustPanicShape(t, "FromSlice", func() { FromSlice(data, 3) })
	mustPanicShape(t, "New negative", func() { New(2, -1) })
}

func TestRandomSeeded(t *testing.T) {
	a := RandN(NewRNG(7), 1, 1000)
	b := RandN(NewRNG(7), 1, 1000)
	if !slices.Equal(a.Data(), b.Data()) {
		t.Fatal("same seed, different samples")
	}
	var mean, sq float64
	for _, v := range a.Data() {
		mean += float64(v)
		sq += float64(v) * float64(v)
	}
	mean /= 1000
	sd := math.Sqrt(sq/1000 - mean*mean)
	if math.Abs(mean) > 0.15 || math.Abs(sd-1) > 0.1 {
		t.Errorf("RandN: mean %v sd %v", mean, sd)
	}
	u := RandU(NewRNG(1), -2, 3, 500)
	for _, v := range u.Data() {
		if v < -2 || v >= 3 {
			t.Fatalf("RandU out of range: %v", v)
		}
	}
}

func TestReshapeFlattenSlice(t *testing.T) {
	x := seq(2, 3, 4)
	r := x.Reshape(6, -1)
	if !slices.Equal(r.Shape(), []int{6, 4}) {
		t.Fatalf("Reshape(6,-1) shape %v", r.Shape())
	}
	r.Set(-1, 5, 3)
	if x.At(1, 2, 3) != -1 {
		t.Error("Reshape is not a view")
	}
	if x.Flatten().Size() != 24 {
		t.Error("Flatten")
	}
	mustPanicShape(t, "Reshape sizes", func() { x.Reshape(5, 5) })
	s := x.Slice(1, 2)
	if !slices.Equal(s.Shape(), []int{1, 3, 4}) || s.At(0, 0, 0) != 12 {
		t.Fatalf("Slice: shape %v first %v", s.Shape(), s.At(0, 0, 0))
	}
	s.Set(100, 0, 0, 1)
	if x.At(1, 0, 1) != 100 {
		t.Error("Slice is not a view")
	}
	if got := s.Reshape(12).Data()[1]; got != 100 {
		t.Errorf("reshaped slice: %v", got)
	}
	mustPanicShape(t, "Slice range", func() { x.Slice(1, 3) })
}

func TestTransposeView(t *testing.T) {
	x := seq(2, 3)
	y := x.Transpose()
	if !slices.Equal(y.Shape(), []int{3, 2}) || y.IsContiguous() {
		t.Fatalf("Transpose: shape %v contiguous %v", y.Shape(), y.IsContiguous())
	}
	for i := 0; i < 2; i++ {
		for j := 0; j < 3; j++ {
			if y.At(j, i) != x.At(i, j) {
				t.Fatalf("y[%d,%d] = %v, want %v", j, i, y.At(j, i), x.At(i, j))
			}
		}
	}
	c := y.Contiguous()
	if !slices.Equal(c.Data(), []float32{0, 3, 1, 4, 2, 5}) {
		t.Errorf("Contiguous: %v", c.Data())
	}
	x.Set(42, 0, 1)
	if y.At(1, 0) != 42 {
		t.Error("Transpose is not a view")
	}
	z := seq(2, 3, 4).Transpose(2, 0, 1).Contiguous()
	if !slices.Equal(z.Shape(), []int{4, 2, 3}) || z.At(3, 1, 2) != float32(1*12+2*4+3) {
		t.Errorf("3-D transpose: shape %v value %v", z.Shape(), z.At(3, 1, 2))
	}
	mustPanicShape(t, "Transpose perm", func() { x.Transpose(0, 0) })
	mustPanicShape(t, "Data of view", func() { y.Data() })
}

func TestDenseInterop(t *testing.T) {
	x := seq(2, 3)
	d := x.Dense()
	if !slices.Equal([]int(d.Shape()), []int{2, 3}) {
		t.Fatalf("Dense shape %v", d.Shape())
	}
	back, err := FromDense(d)
	if err != nil || !slices.Equal(back.Data(), x.Data()) {
		t.Fatalf("FromDense: %v %v", back, err)
	}
	g := gt.New(gt.WithShape(2, 2), gt.WithBacking([]float32{1, 2, 3, 4}))
	if err := g.T(); err != nil {
		t.Fatal(err)
	}
	tt, err := FromDense(g)
	if err != nil || !slices.Equal(tt.Data(), []float32{1, 3, 2, 4}) {
		t.Errorf("FromDense of transposed: %v %v", tt, err)
	}
	if _, err := FromDense(gt.New(gt.WithShape(2), gt.WithBacking([]float64{1, 2}))); err == nil {
		t.Error("FromDense accepted float64")
	}
}

func TestMatInterop(t *testing.T) {
	m := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	x := FromMat(m)
	if x.At(1, 2) != 6 {
		t.Fatalf("FromMat: %v", x)
	}
	back, err := x.Transpose().ToMat()
	if err != nil {
		t.Fatal(err)
	}
	if r, c := back.Dims(); r != 3 || c != 2 || back.At(2, 1) != 6 {
		t.Errorf("ToMat of transpose: %v", mat.Formatted(back))
	}
	if _, err := seq(2, 2, 2).ToMat(); err == nil {
		t.Error("ToMat accepted 3-D")
	}
}

func TestMatMul(t *testing.T) {
	a := seq(2, 3)
	b := seq(3, 4)
	want := []float32{20, 23, 26, 29, 56, 68, 80, 92}
	if got := MatMul(a, b, false, false); !slices.Equal(got.Data(), want) {
		t.Fatalf("MatMul: %v", got.Data())
	}
	at := a.Transpose().Contiguous()
	bt := b.Transpose().Contiguous()
	if got := MatMul(at, bt, true, true); !slices.Equal(got.Data(), want) {
		t.Fatalf("MatMul(T,T): %v", got.Data())
	}
	c := Full(1, 2, 4)
	MatMulTo(c, a, b, false, false, 2, 1)
	if c.At(1, 3) != 185 {
		t.Errorf("MatMulTo alpha/beta: %v", c.Data())
	}
	mustPanicShape(t, "MatMul inner", func() { MatMul(a, a, false, false) })
}
