package asm

// CombineLanes16 combines 16 float64 lane sums in the fixed order every
// level of the reductions of AdafactorMatrixStep, AdafactorStep and
// SubsetNormStep follows: lane k with lane k+8, then k with k+4, k with
// k+2, and the last two. Exported so that a Go computation meant to match
// those kernels bit for bit (optim's chains) sums in the same order.
func CombineLanes16(l *[16]float64) float64 {
	var a [8]float64
	for k := range a {
		a[k] = l[k] + l[k+8]
	}
	b0, b1, b2, b3 := a[0]+a[4], a[1]+a[5], a[2]+a[6], a[3]+a[7]
	return (b0 + b2) + (b1 + b3)
}

// snRowsGeneric is the reference of SubsetNormStep for rows ≥ cols (see
// its comment): per row, the float64 lane sum of g², the statistic, the
// quotient and the update, in the kernels' order and flushing.
func snRowsGeneric(p, g, m, s []float32, rows, cols int, k *snConsts) {
	for r := range rows {
		lo, hi := r*cols, (r+1)*cols
		var l [16]float64
		for j, x := range g[lo:hi] {
			x := float64(daz32(x))
			l[j&15] += x * x
		}
		sum := ftz32(float32(CombineLanes16(&l)))
		sr := ftz32(ftz32(k.b2*daz32(s[r])) + ftz32(k.omb2*sum))
		s[r] = sr
		snUpdateGeneric(p[lo:hi], g[lo:hi], m[lo:hi], nil, snQuot(sr, k), k)
	}
}

// snColSumGeneric is the reference of the column pass of SubsetNormStep
// (rows < cols): s[j] += (1−β2)·(g_ij·g_ij), row after row.
func snColSumGeneric(s, g []float32, rows, cols int, omb2 float32) {
	s = s[:cols]
	for r := range rows {
		for j, x := range g[r*cols : (r+1)*cols] {
			x = daz32(x)
			s[j] = ftz32(s[j] + ftz32(omb2*ftz32(x*x)))
		}
	}
}

// snColsGeneric is the reference of the update of SubsetNormStep for
// rows < cols, with the per-column quotients q.
func snColsGeneric(p, g, m, q []float32, rows, cols int, k *snConsts) {
	for r := range rows {
		lo, hi := r*cols, (r+1)*cols
		snUpdateGeneric(p[lo:hi], g[lo:hi], m[lo:hi], q[:cols], 0, k)
	}
}

// snUpdateGeneric updates one row: m ← β1·m + (1−β1)·g and
// p ← p·decay − q·m, with q[j] per element or, if q is nil, qs for all.
func snUpdateGeneric(p, g, m, q []float32, qs float32, k *snConsts) {
	g = g[:len(p)]
	m = m[:len(p)]
	for j := range p {
		qj := qs
		if q != nil {
			qj = daz32(q[j])
		}
		gj := daz32(g[j])
		mj := ftz32(fma32(k.b1, daz32(m[j]), ftz32(k.omb1*gj)))
		m[j] = mj
		p[j] = ftz32(fma32(-qj, mj, ftz32(daz32(p[j])*k.decay)))
	}
}
