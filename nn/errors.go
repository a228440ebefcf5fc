package nn

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// errSyncUnsupported is what Sync returns on a directory of a filesystem
// that cannot sync directories.
var errSyncUnsupported error = syscall.EINVAL

// StateDictError lists every way a state dict fails to fit a module.
// LoadStateDict returns it and then changes nothing.
type StateDictError struct {
	Missing    []string        // keys of the module absent from the state dict, sorted
	Unexpected []string        // keys of the state dict the module lacks, sorted
	Mismatched []ShapeMismatch // keys present in both with different shapes, sorted by key
}

// ShapeMismatch is a key whose tensor has a different shape in the state
// dict than in the module.
type ShapeMismatch struct {
	Key         string
	Got, Module []int // the state dict's shape and the module's
}

func (e *StateDictError) Error() string {
	var parts []string
	for _, k := range e.Missing {
		parts = append(parts, "missing key "+strconv.Quote(k))
	}
	for _, k := range e.Unexpected {
		parts = append(parts, "unexpected key "+strconv.Quote(k))
	}
	for _, m := range e.Mismatched {
		parts = append(parts, fmt.Sprintf("shape mismatch for %q: state dict has %v, module has %v", m.Key, m.Got, m.Module))
	}
	return "nn: loadstatedict: " + strings.Join(parts, "; ")
}

func (e *StateDictError) empty() bool {
	return len(e.Missing) == 0 && len(e.Unexpected) == 0 && len(e.Mismatched) == 0
}

func (e *StateDictError) sort() {
	slices.Sort(e.Missing)
	slices.Sort(e.Unexpected)
	slices.SortFunc(e.Mismatched, func(a, b ShapeMismatch) int { return strings.Compare(a.Key, b.Key) })
}
