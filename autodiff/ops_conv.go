package autodiff

import (
	"fmt"

	"github.com/gograd/gograd/tensor"
)

// Conv2d is a composition of four ops, so that it is differentiable in
// every mode without a hand-written backward kernel:
//
//	cols = im2col(x)             [C·KH·KW, N·OH·OW]
//	y    = W·cols                [O, N·OH·OW]        (one sgemm, W as [O, C·KH·KW])
//	out  = convout(y) + b        [N, O, OH, OW]
//
// The column matrix is "transposed" (one row per filter tap, one column per
// output pixel, as in Caffe) so that im2col, col2im and the layout op move
// whole contiguous image rows; the bias add is fused into the layout op.
// The backward pass is two sgemms (Ḡ·colsᵀ for W, Wᵀ·Ḡ for cols) and a
// col2im; im2col and col2im are each other's transpose.

// convGeom is the geometry of a convolution.
type convGeom struct {
	n, c, h, w     int // input [N, C, H, W]
	kh, kw         int // kernel
	stride, pad    int
	oh, ow         int // output spatial size
	colRows, pixel int // C·KH·KW and N·OH·OW
}

func newConvGeom(op string, x, wshape []int, stride, pad int) convGeom {
	if len(x) != 4 || len(wshape) != 4 || x[1] != wshape[1] {
		panic(&tensor.ShapeError{Op: op, Reason: "want input [N, C, H, W] and weight [O, C, KH, KW]", Shapes: [][]int{x, wshape}})
	}
	if stride < 1 || pad < 0 {
		panic(&tensor.ShapeError{Op: op, Reason: fmt.Sprintf("stride %d must be positive and padding %d non-negative", stride, pad), Shapes: [][]int{x, wshape}})
	}
	g := convGeom{n: x[0], c: x[1], h: x[2], w: x[3], kh: wshape[2], kw: wshape[3], stride: stride, pad: pad}
	if g.kh < 1 || g.kw < 1 || g.h+2*pad < g.kh || g.w+2*pad < g.kw {
		panic(&tensor.ShapeError{Op: op, Reason: fmt.Sprintf("kernel larger than the padded input (padding %d)", pad), Shapes: [][]int{x, wshape}})
	}
	g.oh = (g.h+2*pad-g.kh)/stride + 1
	g.ow = (g.w+2*pad-g.kw)/stride + 1
	g.colRows = g.c * g.kh * g.kw
	g.pixel = g.n * g.oh * g.ow
	return g
}

// validCols returns the range [lo, hi) of output columns j whose input
// column j·stride + off lies in [0, w).
func (g *convGeom) validCols(off int) (lo, hi int) {
	s := g.stride
	if off < 0 {
		lo = (-off + s - 1) / s
	}
	if g.w-off > 0 {
		hi = (g.w - off + s - 1) / s
	}
	hi = min(hi, g.ow)
	lo = min(lo, hi)
	return lo, hi
}

// im2col writes the column matrix of x into cols: row (c, ki, kj), column
// (n, i, j) holds x[n, c, i·s-p+ki, j·s-p+kj], zero outside the image.
func (g *convGeom) im2col(cols, x []float32) {
	ohw, hw := g.oh*g.ow, g.h*g.w
	for c := 0; c < g.c; c++ {
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				r := (c*g.kh+ki)*g.kw + kj
				row := cols[r*g.pixel : (r+1)*g.pixel]
				off := kj - g.pad
				lo, hi := g.validCols(off)
				for n := 0; n < g.n; n++ {
					plane := x[(n*g.c+c)*hw : (n*g.c+c+1)*hw]
					for i := 0; i < g.oh; i++ {
						dst := row[n*ohw+i*g.ow : n*ohw+(i+1)*g.ow]
						y := i*g.stride - g.pad + ki
						if y < 0 || y >= g.h {
							clear(dst)
							continue
						}
						src := plane[y*g.w : (y+1)*g.w]
						clear(dst[:lo])
						clear(dst[hi:])
						if g.stride == 1 {
							copy(dst[lo:hi], src[lo+off:])
						} else {
							for j := lo; j < hi; j++ {
								dst[j] = src[j*g.stride+off]
							}
						}
					}
				}
			}
		}
	}
}

// col2im adds the column matrix back into an image: the transpose of
// im2col. x is overwritten.
func (g *convGeom) col2im(x, cols []float32) {
	clear(x)
	ohw, hw := g.oh*g.ow, g.h*g.w
	for c := 0; c < g.c; c++ {
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				r := (c*g.kh+ki)*g.kw + kj
				row := cols[r*g.pixel : (r+1)*g.pixel]
				off := kj - g.pad
				lo, hi := g.validCols(off)
				for n := 0; n < g.n; n++ {
					plane := x[(n*g.c+c)*hw : (n*g.c+c+1)*hw]
					for i := 0; i < g.oh; i++ {
						y := i*g.stride - g.pad + ki
						if y < 0 || y >= g.h {
							continue
						}
						src := row[n*ohw+i*g.ow : n*ohw+(i+1)*g.ow]
						dst := plane[y*g.w : (y+1)*g.w]
						if g.stride == 1 {
							d := dst[lo+off : hi+off]
							for j, v := range src[lo:hi] {
								d[j] += v
							}
						} else {
							for j := lo; j < hi; j++ {
								dst[j*g.stride+off] += src[j]
							}
						}
					}
				}
			}
		}
	}
}

// im2colOp is x [N, C, H, W] ↦ cols [C·KH·KW, N·OH·OW]; linear, with
// col2imOp as its transpose.
type im2colOp struct{ g convGeom }

var im2colName = registerOp("im2col")

func (o *im2colOp) Name() string { return im2colName }

func (o *im2colOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	out := t.alloc(o.g.colRows, o.g.pixel)
	o.g.im2col(out.Data(), in[0].Value.Data())
	return out
}

func (o *im2colOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	res := t.alloc(o.g.colRows, o.g.pixel)
	o.g.im2col(res.Data(), in[0].Tangent.Data())
	return res
}

func (o *im2colOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	grads[0] = apply(&col2imOp{o.g}, g)
}

// col2imOp is cols [C·KH·KW, N·OH·OW] ↦ x [N, C, H, W], summing the
// overlaps; the transpose of im2colOp.
type col2imOp struct{ g convGeom }

var col2imName = registerOp("col2im")

func (o *col2imOp) Name() string { return col2imName }

func (o *col2imOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	out := t.alloc(o.g.n, o.g.c, o.g.h, o.g.w)
	o.g.col2im(out.Data(), in[0].Value.Data())
	return out
}

func (o *col2imOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	res := t.alloc(o.g.n, o.g.c, o.g.h, o.g.w)
	o.g.col2im(res.Data(), in[0].Tangent.Data())
	return res
}

func (o *col2imOp) VJP(t *Tape, in []*Var, out, c *Var, grads []*Var) {
	grads[0] = apply(&im2colOp{o.g}, c)
}

// convOutOp lays y [O, N·H·W] out as [N, O, H, W] and adds the bias b [O]
// when given as a second input.
type convOutOp struct{ n, h, w int }

var convOutName = registerOp("convout")

func (o *convOutOp) Name() string { return convOutName }

func (o *convOutOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	var b []float32
	if len(in) == 2 {
		b = in[1].Value.Data()
	}
	return o.layout(t, in[0].Value, b)
}

// layout writes y's rows into [N, O, H, W] plus b (nil: no bias; y nil:
// zeros plus b).
func (o *convOutOp) layout(t *Tape, y *tensor.Tensor, b []float32) *tensor.Tensor {
	hw := o.h * o.w
	oc := len(b)
	if y != nil {
		oc = y.Shape()[0]
	}
	out := t.alloc(o.n, oc, o.h, o.w)
	od := out.Data()
	var yd []float32
	if y != nil {
		yd = y.Data()
	}
	for n := 0; n < o.n; n++ {
		for c := 0; c < oc; c++ {
			dst := od[(n*oc+c)*hw : (n*oc+c+1)*hw]
			var bias float32
			if b != nil {
				bias = b[c]
			}
			if yd == nil {
				for j := range dst {
					dst[j] = bias
				}
				continue
			}
			src := yd[c*o.n*hw+n*hw : c*o.n*hw+(n+1)*hw]
			if b == nil {
				copy(dst, src)
				continue
			}
			for j, v := range src {
				dst[j] = v + bias
			}
		}
	}
	return out
}

func (o *convOutOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	var db []float32
	if len(in) == 2 && in[1].Tangent != nil {
		db = in[1].Tangent.Data()
	}
	return o.layout(t, in[0].Tangent, db)
}

// VJP: ȳ is ḡ laid back out as [O, N·H·W] (convInOp); b̄ sums ȳ's rows.
func (o *convOutOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	gy := apply(&convInOp{}, g)
	grads[0] = gy
	if len(in) == 2 && in[1].needsGrad() {
		oc := gy.Shape()[0]
		grads[1] = Reshape(SumTo(gy, []int{oc, 1}), oc)
	}
}

// convInOp lays g [N, O, H, W] out as [O, N·H·W]: the transpose of
// convOutOp without bias.
type convInOp struct{}

var convInName = registerOp("convin")

func (o *convInOp) Name() string { return convInName }

func (o *convInOp) Forward(t *Tape, in []*Var) *tensor.Tensor { return convIn(t, in[0].Value) }

func convIn(t *Tape, g *tensor.Tensor) *tensor.Tensor {
	s := g.Shape()
	n, oc, hw := s[0], s[1], s[2]*s[3]
	out := t.alloc(oc, n*hw)
	gd, od := g.Data(), out.Data()
	for i := 0; i < n; i++ {
		for c := 0; c < oc; c++ {
			copy(od[c*n*hw+i*hw:c*n*hw+(i+1)*hw], gd[(i*oc+c)*hw:(i*oc+c+1)*hw])
		}
	}
	return out
}

func (o *convInOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor { return convIn(t, in[0].Tangent) }

func (o *convInOp) VJP(t *Tape, in []*Var, out, c *Var, grads []*Var) {
	s := in[0].Shape()
	grads[0] = apply(&convOutOp{n: s[0], h: s[2], w: s[3]}, c)
}

// Conv2d returns the 2-D cross-correlation of x [N, C, H, W] with filters
// w [O, C, KH, KW] plus the bias b [O] (nil for none), as
// torch.nn.functional.conv2d with the given stride and zero padding on
// every side (no dilation, one group). The output is [N, O, OH, OW] with
// OH = (H+2·padding-KH)/stride + 1 (likewise OW).
//
// It is im2col, one matrix product and a layout op with the bias fused
// (see the comment at the top of ops_conv.go); every intermediate comes
// from the tape's arena. It panics with a *tensor.ShapeError on
// mismatched shapes, a stride below 1, a negative padding or a kernel
// larger than the padded input.
func Conv2d(x, w, b *Var, stride, padding int) *Var {
	ws := w.Shape()
	g := newConvGeom("conv2d", x.Shape(), ws, stride, padding)
	oc := ws[0]
	if b != nil {
		if bs := b.Shape(); len(bs) != 1 || bs[0] != oc {
			panic(&tensor.ShapeError{Op: "conv2d", Reason: "bias must be [O]", Shapes: [][]int{x.Shape(), ws, bs}})
		}
	}
	cols := apply(&im2colOp{g}, x)
	y := MatMul(Reshape(w, oc, g.colRows), cols, false, false)
	lay := &convOutOp{n: g.n, h: g.oh, w: g.ow}
	if b == nil {
		return apply(lay, y)
	}
	return apply(lay, y, b)
}
