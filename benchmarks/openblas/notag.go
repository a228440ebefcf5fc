//go:build !openblas || !cgo

package main

import (
	"fmt"
	"os"
)

// main explains how to build the real comparison (see doc.go).
func main() {
	fmt.Fprintln(os.Stderr, "openblas: build with cgo and -tags openblas, e.g.\n\tOPENBLAS_CORETYPE=SkylakeX go run -tags openblas ./benchmarks/openblas")
	os.Exit(2)
}
