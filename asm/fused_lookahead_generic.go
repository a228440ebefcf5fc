package asm

// lookaheadSyncGeneric is the reference of LookaheadSync: each product
// rounded to float32 on its own (the conversions keep the compiler from
// fusing a multiply-add), then the sum.
func lookaheadSyncGeneric(p, slow []float32, a, b float32) {
	slow = slow[:len(p)]
	for i := range p {
		f := float32(b*slow[i]) + float32(a*p[i])
		slow[i] = f
		p[i] = f
	}
}
