package cli

import (
	"fmt"
	"runtime"
)

// MaxWorkers is the most workers a command accepts: four per CPU of this machine. Workers
// beyond the cores only wait (the work is CPU-bound), and each holds images in memory, so a
// count far above it is a typo that would exhaust memory rather than speed anything up.
func MaxWorkers() int { return 4 * runtime.NumCPU() }

// Workers resolves a worker-count flag (flag names it in errors, e.g. "--workers"): 0 means
// one per CPU, a negative count or one above MaxWorkers is refused.
func Workers(flag string, n int) (int, error) {
	switch {
	case n == 0:
		return runtime.NumCPU(), nil
	case n < 0:
		return 0, fmt.Errorf("%s %d: want 0 (one per CPU) or a positive count", flag, n)
	case n > MaxWorkers():
		return 0, fmt.Errorf("%s %d: at most %d on this machine (4 per CPU, %d CPUs)", flag, n, MaxWorkers(), runtime.NumCPU())
	}
	return n, nil
}
