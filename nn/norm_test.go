package nn

import (
	"math"
	"testing"

	"github.com/gograd/gograd/tensor"
)

// channelStats returns the mean and biased variance of each channel of x
// (axis 1) over all other axes, in float64.
func channelStats(x *tensor.Tensor) (mean, variance []float64, n int) {
	s := x.Shape()
	c := s[1]
	inner := 1
	for _, d := range s[2:] {
		inner *= d
	}
	d := x.Data()
	mean, variance = make([]float64, c), make([]float64, c)
	n = s[0] * inner
	for i, v := range d {
		mean[(i/inner)%c] += float64(v)
	}
	for ch := range mean {
		mean[ch] /= float64(n)
	}
	for i, v := range d {
		ch := (i / inner) % c
		variance[ch] += (float64(v) - mean[ch]) * (float64(v) - mean[ch])
	}
	for ch := range variance {
		variance[ch] /= float64(n)
	}
	return mean, variance, n
}

func bnReference(x *tensor.Tensor, mean, variance, gamma, beta []float64, eps float64) []float64 {
	s := x.Shape()
	c := s[1]
	inner := 1
	for _, d := range s[2:] {
		inner *= d
	}
	out := make([]float64, x.Size())
	for i, v := range x.Data() {
		ch := (i / inner) % c
		out[i] = (float64(v)-mean[ch])/math.Sqrt(variance[ch]+eps)*gamma[ch] + beta[ch]
	}
	return out
}

func TestBatchNormTrainEval(t *testing.T) {
	for _, tc := range []struct {
		name  string
		bn    *BatchNorm
		shape []int
	}{
		{"1d", NewBatchNorm1d(3), []int{5, 3}},
		{"1d-3d", NewBatchNorm1d(2, WithMomentum(0.3)), []int{4, 2, 3}},
		{"2d", NewBatchNorm2d(3, WithEps(1e-3)), []int{2, 3, 2, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := tensor.NewRNG(11)
			bn := tc.bn
			c := bn.Features
			tensor.FillUniform(rng, bn.Weight.Value.Data(), 0.5, 1.5)
			tensor.FillUniform(rng, bn.Bias.Value.Data(), -1, 1)
			gamma, beta := f64(bn.Weight.Value.Data()), f64(bn.Bias.Value.Data())
			eps, mom := float64(bn.Eps), float64(bn.Momentum)
			rm, rv := make([]float64, c), make([]float64, c)
			for i := range rv {
				rv[i] = 1
			}
			for step := 0; step < 3; step++ {
				x := tensor.RandN(rng, 2, tc.shape...)
				for i, v := range x.Data() { // shift the mean away from 0
					x.Data()[i] = v + 3
				}
				mean, variance, n := channelStats(x)
				y := forward(bn, x)
				checkClose(t, "train output", y.Data(), bnReference(x, mean, variance, gamma, beta, eps), 1e-4)
				for ch := 0; ch < c; ch++ {
					rm[ch] = (1-mom)*rm[ch] + mom*mean[ch]
					rv[ch] = (1-mom)*rv[ch] + mom*variance[ch]*float64(n)/float64(n-1)
				}
				checkClose(t, "running_mean", bn.RunningMean.Value.Data(), rm, 1e-5)
				checkClose(t, "running_var", bn.RunningVar.Value.Data(), rv, 1e-5)
				if got := bn.NumBatchesTracked.Value.Item(); got != float32(step+1) {
					t.Errorf("num_batches_tracked = %v, want %d", got, step+1)
				}
			}
			bn.Train(false)
			x := tensor.RandN(rng, 1, tc.shape...)
			before := bn.RunningMean.Value.Clone()
			y := forward(bn, x)
			checkClose(t, "eval output", y.Data(), bnReference(x, rm, rv, gamma, beta, eps), 1e-5)
			checkClose(t, "running_mean after eval", bn.RunningMean.Value.Data(), f64(before.Data()), 0)
			if got := bn.NumBatchesTracked.Value.Item(); got != 3 {
				t.Errorf("num_batches_tracked = %v after eval, want 3", got)
			}
		})
	}
}

func TestBatchNormState(t *testing.T) {
	bn := NewBatchNorm2d(4)
	want := []struct {
		name   string
		buffer bool
		shape  int // -1 for a scalar
		value  float32
	}{
		{"weight", false, 4, 1}, {"bias", false, 4, 0},
		{"running_mean", true, 4, 0}, {"running_var", true, 4, 1}, {"num_batches_tracked", true, -1, 0},
	}
	st := bn.State()
	if len(st) != len(want) {
		t.Fatalf("%d state entries, want %d", len(st), len(want))
	}
	for i, w := range want {
		p := st[i]
		if p.Name != w.name || p.Buffer != w.buffer || p.Var.RequiresGrad() == w.buffer {
			t.Errorf("entry %d: %q buffer=%v requiresGrad=%v, want %q buffer=%v", i, p.Name, p.Buffer, p.Var.RequiresGrad(), w.name, w.buffer)
		}
		s := p.Var.Value.Shape()
		if (w.shape < 0 && len(s) != 0) || (w.shape >= 0 && (len(s) != 1 || s[0] != w.shape)) {
			t.Errorf("%s shape %v", p.Name, s)
		}
		for _, v := range p.Var.Value.Data() {
			if v != w.value {
				t.Errorf("%s initial value %v, want %v", p.Name, v, w.value)
				break
			}
		}
	}
}

func TestLayerNormForward(t *testing.T) {
	rng := tensor.NewRNG(12)
	ln := NewLayerNorm([]int{2, 3})
	tensor.FillUniform(rng, ln.Weight.Value.Data(), 0.5, 1.5)
	tensor.FillUniform(rng, ln.Bias.Value.Data(), -1, 1)
	x := tensor.RandN(rng, 3, 4, 2, 3)
	want := make([]float64, 0, x.Size())
	d := x.Data()
	for s := 0; s < 4; s++ {
		row := f64(d[s*6 : (s+1)*6])
		var mean, v float64
		for _, a := range row {
			mean += a / 6
		}
		for _, a := range row {
			v += (a - mean) * (a - mean) / 6
		}
		for j, a := range row {
			want = append(want, (a-mean)/math.Sqrt(v+1e-5)*float64(ln.Weight.Value.Data()[j])+float64(ln.Bias.Value.Data()[j]))
		}
	}
	y := forward(ln, x)
	checkClose(t, "layernorm", y.Data(), want, 1e-5)
	ln.Train(false)
	checkClose(t, "layernorm eval", forward(ln, x).Data(), want, 1e-5)
}

func TestDropout(t *testing.T) {
	x := tensor.Full(1, 100, 100)
	d := NewDropout(0.3, tensor.NewRNG(5))
	y := forward(d, x)
	zeros := 0
	for _, v := range y.Data() {
		switch {
		case v == 0:
			zeros++
		case math.Abs(float64(v)-1/0.7) > 1e-6:
			t.Fatalf("kept value %v, want 1/(1−p) = %v", v, 1/0.7)
		}
	}
	// 10000 draws with p = 0.3: the standard deviation of the count is
	// about 46, so ±250 is over five of them.
	if zeros < 2750 || zeros > 3250 {
		t.Errorf("%d of 10000 zeroed, want about 3000", zeros)
	}
	// A seed fixes the masks.
	y2 := forward(NewDropout(0.3, tensor.NewRNG(5)), x)
	checkClose(t, "same seed", y2.Data(), f64(y.Data()), 0)

	d.Train(false)
	xp := randT(tensor.NewRNG(1), 3, 4)
	tp := newTapeInput(xp)
	if got := d.Forward(tp); got != tp {
		t.Error("eval-mode Dropout is not the identity")
	}
	d.Train(true)
	if got := NewDropout(0, tensor.NewRNG(1)).Forward(tp); got != tp {
		t.Error("Dropout(0) is not the identity")
	}
}
