package asm

import "math"

// maxPool2x2Generic is the reference of MaxPool2x2 for an oh×ow grid of
// windows over planes of width w; dst may be nil. It compares the integer keys of
// poolKeyGeneric without branches, since which of four values wins is
// unpredictable.
func maxPool2x2Generic(dst []float32, idx []int32, x []float32, oh, ow, w int, base int32) {
	for i := 0; i < oh; i++ {
		top := 2 * i * w
		r0 := x[top : top+2*ow]
		r1 := x[top+w : top+w+2*ow]
		o := idx[i*ow : (i+1)*ow]
		t0, w1 := base+int32(top), int32(w)
		for j := range o {
			// A tournament of the two rows' pairs: strict > keeps the
			// first of equal maxima.
			a, b := poolKeyGeneric(r0[2*j]), poolKeyGeneric(r0[2*j+1])
			c, d := poolKeyGeneric(r1[2*j]), poolKeyGeneric(r1[2*j+1])
			top1 := int32(0)
			if b > a {
				a, top1 = b, 1
			}
			bot := w1
			if d > c {
				c, bot = d, w1+1
			}
			if c > a {
				top1 = bot
			}
			o[j] = t0 + int32(2*j) + top1
		}
		if dst != nil {
			d := dst[i*ow : (i+1)*ow]
			for j, k := range o {
				d[j] = x[k-base]
			}
		}
	}
}

// poolKeyGeneric maps v to an integer that orders as the floats do, with
// -0 and +0 equal and every NaN above everything else and equal to each
// other.
func poolKeyGeneric(v float32) int32 {
	b := int32(math.Float32bits(v))
	k := b ^ (b>>31)&0x7fffffff // negative floats: flip the magnitude
	k += (b >> 31) & 1          // -0 (and every negative) up by one: -0 == +0
	nan := (0x7f800000 - b&0x7fffffff) >> 31
	return k&^nan | 0x7fffffff&nan
}

// maxUnpool2x2Generic is the reference of MaxUnpool2x2 on the windows'
// 2·oh rows of 2·ow columns of dst (rows of width w); MaxUnpool2x2 clears
// the rest.
func maxUnpool2x2Generic(dst, g []float32, idx []int32, oh, ow, w int, base int32) {
	for i := 0; i < oh; i++ {
		top := 2 * i * w
		r0 := dst[top : top+2*ow]
		r1 := dst[top+w : top+w+2*ow]
		gi := g[i*ow : (i+1)*ow]
		o := idx[i*ow : (i+1)*ow]
		t0, w1 := base+int32(top), int32(w)
		for j, k := range o {
			rel := k - t0 - int32(2*j)
			v := gi[j]
			r0[2*j], r0[2*j+1], r1[2*j], r1[2*j+1] = 0, 0, 0, 0
			switch rel {
			case 0:
				r0[2*j] = v
			case 1:
				r0[2*j+1] = v
			case w1:
				r1[2*j] = v
			case w1 + 1:
				r1[2*j+1] = v
			}
		}
	}
}
