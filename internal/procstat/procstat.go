// Package procstat reads this process's memory and CPU use (Linux /proc and
// syscalls): RSS and CPU time for the benchmarks and leak tests of the other
// packages, and the CPUs available to the process for thread-count defaults.
package procstat

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// RSS is the resident set size of this process in bytes (VmRSS).
func RSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("rss: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("rss: parse %q: %w", rest, err)
			}
			return kb << 10, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("rss: %w", err)
	}
	return 0, fmt.Errorf("rss: no VmRSS line in /proc/self/status")
}

// RSSMB is RSS in MiB.
func RSSMB() (float64, error) {
	b, err := RSS()
	return float64(b) / (1 << 20), err
}

// PeakRSS runs f and returns the highest RSS sampled meanwhile: every 5 ms while f
// runs, and once more when it has returned, so memory f leaves allocated is always
// counted however the sampler was scheduled.
func PeakRSS(f func()) int64 {
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var p int64
		sample := func() {
			if v, err := RSS(); err == nil && v > p {
				p = v
			}
		}
		for {
			sample()
			select {
			case <-done:
				sample()
				peak <- p
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	return <-peak
}

// CPUTime is the user+system CPU time of the process so far (0 if getrusage fails).
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return rusageCPU(ru)
}

// rusageCPU is user+system time of a getrusage result.
func rusageCPU(ru syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// AvailableCPUs is the number of CPUs this process may run on now: the count of its
// scheduler affinity mask (taskset, cpusets, a batch scheduler's binding), which can be
// fewer than the machine's CPUs. A CPU quota (cgroup cpu.max) is not counted. Falls back to
// runtime.NumCPU (the mask at process start) if the mask cannot be read.
func AvailableCPUs() int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err == nil {
		if n := set.Count(); n > 0 {
			return n
		}
	}
	return runtime.NumCPU()
}
