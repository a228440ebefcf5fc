package data

import (
	"slices"
	"strings"
	"testing"
)

// sampleIndex recovers the sample index encoded by synth in the first two
// pixels of a Unit-normalized image.
func sampleIndex(x []float32) int {
	return int(x[0]*255+0.5) + 256*int(x[1]*255+0.5)
}

// epochOrder runs one epoch of l and returns the sample indices in the order
// its batches held them, checking every batch's contents against d.
func epochOrder(t *testing.T, l *Loader, e int) (order []int, sizes []int) {
	t.Helper()
	d := l.Dataset()
	tab := Unit.Table()
	f := d.Features()
	for b := range l.Batches(e) {
		if len(b.X) != b.Size*f || len(b.Labels) != b.Size || b.Rows != d.Rows || b.Cols != d.Cols {
			t.Fatalf("batch of %d: %d inputs, %d labels, %d×%d", b.Size, len(b.X), len(b.Labels), b.Rows, b.Cols)
		}
		for s := range b.Size {
			x := b.X[s*f : (s+1)*f]
			i := sampleIndex(x)
			if i >= d.N {
				t.Fatalf("sample index %d out of range", i)
			}
			for j, p := range d.Image(i) {
				if x[j] != tab[p] {
					t.Fatalf("sample %d pixel %d = %v, want %v", i, j, x[j], tab[p])
				}
			}
			if b.Labels[s] != int32(d.Labels[i]) {
				t.Fatalf("sample %d label %d, want %d", i, b.Labels[s], d.Labels[i])
			}
			order = append(order, i)
		}
		sizes = append(sizes, b.Size)
	}
	return order, sizes
}

func TestLoaderCoversEachSampleOnce(t *testing.T) {
	d := synthDataset(300, 3, 4)
	for _, bs := range []int{1, 7, 100, 300, 512} {
		for _, shuffle := range []bool{false, true} {
			for _, dropLast := range []bool{false, true} {
				if dropLast && bs > d.N {
					continue
				}
				l, err := NewLoader(d, Config{BatchSize: bs, Shuffle: shuffle, Seed: 1, DropLast: dropLast})
				if err != nil {
					t.Fatal(err)
				}
				for e := range 3 {
					order, sizes := epochOrder(t, l, e)
					want := d.N
					if dropLast {
						want -= d.N % bs
					}
					if len(order) != want || l.Samples() != want || len(sizes) != l.Len() {
						t.Fatalf("bs %d shuffle %v drop %v: %d samples in %d batches, want %d in %d",
							bs, shuffle, dropLast, len(order), len(sizes), want, l.Len())
					}
					for i, s := range sizes {
						if s != bs && (i != len(sizes)-1 || dropLast) {
							t.Fatalf("bs %d: batch %d has %d samples", bs, i, s)
						}
					}
					if !slices.Equal(order, l.Order()) {
						t.Fatalf("batches visited %v, Order says %v", order, l.Order())
					}
					seen := make([]bool, d.N)
					for _, i := range order {
						if seen[i] {
							t.Fatalf("sample %d twice in an epoch", i)
						}
						seen[i] = true
					}
					if !shuffle && !slices.Equal(order, intRange(want)) {
						t.Fatalf("unshuffled order %v", order)
					}
				}
			}
		}
	}
}

func intRange(n int) []int {
	r := make([]int, n)
	for i := range r {
		r[i] = i
	}
	return r
}

func TestLoaderShuffleDeterministic(t *testing.T) {
	d := synthDataset(200, 2, 2)
	newL := func(seed uint64) *Loader {
		l, err := NewLoader(d, Config{BatchSize: 16, Shuffle: true, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	a, b, c := newL(42), newL(42), newL(43)
	var orders [][]int
	for e := range 4 {
		oa, _ := epochOrder(t, a, e)
		ob, _ := epochOrder(t, b, e)
		oc, _ := epochOrder(t, c, e)
		if !slices.Equal(oa, ob) {
			t.Fatalf("epoch %d: same seed, different orders", e)
		}
		if slices.Equal(oa, oc) {
			t.Fatalf("epoch %d: seeds 42 and 43 give the same order", e)
		}
		if slices.Equal(oa, intRange(d.N)) {
			t.Fatalf("epoch %d: shuffle left the identity", e)
		}
		for _, prev := range orders {
			if slices.Equal(prev, oa) {
				t.Fatalf("epoch %d repeats an earlier order", e)
			}
		}
		orders = append(orders, oa)
	}
	// An epoch replayed alone, on a fresh loader, gives the same order.
	fresh := newL(42)
	if o, _ := epochOrder(t, fresh, 2); !slices.Equal(o, orders[2]) {
		t.Error("epoch 2 replayed alone differs")
	}
	if fresh.Epoch() != 2 {
		t.Errorf("Epoch() = %d after SetEpoch(2)", fresh.Epoch())
	}
}

func TestLoaderShuffleSpread(t *testing.T) {
	// Over 400 epochs each of 8 samples should come first about 50 times;
	// a broken shuffle (no swap at an end, off-by-one range) fails this.
	d := synthDataset(8, 2, 2)
	l, err := NewLoader(d, Config{BatchSize: 8, Shuffle: true, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	var first, last [8]int
	for e := range 400 {
		l.SetEpoch(e)
		o := l.Order()
		first[o[0]]++
		last[o[7]]++
	}
	for i := range 8 {
		if first[i] < 20 || first[i] > 90 || last[i] < 20 || last[i] > 90 {
			t.Fatalf("first-position counts %v, last-position counts %v", first, last)
		}
	}
}

func TestLoaderLimit(t *testing.T) {
	d := synthDataset(50, 2, 2)
	l, err := NewLoader(d, Config{BatchSize: 4, Shuffle: true, Seed: 3, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if l.Dataset().N != 10 || l.Samples() != 10 || l.Len() != 3 {
		t.Fatalf("limit 10: N %d, samples %d, batches %d", l.Dataset().N, l.Samples(), l.Len())
	}
	order, _ := epochOrder(t, l, 0)
	slices.Sort(order)
	if !slices.Equal(order, intRange(10)) {
		t.Errorf("limit 10 visited %v, want the first 10 samples", order)
	}
}

func TestLoaderNorm(t *testing.T) {
	d := synthDataset(5, 2, 3)
	l, err := NewLoader(d, Config{BatchSize: 5, Norm: MNISTNorm})
	if err != nil {
		t.Fatal(err)
	}
	b, ok := l.Next()
	if !ok {
		t.Fatal("no batch")
	}
	tab := MNISTNorm.Table()
	for i, p := range d.Pixels {
		if b.X[i] != tab[p] {
			t.Fatalf("X[%d] = %v, want %v", i, b.X[i], tab[p])
		}
	}
	if b.NCHW() != [4]int{5, 1, 2, 3} || b.Matrix() != [2]int{5, 6} {
		t.Errorf("NCHW %v, Matrix %v", b.NCHW(), b.Matrix())
	}
	if _, ok := l.Next(); ok {
		t.Error("a second batch in a one-batch epoch")
	}
	if _, ok := l.Next(); ok {
		t.Error("Next after the end of the epoch gave a batch")
	}
}

func TestLoaderNextInto(t *testing.T) {
	d := synthDataset(10, 2, 2)
	l, err := NewLoader(d, Config{BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 4*4+1)
	y := make([]int32, 5)
	x[16], y[4] = -7, -7
	var got []int32
	for n := l.NextInto(x, y); n > 0; n = l.NextInto(x, y) {
		got = append(got, y[:n]...)
	}
	want := make([]int32, 10)
	for i, lb := range d.Labels {
		want[i] = int32(lb)
	}
	if !slices.Equal(got, want) {
		t.Errorf("labels %v, want %v", got, want)
	}
	if x[16] != -7 || y[4] != -7 {
		t.Error("NextInto wrote past one batch")
	}
	defer func() {
		r := recover()
		if s, _ := r.(string); !strings.Contains(s, "data: loader: NextInto: buffers of 15 inputs and 4 labels, want at least 16 and 4") {
			t.Errorf("short buffer: recovered %v", r)
		}
	}()
	l.SetEpoch(1)
	l.NextInto(x[:15], y[:4])
}

func TestLoaderBatchesBreak(t *testing.T) {
	d := synthDataset(10, 2, 2)
	l, err := NewLoader(d, Config{BatchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range l.Batches(0) {
		n++
		if n == 2 {
			break
		}
	}
	if b, ok := l.Next(); !ok || sampleIndex(b.X) != 6 {
		t.Errorf("after breaking out of Batches, Next gave %v, %v; want the batch at sample 6", ok, b.X[:2])
	}
}

func TestNewLoaderErrors(t *testing.T) {
	d := synthDataset(10, 2, 2)
	for _, c := range []struct {
		cfg  Config
		d    *Dataset
		want string
	}{
		{Config{BatchSize: 0}, d, "data: loader: batch size 0, want > 0"},
		{Config{BatchSize: 2, Limit: -1}, d, "data: loader: limit -1"},
		{Config{BatchSize: 2, Norm: Norm{Mean: 1}}, d, "data: norm: "},
		{Config{BatchSize: 11, DropLast: true}, d, "data: loader: synth: 10 samples < batch size 11 with drop-last gives no batch"},
		{Config{BatchSize: 2}, &Dataset{Name: "none", Rows: 2, Cols: 2}, "data: loader: none: no samples"},
	} {
		l, err := NewLoader(c.d, c.cfg)
		if l != nil || err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("NewLoader(%+v) = %v, %v; want error %q", c.cfg, l, err, c.want)
		}
	}
}

func TestLoaderNoAllocs(t *testing.T) {
	d := synthDataset(1000, 28, 28)
	for _, shuffle := range []bool{false, true} {
		l, err := NewLoader(d, Config{BatchSize: 128, Shuffle: shuffle, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, 128*784)
		y := make([]int32, 128)
		e := 0
		allocs := testing.AllocsPerRun(100, func() {
			if _, ok := l.Next(); !ok {
				e++
				l.SetEpoch(e)
			}
			if l.NextInto(x, y) == 0 {
				e++
				l.SetEpoch(e)
			}
		})
		if allocs != 0 {
			t.Errorf("shuffle %v: %v allocations per batch, want 0", shuffle, allocs)
		}
		if e == 0 {
			t.Errorf("shuffle %v: the test never crossed an epoch", shuffle)
		}
	}
}

func BenchmarkLoaderNext(b *testing.B) {
	const bs = 128
	d := synthDataset(60000, 28, 28)
	for _, c := range []struct {
		name    string
		shuffle bool
	}{{"sequential", false}, {"shuffled", true}} {
		b.Run(c.name+"/128", func(b *testing.B) {
			l, err := NewLoader(d, Config{BatchSize: bs, Shuffle: c.shuffle, Seed: 1, DropLast: true, Norm: MNISTNorm})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(bs * 784)
			e := 0
			for b.Loop() {
				if _, ok := l.Next(); !ok {
					e++
					l.SetEpoch(e)
					l.Next()
				}
			}
		})
	}
}

// convertArith is the arithmetic alternative to the table in convert, kept
// as the benchmark's baseline.
func convertArith(dst []float32, src []uint8, n Norm) {
	scale, shift := 1/(255*n.Std), -n.Mean/n.Std
	dst = dst[:len(src)]
	for i, p := range src {
		dst[i] = float32(p)*scale + shift
	}
}

func BenchmarkConvert(b *testing.B) {
	const size = 128 * 784
	d := synthDataset(128, 28, 28)
	dst := make([]float32, size)
	tab := MNISTNorm.Table()
	b.Run("table", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			convert(dst, d.Pixels, &tab)
		}
	})
	b.Run("arith", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			convertArith(dst, d.Pixels, MNISTNorm)
		}
	})
	// A shuffled batch of 128 real MNIST digits, mostly black pixels, as
	// the training loader converts it.
	b.Run("mnist batch", func(b *testing.B) {
		train, _, _ := loadRealMNIST(b)
		l, err := NewLoader(train, Config{BatchSize: 128, Shuffle: true, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(size)
		for b.Loop() {
			if _, ok := l.Next(); !ok {
				l.SetEpoch(l.Epoch() + 1)
			}
		}
	})
}
