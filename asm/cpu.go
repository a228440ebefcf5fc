package asm

import (
	"fmt"
	"os"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// Level is a CPU feature level that selects a family of kernels.
type Level int

// The levels, from the portable reference to the widest vectors.
const (
	// Generic runs the pure-Go references.
	Generic Level = iota
	// AVX2 needs AVX, AVX2 and FMA3 together (cpuid sets AVX only after
	// XGETBV confirms that the OS saves YMM registers; FMA3 is detected on
	// its own).
	AVX2
	// AVX512 needs the AVX2 level plus AVX-512 F, DQ, BW and VL with OS
	// support for the ZMM and opmask state.
	AVX512
)

// String returns the level's name as GOGRAD_CPU spells it.
func (l Level) String() string {
	switch l {
	case Generic:
		return "generic"
	case AVX2:
		return "avx2"
	case AVX512:
		return "avx512"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// ParseLevel parses a level name: generic, avx2 or avx512 (case-insensitive).
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "generic":
		return Generic, nil
	case "avx2":
		return AVX2, nil
	case "avx512":
		return AVX512, nil
	}
	return Generic, fmt.Errorf("asm: unknown CPU level %q (want generic, avx2 or avx512)", s)
}

// EnvLevel names the environment variable that caps the level.
const EnvLevel = "GOGRAD_CPU"

// detected is the best level this CPU and build support, before any cap.
var detected = detectLevel()

// active is the level the exported kernels dispatch on.
var active = initialLevel()

// Detected reports the best level the CPU supports in this build (always
// Generic under the purego tag or off amd64), ignoring GOGRAD_CPU.
func Detected() Level { return detected }

// Active reports the level the kernels use now.
func Active() Level { return active }

// SetLevel caps the kernels at l, or at the detected level if l is higher,
// and returns the level now in use. It is meant for tests, benchmarks and
// start-up code: it must not be called while kernels run on other
// goroutines.
func SetLevel(l Level) Level {
	if l > detected {
		l = detected
	}
	if l < Generic {
		l = Generic
	}
	active = l
	return active
}

// Supported lists the levels this machine can run, lowest first.
func Supported() []Level {
	levels := make([]Level, 0, 3)
	for l := Generic; l <= detected; l++ {
		levels = append(levels, l)
	}
	return levels
}

// EnvError reports an invalid GOGRAD_CPU value seen at start-up, or nil.
// The kernels then run at the detected level.
func EnvError() error { return envErr }

var envErr error

func initialLevel() Level {
	s, ok := os.LookupEnv(EnvLevel)
	if !ok || s == "" {
		return detected
	}
	l, err := ParseLevel(s)
	if err != nil {
		envErr = fmt.Errorf("%s: %w", EnvLevel, err)
		return detected
	}
	if l > detected {
		return detected
	}
	return l
}

// cpuLevel reads the CPU's features; the build-specific detectLevel caps it.
func cpuLevel() Level {
	c := cpuid.CPU
	if !c.Supports(cpuid.AVX, cpuid.AVX2, cpuid.FMA3) {
		return Generic
	}
	if !c.Supports(cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL) {
		return AVX2
	}
	return AVX512
}
