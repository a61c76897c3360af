package model

import (
	"fmt"

	"github.com/occfer/occfer/internal/procstat"
	lib "github.com/sugarme/gotch/libtch"
	"github.com/sugarme/gotch/ts"
)

// DefaultThreads is the intra-op thread count ffra uses when none is given: the CPUs
// available to the process (its affinity mask; see procstat.AvailableCPUs). libtorch's own
// default is the number of physical cores, 1 on a 2-vCPU VM.
func DefaultThreads() int { return procstat.AvailableCPUs() }

// SetThreads sets libtorch's intra-op thread count (at::set_num_threads: the threads one
// CPU op such as a convolution splits its work over) and returns the count set; n = 0 means
// DefaultThreads. It does not touch the inter-op pool or CUDA.
//
// libtorch keeps the count per OS thread (it is OpenMP's nthreads ICV): the call applies to
// the calling OS thread at once, and to every other OS thread when that thread first runs a
// parallel op; OS threads that already ran one keep their count. So call it either before
// the first tensor op of the process, or on the OS thread that will run the ops, with the
// goroutine locked to it (runtime.LockOSThread), as train.Run does.
//
// On the CPU, results depend on the thread count in the last bits (reductions are split
// per thread): the same seed and thread count give the same bytes; another count does not.
func SetThreads(n int) (int, error) {
	if n < 0 {
		return 0, fmt.Errorf("threads %d: want >= 1, or 0 for the CPUs available (%d)", n, DefaultThreads())
	}
	if n == 0 {
		n = DefaultThreads()
	}
	lib.AtSetNumThreads(n)
	if err := ts.TorchErr(); err != nil {
		return 0, fmt.Errorf("set %d libtorch threads: %w", n, err)
	}
	return n, nil
}

// Threads is libtorch's intra-op thread count on the calling OS thread (at::get_num_threads).
func Threads() int { return lib.AtGetNumThreads() }
