//go:build !unix

package nn

import "testing"

// processCPU is not measured on this platform.
func processCPU() float64 { return 0 }

// reportCPU reports nothing on this platform.
func reportCPU(b *testing.B, start float64) {}
