//go:build amd64 && gc && !purego

package asm

// sgemmParamsFor returns the micro-kernel and blocks of level l.
func sgemmParamsFor(l Level) *sgemmParams {
	return &sgemmGenericParams
}
