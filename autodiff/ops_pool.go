package autodiff

import (
	"fmt"
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/tensor"
)

// poolShape checks a pooling input [N, C, H, W] and returns its dimensions
// and the output's spatial size OH = (H-kernel)/stride+1 (likewise OW).
func poolShape(op string, x []int, kernel, stride int) (n, c, h, w, oh, ow int) {
	if len(x) != 4 {
		panic(&tensor.ShapeError{Op: op, Reason: "input must be [N, C, H, W]", Shapes: [][]int{x}})
	}
	if kernel < 1 || stride < 1 {
		panic(&tensor.ShapeError{Op: op, Reason: fmt.Sprintf("kernel %d and stride %d must be positive", kernel, stride), Shapes: [][]int{x}})
	}
	n, c, h, w = x[0], x[1], x[2], x[3]
	if h < kernel || w < kernel {
		panic(&tensor.ShapeError{Op: op, Reason: fmt.Sprintf("kernel %d larger than the input", kernel), Shapes: [][]int{x}})
	}
	return n, c, h, w, (h-kernel)/stride + 1, (w-kernel)/stride + 1
}

// MaxPool2d returns the maximum over kernel×kernel windows of x [N, C, H,
// W] taken every stride pixels, [N, C, OH, OW] with OH = (H-kernel)/stride
// + 1 (likewise OW): torch.nn.functional.max_pool2d without padding or
// dilation (rows and columns beyond the last full window are dropped).
//
// The indices of the maxima are kept as a residual: MaxPool2d is a gather
// at them, so its VJP is a scatter-add (overlapping windows accumulate) and
// its JVP reads the tangent there. Within a window the first maximum in
// row-major order wins, as in PyTorch; NaN counts as the largest. It panics
// with a *tensor.ShapeError on a bad shape, kernel or stride.
func MaxPool2d(x *Var, kernel, stride int) *Var {
	n, c, h, w, oh, ow := poolShape("maxpool2d", x.Shape(), kernel, stride)
	if x.Value.Size() > math.MaxInt32 {
		panic(&tensor.ShapeError{Op: "maxpool2d", Reason: "more than 2³¹-1 elements", Shapes: [][]int{x.Shape()}})
	}
	shape := []int{n, c, oh, ow}
	idx := allocIndex(x.tape, n*c*oh*ow)
	if kernel == 2 && stride == 2 {
		out := x.tape.alloc(shape...)
		maxPool2(out.Data(), idx, x.Value.Data(), n*c, h, w, oh, ow)
		return apply(&maxPool2Op{gatherOp: gatherOp{idx: idx, shape: shape}, out: out}, x)
	}
	maxPoolIndex(idx, x.Value.Data(), n*c, h, w, kernel, stride, oh, ow)
	return gather(x, idx, shape)
}

// maxPool2Op is the gather of a 2×2 stride-2 max pool whose values were
// found together with the indices (asm.MaxPool2x2 writes both), so that
// its Forward does not read the input a second time. Its name and JVP are
// the gather's (the op table's 2×2 max-pool cases check it as a gather);
// its VJP is the same scatter done by maxunpool2d, which writes each
// window once instead of clearing the input's shape and adding into it.
type maxPool2Op struct {
	gatherOp
	out *tensor.Tensor // x.flat[idx], shaped
}

func (o *maxPool2Op) Forward(t *Tape, in []*Var) *tensor.Tensor { return o.out }

// VJP: x̄ = maxunpool2d(ḡ) at the windows' maxima.
func (o *maxPool2Op) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	s := in[0].Shape()
	grads[0] = apply(&maxUnpool2Op{idx: o.idx, shape: [4]int{s[0], s[1], s[2], s[3]}}, g)
}

// maxUnpool2Op is the transpose of a 2×2 stride-2 max pool: g [N, C, OH,
// OW] goes to the maxima's places idx in zeros of shape [N, C, H, W]
// (OH = H/2, OW = W/2). It is scatterAdd for indices that are one per
// window, written window by window without clearing first; its transpose
// is the gather at idx.
type maxUnpool2Op struct {
	idx   []int32 // flat index of each window's maximum, one per input element
	shape [4]int  // the output shape [N, C, H, W]
}

var maxUnpool2Name = registerOp("maxunpool2d")

func (o *maxUnpool2Op) Name() string { return maxUnpool2Name }

func (o *maxUnpool2Op) Forward(t *Tape, in []*Var) *tensor.Tensor { return o.unpool(t, in[0].Value) }

func (o *maxUnpool2Op) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	return o.unpool(t, in[0].Tangent)
}

// VJP: ḡ = gather(c, idx).
func (o *maxUnpool2Op) VJP(t *Tape, in []*Var, out, c *Var, grads []*Var) {
	grads[0] = gather(c, o.idx, in[0].Shape())
}

func (o *maxUnpool2Op) unpool(t *Tape, g *tensor.Tensor) *tensor.Tensor {
	out := t.alloc(o.shape[:]...)
	n, c, h, w := o.shape[0], o.shape[1], o.shape[2], o.shape[3]
	oh, ow := h/2, w/2
	if g.Size() != n*c*oh*ow || len(o.idx) != g.Size() {
		panic(&tensor.ShapeError{Op: maxUnpool2Name, Reason: fmt.Sprintf("%d indices for the input", len(o.idx)),
			Shapes: [][]int{g.Shape(), o.shape[:]}})
	}
	gd, od := g.Data(), out.Data()
	planes := n * c
	parallelFor(planes, parts(planes, planes*h*w), func(lo, hi, _ int) {
		for p := lo; p < hi; p++ {
			i := p * oh * ow
			asm.MaxUnpool2x2(od[p*h*w:(p+1)*h*w], gd[i:i+oh*ow], o.idx[i:i+oh*ow], h, w, int32(p*h*w))
		}
	})
	return out
}

// maxPool2 writes the maxima and their flat indices of the 2×2 stride-2
// windows of x's planes (each h×w, giving oh×ow windows), splitting the
// planes over goroutines.
func maxPool2(dst []float32, idx []int32, x []float32, planes, h, w, oh, ow int) {
	parallelFor(planes, parts(planes, planes*h*w), func(lo, hi, _ int) {
		for p := lo; p < hi; p++ {
			o := p * oh * ow
			asm.MaxPool2x2(dst[o:o+oh*ow], idx[o:o+oh*ow], x[p*h*w:(p+1)*h*w], h, w, int32(p*h*w))
		}
	})
}

// maxPoolIndex writes the flat index of each window's maximum, splitting
// the planes over goroutines (2×2 windows with stride 2 go to maxPool2
// instead).
func maxPoolIndex(idx []int32, x []float32, planes, h, w, k, s, oh, ow int) {
	parallelFor(planes, parts(planes, planes*h*w), func(lo, hi, _ int) {
		maxPoolIndexGeneric(idx, x, lo, hi, h, w, k, s, oh, ow)
	})
}

// maxPoolIndexGeneric is maxPoolIndex for any window and stride, on
// planes p0..p1.
func maxPoolIndexGeneric(idx []int32, x []float32, p0, p1, h, w, k, s, oh, ow int) {
	for p := p0; p < p1; p++ {
		base := p * h * w
		plane := x[base : base+h*w]
		out := idx[p*oh*ow : (p+1)*oh*ow]
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				top := i*s*w + j*s
				best, bv := top, plane[top]
				for ki := 0; ki < k; ki++ {
					row := plane[top+ki*w : top+ki*w+k]
					for kj, v := range row {
						if v > bv || (v != v && bv == bv) {
							best, bv = top+ki*w+kj, v
						}
					}
				}
				out[i*ow+j] = int32(base + best)
			}
		}
	}
}

// maxPoolIndex2 is maxPool2 without the maxima: the indices of the 2×2
// stride-2 windows' maxima on planes p0..p1, with the same tie and NaN
// rules as maxPoolIndexGeneric (the tests compare the two): the
// first maximum in row-major window order wins, and NaN beats everything.
// asm.MaxPool2x2 does each plane (AVX-512 compares 16 windows at a time).
func maxPoolIndex2(idx []int32, x []float32, p0, p1, h, w, oh, ow int) {
	for p := p0; p < p1; p++ {
		base := p * h * w
		asm.MaxPool2x2(nil, idx[p*oh*ow:(p+1)*oh*ow], x[base:base+h*w], h, w, int32(base))
	}
}

// avgPoolOp averages kernel×kernel windows taken every stride pixels.
type avgPoolOp struct{ kernel, stride int }

var avgPoolName = registerOp("avgpool2d")

func (o *avgPoolOp) Name() string { return avgPoolName }

func (o *avgPoolOp) Forward(t *Tape, in []*Var) *tensor.Tensor { return o.pool(t, in[0].Value) }

func (o *avgPoolOp) pool(t *Tape, x *tensor.Tensor) *tensor.Tensor {
	n, c, h, w, oh, ow := poolShape(avgPoolName, x.Shape(), o.kernel, o.stride)
	out := t.alloc(n, c, oh, ow)
	k, s := o.kernel, o.stride
	inv := 1 / float32(k*k)
	xd, od := x.Data(), out.Data()
	for p := 0; p < n*c; p++ {
		plane := xd[p*h*w : (p+1)*h*w]
		dst := od[p*oh*ow : (p+1)*oh*ow]
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				top := i*s*w + j*s
				var sum float32
				for ki := 0; ki < k; ki++ {
					for _, v := range plane[top+ki*w : top+ki*w+k] {
						sum += v
					}
				}
				dst[i*ow+j] = sum * inv
			}
		}
	}
	return out
}

func (o *avgPoolOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor { return o.pool(t, in[0].Tangent) }

// VJP: each window receives ḡ/k² per element (avgPoolGradOp).
func (o *avgPoolOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	s := in[0].Shape()
	grads[0] = apply(&avgPoolGradOp{kernel: o.kernel, stride: o.stride, h: s[2], w: s[3]}, g)
}

// AvgPool2d returns the mean over kernel×kernel windows of x [N, C, H, W]
// taken every stride pixels, [N, C, OH, OW] with OH = (H-kernel)/stride +
// 1 (likewise OW): torch.nn.functional.avg_pool2d without padding. It is
// linear; its VJP is the avgpool2dgrad op, whose VJP is AvgPool2d. It
// panics with a *tensor.ShapeError on a bad shape, kernel or stride.
func AvgPool2d(x *Var, kernel, stride int) *Var {
	poolShape(avgPoolName, x.Shape(), kernel, stride)
	return apply(&avgPoolOp{kernel: kernel, stride: stride}, x)
}

// avgPoolGradOp spreads g [N, C, OH, OW] over the windows of an [N, C, H,
// W] output, each element of a window receiving g/k²: the transpose of
// avgPoolOp.
type avgPoolGradOp struct{ kernel, stride, h, w int }

var avgPoolGradName = registerOp("avgpool2dgrad")

func (o *avgPoolGradOp) Name() string { return avgPoolGradName }

func (o *avgPoolGradOp) Forward(t *Tape, in []*Var) *tensor.Tensor { return o.spread(t, in[0].Value) }

func (o *avgPoolGradOp) spread(t *Tape, g *tensor.Tensor) *tensor.Tensor {
	gs := g.Shape()
	n, c, h, w := gs[0], gs[1], o.h, o.w
	oh, ow := gs[2], gs[3]
	out := t.zeros(n, c, h, w)
	k, s := o.kernel, o.stride
	inv := 1 / float32(k*k)
	gd, od := g.Data(), out.Data()
	for p := 0; p < n*c; p++ {
		plane := od[p*h*w : (p+1)*h*w]
		src := gd[p*oh*ow : (p+1)*oh*ow]
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				v := src[i*ow+j] * inv
				top := i*s*w + j*s
				for ki := 0; ki < k; ki++ {
					row := plane[top+ki*w : top+ki*w+k]
					for kj := range row {
						row[kj] += v
					}
				}
			}
		}
	}
	return out
}

func (o *avgPoolGradOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	return o.spread(t, in[0].Tangent)
}

// VJP: ḡ = AvgPool2d(c).
func (o *avgPoolGradOp) VJP(t *Tape, in []*Var, out, c *Var, grads []*Var) {
	grads[0] = apply(&avgPoolOp{kernel: o.kernel, stride: o.stride}, c)
}
