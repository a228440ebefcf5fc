package data

import (
	"math"
	"testing"
)

func synthDataset(n, rows, cols int) *Dataset {
	px, lb := synth(n, rows, cols, 10)
	return &Dataset{Name: "synth", Pixels: px, Labels: lb, N: n, Rows: rows, Cols: cols, Classes: 10}
}

func TestHead(t *testing.T) {
	d := synthDataset(10, 2, 3)
	h := d.Head(4)
	if h.N != 4 || len(h.Pixels) != 24 || len(h.Labels) != 4 || h.Rows != 2 || h.Cols != 3 || h.Name != d.Name {
		t.Fatalf("Head(4) = %+v", h)
	}
	if &h.Pixels[0] != &d.Pixels[0] || &h.Labels[3] != &d.Labels[3] {
		t.Error("Head copies instead of sharing memory")
	}
	for _, n := range []int{0, -1, 10, 11} {
		if d.Head(n) != d {
			t.Errorf("Head(%d) is not d itself", n)
		}
	}
}

func TestImagePanics(t *testing.T) {
	d := synthDataset(2, 2, 2)
	for _, i := range []int{-1, 2} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Image(%d) did not panic", i)
				}
			}()
			d.Image(i)
		}()
	}
}

func TestStats(t *testing.T) {
	d := synthDataset(50, 4, 5)
	var sum, sumSq float64
	for _, p := range d.Pixels {
		x := float64(p) / 255
		sum += x
	}
	mean := sum / float64(len(d.Pixels))
	for _, p := range d.Pixels {
		dx := float64(p)/255 - mean
		sumSq += dx * dx
	}
	std := math.Sqrt(sumSq / float64(len(d.Pixels)))
	got := d.Stats()
	if math.Abs(float64(got.Mean)-mean) > 1e-6 || math.Abs(float64(got.Std)-std) > 1e-6 {
		t.Errorf("Stats = %+v, want mean %v std %v", got, mean, std)
	}
	flat := &Dataset{Pixels: []uint8{7, 7, 7}, N: 3, Rows: 1, Cols: 1}
	if got := flat.Stats(); got != Unit {
		t.Errorf("Stats of constant pixels = %+v, want Unit", got)
	}
	if got := (&Dataset{}).Stats(); got != Unit {
		t.Errorf("Stats of nothing = %+v, want Unit", got)
	}
}

func TestNorm(t *testing.T) {
	for _, n := range []Norm{Unit, MNISTNorm, {Mean: 0.5, Std: 0.25}} {
		tab := n.Table()
		for p := range 256 {
			want := float32((float64(p)/255 - float64(n.Mean)) / float64(n.Std))
			if tab[p] != want {
				t.Fatalf("%+v: Table[%d] = %v, want %v", n, p, tab[p], want)
			}
		}
		src := []uint8{0, 255, 128, 3}
		dst := make([]float32, 5)
		dst[4] = -42
		n.Apply(dst, src)
		for i, p := range src {
			if dst[i] != tab[p] {
				t.Errorf("%+v: Apply[%d] = %v, want %v", n, i, dst[i], tab[p])
			}
		}
		if dst[4] != -42 {
			t.Error("Apply wrote past len(src)")
		}
	}
	if tab := Unit.Table(); tab[0] != 0 || tab[255] != 1 {
		t.Errorf("Unit maps 0, 255 to %v, %v", tab[0], tab[255])
	}
	for _, bad := range []Norm{{}, {Std: -1}, {Mean: float32(math.NaN()), Std: 1}, {Std: float32(math.Inf(1))}} {
		if bad.validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
