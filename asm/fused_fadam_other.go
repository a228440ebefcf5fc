//go:build !amd64 || !gc || purego

package asm

// The FAdam passes run the generic references where no assembly is built.

func fadamSum(g []float32, acc *[fadamLanes]float64) { fadamSumGeneric(g, acc) }

func fadamPrecond(g, p, f, r []float32, acc *[2 * fadamLanes]float64, k *fadamConsts) {
	fadamPrecondGeneric(g, p, f, r, acc, k)
}

func fadamUpdate(p, g, m, r []float32, k *fadamConsts) { fadamUpdateGeneric(p, g, m, r, k) }

func fadamUpdateRecip(p, g, m, f []float32, k *fadamConsts) { fadamUpdateRecipGeneric(p, g, m, f, k) }
