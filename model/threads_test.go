package model

import (
	"runtime"
	"strings"
	"testing"
)

// SetThreads sets libtorch's count on the calling OS thread, resolves 0 to the CPUs
// available and refuses negative counts.
func TestSetThreads(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig := Threads()
	defer SetThreads(orig)
	for _, tc := range []struct {
		name string
		n    int
		want int
	}{
		{"one", 1, 1},
		{"three", 3, 3},
		{"default", 0, DefaultThreads()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// a subtest is a goroutine of its own: lock it too, or SetThreads and Threads
			// may run on two OS threads, each with its own count (seen once under load)
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			got, err := SetThreads(tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || Threads() != tc.want {
				t.Fatalf("SetThreads(%d) = %d, Threads() = %d; want %d", tc.n, got, Threads(), tc.want)
			}
		})
	}
	if _, err := SetThreads(-1); err == nil || !strings.Contains(err.Error(), "threads -1") {
		t.Fatalf("SetThreads(-1): %v", err)
	}
}
