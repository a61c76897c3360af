// Package benchenv holds what the libtorch benchmarks of model and train share: the thread
// setup they run under (README.md's benchmark table). It is imported by tests only; it does
// not import model, so model's own tests can use it.
package benchenv

import (
	"os"
	"runtime"
	"strconv"
	"testing"
)

// Threads pins the benchmark's goroutine to its OS thread and sets libtorch's intra-op
// threads there with set (model.SetThreads): FFRA_THREADS, else 0, which set takes as
// model.DefaultThreads (as ffra does). Call as defer benchenv.Threads(b, model.SetThreads)():
// the deferred call reports the count as the "threads" metric and unlocks.
func Threads(b *testing.B, set func(n int) (int, error)) (unlock func()) {
	runtime.LockOSThread()
	n := 0
	if s := os.Getenv("FFRA_THREADS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("FFRA_THREADS=%q: %v", s, err)
		}
	}
	got, err := set(n)
	if err != nil {
		b.Fatal(err)
	}
	return func() {
		b.ReportMetric(float64(got), "threads") // after the timed loop: ResetTimer drops metrics
		runtime.UnlockOSThread()
	}
}
