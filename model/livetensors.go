package model

import (
	"strings"

	"github.com/sugarme/gotch/ts"
)

// LiveTensors counts the tensors gotch still tracks: created and not yet
// freed, either explicitly or by a finalizer. Leak tests compare it across
// training steps with the Go GC off, where a forgotten tensor stays counted.
// It parses gotch's CheckCMemLeak report, the one accessor that reads the
// registry under its lock; it returns -1 if that report's format changes.
func LiveTensors() int {
	report := ts.CheckCMemLeak()
	_, list, ok := strings.Cut(report, "Tensors not been released: [")
	if !ok {
		return -1
	}
	list, _, ok = strings.Cut(list, "]\n")
	if !ok {
		return -1
	}
	// Each name is printed %q-quoted, and gotch's names hold no quotes.
	return strings.Count(list, `"`) / 2
}
