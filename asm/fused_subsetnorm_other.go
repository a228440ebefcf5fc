//go:build !amd64 || !gc || purego

package asm

// The generic references run where no assembly is built.

func snRows(p, g, m, s []float32, rows, cols int, k *snConsts) {
	snRowsGeneric(p, g, m, s, rows, cols, k)
}

func snColSum(s, g []float32, rows, cols int, omb2 float32) { snColSumGeneric(s, g, rows, cols, omb2) }

func snCols(p, g, m, q []float32, rows, cols int, k *snConsts) {
	snColsGeneric(p, g, m, q, rows, cols, k)
}
