package autodiff

import (
	"fmt"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/tensor"
)

// Conv2d is one op, conv2d, whose backward rules are two more ops,
// conv2dgradx (the input's cotangent) and conv2dgradw (the weight's); the
// three are bilinear and each one's JVP and VJP are made of the three, so
// every mode is differentiable to any order. Each works image by image:
//
//	cols   = im2col(x[n])        [C·KH·KW, OH·OW]
//	out[n] = W·cols + b          [O, OH·OW]          (W as [O, C·KH·KW])
//	x̄[n]   = col2im(Wᵀ·ḡ[n])
//	W̄     += ḡ[n]·colsᵀ
//
// The column matrix is "transposed" (one row per filter tap, one column per
// output pixel, as in Caffe) so that im2col and col2im move whole
// contiguous image rows, and out[n] = W·cols is already the NCHW layout of
// image n. One image's columns (at most a few hundred KB for MNIST-sized
// inputs) stay in cache between im2col and the sgemm, which then reads them
// in place instead of packing a matrix of the whole batch.
//
// 3×3 stride-1 convolutions with at least winoMinChannels input and output
// channels take Winograd F(4×4, 3×3) instead when the AVX-512 tile
// transforms run (asm.WinogradInput and friends; the Go references are
// slower than im2col's copies), for all three ops
// (conv_winograd.go): 4× fewer flops in the products, for float32 rounding
// errors about 25 times those of the direct sum (a few 1e-6 of the output
// scale). The choice is made once, in newConvGeom, and travels with the
// geometry into the backward ops.

// convGeom is the geometry of a convolution.
type convGeom struct {
	n, c, h, w     int // input [N, C, H, W]
	kh, kw         int // kernel
	stride, pad    int
	oh, ow         int  // output spatial size
	colRows, pixel int  // C·KH·KW and N·OH·OW
	wino           bool // Winograd F(4×4, 3×3) instead of im2col (conv_winograd.go)
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
	g.wino = g.winogradFits() && min(g.c, wshape[0]) >= winoMinChannels && asm.Active() == asm.AVX512
	return g
}

// winoMinChannels is the fewest input and output channels for which the
// three conv ops use Winograd: with fewer, the transforms cost more than
// the flops they save.
const winoMinChannels = 8

// winogradFits reports whether Winograd F(4×4, 3×3) can compute g's
// convolution and both its cotangents: a 3×3 kernel and stride 1.
func (g *convGeom) winogradFits() bool {
	return g.kh == 3 && g.kw == 3 && g.stride == 1
}

// winoForward is the Winograd geometry of g's convolution with oc filters.
func (g *convGeom) winoForward(oc int) winoGeom {
	return newWinoGeom(g.n, g.c, oc, g.h, g.w, g.pad)
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
	if g.stride == 1 && g.pad == 0 {
		g.im2colValid(cols, x)
		return
	}
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

// im2colValid is im2col for stride 1 without padding (the common case):
// row (c, ki, kj) of cols is, for each image, OH runs of OW consecutive
// values of plane c starting at rows ki.., column kj, with no bounds to
// clip. Row (c, ki, kj) for ki > 0 is row (c, ki-1, kj) moved up by one
// run plus one new run, so most of it is one long copy instead of OH
// short ones.
func (g *convGeom) im2colValid(cols, x []float32) {
	ohw, hw, ow, w := g.oh*g.ow, g.h*g.w, g.ow, g.w
	for c := 0; c < g.c; c++ {
		for kj := 0; kj < g.kw; kj++ {
			for ki := 0; ki < g.kh; ki++ {
				r := (c*g.kh+ki)*g.kw + kj
				row := cols[r*g.pixel : (r+1)*g.pixel]
				for n := 0; n < g.n; n++ {
					src := x[(n*g.c+c)*hw+ki*w+kj : (n*g.c+c+1)*hw]
					dst := row[n*ohw : (n+1)*ohw]
					i := 0
					if ki > 0 {
						prev := cols[(r-g.kw)*g.pixel+n*ohw : (r-g.kw)*g.pixel+(n+1)*ohw]
						copy(dst[:ohw-ow], prev[ow:])
						i = g.oh - 1
					}
					for ; i < g.oh; i++ {
						copy(dst[i*ow:(i+1)*ow], src[i*w:i*w+ow])
					}
				}
			}
		}
	}
}

// col2im adds the column matrix back into an image: the transpose of
// im2col. x is overwritten. tmp is scratch of KW·H·OW elements (used for
// stride 1, no padding and KW = 3).
func (g *convGeom) col2im(x, cols, tmp []float32) {
	if g.stride == 1 && g.pad == 0 && g.kw == 3 && g.ow >= 2 {
		g.col2imValid3(x, cols, tmp)
		return
	}
	clear(x)
	if g.stride == 1 && g.pad == 0 {
		g.col2imValid(x, cols)
		return
	}
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
							asm.Axpy(dst[lo+off:hi+off], 1, src[lo:hi])
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

// col2imValid adds cols into x for stride 1 without padding: the
// transpose of im2colValid.
func (g *convGeom) col2imValid(x, cols []float32) {
	ohw, hw, ow, w := g.oh*g.ow, g.h*g.w, g.ow, g.w
	for c := 0; c < g.c; c++ {
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				r := (c*g.kh+ki)*g.kw + kj
				row := cols[r*g.pixel : (r+1)*g.pixel]
				for n := 0; n < g.n; n++ {
					dst := x[(n*g.c+c)*hw+ki*w+kj : (n*g.c+c+1)*hw]
					src := row[n*ohw : (n+1)*ohw]
					for i := 0; i < g.oh; i++ {
						asm.Axpy(dst[i*w:i*w+ow], 1, src[i*ow:(i+1)*ow])
					}
				}
			}
		}
	}
}

// col2imValid3 is col2im for stride 1, no padding and kernels three
// wide (ow ≥ 2), which overwrites x without clearing it first. For each
// channel and kernel column kj, it sums the KH rows (c, ki, kj) of cols,
// each shifted down by ki image rows, into tmp (long vector adds); then
// each image row is the sum of the three taps' sums, written in one pass.
func (g *convGeom) col2imValid3(x, cols, tmp []float32) {
	ohw, hw, ow, w := g.oh*g.ow, g.h*g.w, g.ow, g.w
	span := g.h * ow
	t0, t1, t2 := tmp[:span], tmp[span:2*span], tmp[2*span:3*span]
	for n := 0; n < g.n; n++ {
		for c := 0; c < g.c; c++ {
			for kj, tk := range [3][]float32{t0, t1, t2} {
				for ki := 0; ki < g.kh; ki++ {
					r := (c*g.kh+ki)*3 + kj
					src := cols[r*g.pixel+n*ohw : r*g.pixel+(n+1)*ohw]
					if ki == 0 {
						copy(tk, src)
						clear(tk[ohw:])
						continue
					}
					asm.Axpy(tk[ki*ow:ki*ow+ohw], 1, src)
				}
			}
			plane := x[(n*g.c+c)*hw : (n*g.c+c+1)*hw]
			for y := 0; y < g.h; y++ {
				a, b, e := t0[y*ow:(y+1)*ow], t1[y*ow:(y+1)*ow], t2[y*ow:(y+1)*ow]
				d := plane[y*w : y*w+ow+2]
				d[0] = a[0]
				d[1] = a[1] + b[0]
				for j := 2; j < ow; j++ {
					d[j] = a[j] + b[j-1] + e[j-2]
				}
				d[ow] = b[ow-1] + e[ow-2]
				d[ow+1] = e[ow-1]
			}
		}
	}
}

// image returns the geometry of one image of g.
func (g convGeom) image() convGeom {
	g.n = 1
	g.pixel = g.oh * g.ow
	return g
}

// imageWork is the work of one image, in elements touched, for parts.
func (g *convGeom) imageWork() int { return g.colRows * g.oh * g.ow }

// colsSize is the scratch of one goroutine: a column matrix [C·KH·KW,
// OH·OW], a row of ones below it for the bias, and col2im's tmp.
func (g *convGeom) colsSize() int { return (g.colRows+1)*g.oh*g.ow + g.kw*g.h*g.ow }

// colsParts returns the goroutines sharing the images of g and allocates
// their scratch, colsSize elements each.
func (g *convGeom) colsParts(t *Tape) (p int, cols []float32) {
	p = parts(g.n, g.n*g.imageWork())
	return p, t.alloc(p, g.colsSize()).Data()
}

// partCols returns goroutine part's scratch out of cols.
func (g *convGeom) partCols(cols []float32, part int) []float32 {
	size := g.colsSize()
	return cols[part*size : (part+1)*size]
}

// biasScratch returns convForward's scratch for the weight [O, C·KH·KW]
// with the bias b appended as a last column, or nil without b.
func (g *convGeom) biasScratch(t *Tape, oc int, b *tensor.Tensor) []float32 {
	if b == nil {
		return nil
	}
	return t.alloc(oc, g.colRows+1).Data()
}

// convForward sets out [N, O, OH, OW] to the convolution of x [N, C, H, W]
// with w [O, C·KH·KW] plus b [O] (nil: none), or adds both to out when
// acc is set, splitting the images over p goroutines. cols is scratch of
// p·colsSize elements. Without acc, the bias rides in the sgemm as a last
// column of the weight, copied to wb (O·(C·KH·KW+1) elements), times a
// row of ones below the columns.
func (g *convGeom) convForward(out, x, w, b, cols, wb []float32, acc bool, p int) {
	g1 := g.image()
	ohw, chw := g1.pixel, g.c*g.h*g.w
	oc := len(w) / g.colRows
	k, wk := g.colRows, w
	if b != nil && !acc {
		k = g.colRows + 1
		wk = wb[:oc*k]
		for o := 0; o < oc; o++ {
			copy(wk[o*k:o*k+g.colRows], w[o*g.colRows:(o+1)*g.colRows])
			wk[o*k+g.colRows] = b[o]
		}
	}
	parallelFor(g.n, p, func(lo, hi, part int) {
		pc := g.partCols(cols, part)
		if k > g.colRows {
			ones := pc[g.colRows*ohw : k*ohw]
			for i := range ones {
				ones[i] = 1
			}
		}
		for n := lo; n < hi; n++ {
			dst := out[n*oc*ohw : (n+1)*oc*ohw]
			beta := float32(0)
			if acc {
				beta = 1
				if b != nil {
					addBias(dst, b, ohw)
				}
			}
			g1.im2col(pc, x[n*chw:(n+1)*chw])
			tensor.Sgemm(false, false, oc, ohw, k, 1, wk, k, pc, ohw, beta, dst, ohw)
		}
	})
}

// fillBias sets each row c of dst (rows of hw) to b[c].
func fillBias(dst, b []float32, hw int) {
	for c, v := range b {
		row := dst[c*hw : (c+1)*hw]
		for j := range row {
			row[j] = v
		}
	}
}

// addBias adds b[c] to each row c of dst (rows of hw).
func addBias(dst, b []float32, hw int) {
	for c, v := range b {
		row := dst[c*hw : (c+1)*hw]
		for j := range row {
			row[j] += v
		}
	}
}

// convGradX sets dx [N, C, H, W] to Σ_t col2im(w_tᵀ·g_t[n]) over the
// pairs t given (g_t [N, O, OH, OW], w_t [O, C·KH·KW]; a pair with a nil
// member is skipped, at least one is complete), splitting the images over
// p goroutines. cols is scratch of p·C·KH·KW·OH·OW elements.
func (g *convGeom) convGradX(dx, cols []float32, p int, pairs ...[2][]float32) {
	g1 := g.image()
	ohw, chw := g1.pixel, g.c*g.h*g.w
	parallelFor(g.n, p, func(lo, hi, part int) {
		pc := g.partCols(cols, part)
		for n := lo; n < hi; n++ {
			beta := float32(0)
			for _, pr := range pairs {
				gt, wt := pr[0], pr[1]
				if gt == nil || wt == nil {
					continue
				}
				oc := len(wt) / g.colRows
				tensor.Sgemm(true, false, g.colRows, ohw, oc, 1, wt, g.colRows, gt[n*oc*ohw:(n+1)*oc*ohw], ohw, beta, pc, ohw)
				beta = 1
			}
			g1.col2im(dx[n*chw:(n+1)*chw], pc, pc[(g.colRows+1)*ohw:])
		}
	})
}

// convGradW sets dw [O, C·KH·KW] to Σ_t Σ_n g_t[n]·im2col(x_t[n])ᵀ over
// the pairs t given (x_t [N, C, H, W], g_t [N, O, OH, OW]; a pair with a
// nil member is skipped, at least one is complete), splitting the images
// over p goroutines. cols is scratch of p·C·KH·KW·OH·OW elements and sums
// of p-1 elements of dw's size, where goroutines but the last accumulate.
func (g *convGeom) convGradW(dw, cols, sums []float32, p int, pairs ...[2][]float32) {
	g1 := g.image()
	ohw, chw := g1.pixel, g.c*g.h*g.w
	oc := len(dw) / g.colRows
	parallelFor(g.n, p, func(lo, hi, part int) {
		pc := g.partCols(cols, part)
		acc := dw
		if part < p-1 {
			acc = sums[part*len(dw) : (part+1)*len(dw)]
		}
		beta := float32(0)
		for n := lo; n < hi; n++ {
			for _, pr := range pairs {
				xt, gt := pr[0], pr[1]
				if xt == nil || gt == nil {
					continue
				}
				g1.im2col(pc, xt[n*chw:(n+1)*chw])
				tensor.Sgemm(false, true, oc, g.colRows, ohw, 1, gt[n*oc*ohw:(n+1)*oc*ohw], ohw, pc, ohw, beta, acc, g.colRows)
				beta = 1
			}
		}
	})
	for part := 0; part < p-1; part++ {
		asm.Axpy(dw, 1, sums[part*len(dw):(part+1)*len(dw)])
	}
}

// gradWScratch allocates convGradW's scratch for the images of g and a
// weight of size dw.
func (g *convGeom) gradWScratch(t *Tape, dw int) (p int, cols, sums []float32) {
	p, cols = g.colsParts(t)
	return p, cols, t.alloc(p-1, dw).Data()
}

// data returns v's value data, or nil for a nil tensor.
func data(v *tensor.Tensor) []float32 {
	if v == nil {
		return nil
	}
	return v.Data()
}

// conv2dOp is (x [N, C, H, W], w [O, C, KH, KW], b [O] optional) ↦
// [N, O, OH, OW]: bilinear in (x, w) plus b.
type conv2dOp struct{ g convGeom }

var conv2dName = registerOp("conv2d")

func (o *conv2dOp) Name() string { return conv2dName }

func (o *conv2dOp) outShape(w *tensor.Tensor) (oc int) { return w.Shape()[0] }

func (o *conv2dOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	oc := o.outShape(in[1].Value)
	out := t.alloc(o.g.n, oc, o.g.oh, o.g.ow)
	if o.g.wino {
		var b []float32
		if len(in) == 3 {
			b = in[2].Value.Data()
		}
		wg := o.g.winoForward(oc)
		u := t.alloc(36, oc, o.g.c).Data()
		winoWeights(u, in[1].Value.Data(), oc, o.g.c)
		p, sc := wg.scratch(t)
		wg.conv(out.Data(), b, false, sc, p, winoPair{in[0].Value.Data(), u})
		return out
	}
	p, cols := o.g.colsParts(t)
	var b, wb []float32
	if len(in) == 3 {
		b = in[2].Value.Data()
		wb = o.g.biasScratch(t, oc, in[2].Value)
	}
	o.g.convForward(out.Data(), in[0].Value.Data(), in[1].Value.Data(), b, cols, wb, false, p)
	return out
}

// JVP: ẏ = conv(ẋ, w) + conv(x, ẇ) + ḃ.
func (o *conv2dOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	oc := o.outShape(in[1].Value)
	res := t.alloc(o.g.n, oc, o.g.oh, o.g.ow)
	if o.g.wino && (in[0].Tangent != nil || in[1].Tangent != nil) {
		return o.winoJVP(t, in, res, oc)
	}
	p, cols := o.g.colsParts(t)
	var db, wb []float32
	if len(in) == 3 {
		db = data(in[2].Tangent)
		wb = o.g.biasScratch(t, oc, in[2].Tangent)
	}
	acc := false
	if dx := in[0].Tangent; dx != nil {
		o.g.convForward(res.Data(), dx.Data(), in[1].Value.Data(), db, cols, wb, false, p)
		acc, db = true, nil
	}
	if dw := in[1].Tangent; dw != nil {
		o.g.convForward(res.Data(), in[0].Value.Data(), dw.Data(), db, cols, wb, acc, p)
		acc, db = true, nil
	}
	if !acc {
		// Only the bias has a tangent.
		ohw := o.g.oh * o.g.ow
		for n := 0; n < o.g.n; n++ {
			fillBias(res.Data()[n*oc*ohw:(n+1)*oc*ohw], db, ohw)
		}
	}
	return res
}

// winoJVP is JVP with Winograd: one output transform of the sum of the
// terms in the transform domain, with ḃ added there.
func (o *conv2dOp) winoJVP(t *Tape, in []*Var, res *tensor.Tensor, oc int) *tensor.Tensor {
	wg := o.g.winoForward(oc)
	var db []float32
	if len(in) == 3 {
		db = data(in[2].Tangent)
	}
	var pairs [2]winoPair
	if in[0].Tangent != nil {
		u := t.alloc(36, oc, o.g.c).Data()
		winoWeights(u, in[1].Value.Data(), oc, o.g.c)
		pairs[0] = winoPair{in[0].Tangent.Data(), u}
	}
	if in[1].Tangent != nil {
		u := t.alloc(36, oc, o.g.c).Data()
		winoWeights(u, in[1].Tangent.Data(), oc, o.g.c)
		pairs[1] = winoPair{in[0].Value.Data(), u}
	}
	p, sc := wg.scratch(t)
	wg.conv(res.Data(), db, false, sc, p, pairs[:]...)
	return res
}

// VJP: x̄ = conv2dgradx(ḡ, w), w̄ = conv2dgradw(x, ḡ), b̄ sums ḡ over
// everything but its channel.
//
// With Winograd and both cotangents wanted, the two backward ops share the
// transform of ḡ: conv2dgradx's forward pass also computes w̄ into a
// winoShare, which conv2dgradw's forward pass then returns.
func (o *conv2dOp) VJP(t *Tape, in []*Var, out, g *Var, grads []*Var) {
	var sh *winoShare
	if o.g.wino && in[0].needsGrad() && in[1].needsGrad() {
		sh = &winoShare{x: in[0].Value, gy: g.Value}
	}
	if in[0].needsGrad() {
		grads[0] = apply(&conv2dGradXOp{g: o.g, share: sh}, g, in[1])
	}
	if in[1].needsGrad() {
		grads[1] = apply(&conv2dGradWOp{g: o.g, share: sh}, in[0], g)
	}
	if len(in) == 3 && in[2].needsGrad() {
		oc := o.outShape(in[1].Value)
		s := SumTo(Reshape(g, o.g.n, oc, o.g.oh*o.g.ow), []int{1, oc, 1})
		grads[2] = Reshape(s, oc)
	}
}

// conv2dGradXOp is (g [N, O, OH, OW], w [O, C, KH, KW]) ↦ x̄ [N, C, H, W],
// the cotangent of conv2d's input: bilinear, ⟨c, x̄⟩ = ⟨conv2d(c, w), g⟩ =
// ⟨conv2dgradw(c, g), w⟩.
type conv2dGradXOp struct {
	g     convGeom
	share *winoShare // nil, or where the forward pass also leaves w̄
}

var conv2dGradXName = registerOp("conv2dgradx")

func (o *conv2dGradXOp) Name() string { return conv2dGradXName }

func (o *conv2dGradXOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	out := t.alloc(o.g.n, o.g.c, o.g.h, o.g.w)
	if sh := o.share; sh != nil && sh.gy == in[0].Value {
		o.winoGradXW(t, out.Data(), in[1].Value)
		return out
	}
	if o.g.wino {
		o.winoGradX(t, out.Data(), [2]*tensor.Tensor{in[0].Value, in[1].Value})
		return out
	}
	p, cols := o.g.colsParts(t)
	o.g.convGradX(out.Data(), cols, p, [2][]float32{in[0].Value.Data(), in[1].Value.Data()})
	return out
}

// winoGradX sets dx to Σ_t conv2dgradx(g_t, w_t) over the pairs t given
// (a pair with a nil member is skipped, at least one is complete) with
// Winograd.
func (o *conv2dGradXOp) winoGradX(t *Tape, dx []float32, pairs ...[2]*tensor.Tensor) {
	var wp [2]winoPair
	var wg winoGeom
	for i, pr := range pairs {
		if pr[0] == nil || pr[1] == nil {
			continue
		}
		oc := pr[1].Shape()[0]
		wg = o.g.winoForward(oc)
		u := t.alloc(36, oc, o.g.c).Data()
		winoWeights(u, pr[1].Data(), oc, o.g.c)
		wp[i] = winoPair{pr[0].Data(), u}
	}
	p, sc := wg.scratch(t)
	wg.gradX(dx, sc, p, wp[:len(pairs)]...)
}

// winoGradXW sets dx to conv2dgradx(ḡ, w) for the ḡ of o.share and
// leaves conv2dgradw(x, ḡ) in o.share.dw, with one transform of ḡ.
func (o *conv2dGradXOp) winoGradXW(t *Tape, dx []float32, w *tensor.Tensor) {
	sh := o.share
	oc := w.Shape()[0]
	wg := o.g.winoForward(oc)
	u := t.alloc(36, oc, o.g.c).Data()
	winoWeights(u, w.Data(), oc, o.g.c)
	p, sc := wg.scratch(t)
	du := t.alloc(36, oc, o.g.c).Data()
	sums := t.alloc(p-1, len(du)).Data()
	wg.gradXW(dx, du, sc, sums, p, sh.x.Data(), sh.gy.Data(), u)
	sh.dw = t.alloc(oc, o.g.c, 3, 3)
	winoWeightsT(sh.dw.Data(), du, oc, o.g.c)
}

func (o *conv2dGradXOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	res := t.alloc(o.g.n, o.g.c, o.g.h, o.g.w)
	if o.g.wino {
		o.winoGradX(t, res.Data(),
			[2]*tensor.Tensor{in[0].Tangent, in[1].Value},
			[2]*tensor.Tensor{in[0].Value, in[1].Tangent})
		return res
	}
	p, cols := o.g.colsParts(t)
	o.g.convGradX(res.Data(), cols, p,
		[2][]float32{data(in[0].Tangent), in[1].Value.Data()},
		[2][]float32{in[0].Value.Data(), data(in[1].Tangent)})
	return res
}

func (o *conv2dGradXOp) VJP(t *Tape, in []*Var, out, c *Var, grads []*Var) {
	if in[0].needsGrad() {
		grads[0] = apply(&conv2dOp{o.g}, c, in[1])
	}
	if in[1].needsGrad() {
		grads[1] = apply(&conv2dGradWOp{g: o.g}, c, in[0])
	}
}

// conv2dGradWOp is (x [N, C, H, W], g [N, O, OH, OW]) ↦ w̄ [O, C, KH, KW],
// the cotangent of conv2d's weight: bilinear, ⟨c, w̄⟩ = ⟨conv2d(x, c), g⟩ =
// ⟨conv2dgradx(g, c), x⟩.
type conv2dGradWOp struct {
	g     convGeom
	share *winoShare // nil, or where conv2dgradx may have left the result
}

var conv2dGradWName = registerOp("conv2dgradw")

func (o *conv2dGradWOp) Name() string { return conv2dGradWName }

func (o *conv2dGradWOp) Forward(t *Tape, in []*Var) *tensor.Tensor {
	out := t.alloc(in[1].Shape()[1], o.g.c, o.g.kh, o.g.kw)
	if sh := o.share; sh != nil && sh.dw != nil && sh.x == in[0].Value && sh.gy == in[1].Value {
		out.CopyFrom(sh.dw)
		return out
	}
	if o.g.wino {
		o.winoGradW(t, out.Data(), winoGradPair{in[0].Value.Data(), in[1].Value.Data()})
		return out
	}
	p, cols, sums := o.g.gradWScratch(t, out.Size())
	o.g.convGradW(out.Data(), cols, sums, p, [2][]float32{in[0].Value.Data(), in[1].Value.Data()})
	return out
}

// winoGradW sets dw [O, C, 3, 3] to Σ_t conv2dgradw(x_t, g_t) over the
// pairs given (a pair with a nil member is skipped, at least one is
// complete) with Winograd.
func (o *conv2dGradWOp) winoGradW(t *Tape, dw []float32, pairs ...winoGradPair) {
	oc := len(dw) / o.g.colRows
	wg := o.g.winoForward(oc)
	p, sc := wg.scratch(t)
	du := t.alloc(36, oc, o.g.c).Data()
	sums := t.alloc(p-1, len(du)).Data()
	wg.gradU(du, sc, sums, p, pairs...)
	winoWeightsT(dw, du, oc, o.g.c)
}

func (o *conv2dGradWOp) JVP(t *Tape, in []*Var, out *Var) *tensor.Tensor {
	res := t.alloc(in[1].Shape()[1], o.g.c, o.g.kh, o.g.kw)
	if o.g.wino {
		o.winoGradW(t, res.Data(),
			winoGradPair{data(in[0].Tangent), in[1].Value.Data()},
			winoGradPair{in[0].Value.Data(), data(in[1].Tangent)})
		return res
	}
	p, cols, sums := o.g.gradWScratch(t, res.Size())
	o.g.convGradW(res.Data(), cols, sums, p,
		[2][]float32{data(in[0].Tangent), in[1].Value.Data()},
		[2][]float32{in[0].Value.Data(), data(in[1].Tangent)})
	return res
}

func (o *conv2dGradWOp) VJP(t *Tape, in []*Var, out, c *Var, grads []*Var) {
	if in[0].needsGrad() {
		grads[0] = apply(&conv2dGradXOp{g: o.g}, in[1], c)
	}
	if in[1].needsGrad() {
		grads[1] = apply(&conv2dOp{o.g}, in[0], c)
	}
}

// Conv2d returns the 2-D cross-correlation of x [N, C, H, W] with filters
// w [O, C, KH, KW] plus the bias b [O] (nil for none), as
// torch.nn.functional.conv2d with the given stride and zero padding on
// every side (no dilation, one group). The output is [N, O, OH, OW] with
// OH = (H+2·padding-KH)/stride + 1 (likewise OW).
//
// It is one op, image by image im2col and sgemm with the bias fused, or,
// for 3×3 stride-1 kernels with at least 8 input and output channels on
// AVX-512, Winograd F(4×4, 3×3) (float32 errors of a few 1e-6 of the
// output scale instead of a few 1e-7); see the comment at the top of
// ops_conv.go. Its scratch comes from the tape's arena. It panics with a *tensor.ShapeError on mismatched shapes,
// a stride below 1, a negative padding or a kernel larger than the padded
// input.
func Conv2d(x, w, b *Var, stride, padding int) *Var {
	ws := w.Shape()
	g := newConvGeom("conv2d", x.Shape(), ws, stride, padding)
	if b == nil {
		return apply(&conv2dOp{g}, x, w)
	}
	if bs := b.Shape(); len(bs) != 1 || bs[0] != ws[0] {
		panic(&tensor.ShapeError{Op: "conv2d", Reason: "bias must be [O]", Shapes: [][]int{x.Shape(), ws, bs}})
	}
	return apply(&conv2dOp{g}, x, w, b)
}
