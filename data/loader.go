package data

import (
	"fmt"
	"iter"
	"math/rand/v2"
)

// Config configures a Loader.
type Config struct {
	BatchSize int    // samples per batch, > 0
	Shuffle   bool   // visit the samples in a new random order each epoch
	Seed      uint64 // shuffle seed: epoch e's order depends only on (Seed, e)
	DropLast  bool   // skip an epoch's final batch when it is short
	Limit     int    // if > 0, use only the first Limit samples (Dataset.Head), before shuffling
	Norm      Norm   // pixel mapping; the zero Norm means Unit (p/255)
}

// Batch is one batch of samples as float32 inputs and int32 labels.
// X holds Size*Rows*Cols values: pixel (r, c) of sample s is
// X[(s*Rows+r)*Cols+c]. That is both a Size×(Rows*Cols) row-major matrix
// and an NCHW tensor of shape Size×1×Rows×Cols, so no copy is needed for
// either view.
type Batch struct {
	X      []float32 // Size*Rows*Cols inputs
	Labels []int32   // Size labels
	Size   int       // samples in this batch: BatchSize, or fewer in an epoch's last batch
	Rows   int
	Cols   int
}

// Matrix returns the batch's matrix shape {Size, Rows*Cols}.
func (b Batch) Matrix() [2]int { return [2]int{b.Size, b.Rows * b.Cols} }

// NCHW returns the batch's image-tensor shape {Size, 1, Rows, Cols}.
func (b Batch) NCHW() [4]int { return [4]int{b.Size, 1, b.Rows, b.Cols} }

// Loader cuts a Dataset into batches, epoch after epoch, converting pixels to
// float32 through a Norm as it goes. With Shuffle, each epoch visits the
// samples in a Fisher–Yates permutation drawn from a PCG generator seeded
// with (Seed, epoch), so a run is reproducible and any epoch can be replayed
// alone. Every sample appears exactly once per epoch (except the short tail
// DropLast skips). In steady state Next and NextInto do not allocate.
//
// A Loader is not safe for concurrent use. It only reads the Dataset.
type Loader struct {
	d     *Dataset
	cfg   Config
	table [256]float32
	perm  []int32 // sample order of the current epoch; nil without Shuffle
	pcg   rand.PCG
	rng   *rand.Rand
	epoch int
	pos   int // index into the epoch's order of the next sample
	end   int // number of samples the epoch visits
	x     []float32
	y     []int32
	sink  uint8 // keeps touch's loads
}

// NewLoader returns a Loader over d positioned at the start of epoch 0.
// It rejects a non-positive BatchSize, a negative Limit, an invalid Norm, an
// empty data set, and DropLast with fewer samples than BatchSize (which
// would give no batch at all).
func NewLoader(d *Dataset, cfg Config) (*Loader, error) {
	if cfg.BatchSize <= 0 {
		return nil, fmt.Errorf("data: loader: batch size %d, want > 0", cfg.BatchSize)
	}
	if cfg.Limit < 0 {
		return nil, fmt.Errorf("data: loader: limit %d, want >= 0 (0 = all)", cfg.Limit)
	}
	if cfg.Norm == (Norm{}) {
		cfg.Norm = Unit
	}
	if err := cfg.Norm.validate(); err != nil {
		return nil, err
	}
	d = d.Head(cfg.Limit)
	if d.N == 0 {
		return nil, fmt.Errorf("data: loader: %s: no samples", d.Name)
	}
	if cfg.DropLast && d.N < cfg.BatchSize {
		return nil, fmt.Errorf("data: loader: %s: %d samples < batch size %d with drop-last gives no batch", d.Name, d.N, cfg.BatchSize)
	}
	l := &Loader{
		d:     d,
		cfg:   cfg,
		table: cfg.Norm.Table(),
		x:     make([]float32, cfg.BatchSize*d.Features()),
		y:     make([]int32, cfg.BatchSize),
	}
	l.end = d.N
	if cfg.DropLast {
		l.end -= d.N % cfg.BatchSize
	}
	if cfg.Shuffle {
		l.perm = make([]int32, d.N)
		l.rng = rand.New(&l.pcg)
	}
	l.SetEpoch(0)
	return l, nil
}

// Dataset returns the data set the Loader reads (after Limit).
func (l *Loader) Dataset() *Dataset { return l.d }

// BatchSize returns the configured batch size.
func (l *Loader) BatchSize() int { return l.cfg.BatchSize }

// Len returns the number of batches per epoch.
func (l *Loader) Len() int { return (l.end + l.cfg.BatchSize - 1) / l.cfg.BatchSize }

// Samples returns the number of samples per epoch.
func (l *Loader) Samples() int { return l.end }

// Epoch returns the current epoch.
func (l *Loader) Epoch() int { return l.epoch }

// SetEpoch rewinds to the start of epoch e and, with Shuffle, draws its
// order: the identity permutation shuffled by Fisher–Yates with a PCG seeded
// with (Seed, e). It does not allocate.
func (l *Loader) SetEpoch(e int) {
	l.epoch, l.pos = e, 0
	if l.perm == nil {
		return
	}
	for i := range l.perm {
		l.perm[i] = int32(i)
	}
	l.pcg.Seed(l.cfg.Seed, uint64(e))
	for i := len(l.perm) - 1; i > 0; i-- {
		j := l.rng.IntN(i + 1)
		l.perm[i], l.perm[j] = l.perm[j], l.perm[i]
	}
}

// Order returns the sample order of the current epoch, as indices into
// Dataset(); it is a copy.
func (l *Loader) Order() []int {
	out := make([]int, l.end)
	for i := range out {
		out[i] = i
		if l.perm != nil {
			out[i] = int(l.perm[i])
		}
	}
	return out
}

// Next returns the epoch's next batch in buffers the Loader owns and reuses:
// the batch is valid until the next call to Next. It returns false once the
// epoch is exhausted; call SetEpoch to start another.
func (l *Loader) Next() (Batch, bool) {
	n := l.NextInto(l.x, l.y)
	if n == 0 {
		return Batch{}, false
	}
	f := l.d.Features()
	return Batch{X: l.x[:n*f], Labels: l.y[:n], Size: n, Rows: l.d.Rows, Cols: l.d.Cols}, true
}

// NextInto writes the epoch's next batch into caller-provided buffers,
// x[:n*Rows*Cols] and labels[:n], and returns n, the number of samples
// written; 0 means the epoch is exhausted (call SetEpoch).
// It panics if len(x) < BatchSize*Rows*Cols or len(labels) < BatchSize.
func (l *Loader) NextInto(x []float32, labels []int32) int {
	bs, f := l.cfg.BatchSize, l.d.Features()
	if len(x) < bs*f || len(labels) < bs {
		panic(fmt.Sprintf("data: loader: NextInto: buffers of %d inputs and %d labels, want at least %d and %d", len(x), len(labels), bs*f, bs))
	}
	n := min(bs, l.end-l.pos)
	if n <= 0 {
		return 0
	}
	px, lab := l.d.Pixels, l.d.Labels
	if l.perm == nil {
		// Samples pos..pos+n-1 are contiguous: one conversion.
		convert(x[:n*f], px[l.pos*f:(l.pos+n)*f], &l.table)
		for s := range n {
			labels[s] = int32(lab[l.pos+s])
		}
	} else {
		l.touch(l.perm[l.pos : l.pos+n])
		for s, idx := range l.perm[l.pos : l.pos+n] {
			i := int(idx)
			convert(x[s*f:(s+1)*f], px[i*f:(i+1)*f], &l.table)
			labels[s] = int32(lab[i])
		}
	}
	l.pos += n
	return n
}

// touch reads one byte of every cache line of the samples at idx before
// they are converted. The samples lie at random places in the pixel array,
// so converting them one after the other waits for memory sample by
// sample; these loads are independent, so the processor keeps many of
// them in flight at once (BenchmarkConvert/mnist_batch: 1.5 to 2x faster).
func (l *Loader) touch(idx []int32) {
	f, px := l.d.Features(), l.d.Pixels
	var sum uint8
	for _, i := range idx {
		s := px[int(i)*f : (int(i)+1)*f]
		for k := 0; k < len(s); k += 64 {
			sum += s[k]
		}
		if len(s) > 0 {
			sum += s[len(s)-1]
		}
	}
	l.sink = sum
}

// Batches starts epoch e (SetEpoch) and yields its batches, in the Loader's
// reused buffers (each valid until the next one is yielded).
func (l *Loader) Batches(e int) iter.Seq[Batch] {
	return func(yield func(Batch) bool) {
		l.SetEpoch(e)
		for b, ok := l.Next(); ok; b, ok = l.Next() {
			if !yield(b) {
				return
			}
		}
	}
}
